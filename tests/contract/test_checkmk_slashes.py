"""Repeated slashes, as clients build them from a server URL ending in '/' and endpoint paths starting with '/': a
site's Apache merges them, so the simulator answers as for the plain URL, on the central site and on a remote
site's own API (no redirect, which a urllib client cannot follow for a POST)."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.lighthouse.monitoring.tests.simulators.checkmk.config import SimulatorConfig
from ansible_collections.lighthouse.monitoring.tests.simulators.checkmk.server import serve

NEEDS_OPENAPI = False  # the answers are compared with those to the plain URLs
HEADERS = {"Authorization": "Bearer automation secret", "Accept": "application/json"}


@pytest.fixture(scope="module")
def sim():
    with serve(SimulatorConfig(users={"automation": "secret"}, remote_sites=("remote1",))) as running:
        yield running


def call(sim, method: str, url: str, **kwargs) -> requests.Response:
    headers = {**HEADERS, **kwargs.pop("headers", {})}
    return requests.request(method, url, headers=headers, allow_redirects=False, timeout=5, **kwargs)


def test_the_central_site_answers_get_post_put_delete_as_for_the_plain_url(sim):
    requests.post(f"{sim.server_url}/_simulator/reset", timeout=5)
    base = f"{sim.server_url}//cmk/check_mk/api/1.0/"
    created = call(
        sim,
        "POST",
        base + "/domain-types/folder_config/collections/all",
        json={"name": "a", "title": "a", "parent": "~"},
    )
    assert created.status_code == 200 and created.json()["id"] == "~a"
    shown = call(sim, "GET", base + "//objects/folder_config/~a")
    assert shown.status_code == 200 and shown.headers["ETag"] == created.headers["ETag"]
    plain = call(sim, "GET", f"{sim.url}/objects/folder_config/~a")
    assert shown.json() == plain.json()
    edited = call(
        sim, "PUT", base + "/objects/folder_config/~a", json={"title": "A"}, headers={"If-Match": shown.headers["ETag"]}
    )
    assert edited.status_code == 200 and edited.json()["title"] == "A"
    assert call(sim, "DELETE", base + "/objects/folder_config/~a").status_code == 204
    assert call(sim, "GET", f"{sim.url}/objects/folder_config/~a").status_code == 404


def test_a_remote_sites_api_answers_as_for_the_plain_url(sim):
    base = f"{sim.server_url}//remote1//check_mk/api/1.0/"
    version = call(sim, "GET", base + "/version")
    assert version.status_code == 200 and version.json()["site"] == "remote1"
    listed = call(sim, "GET", base + "/domain-types/downtime/collections/all")
    assert listed.status_code == 200 and listed.json()["value"] == []
    query = {"op": "=", "left": "host_name", "right": "nobody"}
    body = {"delete_type": "query", "query": query}
    assert call(sim, "POST", base + "/domain-types/downtime/actions/delete/invoke", json=body).status_code == 204
