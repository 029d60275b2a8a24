"""The collection's own Sensu library (plugins/module_utils/_sensu) against the simulator: SensuApi on a transport
that hands each request to the simulator in-process (the raw path kept, as a socket would carry it), driven through
the resources the sensu_client, sensu_silence and sensu_check_request modules build and the sync engine, and the
check files sensu_check writes, loaded by the simulator's reload. Each test asserts what the simulator holds
afterwards, and that check mode sends nothing but GETs. Waiting (a client's removal) runs on the simulator's clock."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sensu_contract import DELAY, NOW, advance, backend_down, register, simulator, write_checks

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu import client as client_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check import (
    OPTIONS,
    CheckFile,
    check_definition,
    render,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check_request import request_check
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import ClientResource, desired_client
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.silence import (
    SilenceResource,
    desired_silence,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, sync
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll
from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
URL = "https://sensu.example:4567"
CHECKS = {
    "check_http": {"command": "check-http.rb -u http://:::address:::", "subscribers": ["web"], "interval": 60},
    "local_disk": {"command": "check-disk.rb", "standalone": True, "interval": 60},
}


class SimulatorTransport:
    """The library's Transport onto the simulator's Flask test client: the URL's raw path and query as sent, the
    answer as a Response. `exchanges` records (method, path, query, status); `before` runs ahead of each request
    (a test's way to let time pass between the library's requests)."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.exchanges: list[tuple[str, str, str, int]] = []
        self.before: Callable[[str, str], None] | None = None

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - the Transport protocol
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == URL, url
        if self.before is not None:
            self.before(method, parts.path)
        answer = self.api.client.open(
            parts.path,
            method=method,
            query_string=parts.query,
            data=body,
            headers=dict(headers),
            environ_overrides={"RAW_URI": parts.path},
        )
        self.exchanges.append((method, parts.path, parts.query, answer.status_code))
        return Response(answer.status_code, dict(answer.headers), answer.get_data())

    def writes(self) -> list[tuple[str, str, str, int]]:
        return [exchange for exchange in self.exchanges if exchange[0] != "GET"]


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    """The simulator (credentials, the checks above); the library's waiting sleeps on its clock."""
    simulated = simulator(write_checks(tmp_path / "conf.d", CHECKS), user="admin", password="secret")
    clock = simulated.state.clock
    monkeypatch.setattr(client_module, "Deadline", lambda seconds: Deadline(seconds, clock=clock))
    monkeypatch.setattr(client_module, "poll", functools.partial(poll, sleep=lambda s: advance(simulated, s)))
    return simulated


@pytest.fixture
def transport(api: ApiClient) -> SimulatorTransport:
    return SimulatorTransport(api)


@pytest.fixture
def sensu(transport: SimulatorTransport) -> SensuApi:
    return SensuApi(URL, transport=transport, username="admin", password="secret", timeout=5)


def stored(api: ApiClient, name: str) -> dict[str, Any] | None:
    """The client as the registry holds it (unredacted), or None."""
    found = [client for client in api.control("GET", "/state")["clients"] if client["name"] == name]
    return found[0] if found else None


def silence_ids(api: ApiClient) -> list[str]:
    return [entry["id"] for entry in api.control("GET", "/state")["silenced"]]


# --- Clients -----------------------------------------------------------------------------------------------------


def client(sensu: SensuApi, state: str = "present", *, check_mode: bool = False, **options: Any) -> Outcome:
    """What sensu_client's main() does with these options."""
    name = options.pop("name", "web01")
    purge = options.pop("purge", frozenset())
    secret = options.get("secret_attributes")
    resource = ClientResource(
        sensu,
        name,
        purge=purge,
        secret=secret,
        plain=options.get("attributes"),
        invalidate=options.pop("invalidate", False),
        invalidate_expire=options.pop("invalidate_expire", None),
        wait_timeout=30,
        require_address=state == "present" and options.get("address") is None,
    )
    desired = desired_client(name, **options) if state == "present" else {"name": name}
    return sync(resource, state, desired, check_mode=check_mode)


def test_a_client_from_creation_to_removal(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    declared = {
        "address": "192.0.2.10",
        "subscriptions": ["web"],
        "attributes": {"environment": "production"},
        "secret_attributes": {"password": "s3cret"},
    }
    planned = client(sensu, check_mode=True, **declared)
    assert planned.changed and transport.writes() == [] and stored(api, "web01") is None
    created = client(sensu, **declared)
    assert created.changed and created.after == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["web"],
        "keepalives": False,
        "keepalive": {},
        "attributes": {"environment": "production", "password": "REDACTED"},
    }
    assert stored(api, "web01") == {
        "environment": "production",
        "password": "s3cret",
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["web", "client:web01"],
        "keepalives": False,
        "version": "1.9.0",
        "timestamp": NOW,
    }
    writes = len(transport.writes())
    assert not client(sensu, **declared).changed and len(transport.writes()) == writes

    # Subscriptions merge, attributes merge by key; the client is sent back whole with its secret.
    advance(api, 60)
    updated = client(
        sensu, subscriptions=["linux"], attributes={"team": "ops"}, secret_attributes={"password": "s3cret"}
    )
    assert updated.changed and updated.after["subscriptions"] == ["linux", "web"]
    after = stored(api, "web01")
    assert after["subscriptions"] == ["web", "linux", "client:web01"] and after["timestamp"] == NOW + 60
    assert (after["environment"], after["team"], after["password"]) == ("production", "ops", "s3cret")

    # Purged: exactly the declared subscriptions and attributes.
    client(sensu, subscriptions=["linux"], attributes={"team": "ops"}, purge=frozenset({"subscriptions", "attributes"}))
    after = stored(api, "web01")
    assert after["subscriptions"] == ["linux", "client:web01"]
    assert {k: v for k, v in after.items() if k not in ("version", "timestamp")} == {
        "team": "ops",
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux", "client:web01"],
        "keepalives": False,
    }

    # Removal waits (on the simulator's clock) until the client has left the registry.
    removed = client(sensu, "absent")
    assert removed.changed and removed.after is None and stored(api, "web01") is None
    assert api.control("GET", "/state")["now"] >= NOW + 60 + DELAY
    assert ("DELETE", "/clients/web01", "", 202) in transport.exchanges
    assert not client(sensu, "absent").changed


def test_creating_a_client_needs_an_address(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    """Sensu refuses a client without one (400, nothing said): the library says so before sending."""
    with pytest.raises(ValidationError, match="needs an address"):
        client(sensu, subscriptions=["web"])
    assert transport.writes() == []
    assert api.call("POST", "/clients", {"name": "web01"}).status_code == 400
    register(api, "web01")
    assert client(sensu, subscriptions=["linux"]).changed  # an existing client keeps its address
    assert stored(api, "web01")["address"] == "192.0.2.10"


def test_removal_with_invalidation_keeps_a_live_client_out(api: ApiClient, sensu: SensuApi) -> None:
    api.control("POST", "/clients", {"client": {"name": "web01", "address": "192.0.2.10"}}, status=201)
    assert client(sensu, "absent", invalidate=True, invalidate_expire=600).changed
    assert api.control("POST", "/keepalives") == {"registered": [], "refused": ["web01"]}
    assert api.control("GET", "/state")["redis"]["client:web01:signature"]["ttl"] == 600
    advance(api, 601)
    assert api.control("POST", "/keepalives") == {"registered": ["web01"], "refused": []}


def test_a_removal_without_invalidation_lets_a_live_client_back(api: ApiClient, sensu: SensuApi) -> None:
    api.control("POST", "/clients", {"client": {"name": "web01", "address": "192.0.2.10"}}, status=201)
    assert client(sensu, "absent").changed
    assert api.control("POST", "/keepalives")["registered"] == ["web01"]
    assert client(sensu, address="192.0.2.10").after["keepalives"] is True  # a keepalive's client: no keepalives key


def test_a_client_with_keepalive_settings_is_left_alone(api: ApiClient, sensu: SensuApi) -> None:
    """The API answers 500 to any client written with a valid `keepalive` hash (its validator lacks the check
    validators): the library refuses the update before sending it."""
    settings = {"name": "web01", "address": "192.0.2.10", "keepalive": {"thresholds": {"warning": 60}}}
    api.control("POST", "/clients", {"client": settings}, status=201)
    assert api.call("POST", "/clients", settings).status_code == 500
    with pytest.raises(ValidationError, match="keepalive settings"):
        client(sensu, subscriptions=["web"])
    assert stored(api, "web01")["subscriptions"] == ["client:web01"]


def test_values_sensu_hides_cannot_be_compared_or_lost(api: ApiClient, sensu: SensuApi) -> None:
    """A value the client's `redact` list hides cannot be declared in the open; one it hides and the task does not
    declare would be sent back as REDACTED: both refused, nothing written."""
    register(api, "web01", token="t0ken", redact=["token"])
    with pytest.raises(ValidationError, match="hides attributes.token"):
        client(sensu, attributes={"token": "t0ken"})
    with pytest.raises(ValidationError, match="REDACTED"):
        client(sensu, attributes={"team": "ops"})
    assert stored(api, "web01")["token"] == "t0ken" and "team" not in stored(api, "web01")
    assert not client(sensu, secret_attributes={"token": "n3w"}).changed  # a secret is never compared ...
    assert client(sensu, attributes={"team": "ops"}, secret_attributes={"token": "n3w"}).changed  # ... but written
    assert (stored(api, "web01")["token"], stored(api, "web01")["team"]) == ("n3w", "ops")


def test_errors_in_one_line(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    wrong = SensuApi(URL, transport=transport, username="admin", password="wrong")
    with pytest.raises(AuthError, match=r"^Failed to read Sensu client 'web01': 401 Unauthorized - check username"):
        client(wrong)
    backend_down(api)
    with pytest.raises(ApiError, match=r"^Failed to read Sensu client 'web01': 500 not connected to redis$"):
        client(sensu, address="192.0.2.10")


# --- Silences ----------------------------------------------------------------------------------------------------


def silence(sensu: SensuApi, state: str = "present", *, check_mode: bool = False, **options: Any) -> Outcome:
    """What sensu_silence's main() does with these options."""
    options.setdefault("expire_on_resolve", False)
    desired = desired_silence(**options)
    resource = SilenceResource(sensu, desired["id"], declared_expire=options.get("expire"))
    return sync(resource, state, desired, check_mode=check_mode)


def test_a_silence_from_setting_to_clearing(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    declared = {"client": "web01", "check": "check_http", "reason": "patching", "creator": "ansible", "expire": 3600}
    assert silence(sensu, check_mode=True, **declared).changed and transport.writes() == []
    created = silence(sensu, **declared)
    expected = {
        "id": "client:web01:check_http",
        "subscription": "client:web01",
        "check": "check_http",
        "reason": "patching",
        "creator": "ansible",
        "expire_on_resolve": False,
        "expire": 3600,
        "expires_in": 3600,
    }
    assert {key: created.after[key] for key in expected} == expected
    [entry] = api.control("GET", "/state")["silenced"]
    assert entry == {**{k: v for k, v in expected.items() if k != "expires_in"}, "begin": None, "timestamp": NOW}

    # Its time running within the declared hour: as declared, nothing sent.
    advance(api, 600)
    writes = len(transport.writes())
    again = silence(sensu, **declared)
    assert not again.changed and again.after["expires_in"] == 3000 and len(transport.writes()) == writes

    # Another reason: set again, whole, its hour starting anew.
    changed = silence(sensu, **{**declared, "reason": "kernel update"})
    assert changed.changed and changed.after["expires_in"] == 3600
    assert api.control("GET", "/state")["silenced"][0]["timestamp"] == NOW + 600

    # Without an expire: a silence that does not expire replaces it.
    assert silence(sensu, **{**declared, "expire": None}).after["expires_in"] is None
    assert api.control("GET", "/state")["silenced"][0]["expire"] == -1

    assert silence(sensu, "absent", **declared).changed and silence_ids(api) == []
    assert ("POST", "/silenced/clear", "", 204) in transport.exchanges
    assert not silence(sensu, "absent", **declared).changed


def test_clearing_one_silence_of_a_subscription_keeps_the_others(api: ApiClient, sensu: SensuApi) -> None:
    """community.general#5993: the removed sensu_silence keyed silences by subscription. Here the id is the
    identity: clearing the host's silence leaves its service silence, and the other way round."""
    silence(sensu, client="web01")
    silence(sensu, client="web01", check="check_http")
    silence(sensu, check="check_http")
    assert silence_ids(api) == ["client:web01:*", "client:web01:check_http", "*:check_http"]
    assert silence(sensu, "absent", client="web01").changed
    assert silence_ids(api) == ["client:web01:check_http", "*:check_http"]
    assert silence(sensu, "absent", check="check_http").changed
    assert silence_ids(api) == ["client:web01:check_http"]


def test_the_id_lookups_suffix_match_is_not_mistaken(api: ApiClient, sensu: SensuApi) -> None:
    """GET /silenced/ids/client:web01:* also finds xclient:web01:* (and answers the last match): the library reads
    the whole registry when the answer is another id."""
    api.ok("POST", "/silenced", {"subscription": "xclient:web02"}, status=201)
    assert silence(sensu, client="web02").changed  # the lookup's only match was the other id: created all the same
    assert silence(sensu, client="web01", reason="mine").changed
    api.ok("POST", "/silenced", {"subscription": "xclient:web01", "reason": "other"}, status=201)
    assert api.ok("GET", "/silenced/ids/client:web01:*")["id"] == "xclient:web01:*"
    assert not silence(sensu, client="web01", reason="mine").changed
    assert silence(sensu, client="web01", reason="changed").changed
    assert api.ok("GET", "/silenced/ids/xclient:web01:*")["reason"] == "other"
    assert silence(sensu, "absent", client="web01").changed
    assert silence_ids(api) == ["xclient:web02:*", "client:web02:*", "xclient:web01:*"]


def test_a_silence_that_expires_before_it_is_cleared(
    api: ApiClient, sensu: SensuApi, transport: SimulatorTransport
) -> None:
    """The silence is read with a second left, and gone when the clear arrives (404): read again, it is absent,
    and the task reports the change the expiry made."""
    silence(sensu, client="web01", expire=60)
    advance(api, 59)
    transport.before = lambda method, path: advance(api, 2) if path == "/silenced/clear" else None
    outcome = silence(sensu, "absent", client="web01", expire=60)
    assert outcome.changed and outcome.after is None
    assert ("POST", "/silenced/clear", "", 404) in transport.exchanges


def test_a_silence_refused_by_sensu_is_refused_before_sending(sensu: SensuApi, transport: SimulatorTransport) -> None:
    for options in ({"subscription": "web 01"}, {"check": "check:http"}, {"reason": "x"}, {"check": "x", "expire": 0}):
        with pytest.raises(ValidationError):
            silence(sensu, **options)
    assert transport.exchanges == []


# --- Check requests ----------------------------------------------------------------------------------------------


def test_a_check_request(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    register(api, "web01", "web")
    register(api, "db01", "db")
    planned = request_check(sensu, "check_http", reason="deploy", creator="ansible", check_mode=True)
    assert planned.changed and transport.writes() == [] and api.state.check_requests == []
    sent = request_check(
        sensu, "check_http", subscribers=["web", "db"], reason="deploy", creator="ansible", check_mode=False
    )
    assert sent.after == {
        "check": "check_http",
        "subscribers": ["web", "db"],
        "reason": "deploy",
        "creator": "ansible",
        "issued": NOW,
    }
    [request] = api.state.check_requests
    assert request["clients"] == ["web01", "db01"]
    assert request["api_requested"] == {"reason": "deploy", "creator": "ansible"}
    assert api.ok("GET", "/results/db01/check_http")["check"]["api_requested"] == request["api_requested"]


def test_an_unknown_check_request(api: ApiClient, sensu: SensuApi, transport: SimulatorTransport) -> None:
    """404 in either mode: a check the API has not loaded. A standalone check can be requested, but is not listed:
    check mode, which reads the listing, calls it unknown (the module's documented limit)."""
    for check_mode in (True, False):
        with pytest.raises(ValidationError, match="was the server reloaded"):
            request_check(sensu, "check_ntp", check_mode=check_mode)
    assert request_check(sensu, "local_disk", check_mode=False).changed
    with pytest.raises(ValidationError, match="no such check"):
        request_check(sensu, "local_disk", check_mode=True)
    assert [request["check"] for request in api.state.check_requests] == ["local_disk"]


def test_a_check_written_by_the_library_is_requested_after_a_reload(
    api: ApiClient, sensu: SensuApi, tmp_path: Path
) -> None:
    """sensu_check's file, loaded by the server's reload: the API serves the definition as written."""
    definition = check_definition(
        "check_ntp",
        {"command": "check-ntp", "subscribers": ["linux"], "interval": 300, "timeout": 10.5},
        {"occurrences": 3},
    )
    resource = CheckFile(str(tmp_path / "conf.d"), "check_ntp")
    sync(resource, "present", {"name": "check_ntp", "path": resource.path, "definition": definition}, check_mode=False)
    with pytest.raises(ValidationError):
        request_check(sensu, "check_ntp", check_mode=False)
    assert sorted(api.control("POST", "/reload")["checks"]) == ["check_http", "check_ntp", "local_disk"]
    assert api.ok("GET", "/checks/check_ntp") == {**definition, "name": "check_ntp"}
    assert request_check(sensu, "check_ntp", check_mode=False).after["issued"] == NOW


@pytest.mark.parametrize(
    "custom",
    [
        pytest.param({"source": "web 01"}, id="source-with-a-space"),
        pytest.param({"source": ""}, id="empty-source"),
        pytest.param({"aggregate": ""}, id="empty-aggregate"),
        pytest.param({"aggregate": 0}, id="aggregate-0"),
    ],
)
def test_what_sensu_refuses_to_load_the_library_refuses_first(
    api: ApiClient, tmp_path: Path, custom: dict[str, Any]
) -> None:
    """A definition Sensu does not load (Core would not start, Enterprise refuses the reload) is refused by
    check_definition before anything is written: Ruby's truth ('' and 0 are set) and the source's pattern."""
    options = {"command": "true", "subscribers": ["linux"], "interval": 60}
    with pytest.raises(ValidationError):
        check_definition("check_x", options, custom)
    conf_d = tmp_path / "refused.d"
    conf_d.mkdir()
    (conf_d / "check_x.json").write_text(render("check_x", {**options, **custom}), encoding="utf-8")
    outcome = api.client.post("/_simulator/reload", json={"conf_dir": str(conf_d)})
    assert outcome.status_code == 409, outcome.json


def definition_of(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """check_definition with the fields as sensu_check takes them: its options, and `custom` for the rest."""
    options = {key: value for key, value in fields.items() if key in OPTIONS}
    custom = {key: value for key, value in fields.items() if key not in OPTIONS}
    return check_definition(name, options, custom or None)


def test_the_definitions_the_library_and_sensu_agree_on(api: ApiClient, tmp_path: Path) -> None:
    """Accepted by both (reload 200) or refused by both (the library before writing, the server's reload 409)."""
    base = {"command": "true", "subscribers": ["linux"], "interval": 60}
    accepted = [
        {},
        {"publish": False, "interval": None},
        {"standalone": True, "subscribers": None},
        {"subscribers": []},
        {"ttl": 60, "ttl_status": 2},
        {"aggregate": "web"},
        {"aggregate": True},
        {"aggregates": ["web", "a:b|c"]},
        {"source": ":::name:::-proxy"},
        {"timeout": 2.5},
        {"handlers": []},
        {"low_flap_threshold": 20, "high_flap_threshold": 60},
    ]
    refused = [
        {"interval": 0},
        {"interval": 60.0},
        {"subscribers": "linux"},
        {"extension": "x"},
        {"command": None},
        {"ttl": 0},
        {"timeout": True},
        {"low_flap_threshold": 10},
        {"aggregate": "a b"},
        {"aggregates": ["a b"]},
        {"publish": "false"},
        {"handlers": "default"},
    ]
    for index, change in enumerate(accepted):
        fields = {key: value for key, value in {**base, **change}.items() if value is not None}
        write_checks(tmp_path / "conf.d", {f"ok_{index}": definition_of(f"ok_{index}", fields)}, f"ok_{index}.json")
    assert api.control("POST", "/reload")["ok"] is True
    for change in refused:
        fields = {key: value for key, value in {**base, **change}.items() if value is not None}
        with pytest.raises(ValidationError):
            definition_of("bad", fields)
        write_checks(tmp_path / "bad", {"bad": fields})
        reload = api.client.post("/_simulator/reload", json={"conf_dir": str(tmp_path / "bad")})
        assert reload.status_code == 409, change
