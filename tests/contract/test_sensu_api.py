"""The HTTP conventions of the Sensu simulator as the server's source has them (sensu/sensu 1.9.0
lib/sensu/api/http_handler.rb and routes.rb: authentication, connections, routing, headers, query parameters), the
installation's endpoints (routes/{info,health,settings}.rb), the data the server keeps besides clients and silences
(routes/{results,events,resolve,stashes}.rb), and the control endpoints the tests drive time and connections with."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sensu_contract import CORS, NOW, advance, backend_down, cors, empty, register, result, simulator, write_checks

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared


@pytest.fixture
def api() -> ApiClient:
    return simulator()


@pytest.fixture
def secured() -> ApiClient:
    return simulator(user="admin", password="secret")


def basic(token: str) -> dict[str, str]:
    return {"Authorization": f"Basic {token}"}


def encoded(credentials: str) -> str:
    return base64.b64encode(credentials.encode()).decode()


# --- Authentication --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers,status",
    [
        ({}, 401),
        (basic(encoded("admin:secret")), 200),
        (basic(encoded("admin:secret").rstrip("=")), 200),  # decode64 does without the padding
        (basic(encoded("admin:secret:")), 200),  # split(":") drops the trailing empty part
        (basic(encoded("admin:secret:more")), 200),  # and takes the first two parts
        (basic(encoded("admin:wrong")), 401),
        (basic(encoded("admin")), 401),
        ({"Authorization": "basic " + encoded("admin:secret")}, 401),  # the scheme is "Basic", exactly
        ({"Authorization": "Bearer " + encoded("admin:secret")}, 401),
        ({"Authorization": "Basic"}, 500),  # Base64.decode64(nil) raises
    ],
    ids=str,
)
def test_basic_credentials(secured: ApiClient, headers: dict[str, str], status: int) -> None:
    answer = secured.client.get("/clients", headers=headers)
    assert answer.status_code == status and (status == 200 or empty(answer))
    if status == 401:
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="Restricted Area"'
    assert cors(answer) == CORS


def test_options_needs_no_credentials_and_answers_any_path(secured: ApiClient) -> None:
    for path in ("/clients", "/nowhere", "/silenced/clear"):
        answer = secured.client.options(path)
        assert answer.status_code == 200 and empty(answer) and cors(answer) == CORS, path


def test_authentication_comes_before_the_connection_check(secured: ApiClient) -> None:
    backend_down(secured)
    assert secured.client.get("/clients").status_code == 401
    assert secured.call("GET", "/clients").status_code == 500


# --- Connections, routing, headers -----------------------------------------------------------------------------


def test_a_lost_connection_fails_every_route_but_info_and_health(api: ApiClient) -> None:
    """connected? comes before routing: unknown paths and OPTIONS are 500 too; the transport's message wins when
    both are down; /health says what is missing (412)."""
    backend_down(api, redis=False)
    for method, path in (("GET", "/nowhere"), ("OPTIONS", "/clients"), ("POST", "/request"), ("GET", "/stashes")):
        answer = api.call(method, path)
        assert (answer.status_code, answer.json) == (500, {"error": "not connected to redis"}), (method, path)
    backend_down(api, redis=False, transport=False)
    assert api.call("GET", "/clients").json == {"error": "not connected to transport"}
    health = api.call("GET", "/health")
    assert (health.status_code, health.json) == (412, ["not connected to redis", "not connected to transport"])
    info = api.ok("GET", "/info")
    assert info["redis"] == {"connected": False} and info["servers"] == []
    assert info["transport"] == {
        "name": "rabbitmq",
        "keepalives": {"messages": None, "consumers": None},
        "results": {"messages": None, "consumers": None},
        "connected": False,
    }
    backend_down(api, redis=True, transport=True)
    assert api.ok("GET", "/clients") == []


@pytest.mark.parametrize(
    "method,path,allow",
    [
        ("PUT", "/clients", "GET, HEAD, POST"),
        ("POST", "/clients/web01", "GET, HEAD, DELETE"),
        ("DELETE", "/silenced", "GET, HEAD, POST"),
        ("GET", "/silenced/clear", "POST"),
        ("PATCH", "/stashes/a/b", "GET, HEAD, POST, DELETE"),
        ("GET", "/request", "POST"),
        ("DELETE", "/checks", "GET, HEAD"),
    ],
)
def test_wrong_methods_are_405_with_the_methods_whose_routes_match(
    api: ApiClient, method: str, path: str, allow: str
) -> None:
    answer = api.call(method, path)
    assert answer.status_code == 405 and empty(answer)
    assert answer.headers["Allow"] == allow


@pytest.mark.parametrize("path", ["/", "/client", "/clients/", "/clients/web01/events", "/v1/clients", "/Info"])
def test_paths_no_route_matches_are_404(api: ApiClient, path: str) -> None:
    answer = api.call("PUT", path)
    assert answer.status_code == 404 and empty(answer) and "Allow" not in answer.headers


def test_head_is_get_without_a_body(api: ApiClient) -> None:
    register(api, "web01")
    head = api.call("HEAD", "/clients", query={"limit": "1"})
    assert head.status_code == 200 and head.data == b"" and head.headers["X-Pagination"]
    assert api.call("HEAD", "/clients/web02").status_code == 404


def test_the_request_id_and_cors_headers_on_every_answer(api: ApiClient, tmp_path: Path) -> None:
    answer = api.call("GET", "/nowhere", headers={"X-Request-ID": "abc-123"})
    assert answer.headers["X-Request-ID"] == "abc-123" and cors(answer) == CORS
    assert len(api.call("GET", "/clients").headers["X-Request-ID"]) == 36  # a random UUID
    conf = write_checks(tmp_path, {})
    (conf / "api.json").write_text(json.dumps({"api": {"cors": {"Origin": "https://uchiwa.example"}}}))
    assert cors(simulator(conf).call("GET", "/info")) == {"Access-Control-Allow-Origin": "https://uchiwa.example"}


def test_an_empty_query_pair_gets_no_answer(api: ApiClient) -> None:
    """`a=1&&b=2`: parse_parameters raises before the response exists; the real server never answers (in-process,
    the simulator's marked 500)."""
    answer = api.call("GET", "/clients?limit=1&&offset=0")
    assert answer.status_code == 500 and answer.headers["X-Simulator-No-Answer"] == "true"


# --- Info, health, settings ------------------------------------------------------------------------------------


def test_info(api: ApiClient) -> None:
    api.control("POST", "/backend", {"keepalives": {"messages": 3}})
    info = api.ok("GET", "/info")
    assert info["sensu"]["version"] == "1.9.0" and len(info["sensu"]["settings"]["hexdigest"]) == 64
    assert info["transport"] == {
        "name": "rabbitmq",
        "keepalives": {"messages": 3, "consumers": 1},
        "results": {"messages": 0, "consumers": 1},
        "connected": True,
    }
    assert info["redis"] == {"connected": True}
    [server] = info["servers"]
    assert set(server) == {"id", "hostname", "address", "tasks", "metrics", "sensu", "tessen", "timestamp"}
    enterprise = simulator(flavour="enterprise").ok("GET", "/info")["sensu"]
    assert enterprise["version"] == "1.9.0" and enterprise["enterprise"] == {"version": "3.7.0"}


def test_health(api: ApiClient) -> None:
    assert api.call("GET", "/health").status_code == 204
    api.control("POST", "/backend", {"keepalives": {"messages": 5}, "results": {"consumers": 0}})
    answer = api.call("GET", "/health", query={"consumers": "1", "messages": "2"})
    assert (answer.status_code, answer.json) == (
        412,
        [
            "result consumers (0) less than min_consumers (1)",
            "keepalive messages (5) greater than max_messages (2)",
        ],
    )
    assert api.call("GET", "/health", query={"consumers": "0", "messages": "5"}).status_code == 204
    assert api.call("GET", "/health", query={"consumers": "x"}).status_code == 204  # not digits: not asked


def test_settings_are_redacted_unless_asked_not_to(tmp_path: Path) -> None:
    conf = write_checks(tmp_path, {"check_http": {"command": "x", "subscribers": ["web"], "interval": 60}})
    (conf / "api.json").write_text(json.dumps({"api": {"user": "admin", "password": "secret", "port": 4567}}))
    api = simulator(conf)
    settings = api.ok("GET", "/settings")
    assert settings["api"]["password"] == "REDACTED" and settings["api"]["user"] == "admin"
    assert settings["checks"] == {"check_http": {"command": "x", "subscribers": ["web"], "interval": 60}}
    assert set(settings) >= {"client", "sensu", "transport", "checks", "filters", "mutators", "handlers", "api"}
    assert api.ok("GET", "/settings", query={"redacted": "false"})["api"]["password"] == "secret"
    assert api.ok("GET", "/settings", query={"redacted": "no"})["api"]["password"] == "REDACTED"


# --- Results and events ----------------------------------------------------------------------------------------


def test_posted_results_are_the_api_clients_or_their_sources(api: ApiClient) -> None:
    """For the client "sensu-api" (made if need be), or for the check's `source` (a proxy client made for it);
    `executed` and `issued` are now; a non-OK status makes an event."""
    api.ok("POST", "/results", {"name": "backup", "output": "failed", "status": 2}, status=202)
    api.ok("POST", "/results", {"name": "ping", "output": "ok", "source": "switch01"}, status=202)
    assert api.ok("GET", "/clients/sensu-api")["address"] == "unknown"
    assert api.ok("GET", "/clients/switch01")["type"] == "proxy"
    stored = api.ok("GET", "/results/sensu-api/backup")
    assert stored["client"] == "sensu-api"
    assert {key: stored["check"][key] for key in ("status", "executed", "issued", "history")} == {
        "status": 2,
        "executed": NOW,
        "issued": NOW,
        "history": [2],
    }
    assert [event["check"]["name"] for event in api.ok("GET", "/events")] == ["backup"]
    assert [r["check"]["name"] for r in api.ok("GET", "/results/switch01")] == ["ping"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "backup"},
        {"output": "x"},
        {"name": "back up", "output": "x"},
        {"name": "b", "output": "x", "status": "2"},
        {"name": "b", "output": "x", "executed": 1.5},
        ["x"],
    ],
    ids=str,
)
def test_results_the_check_validator_refuses_are_400(api: ApiClient, body: object) -> None:
    answer = api.call("POST", "/results", body)
    assert answer.status_code == 400 and empty(answer)
    assert api.ok("GET", "/results") == []


def test_results_and_events_of_a_client(api: ApiClient) -> None:
    register(api, "web01")
    result(api, "web01", "check_http", 1)
    result(api, "web01", "check_disk", 0)
    assert [r["check"]["name"] for r in api.ok("GET", "/results/web01")] == ["check_http", "check_disk"]
    assert api.call("GET", "/results/web01/check_ntp").status_code == 404
    event = api.ok("GET", "/events/web01/check_http")
    assert set(event) == {
        "id",
        "client",
        "check",
        "occurrences",
        "occurrences_watermark",
        "last_ok",
        "action",
        "timestamp",
        "last_state_change",
        "silenced",
        "silenced_by",
    }
    assert api.ok("GET", "/incidents/web01") == api.ok("GET", "/events/web01") == [event]
    assert api.call("GET", "/events/web01/check_disk").status_code == 404
    assert api.ok("DELETE", "/results/web01/check_disk", status=204) is None
    assert [r["check"]["name"] for r in api.ok("GET", "/results")] == ["check_http"]


# --- Stashes ---------------------------------------------------------------------------------------------------


def test_stashes_paths_ttls_and_pages(api: ApiClient) -> None:
    api.ok("POST", "/stashes", {"path": "silence/web01", "content": {"by": "x"}, "expire": 60}, status=201)
    assert api.ok("POST", "/stash/any%20path/x", {"a": 1}, status=201) == {"path": "any path/x"}
    assert api.ok("GET", "/stashes/any path/x") == {"a": 1}
    advance(api, 30)
    assert [(s["path"], s["expire"]) for s in api.ok("GET", "/stashes")] == [("silence/web01", 30), ("any path/x", -1)]
    page = api.call("GET", "/stashes", query={"limit": "1", "offset": "1"})
    assert [s["path"] for s in page.json] == ["any path/x"]
    assert page.headers["X-Pagination"] == '{"limit":1,"offset":1,"total":2}'
    empty_page = api.call("GET", "/stashes", query={"limit": "1", "offset": "5"})
    assert empty_page.headers.get("X-Simulator-No-Answer") == "true"  # the real server never answers
    advance(api, 31)
    assert [s["path"] for s in api.ok("GET", "/stashes")] == ["any path/x"]
    assert api.call("GET", "/stashes/silence/web01").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"path": "a", "content": []},
        {"path": 1, "content": {}},
        {"content": {}},
        {"path": "a", "content": {}, "expire": "60"},
        ["x"],
    ],
    ids=str,
)
def test_stash_bodies_are_checked(api: ApiClient, body: object) -> None:
    answer = api.call("POST", "/stashes", body)
    assert answer.status_code == 400 and empty(answer)
    assert api.call("POST", "/stashes/a", ["not", "a", "hash"]).status_code == 400


# --- The clock -------------------------------------------------------------------------------------------------


def test_the_clock_control(api: ApiClient) -> None:
    """Time only moves forward, and moves epochs, TTLs and pending deletions alike."""
    assert api.control("POST", "/clock", {"advance": 90.5}) == {"now": NOW + 90.5, "offset": 90.5}
    register(api, "web01")
    assert api.ok("GET", "/clients/web01")["timestamp"] == NOW + 90
    for body in ({"advance": -1}, {}, {"advance": "1"}, {"advance": 1, "to": 2}):
        answer = api.client.post("/_simulator/clock", json=body)
        assert answer.status_code == 400 and answer.json["message"] == "Invalid body", body
    assert api.control("GET", "/state")["now"] == NOW + 90.5
    api.control("POST", "/reset", status=204)
    assert api.control("GET", "/state")["clock_offset"] == 0
