"""The Opsview inventory: hosts as facts (variables' values never), groups and their names, filters, the cache."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.lighthouse.monitoring.plugins.inventory.opsview import InventoryModule
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import HostGroupTree
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.inventory import host_facts, read_hosts
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.inventory.helpers import (
    configured,
    members,
    populate,
)

PASSWORD = "pa55-word-value"
CREDENTIAL = "vsphere-s3cret"


def answer(status: int, body: Any) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class Fake:
    """Records requests and answers ``routes[(method, path)]``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []
        self.routes: dict[tuple[str, str], Response] = {("POST", "/rest/login"): answer(200, {"token": "t1"})}

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        parts = urlsplit(url)
        self.calls.append((method, parts.path, dict(parse_qsl(parts.query))))
        found = self.routes.get((method, parts.path))
        assert found is not None, f"unexpected {method} {parts.path}"
        return found


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def client(fake: Fake) -> OpsviewClient:
    return OpsviewClient("https://opsview.example/", "automation", password=PASSWORD, transport=fake, timeout=5)


def group(group_id: int, matpath: str, parent: int | None = None) -> dict[str, Any]:
    names = matpath.rstrip(",").split(",")
    return {
        "id": str(group_id),
        "name": names[-1],
        "matpath": matpath,
        "parent": None if parent is None else {"name": "x", "ref": f"/rest/config/hostgroup/{parent}"},
        "children": [],
        "hosts": [],
    }


GROUPS = [
    group(1, "Opsview,"),
    group(2, "Opsview,Monitoring Servers,", 1),
    group(3, "Opsview,Linux,", 1),
    group(4, "Opsview,Linux,Web,", 3),
    group(5, "Opsview,Windows,", 1),
    group(6, "Opsview,Windows,Web,", 5),  # group names are not unique: only their paths are
]


def ref(kind: str, ident: int, name: str) -> dict[str, str]:
    return {"name": name, "ref": f"/rest/config/{kind}/{ident}"}


def api_host(
    name: str,
    group_id: int = 4,
    *,
    ip: str = "192.0.2.10",
    keywords: tuple[str, ...] = (),
    cluster: str = "Master Monitoring Server",
    templates: tuple[str, ...] = ("OS - Unix Base",),
    **fields: Any,
) -> dict[str, Any]:
    """A host as /rest/config/host lists it (a 6.8.8 host, fewer fields)."""
    return {
        "id": str(sum(map(ord, name))),
        "name": name,
        "ip": ip,
        "alias": "",
        "hostgroup": ref("hostgroup", group_id, GROUPS[group_id - 1]["name"]),
        "monitored_by": ref("monitoringcluster", 1, cluster),
        "hosttemplates": [ref("hosttemplate", 164, t) for t in templates],
        "keywords": [ref("keyword", 9, k) for k in keywords],
        "parents": [],
        "hostattributes": [
            {"id": "7", "name": "DISK", "value": "/", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
            {"id": "8", "name": "DISK", "value": "/var", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
            {
                "id": "9",
                "name": "VSPHERE_CREDENTIALS",
                "value": "vc1",
                "arg1": "admin",
                "arg2": CREDENTIAL,
                "arg3": None,
                "arg4": None,
            },
        ],
        "snmp_community": CREDENTIAL,
        "snmpv3_authpassword": CREDENTIAL,
        "uncommitted": "0",
        **fields,
    }


def listing(items: list) -> Response:
    n = str(len(items))
    return answer(200, {"list": items, "summary": {"rows": n, "page": "1", "totalpages": "1", "totalrows": n}})


def facts(*hosts: dict[str, Any]) -> list[dict[str, Any]]:
    tree = HostGroupTree(GROUPS)
    return [host_facts(h, tree) for h in hosts]


def plugin(**options: Any) -> InventoryModule:
    return configured(InventoryModule, **options)


def populated(hosts: list[dict[str, Any]], **options: Any) -> InventoryData:
    return populate(plugin(**options), facts(*hosts))


# --- facts ------------------------------------------------------------------------------------------------------


def test_facts_name_the_group_by_its_path_and_keep_variables_names_only():
    web1 = api_host("web1", keywords=("webfarm",), parents=[ref("host", 1, "opsview")], alias="Web one")
    (found,) = facts(web1)
    assert found == {
        "name": "web1",
        "id": web1["id"],
        "address": "192.0.2.10",
        "alias": "Web one",
        "hostgroup": "Opsview/Linux/Web",
        "hostgroup_path": ["Opsview", "Linux", "Web"],
        "monitored_by": "Master Monitoring Server",
        "templates": ["OS - Unix Base"],
        "keywords": ["webfarm"],
        "parents": ["opsview"],
        "variables": ["DISK", "VSPHERE_CREDENTIALS"],
    }
    assert CREDENTIAL not in json.dumps(found) and "admin" not in json.dumps(found)


def test_groups_of_the_same_name_are_told_apart_by_their_paths():
    linux, windows = facts(api_host("a", 4), api_host("b", 6))
    assert (linux["hostgroup"], windows["hostgroup"]) == ("Opsview/Linux/Web", "Opsview/Windows/Web")


def test_a_host_without_address_or_cluster_and_a_group_the_listing_lacks():
    (found,) = facts(api_host("odd", ip="", monitored_by=None, hostgroup={"name": "Gone", "ref": "/rest/x/99"}))
    assert (found["address"], found["monitored_by"]) == (None, None)
    assert (found["hostgroup"], found["hostgroup_path"]) == ("Gone", ["Gone"])


def test_hosts_then_groups_are_read_with_one_request_each_after_the_login(client, fake):
    fake.routes[("GET", "/rest/config/host")] = listing([api_host("web1"), api_host("db1", 3)])
    fake.routes[("GET", "/rest/config/hostgroup")] = listing(GROUPS)
    hosts = read_hosts(client)
    assert [(h["name"], h["hostgroup"]) for h in hosts] == [("web1", "Opsview/Linux/Web"), ("db1", "Opsview/Linux")]
    assert fake.calls == [
        ("POST", "/rest/login", {}),
        ("GET", "/rest/config/host", {"rows": "all"}),
        ("GET", "/rest/config/hostgroup", {"rows": "all"}),
    ]


@pytest.mark.parametrize("body", [None, [], {"list": {}}, {"list": [{"id": "1"}]}, {"list": ["web1"]}])
def test_an_answer_that_is_no_list_of_hosts_is_one_line(client, fake, body):
    fake.routes[("GET", "/rest/config/host")] = answer(200, body)
    with pytest.raises(ApiError, match=r"^Failed to list the hosts: the answer is not a list of host objects$"):
        read_hosts(client)


def test_a_wrong_password_is_one_line_without_the_password(client, fake):
    fake.routes[("POST", "/rest/login")] = answer(401, {"message": "Invalid username or password"})
    with pytest.raises(AuthError) as error:
        read_hosts(client)
    assert str(error.value).startswith("Failed to log in as 'automation': 401 Invalid username or password")
    assert PASSWORD not in str(error.value)


# --- groups and host variables ----------------------------------------------------------------------------------


def test_groups_by_nested_host_groups_keywords_cluster_and_templates_and_sets_host_vars():
    inventory = populated(
        [
            api_host("web1", 4, keywords=("webfarm", "prod")),
            api_host("db1", 3, ip="db1.example.com", cluster="Collectors FRA", templates=()),
            api_host("dc1", 6, ip="", templates=("OS - Windows Base",)),
        ]
    )
    assert members(inventory, "hostgroup_Linux_Web") == ["web1"]
    assert members(inventory, "hostgroup_Linux") == ["db1", "web1"]  # hosts of groups below are in the parent's
    assert [g.name for g in inventory.groups["hostgroup_Linux"].child_groups] == ["hostgroup_Linux_Web"]
    assert members(inventory, "hostgroup_Windows_Web") == ["dc1"]
    assert "hostgroup_Opsview" not in inventory.groups  # the top group holds every host: no group
    assert members(inventory, "keyword_webfarm") == ["web1"] and members(inventory, "keyword_prod") == ["web1"]
    assert members(inventory, "monitored_by_Collectors_FRA") == ["db1"]
    assert members(inventory, "monitored_by_Master_Monitoring_Server") == ["dc1", "web1"]
    assert members(inventory, "template_OS___Unix_Base") == ["web1"]
    assert members(inventory, "template_OS___Windows_Base") == ["dc1"]
    web1 = inventory.get_host("web1").vars
    assert web1["ansible_host"] == "192.0.2.10" and web1["opsview_hostgroup"] == "Opsview/Linux/Web"
    assert web1["opsview_keywords"] == ["webfarm", "prod"] and web1["opsview_variables"] == [
        "DISK",
        "VSPHERE_CREDENTIALS",
    ]
    assert web1["opsview_monitored_by"] == "Master Monitoring Server" and web1["opsview_templates"] == [
        "OS - Unix Base"
    ]
    assert inventory.get_host("db1").vars["ansible_host"] == "db1.example.com"  # Opsview's ip may be a DNS name
    assert "ansible_host" not in inventory.get_host("dc1").vars
    assert CREDENTIAL not in repr({name: host.vars for name, host in inventory.hosts.items()})


def test_group_by_builds_only_the_groups_asked_for():
    inventory = populated([api_host("web1", keywords=("webfarm",))], group_by=["keywords"])
    assert sorted(g for g in inventory.groups if g not in ("all", "ungrouped")) == ["keyword_webfarm"]


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"hostgroup": "Opsview/Linux"}, ["db1", "web1"]),
        ({"hostgroup": "Opsview/Linux/"}, ["db1", "web1"]),
        ({"hostgroup": "opsview/linux/web"}, ["web1"]),  # Opsview compares names ignoring case
        ({"hostgroup": "Opsview/Lin"}, []),  # a group, not a prefix of names
        ({"hostgroup": "Opsview"}, ["db1", "dc1", "web1"]),
        ({"hostgroup": "Opsview/Windows/Web"}, ["dc1"]),
        ({"keywords": ["webfarm"]}, ["dc1", "web1"]),
        ({"keywords": ["webfarm", "PROD"]}, ["web1"]),  # all of them
        ({"monitored_by": ["collectors fra", "Nope"]}, ["db1"]),  # any of them
        ({"hostgroup": "Opsview/Linux", "keywords": ["webfarm"]}, ["web1"]),
    ],
)
def test_filters_keep_hosts_of_a_group_tree_with_all_keywords_of_any_cluster(options, kept):
    inventory = populated(
        [
            api_host("web1", 4, keywords=("webfarm", "prod")),
            api_host("db1", 3, cluster="Collectors FRA"),
            api_host("dc1", 6, keywords=("webfarm",)),
        ],
        **options,
    )
    assert sorted(inventory.hosts) == kept


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"hostgroup": "Opsview/Web,Shop"},
            "the filter hostgroup cannot match: Invalid host group name 'Web,Shop' in path 'Opsview/Web,Shop': "
            "letters, digits, spaces and . + - _ only, starting with a letter or digit",
        ),
        (
            {"keywords": ["#webfarm"]},
            "the filter keywords cannot match '#webfarm': a hashtag's name is letters, digits, _ and - (without #)",
        ),
        (
            {"keywords": ["web farm"]},
            "the filter keywords cannot match 'web farm': a hashtag's name is letters, digits, _ and - (without #)",
        ),
        (
            {"monitored_by": [""]},
            "the filter monitored_by cannot match '': a monitoring cluster's name is 1 to 64 characters",
        ),
    ],
)
def test_a_filter_that_cannot_match_as_written_is_refused_before_any_request(options, message):
    module = plugin(**options)
    with pytest.raises(ValidationError) as error:
        module.check_filters()
    assert str(error.value) == message


def test_a_host_group_path_that_does_not_start_at_the_top_is_refused_once_the_top_is_known():
    module = plugin(hostgroup="Linux/Web")
    module.check_filters()
    with pytest.raises(ValidationError) as error:
        module._populate(facts(api_host("web1")))
    assert str(error.value) == (
        "the filter hostgroup 'Linux/Web' cannot match: a path starts with the top host group 'Opsview', "
        "as in Opsview/Linux/Web"
    )


# --- cache, errors, sources -------------------------------------------------------------------------------------


def test_the_cache_keeps_the_hosts_not_the_connection_and_spares_the_requests(monkeypatch):
    reads = []
    module = plugin(cache=True, password=PASSWORD)
    module.ansible_name = "lighthouse.monitoring.opsview"
    module._cache = {}
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or facts(api_host("web1")))
    first = module._cached_hosts("prod.opsview.yml", cache=True)
    second = module._cached_hosts("prod.opsview.yml", cache=True)
    assert first == second and len(reads) == 1
    assert PASSWORD not in repr(module._cache) and CREDENTIAL not in repr(module._cache)
    json.dumps(module._cache)  # what a cache plugin writes
    module._cached_hosts("prod.opsview.yml", cache=False)  # --flush-cache: read again, and cache anew
    assert len(reads) == 2 and len(module._cache) == 1


def test_without_the_cache_every_parse_reads(monkeypatch):
    reads = []
    module = plugin(cache=False)
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [])
    module._cached_hosts("prod.opsview.yml", cache=True)
    module._cached_hosts("prod.opsview.yml", cache=True)
    assert len(reads) == 2


def test_the_plugin_reads_through_the_client_with_its_connection_options(monkeypatch, fake):
    fake.routes[("GET", "/rest/config/host")] = listing([api_host("web1")])
    fake.routes[("GET", "/rest/config/hostgroup")] = listing(GROUPS)
    built = {}

    def from_params(params, transport=None):
        built.update(params)
        return OpsviewClient(params["server_url"], params["username"], password=params["password"], transport=fake)

    monkeypatch.setattr(OpsviewClient, "from_params", staticmethod(from_params))
    module = plugin(
        server_url="https://opsview.example",
        username="automation",
        password=PASSWORD,
        token=None,
        validate_certs=True,
        ca_path=None,
        timeout=30,
    )
    assert [h["name"] for h in module.read()] == ["web1"]
    assert set(built) == {"server_url", "username", "password", "token", "validate_certs", "ca_path", "timeout"}


def test_a_library_error_while_parsing_is_one_line_naming_the_source(monkeypatch):
    module = plugin()
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)

    def refused():
        raise ApiError("Failed to list the hosts: 401 Token has expired", status=401)

    monkeypatch.setattr(module, "read", refused)
    with pytest.raises(AnsibleParserError) as error:
        module.parse(InventoryData(), None, "prod.opsview.yml")
    assert error.value.message == "Opsview inventory prod.opsview.yml: Failed to list the hosts: 401 Token has expired"
    assert error.value.__cause__ is None and error.value.__suppress_context__


@pytest.mark.parametrize(
    ("path", "accepted"),
    [("prod.opsview.yml", True), ("opsview.yaml", True), ("hosts.yml", False), ("prod.checkmk.yml", False)],
)
def test_sources_are_files_whose_names_end_with_opsview_yml(tmp_path, path, accepted):
    (tmp_path / path).write_text("plugin: lighthouse.monitoring.opsview\n")
    assert InventoryModule().verify_file(str(tmp_path / path)) is accepted
