"""Opsview's own Python client, pyopsview 6.2.3, against the simulator served on loopback: an independent client
that logs in, reads the version, loads its schemas, pages through listings and writes objects the way its
authors wrote it for a real Opsview."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyopsview import OpsviewClient
from pyopsview.exceptions import OpsviewClientException

from tests.simulators.opsview import Simulator, SimulatorConfig, serve

NEEDS_OPENAPI = False  # pyopsview is installed with the test tools: these tests run on any clone


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with serve(SimulatorConfig(reload_seconds=0.05)) as running:
        yield running


@pytest.fixture
def client(sim: Simulator) -> OpsviewClient:
    with sim.state.lock:
        sim.state.reset()
    return OpsviewClient(sim.server_url, username="admin", password="initial")


def test_login_version_and_token_login(sim: Simulator, client: OpsviewClient) -> None:
    assert client.version == "6.8.8" and len(client.token) == 40
    assert client.user_info()["name"] == "admin"
    again = OpsviewClient(sim.url, username="admin", token=client.token)  # no login: GET /rest/info first
    assert again.info()["opsview_version"] == "6.8.8"
    with pytest.raises(OpsviewClientException):
        OpsviewClient(sim.server_url, username="admin", password="wrong")
    with pytest.raises(OpsviewClientException):
        OpsviewClient(sim.server_url, username="admin", token="0" * 40)


def test_hosts_created_updated_found_and_deleted(client: OpsviewClient) -> None:
    client.config.hostgroups.create(name="Web", parent="Opsview")
    client.config.hashtags.create(name="webfarm", description="The web farm")
    created = client.config.hosts.create(
        name="web01",
        address="10.0.0.5",
        host_group="Web",
        monitored_by="Master Monitoring Server",
        host_templates=["OS - Unix Base", "Network - Base"],
        hashtags=["webfarm"],
        service_checks=["HTTP"],
        variables=[{"name": "DISK", "value": "/"}],
    )
    assert created["id"] > 1 and created["uncommitted"] is True and created["host_group"]["name"] == "Web"
    assert [template["name"] for template in created["host_templates"]] == ["OS - Unix Base", "Network - Base"]
    assert created["check_interval"] == 600  # pyopsview sends its defaults
    found = client.config.hosts.find_one(name="web01")
    assert found["id"] == created["id"] and found["variables"][0]["value"] == "/"
    updated = client.config.hosts.update(
        created["id"], name="web01", address="10.0.0.6", host_group="Web", monitored_by="Master Monitoring Server"
    )
    assert updated["address"] == "10.0.0.6" and updated["host_templates"] == []  # its defaults replace the lists
    assert client.config.hosts.find_one(name="nope") is None
    client.config.hosts.delete(created["id"])
    assert client.config.hosts.find_one(name="web01") is None
    with pytest.raises(OpsviewClientException, match="No related object for hostgroup 'name=Nowhere'"):
        client.config.hosts.create(
            name="web02", address="10.0.0.7", host_group="Nowhere", monitored_by="Master Monitoring Server"
        )


def test_listing_pages_and_searches(client: OpsviewClient) -> None:
    hosts = [
        {
            "name": f"host{n:03}",
            "address": f"10.1.0.{n + 1}",
            "host_group": "Monitoring Servers",
            "monitored_by": "Master Monitoring Server",
        }
        for n in range(120)
    ]
    assert client.config.hosts.create_many(hosts) == "120"
    listed = list(client.config.hosts.list())  # three pages of 50
    assert len(listed) == 121 and len({host["name"] for host in listed}) == 121
    like = list(client.config.hosts.list(search={"name": {"-like": "host11%"}}))
    assert sorted(host["name"] for host in like) == [f"host11{n}" for n in range(10)]
    assert [group["name"] for group in client.config.hostgroups.find(name="Monitoring Servers")] == [
        "Monitoring Servers"
    ]
    assert client.config.clusters.find_one(name="Master Monitoring Server")["id"] == "1"


def test_reload(client: OpsviewClient) -> None:
    client.config.hosttemplates.create(name="Web Servers", service_checks=[{"name": "HTTP"}])
    assert client.reload_status()["configuration_status"] == "pending"
    done = client.reload()
    assert (done["server_status"], done["configuration_status"]) == ("0", "uptodate")
    assert client.reload(asynchronous=True)["server_status"] == "1"
    with pytest.raises(OpsviewClientException):  # 409: a body without `message`, which is all pyopsview reads
        client.reload()
    assert client.config.hosttemplates.find_one(name="Web Servers")["uncommitted"] is False
