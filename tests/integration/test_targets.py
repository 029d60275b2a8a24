"""Run every integration target (tests/integration/targets/<module>) with real ansible-playbook
against the simulator. The targets follow the rhythm check mode -> apply -> apply again -> update with
diff -> delete -> delete again, and assert on the REST API what was (not) written."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import TARGETS, run_playbook, write_play

MODULE_TARGETS = sorted(p.name for p in TARGETS.iterdir() if p.is_dir() and not p.name.startswith("setup_"))


@pytest.mark.parametrize("target", MODULE_TARGETS)
def test_target(target, request, tmp_path):
    """Each target against its backend's simulator (targets are named after their module: <backend>_<object>)."""
    backend = target.split("_", 1)[0]
    simulator = request.getfixturevalue("simulator" if backend == "checkmk" else f"{backend}_simulator")
    simulator.control("reset", method="POST")
    play = write_play(tmp_path / "play.yml", roles=f"    - {target}\n")
    result = run_playbook(play, simulator.env)
    assert result.rc == 0, f"{target} failed at {failed_task(result.output)}\n{result.output[-6000:]}"
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+).*failed=(\d+)", result.output)
    assert recap and recap.group(3) == "0", result.output[-3000:]


def failed_task(output: str) -> str:
    """The task that failed, as the output names it: the first ``TASK [role : name]`` whose failure was not
    ignored."""
    for name, block in re.findall(r"^TASK \[([^\]]*)\](.*?)(?=^TASK \[|\Z)", output, re.MULTILINE | re.DOTALL):
        if "fatal:" in block and "...ignoring" not in block:
            return f"task {name!r}"
    return "an unknown task"
