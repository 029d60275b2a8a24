"""The Sensu simulator against the API contract's section 3 (../shared/contracts/opsview-openitcockpit-sensu.md:
authentication, clients, silencing, checks and the other endpoints of the 4567 API). Each statement is read from the
document where it writes one out (its JSON examples, the statuses it names) and checked against the simulator. Where
the server's source (sensu/sensu 1.9.0) says otherwise, the test asserts the source's behaviour and says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sensu_contract import (
    CONTRACT,
    DELAY,
    NOW,
    advance,
    backend_down,
    contract_examples,
    contract_text,
    empty,
    example,
    register,
    result,
    simulator,
    write_checks,
)

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False
NEEDS_SHARED = (CONTRACT,)
CHECKS = {
    "check_http": {"command": "check-http.rb -u http://localhost", "subscribers": ["web"], "interval": 60},
    "chef_client_process": {"command": "check-procs.rb -p chef-client", "subscribers": ["production"], "interval": 60},
    "local_disk": {"command": "check-disk.rb", "standalone": True, "interval": 60},
}


@pytest.fixture
def api(tmp_path: Path) -> ApiClient:
    return simulator(write_checks(tmp_path / "conf.d", CHECKS))


def silences(api: ApiClient) -> dict[str, dict[str, object]]:
    return {entry["id"]: entry for entry in api.ok("GET", "/silenced")}


# --- 3.1 Authentication and errors ---------------------------------------------------------------------------------


def test_basic_auth_when_the_settings_name_a_user(tmp_path: Path) -> None:
    """api.user and api.password of the configuration directory switch Basic auth on; a failure is 401 with the
    realm and no body; OPTIONS needs no credentials (authorized?)."""
    text = contract_text("### 3.1 Authentication")
    assert "optional HTTP **Basic** auth if `api.user`+`api.password` are set" in text
    assert 'Failure → **401**, `WWW-Authenticate: Basic realm="Restricted Area"`, **empty body**' in text
    conf = write_checks(tmp_path, CHECKS)
    (conf / "api.json").write_text(json.dumps({"api": {"user": "admin", "password": "secret"}}), encoding="utf-8")
    api = simulator(conf)
    assert api.auth == ("admin", "secret")
    assert api.ok("GET", "/checks")  # ApiClient sends the credentials
    for headers in ({"Authorization": "Basic " + "YWRtaW46d3Jvbmc="}, {"Authorization": "Bearer x"}, {}):
        answer = api.client.get("/clients", headers=headers)
        assert answer.status_code == 401 and answer.data == b"", headers
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="Restricted Area"'
    assert api.client.options("/clients").status_code == 200
    assert simulator(write_checks(tmp_path / "open", CHECKS)).client.get("/clients").status_code == 200


def test_a_lost_connection_is_500_with_the_documented_error(api: ApiClient) -> None:
    """`500 {"error":"not connected to redis"}` (or `"…transport"`), on every route but /info and /health."""
    assert 'returns `500 {"error":"not connected to redis"}` (or `"…transport"`)' in contract_text()
    documented = example("error")
    backend_down(api, redis=False)
    for method, path in (("GET", "/clients"), ("POST", "/silenced"), ("GET", "/checks"), ("DELETE", "/clients/x")):
        answer = api.call(method, path, {})
        assert (answer.status_code, answer.json) == (500, documented), path
    assert api.call("GET", "/info").status_code == 200
    backend_down(api, redis=True, transport=False)
    assert api.call("GET", "/clients").json == {"error": "not connected to transport"}


def test_unknown_routes_are_404_and_wrong_methods_405_with_allow(api: ApiClient) -> None:
    assert (
        "Unknown route → 404; wrong method → 405 with an `Allow` header. Every error body is empty" in contract_text()
    )
    unknown = api.call("GET", "/hosts")
    assert unknown.status_code == 404 and empty(unknown)
    wrong = api.call("PUT", "/clients", {"name": "web01"})
    assert wrong.status_code == 405 and empty(wrong) and wrong.headers["Allow"] == "GET, HEAD, POST"


# --- 3.2 Clients -------------------------------------------------------------------------------------------------


def test_post_clients_is_an_upsert_of_the_whole_object(api: ApiClient) -> None:
    """The documented body: 201 `{"name"}`; the server adds `keepalives:false`, `version`, `timestamp` and the
    subscription `client:<name>`; posting again replaces the whole object."""
    text = contract_text("### 3.2 Clients")
    assert '→ **201 `{"name":"gateway-router"}`**. The server adds `keepalives:false`' in text
    assert "and appends the subscription **`client:<name>`**" in text
    body = example("name", "address", "subscriptions", "environment")
    assert api.ok("POST", "/clients", body, status=201) == example("name")
    assert api.ok("GET", "/clients/gateway-router") == {
        **body,
        "subscriptions": [*body["subscriptions"], "client:gateway-router"],
        "keepalives": False,
        "version": "1.9.0",
        "timestamp": NOW,
    }
    later = advance(api, 60)
    api.ok("POST", "/clients", {"name": "gateway-router", "address": "192.168.0.2"}, status=201)
    assert api.ok("GET", "/clients/gateway-router") == {
        "name": "gateway-router",
        "address": "192.168.0.2",
        "keepalives": False,
        "version": "1.9.0",
        "timestamp": later,
        "subscriptions": ["client:gateway-router"],
    }  # environment and the other subscriptions are gone: the object was replaced


@pytest.mark.parametrize(
    "change",
    [
        {"name": "gateway router"},
        {"name": "gateway/router"},
        {"name": None},
        {"address": None},
        {"address": 192},
        {"subscriptions": "network"},
        {"subscriptions": ["network", ""]},
        {"keepalive": {"handlers": "default"}},
        {"registration": {"handler": "registration", "status": "1"}},
    ],
    ids=str,
)
def test_an_invalid_client_is_400_with_an_empty_body(api: ApiClient, change: dict[str, object]) -> None:
    """The rules the contract names: name a string matching `\\A[\\w\\.-]+\\z`, address a string (required),
    subscriptions an array of strings, keepalive and registration hashes validated."""
    assert "Invalid → **400, empty body**" in contract_text("### 3.2 Clients")
    body = {**example("name", "address", "subscriptions", "environment"), **change}
    body = {key: value for key, value in body.items() if value is not None}
    answer = api.call("POST", "/clients", body)
    assert answer.status_code == 400 and empty(answer)
    assert api.ok("GET", "/clients") == []


def test_the_pagination_header_as_documented(api: ApiClient) -> None:
    documented = example("limit", "offset", "total")
    assert f"X-Pagination: {json.dumps(documented, separators=(',', ':'))}" in contract_text()
    for name in ("web01", "web02", "web03"):
        register(api, name)
    answer = api.call("GET", "/clients", query={"limit": "1", "offset": "1"})
    assert answer.headers["X-Pagination"] == '{"limit":1,"offset":1,"total":3}'
    assert list(json.loads(answer.headers["X-Pagination"])) == list(documented)
    assert [client["name"] for client in answer.json] == ["web02"]
    assert "X-Pagination" not in api.call("GET", "/clients").headers


def test_filtering_by_attribute(api: ApiClient) -> None:
    """`?filter.environment=production`. The contract says "string attrs only": the source
    (attributes_match?) also matches other values by their text, so `filter.keepalives=false` finds the API's
    clients."""
    assert "Filtering: `?filter.environment=production` (string attrs only)" in contract_text()
    register(api, "web01", environment="production")
    register(api, "web02", environment="staging")
    found = api.ok("GET", "/clients", query={"filter.environment": "production"})
    assert [client["name"] for client in found] == ["web01"]
    assert len(api.ok("GET", "/clients", query={"filter.keepalives": "false"})) == 2


def test_one_client_or_404(api: ApiClient) -> None:
    assert "`GET /clients/:name` → object | 404 (empty body). Names must match `[\\w\\.-]+`." in contract_text()
    register(api, "web-01.example")
    assert api.ok("GET", "/clients/web-01.example")["name"] == "web-01.example"
    for path in ("/clients/web02", "/clients/web%2001"):
        answer = api.call("GET", path)
        assert answer.status_code == 404 and empty(answer), path


def test_deletion_is_202_and_delayed(api: ApiClient) -> None:
    """202 `{"issued"}`; the events are resolved first, the client leaves the registry a moment later (the
    simulator's --delete-delay); an unknown client is 404."""
    assert '→ **202 `{"issued":1538...}`**. Deletion is delayed' in contract_text()
    register(api, "web01")
    result(api, "web01", "check_http", 2)
    assert api.ok("DELETE", "/clients/web01", status=202) == {"issued": NOW}
    assert api.call("GET", "/events/web01/check_http").status_code == 404  # resolved at once
    assert api.ok("GET", "/clients/web01")["name"] == "web01"
    advance(api, DELAY)
    assert api.call("GET", "/clients/web01").status_code == 404
    assert api.call("DELETE", "/clients/web01").status_code == 404


def test_a_live_client_comes_back_unless_invalidated(api: ApiClient) -> None:
    """ "A live sensu-client re-registers on its next keepalive unless it is invalidated (signature)": invalidated
    until the client is gone, or `invalidate_expire` seconds longer."""
    assert "re-registers on its next keepalive unless it is invalidated" in contract_text()
    api.control("POST", "/clients", {"client": {"name": "web01", "address": "192.0.2.1"}}, status=201)
    api.ok("DELETE", "/clients/web01", status=202)
    advance(api, DELAY)
    assert api.control("POST", "/keepalives") == {"registered": ["web01"], "refused": []}
    api.ok("DELETE", "/clients/web01", query={"invalidate": "true", "invalidate_expire": "3600"}, status=202)
    assert api.control("POST", "/keepalives") == {"registered": [], "refused": ["web01"]}
    advance(api, DELAY)
    assert api.call("GET", "/clients/web01").status_code == 404
    assert api.control("POST", "/keepalives") == {"registered": [], "refused": ["web01"]}
    advance(api, 3601)  # the signature's hour is over (Redis: a key expires once its time is past)
    assert api.control("POST", "/keepalives") == {"registered": ["web01"], "refused": []}


def test_the_history_of_a_client(api: ApiClient) -> None:
    assert "`GET /clients/:name/history` → per-check history" in contract_text()
    register(api, "web01")
    for status in (0, 2, 0):
        result(api, "web01", "check_http", status)
    [history] = api.ok("GET", "/clients/web01/history")
    assert history["check"] == "check_http" and history["history"] == [0, 2, 0]
    assert history["last_status"] == 0 and history["last_execution"] == NOW
    assert history["last_result"]["output"] == "check_http says 0"


# --- 3.3 Silencing -----------------------------------------------------------------------------------------------


def test_the_documented_silence(api: ApiClient) -> None:
    """201 with an empty body; the id `<subscription|*>:<check|*>`; a `begin` ahead lengthens the time to live by
    `begin - now`."""
    text = contract_text("### 3.3 Silencing")
    assert "If `begin` is in the future, the TTL is extended by `begin-now`" in text
    assert "→ **201, empty body** (4567)" in text
    body = example("subscription", "check", "begin", "expire", "expire_on_resolve", "reason", "creator")
    answer = api.call("POST", "/silenced", body)
    assert answer.status_code == 201 and empty(answer)
    entry = silences(api)["client:web01:check_http"]
    assert entry["expire"] == body["expire"] + body["begin"] - NOW
    assert {key: entry[key] for key in body if key != "expire"} == {k: v for k, v in body.items() if k != "expire"}


def test_a_listed_silence_is_as_documented(api: ApiClient) -> None:
    """The documented entry: a host's silence without a check, 70 seconds into its hour."""
    documented = example(
        "id", "subscription", "check", "begin", "expire", "expire_on_resolve", "creator", "reason", "timestamp"
    )
    assert "(`expire` = remaining TTL seconds, or -1 for none)" in contract_text()
    body = {"subscription": "client:web01", "expire": 3600, "reason": "patching", "creator": "ansible"}
    api.ok("POST", "/silenced", body, status=201)
    advance(api, 70)
    assert api.ok("GET", "/silenced") == [{**documented, "timestamp": NOW}]
    api.ok("POST", "/silenced", {"check": "check_http"}, status=201)
    assert silences(api)["*:check_http"]["expire"] == -1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "patching"},
        {"subscription": "client web01"},
        {"check": "check:http"},
        {"subscription": 1},
        {"check": "check_http", "expire": "3600"},
        {"check": "check_http", "begin": 1.5},
        {"check": "check_http", "expire_on_resolve": "yes"},
    ],
    ids=str,
)
def test_a_silence_needs_a_subscription_or_a_check(api: ApiClient, body: dict[str, object]) -> None:
    text = contract_text("### 3.3 Silencing")
    assert "Needs `subscription` or `check` (else 400). Regexes: subscription `[\\w.\\-:]+`, check `[\\w.-]+`" in text
    answer = api.call("POST", "/silenced", body)
    assert answer.status_code == 400 and empty(answer)
    assert api.ok("GET", "/silenced") == []


def test_posting_the_same_id_again_overwrites_it_and_its_ttl(api: ApiClient) -> None:
    assert "POSTing again with the same id **overwrites** it (idempotent key) and resets the TTL" in contract_text()
    api.ok("POST", "/silenced", {"subscription": "client:web01", "expire": 600, "reason": "first"}, status=201)
    advance(api, 500)
    assert silences(api)["client:web01:*"]["expire"] == 100
    api.ok("POST", "/silenced", {"subscription": "client:web01", "expire": 600, "reason": "again"}, status=201)
    entry = silences(api)["client:web01:*"]
    assert (entry["expire"], entry["reason"], entry["timestamp"]) == (600, "again", NOW + 500)
    api.ok("POST", "/silenced", {"subscription": "client:web01"}, status=201)
    assert silences(api)["client:web01:*"]["expire"] == -1  # without expire: none any more
    assert len(api.ok("GET", "/silenced")) == 1


def test_a_null_expire_never_expires_and_minus_one_expires_at_once(api: ApiClient) -> None:
    """uchiwa#564: -1 is Redis EXPIRE with a negative timeout, which deletes the key."""
    assert "a null `expire` means no expiry; old Uchiwa sent `-1`, which expired immediately" in contract_text()
    api.ok("POST", "/silenced", {"subscription": "client:web01", "expire": None}, status=201)
    api.ok("POST", "/silenced", {"subscription": "client:web02", "expire": -1}, status=201)
    advance(api, 10 * 365 * 86400)
    assert list(silences(api)) == ["client:web01:*"]


def test_the_lookups(api: ApiClient) -> None:
    assert (
        "Also `GET /silenced/ids/:id` (404 when none), `/silenced/subscriptions/:sub`, `/silenced/checks/:check`"
        in contract_text()
    )
    for body in (
        {"subscription": "client:web01"},
        {"subscription": "client:web01", "check": "check_http"},
        {"check": "check_http"},
        {"subscription": "web"},
    ):
        api.ok("POST", "/silenced", body, status=201)
    assert api.ok("GET", "/silenced/ids/client:web01:*")["id"] == "client:web01:*"
    missing = api.call("GET", "/silenced/ids/client:web02:*")
    assert missing.status_code == 404 and empty(missing)
    by_subscription = api.ok("GET", "/silenced/subscriptions/client:web01")
    assert [entry["id"] for entry in by_subscription] == ["client:web01:*", "client:web01:check_http"]
    by_check = api.ok("GET", "/silenced/checks/check_http")
    assert [entry["id"] for entry in by_check] == ["client:web01:check_http", "*:check_http"]


def test_clearing_is_204_404_or_400(api: ApiClient) -> None:
    text = contract_text("### 3.3 Silencing")
    assert (
        '`POST /silenced/clear` `{"id":"client:web01:*"}` or `{"subscription":..,"check":..}` → **204** | '
        "**404** if absent | 400 (4567)" in text
    )
    api.ok("POST", "/silenced", {"subscription": "client:web01"}, status=201)
    api.ok("POST", "/silenced", {"subscription": "client:web01", "check": "check_http"}, status=201)
    documented = example("id")
    for body, status in (
        (documented, 204),
        (documented, 404),
        ({}, 400),
        ({"id": None}, 400),
        ({"subscription": "client:web01", "check": "check_http"}, 204),
    ):
        answer = api.call("POST", "/silenced/clear", body)
        assert (answer.status_code, answer.data) == (status, b""), body
    assert api.ok("GET", "/silenced") == []


def test_silencing_only_stops_handlers(api: ApiClient) -> None:
    """A host downtime (`client:<name>`, no check) and a service downtime (`client:<name>` + check): the checks
    still run and make events; the events are marked silenced, by the entries that match."""
    text = contract_text("### 3.3 Silencing")
    assert '"Host downtime" = subscription `client:<name>` with no check.' in text
    assert "Silencing only stops **handlers**; checks still run and events are still created." in text
    register(api, "web01")
    register(api, "web02")
    api.ok("POST", "/silenced", {"subscription": "client:web01"}, status=201)
    api.ok("POST", "/silenced", {"subscription": "client:web02", "check": "check_http"}, status=201)
    host = result(api, "web01", "check_disk", 2)
    service = result(api, "web02", "check_http", 2)
    other = result(api, "web02", "check_disk", 2)
    assert (host["silenced"], host["silenced_by"]) == (True, ["client:web01:*"])
    assert (service["silenced"], service["silenced_by"]) == (True, ["client:web02:check_http"])
    assert (other["silenced"], other["silenced_by"]) == (False, [])
    assert len(api.ok("GET", "/events")) == 3


# --- 3.4 Checks --------------------------------------------------------------------------------------------------


def test_the_checks_are_the_subscription_checks_of_the_settings(api: ApiClient) -> None:
    text = contract_text("### 3.4 Checks")
    assert (
        "`GET /checks` → the **subscription** checks from the server's JSON settings (standalone checks are "
        "excluded). `GET /checks/:check` → object | 404." in text
    )
    assert [check["name"] for check in api.ok("GET", "/checks")] == ["check_http", "chef_client_process"]
    assert api.ok("GET", "/checks/check_http") == {**CHECKS["check_http"], "name": "check_http"}
    for name in ("local_disk", "nope"):
        answer = api.call("GET", f"/checks/{name}")
        assert answer.status_code == 404 and empty(answer)


def test_deleting_a_check_deletes_results_and_history_only(api: ApiClient, tmp_path: Path) -> None:
    text = contract_text("### 3.4 Checks")
    assert 'It deletes **results/history only** and "does not modify any configuration files".' in text
    files = {path: path.read_bytes() for path in (tmp_path / "conf.d").iterdir()}
    register(api, "web01", "web")
    result(api, "web01", "check_http", 0)
    assert api.ok("DELETE", "/checks/check_http", status=202) == {"issued": NOW}
    assert api.call("GET", "/results/web01/check_http").status_code == 404
    assert api.ok("GET", "/clients/web01/history") == []
    assert api.ok("GET", "/checks/check_http")["name"] == "check_http"
    assert {path: path.read_bytes() for path in (tmp_path / "conf.d").iterdir()} == files


def test_a_check_request(api: ApiClient) -> None:
    """The documented request: 202 `{"issued"}`; 404 for a check the API does not know; 400 malformed."""
    assert '→ **202 `{"issued":…}`** | 404 unknown check | 400.' in contract_text("### 3.4 Checks")
    documented = example("check", "subscribers", "reason", "creator")
    assert api.ok("POST", "/request", documented, status=202) == {"issued": NOW}
    assert api.state.check_requests[0]["api_requested"] == {"reason": "..", "creator": ".."}
    for body, status in (({**documented, "check": "nope"}, 404), ({**documented, "subscribers": "production"}, 400)):
        answer = api.call("POST", "/request", body)
        assert answer.status_code == status and empty(answer), body


def test_no_api_creates_or_updates_checks(api: ApiClient) -> None:
    assert "**No API to create or update checks.**" in contract_text("### 3.4 Checks")
    for method, path, allowed in (
        ("POST", "/checks", "GET, HEAD"),
        ("POST", "/checks/cron", "GET, HEAD, DELETE"),
        ("PUT", "/checks/cron", "GET, HEAD, DELETE"),
    ):
        answer = api.call(method, path, {"command": "true", "subscribers": ["x"], "interval": 60})
        assert (answer.status_code, answer.headers["Allow"]) == (405, allowed), (method, path)
    assert api.call("GET", "/checks/cron").status_code == 404


def test_the_documented_check_file_takes_effect_on_a_reload(api: ApiClient, tmp_path: Path) -> None:
    """The file `/etc/sensu/conf.d/check_cron.json` of the contract, written into the configuration directory: the
    API knows the check after a reload (POST /_simulator/reload: Enterprise's reload, Core's restart), not before."""
    text = contract_text("### 3.4 Checks")
    assert "Check definitions are JSON files such as `/etc/sensu/conf.d/check_cron.json` = `" in text
    assert "Sensu services must be restarted in order to pick up configuration changes." in text
    documented = example("checks")
    (tmp_path / "conf.d" / "check_cron.json").write_text(json.dumps(documented), encoding="utf-8")
    assert api.call("GET", "/checks/cron").status_code == 404
    assert api.call("POST", "/request", {"check": "cron"}).status_code == 404
    reload = api.control("POST", "/reload")
    assert reload["ok"] and "cron" in reload["checks"]
    assert api.ok("GET", "/checks/cron") == {**documented["checks"]["cron"], "name": "cron"}
    assert api.call("POST", "/request", {"check": "cron"}).status_code == 202


# --- 3.5 Other endpoints ---------------------------------------------------------------------------------------


def test_stashes(api: ApiClient) -> None:
    """The documented stash, its content a hash: 201 `{"path":"a/b"}`. Its `"expire":-1` is Redis EXPIRE with a
    negative timeout (stashes.rb sends any integer on), which deletes the stash at once; without `expire` it stays.
    `POST /stashes/:path` 201, `GET` content | 404, `DELETE` 204 | 404."""
    text = contract_text("### 3.5 Other endpoints worth emulating")
    assert '`/stashes`: POST `{"path":"a/b","content":{..},"expire":-1}` → 201 `{"path":"a/b"}`' in text
    created = example("path")
    body = {"path": "a/b", "content": {"reason": "maintenance"}, "expire": -1}
    assert api.ok("POST", "/stashes", body, status=201) == created
    assert api.call("GET", "/stashes/a/b").status_code == 404
    assert api.ok("POST", "/stashes", {**body, "expire": None}, status=201) == created
    assert api.ok("GET", "/stashes/a/b") == {"reason": "maintenance"}
    assert api.ok("POST", "/stashes/c/d", {"silence": True}, status=201) == {"path": "c/d"}
    assert api.ok("GET", "/stashes") == [
        {"path": "a/b", "content": {"reason": "maintenance"}, "expire": -1},
        {"path": "c/d", "content": {"silence": True}, "expire": -1},
    ]
    for status in (204, 404):
        answer = api.call("DELETE", "/stashes/c/d")
        assert answer.status_code == status and empty(answer)
    assert api.call("GET", "/stashes/c/d").status_code == 404


def test_events_and_their_resolution(api: ApiClient) -> None:
    text = contract_text("### 3.5 Other endpoints worth emulating")
    assert "`/events` (GET; `DELETE /events/:client/:check` → 202; `POST /resolve` → 202)" in text
    register(api, "web01")
    result(api, "web01", "check_http", 2)
    result(api, "web01", "check_disk", 1)
    assert sorted(event["check"]["name"] for event in api.ok("GET", "/events")) == ["check_disk", "check_http"]
    assert api.ok("DELETE", "/events/web01/check_http", status=202) == {"issued": NOW}
    assert api.ok("POST", "/resolve", {"client": "web01", "check": "check_disk"}, status=202) == {"issued": NOW}
    assert api.ok("GET", "/events") == []
    assert api.call("DELETE", "/events/web01/check_http").status_code == 404
    assert api.call("POST", "/resolve", {"client": "web01", "check": "check_disk"}).status_code == 404


def test_results_are_accepted_with_202(api: ApiClient) -> None:
    """`POST /results` → 202 `{"issued"}` in the code (the docs' 201 is not what the source answers);
    `DELETE /results/:client/:check` → 204."""
    text = contract_text("### 3.5 Other endpoints worth emulating")
    assert (
        '`/results` (`POST` → 202 `{"issued":..}` in code; docs say 201; `DELETE /results/:client/:check` → 204)'
        in text
    )
    assert api.ok("POST", "/results", {"name": "backup", "output": "done"}, status=202) == {"issued": NOW}
    [stored] = api.ok("GET", "/results")
    assert stored["client"] == "sensu-api" and stored["check"]["output"] == "done"
    answer = api.call("DELETE", "/results/sensu-api/backup")
    assert answer.status_code == 204 and empty(answer)
    assert api.call("DELETE", "/results/sensu-api/backup").status_code == 404


def test_info_health_and_settings(api: ApiClient) -> None:
    assert "`/info`, `/health?consumers=N&messages=N` (204/412), `/settings`" in contract_text()
    info = api.ok("GET", "/info")
    assert set(info) == {"sensu", "transport", "redis", "servers"} and info["sensu"]["version"] == "1.9.0"
    assert api.call("GET", "/health", query={"consumers": "1", "messages": "0"}).status_code == 204
    unhealthy = api.call("GET", "/health", query={"consumers": "2"})
    assert unhealthy.status_code == 412
    assert unhealthy.json == [
        "keepalive consumers (1) less than min_consumers (2)",
        "result consumers (1) less than min_consumers (2)",
    ]
    assert api.ok("GET", "/settings")["checks"] == CHECKS


def test_every_example_of_the_section_is_used() -> None:
    """The JSON of section 3 that these tests replay (the Console's `dc` example is not modelled; `{..}` and
    `1538...` do not parse)."""
    used = [
        example("error"),
        example("limit", "offset", "total"),
        example("name", "address", "subscriptions", "environment"),
        example("name"),
        example("subscription", "check", "begin", "expire", "expire_on_resolve", "reason", "creator"),
        example(
            "id", "subscription", "check", "begin", "expire", "expire_on_resolve", "creator", "reason", "timestamp"
        ),
        example("id"),
        example("check", "subscribers", "reason", "creator"),
        example("checks"),
        example("path"),
    ]
    nested = [example("checks")["checks"], example("checks")["checks"]["cron"]]
    console = [value for value in contract_examples() if "dc" in value]
    assert len(console) == 1
    assert sorted(map(json.dumps, contract_examples())) == sorted(map(json.dumps, used + nested + console))
