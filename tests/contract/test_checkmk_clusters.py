"""Cluster hosts (contract 2.2): the clusters collection and the nodes property against each version's OpenAPI
document, Checkmk's validation messages, the If-Match rule, the pending changes, and what 2.3 and 2.4 do to a
cluster whose attributes are replaced."""

from __future__ import annotations

from checkmk_contract import Contract

HOSTS = "/domain-types/host_config/collections/all"
CLUSTERS = "/domain-types/host_config/collections/clusters"
BULK_UPDATE = "/domain-types/host_config/actions/bulk-update/invoke"


def nodes_path(host: str) -> str:
    return f"/objects/host_config/{host}/properties/nodes"


def with_nodes(c: Contract, *names: str) -> None:
    for name in names:
        c.expect("POST", HOSTS, 200, body={"host_name": name, "folder": "/"})


def test_a_cluster_is_created_through_the_clusters_collection(version: str) -> None:
    c = Contract(version)
    with_nodes(c, "node1", "node2")
    created = c.expect("POST", CLUSTERS, 200, body={"host_name": "c1", "folder": "/", "nodes": ["node1", "node2"]})
    assert created.json["extensions"]["is_cluster"] is True
    assert created.json["extensions"]["cluster_nodes"] == ["node1", "node2"]
    shown = c.expect("GET", "/objects/host_config/c1", 200)
    assert shown.headers["ETag"] == created.headers["ETag"]
    plain = c.expect("GET", "/objects/host_config/node1", 200).json["extensions"]
    assert (plain["is_cluster"], plain["cluster_nodes"]) == (False, None)
    listed = {h["id"]: h["extensions"]["cluster_nodes"] for h in c.expect("GET", HOSTS, 200).json["value"]}
    assert listed == {"node1": None, "node2": None, "c1": ["node1", "node2"]}
    (change,) = [change for change in c.state.changes if "c1" in change.text]
    assert (change.action_name, change.text) == ("create-host", "Created new host c1.")


def test_creating_a_cluster_validates_its_nodes_as_checkmk_does(version: str) -> None:
    c = Contract(version)
    with_nodes(c, "node1")
    before = list(c.state.changes)
    unknown = c.expect("POST", CLUSTERS, 400, body={"host_name": "c1", "folder": "/", "nodes": ["node1", "nope"]})
    assert unknown.json["detail"] == "These fields have problems: nodes"
    assert unknown.json["fields"] == {"nodes": {"1": ["Host not found: 'nope'"]}}
    itself = c.expect("POST", CLUSTERS, 400, body={"host_name": "c1", "folder": "/", "nodes": ["c1"]})
    assert itself.json["fields"] == {"nodes": {"0": ["Host not found: 'c1'"]}}  # it does not exist yet
    missing = c.expect("POST", CLUSTERS, 400, body={"host_name": "c1", "folder": "/"}, spec_rejects=True)
    assert missing.json["fields"] == {"nodes": ["Missing data for required field."]}
    exists = c.expect("POST", CLUSTERS, 400, body={"host_name": "node1", "folder": "/", "nodes": []})
    assert exists.json["fields"] == {"host_name": ["Host 'node1' already exists."]}
    assert "c1" not in c.state.hosts and c.state.changes == before

    # The schema checks only that nodes exist: a cluster as a node, a node named twice and no nodes pass.
    c.expect("POST", CLUSTERS, 200, body={"host_name": "c1", "folder": "/", "nodes": ["node1", "node1"]})
    c.expect("POST", CLUSTERS, 200, body={"host_name": "c2", "folder": "/", "nodes": ["c1"]})
    empty = c.expect("POST", CLUSTERS, 200, body={"host_name": "c3", "folder": "/", "nodes": []})
    assert empty.json["extensions"]["is_cluster"] is True and empty.json["extensions"]["cluster_nodes"] == []
    assert c.state.hosts["c1"].cluster_nodes == ["node1", "node1"]


def test_the_nodes_property_needs_a_cluster_valid_nodes_and_the_hosts_etag(version: str) -> None:
    c = Contract(version)
    with_nodes(c, "node1", "node2", "node3")
    etag = c.expect("POST", CLUSTERS, 200, body={"host_name": "c1", "folder": "/", "nodes": ["node1"]}).headers["ETag"]
    c.expect("POST", CLUSTERS, 200, body={"host_name": "c2", "folder": "/", "nodes": ["node3"]})
    before = list(c.state.changes)
    body = {"nodes": ["node1", "node2"]}
    for host, message in [
        ("nope", "Host not found: 'nope'"),
        ("node1", "Host 'node1' is not a cluster host, but needs to be."),
    ]:
        answer = c.expect("PUT", nodes_path(host), 404, body=body, headers={"If-Match": "*"})
        assert answer.json["fields"] == {"host_name": [message]}
    for nodes, messages in [
        (["node1", "nope"], {"1": ["Host not found: 'nope'"]}),
        (["c1"], {"0": ["Host 'c1' may not be a cluster host, but is."]}),  # the cluster itself
        (["c2"], {"0": ["Host 'c2' may not be a cluster host, but is."]}),
    ]:
        answer = c.expect("PUT", nodes_path("c1"), 400, body={"nodes": nodes}, headers={"If-Match": etag})
        assert answer.json["fields"] == {"nodes": messages}
    missing = c.expect("PUT", nodes_path("c1"), 428, body=body, spec_rejects=True)
    assert missing.json["detail"] == "If-Match header required for this operation. See documentation."
    stale = c.expect("PUT", nodes_path("c1"), 412, body=body, headers={"If-Match": '"stale"'})
    assert stale.json["ext"] == {"name": "c1", "attributes": {}, "cluster_nodes": ["node1"]}
    assert c.state.changes == before

    updated = c.expect("PUT", nodes_path("c1"), 200, body=body, headers={"If-Match": etag})
    assert updated.json["id"] == "c1_nodes" and updated.json["value"] == ["node1", "node2"]
    assert updated.json["links"][0]["rel"] == "urn:org.restfulobjects:rels/modify"
    assert "ETag" not in updated.headers  # the endpoint sets none: the host's GET gives the new one
    shown = c.expect("GET", "/objects/host_config/c1", 200)
    assert shown.json["extensions"]["cluster_nodes"] == ["node1", "node2"] and shown.headers["ETag"] != etag
    (change,) = c.state.changes[len(before) :]
    assert (change.action_name, change.text, change.user_id) == ("edit-host", "Modified host c1.", "automation")
    c.expect("PUT", nodes_path("c1"), 412, body=body, headers={"If-Match": etag})  # the old ETag is stale now

    # Neither an empty list nor a node named twice is refused: stored as sent, still a cluster.
    for nodes in (["node2", "node2"], []):
        answer = c.expect("PUT", nodes_path("c1"), 200, body={"nodes": nodes}, headers={"If-Match": "*"})
        assert answer.json["value"] == nodes
    assert c.expect("GET", "/objects/host_config/c1", 200).json["extensions"]["is_cluster"] is True


def test_replacing_the_attributes_of_a_cluster_drops_its_nodes_before_2_5(version: str) -> None:
    """2.3 and 2.4 edit the host with the new attributes and no nodes (update and bulk update alike); 2.5 keeps
    them. Merging or removing attributes keeps them in every version."""
    c = Contract(version)
    with_nodes(c, "node1")
    for name in ("c1", "c2"):
        c.expect("POST", CLUSTERS, 200, body={"host_name": name, "folder": "/", "nodes": ["node1"]})
    any_etag = {"If-Match": "*"}
    c.expect("PUT", "/objects/host_config/c1", 200, body={"update_attributes": {"alias": "C"}}, headers=any_etag)
    c.expect("PUT", "/objects/host_config/c1", 200, body={"remove_attributes": ["alias"]}, headers=any_etag)
    assert c.state.hosts["c1"].cluster_nodes == ["node1"]

    replaced = c.expect("PUT", "/objects/host_config/c1", 200, body={"attributes": {"alias": "C"}}, headers=any_etag)
    c.expect("PUT", BULK_UPDATE, 200, body={"entries": [{"host_name": "c2", "attributes": {"alias": "C"}}]})
    kept = version == "2.5"
    assert replaced.json["extensions"]["is_cluster"] is kept
    assert [c.state.hosts[name].cluster_nodes for name in ("c1", "c2")] == [["node1"] if kept else None] * 2
    if not kept:  # no longer a cluster: its nodes cannot be set again
        c.expect("PUT", nodes_path("c1"), 404, body={"nodes": ["node1"]}, headers=any_etag)
