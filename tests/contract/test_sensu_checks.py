"""Checks and check requests of the Sensu simulator as the server's source has them (sensu/sensu 1.9.0
lib/sensu/api/routes/{checks,request}.rb, lib/sensu/api/utilities/publish_check_request.rb), with the configuration
directory they come from (sensu-settings 10.17.0 loader.rb, validator.rb, validators/check.rb) and the reload
control that stands in for `systemctl reload sensu-enterprise` (Core: restarting sensu-server and sensu-api). What the
collection's sensu_check (files) and sensu_check_request modules and the sensu_changes role rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sensu_contract import NOW, advance, backend_down, empty, register, result, simulator, write_checks

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
HTTP = {
    "command": "check-http.rb -u http://:::address:::",
    "subscribers": ["web"],
    "interval": 60,
    "notification": "HTTP on :::name::: fails",
}
DISK = {"command": "check-disk.rb", "subscribers": ["linux"], "interval": 300}


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return write_checks(tmp_path / "conf.d", {"check_http": HTTP, "check_disk": DISK})


@pytest.fixture
def api(conf: Path) -> ApiClient:
    return simulator(conf)


def listed(api: ApiClient, **query: str) -> list[str]:
    return [check["name"] for check in api.ok("GET", "/checks", query=query or None)]


# --- /checks and /checks/:check ------------------------------------------------------------------------------------


def test_the_checks_of_the_settings_with_their_names(api: ApiClient) -> None:
    assert api.ok("GET", "/checks") == [{**HTTP, "name": "check_http"}, {**DISK, "name": "check_disk"}]
    assert api.ok("GET", "/checks/check_disk") == {**DISK, "name": "check_disk"}
    assert listed(api, limit="1", offset="1") == ["check_disk"]
    page = api.call("GET", "/checks", query={"limit": "1"})
    assert page.headers["X-Pagination"] == '{"limit":1,"offset":0,"total":2}'
    assert listed(api, **{"filter.interval": "300"}) == ["check_disk"]


def test_without_a_configuration_directory_there_are_no_checks() -> None:
    api = simulator()
    assert api.ok("GET", "/checks") == []
    assert api.call("GET", "/checks/check_http").status_code == 404
    assert api.call("POST", "/request", {"check": "check_http"}).status_code == 404


def test_a_name_inside_a_definition_is_overridden_by_its_key(tmp_path: Path) -> None:
    api = simulator(write_checks(tmp_path, {"check_http": {**HTTP, "name": "other"}}))
    assert api.ok("GET", "/checks/check_http")["name"] == "check_http"
    assert api.call("GET", "/checks/other").status_code == 404


@pytest.mark.parametrize("path", ["/checks/check http", "/checks/check_http/", "/checks/a/b"])
def test_names_outside_the_route_pattern_are_404(api: ApiClient, path: str) -> None:
    answer = api.call("GET", path)
    assert answer.status_code == 404 and empty(answer)


def test_delete_removes_every_registered_clients_result_and_history(api: ApiClient) -> None:
    """The result, history and last-OK keys of each registered client; the clients' result sets keep the name, the
    events stay (and so does the definition)."""
    register(api, "web01", "web")
    register(api, "web02", "web")
    for client in ("web01", "web02"):
        result(api, client, "check_http", 2)
        result(api, client, "check_disk", 0)
    assert api.ok("DELETE", "/checks/check_http", status=202) == {"issued": NOW}
    assert [(r["client"], r["check"]["name"]) for r in api.ok("GET", "/results")] == [
        ("web01", "check_disk"),
        ("web02", "check_disk"),
    ]
    keys = api.control("GET", "/state")["redis"]
    assert not [key for key in keys if key.startswith("history:") and "check_http" in key]
    assert keys["result:web01"]["value"] == ["check_http", "check_disk"]
    assert len(api.ok("GET", "/events")) == 2
    assert api.ok("DELETE", "/checks/never_defined", status=202) == {"issued": NOW}


# --- POST /request -------------------------------------------------------------------------------------------------


def test_a_request_reaches_the_subscribed_clients_once(api: ApiClient) -> None:
    """To each subscription of the check (or the request's), each subscribed client once; the client substitutes
    its attributes for the tokens of the check, but publishes the original command (sensu-client's
    execute_check_command); the result is the simulated execution's."""
    register(api, "web01", "web", "linux")
    register(api, "web02", "web")
    register(api, "db01", "linux")
    assert api.ok("POST", "/request", {"check": "check_http", "subscribers": ["web", "linux"]}, status=202) == {
        "issued": NOW
    }
    [request] = api.state.check_requests
    assert request == {
        "check": "check_http",
        "subscribers": ["web", "linux"],
        "api_requested": {"reason": None, "creator": None},
        "issued": NOW,
        "proxy_requests": False,
        "clients": ["web01", "web02", "db01"],
    }
    ran = api.ok("GET", "/results/db01/check_http")["check"]
    assert ran["notification"] == "HTTP on db01 fails" and ran["command"] == HTTP["command"]
    assert ran["issued"] == NOW and ran["output"] == "check_http OK: simulated execution\n"
    assert ran["interval"] == 60  # not in the request: the server merges its definition into the result


def test_roundrobin_and_direct_subscriptions_reach_one_client(api: ApiClient) -> None:
    register(api, "web01", "roundrobin:web")
    register(api, "web02", "roundrobin:web")
    api.ok("POST", "/request", {"check": "check_http", "subscribers": ["roundrobin:web"]}, status=202)
    api.ok("POST", "/request", {"check": "check_http", "subscribers": ["client:web02"]}, status=202)
    assert [request["clients"] for request in api.state.check_requests] == [["web01"], ["web02"]]


def test_a_check_without_subscribers_reaches_nobody(tmp_path: Path) -> None:
    """A standalone check can be requested (request.rb looks at every check): no subscribers, nobody runs it."""
    api = simulator(write_checks(tmp_path, {"local": {"command": "true", "standalone": True, "interval": 60}}))
    register(api, "web01", "web")
    assert api.ok("POST", "/request", {"check": "local"}, status=202) == {"issued": NOW}
    assert api.state.check_requests[0]["subscribers"] == [] and api.state.check_requests[0]["clients"] == []


def test_proxy_requests_run_once_per_matching_client(tmp_path: Path) -> None:
    proxy = {
        "command": "check-ping -H :::address:::",
        "subscribers": ["poller"],
        "interval": 60,
        "proxy_requests": {"client_attributes": {"keepalives": False, "device": "switch"}},
    }
    api = simulator(write_checks(tmp_path, {"ping": proxy}))
    register(api, "poller01", "poller")
    register(api, "sw1", device="switch", address="192.0.2.1")
    register(api, "sw2", device="switch", address="192.0.2.2")
    api.ok("POST", "/request", {"check": "ping"}, status=202)
    assert api.state.check_requests[0]["proxied"] == ["sw1", "sw2"]
    ran = api.ok("GET", "/results/sw2/ping")["check"]  # tokens of the proxied client, run by the poller
    assert (ran["command"], ran["source"], ran["origin"]) == ("check-ping -H 192.0.2.2", "sw2", "poller01")


def test_a_request_while_the_transport_is_down_is_500(api: ApiClient) -> None:
    backend_down(api, transport=False)
    answer = api.call("POST", "/request", {"check": "check_http"})
    assert (answer.status_code, answer.json) == (500, {"error": "not connected to transport"})
    assert api.state.check_requests == []


# --- The configuration directory and its reload ----------------------------------------------------------------


def test_the_directory_is_read_recursively_in_path_order_and_merged(tmp_path: Path) -> None:
    """Every `*.json` below the directory (dot files and other names skipped, a BOM dropped, an empty file `{}`),
    deep-merged: hashes merged, arrays concatenated without duplicates, other values replaced by later files."""
    conf = write_checks(tmp_path / "conf.d", {"check_http": HTTP}, "10-http.json")
    write_checks(conf / "more", {"check_http": {"subscribers": ["web", "edge"], "interval": 30}}, "20-http.json")
    write_checks(conf, {"check_http": {"interval": 10}}, ".hidden.json")
    write_checks(conf, {"check_http": {"interval": 20}}, "notes.json.bak")
    (conf / "30-empty.json").write_text("", encoding="utf-8")
    (conf / "40-bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"checks": {"check_disk": DISK}}).encode())
    api = simulator(conf)
    merged = {**HTTP, "subscribers": ["web", "edge"], "interval": 30, "name": "check_http"}
    assert api.ok("GET", "/checks/check_http") == merged
    assert listed(api) == ["check_http", "check_disk"]
    assert [Path(file).name for file in api.control("GET", "/state")["files"]] == [
        "10-http.json",
        "30-empty.json",
        "40-bom.json",
        "20-http.json",
    ]


def test_a_reload_reads_the_directory_again(api: ApiClient, conf: Path) -> None:
    write_checks(
        conf, {"check_ntp": {"command": "check-ntp", "subscribers": ["linux"], "cron": "*/5 * * * *"}}, "ntp.json"
    )
    (conf / "checks.json").unlink()
    assert listed(api) == ["check_http", "check_disk"]  # read at start only
    advance(api, 60)
    outcome = api.control("POST", "/reload")
    assert outcome == {
        "ok": True,
        "at": NOW + 60,
        "files": [str(conf / "ntp.json")],
        "errors": [],
        "checks": ["check_ntp"],
    }
    assert listed(api) == ["check_ntp"]
    state = api.control("GET", "/state")
    assert (state["reloads"], state["last_reload"]) == (1, outcome)


def test_a_reload_can_switch_the_directory(api: ApiClient, tmp_path: Path) -> None:
    other = write_checks(
        tmp_path / "other", {"check_load": {"command": "check-load", "subscribers": ["linux"], "interval": 60}}
    )
    assert api.control("POST", "/reload", {"conf_dir": str(other)})["checks"] == ["check_load"]
    assert listed(api) == ["check_load"]
    assert api.control("GET", "/state")["config"]["conf_dir"] == str(other)
    api.control("POST", "/reset", status=204)  # back to the command line's directory
    assert listed(api) == ["check_http", "check_disk"]


def test_a_file_that_is_not_json_keeps_the_previous_checks(api: ApiClient, conf: Path) -> None:
    """Loading stops at the file (`config file must be valid json`), nothing is validated; the API keeps the
    settings it had (Enterprise refuses the reload; Core would not start): 409 with the error."""
    (conf / "broken.json").write_text('{"checks": {"check_ntp": ', encoding="utf-8")
    write_checks(conf, {"check_ntp": {"command": "check-ntp"}}, "zz-invalid-too.json")
    outcome = api.control("POST", "/reload", status=409)
    assert outcome["ok"] is False and outcome["checks"] == ["check_http", "check_disk"]
    [error] = outcome["errors"]
    assert (error["message"], error["file"]) == ("config file must be valid json", str(conf / "broken.json"))
    assert listed(api) == ["check_http", "check_disk"]
    assert api.ok("POST", "/request", {"check": "check_http"}, status=202)


def test_an_invalid_definition_keeps_the_previous_checks_with_every_message(api: ApiClient, conf: Path) -> None:
    """Validation reports every failure, each with the object that failed (the check with its name)."""
    bad = {
        "check_ntp": {"command": "check-ntp", "subscribers": ["linux"]},
        "check bad": {"command": "x", "extension": "y", "subscribers": "linux", "interval": 60},
        "check_ttl": {"command": "x", "subscribers": [], "interval": 60, "ttl": 0},
    }
    write_checks(conf, bad, "new.json")
    outcome = api.control("POST", "/reload", status=409)
    assert [(error["object"]["name"], error["message"]) for error in outcome["errors"]] == [
        ("check_ntp", "check interval must be an integer greater than 0"),
        ("check bad", "check name cannot contain spaces or special characters"),
        ("check bad", "either check command or extension must be set"),
        ("check bad", "check subscribers must be an array"),
        ("check_ttl", "check ttl must be greater than 0"),
    ]
    assert listed(api) == ["check_http", "check_disk"]
    (conf / "new.json").unlink()
    assert api.control("POST", "/reload")["ok"] is True


def test_a_missing_directory_cannot_be_loaded(api: ApiClient, tmp_path: Path) -> None:
    outcome = api.control("POST", "/reload", {"conf_dir": str(tmp_path / "missing")}, status=409)
    assert outcome["errors"] == [
        {"message": "insufficient permissions for loading", "directory": str(tmp_path / "missing")}
    ]
    assert listed(api) == ["check_http", "check_disk"]


@pytest.mark.parametrize("body", [{"conf_dir": ""}, {"conf_dir": 5}, {"directory": "/etc"}, [1]], ids=str)
def test_the_reload_control_refuses_bad_bodies(api: ApiClient, body: object) -> None:
    answer = api.client.post("/_simulator/reload", json=body)
    assert answer.status_code == 400 and answer.json["message"] == "Invalid body"
