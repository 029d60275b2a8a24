"""The plan entries of the Checkmk modules: one shape, the same in check mode as when applied, ``none`` when
nothing is to do. Each test runs the library as the module does, once in check mode and once applied, against a
fake that answers the same reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import (
    ACTIVATE,
    Activation,
    activate,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import START, discover
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.downtime import (
    CREATE_HOST,
    CREATE_SERVICE,
    DELETE,
    LIST,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
    with_folders,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import HostResource, desired_host
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import (
    BULK_CREATE,
    BULK_DELETE,
    BULK_UPDATE,
    BulkHosts,
    Inventory,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.rename import (
    UnderEarlierName,
    with_rename,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import ACTIONS, sync
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

FOLDERS = "/domain-types/folder_config/collections/all"
HOSTS = "/domain-types/host_config/collections/all"
PENDING = "/domain-types/activation_run/collections/pending_changes"
NOT_FOUND = problem(404, "Not Found")
BOTH = pytest.mark.parametrize("check_mode", [True, False], ids=["check_mode", "applied"])


def entry(kind, name, action, changes=None):
    return {"backend": "checkmk", "type": kind, "name": name, "action": action, "changes": changes or {}}


def added(**values):
    return {key.replace("__", "."): {"before": None, "after": value} for key, value in values.items()}


def well_formed(plan):
    """Every entry has exactly the five keys, a known action, and changes as before/after pairs."""
    for item in plan:
        assert set(item) == {"backend", "type", "name", "action", "changes"} and item["action"] in ACTIONS
        assert all(set(change) == {"before", "after"} for change in item["changes"].values())
        assert item["changes"] == {} or item["action"] in ("add", "change", "run")
    return plan


def folder_body(path, title=None, **attributes):
    return {
        "id": path,
        "title": title or path.rsplit("/", 1)[1],
        "extensions": {"path": path, "attributes": attributes},
    }


def host_body(name, folder="/", **attributes):
    return {"id": name, "extensions": {"folder": folder, "attributes": attributes}}


# --- checkmk_folder ----------------------------------------------------------------------------------------------


def folder_plan(client, params, *, check_mode, state="present"):
    resource = FolderResource(client, params["path"], present=state == "present")
    outcome = sync(resource, state, desired_folder({**params, "state": state}), check_mode=check_mode)
    outcome = with_folders(outcome, subject("folder", resource.path), resource.created_folders)
    plan = well_formed(outcome.result("folder", diff=False)["plan"])
    assert outcome.changed is any(item["action"] != "none" for item in plan)
    return plan


@BOTH
def test_folder_created_with_its_parent_adds_both_parent_first(client, fake, check_mode):
    fake.on("GET", "/objects/folder_config/~a~b", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~a", NOT_FOUND)
    fake.on("POST", FOLDERS, reply(200, folder_body("/a"), '"1"'), reply(200, folder_body("/a/b", "B", x="1"), '"2"'))
    plan = folder_plan(client, {"path": "a/b", "title": "B", "attributes": {"x": "1"}}, check_mode=check_mode)
    assert plan == [
        entry("folder", "/a", "add", added(path="/a")),
        entry("folder", "/a/b", "add", added(path="/a/b", attributes__x="1", title="B")),
    ]


@BOTH
def test_folder_changed_unchanged_and_removed(client, fake, check_mode):
    fake.on("GET", "/objects/folder_config/~a", reply(200, folder_body("/a", "A", x="1", keep="k"), '"e"'))
    fake.on("PUT", "/objects/folder_config/~a", reply(200, folder_body("/a", "A", x="2", keep="k"), '"f"'))
    fake.on("DELETE", "/objects/folder_config/~a", reply(204))
    changed = folder_plan(client, {"path": "/a", "attributes": {"x": "2"}}, check_mode=check_mode)
    assert changed == [entry("folder", "/a", "change", {"attributes.x": {"before": "1", "after": "2"}})]
    same = folder_plan(client, {"path": "/a", "attributes": {"x": "1"}}, check_mode=check_mode)
    assert same == [entry("folder", "/a", "none")]
    assert folder_plan(client, {"path": "/a"}, check_mode=check_mode, state="absent") == [
        entry("folder", "/a", "remove")
    ]


# --- checkmk_host -----------------------------------------------------------------------------------------------


def host_plan(client, params, *, check_mode, state="present", resource=None, earlier=None):
    resource = resource or HostResource(client, params["name"], folder=params.get("folder"))
    outcome = with_rename(sync(resource, state, desired_host(params), check_mode=check_mode), earlier)
    outcome = with_folders(outcome, subject("host", resource.name), resource.created_folders)
    plan = well_formed(outcome.result("host", diff=False)["plan"])
    assert outcome.changed is any(item["action"] != "none" for item in plan)
    return plan


@BOTH
def test_host_added_in_a_new_folder_then_unchanged(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/web1", NOT_FOUND)
    fake.on("GET", "/objects/folder_config/~linux", NOT_FOUND)
    fake.on("POST", FOLDERS, reply(200, folder_body("/linux"), '"f"'))
    fake.on("POST", HOSTS, reply(200, host_body("web1", "/linux", alias="Web"), '"h"'))
    params = {"name": "web1", "folder": "/linux", "attributes": {"alias": "Web"}}
    assert host_plan(client, params, check_mode=check_mode) == [
        entry("folder", "/linux", "add", added(path="/linux")),
        entry("host", "web1", "add", added(name="web1", attributes__alias="Web", folder="/linux")),
    ]
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1", "/linux", alias="Web", ip="1"), '"h"'))
    assert host_plan(client, params, check_mode=check_mode) == [entry("host", "web1", "none")]


@BOTH
def test_host_update_shows_exactly_the_changed_paths(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1", "/a", alias="x", ip="1"), '"e1"'))
    fake.on("GET", "/objects/folder_config/~b", reply(200, folder_body("/b"), '"f"'))
    fake.on("PUT", "/objects/host_config/web1", reply(200, host_body("web1", "/a", alias="y", ip="1"), '"e2"'))
    moved = reply(200, host_body("web1", "/b", alias="y", ip="1"), '"e3"')
    fake.on("POST", "/objects/host_config/web1/actions/move/invoke", moved)
    params = {"name": "web1", "folder": "/b", "attributes": {"alias": "y", "ip": "1"}}
    assert host_plan(client, params, check_mode=check_mode) == [
        entry(
            "host",
            "web1",
            "change",
            {"folder": {"before": "/a", "after": "/b"}, "attributes.alias": {"before": "x", "after": "y"}},
        )
    ]


@BOTH
def test_host_removed_then_nothing_to_remove(client, fake, check_mode):
    fake.on("GET", "/objects/host_config/web1", reply(200, host_body("web1"), '"e1"'), NOT_FOUND)
    fake.on("DELETE", "/objects/host_config/web1", reply(204))
    assert host_plan(client, {"name": "web1"}, check_mode=check_mode, state="absent") == [
        entry("host", "web1", "remove")
    ]
    assert host_plan(client, {"name": "web1"}, check_mode=check_mode, state="absent") == [entry("host", "web1", "none")]


@BOTH
def test_renamed_host_is_a_change_of_its_name_and_whatever_else_changes(client, fake, check_mode):
    # Applied, the host has been renamed before it is read; in check mode it is read under its earlier name.
    fake.on("GET", "/objects/host_config/old1", reply(200, host_body("old1", alias="x"), '"o"'))
    fake.on("GET", "/objects/host_config/new1", reply(200, host_body("new1", alias="x"), '"n"'))
    fake.on("PUT", "/objects/host_config/new1", reply(200, host_body("new1", alias="y"), '"n2"'))
    resource = UnderEarlierName(client, "new1", "old1") if check_mode else HostResource(client, "new1")
    params = {"name": "new1", "attributes": {"alias": "y"}}
    assert host_plan(client, params, check_mode=check_mode, resource=resource, earlier="old1") == [
        entry(
            "host",
            "new1",
            "change",
            {"name": {"before": "old1", "after": "new1"}, "attributes.alias": {"before": "x", "after": "y"}},
        )
    ]
    unchanged = {"name": "new1", "attributes": {"alias": "x"}}
    resource = UnderEarlierName(client, "new1", "old1") if check_mode else HostResource(client, "new1")
    assert host_plan(client, unchanged, check_mode=check_mode, resource=resource, earlier="old1") == [
        entry("host", "new1", "change", {"name": {"before": "old1", "after": "new1"}})
    ]


# --- checkmk_hosts ----------------------------------------------------------------------------------------------


def bulk_plan(client, hosts, *, check_mode, **params):
    inventory = Inventory.from_params({"hosts": hosts, "batch_size": 500, **params})
    outcome = BulkHosts(client, inventory).apply(check_mode=check_mode)
    plan = well_formed(outcome.result("hosts", diff=False)["plan"])
    assert outcome.changed is any(item["action"] != "none" for item in plan)
    return plan


@BOTH
def test_bulk_hosts_one_entry_per_declared_host_and_per_host_the_folder_loses(client, fake, check_mode):
    current = [host_body("keep", "/vms"), host_body("upd", "/vms", alias="old"), host_body("gone", "/vms")]
    fake.on("GET", HOSTS, reply(200, {"value": current}))
    fake.on("GET", FOLDERS, reply(200, {"value": [folder_body("/vms")]}))
    fake.on("POST", FOLDERS, reply(200, folder_body("/vms/new")))
    fake.on("POST", BULK_CREATE, reply(200, {"value": []}))
    fake.on("PUT", BULK_UPDATE, reply(200, {"value": []}))
    fake.on("POST", BULK_DELETE, reply(204))
    declared = [
        {"name": "new1", "folder": "/vms/new", "attributes": {"ipaddress": "192.0.2.1"}},
        {"name": "keep", "folder": "/vms"},
        {"name": "upd", "folder": "/vms", "attributes": {"alias": "new"}},
    ]
    plan = bulk_plan(client, declared, check_mode=check_mode, exclusive_folder="/vms", recursive=True)
    assert plan == [
        entry("folder", "/vms/new", "add", added(path="/vms/new")),
        entry("host", "new1", "add", added(name="new1", attributes__ipaddress="192.0.2.1", folder="/vms/new")),
        entry("host", "keep", "none"),
        entry("host", "upd", "change", {"attributes.alias": {"before": "old", "after": "new"}}),
        entry("host", "gone", "remove"),
    ]


@BOTH
def test_bulk_hosts_absent_and_nothing_to_do(client, fake, check_mode):
    fake.on("GET", HOSTS, reply(200, {"value": [host_body("a")]}))
    fake.on("POST", BULK_DELETE, reply(204))
    plan = bulk_plan(client, [{"name": "a"}, {"name": "b"}], check_mode=check_mode, state="absent")
    assert plan == [entry("host", "a", "remove"), entry("host", "b", "none")]
    assert bulk_plan(client, [{"name": "a"}], check_mode=check_mode) == [entry("host", "a", "none")]


# --- checkmk_discovery ------------------------------------------------------------------------------------------


def preview(host, drift=None, **phases):
    table = {
        f"plugin-{name}": {"id": name, "extensions": {"service_name": name, "service_phase": phase}}
        for phase, names in phases.items()
        for name in names
    }
    extensions = {"check_table": table, "host_labels": {"os": {"value": "linux"}}, "changed_labels": drift or {}}
    return {"id": f"service_discovery-{host}", "extensions": extensions}


@BOTH
def test_discovery_one_entry_per_host_by_service(client, fake, check_mode):
    before = preview("web1", monitored=["CPU", "Old"], undecided=["Disk"], vanished=["Old"], drift={"os": "bsd"})
    fake.on(
        "GET",
        "/objects/service_discovery/web1",
        reply(200, before),
        reply(200, preview("web1", monitored=["CPU", "Disk"])),
    )
    fake.on("GET", "/objects/service_discovery/web2", reply(200, preview("web2", monitored=["CPU"])))
    fake.on("POST", "/domain-types/discovery_run/actions/bulk-discovery-start/invoke", reply(200, {"id": "job"}))
    fake.on("GET", "/objects/discovery_run/job", reply(200, {"extensions": {"active": False}}))
    outcome = discover(client, ["web1", "web2"], "fix_all", bulk=True, check_mode=check_mode, timeout=5)
    plan = well_formed(outcome.result("services", diff=False)["plan"])
    assert plan == [
        entry(
            "services",
            "web1",
            "change",
            {
                "Disk": {"before": None, "after": "monitored"},
                "Old": {"before": "monitored", "after": None},
                "host_labels": {"before": "outdated", "after": "updated"},
            },
        ),
        entry("services", "web2", "none"),
    ]
    assert outcome.changed


@BOTH
def test_discovery_with_nothing_new_is_none(client, fake, check_mode):
    fake.on("GET", "/objects/service_discovery/web1", reply(200, preview("web1", monitored=["CPU"])))
    fake.on("POST", START, reply(200, preview("web1", monitored=["CPU"])))
    outcome = discover(client, ["web1"], "new", bulk=False, check_mode=check_mode, timeout=5)
    assert outcome.result("services", diff=False)["plan"] == [entry("services", "web1", "none")]
    assert not outcome.changed


def test_discovery_in_check_mode_of_a_host_an_earlier_task_would_create(client, fake):
    fake.on("GET", "/objects/service_discovery/new1", NOT_FOUND)
    fake.on("GET", "/objects/service_discovery/web1", reply(200, preview("web1", monitored=["CPU"])))
    outcome = discover(client, ["new1", "web1"], "fix_all", bulk=True, check_mode=True, timeout=5)
    assert outcome.changed and fake.writes() == []
    assert well_formed(outcome.result("services", diff=False)["plan"]) == [
        entry("services", "new1", "add", added(mode="fix_all")),
        entry("services", "web1", "none"),
    ]


# --- checkmk_downtime -------------------------------------------------------------------------------------------

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
START_AT, END_AT = "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00"


def listed(host, start, end, ident="1", service=None):
    ext = {"site_id": "central", "host_name": host, "comment": "VM stopped", "start_time": start, "end_time": end}
    ext.update(recurring=False, mode={"type": "fixed"})
    if service:
        ext["service_description"] = service
    return {"id": ident, "extensions": ext}


def downtime_plan(client, fake, params, *, check_mode, existing=(), after=None):
    """The plan of checkmk_downtime; ``after``: the listing once the command went through (applied)."""
    params = {"host_name": "web1", "comment": "VM stopped", "start_time": "now", "end_time": "+2h", **params}
    fake.on("GET", "/objects/host_config/web1", reply(200, {"id": "web1", "extensions": {"attributes": {}}}))
    listings = [reply(200, {"value": list(existing)})]
    if not check_mode and after is not None:
        listings += [reply(200, {"value": after})] * 3
    fake.on("GET", LIST, *listings)
    for path in (CREATE_HOST, CREATE_SERVICE, DELETE):
        fake.on("POST", path, reply(204))
    request = DowntimeRequest.from_params(params, now=NOW)
    downtimes = Downtimes(client, request, now=lambda: NOW, sleep=lambda _s: None, verify_timeout=0.05)
    outcome = downtimes.apply(check_mode=check_mode)
    plan = well_formed(outcome.result("downtimes", diff=False)["plan"])
    assert outcome.changed is any(item["action"] != "none" for item in plan)
    return plan


@BOTH
def test_downtime_added_kept_and_removed(client, fake, check_mode):
    new = [listed("web1", START_AT, END_AT, "7")]
    plan = downtime_plan(client, fake, {}, check_mode=check_mode, after=new)
    assert plan == [
        entry(
            "downtime",
            "web1 (VM stopped)",
            "add",
            added(
                host_name="web1",
                comment="VM stopped",
                start_time=START_AT,
                end_time=END_AT,
                recurring=False,
                duration=0,
            ),
        )
    ]
    assert downtime_plan(client, fake, {}, check_mode=check_mode, existing=new) == [
        entry("downtime", "web1 (VM stopped)", "none")
    ]
    assert downtime_plan(client, fake, {"state": "absent"}, check_mode=check_mode, existing=new, after=[]) == [
        entry("downtime", "web1 (VM stopped)", "remove")
    ]
    assert downtime_plan(client, fake, {"state": "absent"}, check_mode=check_mode) == [
        entry("downtime", "web1 (VM stopped)", "none")
    ]


@BOTH
def test_downtime_with_another_window_is_a_change_of_the_window(client, fake, check_mode):
    old = [listed("web1", START_AT, "2026-12-01T11:00:00+00:00", "1", service="CPU")]
    new = [listed("web1", START_AT, END_AT, "2", service="CPU")]
    params = {"service_descriptions": ["CPU"], "start_time": START_AT, "end_time": END_AT}
    plan = downtime_plan(client, fake, params, check_mode=check_mode, existing=old, after=new)
    assert plan == [
        entry(
            "downtime",
            "web1/CPU (VM stopped)",
            "change",
            {"end_time": {"before": "2026-12-01T11:00:00+00:00", "after": END_AT}},
        )
    ]


# --- checkmk_activation -----------------------------------------------------------------------------------------


def change(ident):
    return {"id": ident, "user_id": "automation", "action_name": "edit-host", "text": "t", "time": "t"}


@BOTH
def test_activation_runs_with_the_count_it_read_then_none(client, fake, check_mode):
    fake.on("GET", PENDING, reply(200, {"value": [change("1"), change("2")]}, '"e1"'))
    run = {"id": "run1", "extensions": {"sites": ["central"], "is_running": False, "changes": []}}
    fake.on("POST", ACTIVATE, reply(200, run))
    outcome = activate(client, Activation(sites=["central", "remote1"], wait=False), check_mode=check_mode)
    assert well_formed(outcome.result("activation", diff=False)["plan"]) == [
        entry("activation", "central, remote1", "run", {"pending_changes": {"before": 2, "after": 0}})
    ]
    fake.on("GET", PENDING, reply(200, {"value": []}, '"e2"'))
    nothing = activate(client, Activation(), check_mode=check_mode)
    assert nothing.result("activation", diff=False)["plan"] == [entry("activation", "all sites", "none")]
