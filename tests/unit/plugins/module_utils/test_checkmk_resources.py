from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
    normalize_path,
    slug,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    HostResource,
    desired_host,
    validate_host_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

META = {"meta_data": {"created_at": "2026-01-01T00:00:00+00:00", "created_by": "automation"}}
NOT_FOUND = problem(404, "Not Found", "These fields have problems: x")


def folder_body(path, title=None, **attributes):
    return {
        "id": slug(path),
        "title": title or path.rsplit("/", 1)[1] or "Main",
        "extensions": {"path": path, "attributes": {**attributes, **META}},
    }


def host_body(name, folder="/", **attributes):
    return {"id": name, "title": name, "extensions": {"folder": folder, "attributes": {**attributes, **META}}}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("/", "/"),
        ("", "/"),
        ("~", "/"),
        ("/a/b/", "/a/b"),
        ("a/b", "/a/b"),
        ("~a~b", "/a/b"),
        ("\\a\\b", "/a/b"),
        ("/linux-prod/web_1", "/linux-prod/web_1"),
    ],
)
def test_normalize_path(given, expected):
    assert normalize_path(given) == expected


@pytest.mark.parametrize("bad", ["/a b", "/a/../b", "/a.b", '/a"b'])
def test_invalid_folder_paths_are_rejected_before_any_request(bad):
    with pytest.raises(ValidationError, match="Invalid folder path"):
        normalize_path(bad)


@pytest.mark.parametrize("bad", ["-web", ".web", "web 1", "web/1", "wéb", "a" * 254, "web1\n", ""])
def test_invalid_host_names(bad):
    with pytest.raises(ValidationError, match="Invalid host name"):
        validate_host_name(bad)


def test_root_folder_cannot_be_deleted():
    with pytest.raises(ValidationError, match="root folder"):
        desired_folder({"path": "/", "state": "absent"})


def test_folder_check_mode_create_reports_missing_parents_and_sends_only_gets(client, fake):
    fake.on("GET", "/objects/folder_config/~a~b~c", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~a~b", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~a", reply(200, folder_body("/a"), '"e"'))
    resource = FolderResource(client, "/a/b/c")
    outcome = sync(resource, "present", desired_folder({"path": "/a/b/c", "title": "C"}), check_mode=True)
    assert outcome.changed and outcome.after == {"path": "/a/b/c", "title": "C", "attributes": {}}
    assert resource.created_folders == ["/a/b"]
    assert fake.writes() == []


def test_folder_create_makes_parents_first(client, fake):
    fake.on("GET", "/objects/folder_config/~a~b", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~a", NOT_FOUND)
    fake.on(
        "POST",
        "/domain-types/folder_config/collections/all",
        reply(200, folder_body("/a"), '"1"'),
        reply(200, folder_body("/a/b", "B", site="remote1"), '"2"'),
    )
    resource = FolderResource(client, "/a/b")
    desired = desired_folder({"path": "/a/b", "title": "B", "attributes": {"site": "remote1"}})
    outcome = sync(resource, "present", desired, check_mode=False)
    assert outcome.after == {"path": "/a/b", "title": "B", "attributes": {"site": "remote1"}}
    assert [c.body for c in fake.writes() if c.method == "POST"] == [
        {"name": "a", "title": "a", "parent": "~"},
        {"name": "b", "title": "B", "parent": "~a", "attributes": {"site": "remote1"}},
    ]
    assert resource.created_folders == ["/a"]


def test_folder_update_merges_labels_and_sends_title_with_etag(client, fake):
    fake.on(
        "GET",
        "/objects/folder_config/~a",
        reply(200, folder_body("/a", "Old", labels={"x": "1"}, tag_agent="cmk-agent"), '"e1"'),
    )
    fake.on(
        "PUT",
        "/objects/folder_config/~a",
        reply(200, folder_body("/a", "New", labels={"x": "1", "y": "2"}, tag_agent="cmk-agent"), '"e2"'),
    )
    desired = desired_folder({"path": "/a", "title": "New", "attributes": {"labels": {"y": "2"}}})
    outcome = sync(FolderResource(client, "/a"), "present", desired, check_mode=False)
    put = fake.writes()[-1]
    assert put.headers["If-Match"] == '"e1"'
    assert put.body == {"title": "New", "update_attributes": {"labels": {"x": "1", "y": "2"}}}
    assert outcome.before["title"] == "Old" and outcome.after["title"] == "New"


@pytest.mark.parametrize(
    "wanted, request_body",
    [
        ({"tag_agent": "no-agent"}, {"attributes": {"tag_agent": "no-agent"}}),
        ({}, {"remove_attributes": ["labels", "tag_agent"]}),
    ],
)
def test_folder_purge(client, fake, wanted, request_body):
    fake.on(
        "GET",
        "/objects/folder_config/~a",
        reply(200, folder_body("/a", labels={"x": "1"}, tag_agent="cmk-agent"), '"e"'),
    )
    fake.on("PUT", "/objects/folder_config/~a", reply(200, folder_body("/a", **wanted), '"f"'))
    resource = FolderResource(client, "/a", purge=True)
    outcome = sync(resource, "present", desired_folder({"path": "/a", "attributes": wanted}), check_mode=False)
    assert fake.writes()[-1].body == request_body
    assert outcome.changed and outcome.after["attributes"] == wanted


@pytest.mark.parametrize("recursive, mode", [(False, "abort_on_nonempty"), (True, "recursive")])
def test_folder_delete_mode(client, fake, recursive, mode):
    fake.on("GET", "/objects/folder_config/~a", reply(200, folder_body("/a"), '"e"'))
    fake.on("DELETE", "/objects/folder_config/~a", reply(204))
    outcome = sync(FolderResource(client, "/a", recursive=recursive), "absent", {}, check_mode=False)
    assert outcome.changed and fake.writes()[-1].query == {"delete_mode": mode}


def test_absent_folder_does_not_look_up_parents(client, fake):
    fake.on("GET", "/objects/folder_config/~a~b", NOT_FOUND)
    resource = FolderResource(client, "/a/b", present=False)
    assert sync(resource, "absent", {}, check_mode=False).changed is False
    assert len(fake.calls) == 1 and resource.created_folders == []


def test_host_create_in_missing_folder(client, fake):
    fake.on("GET", "/objects/host_config/web1", problem(404, "Not Found", "Host not found: 'web1'"))
    fake.on("GET", "/objects/folder_config/~linux", NOT_FOUND)
    fake.on("POST", "/domain-types/folder_config/collections/all", reply(200, folder_body("/linux"), '"f"'))
    fake.on(
        "POST",
        "/domain-types/host_config/collections/all",
        reply(200, host_body("web1", "/linux", ipaddress="192.0.2.1"), '"h"'),
    )
    params = {"name": "web1", "folder": "linux", "attributes": {"ipaddress": "192.0.2.1"}}
    resource = HostResource(client, "web1", folder="linux")
    outcome = sync(resource, "present", desired_host(params), check_mode=False)
    assert outcome.after == {"name": "web1", "folder": "/linux", "attributes": {"ipaddress": "192.0.2.1"}}
    assert fake.writes()[-1].body == {"host_name": "web1", "folder": "~linux", "attributes": {"ipaddress": "192.0.2.1"}}
    assert resource.created_folders == ["/linux"]


def test_host_update_then_move_uses_the_fresh_etag(client, fake):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1", "/a", alias="x"), '"e1"'))
    fake.on("GET", "/objects/folder_config/~b", reply(200, folder_body("/b"), '"f"'))
    fake.on("PUT", "/objects/host_config/web1", reply(200, host_body("web1", "/a", alias="y"), '"e2"'))
    move_answer = reply(200, host_body("web1", "/b", alias="y"), '"e3"')
    fake.on("POST", "/objects/host_config/web1/actions/move/invoke", move_answer)
    params = {"name": "web1", "folder": "/b", "attributes": {"alias": "y"}}
    outcome = sync(HostResource(client, "web1", folder="/b"), "present", desired_host(params), check_mode=False)
    put, move = fake.writes()
    assert (put.body, put.headers["If-Match"]) == ({"update_attributes": {"alias": "y"}}, '"e1"')
    assert (move.body, move.headers["If-Match"]) == ({"target_folder": "~b"}, '"e2"')
    assert outcome.before["folder"] == "/a"
    assert outcome.after == {"name": "web1", "folder": "/b", "attributes": {"alias": "y"}}


def test_failed_create_removes_the_folders_it_created(client, fake):
    fake.on("GET", "/objects/host_config/web1", problem(404, "Not Found"))
    fake.on("GET", "/objects/folder_config/~a~b", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~a", NOT_FOUND)
    fake.on("POST", "/domain-types/folder_config/collections/all", reply(200, folder_body("/a"), '"1"'))
    bad = problem(400, "Bad Request", "These fields have problems: attributes", fields={"attributes": ["Unknown"]})
    fake.on("POST", "/domain-types/host_config/collections/all", bad)
    fake.on("DELETE", "/objects/folder_config/~a~b", reply(204))
    fake.on("DELETE", "/objects/folder_config/~a", reply(204))
    params = {"name": "web1", "folder": "/a/b", "attributes": {"nope": 1}}
    with pytest.raises(ApiError, match="Failed to create host 'web1' in folder '/a/b': 400"):
        sync(HostResource(client, "web1", folder="/a/b"), "present", desired_host(params), check_mode=False)
    assert [(c.method, c.path) for c in fake.writes()] == [
        ("POST", "/domain-types/folder_config/collections/all"),
        ("POST", "/domain-types/folder_config/collections/all"),
        ("POST", "/domain-types/host_config/collections/all"),
        ("DELETE", "/objects/folder_config/~a~b"),
        ("DELETE", "/objects/folder_config/~a"),
    ]


def test_host_without_folder_is_not_moved(client, fake):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1", "/a", alias="x"), '"e1"'))
    outcome = sync(
        HostResource(client, "web1"), "present", desired_host({"name": "web1", "attributes": {}}), check_mode=False
    )
    assert outcome.changed is False and fake.writes() == []


def test_host_check_mode_update_predicts_and_sends_only_gets(client, fake):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1", "/", labels={"a": "1"}), '"e1"'))
    params = {"name": "web1", "attributes": {"labels": {"b": "2"}}}
    outcome = sync(HostResource(client, "web1"), "present", desired_host(params), check_mode=True)
    assert outcome.changed and outcome.after["attributes"] == {"labels": {"a": "1", "b": "2"}}
    assert fake.writes() == []


def test_host_delete(client, fake):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1"), '"e1"'))
    fake.on("DELETE", "/objects/host_config/web1", reply(204))
    outcome = sync(HostResource(client, "web1"), "absent", desired_host({"name": "web1"}), check_mode=False)
    assert outcome.changed and outcome.after is None
    assert [c.method for c in fake.writes()] == ["DELETE"]
