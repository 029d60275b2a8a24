"""The openITCOCKPIT inventory plugin, run by ansible-inventory against the simulator: container, host group and
satellite groups, host variables, filters, constructed groups, the cache, a vaulted key, the requests it takes, and
bad input."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OITC_API_KEY,
    Simulator,
    assert_refused,
    flush_cache,
    group_hosts,
    inventory_json,
    oitc_api,
    run_inventory,
)

SATELLITE = "branch-satellite"  # the simulator's satellite 1 (tests/integration/harness.py)
LINUX_TEMPLATE = 2  # the simulator's host template "Linux server"
# What one run of the plugin asks, with the three host groups below.
REQUESTS = {
    "GET /containers/loadContainers.json": 1,
    "GET /hosttemplates/index.json": 1,
    "GET /hostgroups/index.json": 1,
    "GET /hostgroups/edit/{group_id}.json": 3,
    "GET /hosts/index.json": 1,
    "GET /hosts/notMonitored.json": 1,
}


def api(sim: Simulator, path: str, body: dict | None = None) -> dict:
    return oitc_api(sim, f"{path}{'&' if '?' in path else '?'}angular=true", body)


def container_id(sim: Simulator, path: str) -> int:
    containers = api(sim, "/containers/loadContainers.json")["containers"]
    return next(entry["key"] for entry in containers if entry["value"] == path)


def add_host(sim: Simulator, name: str, address: str, container: int, **fields) -> int:
    host = {"name": name, "address": address, "container_id": container, "hosttemplate_id": 1, **fields}
    return api(sim, "/hosts/add.json", {"Host": host})["id"]


def export(sim: Simulator) -> None:
    """Refresh the monitoring configuration and wait for it, as openITCOCKPIT's own page does."""
    assert api(sim, "/exports/launchExport.json", {"create_backup": 0})["success"] is True
    deadline = time.monotonic() + 20
    while not api(sim, "/exports/broadcast.json")["exportFinished"]:
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def oitc(openitcockpit_simulator: Simulator) -> Simulator:
    """/root/ACME (a tenant) with the node Berlin; three host groups, one with the template "Linux server" as
    member; hosts in monitoring, one on the satellite, one created after the export, one disabled."""
    sim = openitcockpit_simulator
    sim.control("reset", method="POST")
    api(sim, "/tenants/add.json", {"description": "", "is_active": 1, "container": {"name": "ACME"}})
    acme = container_id(sim, "/root/ACME")
    berlin = {"Container": {"parent_id": acme, "name": "Berlin", "containertype_id": 5}}
    berlin = api(sim, "/containers/add.json", berlin)["id"]
    groups = {}
    for name, templates in (("Web servers", []), ("Linux", [LINUX_TEMPLATE]), ("Databases", [])):
        group = {"description": "", "container": {"name": name, "parent_id": 1}, "hosttemplates": {"_ids": templates}}
        groups[name] = api(sim, "/hostgroups/add.json", {"Hostgroup": group})["id"]
    add_host(sim, "web01", "192.0.2.11", berlin, satellite_id=1, hostgroups={"_ids": [groups["Web servers"]]})
    add_host(sim, "web02", "192.0.2.12", berlin, hosttemplate_id=LINUX_TEMPLATE, description="second web")
    add_host(sim, "db01", "192.0.2.21", acme, hostgroups={"_ids": [groups["Databases"]]})
    old = add_host(sim, "old01", "192.0.2.99", acme)
    export(sim)
    api(sim, f"/hosts/deactivate/{old}.json", {})
    add_host(sim, "new01", "192.0.2.31", berlin)  # not in monitoring until the next export
    return sim


def inventory(sim: Simulator, tmp_path: Path, config: str, *args: str, env: dict | None = None):
    return run_inventory(sim, tmp_path, config, *args, env=env)


def listed(sim: Simulator, tmp_path: Path, config: str = "", *args: str, **kwargs) -> dict:
    return inventory_json(inventory(sim, tmp_path, config, "--list", *args, **kwargs))


def test_graph_shows_the_container_tree_with_few_requests(oitc, tmp_path):
    oitc.control("request_counts", method="DELETE")
    done = inventory(oitc, tmp_path, "", "--graph", "container_ACME")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "@container_ACME:",
        "  |--@container_ACME_Berlin:",
        "  |  |--new01",
        "  |  |--web01",
        "  |  |--web02",
        "  |--db01",
    ]
    assert oitc.control("request_counts") == REQUESTS


def test_groups_and_host_variables(oitc, tmp_path):
    data = listed(oitc, tmp_path)
    assert sorted(data["_meta"]["hostvars"]) == ["db01", "default host", "new01", "web01", "web02"]  # not old01
    assert group_hosts(data, "container_ACME_Berlin") == ["new01", "web01", "web02"]
    assert data["container_ACME"]["children"] == ["container_ACME_Berlin"]
    assert group_hosts(data, "hostgroup_Web_servers") == ["web01"]
    assert group_hosts(data, "hostgroup_Linux") == ["web02"]  # through its template
    assert group_hosts(data, "hostgroup_Databases") == ["db01"]
    assert group_hosts(data, "satellite_branch_satellite") == ["web01"]
    assert group_hosts(data, "satellite_Mastersystem") == ["db01", "default host", "new01", "web02"]
    web01 = data["_meta"]["hostvars"]["web01"]
    assert web01["ansible_host"] == "192.0.2.11" and web01["openitcockpit_address"] == "192.0.2.11"
    assert web01["openitcockpit_container"] == "/root/ACME/Berlin"
    assert web01["openitcockpit_host_groups"] == ["Web servers"]
    assert (web01["openitcockpit_satellite"], web01["openitcockpit_satellite_id"]) == (SATELLITE, 1)
    assert web01["openitcockpit_monitored"] is True and web01["openitcockpit_disabled"] is False
    web02 = data["_meta"]["hostvars"]["web02"]
    assert web02["openitcockpit_host_template"] == "Linux server" and web02["openitcockpit_description"] == "second web"
    assert data["_meta"]["hostvars"]["new01"]["openitcockpit_monitored"] is False
    assert OITC_API_KEY not in json.dumps(data)


def test_filters_constructed_groups_and_a_vaulted_key(oitc, tmp_path):
    password = tmp_path / "vault-password"
    password.write_text("vault-password-8e1f\n")
    vaulted = subprocess.run(
        ["ansible-vault", "encrypt_string", "--vault-password-file", str(password), OITC_API_KEY, "--name", "api_key"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = (
        f"server_url: {oitc.url}\n{vaulted}"
        "container: ACME\nsatellites: [Mastersystem]\nhost_groups: [Linux, Databases]\ngroup_by: [container]\n"
        "compose:\n  ansible_user: \"'admin' if openitcockpit_monitored else 'nobody'\"\n"
        "groups:\n  linux: \"'Linux' in openitcockpit_host_groups\"\n"
        "keyed_groups:\n  - key: openitcockpit_host_template\n    prefix: template\n"
    )
    data = listed(
        oitc, tmp_path, config, "--vault-password-file", str(password), env={"OITC_API_KEY": "", "OITC_URL": ""}
    )
    assert sorted(data["_meta"]["hostvars"]) == ["db01", "web02"]
    assert group_hosts(data, "container_ACME_Berlin") == ["web02"] and "satellite_Mastersystem" not in data
    assert group_hosts(data, "linux") == ["web02"] and group_hosts(data, "template_Linux_server") == ["web02"]
    assert data["_meta"]["hostvars"]["db01"]["ansible_user"] == "admin"


def test_the_cache_spares_the_requests_and_never_keeps_the_key(oitc, tmp_path):
    cache = tmp_path / "cache"
    config = f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {cache}\ncache_timeout: 600\n"
    oitc.control("request_counts", method="DELETE")
    first = listed(oitc, tmp_path, config)
    second = listed(oitc, tmp_path, config + f"satellites: [{SATELLITE}]\n")  # a filter applies to the cached hosts
    assert oitc.control("request_counts") == REQUESTS
    assert sorted(second["_meta"]["hostvars"]) == ["web01"] and len(first["_meta"]["hostvars"]) == 5
    kept = "".join(f.read_text() for f in cache.iterdir())
    assert "web01" in kept and OITC_API_KEY not in kept
    listed(oitc, tmp_path, config, *flush_cache(cache))
    assert oitc.control("request_counts") == {key: 2 * count for key, count in REQUESTS.items()}


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ("", {"OITC_API_KEY": "wrong-key-5b7c"}, "Failed to list the containers: 401 Unauthorized - check api_key"),
        ("server_url: http://127.0.0.1:9\n", {}, "Failed to list the containers: "),
        ('container: ""\n', {}, "the filter container cannot match: A container path names containers from root"),
        ("host_groups: [Linux, '']\n", {}, "the filter host_groups must list names, not ''"),
        ("group_by: [hostgroups]\n", {}, "group_by"),
    ],
)
@pytest.mark.parametrize("verbosity", [[], ["-vvvv"]])
def test_bad_input_is_one_clear_line_without_traceback_or_key(oitc, tmp_path, config, env, message, verbosity):
    done = inventory(oitc, tmp_path, config, "--list", *verbosity, env=env)
    line = message if "group_by" in message else f"openITCOCKPIT inventory {tmp_path}/x.openitcockpit.yml: {message}"
    assert_refused(done, line, (OITC_API_KEY, "wrong-key-5b7c"), verbosity)


def test_ansible_doc_renders_the_plugin():
    command = ["ansible-doc", "-t", "inventory", "lighthouse.monitoring.openitcockpit"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert "OITC_API_KEY" in done.stdout and "EXAMPLES" in done.stdout
