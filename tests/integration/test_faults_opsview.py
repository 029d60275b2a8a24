"""The Opsview fault suite: every opsview_* module, under each fault the simulator injects, either converges or
fails with one clean line; once the fault is lifted, running the play again converges, and a task that converged
under the fault changes nothing then. Nothing is lost or duplicated, no change of ours is left unreloaded by a
reload that reports success, and neither the password nor a session token shows.

Every task is judged by what it left on the server, as in the Checkmk suite (test_faults.py, whose machinery this
shares through faults_common.py): the record_results callback reads the simulator's state right after each task,
and a task that reports ok or changed must have converged by then (the host group there or gone, the host as
declared, the configuration reloaded, the downtime listed or gone). Each scenario names the failures it allows.

The play is tests/integration/faults/opsview.yml; each scenario starts from the same configuration, set up through
the API, on a simulator of its own: the scenarios run side by side (most of their time is waiting for a module, a
timeout or a reload), and each test then judges one of them. The summary line is printed at the end of the test
session (conftest.py) and written to tests/output/fault-suite-opsview.txt.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
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
    judge,
)
from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OPSVIEW,
    OPSVIEW_PASSWORD,
    OPSVIEW_USER,
    REPO,
    Simulator,
    start_simulator,
)

PLAY = REPO / "tests" / "integration" / "faults" / "opsview.yml"
USER = OPSVIEW_USER
TIMINGS = {"reload_seconds": 0.2, "downtime_delay": 0.2, "token_lifetime": 3600}
# Scenarios run side by side, each with its own simulator.
WORKERS = min(4, 2 * (os.cpu_count() or 1))
# A session token as the simulator makes them (40 hex digits), for the leak count.
TOKEN = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")

# --- What the play declares (opsview.yml), as the simulator's state shows it --------------------------------------

TOP = "Opsview/Faults"
NEW_GROUPS = (f"{TOP}/App", f"{TOP}/App/Frontend")
GONE_GROUP = f"{TOP}/Gone"
HOSTS = {  # name -> (host group path, ip, templates it must have, its ROLE)
    **{f"web0{n}": (f"{TOP}/Web", f"192.0.2.{10 + n}", ("OS - Unix Base",), "web") for n in (1, 2, 3)},
    **{f"db{n:02d}": (f"{TOP}/DB", f"192.0.2.{100 + n}", (), "db") for n in range(1, 13)},
}
GONE_HOSTS = ("old01", "gone01", "gone02")
KEPT_HOSTS = ("keep01",)
WINDOW = "fault suite window"
NODE_WINDOW = "fault suite node window"
DOWNTIMES = {("web01", WINDOW), *((host, NODE_WINDOW) for host in ("web02", "keep01", "db01"))}
GONE_DOWNTIME = ("keep01", "old window")

FAILS_SLOWLY = {
    r"did not answer within 2 seconds": "every 7th request is answered after 2.5 s, beyond the play's 2-second "
    "timeout: a request that meets it again when sent again fails its task"
}
SERVER_ERROR = {
    r": 500 Internal Server Error": "a 500 is a server error, not a passing state: not retried by the transport, "
    "and the task may fail (502, 503 and 504 are retried, POST is never sent again blindly)"
}


@dataclass(frozen=True)
class Scenario(faults_common.Scenario):
    timings: dict[str, float] = field(default_factory=dict)  # the simulator's timings under the fault
    expire_tokens: bool = False  # the play gets a session token, and every session ends after each task


SCENARIOS: dict[str, Scenario] = {
    "latency": Scenario([{"kind": "latency", "seconds": 0.05}]),
    # The play's timeout is 2 s: every 7th request is answered after 2.5 s (and processed all the same).
    "timeouts": Scenario([{"kind": "latency", "seconds": 2.5, "every": 7, "count": 6}], may_fail=FAILS_SLOWLY, most=2),
    "5xx bursts": Scenario(
        [
            {"kind": "error", "status": 503, "every": 4},
            {"kind": "error", "status": 502, "every": 7},
            {"kind": "error", "status": 500, "every": 9},
        ],
        may_fail=SERVER_ERROR,
        most_as_injected_by=2,  # each 500 may fail the task that meets it
    ),
    # The write happened, but a proxy answers 502 instead of the server's answer: every POST that writes (a host
    # group, a host, a reload, a downtime: never sent again blindly), every other PUT and DELETE (sent again by the
    # transport). Logins are POSTs that write nothing: the other scenarios lose theirs.
    "lost answers": Scenario(
        [
            {"kind": "error", "status": 502, "after": True, "methods": ["POST"], "path": "^/(config|reload|downtime)"},
            {"kind": "error", "status": 502, "after": True, "methods": ["PUT", "DELETE"], "every": 2},
        ]
    ),
    "dropped connections": Scenario(
        [
            {"kind": "drop", "every": 6},
            {"kind": "drop", "after": True, "methods": ["POST", "PUT", "DELETE"], "every": 3},
        ]
    ),
    # The play's modules get a session token, and every session ends after each task: each task's first request
    # meets 401, and the client logs in once more with the password. Sessions also end after a second without a
    # request, and the reload runs 4 s: its status, read at growing intervals, meets 401 as well.
    "expired tokens": Scenario(timings={"token_lifetime": 1, "reload_seconds": 4}, expire_tokens=True),
    # Another user's reload starts right before the play's reload (which meets 409 and must wait for it, then
    # find the configuration reloaded), and one while the hosts are written (their changes stay pending).
    "another user's reload": Scenario(
        [
            {"kind": "reload", "methods": ["POST"], "path": "^/reload$", "count": 1, "seconds": 1},
            {"kind": "reload", "methods": ["PUT"], "path": "^/config/host$", "count": 1, "seconds": 0.5},
        ]
    ),
    # Another user changes a host right before the play updates it, the configuration right before the play's
    # reload, and again while it runs: that change stays pending, and only that one.
    "another user's change": Scenario(
        [
            {"kind": "change", "methods": ["PUT"], "path": r"^/config/host/\d+$", "count": 1},
            {"kind": "change", "methods": ["POST"], "path": "^/reload$", "count": 1},
            {"kind": "change", "methods": ["GET"], "path": "^/reload$", "every": 2, "count": 1},
        ]
    ),
}

TALLY = Tally(
    "Opsview fault suite",
    ("objects lost", "objects duplicated", "changed again after converging", "secret leaks"),
)


class Api:
    """The simulator's REST API, for setting up a scenario the way another tool would."""

    def __init__(self, simulator: Simulator) -> None:
        self.base = f"{simulator.url}/rest"
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        login = {"username": USER, "password": OPSVIEW_PASSWORD}
        self.token = self.call("POST", "/login", login)["token"]
        self.session.headers.update({"X-Opsview-Username": USER, "X-Opsview-Token": self.token})

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.session.request(method, self.base + path, json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()


def set_up(sim: Simulator) -> None:
    """The configuration before the play, reloaded: groups and hosts to update, move and remove, a downtime to
    remove."""
    sim.control("reset", method="POST")
    api = Api(sim)
    api.call("POST", "/config/hostgroup", {"name": "Faults", "parent": {"name": "Opsview"}})
    for leaf in ("Web", "DB", "Old", "Gone"):
        api.call("POST", "/config/hostgroup", {"name": leaf, "parent": {"name": "Faults"}})
    hosts = {
        "web01": ("Web", "192.0.2.99"),
        "web02": ("Old", "192.0.2.98"),  # to be updated and moved
        **{f"db0{n}": ("Old", f"192.0.2.{200 + n}") for n in (1, 2, 3)},
        **{name: ("Old", f"192.0.2.{50 + n}") for n, name in enumerate((*GONE_HOSTS, *KEPT_HOSTS))},
    }
    for name, (group, ip) in hosts.items():
        body = {
            "name": name,
            "ip": ip,
            "hostgroup": {"name": group},
            "hostattributes": [{"name": "ROLE", "value": "old"}],
        }
        api.call("POST", "/config/host", body)
    api.call("POST", "/reload")
    now = int(time.time())
    host, comment = GONE_DOWNTIME
    api.call("POST", "/downtime", {"starttime": now, "endtime": now + 3600, "comment": comment, "hst.hostname": host})
    deadline = time.monotonic() + 10
    while not api.call("GET", "/downtime").get("list"):
        assert time.monotonic() < deadline, "the set-up's downtime never showed"
        time.sleep(0.05)
    sim.control("request_counts", method="DELETE")


def lift(sim: Simulator) -> int:
    """Lift every fault and restore the timings; returns the faults the rules injected."""
    injected = sim.control("faults", method="DELETE")["injected"]
    sim.control("config", method="POST", body=TIMINGS)
    return injected


@dataclass
class Ran:
    """What a scenario did: its two runs and what its rules reported."""

    under_fault: Run
    again: Run
    rules: list[dict[str, Any]]
    injected: int
    unauthorized: int  # requests that met 401 under the fault


def run_scenario(fault: Scenario, tmp: Path) -> Ran:
    """Set up, run the play under the fault, lift it, run the play again; on a simulator of the scenario's own."""
    sim = start_simulator(
        tmp,
        "--reload-seconds",
        str(TIMINGS["reload_seconds"]),
        "--downtime-delay",
        str(TIMINGS["downtime_delay"]),
        backend=OPSVIEW,
    )
    try:
        set_up(sim)
        env, extra = {}, []
        if fault.expire_tokens:
            env["RECORD_THEN_POST_URL"] = f"{sim.url}/_simulator/expire_tokens"
            extra = ["-e", f"fault_token={Api(sim).token}"]
        if fault.timings:
            sim.control("config", method="POST", body=fault.timings)
        if fault.rules:
            sim.control("faults/rules", method="POST", body={"rules": fault.rules})
        under_fault = faults_common.play(sim, PLAY, tmp, "under-fault", *extra, env=env)
        rules = sim.control("faults/rules")["rules"]
        injected = lift(sim)
        again = faults_common.play(sim, PLAY, tmp, "after-lift")
    finally:
        sim.process.terminate()
        sim.process.wait(timeout=10)
    unauthorized = sum(1 for r in under_fault.end["requests"] if r["status"] == 401)
    return Ran(under_fault, again, rules, injected, unauthorized)


@pytest.fixture(scope="module")
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future]:
    return faults_common.run_side_by_side(request, tmp_path_factory, test_fault, SCENARIOS, run_scenario, WORKERS)


# --- Judging ------------------------------------------------------------------------------------------------------


def group_paths(state: dict) -> dict[str, str]:
    """Each host group's ref -> its path (``Opsview/Faults/Web``)."""
    return {g["ref"]: "/".join(n for n in g["matpath"].split(",") if n) for g in state["hostgroups"]}


def hosts_of(state: dict) -> dict[str, dict]:
    return {host["name"]: host for host in state["hosts"]}


def host_problems(state: dict, name: str) -> list[str]:
    group, ip, templates, role = HOSTS[name]
    host = hosts_of(state).get(name)
    if host is None:
        return [f"host {name} is missing"]
    found_group = group_paths(state).get((host.get("hostgroup") or {}).get("ref"))
    found_templates = [t["name"] for t in host["hosttemplates"]]
    roles = [a["value"] for a in host["hostattributes"] if a["name"] == "ROLE"]
    if found_group != group or host["ip"] != ip or not set(templates) <= set(found_templates) or roles != [role]:
        return [f"host {name} is in {found_group} at {host['ip']} with {found_templates} and ROLE {roles}"]
    return []


def host_downtimes(state: dict) -> Counter:
    """(host, comment as the task gave it) -> how many host downtimes (each host's own row; services aside)."""
    found: Counter = Counter()
    for row in state["downtimes"]:
        match = re.fullmatch(r"Host '([^']*)': (.*)", row["comment"])
        if row["servicename"] is None and match and match[1] == row["hostname"]:
            found[(row["hostname"], match[2])] += 1
    return found


def last_changes(state: dict) -> dict[str, str]:
    """``<type> <name>`` -> the user who changed that object last."""
    return {change["what"].split(" ", 1)[1]: change["user"] for change in state["changes"]}


def reload_problems(state: dict) -> list[str]:
    """Every change of ours is reloaded: the hosts monitored are those configured, and no object that we changed
    last is uncommitted (another user's later change may be); no reload of ours failed."""
    problems = []
    configured, monitored = set(hosts_of(state)), set(state["monitored"])
    if configured != monitored:
        problems.append(f"the monitored hosts differ from the configured ones: {sorted(configured ^ monitored)}")
    last = last_changes(state)
    for kind, names in state["uncommitted"].items():
        problems.extend(f"our change of {kind} {n} is not reloaded" for n in names if last.get(f"{kind} {n}") == USER)
    problems.extend(
        f"reload {run['id']} of ours failed: {run['messages']}"
        for run in state["reloads"]
        if run["user"] == USER and run["finished"] is not None and not run["succeeded"]
    )
    return problems


def groups_present(*paths: str) -> Check:
    return lambda entry, before, after: [
        f"host group {path} is missing" for path in paths if path not in group_paths(after).values()
    ]


def group_gone(path: str) -> Check:
    return lambda entry, before, after: (
        [f"host group {path} is still there"] if path in group_paths(after).values() else []
    )


def looped_hosts_as_declared(entry: dict, before: dict, after: dict) -> list[str]:
    """Each host of a loop that did not fail."""
    items = [item["item"] for item in entry["result"]["results"] if not item.get("failed")]
    return [problem for name in items for problem in host_problems(after, name)]


def hosts_as_declared(prefix: str) -> Check:
    return lambda entry, before, after: [
        p for name in HOSTS if name.startswith(prefix) for p in host_problems(after, name)
    ]


def hosts_gone(*names: str) -> Check:
    return lambda entry, before, after: [f"host {n} is still there" for n in names if n in hosts_of(after)]


def downtimes_set(comment: str, *hosts: str) -> Check:
    return lambda entry, before, after: [
        f"no downtime {comment!r} of {host}" for host in hosts if not host_downtimes(after)[(host, comment)]
    ]


def downtime_gone(entry: dict, before: dict, after: dict) -> list[str]:
    return [f"the downtime {GONE_DOWNTIME} is still there"] if host_downtimes(after)[GONE_DOWNTIME] else []


CONVERGED: dict[str, Check] = {
    "A new host group for the front ends, with its parent": groups_present(*NEW_GROUPS),
    "A host group that is gone": group_gone(GONE_GROUP),
    "Web servers, one by one (web01 updated, web02 updated and moved, web03 created)": looped_hosts_as_declared,
    "Database servers, in bulk (db01 to db03 updated and moved, the others created)": hosts_as_declared("db"),
    "A host that is gone": hosts_gone("old01"),
    "Hosts that are gone, in bulk": hosts_gone("gone01", "gone02"),
    "Reload the configuration": lambda entry, before, after: reload_problems(after),
    "Downtime for a host": downtimes_set(WINDOW, "web01"),
    "Downtime for several hosts, in one task": downtimes_set(NODE_WINDOW, "web02", "keep01", "db01"),
    "A downtime that is over": downtime_gone,
}
RELOAD = "Reload the configuration"


def duplicates(run: Run) -> list[str]:
    """Anything there twice at the end of a run: a host downtime (by host and comment), a host group (by name in
    one parent), hosts the play does not know."""
    state = run.end
    found = [f"downtime {key} is there {n} times" for key, n in host_downtimes(state).items() if n > 1]
    paths = Counter(group_paths(state).values())
    found.extend(f"host group {path} is there {n} times" for path, n in paths.items() if n > 1)
    known = {*HOSTS, *GONE_HOSTS, *KEPT_HOSTS, "opsview"}
    found.extend(f"host {name} is not one of the play's" for name in hosts_of(state) if name not in known)
    return found


def converged_in_the_end(state: dict) -> tuple[list[str], int]:
    """After the lift: (what is not as declared, objects lost)."""
    paths = set(group_paths(state).values())
    wrong = [f"host group {path} is missing" for path in NEW_GROUPS if path not in paths]
    if GONE_GROUP in paths:
        wrong.append(f"host group {GONE_GROUP} is still there")
    hosts = hosts_of(state)
    lost = sum(1 for name in (*HOSTS, *KEPT_HOSTS) if name not in hosts)
    wrong.extend(p for name in HOSTS for p in host_problems(state, name))
    wrong.extend(f"host {name} is still there" for name in GONE_HOSTS if name in hosts)
    missing = [key for key in sorted(DOWNTIMES) if not host_downtimes(state)[key]]
    lost += len(missing)
    wrong.extend(f"downtime {key} is missing" for key in missing)
    if host_downtimes(state)[GONE_DOWNTIME]:
        wrong.append(f"the downtime {GONE_DOWNTIME} is still there")
    wrong.extend(reload_problems(state))
    return wrong, lost


def changed_again(under_fault: Run, again: Run) -> list[str]:
    """Tasks (loop items) that converged under the fault, yet changed something in the run after the lift. The
    reload may reload what a task changed in that run, or another user's changes."""
    failed = {entry["task"]: entry["result"] for entry in under_fault.entries if entry["status"] != "ok"}
    found, changed_before = [], False
    for entry in again.entries:
        name, result = entry["task"], entry["result"]
        if name == RELOAD:
            colleagues = any(change["user"] != USER for change in entry["state"]["changes"])
            if result.get("changed") and not (changed_before or colleagues or name in failed):
                found.append(f"{name}: reloaded again")
            continue
        changed_before = changed_before or bool(result.get("changed"))
        found.extend(faults_common.items_changed_again(name, result, failed))
    return found


def leaks(run: Run) -> int:
    return run.output.count(OPSVIEW_PASSWORD) + len(TOKEN.findall(run.output))


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_fault(ran: dict[str, Future], scenario: str) -> None:
    fault, done = SCENARIOS[scenario], ran[scenario].result()
    under_fault, again, rules = done.under_fault, done.again, done.rules
    most = fault.most if fault.most_as_injected_by is None else rules[fault.most_as_injected_by]["injected"]

    wrong, lost = converged_in_the_end(again.end)
    for rule in rules:
        if rule["kind"] in ("reload", "change") and not rule["targets"]:
            wrong.append(f"the {rule['kind']} rule on {rule['path']} never acted: the scenario tests nothing")
    if fault.expire_tokens and done.unauthorized < len(under_fault.entries) - 1:
        wrong.append(f"only {done.unauthorized} requests met an expired token: not every task after the first did")
    false = false_successes(under_fault, CONVERGED) + false_successes(again, CONVERGED)
    doubles = duplicates(under_fault) + duplicates(again)
    again_changed = changed_again(under_fault, again)
    counts = {
        "objects lost": lost,
        "objects duplicated": len(doubles),
        "changed again after converging": len(again_changed),
        "secret leaks": leaks(under_fault) + leaks(again),
    }
    judge(
        TALLY,
        scenario,
        fault,
        under_fault=under_fault,
        again=again,
        injected=done.injected + done.unauthorized,  # an expired session is a fault too
        most=most,
        false=false,
        doubles=doubles,
        counts=counts,
        wrong=wrong + again_changed,
    )


def test_summary() -> None:
    """Runs after the scenarios (file order): writes the summary line that conftest.py prints."""
    TALLY.write(SUMMARIES["opsview"])
