"""The Opsview simulator's control endpoints, its fault rules, the request log, and serving it (in a thread and
from the command line)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from checkmk_contract import REPO_ROOT

from tests.simulators.opsview import SimulatorConfig, serve
from tests.simulators.opsview.__main__ import parse_args
from tests.simulators.opsview.testing import ApiClient

NEEDS_OPENAPI = False  # these tests need no document of ../shared

STATE_KEYS = {
    "config", "hostgroups", "hosts", "hosttemplates", "keywords", "monitoringclusters", "configuration_status",
    "uncommitted", "changes", "reload", "reloads", "next_reload_outcome", "monitored", "downtimes",
    "downtime_commands", "tokens", "faults", "fault_rules", "request_counts", "requests",
}  # fmt: skip


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(reload_seconds=0, downtime_delay=0))


def test_state_shows_everything(api: ApiClient) -> None:
    api.ok("POST", "/config/host", {"name": "web01", "ip": "10.0.0.5"})
    state = api.control("GET", "/state")
    assert set(state) == STATE_KEYS
    assert [host["name"] for host in state["hosts"]] == ["opsview", "web01"]
    assert state["monitoringclusters"][0]["name"] == "Master Monitoring Server"
    assert {"Network - Base", "OS - Unix Base", "Application - HTTP"} <= {t["name"] for t in state["hosttemplates"]}
    assert (state["configuration_status"], state["uncommitted"]) == ("pending", {"host": ["web01"]})
    assert state["changes"][-1]["user"] == "admin" and state["tokens"] == 1
    assert state["config"] == {
        "users": ["admin"],
        "opsview_version": "6.8.8",
        "reload_seconds": 0,
        "downtime_delay": 0,
        "token_lifetime": 3600.0,
    }
    assert "web01" not in state["monitored"] and state["monitored"]["opsview"][:1] == ["Opsview - Application Status"]
    assert state["request_counts"] == {"POST /rest/login": 1, "POST /rest/config/host": 1}
    assert state["requests"][-1] == {"method": "POST", "path": "/rest/config/host", "status": 200}


def test_reset_forgets_everything_but_the_seed(api: ApiClient) -> None:
    api.ok("POST", "/config/host", {"name": "web01", "ip": "10.0.0.5"})
    api.control("POST", "/faults/rules", {"rules": [{"kind": "latency", "seconds": 0}]})
    assert api.control("POST", "/reset", status=204) is None
    state = api.control("GET", "/state")
    assert [host["name"] for host in state["hosts"]] == ["opsview"] and state["configuration_status"] == "uptodate"
    assert (state["tokens"], state["requests"], state["fault_rules"]["rules"]) == (0, [], [])
    assert api.call("GET", "/info").status_code == 401


def test_request_counts_by_route(api: ApiClient) -> None:
    api.ok("GET", "/config/host/1")
    api.ok("GET", "/config/host/1")
    api.ok("GET", "/config/hostgroup/1")
    api.call("GET", "/config/host/99")
    api.call("GET", "/no/such/thing")
    assert api.control("GET", "/request_counts") == {
        "POST /rest/login": 1,
        "GET /rest/config/host/{id}": 3,
        "GET /rest/config/hostgroup/{id}": 1,
    }
    assert api.control("GET", "/state")["requests"][-1] == {
        "method": "GET",
        "path": "/rest/no/such/thing",
        "status": 404,
    }
    api.control("DELETE", "/request_counts", status=204)
    assert api.control("GET", "/request_counts") == {}


def test_expired_tokens_and_timings(api: ApiClient) -> None:
    assert api.control("POST", "/expire_tokens") == {"expired": 1}
    assert api.call("GET", "/info").status_code == 401
    api.login()
    assert api.control("POST", "/config", {"reload_seconds": 2, "token_lifetime": 60}) == {
        "reload_seconds": 2,
        "downtime_delay": 0,
        "token_lifetime": 60,
    }
    assert api.ok("GET", "/reload")["average_duration"] == "10"
    for body in ({"reload_seconds": -1}, {"token_lifetime": 0}, {"colour": 1}, [1]):
        api.control("POST", "/config", body, status=400)


def test_fault_rules_on_api_requests(api: ApiClient) -> None:
    api.control(
        "POST",
        "/faults/rules",
        {"rules": [{"kind": "error", "status": 503, "methods": ["GET"], "every": 2, "count": 2}]},
    )
    statuses = [api.call("GET", "/config/host/1").status_code for _request in range(6)]
    assert statuses == [200, 503, 200, 503, 200, 200]
    api.control(
        "POST", "/faults/rules", {"rules": [{"kind": "error", "status": 502, "path": "^/config/host$", "after": True}]}
    )
    answer = api.call("POST", "/config/host", {"name": "web01", "ip": "10.0.0.5"})
    assert answer.status_code == 502 and answer.json == {"message": "Bad Gateway"}
    assert api.control("GET", "/state")["hosts"][-1]["name"] == "web01"  # processed all the same
    assert api.control("GET", "/state")["config"]  # control endpoints are never affected
    lifted = api.control("DELETE", "/faults")
    assert lifted["injected"] == 1 and lifted["rules"][0]["seen"] == 1
    assert api.control("GET", "/faults/rules") == {"rules": [], "injected": 0}
    assert api.control("POST", "/faults", {}) == {}
    api.control("POST", "/faults", {"silent": True}, status=400)
    refused = api.control("POST", "/faults/rules", {"rules": [{"kind": "nope", "every": 0}]}, status=400)
    assert set(refused["fields"]["rules"]["0"]) == {"kind", "every"}


def test_opsviews_own_fault_kinds(api: ApiClient) -> None:
    api.control(
        "POST",
        "/faults/rules",
        {"rules": [{"kind": "reload", "user": "alice", "seconds": 60, "path": "^/reload$", "methods": ["POST"]}]},
    )
    assert api.call("POST", "/reload").status_code == 409
    rules = api.control("GET", "/faults/rules")
    assert rules["rules"][0]["targets"] == ["reload 1"] and rules["rules"][0]["user"] == "alice"
    api.control("POST", "/reset", status=204)
    api.login()
    api.control("POST", "/faults/rules", {"rules": [{"kind": "change", "methods": ["PUT"], "count": 1}]})
    api.ok("PUT", "/config/keyword/2", {"description": "mine"})
    changes = api.control("GET", "/state")["changes"]
    assert [(change["user"], change["what"]) for change in changes] == [
        ("colleague", "changed keyword opsview"),
        ("admin", "updated keyword opsview"),
    ]


def test_dropped_connections_and_latency() -> None:
    with serve(SimulatorConfig()) as sim:
        rules = [
            {"kind": "drop", "path": "^/login$", "count": 1},
            {"kind": "latency", "seconds": 0.5, "path": "^/info$"},
        ]
        requests.post(f"{sim.server_url}/_simulator/faults/rules", json={"rules": rules}, timeout=5).raise_for_status()
        login = {"username": "admin", "password": "initial"}
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(f"{sim.url}/login", json=login, timeout=5)
        token = requests.post(f"{sim.url}/login", json=login, timeout=5).json()["token"]
        headers = {"Accept": "application/json", "X-Opsview-Username": "admin", "X-Opsview-Token": token}
        with pytest.raises(requests.exceptions.Timeout):
            requests.get(f"{sim.url}/info", headers=headers, timeout=0.2)
        assert sim.url == f"http://127.0.0.1:{sim.port}/rest" and sim.state.live_tokens() == 1


def test_the_command_line(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    command = [
        sys.executable,
        "tests/simulators/opsview/run.py",
        "--port",
        "0",
        "--port-file",
        str(port_file),
        "--reload-seconds",
        "0.1",
    ]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            deadline = time.monotonic() + 20
            while not port_file.exists():
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
            port = int(port_file.read_text(encoding="utf-8"))
            assert requests.get(f"http://127.0.0.1:{port}/rest", headers={"Accept": "application/json"}, timeout=5).ok
            assert (
                requests.get(f"http://127.0.0.1:{port}/_simulator/state", timeout=5).json()["config"]["reload_seconds"]
                == 0.1
            )
        finally:
            process.send_signal(signal.SIGTERM)
            output, _errors = process.communicate(timeout=10)
    assert process.returncode == 0
    assert output.strip() == f"Opsview simulator (6.8.8) listening on http://127.0.0.1:{port}/rest"


def test_command_line_arguments() -> None:
    args = parse_args(["--user", "ops", "--password", "pw", "--downtime-delay", "0"])
    assert (args.user, args.password, args.downtime_delay, args.reload_seconds) == ("ops", "pw", 0.0, 0.3)
    for wrong in (["--reload-seconds", "-1"], ["--tls-cert", "cert.pem"], ["--token-lifetime", "0"]):
        with pytest.raises(SystemExit):
            parse_args(wrong)
    with pytest.raises(ValueError):
        SimulatorConfig(reload_seconds=-1)
