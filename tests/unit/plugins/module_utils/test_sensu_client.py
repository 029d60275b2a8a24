"""Sensu clients: the declared model, the model of what the API shows, and the resource through the sync engine
against the fake Sensu API (test_sensu_api.py): merged and purged subscriptions and attributes, whole-object updates,
secret attributes and redacted values, and removal that waits until the client is gone."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    ValidationError,
    WaitTimeout,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu import client as client_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import (
    REDACTED,
    SENSITIVE,
    ClientResource,
    desired_client,
    model_of,
    redacted_paths,
    sensitive_keys,
    sensitive_paths,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, sync
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_sensu_api import (
    BASE,
    ISSUED,
    REDACT,
    Fake,
    SensuServer,
    answer,
)

SECRET = "s3cr3t-client-value"  # a sensitive attribute's value


class Ticks:
    """The monotonic clock of the deadlines, advanced only by the injected sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def server(fake: Fake) -> SensuServer:
    return SensuServer(fake)


@pytest.fixture
def api(fake: Fake) -> SensuApi:
    return SensuApi(f"{BASE}/", transport=fake, timeout=5)


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> Ticks:
    clock = Ticks()
    monkeypatch.setattr(client_module, "Deadline", lambda seconds: Deadline(seconds, clock=clock))
    monkeypatch.setattr(client_module, "poll", functools.partial(poll, sleep=clock.sleep))
    return clock


def apply(
    api: SensuApi,
    name: str,
    *,
    state: str = "present",
    check_mode: bool = False,
    purge: frozenset[str] = frozenset(),
    invalidate: bool = False,
    invalidate_expire: int | None = None,
    wait_timeout: float = 30,
    secret_attributes: dict | None = None,
    **options,  # noqa: ANN003
) -> Outcome:
    """What sensu_client does: the declared model (secrets as REDACTED) for the engine, the secrets and the plain
    attributes as given for the resource."""
    present = state == "present"
    declared = desired_client(name, **options, secret_attributes=secret_attributes) if present else {"name": name}
    resource = ClientResource(
        api,
        name,
        purge=frozenset(purge),
        secret=secret_attributes,
        plain=options.get("attributes"),
        invalidate=invalidate,
        invalidate_expire=invalidate_expire,
        wait_timeout=wait_timeout,
        require_address=present and options.get("address") is None,
    )
    return sync(resource, state, declared, check_mode=check_mode)


def posted(fake: Fake) -> list[dict]:
    return [c["body"] for c in fake.writes() if c["path"] == "/clients"]


# --- the declared model -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        ({"name": "web 01"}, "Cannot manage a Sensu client: 'web 01' is not a valid Sensu client name"),
        ({"name": "wéb01"}, "'wéb01' is not a valid Sensu client name"),
        ({"name": "web:01"}, "'web:01' is not a valid Sensu client name"),
        ({"address": "  "}, "Cannot manage Sensu client 'web01': address is empty; leave it out"),
        ({"subscriptions": ["linux", ""]}, "every subscription must be a non-empty string, not ''"),
        ({"subscriptions": [" "]}, "every subscription must be a non-empty string, not ' '"),
        ({"subscriptions": [None]}, "every subscription must be a non-empty string, not None"),
        ({"attributes": {"name": "web02"}}, "attributes may not set name (use the module's own options"),
        ({"attributes": {"version": "1.9.0", "subscriptions": []}}, "attributes may not set subscriptions, version"),
        ({"attributes": {"timestamp": 1, "address": "x"}}, "attributes may not set address, timestamp"),
        ({"attributes": {"keepalive": {}, "keepalives": True}}, "attributes may not set keepalive, keepalives"),
        ({"secret_attributes": {"name": "web02"}}, "attributes may not set name (use the module's own options"),
        ({"secret_attributes": {"keepalive": {"secret": "x"}}}, "attributes may not set keepalive"),
    ],
)
def test_bad_client_declarations(options, message):
    with pytest.raises(ValidationError) as error:
        desired_client(**{"name": "web01", **options})
    assert message in str(error.value)


@pytest.mark.parametrize(
    "attributes, path, key",
    [
        ({"password": SECRET, "environment": "production"}, "password", "password"),
        ({"nested": {"deep": {"api_key": SECRET}}}, "nested.deep.api_key", "nested"),
        (
            {"endpoints": [{"url": "https://x"}, {"url": "https://y", "secret": SECRET}]},
            "endpoints[1].secret",
            "endpoints",
        ),
        ({"matrix": [[{"pass": SECRET}]]}, "matrix[0][0].pass", "matrix"),
        ({"community": ""}, "community", "community"),  # whatever the value: Sensu shows none
        ({"redact": ["token"], "token": SECRET}, "token", "token"),  # the declared redact list decides
    ],
)
def test_an_attribute_sensu_hides_must_be_declared_secret(attributes, path, key):
    with pytest.raises(ValidationError) as error:
        desired_client("web01", attributes=attributes)
    assert str(error.value) == (
        f"Cannot manage Sensu client 'web01': Sensu hides the value of attributes.{path}; declare {key} in "
        "secret_attributes, which stays out of logs and output"
    )
    assert SECRET not in str(error.value)


def test_an_attribute_given_plain_and_secret_is_refused():
    with pytest.raises(ValidationError) as error:
        desired_client("web01", attributes={"token": "a", "pin": "b"}, secret_attributes={"pin": SECRET, "token": "c"})
    assert str(error.value) == (
        "Cannot manage Sensu client 'web01': pin, token given in attributes and in secret_attributes"
    )


def test_the_declared_model_holds_only_what_is_declared():
    assert desired_client("web01") == {"name": "web01"}
    model = desired_client(
        "web01",
        address="192.0.2.10",
        subscriptions=["web", "linux", "client:web01", "web"],
        keepalives=False,
        attributes={"environment": "production", "safe_mode": True},
    )
    assert model == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux", "web"],  # sorted, once each, without the client's own
        "keepalives": False,
        "attributes": {"environment": "production", "safe_mode": True},
    }


def test_secret_attributes_read_as_redacted_in_the_declared_model():
    secret = {"password": SECRET, "snmp": {"community": SECRET, "version": 2}, "pin": 1234}
    model = desired_client("web01", attributes={"environment": "production"}, secret_attributes=secret)
    assert model == {
        "name": "web01",
        "attributes": {"environment": "production", "password": REDACTED, "snmp": REDACTED, "pin": REDACTED},
    }
    assert SECRET not in repr(model) and "1234" not in repr(model)
    assert secret == {"password": SECRET, "snmp": {"community": SECRET, "version": 2}, "pin": 1234}  # untouched
    assert desired_client("web01", secret_attributes={}) == {"name": "web01", "attributes": {}}


def test_a_redact_list_of_its_own_lets_sensus_defaults_be_plain():
    model = desired_client(
        "web01", attributes={"redact": ["token"], "password": "plain"}, secret_attributes={"token": SECRET}
    )
    assert model["attributes"] == {"redact": ["token"], "password": "plain", "token": REDACTED}
    assert desired_client("web01", attributes={"redact": [], "secret": "plain"})["attributes"] == {
        "redact": [],
        "secret": "plain",
    }


def test_the_model_of_a_client_leaves_out_what_sensu_sets_itself():
    shown = {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["web", "client:web01", "linux"],
        "keepalives": False,
        "keepalive": {"thresholds": {"warning": 120}},
        "environment": "production",
        "redact": ["token"],
        "token": REDACTED,
        "version": "1.9.0",
        "timestamp": ISSUED,
    }
    assert model_of(shown) == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux", "web"],
        "keepalives": False,
        "keepalive": {"thresholds": {"warning": 120}},
        "attributes": {"environment": "production", "redact": ["token"], "token": REDACTED},
    }


def test_a_client_without_keepalives_in_its_definition_expects_them():
    model = model_of({"name": "web01", "address": "web01", "subscriptions": ["client:web01"]})
    assert model["keepalives"] is True and model["keepalive"] == {} and model["subscriptions"] == []
    assert model["attributes"] == {}


# --- what Sensu hides ---------------------------------------------------------------------------------------------


def test_the_default_sensitive_keys_are_sensus():
    assert frozenset(REDACT) == SENSITIVE  # the fake's list, copied from lib/sensu/utilities.rb


def test_sensitive_keys_are_the_clients_redact_list_else_sensus_defaults():
    assert sensitive_keys({"redact": ["token", "pin"]}) == frozenset({"token", "pin"})
    assert sensitive_keys({"redact": []}) == frozenset()
    assert sensitive_keys(None) == SENSITIVE
    assert sensitive_keys({"environment": "x"}) == SENSITIVE
    assert sensitive_keys({"redact": "token"}) == SENSITIVE
    assert sensitive_keys({"redact": ["token", 1]}) == SENSITIVE
    assert "password" in SENSITIVE and "community" in SENSITIVE


def test_sensitive_paths_finds_the_keys_at_any_depth_lists_included():
    value = {
        "password": SECRET,
        "secret": {"password": "inner"},  # the whole value is hidden: no need to look further
        "nested": {"deep": {"api_key": 1234}},
        "endpoints": [{"url": "https://x", "secret": "list-secret"}, "plain", [{"pass": "y"}]],
        "redact": ["password"],  # a value, not a key
        "environment": "production",
    }
    assert sensitive_paths(value, SENSITIVE) == [
        "password",
        "secret",
        "nested.deep.api_key",
        "endpoints[0].secret",
        "endpoints[2][0].pass",
    ]
    assert sensitive_paths(value, frozenset({"environment", "url"})) == ["endpoints[0].url", "environment"]
    assert sensitive_paths(value, frozenset()) == []
    assert sensitive_paths([{"pass": 1}], SENSITIVE, "list") == ["list[0].pass"]


def test_redacted_paths_walk_mappings_and_lists():
    value = {
        "attributes": {
            "password": REDACTED,
            "nested": {"secret": REDACTED, "other": "x"},
            "list": [{"pass": REDACTED}, "x", [REDACTED]],
        },
        "name": "n",
    }
    assert redacted_paths(value) == [
        "attributes.password",
        "attributes.nested.secret",
        "attributes.list[0].pass",
        "attributes.list[2][0]",
    ]
    assert redacted_paths({"name": "n", "list": []}) == []
    assert redacted_paths(REDACTED) == [""]


# --- create, update -----------------------------------------------------------------------------------------------


def test_a_new_client_is_posted_and_read_back(api, fake, server):
    declared = {"address": "192.0.2.10", "subscriptions": ["linux", "web"], "attributes": {"environment": "production"}}
    outcome = apply(api, "web01", **declared)
    assert posted(fake) == [
        {"name": "web01", "address": "192.0.2.10", "subscriptions": ["linux", "web"], "environment": "production"}
    ]
    assert fake.paths() == ["GET /clients/web01", "POST /clients", "GET /clients/web01"]
    assert outcome.changed and outcome.before is None
    assert outcome.after == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux", "web"],
        "keepalives": False,  # Sensu's default for a client created through the API
        "keepalive": {},
        "attributes": {"environment": "production"},
    }
    assert server.clients["web01"]["subscriptions"] == ["linux", "web", "client:web01"]
    again = apply(api, "web01", **declared)
    assert not again.changed and again.after == outcome.after and len(fake.writes()) == 1


def test_check_mode_reads_only(api, fake, server):
    outcome = apply(api, "web01", address="192.0.2.10", subscriptions=["linux"], check_mode=True)
    assert outcome.changed and outcome.after == desired_client("web01", address="192.0.2.10", subscriptions=["linux"])
    server.client("web01", address="192.0.2.10", subscriptions=["web"])
    update = apply(api, "web01", address="192.0.2.10", subscriptions=["linux"], check_mode=True)
    assert update.changed and update.after["subscriptions"] == ["web", "linux"]
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_new_client_without_address_is_refused_before_any_write(api, fake, server, check_mode):
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", subscriptions=["linux"], check_mode=check_mode)
    assert str(error.value) == (
        "Cannot create Sensu client 'web01': Sensu needs an address for a new client; declare address"
    )
    assert fake.paths() == ["GET /clients/web01"]


def test_an_existing_client_needs_no_address(api, fake, server):
    server.client("web01", address="192.0.2.10", subscriptions=["linux"])
    outcome = apply(api, "web01", subscriptions=["web"])
    assert outcome.changed and posted(fake)[0]["address"] == "192.0.2.10"


def test_subscriptions_are_merged_and_the_whole_client_is_sent(api, fake, server):
    server.client(
        "web01",
        address="192.0.2.10",
        subscriptions=["linux", "old"],
        keepalives=True,
        environment="production",
        safe_mode=True,
    )
    outcome = apply(api, "web01", subscriptions=["web", "linux"])
    assert posted(fake) == [
        {
            "name": "web01",
            "address": "192.0.2.10",
            "subscriptions": ["linux", "old", "web"],
            "keepalives": True,
            "environment": "production",
            "safe_mode": True,
        }
    ]
    assert outcome.changed and outcome.before["subscriptions"] == ["linux", "old"]
    assert outcome.after["subscriptions"] == ["linux", "old", "web"]
    assert server.clients["web01"]["subscriptions"] == ["linux", "old", "web", "client:web01"]


def test_purged_subscriptions_are_exactly_the_declared_ones(api, fake, server):
    server.client("web01", address="192.0.2.10", subscriptions=["linux", "old"])
    outcome = apply(api, "web01", subscriptions=["web", "client:web01"], purge={"subscriptions"})
    assert posted(fake)[0]["subscriptions"] == ["web"]
    assert outcome.after["subscriptions"] == ["web"]
    assert server.clients["web01"]["subscriptions"] == ["web", "client:web01"]
    again = apply(api, "web01", subscriptions=["web"], purge={"subscriptions"})
    assert not again.changed and len(fake.writes()) == 1


def test_declared_subscriptions_that_are_there_are_not_changed_when_merged(api, fake, server):
    server.client("web01", address="192.0.2.10", subscriptions=["linux", "old", "web"])
    assert not apply(api, "web01", subscriptions=["web", "linux"]).changed
    assert fake.writes() == []


def test_attributes_are_merged_by_key(api, fake, server):
    server.client("web01", address="192.0.2.10", environment="production", team="ops")
    outcome = apply(api, "web01", attributes={"environment": "staging"})
    (body,) = posted(fake)
    assert body["environment"] == "staging" and body["team"] == "ops"
    assert outcome.after["attributes"] == {"environment": "staging", "team": "ops"}


def test_purged_attributes_drop_the_undeclared_ones(api, fake, server):
    server.client("web01", address="192.0.2.10", environment="production", team="ops")
    outcome = apply(api, "web01", attributes={"environment": "production"}, purge={"attributes"})
    (body,) = posted(fake)
    assert "team" not in body and body["environment"] == "production"
    assert body["subscriptions"] == [] and body["keepalives"] is False
    assert outcome.after["attributes"] == {"environment": "production"}
    assert "team" not in server.clients["web01"]


def test_an_update_sends_the_current_client_overlaid_with_the_declared_changes(api, fake, server):
    server.client(
        "web01",
        address="192.0.2.10",
        subscriptions=["linux"],
        environment="production",
        safe_mode=True,
        handlers={"mail": ["ops"]},
    )
    outcome = apply(api, "web01", address="192.0.2.11", keepalives=True, attributes={"handlers": {"slack": ["dev"]}})
    assert posted(fake) == [
        {
            "name": "web01",
            "address": "192.0.2.11",
            "subscriptions": ["linux"],
            "keepalives": True,
            "environment": "production",
            "safe_mode": True,
            "handlers": {"mail": ["ops"], "slack": ["dev"]},  # merged by key at any depth
        }
    ]
    assert "version" not in posted(fake)[0] and "timestamp" not in posted(fake)[0]
    assert outcome.changed and outcome.after["attributes"]["handlers"] == {"mail": ["ops"], "slack": ["dev"]}
    assert outcome.after["keepalives"] is True and outcome.after["address"] == "192.0.2.11"


def test_keepalive_settings_are_shown_but_a_client_with_them_is_not_updated(api, fake, server):
    keepalive = {"thresholds": {"warning": 120, "critical": 300}, "handlers": ["mail"]}
    server.client("web01", address="192.0.2.10", subscriptions=["linux"], keepalive=keepalive)
    unchanged = apply(api, "web01", subscriptions=["linux"])
    assert not unchanged.changed and unchanged.after["keepalive"] == keepalive
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", subscriptions=["web"], secret_attributes={"password": SECRET})
    assert str(error.value) == (
        "Cannot update Sensu client 'web01': it has keepalive settings, and Sensu's API fails (500) for any client "
        "written with them; change it in its own configuration (client.json)"
    )
    assert fake.writes() == [] and SECRET not in str(error.value)


@pytest.mark.parametrize("kind", ["keepalive settings", "a hidden value"])
def test_check_mode_refuses_the_update_the_run_would_refuse(api, fake, server, kind):
    if kind == "keepalive settings":
        server.client("web01", address="192.0.2.10", keepalive={"thresholds": {"warning": 120}})
    else:
        server.client("web01", address="192.0.2.10", password=SECRET)
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", address="192.0.2.11", check_mode=True)
    assert str(error.value).startswith("Cannot update Sensu client 'web01': ")
    assert fake.writes() == [] and SECRET not in str(error.value)


def test_a_rejected_client_fails_in_one_line(api, fake, server):
    fake.on("POST", "/clients", answer(400))
    with pytest.raises(ApiError) as error:
        apply(api, "web01", address="192.0.2.10")
    assert str(error.value) == (
        "Failed to create Sensu client 'web01': 400 Bad Request (Sensu says no more: a value it does not accept)"
    )
    assert len(fake.writes()) == 1


def test_a_client_accepted_but_not_listed_is_an_error(api, fake, server):
    fake.on("POST", "/clients", answer(201, {"name": "web01"}))
    with pytest.raises(ValidationError, match="Sensu accepted client 'web01' but does not list it"):
        apply(api, "web01", address="192.0.2.10")


# --- secret attributes and redacted values ------------------------------------------------------------------------


def test_secret_attributes_are_written_as_given_and_compared_as_redacted(api, fake, server):
    declared = {
        "address": "192.0.2.10",
        "attributes": {"environment": "prod"},
        "secret_attributes": {"password": SECRET, "endpoints": [{"url": "https://x", "secret": SECRET}]},
    }
    created = apply(api, "web01", **declared)
    (body,) = posted(fake)
    assert body["password"] == SECRET and body["endpoints"] == [{"url": "https://x", "secret": SECRET}]
    assert server.clients["web01"]["password"] == SECRET
    assert created.changed and created.after["attributes"] == {
        "environment": "prod",
        "password": REDACTED,
        "endpoints": REDACTED,
    }
    again = apply(api, "web01", **declared)
    assert not again.changed and len(fake.writes()) == 1
    for outcome in (created, again):
        assert SECRET not in repr(outcome)


def test_secret_attributes_are_written_with_an_update_triggered_by_another_change(api, fake, server):
    server.client("web01", address="192.0.2.10", password="old-value", environment="prod")
    moved = apply(api, "web01", address="192.0.2.11", secret_attributes={"password": SECRET})
    assert moved.changed and moved.before["attributes"] == {"password": REDACTED, "environment": "prod"}
    (body,) = posted(fake)
    assert body["password"] == SECRET and body["address"] == "192.0.2.11" and body["environment"] == "prod"
    assert server.clients["web01"]["password"] == SECRET
    assert moved.after["attributes"] == {"password": REDACTED, "environment": "prod"}
    assert SECRET not in repr(moved) and "old-value" not in repr(moved)


def test_a_changed_secret_alone_changes_nothing(api, fake, server):
    server.client("web01", address="192.0.2.10", password="old-value")
    outcome = apply(api, "web01", secret_attributes={"password": SECRET})
    assert not outcome.changed and fake.writes() == []  # documented: never compared
    assert server.clients["web01"]["password"] == "old-value"
    checked = apply(api, "web01", secret_attributes={"password": SECRET}, check_mode=True)
    assert not checked.changed


def test_a_secret_the_client_lacks_is_written(api, fake, server):
    server.client("web01", address="192.0.2.10", environment="prod")
    outcome = apply(api, "web01", secret_attributes={"api_key": SECRET})
    assert outcome.changed and posted(fake)[0]["api_key"] == SECRET
    assert outcome.before["attributes"] == {"environment": "prod"}
    assert outcome.after["attributes"] == {"environment": "prod", "api_key": REDACTED}
    assert not apply(api, "web01", secret_attributes={"api_key": "another"}).changed and len(fake.writes()) == 1


def test_a_secret_sensu_shows_is_still_never_read_nor_compared(api, fake, server):
    # snmp_community is not among Sensu's defaults: the API shows it, the resource does not
    server.client("web01", address="192.0.2.10", snmp_community="public-value")
    outcome = apply(api, "web01", secret_attributes={"snmp_community": SECRET})
    assert not outcome.changed and outcome.after["attributes"] == {"snmp_community": REDACTED}
    assert "public-value" not in repr(outcome)
    moved = apply(api, "web01", address="192.0.2.11", secret_attributes={"snmp_community": SECRET})
    assert moved.changed and posted(fake)[0]["snmp_community"] == SECRET
    assert SECRET not in repr(moved) and "public-value" not in repr(moved)


def test_purged_attributes_keep_the_declared_secrets(api, fake, server):
    server.client("web01", address="192.0.2.10", environment="prod", team="ops", password="old-value")
    declared = {"attributes": {"environment": "prod"}, "secret_attributes": {"password": SECRET}}
    outcome = apply(api, "web01", **declared, purge={"attributes"})
    (body,) = posted(fake)
    assert "team" not in body and body["environment"] == "prod" and body["password"] == SECRET
    assert outcome.changed and outcome.after["attributes"] == {"environment": "prod", "password": REDACTED}
    assert not apply(api, "web01", **declared, purge={"attributes"}).changed and len(fake.writes()) == 1
    only_secret = apply(api, "web01", secret_attributes={"password": SECRET}, purge={"attributes"})
    assert only_secret.changed and posted(fake)[1] == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": [],
        "keepalives": False,
        "password": SECRET,
    }


def test_purged_attributes_drop_an_undeclared_secret(api, fake, server):
    server.client("web01", address="192.0.2.10", environment="prod", api_key="the-key")
    outcome = apply(api, "web01", attributes={"environment": "prod"}, purge={"attributes"})
    assert outcome.changed and "api_key" not in posted(fake)[0] and "api_key" not in server.clients["web01"]


def test_a_plain_password_is_refused_before_any_request(api, fake, server):
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", address="192.0.2.10", attributes={"password": SECRET, "environment": "prod"})
    assert str(error.value) == (
        "Cannot manage Sensu client 'web01': Sensu hides the value of attributes.password; declare password in "
        "secret_attributes, which stays out of logs and output"
    )
    assert fake.calls == [] and SECRET not in str(error.value)


def test_an_undeclared_redacted_value_makes_an_update_fail_before_any_post(api, fake, server):
    server.client("web01", address="192.0.2.10", api_key="the-key", nested={"secret": "k"})
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", address="192.0.2.11")
    assert str(error.value) == (
        "Cannot update Sensu client 'web01': the API shows attributes.api_key, attributes.nested.secret as REDACTED, "
        "and "
        "Sensu replaces a client whole, so the value would be lost; declare it in secret_attributes"
    )
    assert fake.writes() == [] and server.clients["web01"]["api_key"] == "the-key"


def test_an_undeclared_redacted_value_in_a_list_makes_an_update_fail_before_any_post(api, fake, server):
    server.client("web01", address="192.0.2.10", endpoints=[{"url": "https://x", "password": "lost"}])
    with pytest.raises(ValidationError) as error:
        apply(api, "web01", address="192.0.2.11")
    assert str(error.value).startswith(
        "Cannot update Sensu client 'web01': the API shows attributes.endpoints[0].password as REDACTED"
    )
    assert fake.writes() == [] and server.clients["web01"]["endpoints"][0]["password"] == "lost"


def test_a_declared_secret_lets_the_update_through(api, fake, server):
    server.client("web01", address="192.0.2.10", api_key="the-key")
    outcome = apply(api, "web01", address="192.0.2.11", secret_attributes={"api_key": SECRET})
    assert outcome.changed and posted(fake)[0]["api_key"] == SECRET


@pytest.mark.parametrize(
    "stored, attributes, path",
    [
        ({"redact": ["token"], "token": "t0ken-value"}, {"token": "t0ken-value"}, "token"),
        ({"redact": ["pin"], "device": {"pin": 1234}}, {"device": {"pin": 1234}}, "device.pin"),
        ({"redact": ["pin"], "devices": [{"pin": 1234}]}, {"devices": [{"pin": 1234}]}, "devices[0].pin"),
    ],
)
def test_a_plain_attribute_the_clients_redact_list_hides_is_refused(api, fake, server, stored, attributes, path):
    server.client("web01", address="192.0.2.10", **stored)
    for check_mode in (False, True):
        with pytest.raises(ValidationError) as error:
            apply(api, "web01", attributes=attributes, check_mode=check_mode)
        assert str(error.value) == (
            f"Cannot manage Sensu client 'web01': Sensu hides attributes.{path} (the client's redact list), so it "
            "cannot be compared; declare it in secret_attributes"
        )
    assert fake.writes() == []


def test_the_clients_redact_list_as_read_is_honoured_with_secret_attributes(api, fake, server):
    server.client("web01", address="192.0.2.10", redact=["token"], token="t0ken-value", password="plain")
    outcome = apply(api, "web01", secret_attributes={"token": SECRET})
    assert not outcome.changed and fake.writes() == []
    assert outcome.after["attributes"] == {"redact": ["token"], "token": REDACTED, "password": "plain"}
    assert "t0ken-value" not in repr(outcome)


def test_the_declared_redact_list_decides_what_is_secret(api, fake, server):
    declared = {
        "address": "192.0.2.10",
        "attributes": {"redact": ["token"], "password": "plain"},
        "secret_attributes": {"token": SECRET},
    }
    created = apply(api, "web01", **declared)
    assert posted(fake)[0]["token"] == SECRET and posted(fake)[0]["password"] == "plain"
    assert created.after["attributes"] == {"redact": ["token"], "password": "plain", "token": REDACTED}
    assert not apply(api, "web01", **declared).changed and len(fake.writes()) == 1


def test_a_secret_in_check_mode_is_neither_sent_nor_shown(api, fake, server):
    created = apply(api, "web01", address="192.0.2.10", secret_attributes={"password": SECRET}, check_mode=True)
    assert created.changed and created.after["attributes"] == {"password": REDACTED}
    assert fake.writes() == [] and SECRET not in repr(created)


# --- removal ------------------------------------------------------------------------------------------------------


def test_absent_deletes_and_waits_until_the_client_is_gone(api, fake, ticks):
    shown = answer(200, {"name": "web01", "address": "192.0.2.10", "subscriptions": ["client:web01"]})
    fake.on("GET", "/clients/web01", shown, shown, shown, answer(404))
    fake.on("DELETE", "/clients/web01", answer(202, {"issued": ISSUED}))
    outcome = apply(api, "web01", state="absent")
    assert fake.paths() == ["GET /clients/web01", "DELETE /clients/web01"] + ["GET /clients/web01"] * 3
    assert fake.calls[1]["query"] == {} and "?" not in fake.calls[1]["url"]
    assert outcome.changed and outcome.before["name"] == "web01" and outcome.after is None
    assert len(ticks.slept) == 2  # 200 twice after the DELETE, then 404


def test_a_client_that_never_goes_fails_with_a_one_line_timeout(api, fake, ticks):
    fake.on("GET", "/clients/web01", answer(200, {"name": "web01", "address": "192.0.2.10"}))
    fake.on("DELETE", "/clients/web01", answer(202, {"issued": ISSUED}))
    with pytest.raises(WaitTimeout) as error:
        apply(api, "web01", state="absent", wait_timeout=0.5)
    assert str(error.value) == "the removal of Sensu client 'web01' did not finish within 0.5 seconds"
    assert sum(ticks.slept) == pytest.approx(0.5) and len(fake.writes()) == 1


def test_a_client_that_never_goes_fails_within_a_small_real_wait_timeout(api, fake):
    fake.on("GET", "/clients/web01", answer(200, {"name": "web01", "address": "192.0.2.10"}))
    fake.on("DELETE", "/clients/web01", answer(202, {"issued": ISSUED}))
    with pytest.raises(WaitTimeout, match="did not finish within 0.05 seconds$"):
        apply(api, "web01", state="absent", wait_timeout=0.05)


def test_the_delete_waits_with_the_server_resolving_events_first(api, fake, ticks):
    server = SensuServer(fake, delete_delay=2)
    server.client("web01", address="192.0.2.10")
    outcome = apply(api, "web01", state="absent")
    assert outcome.changed and "web01" not in server.clients and len(ticks.slept) == 2
    again = apply(api, "web01", state="absent")
    assert not again.changed and len(fake.writes()) == 1


def test_absent_needs_no_address_and_removes_a_client_with_secrets(api, fake, server, ticks):
    server.client("web01", address="192.0.2.10", password="the-password")
    outcome = apply(api, "web01", state="absent")
    assert outcome.changed and "web01" not in server.clients and "the-password" not in repr(outcome)


@pytest.mark.parametrize(
    "options, query",
    [
        ({}, {}),
        ({"invalidate": True}, {"invalidate": "true"}),
        ({"invalidate": True, "invalidate_expire": 3600}, {"invalidate": "true", "invalidate_expire": "3600"}),
    ],
)
def test_invalidate_in_the_delete_query(api, fake, server, ticks, options, query):
    server.client("web01", address="192.0.2.10")
    apply(api, "web01", state="absent", **options)
    (delete,) = fake.writes()
    assert delete["method"] == "DELETE" and delete["path"] == "/clients/web01" and delete["query"] == query


def test_invalidate_expire_needs_invalidate(api, fake):
    with pytest.raises(ValidationError) as error:
        ClientResource(api, "web01", invalidate_expire=3600)
    assert str(error.value) == (
        "Cannot remove Sensu client 'web01': invalidate_expire is the time an invalidation lasts; "
        "set invalidate: true with it"
    )
    assert fake.calls == []


@pytest.mark.parametrize("expire", [0, -1])
def test_invalidate_expire_must_be_positive(api, fake, expire):
    with pytest.raises(ValidationError) as error:
        ClientResource(api, "web01", invalidate=True, invalidate_expire=expire)
    assert str(error.value) == (
        f"Cannot remove Sensu client 'web01': invalidate_expire must be a positive number of seconds, not {expire}"
    )
    assert fake.calls == []


def test_absent_when_there_is_none_changes_nothing(api, fake, server):
    outcome = apply(api, "web01", state="absent")
    assert not outcome.changed and fake.paths() == ["GET /clients/web01"]


def test_absent_in_check_mode_reads_only(api, fake, server):
    server.client("web01", address="192.0.2.10")
    outcome = apply(api, "web01", state="absent", check_mode=True)
    assert outcome.changed and outcome.after is None and fake.writes() == [] and "web01" in server.clients


def test_a_client_removed_meanwhile_is_settled_by_reading_again(api, fake, ticks):
    fake.on("GET", "/clients/web01", answer(200, {"name": "web01", "address": "192.0.2.10"}), answer(404))
    fake.on("DELETE", "/clients/web01", answer(404))
    outcome = apply(api, "web01", state="absent")
    assert outcome.changed and outcome.after is None
    assert fake.paths() == ["GET /clients/web01", "DELETE /clients/web01", "GET /clients/web01"]


def test_a_redis_outage_fails_in_one_line(api, fake):
    fake.on("GET", "/clients/web01", answer(500, {"error": "not connected to redis"}))
    with pytest.raises(ApiError) as error:
        apply(api, "web01", address="192.0.2.10")
    assert str(error.value) == "Failed to read Sensu client 'web01': 500 not connected to redis"
    assert fake.writes() == []
