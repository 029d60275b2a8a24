"""The Checkmk inventory plugin and lookups, run by ansible-inventory and ansible-playbook against the simulator:
groups, host variables, filters, constructed groups, the cache, a vaulted secret, one request, and bad input."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    SECRET,
    SITE,
    USER,
    Simulator,
    assert_refused,
    flush_cache,
    group_hosts,
    inventory_json,
    run_inventory,
    run_playbook,
    write_play,
)

LIST_HOSTS = "GET /domain-types/host_config/collections/all"
COMMUNITY = "snmp-community-3e9d"  # a credential in a host attribute: never a host variable, never cached
FOLDERS = [("linux", "/", {"labels": {"os": "linux"}}), ("web", "/linux", {"site": "remote1"}), ("db", "/linux", {})]
HOSTS = [
    {
        "host_name": "web01",
        "folder": "/linux/web",
        "attributes": {
            "ipaddress": "192.0.2.11",
            "labels": {"env": "prod", "role": "web server"},
            "snmp_community": {"type": "v1_v2_community", "community": COMMUNITY},
        },
    },
    {
        "host_name": "web02",
        "folder": "/linux/web",
        "attributes": {"ipaddress": "192.0.2.12", "tag_criticality": "test"},
    },
    {"host_name": "db01", "folder": "/linux/db", "attributes": {"ipv6address": "2001:db8::21"}},
    {"host_name": "router", "folder": "/", "attributes": {}},
]


def api(simulator: Simulator, method: str, path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{simulator.url}/{SITE}/check_mk/api/1.0{path}",
        method=method,
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {USER} {SECRET}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback only
        pass


@pytest.fixture(scope="module")
def site(simulator: Simulator) -> Simulator:
    simulator.control("reset", method="POST")
    for name, parent, attributes in FOLDERS:
        folder = {"name": name, "title": name.title(), "parent": parent, "attributes": attributes}
        api(simulator, "POST", "/domain-types/folder_config/collections/all", folder)
    api(simulator, "POST", "/domain-types/host_config/actions/bulk-create/invoke", {"entries": HOSTS})
    return simulator


def inventory(site: Simulator, tmp_path: Path, config: str, *args: str, env: dict | None = None):
    return run_inventory(site, tmp_path, config, *args, env=env, name="prod")


def listed(site: Simulator, tmp_path: Path, config: str = "", *args: str, **kwargs) -> dict:
    return inventory_json(inventory(site, tmp_path, config, "--list", *args, **kwargs))


def test_graph_shows_the_folder_tree_with_one_request(site, tmp_path):
    site.control("request_counts", method="DELETE")
    done = inventory(site, tmp_path, "", "--graph", "folder_linux")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "@folder_linux:",
        "  |--@folder_linux_web:",
        "  |  |--web01",
        "  |  |--web02",
        "  |--@folder_linux_db:",
        "  |  |--db01",
    ]
    assert site.control("request_counts") == {LIST_HOSTS: 1}


def test_groups_and_host_variables(site, tmp_path):
    data = listed(site, tmp_path)
    assert group_hosts(data, "site_remote1") == ["web01", "web02"]
    assert group_hosts(data, f"site_{SITE}") == ["db01", "router"]
    assert group_hosts(data, "label_os_linux") == ["db01", "web01", "web02"]  # label of the folder /linux, inherited
    assert group_hosts(data, "label_role_web_server") == ["web01"]
    assert group_hosts(data, "tag_criticality_test") == ["web02"]
    assert group_hosts(data, "tag_criticality_prod") == ["db01", "router", "web01"]  # the tag group's default
    web01 = data["_meta"]["hostvars"]["web01"]
    assert web01["ansible_host"] == "192.0.2.11"
    assert (web01["checkmk_folder"], web01["checkmk_site"]) == ("/linux/web", "remote1")
    assert web01["checkmk_labels"] == {"os": "linux", "env": "prod", "role": "web server"}
    assert web01["checkmk_tags"]["criticality"] == "prod"
    assert data["_meta"]["hostvars"]["db01"]["ansible_host"] == "2001:db8::21"
    assert "ansible_host" not in data["_meta"]["hostvars"]["router"]
    assert COMMUNITY not in json.dumps(data) and "snmp_community" not in web01["checkmk_attributes"]


def test_filters_constructed_groups_and_a_vaulted_secret(site, tmp_path):
    password = tmp_path / "vault-password"
    password.write_text("vault-password-51c2\n")
    vaulted = subprocess.run(
        ["ansible-vault", "encrypt_string", "--vault-password-file", str(password), SECRET, "--name", "api_secret"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    config = (
        f"server_url: {site.url}\nsite: {SITE}\napi_user: {USER}\n{vaulted}"
        "folder: /linux\nsites: [remote1]\nlabels: {env: prod}\ngroup_by: [folder]\n"
        "compose:\n  ansible_user: \"'admin' if checkmk_tags.criticality == 'prod' else 'ansible'\"\n"
        "groups:\n  criticals: checkmk_tags.criticality == 'prod'\n"
        "keyed_groups:\n  - key: checkmk_labels.role\n    prefix: role\n"
    )
    without_env = {"CHECKMK_API_SECRET": "", "CHECKMK_SERVER_URL": "", "CHECKMK_SITE": "", "CHECKMK_API_USER": ""}
    data = listed(site, tmp_path, config, "--vault-password-file", str(password), env=without_env)
    assert sorted(data["_meta"]["hostvars"]) == ["web01"]
    assert group_hosts(data, "folder_linux_web") == ["web01"] and "site_remote1" not in data
    assert group_hosts(data, "criticals") == ["web01"] and group_hosts(data, "role_web_server") == ["web01"]
    assert data["_meta"]["hostvars"]["web01"]["ansible_user"] == "admin"


def test_the_cache_spares_the_request_and_never_keeps_the_secret(site, tmp_path):
    cache = tmp_path / "cache"
    config = f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {cache}\ncache_timeout: 600\n"
    site.control("request_counts", method="DELETE")
    first = listed(site, tmp_path, config)
    second = listed(site, tmp_path, config + "sites: [remote1]\n")  # a filter applies to the cached hosts
    assert site.control("request_counts") == {LIST_HOSTS: 1}
    assert sorted(second["_meta"]["hostvars"]) == ["web01", "web02"] and len(first["_meta"]["hostvars"]) == 4
    kept = "".join(f.read_text() for f in cache.iterdir())
    assert "web01" in kept and SECRET not in kept and COMMUNITY not in kept
    listed(site, tmp_path, config, *flush_cache(cache))
    assert site.control("request_counts") == {LIST_HOSTS: 2}


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        (
            "",
            {"CHECKMK_API_SECRET": "wrong-secret-0d4e"},
            "Failed to list the hosts with their effective attributes: 401 Unauthorized",
        ),
        ("server_url: http://127.0.0.1:9\n", {}, "Failed to list the hosts with their effective attributes: "),
        ("folder: linux\n", {}, "the filter folder must be a folder path such as /linux/web, not 'linux'"),
        ("group_by: [hostgroups]\n", {}, "group_by"),
    ],
)
@pytest.mark.parametrize("verbosity", [[], ["-vvvv"]])
def test_bad_input_is_one_clear_line_without_traceback_or_secret(site, tmp_path, config, env, message, verbosity):
    done = inventory(site, tmp_path, config, "--list", *verbosity, env=env)
    line = message if "group_by" in message else f"Checkmk inventory {tmp_path}/prod.checkmk.yml: {message}"
    assert_refused(done, line, (SECRET, "wrong-secret-0d4e"), verbosity)


def test_lookups_read_a_host_and_the_pending_changes(site, tmp_path):
    site.control("pending_changes", method="POST", body={"user_id": "alice", "text": "Edited by hand"})
    tasks = """
    - name: Look up a host
      ansible.builtin.set_fact:
        web01: "{{ lookup('lighthouse.monitoring.checkmk_host', 'web01') }}"
        both: "{{ query('lighthouse.monitoring.checkmk_host', 'web01', 'db01') | map(attribute='site') }}"
        missing: "{{ lookup('lighthouse.monitoring.checkmk_host', 'nope', errors='ignore') }}"
        changes: "{{ query('lighthouse.monitoring.checkmk_pending_changes') }}"
        alices: "{{ query('lighthouse.monitoring.checkmk_pending_changes', user='alice') | map(attribute='text') }}"
    - name: Check what they found
      ansible.builtin.assert:
        that:
          - web01.folder == '/linux/web' and web01.site == 'remote1' and web01.address == '192.0.2.11'
          - web01.labels.role == 'web server' and 'snmp_community' not in web01.attributes
          - both == ['remote1', 'cmk']
          - missing is none or missing == ''
          - changes | selectattr('user_id', 'eq', 'automation') | list | length >= 1
          - alices == ['Edited by hand']
    - name: A host Checkmk does not have
      ansible.builtin.debug:
        msg: "{{ lookup('lighthouse.monitoring.checkmk_host', 'nope') }}"
      ignore_errors: true
      register: missing_host
    - name: Check the error
      ansible.builtin.assert:
        that: missing_host.msg is search("Checkmk has no host 'nope'")
"""
    run = run_playbook(write_play(tmp_path / "lookups.yml", tasks), site.env)
    assert run.rc == 0, run.output
    assert COMMUNITY not in run.output and SECRET not in run.output


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("inventory", "lighthouse.monitoring.checkmk"),
        ("lookup", "lighthouse.monitoring.checkmk_host"),
        ("lookup", "lighthouse.monitoring.checkmk_pending_changes"),
    ],
)
def test_ansible_doc_renders_the_plugins(kind, name):
    done = subprocess.run(["ansible-doc", "-t", kind, name], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert "CHECKMK_API_SECRET" in done.stdout and "EXAMPLES" in done.stdout
