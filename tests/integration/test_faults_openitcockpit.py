"""The openITCOCKPIT fault suite: every openitcockpit_* module, and the export through the handler of
lighthouse.monitoring.openitcockpit_changes, under each fault the simulator injects, either converges or fails with
one clean line; once the fault is lifted, running the play again converges, and a task that converged under the fault
changes nothing then. Nothing is lost or duplicated (openITCOCKPIT accepts duplicate host names, containers and
downtimes, so a write whose answer was lost must be followed by a re-read, never sent again blindly), no export is
started twice, no change (ours or another user's) is left unexported by an export that reports success, and the API
key never shows.

Every task is judged by what it left on the server, as in the Checkmk and Opsview suites (faults_common.py): the
record_results callback reads the simulator's state right after each task, and a task that reports ok or changed
must have converged by then (the container there or gone, the host as declared and the only one of its name, the
downtime listed once or gone, the configuration exported: nothing of ours pending per the changelog). Each scenario
names the failures it allows.

The play is tests/integration/faults/openitcockpit.yml; each scenario starts from the same configuration, set up
through the API, on a simulator of its own: the scenarios run side by side, and each test then judges one of them.
The summary line is printed at the end of the test session (conftest.py) and written to
tests/output/fault-suite-openitcockpit.txt.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from ansible_collections.lighthouse.monitoring.tests.integration import faults_common
from ansible_collections.lighthouse.monitoring.tests.integration.faults_common import (
    SUMMARIES,
    Check,
    Run,
    Tally,
    false_successes,
    judge,
)
from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OITC_API_KEY,
    OPENITCOCKPIT,
    REPO,
    Simulator,
    start_simulator,
)

PLAY = REPO / "tests" / "integration" / "faults" / "openitcockpit.yml"
SUMMARY = SUMMARIES["openitcockpit"]
# The simulator's timings (seconds): a downtime command is carried out after DOWNTIME_DELAY, an export runs
# EXPORT_SECONDS (its first tenth waiting for the worker to pick it up).
DOWNTIME_DELAY, EXPORT_SECONDS = "0.3", "0.5"
# Scenarios run side by side, each with its own simulator.
WORKERS = min(4, 2 * (os.cpu_count() or 1))
API_USER = 1  # the user of the API key (John Doe); other users are colleagues

# --- What the play declares (openitcockpit.yml), as the simulator's state shows it --------------------------------

TOP = "/root/Faults"
NEW_CONTAINERS = (f"{TOP}/Branch", f"{TOP}/Branch/Office")
GONE_CONTAINER = f"{TOP}/Old"
KEPT_CONTAINERS = (TOP, f"{TOP}/Web")
WEB = {"web01": "192.0.2.11", "web02": "192.0.2.12"}  # name -> address
WEB_CONTAINER, TEMPLATE, SATELLITE = f"{TOP}/Web", "Linux server", "branch-satellite"
WEB_GROUPS = {"web-servers", "branch-hosts"}
GONE_HOSTS = ("old01",)
DOWNTIME_HOSTS = ("db01", "db02", "keep01")
KEPT_HOSTS = (*DOWNTIME_HOSTS, "default host")
WINDOW, SERVICE_WINDOW, GONE_WINDOW = "fault suite window", "fault suite service window", "old window"
WINDOW_HOSTS = ("db01", "keep01")  # with all their services
SERVICE_DOWNTIME = ("db02", "CPU load")
GONE_DOWNTIME_HOST = "keep01"

FAILS_SLOWLY = {
    r"did not answer within 2 seconds": "a request answered after 2.5 s, beyond the play's 2-second timeout, that "
    "meets the delay again when it is sent again (or is a write, never sent again blindly) fails its task"
}
SERVER_ERRORS = {
    r": 50[0234] (An Internal Error Has Occurred\.|Bad Gateway|Service Unavailable|Gateway Timeout)": "a write is "
    "never sent again blindly: after a 5xx it is read again and sent again, three times at most, and its task fails "
    "when every attempt meets an error"
}
SERVER_ERROR = {
    r": 500 An Internal Error Has Occurred\.": "a 500 is a server error, not a passing state: a read meeting it is "
    "not sent again by the transport, and its task may fail (writes are followed by a re-read)"
}
STUCK = {
    r"^Refresh the openITCOCKPIT monitoring configuration: The export did not finish within 3 seconds": "the export "
    "never finishes: the handler fails after its wait_timeout, in one line"
}
EXPORT_FAILED = {
    r"^Refresh the openITCOCKPIT monitoring configuration: The export failed \(Verifying new configuration": "the "
    "export fails its verification: the handler fails with the export's failed task"
}


@dataclass(frozen=True)
class Scenario(faults_common.Scenario):
    export_outcome: str = ""  # how the server's exports end under the fault (stuck, failure), if not success
    wait_timeout: float | None = None  # the handler's wait_timeout under the fault (default 20)
    simulator_args: tuple[str, ...] = ()  # more options for the scenario's simulator


# Writes are POSTs, all of them (openITCOCKPIT's API has no PUT or DELETE): none is ever sent again by the
# transport. An export's launch is left out of the rules whose answers are lost after the request was processed:
# that case is a scenario of its own ("lost export answer", a known bug).
WRITES = "^/(containers|tenants|locations|hosts|systemdowntimes|downtimes)/"
SCENARIOS: dict[str, Scenario] = {
    "latency": Scenario([{"kind": "latency", "seconds": 0.05}]),
    # The play's timeout is 2 s: every 7th request is answered after 2.5 s (once it was processed).
    "timeouts": Scenario(
        [{"kind": "latency", "seconds": 2.5, "after": True, "every": 7, "count": 6}], may_fail=FAILS_SLOWLY, most=2
    ),
    # A proxy answers 502, 503 or 504 instead of passing writes on, and the server answers some with a 500: a write
    # is read again and sent again (it did not arrive), a task whose write meets three of them in a row fails.
    "5xx bursts on writes": Scenario(
        [
            {"kind": "error", "status": 503, "methods": ["POST"], "every": 4},
            {"kind": "error", "status": 502, "methods": ["POST"], "every": 7},
            {"kind": "error", "status": 504, "methods": ["POST"], "every": 10},
            {"kind": "error", "status": 500, "methods": ["POST"], "every": 5},
        ],
        may_fail=SERVER_ERRORS,
        most=3,
    ),
    # Reads meet the same: 502, 503 and 504 are sent again by the transport, a 500 is not (its task may fail).
    "5xx bursts on reads": Scenario(
        [
            {"kind": "error", "status": 503, "methods": ["GET"], "every": 4},
            {"kind": "error", "status": 502, "methods": ["GET"], "every": 7},
            {"kind": "error", "status": 504, "methods": ["GET"], "every": 11},
            {"kind": "error", "status": 500, "methods": ["GET"], "every": 13},
        ],
        may_fail=SERVER_ERROR,
        most_as_injected_by=3,  # each 500 may fail the task that meets it
    ),
    # Every write is processed, and a proxy answers 502 instead of the server's answer: containers, hosts, downtime
    # commands (each one is re-read, never sent again blindly).
    "lost answers": Scenario([{"kind": "error", "status": 502, "after": True, "methods": ["POST"], "path": WRITES}]),
    # Connections closed without an answer: every 5th read (sent again by the transport), every 3rd write before it
    # arrives (read again, then sent again), every 4th write once it was processed (read again: there it is).
    "dropped connections": Scenario(
        [
            {"kind": "drop", "methods": ["GET"], "every": 5},
            {"kind": "drop", "methods": ["POST"], "every": 3},
            {"kind": "drop", "after": True, "methods": ["POST"], "path": WRITES, "every": 4},
        ]
    ),
    # Every downtime command is carried out and its answer lost, but for the service downtime's first, which is
    # dropped before it arrives: it is sent again once the listing has not shown it for verify_timeout.
    "lost downtime commands": Scenario(
        [
            {"kind": "drop", "methods": ["POST"], "path": "^/systemdowntimes/addServicedowntime", "count": 1},
            {
                "kind": "error",
                "status": 502,
                "after": True,
                "methods": ["POST"],
                "path": "^/(systemdowntimes/addHostdowntime|downtimes/delete/)",
            },
        ]
    ),
    # Another user's export starts right before the play's launch (which meets 500 "already running" and must wait
    # for it, then find the configuration exported), and one while the hosts are written (their changes stay
    # pending: that export read the configuration before them).
    "another user's export": Scenario(
        [
            {"kind": "export", "methods": ["POST"], "path": "^/exports/launchExport", "count": 1, "seconds": 1},
            {"kind": "export", "methods": ["POST"], "path": r"^/hosts/edit/\d+\.json$", "count": 1, "seconds": 0.5},
        ]
    ),
    # Another user changes a host right before the play updates it, the configuration right before the play's
    # export starts (both must be exported with the play's changes), and again while the export runs: that change
    # stays pending, and only that one, until the run after the lift exports it.
    "another user's change": Scenario(
        [
            {"kind": "change", "methods": ["POST"], "path": r"^/hosts/edit/\d+\.json$", "count": 1},
            {"kind": "change", "methods": ["POST"], "path": "^/exports/launchExport", "count": 1},
            {"kind": "change", "methods": ["GET"], "path": "^/exports/broadcast", "every": 2, "count": 1},
        ]
    ),
    # The play's export never finishes: the handler fails after its wait_timeout (3 s); once lifted, the export goes
    # on and succeeds.
    "stuck export": Scenario(export_outcome="stuck", wait_timeout=3, may_fail=STUCK, most=1),
    # The play's export fails its verification; the run after the lift exports the changes left pending.
    "failed export": Scenario(export_outcome="failure", may_fail=EXPORT_FAILED, most=1),
    # Writes that the server processes only after the client gave up (4 s, beyond the play's 2-second timeout): the
    # module watches for the write to land (for twice its timeout) before it would write again.
    "slow writes": Scenario(
        [
            {"kind": "latency", "seconds": 4, "methods": ["POST"], "path": "^/containers/add", "count": 1},
            {"kind": "latency", "seconds": 4, "methods": ["POST"], "path": "^/hosts/add", "count": 1},
        ],
        may_fail=FAILS_SLOWLY,
        most=2,
    ),
    # The launch of the play's export is processed, and its answer lost; the export (4 s here) waits for the worker
    # for its first 0.4 s, when openITCOCKPIT does not show it as running yet.
    "lost export answer": Scenario(
        [
            {
                "kind": "error",
                "status": 502,
                "after": True,
                "methods": ["POST"],
                "path": "^/exports/launchExport",
                "count": 1,
            }
        ],
        simulator_args=("--export-seconds", "4"),
    ),
}

ARGSPEC = (
    "Validating arguments against arg spec 'main' - Refresh openITCOCKPIT's monitoring configuration once per play, "
    "from a handler, when it changed"
)
EXPORT = "Refresh the openITCOCKPIT monitoring configuration"
PENDING = "Anything to export, also from before this run"
WEB_TASK = "Web servers, one by one (web01 updated and moved to the node Web, web02 created)"


TALLY = Tally(
    "openITCOCKPIT fault suite",
    ("objects lost", "objects duplicated", "exports started twice", "changed again after converging", "secret leaks"),
)


class Api:
    """The simulator's JSON API, for setting up a scenario the way another tool would."""

    def __init__(self, simulator: Simulator) -> None:
        self.url = simulator.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"X-OITC-API {OITC_API_KEY}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.session.request(
            method, f"{self.url}{path}.json", params={"angular": "true"}, json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def until(self, what: str, done: Any) -> None:
        deadline = time.monotonic() + 10
        while not done():
            assert time.monotonic() < deadline, f"the set-up's {what} never showed"
            time.sleep(0.05)


def set_up(sim: Simulator) -> None:
    """The configuration before the play, exported: the tenant Faults with the node Web and an empty node to remove,
    host groups, a host to update and move, one to remove (on the master, with the default template), hosts for the
    downtimes, and a downtime to remove."""
    api = Api(sim)
    tenant = api.call("POST", "/tenants/add", {"description": "", "is_active": 1, "container": {"name": "Faults"}})
    top = api.call("GET", f"/tenants/view/{tenant['id']}")["tenant"]["container_id"]
    for name in ("Web", "Old"):
        api.call("POST", "/containers/add", {"Container": {"parent_id": top, "name": name, "containertype_id": 5}})
    groups = {
        name: api.call("POST", "/hostgroups/add", {"Hostgroup": {"container": {"name": name, "parent_id": top}}})["id"]
        for name in (*sorted(WEB_GROUPS), "legacy")
    }
    addresses = {name: f"192.0.2.{99 + n}" for n, name in enumerate(("web01", *GONE_HOSTS, *DOWNTIME_HOSTS))}
    ids = {}
    for name, address in addresses.items():
        host = {
            "name": name,
            "address": address,
            "container_id": top,
            "hosttemplate_id": 1,
            "satellite_id": 0,
            "hostgroups": {"_ids": [groups["legacy"]]},
        }
        ids[name] = api.call("POST", "/hosts/add", {"Host": host})["id"]
    api.call("POST", "/exports/launchExport", {"create_backup": 0})
    api.until("export", lambda: api.call("GET", "/exports/broadcast").get("exportSuccessfully"))
    zone = ZoneInfo(sim.control("state")["config"]["timezone"])  # the API user's wall clock
    start = datetime.now(zone)
    end = start + timedelta(hours=1)
    downtime = {
        "object_id": [ids[GONE_DOWNTIME_HOST]],
        "objecttype_id": 256,
        "downtimetype_id": 0,
        "is_recurring": 0,
        "from_date": start.strftime("%Y-%m-%d"),
        "from_time": start.strftime("%H:%M"),
        "to_date": end.strftime("%Y-%m-%d"),
        "to_time": end.strftime("%H:%M"),
        "comment": GONE_WINDOW,
    }
    api.call("POST", "/systemdowntimes/addHostdowntime", {"Systemdowntime": downtime})
    api.until("downtime", lambda: api.call("GET", "/downtimes/host")["all_host_downtimes"])
    sim.control("request_counts", method="DELETE")


@dataclass
class Ran:
    """What a scenario did: its two runs and what its rules reported."""

    under_fault: Run
    again: Run
    rules: list[dict[str, Any]]
    injected: int


def run_scenario(fault: Scenario, tmp: Path) -> Ran:
    """Set up, run the play under the fault, lift it, run the play again; on a simulator of the scenario's own."""
    timings = ("--downtime-delay", DOWNTIME_DELAY, "--export-seconds", EXPORT_SECONDS)
    sim = start_simulator(tmp, *timings, *fault.simulator_args, backend=OPENITCOCKPIT)
    try:
        set_up(sim)
        extra = [] if fault.wait_timeout is None else ["-e", f"fault_wait_timeout={fault.wait_timeout:g}"]
        if fault.export_outcome:
            sim.control("export_outcome", method="POST", body={"outcome": fault.export_outcome})
        if fault.rules:
            sim.control("faults/rules", method="POST", body={"rules": fault.rules})
        under_fault = faults_common.play(sim, PLAY, tmp, "under-fault", *extra)
        rules = sim.control("faults/rules")["rules"]
        injected = sim.control("faults", method="DELETE")["injected"] + bool(fault.export_outcome)
        if fault.export_outcome:  # a stuck export goes on, and succeeds
            sim.control("export_outcome", method="POST", body={"outcome": "success"})
        again = faults_common.play(sim, PLAY, tmp, "after-lift")
    finally:
        sim.process.terminate()
        sim.process.wait(timeout=10)
    return Ran(under_fault, again, rules, injected)


@pytest.fixture(scope="module")
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future]:
    return faults_common.run_side_by_side(request, tmp_path_factory, test_fault, SCENARIOS, run_scenario, WORKERS)


# --- The state, in the play's terms --------------------------------------------------------------------------------


def container_paths(state: dict) -> dict[int, str]:
    """Each container's id -> its path (``/root/Faults/Web``)."""
    containers = {c["id"]: c for c in state["containers"]}

    def path(cid: int) -> str:
        names, current = [], containers.get(cid)
        while current is not None:
            names.append(current["name"])
            current = containers.get(current["parent_id"])
        return "/" + "/".join(reversed(names))

    return {cid: path(cid) for cid in containers}


def hosts_named(state: dict, name: str) -> list[dict]:
    return [host for host in state["hosts"] if host["name"] == name]


def group_names(state: dict, ids: list[int]) -> set[str]:
    paths = container_paths(state)
    by_id = {group["id"]: paths[group["container_id"]].rsplit("/", 1)[-1] for group in state["hostgroups"]}
    return {by_id.get(i, f"#{i}") for i in ids}


def host_problems(state: dict, name: str) -> list[str]:
    """The web server ``name`` is there once, as the play declares it."""
    found = hosts_named(state, name)
    if len(found) != 1:
        return [f"host {name} is there {len(found)} times"]
    host = found[0]
    templates = {t["id"]: t["name"] for t in state["hosttemplates"]}
    satellites = {int(sid): sname for sid, sname in state["config"]["satellites"].items()}
    seen = {
        "address": host["address"],
        "container": container_paths(state).get(host["container_id"]),
        "template": templates.get(host["hosttemplate_id"]),
        "host groups": group_names(state, host["hostgroups"]),
        "satellite": satellites.get(host["satellite_id"], "Mastersystem"),
    }
    declared = {
        "address": WEB[name],
        "container": WEB_CONTAINER,
        "template": TEMPLATE,
        "host groups": WEB_GROUPS,
        "satellite": SATELLITE,
    }
    return [
        f"host {name} has {what} {seen[what]!r}, not {want!r}" for what, want in declared.items() if seen[what] != want
    ]


def active_downtimes(state: dict) -> Counter:
    """(host name, service name or None, comment) -> how many downtimes the core keeps that are not cancelled and
    have not ended."""
    hosts = {host["id"]: host["name"] for host in state["hosts"]}
    services = {s["id"]: s["name"] or s["servicetemplate"] for s in state["services"]}
    now = time.time()
    return Counter(
        (hosts.get(d["host_id"], f"#{d['host_id']}"), services.get(d["service_id"]), d["comment"])
        for d in state["downtimes"]
        if not d["cancelled"] and d["end"] > now
    )


def window_keys(state: dict) -> list[tuple[str, str | None, str]]:
    """The downtimes of the play's host-and-services window: each host's, and each of its monitored services'."""
    services = {s["id"]: s["name"] or s["servicetemplate"] for s in state["services"]}
    keys: list[tuple[str, str | None, str]] = []
    for name in WINDOW_HOSTS:
        for host in hosts_named(state, name):
            keys.append((name, None, WINDOW))
            keys.extend((name, services[sid], WINDOW) for sid in state["monitored"].get(str(host["id"]), []))
    return keys


def export_started(state: dict) -> int:
    """The changelog id of the start of the last successful export (0: none), as openitcockpit_export finds it."""
    rows = [row for row in state["changelog"] if row["model"] == "Export"]
    success = next((row for row in reversed(rows) if "finished successfully" in row["name"]), None)
    if success is None:
        return 0
    starts = [row["id"] for row in rows if row["name"].endswith("started") and row["id"] < success["id"]]
    return max(starts, default=0)


def pending(state: dict) -> list[str]:
    """What an export has not taken along: changes logged since the last successful export started, and hosts the
    monitoring core does not run as configured."""
    started = export_started(state)
    found = [
        f"{row['action']} {row['model'].lower()} {row['name']} by user {row['user_id']}"
        for row in state["changelog"]
        if row["model"] != "Export" and row["id"] > started
    ]
    enabled = {str(host["id"]) for host in state["hosts"] if not host["disabled"]}
    monitored = set(state["monitored"])
    if enabled != monitored:
        found.append(f"the hosts monitored differ from those configured: ids {sorted(enabled ^ monitored)}")
    return found


def our_exports(state: dict) -> list[dict]:
    return [run for run in state["export_runs"] if run["user_id"] == API_USER]


# --- Judging ------------------------------------------------------------------------------------------------------


def containers_present(*paths: str) -> Check:
    return lambda entry, before, after: [
        f"container {path} is missing" for path in paths if path not in container_paths(after).values()
    ]


def container_gone(path: str) -> Check:
    return lambda entry, before, after: (
        [f"container {path} is still there"] if path in container_paths(after).values() else []
    )


def looped_hosts_as_declared(entry: dict, before: dict, after: dict) -> list[str]:
    """Each host of the loop whose item did not fail."""
    items = [item["item"] for item in entry["result"]["results"] if not item.get("failed")]
    return [problem for name in items for problem in host_problems(after, name)]


def hosts_gone(*names: str) -> Check:
    return lambda entry, before, after: [f"host {n} is still there" for n in names if hosts_named(after, n)]


def downtimes_once(keys: Any) -> Check:
    """Each downtime that ``keys(state)`` names is listed once."""

    def check(entry: dict, before: dict, after: dict) -> list[str]:
        found = active_downtimes(after)
        return [f"downtime {key} is listed {found[key]} times, not once" for key in keys(after) if found[key] != 1]

    return check


def downtime_gone(entry: dict, before: dict, after: dict) -> list[str]:
    key = (GONE_DOWNTIME_HOST, None, GONE_WINDOW)
    return [f"the downtime {key} is still there"] if active_downtimes(after)[key] else []


def nothing_exported(entry: dict, before: dict, after: dict) -> list[str]:
    """Check mode: no export of ours started, no change of ours logged."""
    started = len(our_exports(after)) - len(our_exports(before))
    ours = [row for row in after["changelog"][len(before["changelog"]) :] if row["user_id"] == API_USER]
    return [f"check mode started {started} exports"] * bool(started) + [f"check mode logged {r['name']}" for r in ours]


def exported(entry: dict, before: dict, after: dict) -> list[str]:
    """Everything pending before the task is exported; what is pending now, another user changed during it. No
    export of ours failed unreported."""
    known = {row["id"] for row in before["changelog"]}
    started = export_started(after)
    problems = [
        f"{row['action']} {row['model'].lower()} {row['name']} (user {row['user_id']}) is not exported"
        for row in after["changelog"]
        if row["model"] != "Export" and row["id"] > started and (row["id"] in known or row["user_id"] == API_USER)
    ]
    problems.extend(p for p in pending(after) if p.startswith("the hosts monitored"))
    known_runs = {run["id"] for run in before["export_runs"]}
    problems.extend(
        f"export {run['id']} of ours failed"
        for run in our_exports(after)
        if run["id"] not in known_runs and run["finished"] and not run["succeeded"]
    )
    return problems


CONVERGED: dict[str, Check] = {
    ARGSPEC: lambda entry, before, after: [],
    "A container path for the branch office, with its parent": containers_present(*NEW_CONTAINERS),
    "A container that is gone": container_gone(GONE_CONTAINER),
    WEB_TASK: looped_hosts_as_declared,
    "A host that is gone": hosts_gone(*GONE_HOSTS),
    "Downtime for hosts and their services": downtimes_once(window_keys),
    "Downtime for a service": downtimes_once(lambda state: [(*SERVICE_DOWNTIME, SERVICE_WINDOW)]),
    "A downtime that is over": downtime_gone,
    PENDING: nothing_exported,
    EXPORT: exported,
}


def false_items(run: Run) -> list[str]:
    """Items of a loop that reported ok or changed although the loop failed: judged like the loop's items."""
    wrong = []
    for entry, _before, after in run.windows():
        if entry["status"] != "ok" and entry["task"] == WEB_TASK and entry["result"].get("results"):
            wrong.extend(
                f"{entry['task']}: an item reported success but {p}" for p in looped_hosts_as_declared(entry, {}, after)
            )
    return wrong


def duplicates(run: Run) -> list[str]:
    """Anything there twice at the end of a run: a host by name, a container by parent and name, a downtime by its
    object and comment; hosts the play does not know."""
    state = run.end
    found = [
        f"host {name} is there {n} times" for name, n in Counter(h["name"] for h in state["hosts"]).items() if n > 1
    ]
    paths = Counter(container_paths(state).values())
    found.extend(f"container {path} is there {n} times" for path, n in paths.items() if n > 1)
    found.extend(f"downtime {key} is there {n} times" for key, n in active_downtimes(state).items() if n > 1)
    known = {*WEB, *GONE_HOSTS, *KEPT_HOSTS}
    found.extend(
        f"host {host['name']} is not one of the play's" for host in state["hosts"] if host["name"] not in known
    )
    return found


def exports_started_twice(run: Run) -> list[str]:
    """Export tasks that started more than one export of ours."""
    found = []
    for entry, before, after in run.windows():
        started = len(our_exports(after)) - len(our_exports(before))
        if started > 1:
            found.append(f"{entry['task']}: {started} exports started")
    return found


def converged_in_the_end(state: dict) -> tuple[list[str], int]:
    """After the lift: (what is not as declared, objects lost)."""
    paths = set(container_paths(state).values())
    lost_containers = [path for path in (*NEW_CONTAINERS, *KEPT_CONTAINERS) if path not in paths]
    wrong = [f"container {path} is missing" for path in lost_containers]
    if GONE_CONTAINER in paths:
        wrong.append(f"container {GONE_CONTAINER} is still there")
    lost_hosts = [name for name in (*WEB, *KEPT_HOSTS) if not hosts_named(state, name)]
    wrong.extend(p for name in WEB for p in host_problems(state, name))
    wrong.extend(f"host {name} is still there" for name in GONE_HOSTS if hosts_named(state, name))
    downtimes = active_downtimes(state)
    missing = [key for key in (*window_keys(state), (*SERVICE_DOWNTIME, SERVICE_WINDOW)) if not downtimes[key]]
    wrong.extend(f"downtime {key} is missing" for key in missing)
    if downtimes[(GONE_DOWNTIME_HOST, None, GONE_WINDOW)]:
        wrong.append(f"the downtime {GONE_WINDOW!r} of {GONE_DOWNTIME_HOST} is still there")
    wrong.extend(f"not exported: {p}" for p in pending(state))
    return wrong, len(lost_containers) + len(lost_hosts) + len(missing)


def changed_again(under_fault: Run, again: Run) -> list[str]:
    """Tasks (loop items) that converged under the fault, yet changed something in the run after the lift. The
    exports may export what is pending at its start (what the fault left, another user's changes) or what a task
    changed in that run."""
    failed = {entry["task"]: entry["result"] for entry in under_fault.entries if entry["status"] != "ok"}
    found, changed_before = [], bool(pending(again.start))
    for entry in again.entries:
        name, result = entry["task"], entry["result"]
        if name in (PENDING, EXPORT):
            if result.get("changed") and not changed_before:
                found.append(f"{name}: exported again")
            continue
        changed_before = changed_before or bool(result.get("changed"))
        found.extend(faults_common.items_changed_again(name, result, failed))
    return found


def leaks(run: Run) -> int:
    return run.output.count(OITC_API_KEY)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_fault(ran: dict[str, Future], scenario: str) -> None:
    fault, done = SCENARIOS[scenario], ran[scenario].result()
    under_fault, again, rules = done.under_fault, done.again, done.rules
    most = fault.most if fault.most_as_injected_by is None else rules[fault.most_as_injected_by]["injected"]

    wrong, lost = converged_in_the_end(again.end)
    for rule in rules:
        if rule["kind"] in ("export", "change") and not rule["targets"]:
            wrong.append(f"the {rule['kind']} rule on {rule['path']} never acted: the scenario tests nothing")
    false = (
        false_successes(under_fault, CONVERGED)
        + false_items(under_fault)
        + false_successes(again, CONVERGED)
        + false_items(again)
    )
    doubles = duplicates(under_fault) + duplicates(again)
    twice = exports_started_twice(under_fault) + exports_started_twice(again)
    again_changed = changed_again(under_fault, again)
    counts = {
        "objects lost": lost,
        "objects duplicated": len(doubles),
        "exports started twice": len(twice),
        "changed again after converging": len(again_changed),
        "secret leaks": leaks(under_fault) + leaks(again),
    }
    judge(
        TALLY,
        scenario,
        fault,
        under_fault=under_fault,
        again=again,
        injected=done.injected,
        most=most,
        false=false,
        doubles=doubles,
        counts=counts,
        wrong=wrong + twice + again_changed,
    )


def test_summary() -> None:
    """Runs after the scenarios (file order): writes the summary line that conftest.py prints."""
    TALLY.write(SUMMARY)
