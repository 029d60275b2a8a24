"""The fault suite: every module, under each fault the simulator injects, converges or fails with one clean line;
once the fault is lifted, running the play again converges. Nothing is lost, duplicated or wrongly activated,
and the secret never shows.

The play is tests/integration/faults/converge.yml; each scenario starts from the same configuration, set up
through the API. The summary line is printed at the end of the test session (conftest.py) and written to
tests/output/fault-suite.txt.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    FAULT_SUMMARY,
    REPO,
    SECRET,
    SITE,
    USER,
    Simulator,
    run_playbook,
    start_simulator,
)

PLAY = REPO / "tests" / "integration" / "faults" / "converge.yml"
CALLBACKS = REPO / "tests" / "integration" / "callback_plugins"
COLLEAGUE = "colleague"
RACED = {"tag_networking": "dmz"}  # what the colleague sets on the objects of a race

SCENARIOS: dict[str, dict[str, Any]] = {
    "latency": {"rules": [{"kind": "latency", "seconds": 0.05}]},
    # The play's timeout is 3 s: every 6th request is answered after 4 s (and processed all the same).
    "timeouts": {"rules": [{"kind": "latency", "seconds": 4, "every": 6}]},
    "5xx bursts": {
        "rules": [
            {"kind": "error", "status": 503, "every": 4},
            {"kind": "error", "status": 502, "every": 7},
            {"kind": "error", "status": 500, "every": 9},
        ]
    },
    # The write happened, but a proxy answers 502 instead of the server's answer.
    "lost answers": {"rules": [{"kind": "error", "status": 502, "after": True, "methods": ["POST", "PUT", "DELETE"]}]},
    "dropped connections": {
        "rules": [
            {"kind": "drop", "every": 5},
            {"kind": "drop", "after": True, "methods": ["POST", "PUT", "DELETE"], "every": 3},
        ]
    },
    # A colleague changes the object between the read and the write (stale ETag): the colleague's change stays,
    # and the activation refuses to activate it.
    "412 races": {
        "rules": [
            {"kind": "race", "methods": ["PUT", "POST"], "path": "^/objects/(host|folder)_config/", "every": 2},
        ]
    },
    # Another play of the same automation user records a change between the read and the activation (412).
    "changes during activation": {
        "rules": [{"kind": "race", "path": "activate-changes", "user_id": USER, "attributes": {}, "count": 2}]
    },
    "long activations": {"rules": [{"kind": "activation", "path": "activate-changes", "seconds": 2, "count": 2}]},
    "silent 204": {"switches": {"silent_remote_downtimes": True}},
}
for _scenario in SCENARIOS.values():
    for _rule in _scenario.get("rules", []):
        if _rule["kind"] == "race":
            _rule.setdefault("user_id", COLLEAGUE)
            _rule.setdefault("attributes", RACED)


@dataclass
class Tally:
    faults_injected: int = 0
    tasks_run: int = 0
    failed_cleanly: int = 0  # tasks that failed under a fault, each with one clean line
    objects_lost: int = 0
    objects_duplicated: int = 0
    foreign_changes_activated: int = 0
    secret_leaks: int = 0
    scenarios: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # per scenario: faults injected, the clean failures

    def line(self) -> str:
        return (
            f"fault suite: {len(self.scenarios)} scenarios, faults injected: {self.faults_injected}, "
            f"tasks run: {self.tasks_run} ({self.failed_cleanly} failed with one clean line under a fault, "
            "all converged after it was lifted), "
            f"objects lost: {self.objects_lost}, "
            f"objects duplicated: {self.objects_duplicated}, "
            f"foreign changes activated: {self.foreign_changes_activated}, secret leaks: {self.secret_leaks}"
        )


TALLY = Tally()


class Api:
    """The simulator's REST API, for setting up a scenario the way another tool would."""

    def __init__(self, simulator: Simulator) -> None:
        self.base = f"{simulator.url}/{SITE}/check_mk/api/1.0"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {USER} {SECRET}", "Accept": "application/json"})

    def post(self, path: str, body: dict, **headers: str) -> None:
        answer = self.session.post(self.base + path, json=body, headers=headers, timeout=10)
        assert answer.status_code in (200, 204), answer.text


@pytest.fixture(scope="module")
def fault_simulator(tmp_path_factory: pytest.TempPathFactory):
    sim = start_simulator(
        tmp_path_factory.mktemp("fault-simulator"),
        "--remote-sites",
        "remote1",
        "--agent-service",
        "CPU load=cpu_loads",
        "--activation-seconds",
        "0.2",
        "--discovery-seconds",
        "0.2",
    )
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)


def set_up(sim: Simulator) -> None:
    """The configuration before the play: some objects to update, some to remove, all activated."""
    sim.control("reset", method="POST")
    api = Api(sim)
    folders = {"faults": "~", "web": "~faults", "db": "~faults", "old": "~faults", "gone": "~faults"}
    for name, parent in folders.items():
        api.post(
            "/domain-types/folder_config/collections/all", {"name": name, "title": f"Old {name}", "parent": parent}
        )
    hosts = {
        "web01": ("~faults~web", {"ipaddress": "192.0.2.99"}),
        **{f"db0{n}": ("~faults~db", {"site": "remote1", "labels": {"role": "old"}}) for n in (1, 2, 3)},
        **{name: ("~faults~old", {}) for name in ("old01", "keep01", "gone01", "gone02")},
    }
    for name, (folder, attributes) in hosts.items():
        body = {"host_name": name, "folder": folder, "attributes": attributes}
        api.post("/domain-types/host_config/collections/all", body)
    activate = {"redirect": False, "sites": [], "force_foreign_changes": True}
    api.post("/domain-types/activation_run/actions/activate-changes/invoke", activate, **{"If-Match": "*"})
    wait_for_activations(sim)
    now = datetime.now(UTC)
    downtime = {
        "downtime_type": "host",
        "host_name": "keep01",
        "comment": "old window",
        "start_time": now.isoformat(),
        "end_time": (now + timedelta(hours=1)).isoformat(),
    }
    api.post("/domain-types/downtime/collections/host", downtime)
    sim.control("request_counts", method="DELETE")


def wait_for_activations(sim: Simulator) -> None:
    deadline = time.monotonic() + 20
    while any(run["is_running"] for run in sim.control("state")["activations"]):
        assert time.monotonic() < deadline, "an activation did not finish"
        time.sleep(0.1)


def lift(sim: Simulator) -> int:
    """Lift every fault; the colleague activates the changes they made. Returns the faults injected."""
    injected = sim.control("faults", method="DELETE")["injected"]
    wait_for_activations(sim)
    if any(change["user_id"] == COLLEAGUE for change in sim.control("state")["pending_changes"]):
        sim.control("activations", method="POST", body={"user_id": COLLEAGUE, "seconds": 0.1})
        wait_for_activations(sim)
    return injected


def play(sim: Simulator, tmp: Path, name: str) -> tuple[list[dict], str]:
    """Run the play; its task results (from the record_results callback) and its output."""
    results_file = tmp / f"{name}.jsonl"
    env = {
        **sim.env,
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "RECORD_RESULTS_FILE": str(results_file),
    }
    run = run_playbook(PLAY, env, "-vvv")
    assert run.rc == 0, run.output[-3000:]
    text = results_file.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()], run.output + text


def unclean(entry: dict) -> list[str]:
    """Why a failed task's result is not one clean line (empty if it is, or if the task did not fail)."""
    if entry["status"] == "ok":
        return []
    loop = entry["result"].get("results")
    problems = []
    for item in loop or [entry["result"]]:
        if loop and not item.get("failed"):
            continue
        msg = item.get("msg")
        if not isinstance(msg, str) or not msg or "\n" in msg.strip() or "Traceback" in msg:
            problems.append(f"{entry['task']}: not one line: {msg!r}")
        elif "module_stderr" in item or "MODULE FAILURE" in msg or "Traceback" in str(item.get("exception", "")):
            problems.append(f"{entry['task']}: crashed: {msg}")
    return problems


def failure_message(entry: dict) -> str:
    failed = [item for item in entry["result"].get("results") or [] if item.get("failed")]
    return "; ".join(str(item.get("msg")) for item in failed) if failed else str(entry["result"].get("msg"))


def check_state(state: dict, race_targets: list[str]) -> tuple[list[str], int, int, int]:
    """(what did not converge, objects lost, objects duplicated, foreign changes activated by this user)."""
    wrong: list[str] = []
    folders, hosts = state["folders"], state["hosts"]
    web = folders.get("~faults~web")
    if web is None:
        wrong.append("folder /faults/web is missing")
    elif web["title"] != "Web servers" or web["attributes"].get("tag_criticality") != "prod":
        wrong.append(f"folder /faults/web is {web['title']!r} {web['attributes']}")
    if "~faults~gone" in folders:
        wrong.append("folder /faults/gone is still there")
    expected_hosts = {
        f"web0{n}": ("~faults~web", {"ipaddress": f"192.0.2.{10 + n}", "labels": {"role": "web"}}) for n in (1, 2, 3)
    }
    expected_hosts.update(
        {f"db{n:02d}": ("~faults~db", {"site": "remote1", "labels": {"role": "db"}}) for n in range(1, 13)}
    )
    expected_hosts["keep01"] = ("~faults~old", {})
    lost = 0
    for name, (folder, attributes) in expected_hosts.items():
        host = hosts.get(name)
        if host is None:
            lost += 1
            wrong.append(f"host {name} is missing")
        elif host["folder"] != folder or any(host["attributes"].get(k) != v for k, v in attributes.items()):
            wrong.append(f"host {name} is in {host['folder']} with {host['attributes']}")
    for name in ("old01", "gone01", "gone02"):
        if name in hosts:
            wrong.append(f"host {name} is still there")
    for target in race_targets:  # the colleague's change must survive the task's write
        kind, ident = target.split(" ", 1)
        found = (folders if kind == "folder" else hosts).get(ident)
        if found is not None and any(found["attributes"].get(k) != v for k, v in RACED.items()):
            lost += 1
            wrong.append(f"the colleague's change of {target} was lost: {found['attributes']}")
    downtimes = Counter(
        (site, d["host_name"], d.get("service_description"), d["comment"])
        for site, entries in state["downtimes"].items()
        for d in entries
    )
    duplicated = sum(n - 1 for n in downtimes.values() if n > 1)
    for wanted in (
        ("cmk", "web01", None, "fault suite window"),
        ("remote1", "db01", None, "fault suite remote window"),
    ):
        if downtimes[wanted] == 0:
            lost += 1
            wrong.append(f"downtime {wanted} is missing")
    if any(key[1] == "keep01" for key in downtimes):
        wrong.append("the downtime of keep01 is still there")
    titles = Counter((slug.rsplit("~", 1)[0], folder["title"]) for slug, folder in folders.items() if slug != "~")
    duplicated += sum(n - 1 for n in titles.values() if n > 1)
    for name in ("web01", "web02"):
        services = [s["service_name"] for s in state["discovery"].get(name, {}).get("services", [])]
        if "CPU load" not in services:
            wrong.append(f"host {name} has no discovered CPU load: {services}")
    mine = [c for c in state["pending_changes"] if c["user_id"] == USER]
    if mine:
        wrong.append(f"{len(mine)} change(s) of {USER} are still pending")
    foreign = sum(
        n
        for run in state["activations"]
        if run["user_id"] == USER
        for user, n in run["changes_by"].items()
        if user not in (USER, "")
    )
    return wrong, lost, duplicated, foreign


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_fault(fault_simulator: Simulator, tmp_path: Path, scenario: str) -> None:
    sim, fault = fault_simulator, SCENARIOS[scenario]
    set_up(sim)
    if fault.get("switches"):
        sim.control("faults", method="POST", body=fault["switches"])
    if fault.get("rules"):
        sim.control("faults/rules", method="POST", body={"rules": fault["rules"]})

    under_fault, output = play(sim, tmp_path, "under-fault")
    race_targets = [t for rule in sim.control("faults/rules")["rules"] for t in rule.get("targets", [])]
    injected = lift(sim)
    again, output_again = play(sim, tmp_path, "after-lift")
    state = sim.control("state")

    wrong, lost, duplicated, foreign = check_state(state, race_targets)
    leaks = (output + output_again).count(SECRET)
    TALLY.scenarios.append(scenario)
    TALLY.faults_injected += injected
    TALLY.tasks_run += len(under_fault) + len(again)
    clean_failures = [entry for entry in under_fault if entry["status"] != "ok" and not unclean(entry)]
    TALLY.failed_cleanly += len(clean_failures)
    TALLY.details.append(f"{scenario}: {injected} faults injected, {len(clean_failures)} tasks failed cleanly")
    TALLY.details.extend(f"  {entry['task']}: {failure_message(entry)}" for entry in clean_failures)
    TALLY.objects_lost += lost
    TALLY.objects_duplicated += duplicated
    TALLY.foreign_changes_activated += foreign
    TALLY.secret_leaks += leaks

    assert injected > 0, f"{scenario}: no fault was injected, the scenario tests nothing"
    assert not [p for entry in under_fault for p in unclean(entry)], "under the fault"
    assert [e["task"] for e in again if e["status"] != "ok"] == [], f"{scenario}: the run after the lift failed"
    assert (wrong, lost, duplicated, foreign, leaks) == ([], 0, 0, 0, 0)


def test_summary() -> None:
    """Runs after the scenarios (file order): writes the summary line that conftest.py prints."""
    assert TALLY.scenarios, "no scenario ran"
    FAULT_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    FAULT_SUMMARY.write_text("\n".join([TALLY.line(), *TALLY.details]) + "\n", encoding="utf-8")
    assert (TALLY.objects_lost, TALLY.objects_duplicated, TALLY.foreign_changes_activated, TALLY.secret_leaks) == (
        0,
        0,
        0,
        0,
    ), TALLY.line()
