"""The Sensu fault suite: every sensu_* module, and the reload through the handler of
lighthouse.monitoring.sensu_changes, under each fault the simulator injects, either converges or fails with one clean
line; once the fault is lifted, running the play again converges, and a task that converged under the fault changes
nothing then. Nothing the play declares is lost, no check request is sent twice by one task (a request is an action:
one whose answer was lost may have been carried out, so it is never sent again blindly, and its task fails), no
silence is cleared that the play did not name (two silences share db01's subscription with the one it clears, a
third its check), a client removed with ``invalidate`` stays gone although its sensu-client keeps sending
keepalives, and neither the API's password nor a client's secret attribute ever shows.

Every task is judged by what it left on the server, as in the other suites (faults_common.py): the record_results
callback reads the simulator's state right after each task, and a task that reports ok or changed must have
converged by then (the client as declared, with what it did not declare kept and its secret written as given; the
client gone from the registry; the silence set as declared, or cleared; the check request issued once; the reload
serving the check definitions as declared). The check definitions are files, not API state: each run's files are
read after it, and a file that is replaced must be replaced whole (a reader that has the old file open, such as
Sensu in the middle of a reload, reads it whole, never half of the new one). Each scenario names the failures it
allows.

Sensu's own faults are played by the test while the play runs: a trigger rule (a latency rule on one request, which
holds that request long enough) makes a colleague change the client or the silence the task is about, or takes the
server's Redis away for a moment (every route answers 500 ``{"error": "not connected to redis"}``); the simulator's
``keepalive`` kind has the live sensu-client of a host that the play removes send keepalives throughout.

The play is tests/integration/faults/sensu.yml; each scenario starts from the same configuration, set up through the
API and in the simulator's configuration directory, on a simulator of its own: the scenarios run side by side, and
each test then judges one of them. A scenario that shows a known limitation names it (``bug``): it is marked xfail
(strict) and kept out of the counts of the summary line, which is printed at the end of the test session
(conftest.py) and written to tests/output/fault-suite-sensu.txt.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
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
    REPO,
    SENSU,
    SENSU_PASSWORD,
    SENSU_USER,
    Simulator,
    start_simulator,
)

PLAY = REPO / "tests" / "integration" / "faults" / "sensu.yml"
SUMMARY = SUMMARIES["sensu"]
# Scenarios run side by side, each with its own simulator.
WORKERS = min(4, 2 * (os.cpu_count() or 1))
DELETE_DELAY = "0.5"  # seconds from DELETE /clients/:client until the client leaves the registry
CLIENT_SECRET = "it-sensu-client-secret-8e41c7"  # the secret attribute the play declares (SENSU_FAULT_CLIENT_SECRET)
OLD_SECRET = "it-sensu-old-secret-2b96d5"  # web01's before the play
OUTAGE = 1.5  # seconds the server's Redis is away, each time

# --- What the play declares (sensu.yml), as the simulator's state shows it ----------------------------------------

WEB = {"web01": "192.0.2.11", "web02": "192.0.2.12"}  # name -> address
WEB_SUBSCRIPTIONS = {"linux", "web"}
KEPT_ATTRIBUTES = {"web01": {"owner": "ops-team"}}  # set up, not declared: they stay
KEPT_SUBSCRIPTIONS = {"web01": {"legacy"}}
GONE_CLIENTS = ("old01", "app01")
LIVE = "app01"  # runs a sensu-client of its own
KEPT_CLIENTS = ("db01",)
SILENCES = {
    "client:web01:*": {"reason": "fault suite window", "creator": "ansible", "expire_on_resolve": False},
    "client:db01:check_disk": {"reason": "fault suite disk window", "creator": "ansible", "expire_on_resolve": True},
}
EXPIRES = {"client:web01:*": 3600}  # the others do not expire
CLEARED = "client:db01:check_ntp"
# The colleagues' silences the play does not name: db01's whole subscription, and check_ntp everywhere.
OTHER_SILENCES = {
    "client:db01:*": {"subscription": "client:db01", "reason": "database work", "creator": "colleague"},
    "*:check_ntp": {"check": "check_ntp", "reason": "ntp servers moved", "creator": "colleague"},
}
REQUESTED = {"check": "check_ping", "api_requested": {"reason": "fault suite", "creator": "ansible"}}
CHECKS = {
    "check_disk": {
        "command": "check-disk-usage.rb -w 80 -c 90",
        "subscribers": ["linux"],
        "interval": 60,
        "handlers": ["mail"],
    },
    "check_ping": {
        "command": "check-ping.rb -h :::address:::",
        "subscribers": ["linux", "web"],
        "publish": False,
        "timeout": 30,
    },
}
OLD_PING = {"command": "check-ping.rb -h :::address:::", "subscribers": ["linux"], "publish": False}
COLLEAGUE_FILE = "checks_colleague.json"  # another file of the directory, with a check of its own
COLLEAGUE_CHECKS = {"check_load": {"command": "check-load.rb", "subscribers": ["linux"], "interval": 60}}


def check_file(name: str) -> str:
    return f"check_{name}.json"


def rendered(name: str, definition: dict) -> str:
    """A check's file in sensu_check's canonical form."""
    return json.dumps({"checks": {name: definition}}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- Tasks ----------------------------------------------------------------------------------------------------------

ARGSPEC = (
    "Validating arguments against arg spec 'main' - Reload Sensu classic once per play, from a handler, when a check "
    "definition changed"
)
CLIENTS_TASK = "Proxy clients, one by one (web01 updated, web02 created)"
GONE_TASK = "A proxy client that is gone"
INVALIDATED_TASK = "A host with a running sensu-client, gone for good (invalidated)"
SILENCE_CLIENT = "Silence a client (web01's, set again with another reason)"
SILENCE_CHECK = "Silence a check of a client (db01's check_disk)"
CLEAR_TASK = "Clear one silence of a client (db01's check_ntp), its others stay"
REQUEST_TASK = "Ask the Linux clients to run check_ping now"
CHECK_TASKS = {
    "A new check definition (check_disk)": "check_disk",
    "A check definition updated (check_ping, for the web servers too)": "check_ping",
}
RELOAD = "Reload Sensu, so that it reads its check definitions again"
WAIT = "Wait until the Sensu API answers again"

# --- The failures scenarios allow ------------------------------------------------------------------------------------

REQUEST_LOST = {
    rf"^{REQUEST_TASK}: Failed to request Sensu check 'check_ping': (50[234] (Bad Gateway|Service Unavailable|Gateway "
    r"Timeout)|.*did not answer within 2 seconds|cannot connect to ).* \(the request may have reached Sensu all the "
    r"same; it is not sent again\)$": "a check request is an action: one whose answer was lost (a proxy's 5xx, a "
    "dropped connection, a timeout) may have been carried out, so it is never sent again blindly; its task fails "
    "and says so"
}
REQUEST_REFUSED = {
    rf"^{REQUEST_TASK}: Failed to request Sensu check 'check_ping': 50[234] (Bad Gateway|Service Unavailable|Gateway "
    r"Timeout) \(the request may have reached Sensu": "a check request that meets a proxy's 5xx is not sent again "
    "(the server may have published it before the error): its task fails and says so"
}
FAILS_SLOWLY = {
    r"did not answer within 2 seconds": "a request answered after 2.5 s, beyond the play's 2-second timeout, that "
    "meets the delay again when it is sent again fails its task",
    **REQUEST_LOST,
}
SERVER_ERROR = {
    r": 500 Internal Server Error": "a 500 is a server error, not a passing state: a read meeting it is not sent "
    "again by the transport, and its task may fail (writes are followed by a re-read)",
    **REQUEST_REFUSED,
}
REDIS_DOWN = {
    r": 500 not connected to redis$": "while the server's Redis is away, every route answers 500: the task that "
    "meets it fails (a write is read again first, which meets it too)"
}


@dataclass(frozen=True)
class Scenario(faults_common.Scenario):
    # What the test does while the play runs, once a rule (by its index) has fired: an action of ACTIONS.
    actions: dict[int, str] = field(default_factory=dict)
    bug: str = ""  # a known limitation that the scenario shows: marked xfail (strict) with this reason


# The writes: clients (POST /clients, DELETE /clients/:client), silences (POST /silenced, /silenced/clear) and the
# check request (POST /request). The transport sends a DELETE again after a 5xx or a dropped connection, a POST never.
API = "^/(clients|silenced|request|checks)"  # the rules leave /info alone: the handler waits on it
# The answer to a read held for a second once it was processed: a colleague acts between the read and the write.
READ_HELD = {"kind": "latency", "seconds": 1, "after": True, "methods": ["GET"], "count": 1}
SCENARIOS: dict[str, Scenario] = {
    "latency": Scenario([{"kind": "latency", "seconds": 0.05, "path": API}]),
    # The play's timeout is 2 s: every 7th request is answered after 2.5 s (once it was processed).
    "timeouts": Scenario(
        [{"kind": "latency", "seconds": 2.5, "after": True, "path": API, "every": 7, "count": 4}],
        may_fail=FAILS_SLOWLY,
        most=2,
    ),
    # A proxy answers 502, 503 or 504 instead of passing requests on, and the server answers some with a 500.
    "5xx bursts": Scenario(
        [
            {"kind": "error", "status": 503, "path": API, "every": 4},
            {"kind": "error", "status": 502, "path": API, "every": 7},
            {"kind": "error", "status": 504, "path": API, "every": 10},
            {"kind": "error", "status": 500, "path": API, "every": 9},
        ],
        may_fail=SERVER_ERROR,
        most=1,  # the check request
        most_as_injected_by=3,  # and each 500 may fail the task that meets it
    ),
    # Every write is processed, and a proxy answers 502, 503 or 504 instead of the server's answer.
    "lost answers": Scenario(
        [
            {"kind": "error", "status": 502, "after": True, "methods": ["POST"], "path": "^/clients$"},
            {"kind": "error", "status": 503, "after": True, "methods": ["POST"], "path": "^/silenced"},
            {"kind": "error", "status": 504, "after": True, "methods": ["DELETE"], "path": "^/clients/", "count": 2},
            {"kind": "error", "status": 502, "after": True, "methods": ["POST"], "path": "^/request$"},
        ],
        may_fail=REQUEST_LOST,
        most=1,
    ),
    # Connections closed without an answer: every 5th read before it arrives (sent again by the transport), every
    # 2nd write once it was processed (read again: there it is), the first removal and the check request too.
    "dropped connections": Scenario(
        [
            {"kind": "drop", "methods": ["GET"], "path": API, "every": 5},
            {"kind": "drop", "after": True, "methods": ["POST"], "path": "^/(clients|silenced)", "every": 2},
            {"kind": "drop", "after": True, "methods": ["DELETE"], "path": "^/clients/", "count": 1},
            {"kind": "drop", "after": True, "methods": ["POST"], "path": "^/request$", "count": 1},
        ],
        may_fail=REQUEST_LOST,
        most=1,
    ),
    # Writes that the server processes only after the client gave up (3 s, beyond the play's 2-second timeout): a
    # client, a silence, a removal and the check request land a second after their task went on.
    "slow writes": Scenario(
        [
            {"kind": "latency", "seconds": 3, "methods": ["POST"], "path": "^/clients$", "count": 1},
            {"kind": "latency", "seconds": 3, "methods": ["POST"], "path": "^/silenced$", "count": 1},
            {"kind": "latency", "seconds": 3, "methods": ["POST"], "path": "^/silenced/clear$", "count": 1},
            {"kind": "latency", "seconds": 3, "methods": ["POST"], "path": "^/request$", "count": 1},
        ],
        may_fail=REQUEST_LOST,
        most=1,
    ),
    # Colleagues at work while the play runs: one adds an attribute to web01 right before the module reads it (it
    # must stay), one sets web01's silence again with another reason and expiry between the module's read and its
    # write (the play's declaration wins), one clears db01's check_ntp silence and one removes old01 between the
    # module's read and its write (the module's clear and removal then meet 404: already done).
    "another user's change": Scenario(
        [
            {"kind": "latency", "seconds": 1, "methods": ["GET"], "path": "^/clients/web01$", "count": 1},
            {**READ_HELD, "path": "^/silenced/ids/client:web01:"},
            {**READ_HELD, "path": f"^/silenced/ids/{CLEARED}$"},
            {**READ_HELD, "path": "^/clients/old01$"},
        ],
        actions={0: "rack before the read", 1: "silence set again", 2: "silence cleared", 3: "old01 removed"},
    ),
    # The host app01 runs a sensu-client, which sends a keepalive right before every other API request: it is back
    # in the registry at once unless the removal invalidated it, and must stay gone (invalidate_expire) after it.
    "a live client's keepalives": Scenario([{"kind": "keepalive", "path": API, "every": 2}]),
    # The server's Redis goes away for 1.5 s three times: while the removal of old01 waits, when the first silence
    # is read, and when the check request is sent.
    "redis down": Scenario(
        [
            {"kind": "latency", "seconds": 0.3, "methods": ["GET"], "path": "^/clients/old01$", "every": 2, "count": 1},
            {"kind": "latency", "seconds": 0.3, "methods": ["GET"], "path": "^/silenced/ids/", "count": 1},
            {"kind": "latency", "seconds": 0.3, "methods": ["POST"], "path": "^/request$", "count": 1},
        ],
        actions={0: "redis away", 1: "redis away", 2: "redis away"},
        may_fail=REDIS_DOWN,
        most=5,
    ),
    # A colleague adds an attribute to web01 between the module's read and its write: Sensu 1.x replaces a client
    # whole and has no conditional write (no ETag, no version), so the module sends back what it read, and the
    # colleague's attribute is gone.
    "another user's change between read and write": Scenario(
        [{**READ_HELD, "path": "^/clients/web01$"}],
        actions={0: "rack after the read"},
        bug="Sensu 1.x has no conditional write: a client attribute that a colleague adds between the module's read "
        "and its write is overwritten (a known limitation, written in the README's Reliability section)",
    ),
}

TALLY = Tally(
    "Sensu fault suite",
    (
        "objects lost",
        "check requests duplicated",
        "silences cleared that the play did not name",
        "changed again after converging",
        "secret leaks",
    ),
)
BUGS = Tally("Sensu fault suite, known limitations", TALLY.counted)  # their counts, apart
KNOWN: list[str] = []


class Api:
    """The simulator's API, with its credentials, for setting up a scenario the way another tool would."""

    def __init__(self, simulator: Simulator) -> None:
        self.url = simulator.url
        self.session = requests.Session()
        self.session.auth = (SENSU_USER, SENSU_PASSWORD)

    def call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        answer = self.session.request(method, f"{self.url}{path}", json=body, timeout=10)
        assert answer.status_code in ok, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None


def write_conf_dir(conf_dir: Path) -> None:
    """The server's configuration directory before the play: check_ping as sensu_check wrote it before (for the
    play to update), and a colleague's file with a check of its own."""
    conf_dir.mkdir()
    (conf_dir / check_file("check_ping")).write_text(rendered("check_ping", OLD_PING), encoding="utf-8")
    (conf_dir / COLLEAGUE_FILE).write_text(json.dumps({"checks": COLLEAGUE_CHECKS}), encoding="utf-8")


def set_up(sim: Simulator) -> None:
    """The configuration before the play: web01 to update (with an attribute and a subscription the play does not
    declare, and a secret attribute), db01 to silence, old01 to remove, app01 with a sensu-client of its own to
    remove for good; web01's silence to set again, db01's silences (the whole client, and check_ntp to clear) and
    check_ntp silenced everywhere."""
    api = Api(sim)
    web01 = {
        "name": "web01",
        "address": "192.0.2.99",
        "subscriptions": ["linux", *KEPT_SUBSCRIPTIONS["web01"]],
        "environment": "staging",
        **KEPT_ATTRIBUTES["web01"],
        "password": OLD_SECRET,
    }
    for client in (
        web01,
        {"name": "db01", "address": "192.0.2.101", "subscriptions": ["linux"]},
        {"name": "old01", "address": "192.0.2.50", "subscriptions": ["linux"]},
    ):
        api.call("POST", "/clients", client)
    live = {"name": LIVE, "address": "192.0.2.60", "subscriptions": ["linux"]}
    assert sim.control("clients", method="POST", body={"client": live, "live": True})["registered"]
    api.call("POST", "/silenced", {"subscription": "client:web01", "reason": "old reason", "creator": "colleague"})
    api.call("POST", "/silenced", {"subscription": "client:db01", "check": "check_ntp", "reason": "ntp flapping"})
    for silence in OTHER_SILENCES.values():
        api.call("POST", "/silenced", silence)
    sim.control("request_counts", method="DELETE")


# --- What the test does while the play runs --------------------------------------------------------------------------


def client_as_stored(sim: Simulator, name: str) -> dict:
    return next(c for c in sim.control("state")["clients"] if c["name"] == name)


def add_rack(sim: Simulator, api: Api, wait: float) -> None:
    """A colleague adds the attribute rack to web01 (knowing its secret: the client as stored)."""
    time.sleep(wait)
    client = {k: v for k, v in client_as_stored(sim, "web01").items() if k not in ("version", "timestamp")}
    api.call("POST", "/clients", {**client, "rack": "B2"})


def redis_away(sim: Simulator, api: Api) -> None:
    sim.control("backend", method="POST", body={"redis": False})
    time.sleep(OUTAGE)
    sim.control("backend", method="POST", body={"redis": True})


ACTIONS: dict[str, Callable[[Simulator, Api], None]] = {
    # The rule holds the module's read for a second before it is processed: the colleague acts at once.
    "rack before the read": lambda sim, api: add_rack(sim, api, 0),
    # The rule holds the answer to the module's read for a second: the colleague acts once it was processed.
    "rack after the read": lambda sim, api: add_rack(sim, api, 0.3),
    "silence set again": lambda sim, api: (
        time.sleep(0.3),
        api.call(
            "POST",
            "/silenced",
            {"subscription": "client:web01", "reason": "colleague's window", "creator": "colleague", "expire": 600},
        ),
    ),
    "silence cleared": lambda sim, api: (time.sleep(0.3), api.call("POST", "/silenced/clear", {"id": CLEARED})),
    "old01 removed": lambda sim, api: (time.sleep(0.3), api.call("DELETE", "/clients/old01")),
    "redis away": redis_away,
}


class Director:
    """While the play runs: each action of the scenario, in a thread of its own, as soon as its rule has fired."""

    def __init__(self, sim: Simulator, actions: dict[int, str]) -> None:
        self.sim, self.api, self.pending = sim, Api(sim), dict(actions)
        self.acted: list[str] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.workers: list[threading.Thread] = []
        self.watcher = threading.Thread(target=self.watch, daemon=True)

    def __enter__(self) -> Director:
        if self.pending:
            self.watcher.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self.watcher.is_alive():
            self.watcher.join(timeout=10)
        for worker in self.workers:
            worker.join(timeout=10)
        self.sim.control("backend", method="POST", body={"redis": True})

    def watch(self) -> None:
        while self.pending and not self.stopping.is_set():
            rules = self.sim.control("faults/rules")["rules"]
            for index in [i for i in self.pending if rules[i]["injected"]]:
                worker = threading.Thread(target=self.act, args=(self.pending.pop(index),), daemon=True)
                worker.start()
                self.workers.append(worker)
            self.stopping.wait(0.02)

    def act(self, name: str) -> None:
        try:
            ACTIONS[name](self.sim, self.api)
            self.acted.append(name)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{name}: {exc}")


@dataclass
class Ran:
    """What a scenario did: its two runs, what its rules reported, and the configuration directory after each run."""

    under_fault: Run
    again: Run
    rules: list[dict[str, Any]]
    injected: int
    acted: list[str]
    not_acted: list[str]
    files: tuple[dict[str, str], dict[str, str]]  # the directory's files (name -> text) after each run
    reader: str  # what a reader that had check_ping's old file open read after the run under the fault


def files_of(conf_dir: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(conf_dir.iterdir())}


def run_scenario(fault: Scenario, tmp: Path) -> Ran:
    """Set up, run the play under the fault, lift it, run the play again; on a simulator of the scenario's own."""
    conf_dir = tmp / "conf.d"
    write_conf_dir(conf_dir)
    sim = start_simulator(tmp, "--conf-dir", str(conf_dir), "--delete-delay", DELETE_DELAY, backend=SENSU)
    env = {"SENSU_FAULT_CLIENT_SECRET": CLIENT_SECRET}
    extra = ("-e", f"fault_conf_dir={conf_dir}")
    try:
        set_up(sim)
        with (conf_dir / check_file("check_ping")).open(encoding="utf-8") as reader:  # Sensu, reading the old file
            if fault.rules:
                sim.control("faults/rules", method="POST", body={"rules": fault.rules})
            with Director(sim, fault.actions) as director:
                under_fault = faults_common.play(sim, PLAY, tmp, "under-fault", *extra, env=env)
            read = reader.read()
        files = files_of(conf_dir)
        rules = sim.control("faults/rules")["rules"]
        injected = sim.control("faults", method="DELETE")["injected"]
        # Each request answered while Redis was away is a fault too.
        if "redis away" in fault.actions.values():
            injected += sum(1 for r in under_fault.end["requests"] if r["status"] == 500)
        again = faults_common.play(sim, PLAY, tmp, "after-lift", *extra, env=env)
    finally:
        sim.process.terminate()
        sim.process.wait(timeout=10)
    not_acted = [*director.errors, *(f"{name}: its rule never fired" for name in director.pending.values())]
    return Ran(under_fault, again, rules, injected, director.acted, not_acted, (files, files_of(conf_dir)), read)


@pytest.fixture(scope="module")
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future]:
    return faults_common.run_side_by_side(request, tmp_path_factory, test_fault, SCENARIOS, run_scenario, WORKERS)


# --- The state, in the play's terms ----------------------------------------------------------------------------------


def clients_of(state: dict) -> dict[str, dict]:
    return {client["name"]: client for client in state["clients"]}


def silences_of(state: dict) -> dict[str, dict]:
    return {entry["id"]: entry for entry in state["silenced"]}


def client_problems(state: dict, name: str) -> list[str]:
    """The web server ``name`` as the play declares it, with what it does not declare kept."""
    client = clients_of(state).get(name)
    if client is None:
        return [f"client {name} is missing"]
    problems = []
    if client.get("address") != WEB[name]:
        problems.append(f"client {name} has the address {client.get('address')!r}")
    subscriptions = set(client.get("subscriptions") or [])
    wanted = {*WEB_SUBSCRIPTIONS, f"client:{name}", *KEPT_SUBSCRIPTIONS.get(name, ())}
    if not wanted <= subscriptions:
        problems.append(f"client {name} lacks the subscriptions {sorted(wanted - subscriptions)}")
    if client.get("environment") != "production":
        problems.append(f"client {name} has the environment {client.get('environment')!r}")
    if client.get("password") != CLIENT_SECRET:
        shown = "REDACTED" if client.get("password") == "REDACTED" else "another value" if "password" in client else ""
        problems.append(f"client {name}'s secret attribute is not as declared: {shown or 'missing'}")
    problems.extend(
        f"client {name} lost its attribute {key} (not declared: it must stay)"
        for key, value in KEPT_ATTRIBUTES.get(name, {}).items()
        if client.get(key) != value
    )
    return problems


def silence_problems(state: dict, silence: str) -> list[str]:
    entry = silences_of(state).get(silence)
    if entry is None:
        return [f"silence {silence} is missing"]
    problems = []
    for key, value in SILENCES[silence].items():
        found = bool(entry.get(key)) if key == "expire_on_resolve" else entry.get(key)
        if found != value:
            problems.append(f"silence {silence} has {key} {found!r}")
    expire = EXPIRES.get(silence)
    left = entry.get("expire")
    if (expire is None and left != -1) or (expire is not None and not 0 < left <= expire):
        problems.append(f"silence {silence} has {left} seconds left, declared: {expire}")
    return problems


def others_cleared(state: dict) -> list[str]:
    """The colleagues' silences that are gone or changed (the play does not name them)."""
    found = silences_of(state)
    return [
        silence
        for silence, declared in OTHER_SILENCES.items()
        if silence not in found or any(found[silence].get(k) != v for k, v in declared.items())
    ]


def requests_issued(before: dict, after: dict) -> list[dict]:
    return after["check_requests"][len(before["check_requests"]) :]


# --- Judging ---------------------------------------------------------------------------------------------------------


def looped_clients_as_declared(entry: dict, before: dict, after: dict) -> list[str]:
    """Each client of the loop whose item did not fail."""
    items = [item["item"] for item in entry["result"]["results"] if not item.get("failed")]
    return [problem for name in items for problem in client_problems(after, name)]


def client_gone(name: str) -> Check:
    return lambda entry, before, after: [f"client {name} is still there"] if name in clients_of(after) else []


def silence_as_declared(silence: str) -> Check:
    return lambda entry, before, after: silence_problems(after, silence)


def silence_cleared(entry: dict, before: dict, after: dict) -> list[str]:
    return [f"silence {CLEARED} is still there"] if CLEARED in silences_of(after) else []


def requested_once(entry: dict, before: dict, after: dict) -> list[str]:
    """A check request that reports success issued one request, the one declared; so does the module's report."""
    issued = requests_issued(before, after)
    problems = [f"{len(issued)} check requests issued, not one"] if len(issued) != 1 else []
    problems.extend(
        f"a request of {r['check']} with {r.get('api_requested')} was issued"
        for r in issued
        if r["check"] != REQUESTED["check"] or r.get("api_requested") != REQUESTED["api_requested"]
    )
    reported = entry["result"].get("request") or {}
    if not (reported.get("check") == "check_ping" and reported.get("issued")):
        problems.append(f"the module reported the request {reported}")
    return problems


def reloaded(entry: dict, before: dict, after: dict) -> list[str]:
    """Sensu serves the definitions as declared, and the colleague's check."""
    checks = after["settings"].get("checks", {})
    problems = [f"the reload failed: {after['last_reload']['errors']}"] if not after["last_reload"]["ok"] else []
    problems.extend(
        f"Sensu serves {name} as {checks.get(name)}, not as declared"
        for name, definition in CHECKS.items()
        if checks.get(name) != definition
    )
    problems.extend(f"Sensu no longer serves the colleague's {name}" for name in COLLEAGUE_CHECKS if name not in checks)
    return problems


CONVERGED: dict[str, Check] = {
    ARGSPEC: lambda entry, before, after: [],
    CLIENTS_TASK: looped_clients_as_declared,
    GONE_TASK: client_gone("old01"),
    INVALIDATED_TASK: client_gone(LIVE),
    SILENCE_CLIENT: silence_as_declared("client:web01:*"),
    SILENCE_CHECK: silence_as_declared("client:db01:check_disk"),
    CLEAR_TASK: silence_cleared,
    REQUEST_TASK: requested_once,
    # The check files are judged by the directory after the run (file_problems).
    **{task: (lambda entry, before, after: []) for task in CHECK_TASKS},
    RELOAD: reloaded,
    WAIT: lambda entry, before, after: [],
}


def file_problems(files: dict[str, str]) -> list[str]:
    """The configuration directory after a run: each check's file as declared, in its canonical form; the
    colleague's file as it was; nothing else (no temporary file left)."""
    problems = [
        f"{check_file(name)} does not hold the check as declared"
        for name, definition in CHECKS.items()
        if files.get(check_file(name)) != rendered(name, definition)
    ]
    if json.loads(files.get(COLLEAGUE_FILE, "{}")) != {"checks": COLLEAGUE_CHECKS}:
        problems.append(f"{COLLEAGUE_FILE} changed")
    expected = {*(check_file(name) for name in CHECKS), COLLEAGUE_FILE}
    problems.extend(f"{name} is in the directory" for name in sorted(set(files) - expected))
    return problems


def false_files(run: Run, files: dict[str, str]) -> list[str]:
    """Check tasks that reported ok or changed although the directory does not hold their check as declared."""
    wrong = []
    for entry in run.entries:
        name = CHECK_TASKS.get(entry["task"])
        if name and entry["status"] == "ok" and files.get(check_file(name)) != rendered(name, CHECKS[name]):
            said = faults_common.said(entry)
            wrong.append(f"{entry['task']}: reported {said} but {check_file(name)} is not as declared")
    return wrong


def false_items(run: Run) -> list[str]:
    """Items of the clients' loop that reported ok or changed although the loop failed: judged like the loop's."""
    wrong = []
    for entry, _before, after in run.windows():
        if entry["status"] != "ok" and entry["task"] == CLIENTS_TASK and entry["result"].get("results"):
            wrong.extend(
                f"{entry['task']}: an item reported success but {p}"
                for p in looped_clients_as_declared(entry, {}, after)
            )
    return wrong


def duplicated_requests(run: Run) -> list[str]:
    """Check request tasks that issued more than one request (whatever they reported)."""
    return [
        f"{entry['task']}: {len(issued)} check requests issued"
        for entry, before, after in run.windows()
        if len(issued := requests_issued(before, after)) > 1
    ]


def converged_in_the_end(state: dict, files: dict[str, str]) -> tuple[list[str], int]:
    """After the lift: (what is not as declared, objects lost)."""
    clients, silences = clients_of(state), silences_of(state)
    lost_clients = [name for name in (*WEB, *KEPT_CLIENTS) if name not in clients]
    wrong = [f"client {name} is missing" for name in lost_clients]
    wrong.extend(p for name in WEB for p in client_problems(state, name) if name in clients)
    wrong.extend(f"client {name} is still there (or back)" for name in GONE_CLIENTS if name in clients)
    lost_silences = [silence for silence in SILENCES if silence not in silences]
    wrong.extend(p for silence in SILENCES for p in silence_problems(state, silence))
    if CLEARED in silences:
        wrong.append(f"silence {CLEARED} is still there")
    lost_files = [name for name in CHECKS if check_file(name) not in files]
    wrong.extend(file_problems(files))
    wrong.extend(reloaded({}, {}, state))
    return wrong, len(lost_clients) + len(lost_silences) + len(lost_files)


def changed_again(under_fault: Run, again: Run) -> list[str]:
    """Tasks (loop items) that converged under the fault, yet changed something in the run after the lift. A check
    request is an action (always changed); the handler runs only when a check file changed."""
    failed = {entry["task"]: entry["result"] for entry in under_fault.entries if entry["status"] != "ok"}
    found = []
    for entry in again.entries:
        if entry["task"] not in (REQUEST_TASK, RELOAD, WAIT):
            found.extend(faults_common.items_changed_again(entry["task"], entry["result"], failed))
    return found


SECRETS = (SENSU_PASSWORD, CLIENT_SECRET, OLD_SECRET)


def leaks(run: Run) -> int:
    """The secrets in everything Ansible printed and returned; the simulator's states (recorded alongside, where
    the clients show unredacted) aside."""
    in_states = sum(json.dumps(entry["state"]).count(s) for entry in run.entries for s in SECRETS)
    return sum(run.output.count(s) for s in SECRETS) - in_states


def scenario_params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=fault.bug)) if fault.bug else name
        for name, fault in SCENARIOS.items()
    ]


@pytest.mark.parametrize("scenario", scenario_params())
def test_fault(ran: dict[str, Future], scenario: str) -> None:
    fault, done = SCENARIOS[scenario], ran[scenario].result()
    under_fault, again, rules = done.under_fault, done.again, done.rules
    most = fault.most + (0 if fault.most_as_injected_by is None else rules[fault.most_as_injected_by]["injected"])

    wrong, lost = converged_in_the_end(again.end, done.files[1])
    wrong.extend(f"under the fault: {p}" for p in file_problems(done.files[0]))
    wrong.extend(f"the scenario tests nothing: {p}" for p in done.not_acted)
    if done.reader != rendered("check_ping", OLD_PING):
        wrong.append("a reader of check_ping's old file read something else than that file whole: it was rewritten")
    for rule in rules:
        if rule["kind"] == "keepalive" and not any(t.endswith("refused") for t in rule["targets"]):
            wrong.append(f"no keepalive of {LIVE} was refused: the scenario tests nothing ({rule['targets']})")
    if "rack before the read" in done.acted and clients_of(again.end).get("web01", {}).get("rack") != "B2":
        wrong.append("the attribute rack that a colleague added to web01 before the module read it is gone")
    if "rack after the read" in done.acted and clients_of(again.end).get("web01", {}).get("rack") != "B2":
        wrong.append("the attribute rack that a colleague added to web01 between the module's read and write is gone")
    false = (
        false_successes(under_fault, CONVERGED)
        + false_items(under_fault)
        + false_files(under_fault, done.files[0])
        + false_successes(again, CONVERGED)
        + false_items(again)
        + false_files(again, done.files[1])
    )
    doubles = duplicated_requests(under_fault) + duplicated_requests(again)
    cleared = sorted(set(others_cleared(under_fault.end)) | set(others_cleared(again.end)))
    again_changed = changed_again(under_fault, again)
    counts = {
        "objects lost": lost,
        "check requests duplicated": len(doubles),
        "silences cleared that the play did not name": len(cleared),
        "changed again after converging": len(again_changed),
        "secret leaks": leaks(under_fault) + leaks(again),
    }
    if fault.bug:
        KNOWN.append(scenario)
    judge(
        BUGS if fault.bug else TALLY,
        scenario,
        fault,
        under_fault=under_fault,
        again=again,
        injected=done.injected,
        most=most,
        false=false,
        doubles=doubles,
        counts=counts,
        wrong=wrong + [f"silence {s} cleared or changed" for s in cleared] + again_changed,
    )


def test_summary() -> None:
    """Runs after the scenarios (file order): writes the summary line that conftest.py prints; the known
    limitations' details follow the scenarios'."""
    if KNOWN:
        TALLY.details.append(f"known limitations (xfail, not counted): {', '.join(KNOWN)}")
    TALLY.details.extend(f"known limitation, not counted: {line}" for line in BUGS.details)
    TALLY.write(SUMMARY)
