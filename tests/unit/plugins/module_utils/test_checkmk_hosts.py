from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import (
    BULK_CREATE,
    BULK_DELETE,
    BULK_UPDATE,
    BulkHosts,
    Inventory,
    failure_message,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

HOSTS = "/domain-types/host_config/collections/all"
FOLDERS = "/domain-types/folder_config/collections/all"


def host(name, folder="/", **attributes):
    return {"id": name, "extensions": {"folder": folder, "attributes": attributes}}


def folder(path):
    return {"id": path.replace("/", "~"), "extensions": {"path": path}}


def inventory(hosts, **params):
    return Inventory.from_params({"hosts": hosts, "batch_size": 500, **params})


def run(client, hosts, *, check_mode=False, **params):
    bulk = BulkHosts(client, inventory(hosts, **params))
    return bulk.apply(check_mode=check_mode), bulk


def test_creates_with_one_list_one_folder_list_and_one_request_per_batch(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": []}))
    fake.on("GET", FOLDERS, reply(200, {"value": [folder("/"), folder("/vms")]}))
    fake.on("POST", FOLDERS, reply(200, folder("/vms/a")))
    fake.on("POST", BULK_CREATE, reply(200, {"value": []}))
    declared = [{"name": f"vm{i}", "folder": "/vms/a", "attributes": {"ipaddress": f"192.0.2.{i}"}} for i in range(5)]
    outcome, bulk = run(client, declared, batch_size=2)
    assert outcome.changed and outcome.extra["results"]["created"] == [f"vm{i}" for i in range(5)]
    assert outcome.extra["results"]["created_folders"] == ["/vms/a"]
    writes = fake.writes()
    assert [(c.method, c.path) for c in writes] == [("POST", FOLDERS)] + [("POST", BULK_CREATE)] * 3
    assert [len(c.body["entries"]) for c in writes[1:]] == [2, 2, 1]
    assert writes[1].body["entries"][0] == {
        "host_name": "vm0",
        "folder": "~vms~a",
        "attributes": {"ipaddress": "192.0.2.0"},
    }
    gets = [c.path for c in fake.calls if c.method == "GET"]
    assert gets.count(HOSTS) == 1 and gets.count(FOLDERS) == 1


def test_nothing_to_do_is_one_request(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [host("vm1", "/vms", ipaddress="192.0.2.1", alias="x")]}))
    outcome, _run = run(client, [{"name": "vm1", "folder": "/vms", "attributes": {"ipaddress": "192.0.2.1"}}])
    assert not outcome.changed and outcome.extra["results"]["unchanged"] == ["vm1"]
    assert len(fake.calls) == 1


def test_update_move_and_check_mode(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [host("a", "/x", alias="old"), host("b", "/x", alias="b")]}))
    declared = [
        {"name": "a", "folder": "/x", "attributes": {"alias": "new"}},
        {"name": "b", "folder": "/y", "attributes": {}},
    ]
    fake.on("GET", FOLDERS, reply(200, {"value": [folder("/"), folder("/x"), folder("/y")]}))
    outcome, _run = run(client, declared, check_mode=True)
    assert outcome.changed and fake.writes() == []
    assert outcome.extra["results"]["updated"] == ["a"] and outcome.extra["results"]["moved"] == ["b"]
    assert outcome.before["a"]["attributes"] == {"alias": "old"} and outcome.after["a"]["attributes"] == {
        "alias": "new"
    }
    assert outcome.after["b"]["folder"] == "/y"
    fake.on("PUT", BULK_UPDATE, reply(200, {"value": []}))
    fake.on("GET", "/objects/host_config/b", reply(200, host("b", "/x"), '"etag-b"'))
    fake.on("POST", "/objects/host_config/b/actions/move/invoke", reply(200, host("b", "/y"), '"etag-b2"'))
    run(client, declared)
    update, move = fake.writes()
    assert update.body == {"entries": [{"host_name": "a", "update_attributes": {"alias": "new"}}]}
    assert move.body == {"target_folder": "~y"} and move.headers["If-Match"] == '"etag-b"'


def test_purge_replaces_attributes(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [host("a", alias="x", ipaddress="192.0.2.1")]}))
    fake.on("PUT", BULK_UPDATE, reply(200, {"value": []}))
    run(client, [{"name": "a", "attributes": {"alias": "x"}}], purge_attributes=True)
    assert fake.writes()[0].body == {"entries": [{"host_name": "a", "attributes": {"alias": "x"}}]}


def test_exclusive_folder_removes_only_undeclared_hosts_inside_it(client, fake):
    current = [
        host("keep", "/vms"),
        host("gone", "/vms"),
        host("deep", "/vms/sub"),
        host("other", "/vmsx"),
        host("root"),
    ]
    fake.on("GET", HOSTS, reply(200, {"value": current}))
    fake.on("POST", BULK_DELETE, reply(204))
    outcome, _run = run(client, [{"name": "keep", "folder": "/vms"}], exclusive_folder="/vms", recursive=False)
    assert outcome.extra["results"]["removed"] == ["gone"]
    assert fake.writes()[0].body == {"entries": ["gone"]}
    fake.calls.clear()
    outcome, _run = run(
        client, [{"name": "keep", "folder": "/vms"}], exclusive_folder="/vms/", recursive=True, check_mode=True
    )
    assert outcome.extra["results"]["removed"] == ["deep", "gone"] and fake.writes() == []
    assert sorted(outcome.before) == ["deep", "gone"] and outcome.after == {}


def test_absent(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": [host("a"), host("b")]}))
    fake.on("POST", BULK_DELETE, reply(204))
    outcome, _run = run(client, [{"name": "a"}, {"name": "c"}], state="absent")
    assert outcome.extra["results"]["removed"] == ["a"] and outcome.extra["results"]["unchanged"] == ["c"]
    assert fake.writes()[0].body == {"entries": ["a"]}


def test_partial_failure_names_the_failed_hosts_and_keeps_the_others(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": []}))
    detail = "Some of the actions were performed but the following were faulty and were skipped: b ,c."
    ext = {
        "succeeded_hosts": {"value": [host("a")]},
        "failed_hosts": {"b": "Validation failed: exists", "c": "bad\nsite"},
    }
    fake.on("POST", BULK_CREATE, problem(400, "Some actions failed", detail, ext=ext))
    outcome, bulk = run(client, [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    results = outcome.extra["results"]
    assert results["created"] == ["a"] and results["failed"] == {
        "b": "create: Validation failed: exists",
        "c": "create: bad site",
    }
    assert sorted(outcome.after) == ["a"]
    assert failure_message(bulk.failed, 3) == (
        "Failed to write 2 of 3 hosts, the others were written: "
        "b: create: Validation failed: exists; c: create: bad site"
    )


def test_other_errors_are_raised(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": []}))
    fake.on("POST", BULK_CREATE, problem(400, "Bad Request", "These fields have problems: entries"))
    with pytest.raises(ApiError, match=r"Failed to create 1 hosts \(a \.\.\.\): 400 Bad Request"):
        run(client, [{"name": "a"}])


@pytest.mark.parametrize(
    "hosts, params, message",
    [
        ([{"name": "a"}, {"name": "b"}, {"name": "a"}], {}, "hosts declares these names more than once: a"),
        ([{"name": "ok"}, {"name": "not ok"}], {}, "Invalid host name 'not ok'"),
        ([{"name": "a"}], {"exclusive_folder": "/"}, "set recursive: false explicitly"),
        ([{"name": "a"}], {"exclusive_folder": "/", "recursive": True}, "set recursive: false explicitly"),
        ([{"name": "a"}], {"batch_size": 0}, "batch_size must be at least 1, not 0"),
        ([{"name": "a"}], {"exclusive_folder": "/x", "state": "absent"}, "only works with state: present"),
    ],
)
def test_bad_input_before_anything_is_sent(hosts, params, message):
    with pytest.raises(ValidationError, match=message):
        inventory(hosts, **params)


def test_root_folder_exclusive_with_explicit_recursive_false():
    assert inventory([{"name": "a"}], exclusive_folder="/", recursive=False).owns("/")
    assert not inventory([{"name": "a"}], exclusive_folder="/", recursive=False).owns("/sub")


def test_a_bulk_create_whose_answer_was_lost_is_listed_again_not_sent_again(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": []}), reply(200, {"value": [host("vm0"), host("vm1")]}))
    fake.on("POST", BULK_CREATE, problem(502, "Bad Gateway"), reply(200, {"value": []}))
    outcome, _bulk = run(client, [{"name": "vm0"}, {"name": "vm1"}, {"name": "vm2"}], batch_size=2)
    # The first batch landed before the proxy failed; only vm2 is still to create.
    creates = [c.body["entries"] for c in fake.writes()]
    assert [[e["host_name"] for e in entries] for entries in creates] == [["vm0", "vm1"], ["vm2"]]
    assert outcome.changed and outcome.extra["results"]["created"] == ["vm0", "vm1", "vm2"]


def test_listing_again_is_bounded(client, fake):
    fake.on("GET", HOSTS, reply(200, {"value": []}))
    fake.on("POST", BULK_CREATE, problem(503, "Service Unavailable"))
    with pytest.raises(ApiError, match="503"):
        run(client, [{"name": "vm0"}])
    assert len(fake.writes()) == 3
