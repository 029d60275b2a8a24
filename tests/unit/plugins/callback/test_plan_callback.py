"""The callback lighthouse.monitoring.plan: which results it takes, how it reports, when it ends the run with 3."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ansible_collections.lighthouse.monitoring.plugins.callback.plan import DRIFT_EXIT_CODE, CallbackModule


def entry(name, action="add"):
    changes = {"name": {"before": None, "after": name}} if action == "add" else {}
    return {"backend": "checkmk", "type": "host", "name": name, "action": action, "changes": changes}


def result(answer, action="lighthouse.monitoring.checkmk_host"):
    return SimpleNamespace(_task=SimpleNamespace(action=action, resolved_action=action), _result=answer)


class Display:
    verbosity = 0

    def __init__(self):
        self.lines = []

    def banner(self, text):
        self.lines.append(f"[{text}]")

    def display(self, text, color=None):
        self.lines.append(text)

    def warning(self, text):
        self.lines.append(f"WARNING: {text}")


def callback(tmp_path, **options):
    plugin = CallbackModule(display=Display())
    files = {"json_file": str(tmp_path / "plan.json"), "markdown_file": str(tmp_path / "plan.md")}
    # Loaded outside Ansible's plugin loader, the plugin has no option definitions: its options are set as they
    # would be read (ansible-doc and the integration tests check the definitions).
    plugin._plugin_options = {**files, "show_unchanged": False, "fail_on_changes": False, **options}
    return plugin


def stats(failures=0, dark=0):
    return SimpleNamespace(failures={"localhost": failures}, dark={"localhost": dark})


def test_takes_this_collections_results_with_their_loops_and_counts_hidden_and_failed_tasks(tmp_path):
    plugin = callback(tmp_path)
    plugin.v2_runner_on_ok(result({"changed": True, "plan": [entry("a")]}))
    plugin.v2_runner_on_ok(result({"results": [{"plan": [entry("b")]}, {"censored": "hidden"}, {"skipped": True}]}))
    plugin.v2_runner_on_ok(result({"plan": [entry("x")]}, action="ansible.builtin.debug"))  # not a module of ours
    plugin.v2_runner_on_ok(result({"censored": "the output has been hidden", "changed": True}))
    plugin.v2_runner_on_failed(result({"failed": True, "msg": "Failed to create host c"}))
    plugin.v2_playbook_on_stats(stats())
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert [e["name"] for e in plan["entries"]] == ["a", "b"]
    assert plan["summary"]["hidden_tasks"] == 2 and plan["summary"]["failed_tasks"] == 1
    assert plan["complete"] is False
    assert plugin._display.lines[-1] == "Applied: 2 added, 0 changed, 0 removed, 0 unchanged."
    assert "1 task(s) failed: the plan may be incomplete." in plugin._display.lines
    assert (tmp_path / "plan.md").read_text().startswith("### Applied: 2 added")


def test_a_plan_that_is_not_empty_ends_the_run_with_3_when_asked(tmp_path):
    plugin = callback(tmp_path, fail_on_changes=True)
    plugin.v2_runner_on_ok(result({"plan": [entry("a")]}))
    with pytest.raises(SystemExit) as ended:
        plugin.v2_playbook_on_stats(stats())
    assert ended.value.code == DRIFT_EXIT_CODE
    assert json.loads((tmp_path / "plan.json").read_text())["empty"] is False  # written before the exit


@pytest.mark.parametrize("trouble", [{"failures": 1}, {"dark": 1}])
def test_a_run_with_failed_or_unreachable_hosts_keeps_ansibles_exit_status(tmp_path, trouble):
    plugin = callback(tmp_path, fail_on_changes=True)
    plugin.v2_runner_on_ok(result({"plan": [entry("a")]}))
    plugin.v2_playbook_on_stats(stats(**trouble))  # no SystemExit: ansible-playbook says 2 or 4 itself


def test_an_empty_plan_does_not_end_the_run_and_each_playbook_gets_its_own_plan(tmp_path):
    plugin = callback(tmp_path, fail_on_changes=True)
    plugin.v2_runner_on_ok(result({"plan": [entry("a", "none")]}))
    plugin.v2_playbook_on_stats(stats())
    assert json.loads((tmp_path / "plan.json").read_text())["summary"]["none"] == 1
    plugin.v2_playbook_on_stats(stats())
    assert json.loads((tmp_path / "plan.json").read_text())["entries"] == []


def test_a_plan_file_that_cannot_be_written_is_a_warning_and_leaves_nothing_behind(tmp_path):
    plugin = callback(tmp_path, json_file=str(tmp_path / "missing" / "plan.json"))
    plugin.v2_runner_on_ok(result({"plan": [entry("a")]}))
    plugin.v2_playbook_on_stats(stats())
    assert any(
        line.startswith("WARNING: lighthouse.monitoring.plan: could not write") for line in plugin._display.lines
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]
