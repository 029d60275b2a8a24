"""The collection's Checkmk client speaks every supported API version: each request the resources send,
and each answer they read, is validated against that version's official OpenAPI document while the
host and folder resources go through their whole lifecycle (check mode, create, update, purge, move, delete),
while services are discovered (single host and bulk) and changes activated (waiting for the runs), while
downtimes are set, verified and removed (also through a remote site's own API), while many hosts are
written through the bulk endpoints, and while cluster hosts are created and their nodes changed."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from checkmk_contract import UNDECLARED, Contract
from openapi_core.templating.responses.exceptions import ResponseNotFound

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import Activation, activate
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import BULK_START, discover
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.downtime import (
    DowntimeNotApplied,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import HostResource, desired_host
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import BulkHosts, Inventory
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import utc_now


class ValidatingTransport:
    """Sends the client's requests to the simulator and fails on anything the spec does not accept."""

    def __init__(self, contract: Contract, undeclared: tuple[str, ...] = ()) -> None:
        self.contract = contract
        self.exchanges: list[tuple[str, str, int]] = []
        # "<method> <path> <status>" the server answers although the spec does not declare the status
        self.undeclared = set(undeclared)

    def request(self, method, url, *, headers, body, timeout):
        parts = urlsplit(url)
        site, root, path = parts.path.lstrip("/").partition("/check_mk/api/1.0")
        assert root, url
        kwargs = {"body": body} if body is not None else {}
        response, request_errors, response_errors = self.contract.send(
            method, path, query=parse_qsl(parts.query), headers=dict(headers), site=site, **kwargs
        )
        label = f"{self.contract.version} {method} {path} -> {response.status_code}"
        assert not request_errors, f"{label}: the spec rejects the client's request: {request_errors}"
        if f"{method} {path} {response.status_code}" in self.undeclared:  # only the status is unknown to the spec
            response_errors = [e for e in response_errors if not isinstance(e, ResponseNotFound)]
        assert not response_errors, f"{label}: the answer does not match the spec: {response_errors}"
        self.exchanges.append((method, path if site == "cmk" else f"@{site}{path}", response.status_code))
        return Response(response.status_code, dict(response.headers), response.get_data())


def client_for(transport: ValidatingTransport) -> CheckmkClient:
    return CheckmkClient("http://localhost", "cmk", "automation", "test-secret", transport=transport)


def create_host(client: CheckmkClient, name: str) -> None:
    resource = HostResource(client, name, folder="/")
    assert sync(resource, "present", desired_host({"name": name}), check_mode=False).changed


def hosts_offering_cpu_load(client: CheckmkClient, contract: Contract, names: list[str], **discoverable) -> None:
    """Create the hosts; each one's agent offers the service CPU load (and ``discoverable``: host labels)."""
    services = [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]
    for name in names:
        create_host(client, name)
        contract.control("PUT", f"/discoverable/{name}", {"services": services, **discoverable})


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_folder_and_host_lifecycle_against_the_spec(version):
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)

    def folder(state="present", check_mode=False, purge=False, **params):
        params = {"path": "/linux/web", "state": state, **params}
        resource = FolderResource(client, params["path"], present=state == "present", purge=purge)
        return sync(resource, state, desired_folder(params), check_mode=check_mode)

    def host(state="present", check_mode=False, purge=False, **params):
        params = {"name": "web01", **params}
        resource = HostResource(client, "web01", folder=params.get("folder"), purge=purge)
        return sync(resource, state, desired_host(params), check_mode=check_mode)

    attributes = {"tag_criticality": "prod", "labels": {"team": "web"}}
    assert folder(check_mode=True, title="Web", attributes=attributes).changed
    assert all(method == "GET" for method, _path, _status in transport.exchanges)
    assert folder(title="Web", attributes=attributes).after["attributes"] == attributes
    assert not folder(title="Web", attributes=attributes).changed
    assert folder(attributes={"labels": {"tier": "frontend"}}).after["attributes"]["labels"] == {
        "team": "web",
        "tier": "frontend",
    }
    assert folder(attributes={"site": "remote1"}, purge=True).after["attributes"] == {"site": "remote1"}

    host_attributes = {"ipaddress": "192.0.2.10", "labels": {"role": "web"}}
    assert host(folder="/linux/web", attributes=host_attributes).changed
    assert not host(folder="/linux/web", attributes=host_attributes).changed
    assert host(attributes={"alias": "Web 1"}).after["attributes"]["alias"] == "Web 1"
    moved = host(folder="/linux/db", attributes={"ipaddress": "192.0.2.11"}, purge=True)
    assert moved.after == {"name": "web01", "folder": "/linux/db", "attributes": {"ipaddress": "192.0.2.11"}}
    assert client.recorded_changes()  # the pending changes of this client's writes are found
    assert host(state="absent").changed and not host(state="absent").changed
    assert folder(state="absent").changed and not folder(state="absent").changed

    methods = {method for method, _path, _status in transport.exchanges}
    assert methods == {"GET", "POST", "PUT", "DELETE"}
    assert json.dumps(transport.exchanges).count("/actions/move/invoke") == 1


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_discovery_and_activation_against_the_spec(version):
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)
    contract = transport.contract
    sleep = contract.clock.advance  # polling moves the simulator's clock: the jobs finish while the client waits

    hosts_offering_cpu_load(client, contract, ["web01", "web02"], host_labels={"os": "linux"})

    def run(hosts, mode, bulk=False):
        return discover(client, hosts, mode, bulk=bulk, check_mode=False, timeout=30, sleep=sleep)

    assert run(["web01"], "refresh").changed is False  # a background job, waited for
    assert run(["web01"], "new").after == {"web01": ["CPU load"]}
    assert run(["web01"], "tabula_rasa").after == {"web01": ["CPU load"]}  # a background job too
    assert run(["web01", "web02"], "fix_all", bulk=True).after == {"web01": ["CPU load"], "web02": ["CPU load"]}
    assert not run(["web01", "web02"], "fix_all", bulk=True).changed

    contract.control("POST", "/activations", {"user_id": "automation", "seconds": 1}, status=201)
    create_host(client, "web03")
    activated = activate(client, Activation(), check_mode=False, sleep=sleep)  # waits for the running one (423)
    assert activated.changed and activated.after["is_running"] is False
    assert [change["text"] for change in activated.after["changes"]] == ["Created new host web03."]
    assert not activate(client, Activation(), check_mode=False, sleep=sleep).changed
    assert [contract.state.monitoring_site(name) for name in ("web02", "web03")] == ["cmk", "cmk"]
    exchanges = set(transport.exchanges)
    redirect, bulk_status = (302, "discovery_run") if version == "2.3" else (303, "background_job")
    assert ("POST", "/domain-types/service_discovery_run/actions/start/invoke", redirect) in exchanges
    bulk_job = "bulk_discovery-" if version == "2.5" else "bulk_discovery"  # 2.5: a job of its own, with a uuid
    assert any(
        (method, status) == ("GET", 200) and path.startswith(f"/objects/{bulk_status}/{bulk_job}")
        for method, path, status in exchanges
    )
    assert ("POST", "/domain-types/activation_run/actions/activate-changes/invoke", 423) in exchanges


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_bulk_discovery_waits_for_the_one_running_against_the_spec(version):
    """Another play's bulk discovery runs when ours starts: 2.3 and 2.4 answer 409 (undeclared in 2.4), the client
    waits for that job and starts again; 2.5 queues ours behind it."""
    assert "bulk_conflict" in UNDECLARED
    undeclared = (f"POST {BULK_START} 409",) if version == "2.4" else ()
    transport = ValidatingTransport(Contract(version), undeclared=undeclared)
    client = client_for(transport)
    contract = transport.contract
    hosts_offering_cpu_load(client, contract, ["web01", "web02"])
    other = {"hostnames": ["web02"]} if version == "2.3" else {"hostnames": ["web02"], "options": {}}
    client.request("POST", BULK_START, body=other, ok=(200, 303), action="start another play's bulk discovery")

    outcome = discover(
        client, ["web01", "web02"], "fix_all", bulk=True, check_mode=False, timeout=30, sleep=contract.clock.advance
    )
    assert outcome.after == {"web01": ["CPU load"], "web02": ["CPU load"]}
    starts = [status for method, path, status in transport.exchanges if path == BULK_START]
    assert starts == {"2.3": [200, 409, 200], "2.4": [303, 409, 303], "2.5": [303, 303]}[version]


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_downtimes_against_the_spec(version):
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)
    contract = transport.contract
    for name, attributes in (("web1", {}), ("web10", {}), ("far1", {"site": "remote1"})):
        resource = HostResource(client, name, folder="/")
        assert sync(resource, "present", desired_host({"name": name, "attributes": attributes}), check_mode=False)
    assert activate(client, Activation(), check_mode=False, sleep=contract.clock.advance).changed

    def downtimes(check_mode=False, site_urls=None, **params):
        params = {"host_name": "web1", "comment": "Maintenance", "end_time": "+2h", **params}
        request = DowntimeRequest.from_params(params, now=utc_now())
        run = Downtimes(client, request, site_urls=site_urls, verify_timeout=1, sleep=contract.clock.advance)
        return run.apply(check_mode=check_mode), run

    assert downtimes(check_mode=True)[0].changed and contract.state.downtimes["cmk"] == {}
    assert downtimes(host_name=None, host_names=["web1", "web10"])[0].changed
    assert not downtimes(host_name=None, host_names=["web1", "web10"])[0].changed
    assert downtimes(end_time="+3h", duration=30)[0].changed  # replaced: a new window, flexible
    assert downtimes(state="absent")[0].changed and not downtimes(state="absent")[0].changed
    assert [d.host_name for d in contract.state.downtimes["cmk"].values()] == ["web10"]

    services = [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]
    contract.control("PUT", "/discoverable/web1", {"services": services})
    discover(client, ["web1"], "new", bulk=False, check_mode=False, timeout=30, sleep=contract.clock.advance)
    outcome, _run = downtimes(service_descriptions=["CPU load"])
    assert (
        outcome.after["downtimes"][0]["service_description"] == "CPU load"
        and outcome.after["downtimes"][0]["site_id"] == "cmk"
    )

    far, run = downtimes(host_name="far1")
    assert far.after["downtimes"][0]["site_id"] == "remote1" and run.fallbacks == []
    contract.control("POST", "/faults", {"silent_remote_downtimes": True})
    with pytest.raises(DowntimeNotApplied, match="site 'remote1', which monitors host 'far1'"):
        downtimes(host_name="far1", comment="Firmware")
    moved, run = downtimes(host_name="far1", comment="Firmware", site_urls={"remote1": "http://localhost"})
    assert moved.changed and [f["site_id"] for f in run.fallbacks] == ["remote1"]
    gone, run = downtimes(host_name="far1", state="absent", site_urls={"remote1": "http://localhost"})
    assert gone.changed and len(run.fallbacks) == 1
    assert ("POST", "@remote1/domain-types/downtime/collections/host", 204) in transport.exchanges
    assert ("POST", "@remote1/domain-types/downtime/actions/delete/invoke", 204) in transport.exchanges


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_downtimes_for_many_hosts_against_the_spec(version):
    """More hosts than are read one by one: the host listing, the downtime listing by comment, host_by_query and
    service_by_query, the removal by an ``or`` of exact queries, per site, and a site that drops them."""
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)
    contract = transport.contract
    hosts = {f"vm{n}": {"site": "remote1"} if n % 2 == 0 else {} for n in range(1, 11)}
    for name, attributes in hosts.items():
        resource = HostResource(client, name, folder="/")
        assert sync(resource, "present", desired_host({"name": name, "attributes": attributes}), check_mode=False)
    assert activate(client, Activation(), check_mode=False, sleep=contract.clock.advance).changed
    declared = [name for name in hosts if name != "vm10"]

    def downtimes(site_urls=None, **params):
        params = {"host_names": declared, "comment": "Node maintenance", "end_time": "+2h", **params}
        request = DowntimeRequest.from_params(params, now=utc_now())
        run = Downtimes(client, request, site_urls=site_urls, verify_timeout=1, sleep=contract.clock.advance)
        return run.apply(check_mode=False), run

    def held():
        return sorted(
            (site, d.host_name, d.service_description)
            for site in ("cmk", "remote1")
            for d in contract.state.downtimes[site].values()
        )

    transport.exchanges.clear()
    assert downtimes()[0].changed and not downtimes()[0].changed
    writes = [(method, path) for method, path, status in transport.exchanges if method == "POST"]
    assert writes == [("POST", "/domain-types/downtime/collections/host")] * 2
    assert held() == sorted((hosts[n].get("site", "cmk"), n, None) for n in declared)
    assert downtimes(state="absent")[0].changed and held() == []

    services = {"service_descriptions": ["PING", "Check_MK"]}
    assert downtimes(**services)[0].changed and len(held()) == 18
    assert downtimes(state="absent", **services)[0].changed and held() == []

    contract.control("POST", "/faults", {"silent_remote_downtimes": True})
    moved, run = downtimes(site_urls={"remote1": "http://localhost"})
    assert moved.changed and [(f["site_id"], f["host_names"]) for f in run.fallbacks] == [
        ("remote1", ["vm2", "vm4", "vm6", "vm8"])
    ]
    gone, run = downtimes(state="absent", site_urls={"remote1": "http://localhost"})
    assert gone.changed and len(run.fallbacks) == 1 and held() == []


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_bulk_hosts_against_the_spec(version):
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)

    def bulk(hosts, check_mode=False, **params):
        inventory = Inventory.from_params({"hosts": hosts, "batch_size": 2, **params})
        return BulkHosts(client, inventory).apply(check_mode=check_mode).extra["results"]

    nodes = [
        {"name": f"node{i}", "folder": "/k8s/workers", "attributes": {"ipaddress": f"192.0.2.{i}"}} for i in range(5)
    ]
    assert bulk(nodes, check_mode=True)["created"] == [f"node{i}" for i in range(5)]
    assert bulk(nodes)["created_folders"] == ["/k8s", "/k8s/workers"]
    assert bulk(nodes)["unchanged"] == [f"node{i}" for i in range(5)]
    changed = [dict(nodes[0], attributes={"alias": "first"}), dict(nodes[1], folder="/k8s")]
    assert bulk(changed) == {
        "created": [],
        "updated": ["node0"],
        "moved": ["node1"],
        "removed": [],
        "unchanged": [],
        "failed": {},
        "created_folders": [],
    }
    purged = bulk(changed, purge_attributes=True)  # node1 has exactly the declared attributes already
    assert (purged["updated"], purged["unchanged"]) == (["node0"], ["node1"])
    assert bulk(nodes[:2], exclusive_folder="/k8s", recursive=True)["removed"] == ["node2", "node3", "node4"]
    assert bulk(nodes, state="absent")["removed"] == ["node0", "node1"]
    paths = {path for _method, path, _status in transport.exchanges}
    assert {
        "/domain-types/host_config/actions/bulk-create/invoke",
        "/domain-types/host_config/actions/bulk-update/invoke",
        "/domain-types/host_config/actions/bulk-delete/invoke",
    } <= paths


@pytest.mark.parametrize("version", ["2.3", "2.4", "2.5"])
def test_cluster_hosts_against_the_spec(version):
    """checkmk_host and checkmk_hosts create clusters through the clusters collection, set nodes through the nodes
    property with the host's ETag, and keep a cluster's nodes when purging its attributes (2.3 and 2.4 would drop
    them if the attributes were replaced)."""
    transport = ValidatingTransport(Contract(version))
    client = client_for(transport)
    state = transport.contract.state

    def cluster(check_mode=False, purge=False, **params):
        params = {"name": "db", "folder": "/db", **params}
        resource = HostResource(client, "db", folder="/db", purge=purge, nodes=params.get("nodes"))
        return sync(resource, "present", desired_host(params), check_mode=check_mode)

    for name in ("db01", "db02"):
        create_host(client, name)
    attributes = {"ipaddress": "192.0.2.20", "alias": "DB"}
    assert cluster(check_mode=True, nodes=["db01"], attributes=attributes).changed and "db" not in state.hosts
    assert cluster(nodes=["db01"], attributes=attributes).after["nodes"] == ["db01"]
    assert not cluster(nodes=["db01"], attributes=attributes).changed
    assert cluster(nodes=["db01", "db02"]).after["nodes"] == ["db01", "db02"]
    assert cluster(attributes={"alias": "DB"}, purge=True).after["attributes"] == {"alias": "DB"}
    assert state.hosts["db"].cluster_nodes == ["db01", "db02"]  # kept in every version

    def bulk(hosts, **params):
        inventory = Inventory.from_params({"hosts": hosts, "batch_size": 500, **params})
        return BulkHosts(client, inventory).apply(check_mode=False).extra["results"]

    hosts = [{"name": "web01"}, {"name": "web", "folder": "/web", "nodes": ["web01"]}]
    assert bulk(hosts)["created"] == ["web01", "web"]
    assert bulk([{"name": "web", "folder": "/", "nodes": ["web01", "db01"]}])["moved"] == ["web"]
    assert bulk([{"name": "web", "attributes": {"alias": "Web"}}], purge_attributes=True)["updated"] == ["web"]
    assert state.hosts["web"].cluster_nodes == ["web01", "db01"]
    assert bulk([{"name": "web"}, {"name": "db"}], state="absent")["removed"] == ["db", "web"]

    exchanges = set(transport.exchanges)
    assert ("POST", "/domain-types/host_config/collections/clusters", 200) in exchanges
    assert {("PUT", f"/objects/host_config/{name}/properties/nodes", 200) for name in ("db", "web")} <= exchanges
