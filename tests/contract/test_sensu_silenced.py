"""The silenced registry of the Sensu simulator as the server's source has it (sensu/sensu 1.9.0
lib/sensu/api/routes/silenced.rb; Redis' SET, EXPIRE and TTL; lib/sensu/server/process.rb for what silencing does
to events): ids, time to live, the lookups with their unescaped regular expressions, and clearing. What the
collection's sensu_silence module relies on."""

from __future__ import annotations

import pytest
from sensu_contract import NOW, advance, empty, register, result, simulator

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared


@pytest.fixture
def api() -> ApiClient:
    return simulator()


def silence(api: ApiClient, **body: object) -> None:
    answer = api.call("POST", "/silenced", body)
    assert answer.status_code == 201 and empty(answer), answer.status_code


def ids(api: ApiClient, path: str = "/silenced", **query: str) -> list[str]:
    return [entry["id"] for entry in api.ok("GET", path, query=query or None)]


def test_the_entry_as_stored_and_listed(api: ApiClient) -> None:
    """`{id, subscription, check, reason, creator, begin, expire_on_resolve, timestamp}` plus `expire` when listed;
    nothing else of the body is kept."""
    silence(
        api,
        subscription="client:web01",
        check="check_http",
        reason="patching",
        creator="ansible",
        begin=NOW,
        expire=60,
        expire_on_resolve=True,
        comment="not kept",
    )
    assert api.ok("GET", "/silenced") == [
        {
            "id": "client:web01:check_http",
            "subscription": "client:web01",
            "check": "check_http",
            "reason": "patching",
            "creator": "ansible",
            "begin": NOW,
            "expire_on_resolve": True,
            "timestamp": NOW,
            "expire": 60,
        }
    ]


@pytest.mark.parametrize(
    "body,identifier",
    [
        ({"subscription": "client:web01"}, "client:web01:*"),
        ({"check": "check_http"}, "*:check_http"),
        ({"subscription": "roundrobin:web", "check": "check_http"}, "roundrobin:web:check_http"),
        ({"subscription": None, "check": "check_http"}, ":check_http"),
        ({"subscription": "web", "check": None}, "web:"),
    ],
    ids=str,
)
def test_the_id_is_subscription_and_check(api: ApiClient, body: dict[str, object], identifier: str) -> None:
    """`"#{subscription}:#{check}"` with `fetch(key, "*")`: a key that is there with null gives an empty part."""
    silence(api, **body)
    assert ids(api) == [identifier]
    assert api.ok("GET", f"/silenced/ids/{identifier}")["id"] == identifier


def test_time_to_live(api: ApiClient) -> None:
    """`expire` seconds (plus `begin - now` for a begin ahead, nothing for one past); counted down; gone when over."""
    silence(api, subscription="a", expire=100)
    silence(api, subscription="b", expire=100, begin=NOW + 50)
    silence(api, subscription="c", expire=100, begin=NOW - 50)
    silence(api, subscription="d", begin=NOW + 50)
    assert {entry["id"]: entry["expire"] for entry in api.ok("GET", "/silenced")} == {
        "a:*": 100,
        "b:*": 150,
        "c:*": 100,
        "d:*": -1,
    }
    advance(api, 99)
    assert {entry["id"]: entry["expire"] for entry in api.ok("GET", "/silenced")} == {
        "a:*": 1,
        "b:*": 51,
        "c:*": 1,
        "d:*": -1,
    }
    advance(api, 2)
    assert ids(api) == ["b:*", "d:*"]


@pytest.mark.parametrize("expire", [0, -1, -3600])
def test_an_expire_of_zero_or_less_removes_the_entry_at_once(api: ApiClient, expire: int) -> None:
    """Redis EXPIRE with a timeout of 0 or less deletes the key; the answer is still 201. An entry of the same id
    that was there is gone with it."""
    silence(api, subscription="client:web01", expire=3600)
    silence(api, subscription="client:web01", expire=expire)
    assert api.ok("GET", "/silenced") == []
    assert api.call("GET", "/silenced/ids/client:web01:*").status_code == 404


def test_setting_an_id_again_replaces_the_entry_and_its_ttl(api: ApiClient) -> None:
    silence(api, subscription="client:web01", expire=3600, reason="first", expire_on_resolve=True)
    advance(api, 600)
    silence(api, subscription="client:web01", expire=60)
    assert api.ok("GET", "/silenced/ids/client:web01:*") == {
        "id": "client:web01:*",
        "subscription": "client:web01",
        "check": None,
        "reason": None,
        "creator": None,
        "begin": None,
        "expire_on_resolve": False,
        "timestamp": NOW + 600,
        "expire": 60,
    }


def test_expired_entries_leave_the_list_when_met_and_count_in_pages_until_then(api: ApiClient) -> None:
    silence(api, subscription="a", expire=10)
    silence(api, subscription="b")
    silence(api, subscription="c")
    advance(api, 11)
    page = api.call("GET", "/silenced", query={"limit": "2"})
    assert [entry["id"] for entry in page.json] == ["b:*"]  # a:* expired: met, and dropped from the set
    assert page.headers["X-Pagination"] == '{"limit":2,"offset":0,"total":3}'
    again = api.call("GET", "/silenced", query={"limit": "2"})
    assert again.headers["X-Pagination"] == '{"limit":2,"offset":0,"total":2}' and len(again.json) == 2


# --- The lookups -------------------------------------------------------------------------------------------------


def test_ids_match_at_the_end_and_the_last_match_answers(api: ApiClient) -> None:
    """`/#{id.gsub('*', '\\*')}$/` on the keys: not anchored at the start (`web01:*` finds `client:web01:*`),
    `.` any character; the last match of the set answers."""
    silence(api, subscription="client:web01")
    silence(api, subscription="client:xweb01")
    assert api.ok("GET", "/silenced/ids/client:web01:*")["id"] == "client:web01:*"
    assert api.ok("GET", "/silenced/ids/web01:*")["id"] == "client:xweb01:*"
    assert api.ok("GET", "/silenced/ids/client:web.1:*")["id"] == "client:web01:*"
    for missing in ("client:web01", "client:web02:*", "web01:check_http"):
        answer = api.call("GET", f"/silenced/ids/{missing}")
        assert answer.status_code == 404 and empty(answer), missing


def test_subscription_and_check_lookups(api: ApiClient) -> None:
    """`^silence:<subscription>:` and `.*:<check>$`, unescaped: `.` matches any character."""
    for subscription, check in (
        ("client:web01", None),
        ("client:web01", "check_http"),
        ("client:web.1", None),
        (None, "check_http"),
        ("web", "check_xhttp"),
        ("web", "check.http"),
    ):
        silence(api, **{key: value for key, value in (("subscription", subscription), ("check", check)) if value})
    assert ids(api, "/silenced/subscriptions/client:web01") == ["client:web01:*", "client:web01:check_http"]
    assert ids(api, "/silenced/subscriptions/client:web.1") == [
        "client:web01:*",
        "client:web01:check_http",
        "client:web.1:*",
    ]
    assert ids(api, "/silenced/subscriptions/client:web") == []
    assert ids(api, "/silenced/checks/check_http") == ["client:web01:check_http", "*:check_http"]
    assert ids(api, "/silenced/checks/check.http") == ["client:web01:check_http", "*:check_http", "web:check.http"]
    assert ids(api, "/silenced/checks/http") == []
    answer = api.call("GET", "/silenced/checks/check:http")  # the route takes no ':' in a check
    assert answer.status_code == 404 and empty(answer)


# --- Clearing ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,identifier",
    [
        ({"id": "client:web01:check_http"}, "client:web01:check_http"),
        ({"subscription": "client:web01"}, "client:web01:*"),
        ({"check": "check_http"}, "*:check_http"),
        ({"subscription": "client:web01", "check": "check_http"}, "client:web01:check_http"),
        ({"subscription": None, "check": "check_http"}, ":check_http"),
        ({"id": "client:web01:*", "subscription": "web"}, "client:web01:*"),
    ],
    ids=str,
)
def test_clear_removes_exactly_one_id(api: ApiClient, body: dict[str, object], identifier: str) -> None:
    for entry in (
        {"subscription": "client:web01"},
        {"subscription": "client:web01", "check": "check_http"},
        {"check": "check_http"},
        {"subscription": None, "check": "check_http"},
        {"subscription": "web"},
    ):
        silence(api, **entry)
    before = ids(api)
    assert before == ["client:web01:*", "client:web01:check_http", "*:check_http", ":check_http", "web:*"]
    answer = api.call("POST", "/silenced/clear", body)
    assert answer.status_code == 204 and empty(answer)
    assert ids(api) == [entry for entry in before if entry != identifier]
    assert api.call("POST", "/silenced/clear", body).status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"id": None}, {"reason": "x"}, {"id": 5}, {"check": "check http"}, {"subscription": 1}, ["x"]], ids=str
)
def test_clear_needs_an_id_a_subscription_or_a_check(api: ApiClient, body: object) -> None:
    silence(api, subscription="client:web01")
    answer = api.call("POST", "/silenced/clear", body)
    assert answer.status_code == 400 and empty(answer)
    assert ids(api) == ["client:web01:*"]


def test_an_expired_entry_cannot_be_cleared(api: ApiClient) -> None:
    silence(api, subscription="client:web01", expire=10)
    advance(api, 11)
    assert api.call("POST", "/silenced/clear", {"id": "client:web01:*"}).status_code == 404


# --- What silencing does -------------------------------------------------------------------------------------------


def test_a_silence_that_has_not_begun_silences_nothing(api: ApiClient) -> None:
    register(api, "web01")
    silence(api, subscription="client:web01", begin=NOW + 60, expire=600)
    assert result(api, "web01", "check_http", 2)["silenced"] is False
    advance(api, 60)
    assert result(api, "web01", "check_http", 2)["silenced_by"] == ["client:web01:*"]


def test_expire_on_resolve_ends_with_the_event(api: ApiClient) -> None:
    register(api, "web01")
    silence(api, subscription="client:web01", check="check_http", expire_on_resolve=True)
    silence(api, check="check_http")
    assert result(api, "web01", "check_http", 2)["silenced_by"] == ["client:web01:check_http", "*:check_http"]
    assert result(api, "web01", "check_http", 0)["action"] == "resolve"
    assert ids(api) == ["*:check_http"]
