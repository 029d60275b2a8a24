"""The API secret never shows: every module at -vvvv, in check mode with diff and for real, on success and on
failure; nowhere in stdout, stderr, return values or diffs (the registered results are printed too)."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import SECRET, run_playbook, write_play

# One call per module, made twice: as given (it succeeds, or in check mode may fail for a host that check mode
# did not create), and against a site that does not exist (the server answers with an error), so the secret
# has been sent before the task fails.
CALLS = {
    "checkmk_folder": "path: /secrets",
    "checkmk_host": "name: secret1\n        folder: /secrets",
    "checkmk_hosts": "hosts: [{name: secret2, folder: /secrets}]",
    "checkmk_discovery": "host_name: secret1",
    "checkmk_activation": "force_foreign_changes: false",
    "checkmk_downtime": "host_name: secret1\n        comment: Secret test\n        end_time: +1h",
}

TASK = """\
    - name: {module} {label}
      lighthouse.monitoring.{module}:
        {args}
      register: result_{index}
      ignore_errors: true

    - name: Show what {module} returned
      ansible.builtin.debug:
        var: result_{index}
"""


def play_for(check_mode: bool) -> str:
    tasks = []
    for index, (module, given) in enumerate(CALLS.items()):
        bad = given + "\n        site: nosuchsite"
        for label, args, suffix in (("as given", given, "a"), ("on a site that does not exist", bad, "b")):
            tasks.append(TASK.format(module=module, label=label, args=args, index=f"{index}{suffix}"))
    header = (
        "    - name: Check mode with diff\n      check_mode: true\n      diff: true\n      block:\n"
        if check_mode
        else ""
    )
    body = "".join(tasks)
    if check_mode:
        body = "\n".join(("    " + line if line.strip() else line) for line in body.splitlines()) + "\n"
    return header + body


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-diff", "apply"])
def test_the_secret_never_shows(simulator, tmp_path, check_mode):
    simulator.control("reset", method="POST")
    play = write_play(tmp_path / "play.yml", tasks=play_for(check_mode))
    result = run_playbook(play, simulator.env, "-vvvv", *([] if check_mode else ["--diff"]))
    assert result.rc == 0, result.output[-6000:]
    failed = result.output.count("...ignoring")
    assert failed >= len(CALLS), result.output[-6000:]  # the failures did happen
    assert "api_secret" in result.output  # the option is there, masked
    leaks = result.output.count(SECRET)
    assert leaks == 0, f"the API secret shows {leaks} times in what Ansible printed at -vvvv"  # never the value
    assert "Callback dispatch" not in result.output  # every diff is one Ansible's callbacks can show
