"""The collection in an execution environment: ansible-builder finds its Python and system requirements
(meta/execution-environment.yml), and `ansible-builder create` accepts a definition that installs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO

BUILDER = str(Path(sys.executable).with_name("ansible-builder"))

DEFINITION = """\
---
version: 3
images:
  base_image:
    name: example.invalid/ee-minimal:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.17
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: lighthouse.monitoring
        source: files/lighthouse-monitoring.tar.gz
        type: file
additional_build_files:
  - src: lighthouse-monitoring.tar.gz
    dest: files
"""


def run(*command: str, cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_builder_finds_the_requirements(tmp_path):
    collections = tmp_path / "collections" / "ansible_collections" / "lighthouse"
    collections.mkdir(parents=True)
    (collections / "monitoring").symlink_to(REPO)
    found = run(BUILDER, "introspect", "--sanitize", str(tmp_path / "collections"), cwd=tmp_path)
    assert "requests>=2.28.0  # from collection lighthouse.monitoring" in found
    assert "urllib3>=1.26.0  # from collection lighthouse.monitoring" in found
    assert "ca-certificates [platform:rpm platform:dpkg]  # from collection lighthouse.monitoring" in found


def test_builder_creates_a_build_context(tmp_path):
    run(
        sys.executable,
        "-m",
        "ansible.cli.galaxy",
        "collection",
        "build",
        "--output-path",
        str(tmp_path),
        str(REPO),
        cwd=tmp_path,
    )
    (tarball,) = tmp_path.glob("lighthouse-monitoring-*.tar.gz")
    shutil.move(tarball, tmp_path / "lighthouse-monitoring.tar.gz")
    (tmp_path / "execution-environment.yml").write_text(DEFINITION, encoding="utf-8")
    run(BUILDER, "create", "--file", "execution-environment.yml", "--context", "context", cwd=tmp_path)
    (build_file,) = (tmp_path / "context").glob("*file")  # Containerfile or Dockerfile, by runtime
    assert "example.invalid/ee-minimal:latest" in build_file.read_text(encoding="utf-8")
    assert "lighthouse.monitoring" in (tmp_path / "context" / "_build" / "requirements.yml").read_text(encoding="utf-8")
    assert (tmp_path / "context" / "_build" / "files" / "lighthouse-monitoring.tar.gz").exists()
