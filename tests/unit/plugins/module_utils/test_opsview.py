"""The Opsview client, host model, host groups and reload, against a small fake of the REST API."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    MonitoringError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.host import (
    HostResource,
    desired_host,
    from_api,
    variables_of,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import (
    HostGroups,
    HostGroupTree,
    parse_path,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.reload import Reload, ReloadFailed
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync

PASSWORD = "pa55-word-value"


def answer(status: int, body: object) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class Fake:
    """Records requests; ``routes[(method, path)]`` is a list of answers (the last one repeats) or a callable."""

    def __init__(self) -> None:
        self.calls: list = []
        self.routes: dict = {("POST", "/rest/login"): [answer(200, {"token": "t1"})]}

    def on(self, method: str, path: str, *answers: object) -> None:
        self.routes[(method, path)] = list(answers)

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query)
        call = {"method": method, "path": parts.path, "query": dict(pairs), "pairs": pairs, "headers": headers}
        call["body"] = json.loads(body) if body else None
        self.calls.append(call)
        found = self.routes.get((method, parts.path))
        assert found is not None, f"unexpected {method} {parts.path}"
        if callable(found):
            return found(call)
        return found.pop(0) if len(found) > 1 else found[0]

    def writes(self) -> list:
        return [c for c in self.calls if c["method"] != "GET" and c["path"] != "/rest/login"]


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def client(fake: Fake) -> OpsviewClient:
    return OpsviewClient("https://opsview.example/", "automation", password=PASSWORD, transport=fake, timeout=5)


GROUPS = [
    {
        "id": "1",
        "name": "Opsview",
        "matpath": "Opsview,",
        "parent": None,
        "children": [{"ref": "/rest/config/hostgroup/2"}],
        "hosts": [],
    },
    {
        "id": "2",
        "name": "Linux",
        "matpath": "Opsview,Linux,",
        "parent": {"ref": "/rest/config/hostgroup/1"},
        "children": [{"ref": "/rest/config/hostgroup/3"}],
        "hosts": [],
    },
    {
        "id": "3",
        "name": "Web",
        "matpath": "Opsview,Linux,Web,",
        "parent": {"ref": "/rest/config/hostgroup/2"},
        "children": [],
        "hosts": [{"name": "web01"}],
    },
]
WEB01 = {
    "id": "23",
    "name": "web01",
    "ip": "192.0.2.10",
    "alias": "",
    "hostgroup": {"name": "Web", "ref": "/rest/config/hostgroup/3"},
    "monitored_by": {"name": "Master Monitoring Server", "ref": "/rest/config/monitoringcluster/1"},
    "hosttemplates": [{"name": "OS - Unix Base", "ref": "/rest/config/hosttemplate/164"}],
    "keywords": [],
    "parents": [],
    "hostattributes": [
        {"id": "7", "name": "DISK", "value": "/", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
        {"id": "8", "name": "DISK", "value": "/var", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
    ],
    "uncommitted": "0",
}


def listing(items: list) -> Response:
    n = str(len(items))
    return answer(
        200, {"list": items, "summary": {"rows": n, "page": "1", "totalpages": "1", "totalrows": n, "allrows": n}}
    )


# --- client -----------------------------------------------------------------------------------------------------


def test_logs_in_once_and_sends_the_token(client, fake):
    fake.on("GET", "/rest/config/host", listing([]))
    client.objects("host", action="list the hosts")
    client.objects("host", action="list the hosts")
    logins = [c for c in fake.calls if c["path"] == "/rest/login"]
    assert len(logins) == 1 and logins[0]["body"] == {"username": "automation", "password": PASSWORD}
    reads = [c for c in fake.calls if c["method"] == "GET"]
    assert all(
        c["headers"]["X-Opsview-Token"] == "t1" and c["headers"]["X-Opsview-Username"] == "automation" for c in reads
    )
    assert all(c["query"]["rows"] == "all" for c in reads)


def test_an_expired_token_logs_in_once_more(client, fake):
    fake.routes[("POST", "/rest/login")] = [answer(200, {"token": "t1"}), answer(200, {"token": "t2"})]
    fake.on("GET", "/rest/reload", answer(401, {"message": "Token has expired"}), answer(200, {"server_status": "0"}))
    assert client.request("GET", "/reload", action="read the reload status")["server_status"] == "0"
    assert client.logins == 2 and fake.calls[-1]["headers"]["X-Opsview-Token"] == "t2"


def test_a_given_token_that_expired_fails_in_one_line_without_the_token(fake):
    client = OpsviewClient("https://opsview.example", "automation", token="tok-secret", transport=fake, timeout=5)
    fake.on("GET", "/rest/reload", answer(401, {"message": "Token has expired"}))
    with pytest.raises(AuthError) as error:
        client.request("GET", "/reload", action="read the reload status")
    assert str(error.value).startswith("Failed to read the reload status: 401 Token has expired - check username")
    assert "tok-secret" not in str(error.value) and not [c for c in fake.calls if c["path"] == "/rest/login"]


def test_wrong_password_fails_in_one_line_without_the_password(client, fake):
    fake.routes[("POST", "/rest/login")] = [answer(401, {"message": "Invalid username or password"})]
    with pytest.raises(AuthError) as error:
        client.objects("host", action="list the hosts")
    assert "log in as 'automation'" in str(error.value) and PASSWORD not in str(error.value)
    assert "\n" not in str(error.value)


def test_errors_carry_message_and_detail(client, fake):
    fake.on("GET", "/rest/config/host", answer(400, {"message": "Error executing search", "detail": "bad\ncolumn"}))
    with pytest.raises(ApiError, match=r"^Failed to list: 400 Error executing search - bad column$"):
        client.objects("host", action="list")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"password": ""}, "needs a password"),
        ({"password": "a\nb"}, "password contains a line break"),
        ({"timeout": 0}, "timeout must be a positive number"),
    ],
)
def test_bad_connection_options(fake, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        OpsviewClient("https://opsview.example", "automation", transport=fake, **{"password": "x", **kwargs})


# --- host groups ------------------------------------------------------------------------------------------------


def test_paths_and_the_tree():
    tree = HostGroupTree(GROUPS)
    assert tree.top.path == "Opsview" and tree.find(("Opsview", "Linux", "Web")).id == "3"
    assert tree.leaf("Opsview/Linux/Web").id == "3"
    with pytest.raises(ValidationError, match="has child groups: a host can only be in a leaf group"):
        tree.leaf("Opsview/Linux")
    with pytest.raises(ValidationError, match="must start with the top host group 'Opsview'"):
        tree.leaf("Linux/Web")
    with pytest.raises(ValidationError, match="does not exist; create it with opsview_hostgroup"):
        tree.leaf("Opsview/Windows")
    with pytest.raises(ValidationError, match="Invalid host group name"):
        parse_path("Opsview/Web,Shop")


def test_missing_groups_are_created_from_the_top_down(client, fake):
    fake.on("GET", "/rest/config/hostgroup", listing(GROUPS))
    created = iter(["4", "5"])
    fake.routes[("POST", "/rest/config/hostgroup")] = lambda call: answer(
        200, {"object": {"id": next(created), **call["body"]}}
    )
    outcome = HostGroups(client, "Opsview/Linux/DB/Primary").apply("present", check_mode=False)
    assert outcome.changed and outcome.extra["created"] == ["Opsview/Linux/DB", "Opsview/Linux/DB/Primary"]
    assert [c["body"] for c in fake.writes()] == [
        {"name": "DB", "parent": {"id": "2"}},
        {"name": "Primary", "parent": {"id": "4"}},
    ]
    assert outcome.after["id"] == "5"


def test_groups_with_hosts_get_no_children_and_are_not_removed(client, fake):
    fake.on("GET", "/rest/config/hostgroup", listing(GROUPS))
    with pytest.raises(ValidationError, match="'Opsview/Linux/Web' has hosts"):
        HostGroups(client, "Opsview/Linux/Web/Shop").apply("present", check_mode=False)
    with pytest.raises(ValidationError, match="1 host\\(s\\) are in it"):
        HostGroups(client, "Opsview/Linux/Web").apply("absent", check_mode=False)
    with pytest.raises(ValidationError, match="it has child groups"):
        HostGroups(client, "Opsview/Linux").apply("absent", check_mode=False)
    assert fake.writes() == []


# --- hosts ------------------------------------------------------------------------------------------------------


def test_host_model():
    tree = HostGroupTree(GROUPS)
    assert from_api(WEB01, tree) == {
        "name": "web01",
        "id": "23",
        "ip": "192.0.2.10",
        "alias": "",
        "hostgroup": "Opsview/Linux/Web",
        "monitored_by": "Master Monitoring Server",
        "templates": ["OS - Unix Base"],
        "keywords": [],
        "parents": [],
        "variables": {"DISK": [{"value": "/"}, {"value": "/var"}]},
    }
    assert variables_of([{"name": "SNMP", "value": "x", "arg1": "public"}]) == {
        "SNMP": {"value": "x", "arg1": "public"}
    }


@pytest.mark.parametrize(
    "params, message",
    [
        ({"name": "web 01"}, "Invalid host name 'web 01'"),
        ({"ip": "999.1.1.1"}, "Invalid ip '999.1.1.1' of host 'web01'"),
        ({"ip": "not an address"}, "Invalid ip"),
        ({"templates": ["  "]}, "templates of host 'web01' cannot contain an empty name"),
        ({"variables": {"disk": "/"}}, "Invalid variable name 'disk'"),
        ({"variables": {"DISK": {"value": "/", "args": "x"}}}, "unknown keys: args"),
    ],
)
def test_bad_host_input(params, message):
    with pytest.raises(ValidationError, match=message):
        desired_host({"name": "web01", **params})


def host_server(fake: Fake, host: dict | None) -> None:
    fake.on("GET", "/rest/config/hostgroup", listing(GROUPS))
    fake.routes[("GET", "/rest/config/host")] = lambda call: listing([host] if host else [])

    def put(call: dict) -> Response:
        assert host is not None
        host.update(call["body"])
        return answer(200, {"object": host})

    fake.routes[("PUT", "/rest/config/host/23")] = put


def test_merged_lists_and_variables_send_the_whole_list_once(client, fake):
    host = json.loads(json.dumps(WEB01))
    host_server(fake, host)
    desired = desired_host({"name": "web01", "templates": ["Network - Base"], "variables": {"SNMP": "on"}})
    outcome = sync(HostResource(client, "web01"), "present", desired, check_mode=False)
    (put,) = fake.writes()
    assert put["body"]["hosttemplates"] == [{"name": "OS - Unix Base"}, {"name": "Network - Base"}]
    assert [(a["name"], a["value"]) for a in put["body"]["hostattributes"]] == [
        ("DISK", "/"),
        ("DISK", "/var"),
        ("SNMP", "on"),
    ]
    assert set(put["body"]) == {"hosttemplates", "hostattributes"} and outcome.changed
    fake.calls.clear()
    again = sync(HostResource(client, "web01"), "present", desired, check_mode=False)
    assert not again.changed and fake.writes() == []


def test_purged_templates_are_exact_and_check_mode_writes_nothing(client, fake):
    host_server(fake, json.loads(json.dumps(WEB01)))
    desired = desired_host({"name": "web01", "templates": ["Network - Base"]})
    outcome = sync(HostResource(client, "web01", purge=frozenset({"templates"})), "present", desired, check_mode=True)
    assert outcome.changed and outcome.after["templates"] == ["Network - Base"] and fake.writes() == []


def test_a_new_host_needs_ip_and_a_leaf_group(client, fake):
    host_server(fake, None)
    with pytest.raises(ValidationError, match="needs ip"):
        sync(HostResource(client, "web02"), "present", desired_host({"name": "web02"}), check_mode=False)
    with pytest.raises(ValidationError, match="'Opsview/Linux' has child groups"):
        desired = desired_host({"name": "web02", "ip": "192.0.2.11", "hostgroup": "Opsview/Linux"})
        sync(HostResource(client, "web02"), "present", desired, check_mode=False)
    assert fake.writes() == []


# --- reload -----------------------------------------------------------------------------------------------------


def status(server_status: str, configuration: str, messages: list | None = None) -> Response:
    return answer(
        200, {"server_status": server_status, "configuration_status": configuration, "messages": messages or []}
    )


def test_reload_only_when_pending(client, fake):
    fake.on("GET", "/rest/reload", status("0", "uptodate"))
    assert not Reload(client, sleep=lambda _s: None).apply(check_mode=False).changed
    assert fake.writes() == []


def test_reload_waits_for_a_running_one_then_watches_its_own(client, fake):
    fake.on(
        "GET",
        "/rest/reload",
        status("1", "pending"),
        status("0", "pending"),
        status("1", "pending"),
        status("4", "uptodate", [{"detail": "Missing EMAIL", "severity": "warning"}]),
    )
    fake.on("POST", "/rest/reload", status("1", "pending"))
    run = Reload(client, sleep=lambda _s: None)
    outcome = run.apply(check_mode=False)
    assert outcome.changed and run.waited_for_others and outcome.after["server_status"] == "4"
    (post,) = fake.writes()
    assert post["query"] == {"asynchronous": "1"}


def test_a_reload_started_by_someone_else_meanwhile_is_waited_for(client, fake):
    fake.on("GET", "/rest/reload", status("0", "pending"), status("0", "uptodate"))
    fake.on("POST", "/rest/reload", answer(409, {"server_status": 1, "messages": ["Reload already running"]}))
    outcome = Reload(client, sleep=lambda _s: None).apply(check_mode=False)
    assert outcome.changed and outcome.after["configuration_status"] == "uptodate" and len(fake.writes()) == 1


def test_a_failed_reload_fails_with_the_messages(client, fake):
    fake.on(
        "GET", "/rest/reload", status("0", "pending"), status("3", "pending", [{"detail": "Host web01 has no check"}])
    )
    fake.on("POST", "/rest/reload", status("1", "pending"))
    with pytest.raises(ReloadFailed, match=r"failed \(server_status 3\): Host web01 has no check"):
        Reload(client, sleep=lambda _s: None).apply(check_mode=False)


def test_check_mode_does_not_reload(client, fake):
    fake.on("GET", "/rest/reload", status("0", "pending"))
    assert Reload(client, sleep=lambda _s: None).apply(check_mode=True).changed and fake.writes() == []


def test_errors_are_monitoring_errors():
    assert issubclass(ReloadFailed, MonitoringError)


# --- many hosts -------------------------------------------------------------------------------------------------


def bulk_server(fake: Fake, hosts: dict) -> None:
    fake.on("GET", "/rest/config/hostgroup", listing(GROUPS))
    fake.routes[("GET", "/rest/config/host")] = lambda call: listing(list(hosts.values()))

    def put(call: dict) -> Response:
        for item in call["body"]["list"]:
            host = hosts.setdefault(item["name"], {"id": str(100 + len(hosts)), "name": item["name"]})
            host.update(item)
            host["hostgroup"] = (
                {"name": "Web", "ref": f"/rest/config/hostgroup/{item['hostgroup']['id']}"}
                if "hostgroup" in item
                else host.get("hostgroup")
            )
        return answer(200, {"objects_updated": len(call["body"]["list"])})

    fake.routes[("PUT", "/rest/config/host")] = put

    def delete(call: dict) -> Response:
        ids = [value for key, value in call["pairs"] if key == "id"]
        gone = [name for name, host in hosts.items() if host["id"] in ids]
        for name in gone:
            del hosts[name]
        return answer(200, {"objects_deleted": len(gone)})

    fake.routes[("DELETE", "/rest/config/host")] = delete


def bulk(client, hosts, **params):
    from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hosts import BulkHosts, Inventory

    return BulkHosts(client, Inventory.from_params({"hosts": hosts, **params}))


def test_a_thousand_hosts_in_one_transaction_then_one_listing(client, fake):
    stored: dict = {}
    bulk_server(fake, stored)
    declared = [
        {"name": f"vm{n}", "ip": f"10.0.{n // 250}.{n % 250 + 1}", "hostgroup": "Opsview/Linux/Web"}
        for n in range(1000)
    ]
    outcome = bulk(client, declared).apply(check_mode=False)
    assert outcome.changed and len(outcome.extra["hosts"]["created"]) == 1000 and len(stored) == 1000
    assert [(c["method"], c["path"]) for c in fake.calls] == [
        ("POST", "/rest/login"),
        ("GET", "/rest/config/host"),
        ("GET", "/rest/config/hostgroup"),
        ("PUT", "/rest/config/host"),
    ]
    fake.calls.clear()
    again = bulk(client, declared).apply(check_mode=False)
    assert not again.changed and len(again.extra["hosts"]["unchanged"]) == 1000
    assert [(c["method"], c["path"]) for c in fake.calls] == [("GET", "/rest/config/host")]


def test_bulk_changes_only_what_differs_and_check_mode_writes_nothing(client, fake):
    stored = {"web01": json.loads(json.dumps(WEB01))}
    bulk_server(fake, stored)
    declared = [
        {"name": "web01", "ip": "192.0.2.99"},
        {"name": "web02", "ip": "192.0.2.12", "hostgroup": "Opsview/Linux/Web"},
    ]
    check = bulk(client, declared).apply(check_mode=True)
    assert check.extra["hosts"] == {"created": ["web02"], "updated": ["web01"], "removed": [], "unchanged": []}
    assert fake.writes() == [] and check.after["web01"]["ip"] == "192.0.2.99"
    bulk(client, declared).apply(check_mode=False)
    (put,) = fake.writes()
    assert put["body"]["list"][1] == {"id": "23", "name": "web01", "ip": "192.0.2.99"}
    gone = bulk(client, [{"name": "web01"}, {"name": "web02"}, {"name": "web03"}], state="absent").apply(
        check_mode=False
    )
    assert gone.extra["hosts"]["removed"] == ["web01", "web02"] and gone.extra["hosts"]["unchanged"] == ["web03"]
    assert stored == {}


def test_a_refused_batch_names_the_host_and_says_nothing_was_written(client, fake):
    bulk_server(fake, {})
    fake.on(
        "PUT",
        "/rest/config/host",
        answer(
            400,
            {
                "message": "Rollback. Error trying to synchronise object: 2",
                "detail": "No related object for hosttemplates 'name=Nope'",
            },
        ),
    )
    declared = [{"name": f"vm{n}", "ip": "192.0.2.1", "hostgroup": "Opsview/Linux/Web"} for n in (1, 2, 3)]
    with pytest.raises(ApiError) as error:
        bulk(client, declared).apply(check_mode=False)
    assert "(host 'vm2')" in str(error.value) and "none of its hosts was written" in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "hosts, message",
    [
        ([{"name": "a"}, {"name": "a"}], "more than once: a"),
        ([{"name": "a", "hostgroup": "Opsview/a,b"}], "Invalid host group name 'a,b'"),
        ([{"name": "a", "ip": "1.2.3.999"}], "Invalid ip"),
    ],
)
def test_bad_bulk_input_is_refused_before_anything_is_sent(client, fake, hosts, message):
    with pytest.raises(ValidationError, match=message):
        bulk(client, hosts)
    assert fake.calls == []


# --- downtimes --------------------------------------------------------------------------------------------------


def downtime_request(**params):
    from datetime import UTC, datetime

    from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.downtime import DowntimeRequest

    return DowntimeRequest.from_params(
        {"comment": "Kernel update", "end_time": "+2h", **params}, now=datetime(2026, 12, 1, 10, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "needs host_name, a non-empty host_names, or hostgroup"),
        ({"host_name": "web1", "hostgroup": "Opsview/Web"}, "one of them"),
        ({"host_names": ["web1", "web1"]}, "'web1' more than once"),
        ({"host_name": "web%"}, "Invalid host name"),
        ({"host_name": "web1", "service_descriptions": ["Disk%"]}, "Opsview's wildcard"),
        ({"hostgroup": "Opsview/Web", "service_descriptions": ["Disk"]}, "not with a host group"),
        ({"host_name": "web1", "comment": "a;b"}, "cannot contain < > ;"),
        ({"host_name": "web1", "end_time": "+30s"}, "at least a minute"),
        ({"host_name": "web1", "start_time": "2026-12-01T08:00:00Z"}, "more than an hour in the past"),
    ],
)
def test_bad_downtime_input(params, message):
    with pytest.raises(ValidationError, match=message):
        downtime_request(**params)


def test_downtime_identity_is_the_stored_comment_of_the_exact_object():
    from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.downtime import Target

    host, service, group = (
        Target(host="web1"),
        Target(host="web1", service="Disk"),
        Target(hostgroup="Opsview/Linux/Web"),
    )
    assert host.stored("x") == "Host 'web1': x"
    assert service.stored("x") == "Service 'Disk' on host 'web1': x"
    assert group.stored("x") == "Host group 'Web': x"
    listed = {"comment": "Host 'web1': x", "objects": {"hosts": [{"hostname": "web10"}]}}
    assert not host.covers(listed)
    assert host.covers({"comment": "Host 'web1': x", "objects": {"hosts": [{"hostname": "web1"}]}})
    assert not service.covers({"objects": {"services": [{"hostname": "web1", "servicename": "Disk /"}]}})
    targets = downtime_request(host_names=["web1", "web2"], service_descriptions=["Disk"]).targets
    assert [(t.host, t.service) for t in targets] == [("web1", "Disk"), ("web2", "Disk")]


def test_check_mode_refuses_a_group_that_is_no_leaf(client, fake):
    host_server(fake, None)
    not_leaf = desired_host({"name": "web02", "ip": "192.0.2.2", "hostgroup": "Opsview/Linux"})
    with pytest.raises(ValidationError, match="a host can only be in a leaf group"):
        sync(HostResource(client, "web02", declared=not_leaf), "present", not_leaf, check_mode=True)
    assert fake.writes() == []
