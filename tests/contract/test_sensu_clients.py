"""The client registry of the Sensu simulator as the server's source has it (sensu/sensu 1.9.0
lib/sensu/api/routes/clients.rb, lib/sensu/api/validators/client.rb with sensu-settings 10.17.0
validators/client.rb, lib/sensu/utilities.rb redact_sensitive, lib/sensu/api/http_handler.rb pagination and
filters): what the collection's sensu_client module relies on, end to end through the in-process client."""

from __future__ import annotations

import pytest
from sensu_contract import DELAY, NOW, advance, empty, register, result, simulator

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
CLIENT = {"name": "web01", "address": "192.0.2.10"}


@pytest.fixture
def api() -> ApiClient:
    return simulator()


def names(api: ApiClient, **query: str) -> list[str]:
    return [client["name"] for client in api.ok("GET", "/clients", query=query or None)]


def stored(api: ApiClient, name: str) -> dict[str, object]:
    """The client as the registry holds it (unredacted)."""
    [client] = [client for client in api.control("GET", "/state")["clients"] if client["name"] == name]
    return dict(client)


# --- POST /clients -------------------------------------------------------------------------------------------------


def test_what_the_api_adds_and_overwrites(api: ApiClient) -> None:
    """`keepalives` stays when given, `version` and `timestamp` are the server's whatever is sent, the own
    subscription is added once; the rest of the object is kept as sent (custom attributes, nested ones)."""
    body = {
        **CLIENT,
        "keepalives": True,
        "version": "0.1",
        "timestamp": 1,
        "subscriptions": ["client:web01", "web"],
        "ec2": {"instance_type": "t3.micro"},
        "deregister": True,
    }
    assert api.ok("POST", "/clients", body, status=201) == {"name": "web01"}
    assert api.ok("GET", "/clients/web01") == {
        **body,
        "version": "1.9.0",
        "timestamp": NOW,
        "subscriptions": ["client:web01", "web"],
    }
    api.ok("POST", "/clients", {**CLIENT, "subscriptions": None}, status=201)
    assert api.ok("GET", "/clients/web01")["subscriptions"] == ["client:web01"]


@pytest.mark.parametrize(
    "change",
    [
        {"name": "web01 "},
        {"name": "wéb01"},
        {"name": 1},
        {"safe_mode": "yes"},
        {"keepalives": "false"},
        {"subscriptions": [1]},
        {"socket": {"port": "3030"}},
        {"http_socket": {"user": "admin"}},
        {"redact": ["password", 1]},
        {"signature": 42},
        {"keepalive": {"thresholds": {"warning": "120"}}},
        {"deregistration": {"handlers": "deregister"}},
    ],
    ids=str,
)
def test_the_client_validator_refuses_with_400(api: ApiClient, change: dict[str, object]) -> None:
    answer = api.call("POST", "/clients", {**CLIENT, **change})
    assert answer.status_code == 400 and empty(answer)
    assert names(api) == []


@pytest.mark.parametrize(
    "body", ['{"name": "web01"', "[]", '"web01"', ""], ids=["truncated", "array", "string", "none"]
)
def test_a_body_that_is_no_json_object_is_400(api: ApiClient, body: str) -> None:
    answer = api.call("POST", "/clients", data=body)
    assert answer.status_code == 400 and empty(answer)


def test_a_valid_keepalive_hash_is_a_500(api: ApiClient) -> None:
    """The API's validator class includes the client validator but not the check validators its keepalive part
    calls (validate_check_aggregate): a NoMethodError, answered 500 with no body. An invalid one fails first: 400."""
    answer = api.call("POST", "/clients", {**CLIENT, "keepalive": {"thresholds": {"warning": 120}}})
    assert answer.status_code == 500 and empty(answer)
    assert api.call("POST", "/clients", {**CLIENT, "keepalive": {"handlers": "x"}}).status_code == 400
    assert names(api) == []


# --- GET /clients ----------------------------------------------------------------------------------------------


def test_the_list_in_registration_order_and_its_pages(api: ApiClient) -> None:
    for name in ("web03", "web01", "web02"):
        register(api, name)
    assert names(api) == ["web03", "web01", "web02"]
    assert names(api, limit="2") == ["web03", "web01"]
    assert names(api, limit="2", offset="2") == ["web02"]
    past = api.call("GET", "/clients", query={"limit": "2", "offset": "5"})
    assert past.json == [] and past.headers["X-Pagination"] == '{"limit":2,"offset":5,"total":3}'
    for query in ({"limit": "x"}, {"limit": "-1"}, {"offset": "1"}):  # integer_parameter: digits only
        answer = api.call("GET", "/clients", query=query)
        assert len(answer.json) == 3 and "X-Pagination" not in answer.headers, query


def test_filters_match_nested_attributes_and_apply_to_the_page(api: ApiClient) -> None:
    """`filter.<a>.<b>=value`: equal values or equal texts; `filter.x` without a value keeps the items without x;
    filtering comes after pagination, whose total counts the whole list."""
    register(api, "web01", environment="production", ec2={"instance_type": "t3.micro"})
    register(api, "web02", environment="staging", ec2={"instance_type": "t3.large"})
    register(api, "db01", environment="production")
    assert names(api, **{"filter.ec2.instance_type": "t3.micro"}) == ["web01"]
    assert names(api, **{"filter.environment": "production", "filter.address": "192.0.2.10"}) == ["web01", "db01"]
    assert api.ok("GET", "/clients?filter.ec2") == [api.ok("GET", "/clients/db01")]
    page = api.call("GET", "/clients", query={"limit": "2", "filter.environment": "production"})
    assert [client["name"] for client in page.json] == ["web01"]
    assert page.headers["X-Pagination"] == '{"limit":2,"offset":0,"total":3}'


def test_sensitive_values_are_redacted_in_answers_only(api: ApiClient) -> None:
    """The default keys at any depth (in hashes within lists too), or the client's own `redact` list instead
    (`[]`: nothing); the registry keeps the values."""
    secrets = {"password": "p", "snmp": {"community": "public"}, "hooks": [{"api_key": "k", "url": "u"}]}
    register(api, "web01", **secrets)
    register(api, "web02", **secrets, token="t", redact=["token"])
    register(api, "web03", **secrets, redact=[])
    assert {k: v for k, v in api.ok("GET", "/clients/web01").items() if k in secrets} == {
        "password": "REDACTED",
        "snmp": {"community": "REDACTED"},
        "hooks": [{"api_key": "REDACTED", "url": "u"}],
    }
    web02 = api.ok("GET", "/clients", query={"filter.name": "web02"})[0]
    assert web02["token"] == "REDACTED" and web02["password"] == "p"
    assert {k: v for k, v in api.ok("GET", "/clients/web03").items() if k in secrets} == secrets
    assert stored(api, "web01")["password"] == "p"


def test_an_unknown_or_unroutable_name_is_404(api: ApiClient) -> None:
    register(api, "web01")
    for path in ("/clients/web02", "/clients/web01/", "/clients/web%2F01", "/clients/web01%20"):
        answer = api.call("GET", path)
        assert answer.status_code == 404 and empty(answer), path


# --- DELETE /clients/:client -------------------------------------------------------------------------------------


def test_deletion_removes_the_client_its_results_and_history_after_the_delay(api: ApiClient) -> None:
    register(api, "web01")
    result(api, "web01", "check_http", 2)
    result(api, "web01", "check_disk", 0)
    assert api.ok("DELETE", "/clients/web01", status=202) == {"issued": NOW}
    assert [task["task"] for task in api.control("GET", "/state")["pending"]] == ["delete client web01"]
    assert api.ok("GET", "/events") == []  # resolved at once
    assert len(api.ok("GET", "/clients/web01/history")) == 2
    advance(api, DELAY / 2)
    assert names(api) == ["web01"]
    advance(api, DELAY / 2)
    assert names(api) == [] and api.ok("GET", "/results") == []
    assert api.ok("GET", "/clients/web01/history") == []
    assert api.control("GET", "/state")["redis"] == {}


@pytest.mark.parametrize(
    "query,signature",
    [("invalidate=true", "invalidated"), ("invalidate=false", "invalidated"), ("invalidate", None), ("", None)],
)
def test_invalidate_takes_any_value(api: ApiClient, query: str, signature: str | None) -> None:
    """`@params[:invalidate]` is truthy for any value, "false" too; a bare `invalidate` has none (nil)."""
    register(api, "web01")
    api.ok("DELETE", f"/clients/web01?{query}", status=202)
    assert api.control("GET", "/state")["signatures"].get("web01") == signature
    advance(api, DELAY)
    assert api.control("GET", "/state")["signatures"] == {}


def test_an_invalidated_client_refuses_keepalives_and_results(api: ApiClient) -> None:
    """The signature key "invalidated" refuses the client's keepalives at once (update_client_registry), its
    results once it has left the registry (retrieve_client compares a result with the stored client's own
    `signature`, which it has none of, while it is there); with `invalidate_expire`, that much longer."""
    api.control("POST", "/clients", {"client": {**CLIENT, "subscriptions": ["web"]}}, status=201)
    api.ok("DELETE", "/clients/web01", query={"invalidate": "true", "invalidate_expire": "60"}, status=202)
    assert api.control("POST", "/keepalives")["refused"] == ["web01"]
    assert result(api, "web01", "check_http", 2)["check"]["status"] == 2
    advance(api, DELAY)
    assert api.control("GET", "/state")["redis"]["client:web01:signature"]["ttl"] == 60
    assert api.control("POST", "/keepalives")["refused"] == ["web01"]
    assert result(api, "web01", "check_http", 2) is None
    assert api.call("GET", "/clients/web01").status_code == 404
    advance(api, 61)
    assert api.control("POST", "/keepalives")["registered"] == ["web01"]
    assert api.ok("GET", "/clients/web01")["subscriptions"] == ["web", "client:web01"]


def test_deleting_an_unknown_client_is_404(api: ApiClient) -> None:
    answer = api.call("DELETE", "/clients/web01")
    assert answer.status_code == 404 and empty(answer)
    assert api.control("GET", "/state")["pending"] == []


# --- GET /clients/:client/history ------------------------------------------------------------------------------


def test_the_history_keeps_the_last_21_statuses_per_check(api: ApiClient) -> None:
    register(api, "web01")
    statuses = [index % 3 for index in range(25)]
    for status in statuses:
        result(api, "web01", "check_http", status)
    result(api, "web01", "check_disk", 1, executed=NOW - 60)
    history = {item["check"]: item for item in api.ok("GET", "/clients/web01/history")}
    assert history["check_http"]["history"] == statuses[-21:]
    assert history["check_http"]["last_status"] == statuses[-1]
    assert (history["check_disk"]["last_execution"], history["check_disk"]["history"]) == (NOW - 60, [1])
    assert set(history["check_disk"]) == {"check", "history", "last_execution", "last_status", "last_result"}
    assert api.ok("GET", "/clients/nobody/history") == []
