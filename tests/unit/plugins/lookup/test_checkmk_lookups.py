"""The lookups checkmk_host and checkmk_pending_changes against a fake transport."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.lighthouse.monitoring.plugins.lookup import checkmk_host, checkmk_pending_changes
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import SECRET, problem, reply

PENDING = "/domain-types/activation_run/collections/pending_changes"
CONNECTION = {
    "server_url": "https://cmk.example",
    "site": "central",
    "api_user": "automation",
    "api_secret": SECRET,
    "validate_certs": True,
    "ca_path": None,
    "timeout": 5.0,
}


@pytest.fixture
def lookup(monkeypatch, fake):
    """Run a lookup with its options set as Ansible would set them, its client on the fake transport."""

    def from_params(cls, params, transport=None):
        assert params == CONNECTION
        return CheckmkClient("https://cmk.example", "central", "automation", SECRET, transport=fake, timeout=5)

    monkeypatch.setattr(CheckmkClient, "from_params", classmethod(from_params))

    def run(module: Any, terms: list, **options: Any) -> list:
        plugin = module.LookupModule()
        monkeypatch.setattr(plugin, "set_options", lambda var_options=None, direct=None: None)
        plugin._options = {**CONNECTION, **options}
        return plugin.run(terms, variables={})

    return run


def test_checkmk_host_returns_each_hosts_facts(lookup, fake):
    body = {
        "id": "web1",
        "extensions": {
            "folder": "/linux",
            "effective_attributes": {"site": "central", "ipaddress": "192.0.2.1", "snmp_community": "s3cret"},
        },
    }
    fake.on("GET", "/objects/host_config/web1", reply(200, body, '"e1"'))
    hosts = lookup(checkmk_host, ["web1"])
    assert [(h["name"], h["folder"], h["site"], h["address"]) for h in hosts] == [
        ("web1", "/linux", "central", "192.0.2.1")
    ]
    assert "s3cret" not in repr(hosts)
    assert fake.calls[-1].query == {"effective_attributes": "true"}


def test_checkmk_host_of_a_host_checkmk_does_not_have_is_an_error(lookup, fake):
    fake.on("GET", "/objects/host_config/nope", problem(404, "Not Found", "Host not found: 'nope'"))
    with pytest.raises(AnsibleLookupError, match=r"^Checkmk has no host 'nope'$"):
        lookup(checkmk_host, ["nope"])


def test_checkmk_host_refuses_an_invalid_name_before_any_request(lookup, fake):
    with pytest.raises(AnsibleLookupError, match=r"^Invalid host name 'web 1'"):
        lookup(checkmk_host, ["web 1"])
    assert fake.calls == []


def test_checkmk_host_errors_are_one_line_without_the_secret(lookup, fake):
    fake.on("GET", "/objects/host_config/web1", problem(401, "Unauthorized", "Wrong credentials"))
    with pytest.raises(AnsibleLookupError) as error:
        lookup(checkmk_host, ["web1"])
    assert error.value.message.startswith(
        "Failed to read the host web1 with its effective attributes: 401 Unauthorized"
    )
    assert "\n" not in error.value.message and SECRET not in error.value.message


def changes(*users: str | None) -> dict:
    return {
        "value": [
            {"id": f"c{i}", "user_id": user, "action_name": "edit-host", "text": f"Modified host h{i}.", "time": "t"}
            for i, user in enumerate(users)
        ]
    }


def test_pending_changes_lists_every_change_with_its_user(lookup, fake):
    fake.on("GET", PENDING, reply(200, changes("automation", "alice", None), '"e"'))
    found = lookup(checkmk_pending_changes, [], user=None)
    assert [(c["id"], c["user_id"]) for c in found] == [("c0", "automation"), ("c1", "alice"), ("c2", None)]
    assert set(found[0]) == {"id", "user_id", "action_name", "text", "time"}


def test_pending_changes_of_one_user(lookup, fake):
    fake.on("GET", PENDING, reply(200, changes("automation", "alice"), '"e"'))
    assert [c["id"] for c in lookup(checkmk_pending_changes, [], user="alice")] == ["c1"]


def test_pending_changes_takes_no_terms(lookup, fake):
    with pytest.raises(AnsibleLookupError, match="takes no terms"):
        lookup(checkmk_pending_changes, ["alice"], user=None)
    assert fake.calls == []
