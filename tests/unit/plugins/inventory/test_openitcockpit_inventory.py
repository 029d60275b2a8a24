"""The openITCOCKPIT inventory: hosts as facts from the API's lists (the key never), the requests they take, groups
and their names, filters, the cache, one-line errors."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.lighthouse.monitoring.plugins.inventory.openitcockpit import InventoryModule
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit import inventory as inventory_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.inventory import read_hosts
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import group_name
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.inventory.helpers import (
    configured,
    members,
    populate,
)

KEY = "0123abcd-oitc-inventory-key-4567"
BASE = "https://oitc.example"
CONTAINERS = [
    {"key": 1, "value": "/root"},
    {"key": 2, "value": "/root/ACME"},
    {"key": 3, "value": "/root/ACME/Berlin"},
    {"key": 4, "value": "/root/ACME/Berlin Süd"},
    {"key": 5, "value": "/root/Other"},
]


def answer(status: int = 200, body: object = None) -> Response:
    if body is None:  # openITCOCKPIT's answer to a wrong key: 401, empty, text/html
        return Response(status, {"Content-Type": "text/html; charset=UTF-8"}, b"")
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class Fake:
    """openITCOCKPIT's JSON API as the inventory reads it: ``routes[path]`` answers a GET (the path without
    ``.json``); a list is paged as the server pages it. Records every request."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.calls: list[dict[str, Any]] = []

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        parts = urlsplit(url)
        assert url.startswith(f"{BASE}/") and parts.path.endswith(".json"), url
        path, query = parts.path[: -len(".json")], dict(parse_qsl(parts.query))
        self.calls.append({"method": method, "path": path, "query": query, "headers": dict(headers)})
        assert method == "GET" and body is None, "the inventory only reads"
        route = self.routes.get(path)
        if route is None:
            raise AssertionError(f"unexpected request {method} {path}")
        if isinstance(route, Response):
            return route
        if isinstance(route, tuple):  # (key, rows): a listing, paged
            key, rows = route
            page, limit = int(query.get("page", 1)), int(query.get("limit", 25))
            chosen = rows[(page - 1) * limit : page * limit]
            paging = {"page": page, "current": len(chosen), "count": len(rows), "nextPage": page * limit < len(rows)}
            return answer(200, {key: chosen, "_csrfToken": None, "paging": paging})
        return answer(200, route)

    def paths(self) -> list[str]:
        return [call["path"] for call in self.calls]


def api_host(host_id: int, name: str, container: int = 1, **fields: Any) -> dict[str, Any]:
    """A row of /hosts/index as the recorded server answers it (fewer keys)."""
    host = {
        "id": host_id,
        "uuid": f"uuid-{host_id}",
        "hostname": name,
        "name": name,
        "address": f"192.0.2.{host_id}",
        "description": "",
        "hosttemplate_id": 1,
        "satelliteId": 0,
        "satelliteName": "Mastersystem",
        "satelliteRestricted": False,
        "containerId": container,
        "containerIds": [container],
        "tags": None,
        "priority": 3,
        "disabled": False,
        "is_satellite_host": False,
        **fields,
    }
    return {"Host": host, "Hoststatus": {"currentState": 0, "isInMonitoring": True}}


def api_group(group_id: int, name: str, hosts: list[int], templates: list[int] = ()) -> dict[str, Any]:
    return {
        "id": group_id,
        "container": {"id": 100 + group_id, "containertype_id": 7, "name": name, "parent_id": 1},
        "hosts": {"_ids": list(hosts)},
        "hosttemplates": {"_ids": list(templates)},
    }


def server(monitored: list, pending: list = (), groups: list = ()) -> Fake:
    routes: dict[str, Any] = {
        "/containers/loadContainers": {"containers": CONTAINERS},
        "/hosttemplates/index": (
            "all_hosttemplates",
            [{"Hosttemplate": {"id": 1, "name": "default host"}}, {"Hosttemplate": {"id": 2, "name": "Linux"}}],
        ),
        "/hostgroups/index": ("all_hostgroups", [{"id": g["id"], "container": g["container"]} for g in groups]),
        "/hosts/index": ("all_hosts", list(monitored)),
        "/hosts/notMonitored": ("all_hosts", list(pending)),
    }
    for group in groups:
        routes[f"/hostgroups/edit/{group['id']}"] = {"hostgroup": {"Hostgroup": group}}
    return Fake(routes)


def client(fake: Fake) -> OitcClient:
    return OitcClient(BASE, KEY, transport=fake, timeout=5)


def plugin(**options: Any) -> InventoryModule:
    return configured(InventoryModule, **options)


HOSTS = [
    api_host(1, "web01", 3, satelliteId=1, satelliteName="sat-east", is_satellite_host=True),
    api_host(2, "db01", 2, hosttemplate_id=2, description="the database", containerIds=[2, 5]),
    api_host(3, "router", 1, address=""),
]
PENDING = [{"Host": api_host(4, "new01", 4)["Host"], "Hoststatus": {"isInMonitoring": False, "currentState": -1}}]
GROUPS = [api_group(1, "Web servers", [1]), api_group(2, "Linux", [], templates=[2]), api_group(3, "Core", [2])]


def facts(fake: Fake | None = None) -> list[dict[str, Any]]:
    return read_hosts(client(fake or server(HOSTS, PENDING, GROUPS)))


def populated(hosts: list[dict[str, Any]], **options: Any) -> InventoryData:
    return populate(plugin(**options), hosts)


def test_facts_are_read_from_the_host_lists_with_container_paths_groups_and_satellites():
    by_name = {host["name"]: host for host in facts()}
    assert sorted(by_name) == ["db01", "new01", "router", "web01"]
    web = by_name["web01"]
    assert web["container"] == "/root/ACME/Berlin" and web["address"] == "192.0.2.1"
    assert (web["satellite"], web["satellite_id"], web["monitored"], web["disabled"]) == ("sat-east", 1, True, False)
    assert web["host_groups"] == ["Web servers"] and web["host_template"] == "default host"
    db = by_name["db01"]
    # its own group (Core), not its template's: openITCOCKPIT inherits a template's groups only without own ones
    assert db["host_groups"] == ["Core"] and db["shared_containers"] == ["/root/Other"]
    assert db["description"] == "the database" and db["host_template"] == "Linux"
    assert by_name["router"]["address"] is None and by_name["router"]["container"] == "/root"
    assert by_name["router"]["satellite"] == "Mastersystem" and by_name["router"]["satellite_id"] == 0
    assert by_name["new01"]["monitored"] is False and by_name["new01"]["container"] == "/root/ACME/Berlin Süd"
    json.dumps(list(by_name.values()))  # what the cache keeps: JSON


def test_a_host_without_groups_of_its_own_has_its_templates():
    fake = server([api_host(7, "app01", 2, hosttemplate_id=2)], groups=GROUPS)
    assert facts(fake)[0]["host_groups"] == ["Linux"]


def test_the_key_is_in_the_header_only_and_never_in_the_facts():
    fake = server(HOSTS, PENDING, GROUPS)
    found = facts(fake)
    assert KEY not in json.dumps(found)
    assert all(call["headers"]["Authorization"] == f"X-OITC-API {KEY}" for call in fake.calls)
    assert all(KEY not in json.dumps(call["query"]) for call in fake.calls)


def test_requests_are_one_listing_each_and_one_per_host_group_never_one_per_host():
    fake = server(HOSTS, PENDING, GROUPS)
    facts(fake)
    assert sorted(fake.paths()) == sorted(
        [
            "/containers/loadContainers",
            "/hosttemplates/index",
            "/hostgroups/index",
            "/hostgroups/edit/1",
            "/hostgroups/edit/2",
            "/hostgroups/edit/3",
            "/hosts/index",
            "/hosts/notMonitored",
        ]
    )
    listed = [call["query"] for call in fake.calls if call["path"] == "/hosts/index"]
    assert listed == [
        {"angular": "true", "scroll": "false", "limit": "1000", "page": "1", "sort": "Hosts.id", "direction": "asc"}
    ]


def test_listings_are_read_page_by_page_as_the_api_pages(monkeypatch):
    monkeypatch.setattr(inventory_module, "PAGE_SIZE", 2)
    many = [api_host(i, f"host{i:02d}") for i in range(1, 6)]
    fake = server(many)
    assert [host["name"] for host in facts(fake)] == [f"host{i:02d}" for i in range(1, 6)]
    pages = [call["query"]["page"] for call in fake.calls if call["path"] == "/hosts/index"]
    assert pages == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("route", "body", "message"),
    [
        ("/hosts/index", {"all_hosts": {}}, "Failed to list the monitored hosts: the answer has no list 'all_hosts'"),
        (
            "/hosts/notMonitored",
            [],
            "Failed to list the hosts not in monitoring yet: the answer has no list",
        ),
        ("/hosts/index", {"all_hosts": [{"Host": {"id": 1}}]}, "Failed to list the hosts: a row of the answer is not"),
        ("/hostgroups/edit/1", {"hostgroup": []}, "Failed to read the members of host group 'Web servers': the answer"),
    ],
)
def test_an_answer_that_is_not_what_the_api_lists_is_one_line(route, body, message):
    fake = server(HOSTS, PENDING, GROUPS)
    fake.routes[route] = answer(200, body)
    with pytest.raises(ApiError) as error:
        facts(fake)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_a_wrong_key_is_one_line_that_does_not_show_it():
    fake = server(HOSTS)
    fake.routes["/containers/loadContainers"] = answer(401)
    with pytest.raises(AuthError) as error:
        facts(fake)
    assert str(error.value).startswith("Failed to list the containers: 401 Unauthorized - check api_key")
    assert KEY not in str(error.value)


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("container", "ACME", "Berlin Süd"), "container_ACME_Berlin_Süd"),
        (("hostgroup", "Web servers"), "hostgroup_Web_servers"),
        (("hostgroup", "linux/web-01"), "hostgroup_linux_web_01"),
        (("satellite", "sat-east.example"), "satellite_sat_east_example"),
    ],
)
def test_group_names_are_joined_and_sanitized_as_ansible_requires(parts, name):
    assert group_name(*parts) == name


def test_groups_by_nested_containers_host_groups_and_satellites_and_sets_host_vars():
    inventory = populated(facts())
    assert members(inventory, "container_ACME") == ["db01", "new01", "web01"]  # hosts below are in the parent too
    assert members(inventory, "container_ACME_Berlin") == ["web01"]
    assert members(inventory, "container_ACME_Berlin_Süd") == ["new01"]
    children = sorted(g.name for g in inventory.groups["container_ACME"].child_groups)
    assert children == ["container_ACME_Berlin", "container_ACME_Berlin_Süd"]
    assert not [g for g in inventory.groups if g.startswith("container_") and "router" in members(inventory, g)]
    assert members(inventory, "hostgroup_Web_servers") == ["web01"] and members(inventory, "hostgroup_Core") == ["db01"]
    assert members(inventory, "satellite_sat_east") == ["web01"]
    assert members(inventory, "satellite_Mastersystem") == ["db01", "new01", "router"]
    web = inventory.get_host("web01").vars
    assert web["ansible_host"] == "192.0.2.1" and web["openitcockpit_container"] == "/root/ACME/Berlin"
    assert web["openitcockpit_host_groups"] == ["Web servers"] and web["openitcockpit_satellite"] == "sat-east"
    assert web["openitcockpit_id"] == 1 and web["openitcockpit_monitored"] is True
    assert "ansible_host" not in inventory.get_host("router").vars
    assert not [name for host in inventory.hosts.values() for name in host.vars if KEY in str(host.vars[name])]


def test_group_by_builds_only_the_groups_asked_for():
    inventory = populated(facts(), group_by=["satellite"])
    assert sorted(g for g in inventory.groups if g not in ("all", "ungrouped")) == [
        "satellite_Mastersystem",
        "satellite_sat_east",
    ]


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"container": "/root/ACME"}, ["db01", "new01", "web01"]),
        ({"container": "ACME"}, ["db01", "new01", "web01"]),
        ({"container": "/root/ACME/Berlin"}, ["web01"]),  # a container, not a prefix of names
        ({"container": "/root/ACME/Berlin/"}, ["web01"]),
        ({"container": "/root"}, ["db01", "new01", "router", "web01"]),
        ({"container": "/root/Nowhere"}, []),
        ({"host_groups": ["Web servers", "Core"]}, ["db01", "web01"]),
        ({"satellites": ["sat-east"]}, ["web01"]),
        ({"satellites": ["Mastersystem"]}, ["db01", "new01", "router"]),
        ({"container": "ACME", "satellites": ["Mastersystem"]}, ["db01", "new01"]),
    ],
)
def test_filters_keep_hosts_in_a_container_tree_in_host_groups_of_satellites(options, kept):
    assert sorted(populated(facts(), **options).hosts) == kept


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"container": ""}, "the filter container cannot match: A container path names containers from root down"),
        ({"container": "/root/ACME /x"}, "the filter container cannot match: Invalid container name 'ACME '"),
        ({"host_groups": ["Web", ""]}, "the filter host_groups must list names, not ''"),
        ({"satellites": [None]}, "the filter satellites must list names, not None"),
    ],
)
def test_a_filter_that_cannot_match_as_written_is_refused_before_any_request(options, message):
    with pytest.raises(ValidationError) as error:
        plugin(**options).check_filters()
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_the_cache_keeps_the_hosts_not_the_connection_and_spares_the_requests(monkeypatch):
    fake = server(HOSTS, PENDING, GROUPS)
    module = plugin(cache=True, server_url=BASE, api_key=KEY, validate_certs=True, ca_path=None, timeout=5)
    module.ansible_name = "lighthouse.monitoring.openitcockpit"
    module._cache = {}
    monkeypatch.setattr(
        "ansible_collections.lighthouse.monitoring.plugins.inventory.openitcockpit.OitcClient.from_params",
        lambda params: OitcClient(params["server_url"], params["api_key"], transport=fake, timeout=5),
    )
    first = module._cached_hosts("prod.openitcockpit.yml", cache=True)
    requests = len(fake.calls)
    second = module._cached_hosts("prod.openitcockpit.yml", cache=True)
    assert first == second and len(fake.calls) == requests == 8
    assert KEY not in json.dumps(module._cache)
    module._cached_hosts("prod.openitcockpit.yml", cache=False)  # --flush-cache: read again, and cache anew
    assert len(fake.calls) == 2 * requests and len(module._cache) == 1


def test_without_the_cache_every_parse_reads(monkeypatch):
    reads = []
    module = plugin(cache=False)
    monkeypatch.setattr(module, "read", lambda: reads.append(1) or [])
    module._cached_hosts("prod.openitcockpit.yml", cache=True)
    module._cached_hosts("prod.openitcockpit.yml", cache=True)
    assert len(reads) == 2


def test_hosts_that_share_a_name_are_one_host_with_a_warning(monkeypatch):
    fake = server([api_host(1, "twin", 2), api_host(2, "twin", 5)])
    module = plugin(server_url=BASE, api_key=KEY, validate_certs=True, ca_path=None, timeout=5)
    monkeypatch.setattr(
        "ansible_collections.lighthouse.monitoring.plugins.inventory.openitcockpit.OitcClient.from_params",
        lambda params: OitcClient(params["server_url"], params["api_key"], transport=fake, timeout=5),
    )
    warnings = []
    monkeypatch.setattr(module.display, "warning", warnings.append)
    hosts = module.read()
    assert [(h["name"], h["id"]) for h in hosts] == [("twin", 1)]
    assert warnings == [
        "openITCOCKPIT has several hosts named twin; the inventory has the one with the lowest id of each "
        "(rename the others)"
    ]


def test_a_library_error_while_parsing_is_one_line_naming_the_source(monkeypatch):
    module = plugin()
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)

    def refused():
        raise AuthError("Failed to list the containers: 401 Unauthorized - check api_key", status=401)

    monkeypatch.setattr(module, "read", refused)
    with pytest.raises(AnsibleParserError) as error:
        module.parse(InventoryData(), None, "prod.openitcockpit.yml")
    assert error.value.message == (
        "openITCOCKPIT inventory prod.openitcockpit.yml: "
        "Failed to list the containers: 401 Unauthorized - check api_key"
    )
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_an_invalid_filter_fails_the_parse_before_any_request(monkeypatch):
    module = plugin(container="")
    monkeypatch.setattr(module, "_read_config_data", lambda path: None)
    monkeypatch.setattr(module, "read", lambda: pytest.fail("read despite an invalid filter"))
    with pytest.raises(
        AnsibleParserError, match=r"^openITCOCKPIT inventory x\.openitcockpit\.yml: the filter container"
    ):
        module.parse(InventoryData(), None, "x.openitcockpit.yml")


@pytest.mark.parametrize(
    ("path", "accepted"),
    [
        ("prod.openitcockpit.yml", True),
        ("openitcockpit.yaml", True),
        ("prod.checkmk.yml", False),
        ("openitcockpit.yml.bak", False),
    ],
)
def test_sources_are_files_whose_names_end_with_openitcockpit_yml(tmp_path, path, accepted):
    (tmp_path / path).write_text("plugin: lighthouse.monitoring.openitcockpit\n")
    assert InventoryModule().verify_file(str(tmp_path / path)) is accepted
