"""The fault suite: every module, under each fault the simulator injects, either converges or fails with one clean
line; once the fault is lifted, running the play again converges. Nothing is lost, duplicated or wrongly activated,
and the secret never shows.

Every task is judged by what it left on the server: the record_results callback reads the simulator's state right
after each task, and a task that reports ok or changed must have converged by then (the object as declared, the
downtime present on its site, exactly the changes it read activated). Each scenario names the tasks that may fail
under it and why; any other failure fails the suite.

The play is tests/integration/faults/converge.yml; each scenario starts from the same configuration, set up
through the API. The summary line is printed at the end of the test session (conftest.py) and written to
tests/output/fault-suite.txt. The machinery (play runner, judging, tally) is shared with the Opsview suite,
test_faults_opsview.py, through faults_common.py.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from ansible_collections.lighthouse.monitoring.tests.integration import faults_common
from ansible_collections.lighthouse.monitoring.tests.integration.faults_common import (
    SUMMARIES,
    Check,
    Run,
    Tally,
    false_successes,
    holds,
    judge,
)
from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    REPO,
    SECRET,
    SITE,
    USER,
    Simulator,
    start_simulator,
)

PLAY = REPO / "tests" / "integration" / "faults" / "converge.yml"
COLLEAGUE = "colleague"

# --- What the play declares (converge.yml), as the simulator's state shows it ----------------------------------

FOLDERS = {
    "~faults~web": {"title": "Web servers", "attributes": {"tag_criticality": "prod", "labels": {"purpose": "web"}}},
    "~faults~app": {"title": "Applications", "attributes": {}},
}
HOSTS = {
    **{f"web0{n}": ("~faults~web", {"ipaddress": f"192.0.2.{10 + n}", "labels": {"role": "web"}}) for n in (1, 2, 3)},
    **{f"db{n:02d}": ("~faults~db", {"site": "remote1", "labels": {"role": "db"}}) for n in range(1, 13)},
}
GONE_HOSTS = ("old01", "gone01", "gone02")
KEPT_HOSTS = ("keep01",)
NODE_WINDOW = "fault suite node window"
NODE = {"web01": "cmk", "web02": "cmk", "keep01": "cmk", "db01": "remote1", "db02": "remote1", "db03": "remote1"}
DOWNTIMES = {
    ("cmk", "web01", "fault suite window"),
    ("remote1", "db01", "fault suite remote window"),
    *((site, host, NODE_WINDOW) for host, site in NODE.items()),
}
GONE_DOWNTIME = ("keep01", "old window")
# The node's previous window, set up on some of its hosts (on both sites), which the play removes for all of them.
OLD_NODE_WINDOW = "old node window"
OLD_NODE = ("web01", "web02", "db01", "db02")  # not keep01: the race takes over its downtimes
DISCOVERED = {"web01": "CPU load", "web02": "CPU load"}

# What a colleague does in a race: change what the play also writes (a declared label, the folder's title) and
# something it does not (another label, a tag). Both the play's values and the colleague's other keys must survive.
RACE_HOST = {"labels": {"role": "colleague", "owner": "bob"}, "tag_networking": "dmz"}
RACE_FOLDER = {"labels": {"purpose": "colleague", "owner": "bob"}, "tag_networking": "dmz"}
RACE_SURVIVES = {"labels": {"owner": "bob"}, "tag_networking": "dmz"}
# And the colleague takes over the downtime the play is about to remove: given another comment, it is no longer
# the play's, and must stay.
RACE_DOWNTIME = "The colleague's window"

# Why a task may fail under a fault. A scenario allows failures by what they say ("task: message", a regular
# expression searched in it) and says why the fault leaves no way to succeed; it also bounds how many tasks may fail.
FOREIGN = {
    r"^Activate the .*: Not activating: \d+ pending change\(s\) of other users: colleague": "the colleague's "
    "changes are pending: activation refuses them without force_foreign_changes"
}
SLOW = {
    r"did not finish within 3 seconds": "every 6th request is answered after 4 s: an activation or a discovery "
    "waits longer than the play's 3-second timeout, which bounds the whole wait"
}
SERVER_ERROR = {
    r": 500 Internal Server Error - Injected": "a 500 is a server error, not a passing state: not retried, and "
    "the task fails (502, 503 and 504 are retried)"
}


def race(method: str, path: str, **change: Any) -> dict[str, Any]:
    """The colleague's change, made once, right before the first request of ``method`` to ``path``."""
    return {"kind": "race", "methods": [method], "path": path, "count": 1, **change}


@dataclass(frozen=True)
class Scenario(faults_common.Scenario):
    force_after_lift: bool = False  # the run after the lift activates the colleague's changes too, knowingly
    races: bool = False  # the rules race the play's writes: each raced object must have met a 412


SCENARIOS: dict[str, Scenario] = {
    "latency": Scenario([{"kind": "latency", "seconds": 0.05}]),
    # The play's timeout is 3 s: every 6th request is answered after 4 s (and processed all the same).
    "timeouts": Scenario([{"kind": "latency", "seconds": 4, "every": 6}], may_fail=SLOW, most=3),
    "5xx bursts": Scenario(
        [
            {"kind": "error", "status": 503, "every": 4},
            {"kind": "error", "status": 502, "every": 7},
            {"kind": "error", "status": 500, "every": 9},
        ],
        may_fail=SERVER_ERROR,
        most_as_injected_by=2,  # each 500 may fail the task that meets it
    ),
    # The write happened, but a proxy answers 502 instead of the server's answer.
    "lost answers": Scenario([{"kind": "error", "status": 502, "after": True, "methods": ["POST", "PUT", "DELETE"]}]),
    "dropped connections": Scenario(
        [
            {"kind": "drop", "every": 5},
            {"kind": "drop", "after": True, "methods": ["POST", "PUT", "DELETE"], "every": 3},
        ]
    ),
    # A colleague changes the objects between the play's read and its write (stale ETag): a declared label and the
    # folder's title too. The play's write meets 412, reads again and writes again; the colleague's changes stay
    # pending, and the activation refuses them. The colleague also takes over the downtime the play removes.
    "412 races": Scenario(
        [
            race("PUT", "^/objects/folder_config/~faults~web$", attributes=RACE_FOLDER, title="The colleague's title"),
            race("PUT", "^/objects/host_config/web01$", attributes=RACE_HOST),
            race("POST", "^/objects/host_config/web02/actions/move/", attributes=RACE_HOST),
            race("POST", "^/domain-types/downtime/actions/delete/", host_name="keep01", comment=RACE_DOWNTIME),
        ],
        may_fail=FOREIGN,
        most=2,
        force_after_lift=True,
        races=True,
    ),
    # Another play of the same automation user records a change between the read and the activation (412): the
    # activation must read again and activate exactly what it read.
    "changes during activation": Scenario(
        [{"kind": "race", "path": "activate-changes", "user_id": USER, "attributes": {}, "count": 2}]
    ),
    "long activations": Scenario([{"kind": "activation", "path": "activate-changes", "seconds": 2, "count": 2}]),
    "silent 204": Scenario(switches={"silent_remote_downtimes": True}),
}
for _scenario in SCENARIOS.values():
    for _rule in _scenario.rules:
        if _rule["kind"] == "race":
            _rule.setdefault("user_id", COLLEAGUE)


TALLY = Tally("fault suite", ("objects lost", "objects duplicated", "foreign changes activated", "secret leaks"))


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
        "web02": ("~faults~old", {"labels": {"role": "old"}}),  # to be updated and moved
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
    for host in OLD_NODE:
        api.post("/domain-types/downtime/collections/host", {**downtime, "host_name": host, "comment": OLD_NODE_WINDOW})
    sim.control("request_counts", method="DELETE")


def wait_for_activations(sim: Simulator) -> None:
    deadline = time.monotonic() + 20
    while any(run["is_running"] for run in sim.control("state")["activations"]):
        assert time.monotonic() < deadline, "an activation did not finish"
        time.sleep(0.1)


def lift(sim: Simulator) -> int:
    """Lift every fault and let running activations end; returns the faults injected. The colleague's changes stay
    pending: activating them is the play's decision (``force_after_lift``), not the harness's."""
    injected = sim.control("faults", method="DELETE")["injected"]
    wait_for_activations(sim)
    return injected


def play(sim: Simulator, tmp: Path, name: str, *extra: str) -> Run:
    return faults_common.play(sim, PLAY, tmp, name, *extra)


# --- Judging ------------------------------------------------------------------------------------------------------


def folder_problems(state: dict, slug: str) -> list[str]:
    found, wanted = state["folders"].get(slug), FOLDERS[slug]
    if found is None:
        return [f"folder {slug} is missing"]
    if found["title"] != wanted["title"] or not holds(found["attributes"], wanted["attributes"]):
        return [f"folder {slug} is {found['title']!r} {found['attributes']}"]
    return []


def host_problems(state: dict, name: str) -> list[str]:
    folder, attributes = HOSTS[name]
    host = state["hosts"].get(name)
    if host is None:
        return [f"host {name} is missing"]
    if host["folder"] != folder or not holds(host["attributes"], attributes):
        return [f"host {name} is in {host['folder']} with {host['attributes']}"]
    return []


def downtime_keys(state: dict) -> Counter:
    return Counter(
        (site, d["host_name"], d.get("service_description"), d["comment"])
        for site, entries in state["downtimes"].items()
        for d in entries
    )


def gone_downtime_left(state: dict) -> bool:
    return any((host, comment) == GONE_DOWNTIME for _site, host, _service, comment in downtime_keys(state))


def started(before: dict, after: dict, key: str) -> list[dict]:
    """Activation runs (``activations``) or discovery jobs (``discovery_history``) started between two states."""
    if key == "activations":
        known = {run["id"] for run in before["activations"]}
        return [run for run in after["activations"] if run["id"] not in known]
    return after[key][len(before[key]) :]


def activation_problems(entry: dict, before: dict, after: dict) -> list[str]:
    """Nothing of the user's left pending, and every run the task started activated exactly what it read."""
    problems = []
    pending = [c["id"] for c in after["pending_changes"] if c["user_id"] == USER]
    if pending:
        problems.append(f"{len(pending)} change(s) of {USER} still pending")
    result = entry["result"]
    runs = [run for run in started(before, after, "activations") if run["user_id"] == USER]
    read = {c["id"] for c in result.get("diff", {}).get("before", {}).get("pending_changes", [])}
    activated = {change for run in runs for change in run["changes"]}
    if runs and activated != read:
        problems.append(f"activated {sorted(activated)} but read {sorted(read)}")
    reported = (result.get("activation") or {}).get("id")
    if reported and reported not in {run["id"] for run in runs}:
        problems.append(f"reports activation {reported}, which it did not start")
    return problems


def discovery_problems(after: dict) -> list[str]:
    problems = []
    for host, service in DISCOVERED.items():
        services = [s["service_name"] for s in after["discovery"].get(host, {}).get("services", [])]
        if service not in services:
            problems.append(f"host {host} has no discovered {service}: {services}")
    return problems


def downtime_problems(after: dict, wanted: tuple[str, str, str]) -> list[str]:
    site, host, comment = wanted
    return [] if downtime_keys(after)[(site, host, None, comment)] else [f"no downtime {comment!r} of {host} on {site}"]


def folder_as_declared(slug: str) -> Check:
    return lambda entry, before, after: folder_problems(after, slug)


def looped_hosts_as_declared(entry: dict, before: dict, after: dict) -> list[str]:
    """Each host of a loop that did not fail."""
    items = [item["item"] for item in entry["result"]["results"] if not item.get("failed")]
    return [problem for name in items for problem in host_problems(after, name)]


def hosts_as_declared(prefix: str) -> Check:
    return lambda entry, before, after: [
        p for name in HOSTS if name.startswith(prefix) for p in host_problems(after, name)
    ]


def hosts_gone(*names: str) -> Check:
    return lambda entry, before, after: [f"host {name} is still there" for name in names if name in after["hosts"]]


def folder_gone(slug: str) -> Check:
    return lambda entry, before, after: [f"folder {slug} is still there"] if slug in after["folders"] else []


def downtime_set(site: str, host: str, comment: str) -> Check:
    return lambda entry, before, after: downtime_problems(after, (site, host, comment))


def downtime_gone(entry: dict, before: dict, after: dict) -> list[str]:
    return ["the downtime of keep01 is still there"] if gone_downtime_left(after) else []


def node_window_set(entry: dict, before: dict, after: dict) -> list[str]:
    return [p for host, site in NODE.items() for p in downtime_problems(after, (site, host, NODE_WINDOW))]


def old_node_window_left(state: dict) -> list[str]:
    return [
        f"{host}'s {comment!r} on {site}"
        for site, host, _s, comment in downtime_keys(state)
        if comment == OLD_NODE_WINDOW
    ]


def old_node_window_gone(entry: dict, before: dict, after: dict) -> list[str]:
    return [f"the downtime {left} is still there" for left in old_node_window_left(after)]


CONVERGED: dict[str, Check] = {
    "Folder for the web servers (updated)": folder_as_declared("~faults~web"),
    "A new folder for applications": folder_as_declared("~faults~app"),
    "Web servers, one by one (web01 updated, web02 updated and moved, web03 created)": looped_hosts_as_declared,
    "Database servers of the remote site, in bulk (db01 to db03 updated, the others created)": hosts_as_declared("db"),
    "A host that is gone": hosts_gone("old01"),
    "Hosts that are gone, in bulk": hosts_gone("gone01", "gone02"),
    "A folder that is gone": folder_gone("~faults~gone"),
    "Activate the configuration": activation_problems,
    "Discover the web servers' services": lambda entry, before, after: discovery_problems(after),
    "Activate the discovered services": activation_problems,
    "Downtime for a host of the central site": downtime_set("cmk", "web01", "fault suite window"),
    "Downtime for a host of the remote site, with its API as the fallback": downtime_set(
        "remote1", "db01", "fault suite remote window"
    ),
    "A downtime that is over": downtime_gone,
    "A node's VMs into maintenance, in one task, with the remote site's API as the fallback": node_window_set,
    "The node's previous window is over, for all its VMs": old_node_window_gone,
}


def duplicates(run: Run) -> list[str]:
    """Anything there twice: downtimes, folders (by title in one parent), hosts the play does not know, discovery
    jobs started for a host twice in one task, activations started twice by one task."""
    found = []
    known_hosts = set(HOSTS) | set(GONE_HOSTS) | set(KEPT_HOSTS)
    for entry, before, after in run.windows():
        jobs = Counter(host for job in started(before, after, "discovery_history") for host in job["hosts"])
        found.extend(f"{entry['task']}: {n} discovery jobs for host {host}" for host, n in jobs.items() if n > 1)
        runs = [r for r in started(before, after, "activations") if r["user_id"] == USER]
        if len(runs) > 1:
            found.append(f"{entry['task']}: {len(runs)} activations started")
    state = run.end
    found.extend(f"downtime {key} is there {n} times" for key, n in downtime_keys(state).items() if n > 1)
    titles = Counter((slug.rsplit("~", 1)[0], f["title"]) for slug, f in state["folders"].items() if slug != "~")
    found.extend(f"{n} folders titled {title!r} in {parent}" for (parent, title), n in titles.items() if n > 1)
    found.extend(f"host {name} is not one of the play's" for name in state["hosts"] if name not in known_hosts)
    return found


def foreign_activations(run: Run) -> int:
    """Changes of other users activated by runs of the automation user whose task did not allow it."""
    count = 0
    for entry, before, after in run.windows():
        allowed = (entry["result"].get("invocation") or {}).get("module_args", {}).get("force_foreign_changes")
        for started_run in started(before, after, "activations"):
            if started_run["user_id"] == USER and not allowed:
                count += sum(n for user, n in started_run["changes_by"].items() if user not in (USER, ""))
    return count


def converged_in_the_end(state: dict) -> tuple[list[str], int]:
    """After the lift: (what is not as declared, objects lost)."""
    wrong = [p for slug in FOLDERS for p in folder_problems(state, slug)]
    if "~faults~gone" in state["folders"]:
        wrong.append("folder ~faults~gone is still there")
    lost = sum(1 for name in (*HOSTS, *KEPT_HOSTS) if name not in state["hosts"])
    wrong.extend(p for name in HOSTS for p in host_problems(state, name))
    wrong.extend(f"host {name} is still there" for name in GONE_HOSTS if name in state["hosts"])
    missing = [key for key in DOWNTIMES if not downtime_keys(state)[(key[0], key[1], None, key[2])]]
    lost += len(missing)
    wrong.extend(f"downtime {key} is missing" for key in missing)
    if gone_downtime_left(state):
        wrong.append("the downtime of keep01 is still there")
    wrong.extend(f"the downtime {left} is still there" for left in old_node_window_left(state))
    wrong.extend(discovery_problems(state))
    mine = [c for c in state["pending_changes"] if c["user_id"] == USER]
    if mine:
        wrong.append(f"{len(mine)} change(s) of {USER} are still pending")
    return wrong, lost


def race_problems(state: dict, targets: list[str]) -> tuple[list[str], int]:
    """Each raced host and folder met a 412, and both the colleague's other keys and the play's values survived; a
    downtime the colleague took over is still there."""
    wrong, lost = [], 0
    if not targets:
        wrong.append("no race happened: the scenario tests nothing")
    for target in targets:
        kind, ident = target.split(" ", 1)
        if kind == "downtime":
            site, number = ident.split()
            kept = [d for d in state["downtimes"][site] if str(d["id"]) == number and d["comment"] == RACE_DOWNTIME]
            if not kept:
                lost += 1
                wrong.append(f"the downtime the colleague took over ({target}) was removed")
            continue
        path = f"/objects/{kind}_config/{ident}"
        if not any(
            r["status"] == 412 and re.search(re.escape(path) + r"(/|\?|$)", r["path"]) for r in state["requests"]
        ):
            wrong.append(f"the write to {target} never met a 412: the race proves nothing")
        found = (state["folders"] if kind == "folder" else state["hosts"]).get(ident)
        if found is not None and not holds(found["attributes"], RACE_SURVIVES):
            lost += 1
            wrong.append(f"the colleague's change of {target} was lost: {found['attributes']}")
    return wrong, lost


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_fault(fault_simulator: Simulator, tmp_path: Path, scenario: str) -> None:
    sim, fault = fault_simulator, SCENARIOS[scenario]
    set_up(sim)
    if fault.switches:
        sim.control("faults", method="POST", body=fault.switches)
    if fault.rules:
        sim.control("faults/rules", method="POST", body={"rules": fault.rules})

    under_fault = play(sim, tmp_path, "under-fault")
    rules = sim.control("faults/rules")["rules"]
    race_targets = [t for rule in rules for t in rule.get("targets", [])]
    most = fault.most if fault.most_as_injected_by is None else rules[fault.most_as_injected_by]["injected"]
    injected = lift(sim)
    extra = ("-e", "fault_force_foreign_changes=true") if fault.force_after_lift else ()
    again = play(sim, tmp_path, "after-lift", *extra)
    state = again.end

    wrong, lost = converged_in_the_end(state)
    if fault.races:
        race_wrong, race_lost = race_problems(under_fault.end, race_targets)
        wrong, lost = wrong + race_wrong, lost + race_lost
    false = false_successes(under_fault, CONVERGED) + false_successes(again, CONVERGED)
    doubles = duplicates(under_fault) + duplicates(again)
    foreign = foreign_activations(under_fault) + foreign_activations(again)
    leaks = (under_fault.output + again.output).count(SECRET)
    counts = {
        "objects lost": lost,
        "objects duplicated": len(doubles),
        "foreign changes activated": foreign,
        "secret leaks": leaks,
    }
    judge(
        TALLY,
        scenario,
        fault,
        under_fault=under_fault,
        again=again,
        injected=injected,
        most=most,
        false=false,
        doubles=doubles,
        counts=counts,
        wrong=wrong,
    )


def test_summary() -> None:
    """Runs after the scenarios (file order): writes the summary line that conftest.py prints."""
    TALLY.write(SUMMARIES["checkmk"])
