"""Cluster hosts: the model's ``nodes``, what is checked before sending, and the requests of checkmk_host and
checkmk_hosts (clusters collection, nodes property with the host's ETag, attributes kept apart on 2.3 and 2.4)."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    CLUSTERS,
    HostResource,
    attribute_updates,
    desired_host,
    from_api,
    node_problems,
    replace_keeps_nodes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import (
    BULK_CREATE,
    BULK_UPDATE,
    BulkHosts,
    Inventory,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

HOSTS = "/domain-types/host_config/collections/all"
NOT_FOUND = problem(404, "Not Found", "These fields have problems: host_name")


def host_body(name, folder="/", nodes=None, **attributes):
    return {"id": name, "extensions": {"folder": folder, "attributes": attributes, "cluster_nodes": nodes}}


def nodes_answer(name, nodes):
    return reply(200, {"id": f"{name}_nodes", "value": nodes, "extensions": {}, "links": []})  # no ETag, as Checkmk


def nodes_path(name):
    return f"/objects/host_config/{name}/properties/nodes"


# --- the model ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cluster_nodes, expected",
    [(None, {}), (["a", "b"], {"nodes": ["a", "b"]}), ([], {"nodes": []})],  # [] is a cluster too
)
def test_from_api_has_nodes_only_for_a_cluster(cluster_nodes, expected):
    assert from_api(host_body("c", nodes=cluster_nodes)) == {"name": "c", "folder": "/", "attributes": {}, **expected}


def test_desired_host_has_nodes_only_when_declared():
    assert "nodes" not in desired_host({"name": "c", "nodes": None})
    assert desired_host({"name": "c", "nodes": ["b", "a"]})["nodes"] == ["b", "a"]  # in the declared order


@pytest.mark.parametrize(
    "nodes, message",
    [
        ([], "The nodes of cluster 'c' cannot be an empty list: leave nodes out to keep the nodes as they are"),
        (["a", "b", "a", "b"], "The nodes of cluster 'c' name a, b more than once"),
        (["a", "c"], "Cluster 'c' cannot be a node of itself"),
        (["a", "-b"], "Invalid host name '-b'"),
    ],
)
def test_nodes_that_cannot_be_fail_before_anything_is_sent(nodes, message):
    with pytest.raises(ValidationError, match=message):
        desired_host({"name": "c", "nodes": nodes})
    with pytest.raises(ValidationError, match=message):
        Inventory.from_params({"hosts": [{"name": "c", "nodes": nodes}]})


@pytest.mark.parametrize(
    "hosts, expected",
    [
        ({"a": {"name": "a"}, "b": {"name": "b"}}, None),
        ({"a": {"name": "a"}}, "The nodes of cluster 'c' name hosts that do not exist: b"),
        (
            {"a": {"name": "a", "nodes": ["x"]}, "b": None},
            "The nodes of cluster 'c' name hosts that do not exist: b; and cluster hosts, which cannot be nodes: a",
        ),
    ],
)
def test_node_problems(hosts, expected):
    assert node_problems("c", ["a", "b"], hosts) == expected


@pytest.mark.parametrize("release, keeps", [(None, False), ((2, 3), False), ((2, 4), False), ((2, 5), True)])
def test_replacing_attributes_keeps_nodes_from_2_5(release, keeps):
    assert replace_keeps_nodes(release) is keeps


CLUSTER = {"name": "c", "folder": "/", "attributes": {"alias": "C", "ipaddress": "192.0.2.1"}, "nodes": ["a"]}
PLAIN = {key: value for key, value in CLUSTER.items() if key != "nodes"}
MERGE_D, REMOVE_IP = {"update_attributes": {"alias": "D"}}, {"remove_attributes": ["ipaddress"]}


@pytest.mark.parametrize(
    "current, wanted, purge, keeps_nodes, requests",
    [
        # a plain host, or a site that keeps the nodes: one replacement
        (PLAIN, {"alias": "D"}, True, False, [{"attributes": {"alias": "D"}}]),
        (CLUSTER, {"alias": "D"}, True, True, [{"attributes": {"alias": "D"}}]),
        # a cluster on 2.3 and 2.4: merged, then the others removed
        (CLUSTER, {"alias": "D"}, True, False, [MERGE_D, REMOVE_IP]),
        (CLUSTER, {"alias": "C"}, True, False, [REMOVE_IP]),
        (CLUSTER, {**CLUSTER["attributes"], "site": "cmk"}, True, False, [{"update_attributes": {"site": "cmk"}}]),
        (CLUSTER, {}, True, False, [{"remove_attributes": ["alias", "ipaddress"]}]),
        (CLUSTER, {"alias": "D"}, False, False, [MERGE_D]),
        (CLUSTER, {"alias": "C"}, False, False, []),
    ],
)
def test_attribute_updates(current, wanted, purge, keeps_nodes, requests):
    desired = {"name": "c", "attributes": wanted}
    assert attribute_updates(current, desired, purge=purge, keeps_nodes=keeps_nodes) == requests


# --- checkmk_host ---------------------------------------------------------------------------------


def cluster(client, check_mode=False, purge=False, **params):
    params = {"name": "c", **params}
    resource = HostResource(client, "c", folder=params.get("folder"), purge=purge, nodes=params.get("nodes"))
    return sync(resource, "present", desired_host(params), check_mode=check_mode)


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_new_cluster_is_created_through_the_clusters_collection_once_its_nodes_are_read(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/c", NOT_FOUND)
    fake.on("GET", "/objects/host_config/a", reply(200, host_body("a"), '"a"'))
    fake.on("GET", "/objects/host_config/b", reply(200, host_body("b"), '"b"'))
    fake.on("POST", CLUSTERS, reply(200, host_body("c", nodes=["a", "b"], alias="C"), '"c1"'))
    outcome = cluster(client, check_mode, nodes=["a", "b"], attributes={"alias": "C"})
    expected = {"name": "c", "attributes": {"alias": "C"}, "nodes": ["a", "b"]}
    assert outcome.changed and outcome.after == (expected if check_mode else {**expected, "folder": "/"})
    if check_mode:
        assert fake.writes() == []
        return
    (post,) = fake.writes()
    assert post.body == {"host_name": "c", "folder": "~", "attributes": {"alias": "C"}, "nodes": ["a", "b"]}


@pytest.mark.parametrize("check_mode", [True, False])
def test_unknown_nodes_and_clusters_fail_in_one_line_and_nothing_is_written(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/c", NOT_FOUND)
    fake.on("GET", "/objects/host_config/a", NOT_FOUND)
    fake.on("GET", "/objects/host_config/b", reply(200, host_body("b", nodes=["x"]), '"b"'))
    fake.on("GET", "/objects/host_config/d", NOT_FOUND)
    with pytest.raises(ValidationError) as raised:
        cluster(client, check_mode, nodes=["a", "b", "d"])
    assert str(raised.value) == (
        "The nodes of cluster 'c' name hosts that do not exist: a, d; and cluster hosts, which cannot be nodes: b"
    )
    assert fake.writes() == []


def test_an_existing_plain_host_cannot_become_a_cluster(client, fake):
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c"), '"c1"'))
    with pytest.raises(ValidationError, match="Host 'c' exists and is not a cluster host"):
        cluster(client, nodes=["a"])
    assert [call.path for call in fake.calls] == ["/objects/host_config/c"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_changed_nodes_are_set_through_the_nodes_property_with_the_hosts_etag(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c", nodes=["a"]), '"c1"'))
    fake.on("GET", "/objects/host_config/a", reply(200, host_body("a"), '"a"'))
    fake.on("GET", "/objects/host_config/b", reply(200, host_body("b"), '"b"'))
    fake.on("PUT", nodes_path("c"), nodes_answer("c", ["a", "b"]))
    outcome = cluster(client, check_mode, nodes=["a", "b"])
    assert outcome.changed and (outcome.before["nodes"], outcome.after["nodes"]) == (["a"], ["a", "b"])
    if check_mode:
        assert fake.writes() == []
        return
    (put,) = fake.writes()
    assert (put.body, put.headers["If-Match"]) == ({"nodes": ["a", "b"]}, '"c1"')


def test_nodes_as_they_are_cost_one_request(client, fake):
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c", nodes=["a", "b"]), '"c1"'))
    assert not cluster(client, nodes=["a", "b"]).changed
    assert len(fake.calls) == 1


def test_without_nodes_a_clusters_nodes_are_left_alone(client, fake):
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c", nodes=["a"]), '"c1"'))
    fake.on("PUT", "/objects/host_config/c", reply(200, host_body("c", nodes=["a"], alias="C"), '"c2"'))
    outcome = cluster(client, attributes={"alias": "C"})
    assert outcome.after == {"name": "c", "folder": "/", "attributes": {"alias": "C"}, "nodes": ["a"]}
    assert [(c.method, c.path) for c in fake.writes()] == [("PUT", "/objects/host_config/c")]
    assert "/objects/host_config/a" not in {c.path for c in fake.calls}  # the node is not read


def test_attributes_then_move_then_nodes_each_with_the_latest_etag(client, fake):
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c", "/a", nodes=["a"], alias="x"), '"e1"'))
    fake.on("GET", "/objects/folder_config/~b", reply(200, {"id": "~b", "extensions": {"path": "/b"}}, '"f"'))
    fake.on("GET", "/objects/host_config/b", reply(200, host_body("b"), '"b"'))
    fake.on("PUT", "/objects/host_config/c", reply(200, host_body("c", "/a", nodes=["a"], alias="y"), '"e2"'))
    fake.on(
        "POST", "/objects/host_config/c/actions/move/invoke", reply(200, host_body("c", "/b", ["a"], alias="y"), '"e3"')
    )
    fake.on("PUT", nodes_path("c"), nodes_answer("c", ["b"]))
    outcome = cluster(client, folder="/b", attributes={"alias": "y"}, nodes=["b"])
    assert [(c.method, c.headers["If-Match"]) for c in fake.writes()] == [
        ("PUT", '"e1"'),
        ("POST", '"e2"'),
        ("PUT", '"e3"'),
    ]
    assert outcome.after == {"name": "c", "folder": "/b", "attributes": {"alias": "y"}, "nodes": ["b"]}


@pytest.mark.parametrize(
    "version, bodies",
    [
        ("2.4.0p18", [{"update_attributes": {"alias": "D"}}, {"remove_attributes": ["ipaddress"]}]),
        ("2.5.0", [{"attributes": {"alias": "D"}}]),
    ],
)
def test_purging_a_clusters_attributes_keeps_its_nodes_on_every_version(client, fake, version, bodies):
    current = host_body("c", nodes=["a"], alias="C", ipaddress="192.0.2.1")
    fake.on("GET", "/objects/host_config/c", reply(200, current, '"e1"', version=version))
    fake.on(
        "PUT",
        "/objects/host_config/c",
        reply(200, host_body("c", nodes=["a"], alias="D", ipaddress="192.0.2.1"), '"e2"'),
        reply(200, host_body("c", nodes=["a"], alias="D"), '"e3"'),
    )
    outcome = cluster(client, purge=True, attributes={"alias": "D"})
    assert [(c.body, c.headers["If-Match"]) for c in fake.writes()] == list(zip(bodies, ['"e1"', '"e2"'], strict=False))
    assert outcome.after["nodes"] == ["a"]


# --- checkmk_hosts --------------------------------------------------------------------------------


def bulk(client, hosts, check_mode=False, **params):
    run = BulkHosts(client, Inventory.from_params({"hosts": hosts, "batch_size": 500, **params}))
    return run.apply(check_mode=check_mode), run


def test_clusters_are_created_after_the_plain_hosts_one_by_one(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [host_body("a")]}))
    fake.on("POST", BULK_CREATE, reply(200, {"value": []}))
    fake.on("POST", CLUSTERS, reply(200, host_body("c", nodes=["a", "b"]), '"c"'))
    declared = [{"name": "b"}, {"name": "c", "nodes": ["a", "b"]}, {"name": "a"}]
    outcome, _run = bulk(client, declared)
    assert outcome.extra["results"]["created"] == ["b", "c"]
    assert outcome.after["c"] == {"name": "c", "attributes": {}, "nodes": ["a", "b"], "folder": "/"}
    assert [(c.method, c.path, c.body) for c in fake.writes()] == [
        ("POST", BULK_CREATE, {"entries": [{"host_name": "b", "folder": "~", "attributes": {}}]}),
        ("POST", CLUSTERS, {"host_name": "c", "folder": "~", "attributes": {}, "nodes": ["a", "b"]}),
    ]
    assert [c.path for c in fake.calls if c.method == "GET"].count(HOSTS) == 1


@pytest.mark.parametrize("check_mode", [True, False])
def test_nodes_change_per_cluster_with_one_get_shared_with_a_move(client, fake, check_mode):
    current = [host_body("a"), host_body("b"), host_body("c", "/x", nodes=["a"]), host_body("d", nodes=["a"])]
    fake.on("GET", HOSTS, reply(200, {"value": current}))
    fake.on(
        "GET", "/domain-types/folder_config/collections/all", reply(200, {"value": [{"extensions": {"path": "/y"}}]})
    )
    fake.on("GET", "/objects/host_config/c", reply(200, host_body("c", "/x", nodes=["a"]), '"c1"'))
    fake.on("POST", "/objects/host_config/c/actions/move/invoke", reply(200, host_body("c", "/y", nodes=["a"]), '"c2"'))
    fake.on("PUT", nodes_path("c"), nodes_answer("c", ["a", "b"]))
    declared = [{"name": "c", "folder": "/y", "nodes": ["a", "b"]}, {"name": "d", "nodes": ["a"]}]
    outcome, _run = bulk(client, declared, check_mode=check_mode)
    results = outcome.extra["results"]
    assert (results["updated"], results["moved"], results["unchanged"]) == (["c"], ["c"], ["d"])
    assert outcome.after["c"]["nodes"] == ["a", "b"] and outcome.before["c"]["nodes"] == ["a"]
    if check_mode:
        assert fake.writes() == []
        return
    move, put = fake.writes()
    assert (move.headers["If-Match"], put.headers["If-Match"], put.body) == ('"c1"', '"c2"', {"nodes": ["a", "b"]})


@pytest.mark.parametrize("check_mode", [True, False])
def test_bulk_unfit_nodes_fail_in_one_line_before_anything_is_sent(client, fake, check_mode):
    current = [host_body("a"), host_body("plain"), host_body("old", nodes=["a"])]
    fake.on("GET", HOSTS, reply(200, {"value": current}))
    declared = [
        {"name": "new", "nodes": ["a", "nope"]},  # nope does not exist, and the task does not create it
        {"name": "made", "nodes": ["b"]},  # b is created by the task: fine
        {"name": "b"},
        {"name": "plain", "nodes": ["a"]},  # exists, no cluster
        {"name": "old", "nodes": ["new"]},  # new is a cluster (declared)
    ]
    with pytest.raises(ValidationError) as raised:
        bulk(client, declared, check_mode=check_mode)
    assert str(raised.value) == (
        "The nodes of cluster 'new' name hosts that do not exist: nope; "
        "Host 'plain' exists and is not a cluster host, and Checkmk cannot turn a host into a cluster: remove the "
        "host first (state: absent), or leave nodes out; "
        "The nodes of cluster 'old' name cluster hosts, which cannot be nodes: new"
    )
    assert fake.writes() == [] and len(fake.calls) == 1


def test_bulk_purge_of_a_cluster_on_2_4_merges_then_removes(client, fake):
    current = host_body("c", nodes=["a"], alias="C", ipaddress="192.0.2.1")
    fake.on("GET", HOSTS, reply(200, {"value": [current]}, version="2.4.0p18"))
    fake.on("PUT", BULK_UPDATE, reply(200, {"value": []}))
    outcome, _run = bulk(client, [{"name": "c", "attributes": {"alias": "D"}}], purge_attributes=True)
    assert fake.writes()[0].body == {
        "entries": [
            {"host_name": "c", "update_attributes": {"alias": "D"}},
            {"host_name": "c", "remove_attributes": ["ipaddress"]},
        ]
    }
    assert outcome.after["c"]["nodes"] == ["a"] and outcome.extra["results"]["updated"] == ["c"]
