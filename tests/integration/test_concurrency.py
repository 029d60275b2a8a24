"""Two ansible-playbook processes at the same time change hosts in the same folder, one host both, and both
notify the activation handler: the result is the union of both, no update is lost (a stale ETag is read again,
never overwritten), and each activation activates exactly the pending changes it read, or fails cleanly. Both
races are forced by fault rules on every run: the plays' reads of the shared host answered late, and a change
recorded between an activation's read and its request."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import requests

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    REPO,
    SECRET,
    SITE,
    TARGETS,
    USER,
    Simulator,
)

CALLBACKS = REPO / "tests" / "integration" / "callback_plugins"

PLAY = """\
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  roles:
    - lighthouse.monitoring.checkmk_changes
  module_defaults:
    group/lighthouse.monitoring.checkmk:
      server_url: "{{{{ lookup('ansible.builtin.env', 'CHECKMK_SERVER_URL') }}}}"
      site: "{{{{ lookup('ansible.builtin.env', 'CHECKMK_SITE') }}}}"
      api_user: "{{{{ lookup('ansible.builtin.env', 'CHECKMK_API_USER') }}}}"
      api_secret: "{{{{ lookup('ansible.builtin.env', 'CHECKMK_API_SECRET') }}}}"
  tasks:
    - name: Label the shared host for team {team}
      lighthouse.monitoring.checkmk_host:
        name: common01
        folder: /shared
        attributes:
          labels:
            team_{team}: "yes"
      notify: checkmk activate changes

    - name: The hosts of team {team}
      lighthouse.monitoring.checkmk_host:
        name: "{{{{ item }}}}"
        folder: /shared
        attributes:
          labels:
            team: {team}
      loop: [{team}01, {team}02, {team}03]
      notify: checkmk activate changes
"""


def start(play: Path, sim: Simulator, results: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        **sim.env,
        "ANSIBLE_ROLES_PATH": str(TARGETS),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "RECORD_RESULTS_FILE": str(results),
    }
    command = ["ansible-playbook", "-i", "localhost,", "-c", "local", "--diff", str(play)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_plays_at_once_lose_nothing_and_activate_what_they_read(simulator: Simulator, tmp_path: Path) -> None:
    simulator.control("reset", method="POST")
    api = requests.Session()
    api.headers.update({"Authorization": f"Bearer {USER} {SECRET}", "Accept": "application/json"})
    base = f"{simulator.url}/{SITE}/check_mk/api/1.0/domain-types"
    for path, body in (
        ("/folder_config/collections/all", {"name": "shared", "title": "Shared", "parent": "~"}),
        ("/host_config/collections/all", {"host_name": "common01", "folder": "~shared"}),
    ):
        assert api.post(base + path, json=body, timeout=10).status_code == 200
    # The shared host's current state is answered three seconds late: both plays read it before either writes it,
    # so one of the writes carries a stale ETag (one second was too short when a loaded machine started the two
    # ansible-playbook processes more than a second apart).
    rule = {
        "kind": "latency",
        "after": True,
        "methods": ["GET"],
        "path": "^/objects/host_config/common01$",
        "seconds": 3,
    }
    # And the first activation meets what a third play of the same user does: a change recorded between the
    # handler's read and its activation (412). It must read again and activate that change too, knowingly.
    activation_race = {"kind": "race", "path": "activate-changes", "user_id": USER, "attributes": {}, "count": 1}
    simulator.control("faults/rules", method="POST", body={"rules": [rule, activation_race]})
    runs = {}
    for team in ("a", "b"):
        play = tmp_path / f"team_{team}.yml"
        play.write_text(PLAY.format(team=team))
        runs[team] = start(play, simulator, tmp_path / f"team_{team}.jsonl")
    outputs = {team: process.communicate(timeout=300)[0] for team, process in runs.items()}
    simulator.control("faults", method="DELETE")

    results = {
        team: [json.loads(line) for line in (tmp_path / f"team_{team}.jsonl").read_text().splitlines()] for team in runs
    }
    for team, process in runs.items():
        failed = [e for e in results[team] if e["status"] != "ok"]
        for entry in failed:  # allowed only as one clean line
            msg = entry["result"].get("msg", "")
            assert msg and "\n" not in msg.strip() and "Traceback" not in msg, outputs[team][-3000:]
        assert process.returncode == (2 if failed else 0), outputs[team][-3000:]

    state = simulator.control("state")
    hosts = state["hosts"]
    expected = {f"{team}0{n}": {"team": team} for team in ("a", "b") for n in (1, 2, 3)}
    assert {name: hosts[name]["attributes"].get("labels") for name in expected if name in hosts} == expected
    assert hosts["common01"]["attributes"]["labels"] == {"team_a": "yes", "team_b": "yes"}, "an update was lost"
    stale = [r for r in state["requests"] if r["method"] == "PUT" and r["status"] == 412]
    assert stale, "the plays did not race for common01: the test proves nothing"
    raced = [r for r in state["requests"] if "activate-changes" in r["path"] and r["status"] == 412]
    assert raced, "no activation met a change made after its read: the test proves nothing"

    # Each activation the handlers started activated exactly the changes its task had read, no more.
    runs_by_id = {run["id"]: run for run in state["activations"]}
    started = [
        entry["result"]
        for team in runs
        for entry in results[team]
        if entry["status"] == "ok" and (entry["result"].get("activation") or {}).get("id")
    ]
    assert started, "no handler activated anything"
    for result in started:
        read = {change["id"] for change in result["diff"]["before"]["pending_changes"]}
        assert set(runs_by_id[result["activation"]["id"]]["changes"]) == read
    assert all(run["user_id"] == USER and set(run["changes_by"]) == {USER} for run in state["activations"])
    assert state["pending_changes"] == [], "a change of the plays was left unactivated"
