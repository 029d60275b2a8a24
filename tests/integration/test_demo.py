"""`make demo`, as users run it, for each backend: the demo playbook converges (every second run changes nothing),
an empty plan leaves the exit status 0, and after a host was edited and another deleted by hand
(scripts/demo_drift.py) the check-mode run's plan is exactly the expected one, as text, JSON (valid against
schemas/plan.schema.json) and Markdown, and the run exits with 3.

The expected plans are in tests/integration/plans/<backend>.{txt,json,md}; the README's "Plan and drift" shows the
Checkmk one, and a test here keeps the two the same."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO

EXPECTED = Path(__file__).parent / "plans"
SCHEMA = json.loads((REPO / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("backend", ["checkmk", "opsview", "openitcockpit", "sensu"])
def test_the_demo_converges_and_its_drift_plan_is_exactly_the_hand_made_change(backend, tmp_path):
    env = {**os.environ, "DEMO_PLAN_DIR": str(tmp_path)}
    done = subprocess.run(
        ["make", "--no-print-directory", "demo", f"BACKEND={backend}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    assert (tmp_path / "plan.txt").read_text(encoding="utf-8") == (EXPECTED / f"{backend}.txt").read_text(
        encoding="utf-8"
    )
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(plan)
    assert plan == json.loads((EXPECTED / f"{backend}.json").read_text(encoding="utf-8"))
    assert (tmp_path / "plan.md").read_text(encoding="utf-8") == (EXPECTED / f"{backend}.md").read_text(
        encoding="utf-8"
    )


def test_the_readme_shows_the_demo_plan():
    """The README's example plan is the one the Checkmk demo prints (the test above checks that one)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Plan and drift", 1)[1].split("\n## ", 1)[0]
    assert (EXPECTED / "checkmk.txt").read_text(encoding="utf-8") in section
