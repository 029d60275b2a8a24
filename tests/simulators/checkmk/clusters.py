"""Cluster hosts (contract 2.2): created through the clusters collection, their nodes changed through the nodes
property. A cluster is a host whose `cluster_nodes` is a list (Checkmk's `is_cluster` is `cluster_nodes is not
None`), so host answers, ETags and the state show it without more.

Checkmk's validation (cmk/gui/openapi/endpoints/host_config/request_schemas.py and HostField in
cmk/gui/fields/definitions.py), which 2.3, 2.4 and 2.5 share:
- creating: the nodes must exist (`Host not found: 'x'`); the new cluster does not exist yet, so naming it as its
  own node fails the same way. A node that is a cluster itself is accepted (the schema checks existence only).
- the nodes property: the host in the path must exist (404 `Host not found: 'x'`) and be a cluster (404 `Host 'x'
  is not a cluster host, but needs to be.`); each node must exist and be no cluster (`Host 'x' may not be a cluster
  host, but is.`, which is also what naming the cluster itself gets). Then If-Match with the host's ETag (there is
  no GET of the property: the host's GET gives its nodes and the ETag).
- neither refuses an empty list or a node named twice: both are stored as sent.

The property's answer is an ObjectProperty `{"id": "<host>_nodes", "value": [...], "extensions": {}, "links":
[modify]}` without an ETag (the endpoint sets none). Both writes record what Checkmk's Host.edit and
Folder.create_hosts record: `create-host` "Created new host c1." and `edit-host` "Modified host c1.".
"""

from __future__ import annotations

from typing import Any

from flask import g
from werkzeug.wrappers import Response

from . import validation as v
from .problem import field_problem
from .protocol import json_body, json_response, path_host, query, renderer, require_etag, route, state
from .state import Host, State, hash_of_dict

CLUSTERS = "/domain-types/host_config/collections/clusters"
NODES = "/objects/host_config/<host_name>/properties/nodes"
MODIFY = "urn:org.restfulobjects:rels/modify"


def node(st: State, *, may_be_cluster: bool) -> v.Check:
    """A node: an existing host, and (for the nodes property) no cluster."""
    exists = v.host_name(st, should_exist=True)

    def check(value: Any) -> v.Messages:
        if messages := exists(value):
            return messages
        if not may_be_cluster and st.hosts[value].cluster_nodes is not None:
            return [f"Host {value!r} may not be a cluster host, but is."]
        return None

    return check


def create_cluster_body(st: State) -> v.Check:
    fields = {
        "host_name": v.host_name(st, should_exist=False),
        "folder": v.folder(st),
        "attributes": v.attributes(st, "host"),
        "nodes": v.list_of(node(st, may_be_cluster=True)),
    }
    return v.obj(fields, required=("folder", "host_name", "nodes"))


@route(CLUSTERS, "POST")
def create_cluster_host() -> Response:
    st = state()
    query(bake_agent=v.query_boolean)
    body = json_body(create_cluster_body(st))
    folder = st.folder(body["folder"])
    assert folder is not None, f"validated folder {body['folder']!r} vanished"
    host = st.create_host(body["host_name"], folder, body.get("attributes", {}), g.user)
    host.cluster_nodes = list(body["nodes"])
    return json_response(renderer().host(host), etag=hash_of_dict(host.etag_values()))


def path_cluster(name: str) -> Host:
    host = path_host(name)
    if host.cluster_nodes is None:
        raise field_problem({"host_name": [f"Host {name!r} is not a cluster host, but needs to be."]}, status=404)
    return host


@route(NODES, "PUT")
def update_nodes(host_name: str) -> Response:
    st = state()
    host = path_cluster(host_name)
    body = json_body(v.obj({"nodes": v.list_of(node(st, may_be_cluster=False))}, required=("nodes",)))
    require_etag(hash_of_dict(host.etag_values()), ext=host.etag_values())
    host.cluster_nodes = list(body["nodes"])
    attributes = {key: value for key, value in host.attributes.items() if key != "meta_data"}
    st.set_host_attributes(host, attributes, g.user, "Modified host %s.")
    return json_response(nodes_property(host))


def nodes_property(host: Host) -> dict[str, Any]:
    href = f"/objects/host_config/{host.name}/properties/nodes"
    return {
        "id": f"{host.name}_nodes",
        "value": host.cluster_nodes,
        "extensions": {},
        "links": [renderer().link(MODIFY, href, "PUT")],
    }
