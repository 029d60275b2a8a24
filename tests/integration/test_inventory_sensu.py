"""The Sensu inventory plugin, run by ansible-inventory against the simulator: groups, host variables, filters,
constructed groups, the cache, a vaulted password, one request, and bad input."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    SENSU_PASSWORD,
    SENSU_USER,
    Simulator,
    assert_refused,
    flush_cache,
    group_hosts,
    inventory_json,
    run_inventory,
)

LIST_CLIENTS = "GET /clients"
CLIENT_SECRET = "it-sensu-inventory-secret-5a71"  # a client's sensitive attribute: never a host variable, never cached
SIGNATURE = "it-sensu-inventory-signature-93c4"  # a sensu-client's signature: Sensu shows it, the inventory does not
CLIENTS = [
    {
        "name": "inv-web01",
        "address": "192.0.2.31",
        "subscriptions": ["linux", "web", "roundrobin:web"],
        "environment": "production",
        "owner": "web team",
        "password": CLIENT_SECRET,
    },
    {
        "name": "inv-web02",
        "address": "192.0.2.32",
        "subscriptions": ["web"],
        "environment": "staging",
        "redact": ["token"],
        "token": CLIENT_SECRET,
    },
    {"name": "inv-db01", "address": "2001:db8::31", "subscriptions": ["linux", "db"], "environment": "production"},
]
LIVE = {  # a sensu-client of its own, which registers itself with a keepalive
    "name": "inv-app01",
    "address": "192.0.2.41",
    "subscriptions": ["linux", "app"],
    "signature": SIGNATURE,
    "safe_mode": True,
}
PROXY = "inv-switch01"  # registered by Sensu for a result's source: address "unknown"


def api(simulator: Simulator, method: str, path: str, body: dict) -> None:
    credentials = base64.b64encode(f"{SENSU_USER}:{SENSU_PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{simulator.url}{path}",
        method=method,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback only
        pass


@pytest.fixture(scope="module")
def sensu(sensu_simulator: Simulator) -> Simulator:
    sensu_simulator.control("reset", method="POST")
    for client in CLIENTS:
        api(sensu_simulator, "POST", "/clients", client)
    assert sensu_simulator.control("clients", method="POST", body={"client": LIVE})["registered"] is True
    api(sensu_simulator, "POST", "/results", {"name": "check_ping", "output": "OK", "status": 0, "source": PROXY})
    return sensu_simulator


def inventory(sim: Simulator, tmp_path: Path, config: str, *args: str, env: dict | None = None, name: str = "x"):
    return run_inventory(sim, tmp_path, config, *args, env=env, name=name)


def listed(sim: Simulator, tmp_path: Path, config: str = "", *args: str, **kwargs) -> dict:
    return inventory_json(inventory(sim, tmp_path, config, "--list", *args, **kwargs))


def test_graph_shows_the_subscription_groups_with_one_request(sensu, tmp_path):
    sensu.control("request_counts", method="DELETE")
    done = inventory(sensu, tmp_path, "", "--graph", "subscription_linux")
    assert done.returncode == 0, done.stderr
    header, *members = done.stdout.splitlines()
    assert header == "@subscription_linux:"
    assert sorted(members) == ["  |--inv-app01", "  |--inv-db01", "  |--inv-web01"]  # in the API's order
    assert sensu.control("request_counts") == {LIST_CLIENTS: 1}
    assert sensu.control("state")["requests"][-1]["path"] == "/clients"  # no limit: every client at once


def test_groups_and_host_variables(sensu, tmp_path):
    data = listed(sensu, tmp_path)
    assert sorted(data["_meta"]["hostvars"]) == ["inv-app01", "inv-db01", "inv-switch01", "inv-web01", "inv-web02"]
    assert group_hosts(data, "subscription_web") == ["inv-web01", "inv-web02"]
    assert group_hosts(data, "subscription_roundrobin_web") == ["inv-web01"]
    assert group_hosts(data, "subscription_app") == ["inv-app01"]
    assert group_hosts(data, "environment_production") == ["inv-db01", "inv-web01"]
    assert group_hosts(data, "environment_staging") == ["inv-web02"]
    assert not [group for group in data if group.startswith("subscription_client")]  # client:<name>: no groups
    assert group_hosts(data, "ungrouped") == [PROXY]
    web01 = data["_meta"]["hostvars"]["inv-web01"]
    assert web01["ansible_host"] == "192.0.2.31" and web01["sensu_address"] == "192.0.2.31"
    assert web01["sensu_subscriptions"] == ["linux", "web", "roundrobin:web"]
    assert web01["sensu_environment"] == "production" and web01["sensu_keepalives"] is False
    assert web01["sensu_version"] == "1.9.0" and isinstance(web01["sensu_timestamp"], int)
    assert web01["sensu_attributes"] == {"environment": "production", "owner": "web team"}
    assert data["_meta"]["hostvars"]["inv-web02"]["sensu_attributes"] == {"environment": "staging", "redact": ["token"]}
    app01 = data["_meta"]["hostvars"]["inv-app01"]
    assert app01["sensu_keepalives"] is True and app01["sensu_attributes"]["safe_mode"] is True
    assert app01["sensu_environment"] is None and "signature" not in app01["sensu_attributes"]
    assert data["_meta"]["hostvars"]["inv-db01"]["ansible_host"] == "2001:db8::31"
    switch01 = data["_meta"]["hostvars"][PROXY]
    assert switch01["sensu_address"] == "unknown" and "ansible_host" not in switch01
    shown = json.dumps(data)
    assert CLIENT_SECRET not in shown and SIGNATURE not in shown and "REDACTED" not in shown


def test_filters_constructed_groups_and_a_vaulted_password(sensu, tmp_path):
    vault_password = tmp_path / "vault-password"
    vault_password.write_text("vault-password-7d20\n")
    vaulted = subprocess.run(
        [
            "ansible-vault",
            "encrypt_string",
            "--vault-password-file",
            str(vault_password),
            SENSU_PASSWORD,
            "--name",
            "password",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = (
        f"server_url: {sensu.url}\nusername: {SENSU_USER}\n{vaulted}"
        "subscriptions: [linux, client:inv-web02]\nattributes: {keepalives: false}\ngroup_by: [environment]\n"
        "compose:\n  ansible_user: \"'deploy' if sensu_environment == 'production' else 'ansible'\"\n"
        "groups:\n  webservers: \"'web' in sensu_subscriptions\"\n"
        "keyed_groups:\n  - key: sensu_attributes.owner | default('nobody')\n    prefix: owner\n"
    )
    without_env = {"SENSU_API_URL": "", "SENSU_API_USER": "", "SENSU_API_PASSWORD": ""}
    data = listed(sensu, tmp_path, config, "--vault-password-file", str(vault_password), env=without_env)
    assert sorted(data["_meta"]["hostvars"]) == ["inv-db01", "inv-web01", "inv-web02"]  # not the live inv-app01
    assert group_hosts(data, "environment_production") == ["inv-db01", "inv-web01"] and "subscription_web" not in data
    assert group_hosts(data, "webservers") == ["inv-web01", "inv-web02"]
    assert group_hosts(data, "owner_web_team") == ["inv-web01"] and group_hosts(data, "owner_nobody") == [
        "inv-db01",
        "inv-web02",
    ]
    assert data["_meta"]["hostvars"]["inv-web01"]["ansible_user"] == "deploy"
    assert data["_meta"]["hostvars"]["inv-web02"]["ansible_user"] == "ansible"


def test_the_cache_spares_the_request_and_never_keeps_a_secret(sensu, tmp_path):
    cache = tmp_path / "cache"
    config = f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {cache}\ncache_timeout: 600\n"
    sensu.control("request_counts", method="DELETE")
    first = listed(sensu, tmp_path, config)
    second = listed(sensu, tmp_path, config + "subscriptions: [web]\n")  # a filter applies to the cached clients
    assert sensu.control("request_counts") == {LIST_CLIENTS: 1}
    assert sorted(second["_meta"]["hostvars"]) == ["inv-web01", "inv-web02"] and len(first["_meta"]["hostvars"]) == 5
    kept = "".join(f.read_text() for f in cache.iterdir())
    assert "inv-web01" in kept
    assert SENSU_PASSWORD not in kept and CLIENT_SECRET not in kept and SIGNATURE not in kept
    listed(sensu, tmp_path, config, *flush_cache(cache))
    assert sensu.control("request_counts") == {LIST_CLIENTS: 2}


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        (
            "",
            {"SENSU_API_PASSWORD": "wrong-password-1c8b"},
            "Failed to list the Sensu clients: 401 Unauthorized - check username and password",
        ),
        ("server_url: http://127.0.0.1:9\n", {}, "Failed to list the Sensu clients: "),
        (
            "subscriptions: [web servers]\n",
            {},
            "the filter subscriptions must hold Sensu subscription names (letters, digits, '_', '.', '-' and ':'), "
            "not 'web servers'",
        ),
        (
            "attributes: {password: x}\n",
            {},
            "the filter attributes cannot match password: Sensu hides the value of password",
        ),
        ("group_by: [checks]\n", {}, "group_by"),
    ],
)
@pytest.mark.parametrize("verbosity", [[], ["-vvvv"]])
def test_bad_input_is_one_clear_line_without_traceback_or_secret(sensu, tmp_path, config, env, message, verbosity):
    sensu.control("request_counts", method="DELETE")
    done = inventory(sensu, tmp_path, config, "--list", *verbosity, env=env)
    line = message if "group_by" in message else f"Sensu inventory {tmp_path}/x.sensu.yml: {message}"
    assert_refused(done, line, (SENSU_PASSWORD, "wrong-password-1c8b"), verbosity)
    if "filter" in message:
        assert sensu.control("request_counts") == {}  # refused before any request
