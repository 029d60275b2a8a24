"""The collection's Checkmk client speaks every supported API version: each request the resources send,
and each answer they read, is validated against that version's official OpenAPI document while the
host and folder resources go through their whole lifecycle (check mode, create, update, purge, move, delete),
and while services are discovered (single host and bulk) and changes activated (waiting for the runs)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from checkmk_contract import API, Contract

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import Activation, activate
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import discover
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import HostResource, desired_host
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync


class ValidatingTransport:
    """Sends the client's requests to the simulator and fails on anything the spec does not accept."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.exchanges: list[tuple[str, str, int]] = []

    def request(self, method, url, *, headers, body, timeout):
        parts = urlsplit(url)
        assert parts.path.startswith(API), url
        path = parts.path[len(API) :]
        kwargs = {"body": body} if body is not None else {}
        response, request_errors, response_errors = self.contract.send(
            method, path, query=parse_qsl(parts.query), headers=dict(headers), **kwargs
        )
        label = f"{self.contract.version} {method} {path} -> {response.status_code}"
        assert not request_errors, f"{label}: the spec rejects the client's request: {request_errors}"
        assert not response_errors, f"{label}: the answer does not match the spec: {response_errors}"
        self.exchanges.append((method, path, response.status_code))
        return Response(response.status_code, dict(response.headers), response.get_data())


def client_for(transport: ValidatingTransport) -> CheckmkClient:
    return CheckmkClient("http://localhost", "cmk", "automation", "test-secret", transport=transport)


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

    def create_host(name):
        resource = HostResource(client, name, folder="/")
        assert sync(resource, "present", desired_host({"name": name}), check_mode=False).changed

    for name in ("web01", "web02"):
        create_host(name)
        services = [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]
        contract.control("PUT", f"/discoverable/{name}", {"services": services, "host_labels": {"os": "linux"}})

    def run(hosts, mode, bulk=False):
        return discover(client, hosts, mode, bulk=bulk, check_mode=False, timeout=30, sleep=sleep)

    assert run(["web01"], "refresh").changed is False  # a background job, waited for
    assert run(["web01"], "new").after == {"web01": ["CPU load"]}
    assert run(["web01"], "tabula_rasa").after == {"web01": ["CPU load"]}  # a background job too
    assert run(["web01", "web02"], "fix_all", bulk=True).after == {"web01": ["CPU load"], "web02": ["CPU load"]}
    assert not run(["web01", "web02"], "fix_all", bulk=True).changed

    contract.control("POST", "/activations", {"user_id": "automation", "seconds": 1}, status=201)
    create_host("web03")
    activated = activate(client, Activation(), check_mode=False, sleep=sleep)  # waits for the running one (423)
    assert activated.changed and activated.after["is_running"] is False
    assert [change["text"] for change in activated.after["changes"]] == ["Created new host web03."]
    assert not activate(client, Activation(), check_mode=False, sleep=sleep).changed
    assert [contract.state.monitoring_site(name) for name in ("web02", "web03")] == ["cmk", "cmk"]
    exchanges = set(transport.exchanges)
    redirect, bulk_status = (302, "discovery_run") if version == "2.3" else (303, "background_job")
    assert ("POST", "/domain-types/service_discovery_run/actions/start/invoke", redirect) in exchanges
    assert ("GET", f"/objects/{bulk_status}/bulk_discovery", 200) in exchanges
    assert ("POST", "/domain-types/activation_run/actions/activate-changes/invoke", 423) in exchanges
