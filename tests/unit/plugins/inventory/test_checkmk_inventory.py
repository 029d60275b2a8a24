"""The Checkmk inventory: hosts as facts (secrets never), groups and their names, filters, the cache."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.lighthouse.monitoring.plugins.inventory.checkmk import InventoryModule
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.inventory import (
    SECRET_ATTRIBUTES,
    host_facts,
    read_hosts,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import group_name
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import reply
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.inventory.helpers import (
    configured,
    members,
    populate,
)

HOSTS = "/domain-types/host_config/collections/all"


def api_host(name: str, folder: str = "/", *, cluster: list | None = None, **effective: Any) -> dict[str, Any]:
    attributes = {"site": "central", "tag_agent": "cmk-agent", "labels": {}, "meta_data": {"created_by": "x"}}
    return {
        "id": name,
        "extensions": {
            "folder": folder,
            "attributes": {},
            "effective_attributes": {**attributes, **effective},
            "cluster_nodes": cluster,
        },
    }


def plugin(**options: Any) -> InventoryModule:
    return configured(InventoryModule, **options)


def populated(hosts: list[dict[str, Any]], **options: Any) -> InventoryData:
    return populate(plugin(**options), [host_facts(h) for h in hosts])


def test_facts_are_the_effective_attributes_without_credentials_or_bookkeeping():
    secrets = {name: {"type": "v1_v2_community", "community": "s3cret"} for name in SECRET_ATTRIBUTES}
    facts = host_facts(
        api_host("web1", "/linux/web", ipaddress="192.0.2.1", labels={"os": "linux"}, tag_criticality="prod", **secrets)
    )
    assert facts["name"] == "web1" and facts["folder"] == "/linux/web" and facts["site"] == "central"
    assert facts["labels"] == {"os": "linux"}
    assert facts["tags"] == {"agent": "cmk-agent", "criticality": "prod"}
    assert facts["address"] == "192.0.2.1"
    assert "s3cret" not in repr(facts) and "meta_data" not in facts["attributes"]
    assert facts["attributes"] == {"ipaddress": "192.0.2.1"}  # labels, tags and site are facts of their own
    assert facts["cluster_nodes"] is None


def test_attributes_nobody_set_are_left_out_and_those_set_kept_even_when_false():
    facts = host_facts(
        api_host("a", alias="", parents=[], contactgroups={}, management_address=None, inventory_failed=False)
    )
    assert facts["attributes"] == {"inventory_failed": False}


def test_the_address_is_ipv4_then_ipv6_else_none_and_empty_tags_are_no_tags():
    assert host_facts(api_host("a", ipaddress="", ipv6address="2001:db8::1"))["address"] == "2001:db8::1"
    assert host_facts(api_host("b", ipaddress="", ipv6address=""))["address"] is None
    assert host_facts(api_host("c", tag_agent=None, tag_snmp_ds=""))["tags"] == {}


def test_without_effective_attributes_the_hosts_own_attributes_are_taken():
    body = {"id": "x", "extensions": {"folder": "/a", "attributes": {"site": "remote1", "labels": {"k": "v"}}}}
    facts = host_facts(body)
    assert (facts["site"], facts["labels"], facts["cluster_nodes"]) == ("remote1", {"k": "v"}, None)


def test_all_hosts_are_read_with_one_request_with_effective_attributes(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [api_host("a"), api_host("b", cluster=["a"])]}))
    hosts = read_hosts(client)
    assert [h["name"] for h in hosts] == ["a", "b"] and hosts[1]["cluster_nodes"] == ["a"]
    assert [(c.method, c.path, c.query) for c in fake.calls] == [("GET", HOSTS, {"effective_attributes": "true"})]


@pytest.mark.parametrize("body", [None, [], {"value": {}}, {"value": [{"id": 1}]}, {"value": ["web1"]}])
def test_an_answer_that_is_no_list_of_hosts_is_one_line(client, fake, body):
    fake.on("GET", HOSTS, reply(200, body))
    with pytest.raises(ApiError, match=r"^Failed to list the hosts with their effective attributes: the answer is "):
        read_hosts(client)


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("label", "role", "web server"), "label_role_web_server"),
        (("tag", "address_family", "ip-v4-only"), "tag_address_family_ip_v4_only"),
        (("label", "cmk/os_family", "linux"), "label_cmk_os_family_linux"),
        (("site", "remote.1"), "site_remote_1"),
        (("folder", "Linux", "Web"), "folder_Linux_Web"),
        (("label", "ort", "München"), "label_ort_München"),
    ],
)
def test_group_names_are_joined_and_sanitized_as_ansible_requires(parts, name):
    assert group_name(*parts) == name


def test_groups_by_nested_folders_site_labels_and_tags_and_sets_host_vars():
    inventory = populated(
        [
            api_host("web1", "/linux/web", ipaddress="192.0.2.1", labels={"os": "linux"}, site="remote1"),
            api_host("db1", "/linux", ipv6address="2001:db8::1"),
            api_host("router", "/"),
        ]
    )
    assert members(inventory, "folder_linux_web") == ["web1"]
    assert members(inventory, "folder_linux") == ["db1", "web1"]  # hosts of subfolders are in the parent's group
    assert [g.name for g in inventory.groups["folder_linux"].child_groups] == ["folder_linux_web"]
    assert members(inventory, "site_remote1") == ["web1"] and members(inventory, "site_central") == ["db1", "router"]
    assert members(inventory, "label_os_linux") == ["web1"]
    assert members(inventory, "tag_agent_cmk_agent") == ["db1", "router", "web1"]
    assert not [g for g in inventory.groups if g.startswith("folder_") and "router" in members(inventory, g)]
    web1 = inventory.get_host("web1").vars
    assert web1["ansible_host"] == "192.0.2.1" and web1["checkmk_folder"] == "/linux/web"
    assert web1["checkmk_site"] == "remote1" and web1["checkmk_tags"] == {"agent": "cmk-agent"}
    assert "ansible_host" not in inventory.get_host("router").vars
    assert inventory.get_host("db1").vars["ansible_host"] == "2001:db8::1"


def test_host_vars_sets_only_the_variables_asked_for_and_always_the_address_and_nodes():
    inventory = populated([api_host("c1", "/a", cluster=["n1"], ipaddress="192.0.2.9")], host_vars=["site"])
    assert {k: v for k, v in inventory.get_host("c1").vars.items() if not k.startswith("inventory_")} == {
        "checkmk_site": "central",
        "checkmk_cluster_nodes": ["n1"],
        "ansible_host": "192.0.2.9",
    }


def test_group_by_builds_only_the_groups_asked_for_and_cluster_hosts_have_their_nodes():
    inventory = populated([api_host("c1", "/linux", cluster=["n1", "n2"])], group_by=["site"])
    assert sorted(g for g in inventory.groups if g not in ("all", "ungrouped")) == ["site_central"]
    assert inventory.get_host("c1").vars["checkmk_cluster_nodes"] == ["n1", "n2"]


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"folder": "/linux"}, ["db1", "web1"]),
        ({"folder": "/linux/"}, ["db1", "web1"]),
        ({"folder": "/linux/web"}, ["web1"]),
        ({"folder": "/lin"}, []),  # a folder, not a prefix of names
        ({"folder": "/"}, ["db1", "router", "web1"]),
        ({"sites": ["remote1"]}, ["web1"]),
        ({"labels": {"os": "linux", "env": "prod"}}, ["web1"]),
        ({"labels": {"os": "linux"}}, ["db1", "web1"]),
        ({"labels": {"backup": True}}, ["router"]),  # YAML's true is Checkmk's "true"
        ({"folder": "/linux", "sites": ["central"]}, ["db1"]),
    ],
)
def test_filters_keep_hosts_in_a_folder_tree_of_sites_with_all_labels(options, kept):
    inventory = populated(
        [
            api_host("web1", "/linux/web", site="remote1", labels={"os": "linux", "env": "prod"}),
            api_host("db1", "/linux", labels={"os": "linux"}),
            api_host("router", "/", labels={"backup": "true"}),
        ],
        **options,
    )
    assert sorted(inventory.hosts) == kept


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"folder": "linux"}, "the filter folder must be a folder path such as /linux/web, not 'linux'"),
        ({"labels": {"os": ["linux"]}}, "the filter labels must map each label to one value, not os: ['linux']"),
    ],
)
def test_a_filter_that_cannot_match_as_written_is_refused_before_any_request(options, message):
    module = plugin(**options)
    with pytest.raises(ValidationError) as error:
        module.check_filters()
    assert str(error.value) == message


def test_the_cache_keeps_the_hosts_not_the_connection_and_spares_the_request(monkeypatch):
    reads = []
    module = plugin(cache=True, api_secret="s3cret")
    module.ansible_name = "lighthouse.monitoring.checkmk"
    module._cache = {}
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [host_facts(api_host("web1"))])
    first = module._cached_hosts("prod.checkmk.yml", cache=True)
    second = module._cached_hosts("prod.checkmk.yml", cache=True)
    assert first == second and len(reads) == 1
    assert "s3cret" not in repr(module._cache)
    module._cached_hosts("prod.checkmk.yml", cache=False)  # --flush-cache: read again, and cache anew
    assert len(reads) == 2 and len(module._cache) == 1


def test_without_the_cache_every_parse_reads(monkeypatch):
    reads = []
    module = plugin(cache=False)
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [])
    module._cached_hosts("prod.checkmk.yml", cache=True)
    module._cached_hosts("prod.checkmk.yml", cache=True)
    assert len(reads) == 2


def test_a_library_error_while_parsing_is_one_line_naming_the_source(monkeypatch):
    module = plugin()
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)

    def refused():
        raise ApiError("Failed to list the hosts with their effective attributes: 401 Unauthorized", status=401)

    monkeypatch.setattr(module, "read", refused)
    with pytest.raises(AnsibleParserError) as error:
        module.parse(InventoryData(), None, "prod.checkmk.yml")
    assert error.value.message == (
        "Checkmk inventory prod.checkmk.yml: Failed to list the hosts with their effective attributes: 401 Unauthorized"
    )
    assert error.value.__cause__ is None and error.value.__suppress_context__  # no chained traceback at -vvv


@pytest.mark.parametrize(
    ("path", "accepted"),
    [("prod.checkmk.yml", True), ("checkmk.yaml", True), ("hosts.yml", False), ("checkmk.yml.bak", False)],
)
def test_sources_are_files_whose_names_end_with_checkmk_yml(tmp_path, path, accepted):
    (tmp_path / path).write_text("plugin: lighthouse.monitoring.checkmk\n")
    assert InventoryModule().verify_file(str(tmp_path / path)) is accepted
