"""The Sensu inventory: clients as facts (secrets and redacted values never), groups and their names, filters, the
cache."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.lighthouse.monitoring.plugins.inventory.sensu import InventoryModule
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._args import CONNECTION, connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.inventory import (
    attribute_matches,
    client_facts,
    read_clients,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.inventory.helpers import (
    configured,
    members,
    populate,
    trusted,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_sensu_api import (
    BASE,
    ISSUED,
    PASSWORD,
    REDACT,
    USER,
    Fake,
    answer,
    redacted,
)

SECRET = "s3cr3t-client-value"  # a client's sensitive attribute


def api_client(name: str, *, redact: list[str] | None = None, **attributes: Any) -> dict[str, Any]:
    """A client as GET /clients shows it: stored as a POST leaves it, redacted with its own list, else the defaults."""
    stored = {"name": name, "address": "192.0.2.1", "keepalives": False, **attributes}
    if redact is not None:
        stored["redact"] = redact
    stored.update(version="1.9.0", timestamp=ISSUED)
    stored["subscriptions"] = list(dict.fromkeys([*stored.get("subscriptions", []), f"client:{name}"]))
    return redacted(stored, REDACT if redact is None else redact)


def plugin(**options: Any) -> InventoryModule:
    return configured(InventoryModule, **options)


def populated(clients: list[dict[str, Any]], **options: Any) -> InventoryData:
    return populate(plugin(**options), [client_facts(c) for c in clients])


def own_groups(inventory: InventoryData) -> list[str]:
    return sorted(g for g in inventory.groups if g not in ("all", "ungrouped"))


# --- facts --------------------------------------------------------------------------------------------------------


def test_facts_of_a_client_without_its_own_subscription():
    facts = client_facts(
        api_client("web01", subscriptions=["linux", "web", "linux"], environment="production", owner="ops")
    )
    assert facts == {
        "name": "web01",
        "address": "192.0.2.1",
        "subscriptions": ["linux", "web"],
        "environment": "production",
        "keepalives": False,
        "version": "1.9.0",
        "timestamp": ISSUED,
        "attributes": {"environment": "production", "owner": "ops"},
    }
    json.dumps(facts)  # what the cache keeps


def test_a_sensu_client_that_sends_keepalives_has_them_unless_it_says_otherwise():
    client = api_client("db01", socket={"bind": "127.0.0.1", "port": 3030})
    del client["keepalives"]
    facts = client_facts(client)
    assert facts["keepalives"] is True and facts["environment"] is None and facts["subscriptions"] == []
    assert facts["attributes"] == {"socket": {"bind": "127.0.0.1", "port": 3030}}


def test_redacted_values_and_secrets_are_never_facts():
    client = api_client(
        "web01",
        password=SECRET,
        ec2={"secret_access_key": SECRET, "region": "eu-west-1"},
        http_socket={"user": "u", "password": SECRET, "port": 3031},
        signature="it-signature",
    )
    assert "REDACTED" in repr(client) and SECRET not in repr(client)  # what Sensu shows: the signature too
    facts = client_facts(client)
    assert "REDACTED" not in repr(facts) and SECRET not in repr(facts) and "it-signature" not in repr(facts)
    assert facts["attributes"] == {"ec2": {"region": "eu-west-1"}, "http_socket": {"user": "u", "port": 3031}}


def test_the_clients_own_redact_list_hides_its_keys_and_sensus_defaults_stay_out_anyway():
    client = api_client("web01", redact=["token", "address"], token=SECRET, password=SECRET, note="kept")
    assert client["password"] == SECRET and client["token"] == "REDACTED"  # Sensu shows the password here
    facts = client_facts(client)
    assert SECRET not in repr(facts) and "REDACTED" not in repr(facts)
    assert facts["address"] is None  # hidden by the client's list
    assert facts["attributes"] == {"redact": ["token", "address"], "note": "kept"}


def test_all_clients_are_read_with_one_request_without_pagination():
    fake = Fake()
    fake.on("GET", "/clients", answer(200, [api_client("a", subscriptions=["web"]), api_client("b")]))
    api = SensuApi(BASE, transport=fake, username=USER, password=PASSWORD, timeout=5)
    clients = read_clients(api)
    assert [c["name"] for c in clients] == ["a", "b"] and clients[0]["subscriptions"] == ["web"]
    assert fake.paths() == ["GET /clients"] and fake.calls[0]["query"] == {}


@pytest.mark.parametrize("body", [None, {}, {"name": "a"}, ["web01"], [{"name": 1}], [{"address": "x"}]])
def test_an_answer_that_is_no_list_of_clients_is_one_line(body):
    fake = Fake()
    fake.on("GET", "/clients", answer(200, body))
    with pytest.raises(ApiError, match=r"^Failed to list the Sensu clients: the answer is not a list of clients$"):
        read_clients(SensuApi(BASE, transport=fake, timeout=5))


def test_wrong_credentials_are_one_line_without_the_password():
    fake = Fake()
    fake.on("GET", "/clients", answer(401))
    with pytest.raises(AuthError) as error:
        read_clients(SensuApi(BASE, transport=fake, username=USER, password=PASSWORD, timeout=5))
    assert str(error.value).startswith("Failed to list the Sensu clients: 401 Unauthorized - check username")
    assert PASSWORD not in str(error.value)


def test_the_connection_options_are_the_modules_ones():
    assert (
        CONNECTION
        == tuple(connection_spec())
        == (
            "server_url",
            "username",
            "password",
            "validate_certs",
            "ca_path",
            "timeout",
        )
    )


# --- groups and host vars -----------------------------------------------------------------------------------------


def test_groups_by_subscription_and_environment_and_sets_host_vars():
    inventory = populated(
        [
            api_client("web01", subscriptions=["linux", "web", "roundrobin:web"], environment="production"),
            api_client("db01", subscriptions=["linux"], environment="Stage 2", address="2001:db8::5"),
            api_client("switch01", address="unknown"),
        ]
    )
    assert own_groups(inventory) == [
        "environment_Stage_2",
        "environment_production",
        "subscription_linux",
        "subscription_roundrobin_web",
        "subscription_web",
    ]
    assert members(inventory, "subscription_linux") == ["db01", "web01"]
    assert members(inventory, "subscription_roundrobin_web") == ["web01"]
    assert members(inventory, "environment_Stage_2") == ["db01"]
    assert not [g for g in own_groups(inventory) if "switch01" in members(inventory, g)]
    web01 = inventory.get_host("web01").vars
    assert web01["ansible_host"] == "192.0.2.1" and web01["sensu_environment"] == "production"
    assert web01["sensu_subscriptions"] == ["linux", "web", "roundrobin:web"]
    assert (web01["sensu_version"], web01["sensu_timestamp"], web01["sensu_keepalives"]) == ("1.9.0", ISSUED, False)
    assert web01["sensu_attributes"] == {"environment": "production"}
    assert inventory.get_host("db01").vars["ansible_host"] == "2001:db8::5"
    switch01 = inventory.get_host("switch01").vars
    assert "ansible_host" not in switch01 and switch01["sensu_address"] == "unknown"


def test_no_client_gets_a_group_of_its_own_subscription():
    inventory = populated([api_client("web01"), api_client("web02", subscriptions=["client:web01"])])
    assert own_groups(inventory) == ["subscription_client_web01"]  # web02 subscribed to web01's on purpose
    assert members(inventory, "subscription_client_web01") == ["web02"]


@pytest.mark.parametrize(
    ("group_by", "groups"),
    [
        (["subscriptions"], ["subscription_web"]),
        (["environment"], ["environment_production"]),
        ([], []),
    ],
)
def test_group_by_builds_only_the_groups_asked_for(group_by, groups):
    inventory = populated([api_client("web01", subscriptions=["web"], environment="production")], group_by=group_by)
    assert own_groups(inventory) == groups


def test_constructed_features_use_the_host_vars():
    inventory = populated(
        [api_client("web01", environment="production", owner="ops"), api_client("db01")],
        # trusted as Ansible trusts what it reads from the inventory file
        compose={"ansible_user": trusted("'deploy' if sensu_environment == 'production' else 'ansible'")},
        keyed_groups=[{"key": trusted("sensu_attributes.owner | default('nobody')"), "prefix": "owner"}],
        strict=True,
    )
    assert inventory.get_host("web01").vars["ansible_user"] == "deploy"
    assert inventory.get_host("db01").vars["ansible_user"] == "ansible"
    assert members(inventory, "owner_ops") == ["web01"] and members(inventory, "owner_nobody") == ["db01"]


# --- filters ------------------------------------------------------------------------------------------------------

CLIENTS = [
    api_client("web01", subscriptions=["linux", "web"], environment="production", socket={"port": 3030}),
    api_client("web02", subscriptions=["web"], environment="staging", keepalives=True),
    api_client("db01", subscriptions=["linux", "roundrobin:db"], environment="production", safe_mode=True),
]


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"subscriptions": ["web"]}, ["web01", "web02"]),
        ({"subscriptions": ["roundrobin:db", "nope"]}, ["db01"]),  # at least one of them
        ({"subscriptions": ["client:web02"]}, ["web02"]),  # Sensu subscribes every client to its own
        ({"subscriptions": ["nope"]}, []),
        ({"attributes": {"environment": "production"}}, ["db01", "web01"]),
        ({"attributes": {"environment": "production", "safe_mode": True}}, ["db01"]),
        ({"attributes": {"safe_mode": "true"}}, ["db01"]),  # as text, as Sensu's filter.safe_mode=true
        ({"attributes": {"safe_mode": None}}, ["web01", "web02"]),  # without the attribute
        ({"attributes": {"keepalives": False}}, ["db01", "web01"]),
        ({"attributes": {"socket.port": 3030}}, ["web01"]),
        ({"attributes": {"socket.port": "3030"}}, ["web01"]),
        ({"attributes": {"name": "web02"}}, ["web02"]),
        ({"attributes": {"address": "192.0.2.1", "version": "1.9.0"}}, ["db01", "web01", "web02"]),
        ({"attributes": {"safe_mode": 1}}, []),  # true is not 1, nor "1"
        ({"subscriptions": ["linux"], "attributes": {"environment": "production"}}, ["db01", "web01"]),
    ],
)
def test_filters_keep_the_clients_of_any_subscription_with_all_attributes(options, kept):
    assert sorted(populated(CLIENTS, **options).hosts) == kept


def test_a_hidden_value_counts_as_not_there():
    facts = client_facts(api_client("web01", redact=["token"], token=SECRET))
    assert attribute_matches(facts, "token", None) and not attribute_matches(facts, "token", SECRET)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"subscriptions": ["web servers"]},
            "the filter subscriptions must hold Sensu subscription names (letters, digits, '_', '.', '-' and ':'), "
            "not 'web servers'",
        ),
        (
            {"subscriptions": [""]},
            "the filter subscriptions must hold Sensu subscription names (letters, digits, '_', '.', '-' and ':'), "
            "not ''",
        ),
        (
            {"attributes": {"subscriptions": "web"}},
            "the filter attributes cannot match subscriptions, a list; use the filter subscriptions",
        ),
        (
            {"attributes": {"http_socket.password": "x"}},
            "the filter attributes cannot match http_socket.password: Sensu hides the value of password, and this "
            "inventory keeps secrets out",
        ),
        (
            {"attributes": {"signature": "x"}},
            "the filter attributes cannot match signature: Sensu hides the value of signature, and this inventory "
            "keeps secrets out",
        ),
        (
            {"attributes": {"socket.": 1}},
            "the filter attributes must name attributes such as socket.port, not 'socket.'",
        ),
        (
            {"attributes": {"environment": ["production"]}},
            "the filter attributes must map each attribute to one value, not environment: ['production']",
        ),
    ],
)
def test_a_filter_that_cannot_match_as_written_is_refused_before_any_request(options, message):
    module = plugin(**options)
    with pytest.raises(ValidationError) as error:
        module.check_filters()
    assert str(error.value) == message


# --- the cache and errors -----------------------------------------------------------------------------------------


def test_the_cache_keeps_the_clients_not_the_connection_and_spares_the_request(monkeypatch):
    reads = []
    module = plugin(cache=True, password=PASSWORD)
    module.ansible_name = "lighthouse.monitoring.sensu"
    module._cache = {}
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [client_facts(api_client("web01"))])
    first = module._cached_hosts("prod.sensu.yml", cache=True)
    second = module._cached_hosts("prod.sensu.yml", cache=True)
    assert first == second and len(reads) == 1
    assert PASSWORD not in repr(module._cache)
    module._cached_hosts("prod.sensu.yml", cache=False)  # --flush-cache: read again, and cache anew
    assert len(reads) == 2 and len(module._cache) == 1


def test_the_filters_apply_to_cached_clients(monkeypatch):
    module = plugin(cache=True, subscriptions=["web"])
    module.ansible_name = "lighthouse.monitoring.sensu"
    module._cache = {module.get_cache_key("prod.sensu.yml"): [client_facts(c) for c in CLIENTS]}
    monkeypatch.setattr(module, "read", lambda: pytest.fail("read despite the cache"))
    module._populate(module._cached_hosts("prod.sensu.yml", cache=True))
    assert sorted(module.inventory.hosts) == ["web01", "web02"]


def test_without_the_cache_every_parse_reads(monkeypatch):
    reads = []
    module = plugin(cache=False)
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [])
    module._cached_hosts("prod.sensu.yml", cache=True)
    module._cached_hosts("prod.sensu.yml", cache=True)
    assert len(reads) == 2


def test_a_library_error_while_parsing_is_one_line_naming_the_source(monkeypatch):
    module = plugin()
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)

    def refused():
        raise AuthError("Failed to list the Sensu clients: 401 Unauthorized", status=401)

    monkeypatch.setattr(module, "read", refused)
    with pytest.raises(AnsibleParserError) as error:
        module.parse(InventoryData(), None, "prod.sensu.yml")
    assert error.value.message == "Sensu inventory prod.sensu.yml: Failed to list the Sensu clients: 401 Unauthorized"
    assert error.value.__cause__ is None and error.value.__suppress_context__  # no chained traceback at -vvv


def test_an_invalid_filter_fails_before_any_request(monkeypatch):
    module = plugin(subscriptions=["web servers"])
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)
    monkeypatch.setattr(module, "read", lambda: pytest.fail("read despite an invalid filter"))
    with pytest.raises(AnsibleParserError, match=r"^Sensu inventory prod.sensu.yml: the filter subscriptions must "):
        module.parse(InventoryData(), None, "prod.sensu.yml")


@pytest.mark.parametrize(
    ("path", "accepted"),
    [("prod.sensu.yml", True), ("sensu.yaml", True), ("hosts.yml", False), ("sensu.yml.bak", False)],
)
def test_sources_are_files_whose_names_end_with_sensu_yml(tmp_path, path, accepted):
    (tmp_path / path).write_text("plugin: lighthouse.monitoring.sensu\n")
    assert InventoryModule().verify_file(str(tmp_path / path)) is accepted
