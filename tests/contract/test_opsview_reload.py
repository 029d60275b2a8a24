"""The Opsview simulator's reload: status, synchronous and asynchronous reloads, 409 while one runs, forced
failures and warnings, what a reload commits, and other users' reloads and changes."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.simulators.opsview import SimulatorConfig, serve
from tests.simulators.opsview.testing import ApiClient

NEEDS_OPENAPI = False  # these tests need no document of ../shared

STATUS_KEYS = {
    "auditlog_entries",
    "average_duration",
    "configuration_status",
    "lastupdated",
    "messages",
    "server_status",
}
RUNNING = {"server_status": "1", "messages": ["Reload already running"]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(reload_seconds=0.05))


def test_status_before_and_after_a_synchronous_reload(api: ApiClient) -> None:
    status = api.ok("GET", "/reload")
    assert set(status) == STATUS_KEYS and all(
        isinstance(value, str) for key, value in status.items() if key != "messages"
    )
    assert (status["server_status"], status["configuration_status"], status["messages"]) == ("0", "uptodate", [])
    assert status["average_duration"] == "10"  # seconds, rounded up to the next 10
    host = api.ok("POST", "/config/host", {"name": "web01", "ip": "10.0.0.5"})["object"]
    assert api.ok("GET", "/reload")["configuration_status"] == "pending"
    started = time.monotonic()
    answer = api.ok("POST", "/reload")
    assert time.monotonic() - started >= 0.05
    assert (answer["server_status"], answer["configuration_status"]) == ("0", "uptodate") and set(answer) == STATUS_KEYS
    assert api.ok("GET", f"/config/host/{host['id']}")["object"]["uncommitted"] == "0"
    assert api.ok("POST", "/reload")["server_status"] == "0"  # nothing pending: reloads all the same
    assert [(run["user"], run["succeeded"]) for run in api.control("GET", "/state")["reloads"]] == [("admin", True)] * 2


def test_asynchronous_reload_and_changes_made_meanwhile(api: ApiClient) -> None:
    clock = Clock()
    api.state.clock = clock
    api.ok("PUT", "/config/keyword/2", {"description": "before"})
    answer = api.ok("POST", "/reload", query={"asynchronous": "1"})
    assert answer["server_status"] == "1"
    assert api.ok("GET", "/reload")["server_status"] == "1"
    assert api.call("POST", "/reload").json == RUNNING and api.call("POST", "/reload").status_code == 409
    api.ok("PUT", "/config/keyword/1", {"description": "during"})
    clock.now += 0.05
    status = api.ok("GET", "/reload")
    assert (status["server_status"], status["configuration_status"]) == ("0", "pending")
    assert api.ok("GET", "/config/keyword/2")["object"]["uncommitted"] == "0"
    assert api.ok("GET", "/config/keyword/1")["object"]["uncommitted"] == "1"


def test_409_while_a_synchronous_reload_runs() -> None:
    with serve(SimulatorConfig(reload_seconds=0.6)) as sim:
        token = requests.post(f"{sim.url}/login", json={"username": "admin", "password": "initial"}, timeout=5).json()[
            "token"
        ]
        headers = {"Accept": "application/json", "X-Opsview-Username": "admin", "X-Opsview-Token": token}
        answers: list[requests.Response] = []
        first = threading.Thread(
            target=lambda: answers.append(requests.post(f"{sim.url}/reload", headers=headers, timeout=5))
        )
        first.start()
        deadline = time.monotonic() + 5
        while requests.get(f"{sim.url}/reload", headers=headers, timeout=5).json()["server_status"] != "1":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        second = requests.post(f"{sim.url}/reload", headers=headers, timeout=5)
        assert second.status_code == 409 and second.json() == RUNNING
        first.join()
        assert answers[0].status_code == 200 and answers[0].json()["server_status"] == "0"


def test_a_failing_reload_keeps_the_changes_pending(api: ApiClient) -> None:
    api.ok("PUT", "/config/hostgroup/2", {"name": "Collectors"})
    forced = api.control("POST", "/reload_outcome", {"server_status": 3, "messages": ["Config error in host web01"]})
    assert forced["messages"] == [
        {"detail": "Config error in host web01", "monitoringserver": "Master Monitoring Server", "severity": "error"}
    ]
    answer = api.call("POST", "/reload")
    assert answer.status_code == 400
    assert (answer.json["server_status"], answer.json["configuration_status"]) == ("3", "pending")
    assert answer.json["messages"][0]["detail"] == "Config error in host web01"
    assert api.ok("GET", "/reload")["server_status"] == "3"
    assert api.ok("GET", "/config/hostgroup/2")["object"]["uncommitted"] == "1"
    assert api.ok("POST", "/reload")["server_status"] == "0"  # the outcome is forced once
    assert api.ok("GET", "/config/hostgroup/2")["object"]["uncommitted"] == "0"


def test_a_reload_with_warnings_succeeds(api: ApiClient) -> None:
    api.ok("PUT", "/config/hostgroup/2", {})
    message = {"detail": "Missing required variable EMAIL", "severity": "warning"}
    api.control("POST", "/reload_outcome", {"server_status": 4, "messages": [message]})
    answer = api.ok("POST", "/reload")
    assert (answer["server_status"], answer["configuration_status"]) == ("4", "uptodate")
    assert answer["messages"] == [{**message, "monitoringserver": "Master Monitoring Server"}]
    assert api.ok("GET", "/reload")["messages"] == answer["messages"]
    assert api.ok("POST", "/reload")["messages"] == []


def test_another_users_reload_and_change(api: ApiClient) -> None:
    clock = Clock()
    api.state.clock = clock
    run = api.control("POST", "/reloads", {"user": "alice", "seconds": 2}, status=201)
    assert run["user"] == "alice" and run["server_status"] == 1
    assert api.call("POST", "/reload").status_code == 409
    api.control("POST", "/reloads", {"user": "bob"}, status=409)
    clock.now += 2
    assert api.ok("GET", "/reload")["server_status"] == "0"
    change = api.control("POST", "/changes", {"user": "alice", "type": "host", "id": 1}, status=201)
    assert change["user"] == "alice"
    assert api.ok("GET", "/config/host/1")["object"]["uncommitted"] == "1"
    api.control("POST", "/changes", {"user": "alice"}, status=201)
    assert api.ok("GET", "/reload")["configuration_status"] == "pending"
    api.control("POST", "/changes", {"user": "alice", "type": "host", "id": 99}, status=404)
    for body in ({}, {"user": ""}, {"user": "a", "type": "nope"}, {"user": "a", "colour": 1}, []):
        api.control("POST", "/changes", body, status=400)
    for body in ({}, {"server_status": 1}, {"server_status": 3, "messages": "text"}):
        api.control("POST", "/reload_outcome", body, status=400)
