"""The Opsview simulator's REST API: sessions, config objects (create, update, delete, bulk, search, paging), host
group rules and errors, each with the status codes and bodies of the README."""

from __future__ import annotations

import re

import pytest

from tests.simulators.opsview import SimulatorConfig
from tests.simulators.opsview.testing import JSON, ApiClient

NEEDS_OPENAPI = False  # these tests need no document of ../shared


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def names(answer: dict) -> list[str]:
    return [obj["name"] for obj in answer["list"]]


def create_host(api: ApiClient, name: str, group: str = "Monitoring Servers", **fields: object) -> dict:
    body = {"name": name, "ip": "10.0.0.5", "hostgroup": {"name": group}, **fields}
    return api.ok("POST", "/config/host", body)["object"]


def error(api: ApiClient, status: int, method: str, path: str, body: object = None, **options: object) -> dict:
    answer = api.call(method, path, body, **options)
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.json


# --- Sessions -------------------------------------------------------------------------------------


def test_api_version_needs_no_session() -> None:
    api = ApiClient(login=False)
    answer = api.ok("GET", "", session=False)
    assert set(answer) == {"api_version", "api_min_version", "easyxdm_version"}
    assert isinstance(answer["api_version"], float) and answer["api_min_version"] == "2.0"


@pytest.mark.parametrize("how", ["json", "form", "query"])
def test_login_answers_a_token_of_40_hex_digits(how: str) -> None:
    api = ApiClient(login=False)
    credentials = {"username": "admin", "password": "initial"}
    if how == "json":
        answer = api.call("POST", "/login", credentials, session=False)
    elif how == "form":
        answer = api.client.post("/rest/login", data=credentials, headers={"Accept": "application/json"})
    else:
        answer = api.call("POST", "/login", query=credentials, session=False)
    assert answer.status_code == 200 and re.fullmatch(r"[0-9a-f]{40}", answer.json["token"])
    assert set(answer.json) == {"token"}


def test_login_with_user_data_and_wrong_credentials() -> None:
    api = ApiClient(SimulatorConfig(users={"ops": "secret"}), login=False)
    answer = api.ok(
        "POST", "/login", {"username": "ops", "password": "secret", "include_user_data": "1"}, session=False
    )
    assert answer["user_data"]["name"] == "ops" and "RELOADACCESS" in answer["user_data"]["access_list"]
    for body in ({"username": "ops", "password": "wrong"}, {"username": "admin", "password": "initial"}, {}):
        assert set(error(api, 401, "POST", "/login", body, session=False)) == {"message"}


def test_every_other_endpoint_needs_both_headers_and_a_live_token(api: ApiClient) -> None:
    for path in ("/info", "/config/host", "/reload", "/downtime", "/user"):
        assert "message" in error(api, 401, "GET", path, session=False)
    error(api, 401, "GET", "/info", headers={"X-Opsview-Token": ""})
    error(api, 401, "GET", "/info", headers={"X-Opsview-Token": "0" * 40})
    error(api, 401, "GET", "/info", headers={"X-Opsview-Username": "someone"})
    info = api.ok("GET", "/info")
    assert info["opsview_version"].startswith("6.") and info["opsview_name"] == "Opsview"


def test_a_token_expires_after_an_hour_without_requests(api: ApiClient) -> None:
    now = [1_800_000_000.0]
    api.state.wall_clock = lambda: now[0]
    api.login()
    for _step in range(3):  # each request starts the hour again
        now[0] += 3599
        api.ok("GET", "/info")
    now[0] += 3601
    error(api, 401, "GET", "/info")
    error(api, 401, "GET", "/info")  # an expired token stays expired
    api.login()
    api.ok("GET", "/info")


@pytest.mark.parametrize("method, path", [("POST", "/logout"), ("DELETE", "/login")])
def test_logging_out_ends_the_session(api: ApiClient, method: str, path: str) -> None:
    assert api.ok(method, path) == {"logout_via": "REST API"}
    error(api, 401, "GET", "/info")


def test_perl_unless_json_is_asked_for_unknown_urls_and_methods(api: ApiClient) -> None:
    perl = api.call("GET", "/info", headers={"Accept": "text/html", "Content-Type": ""})
    assert perl.status_code == 200 and perl.mimetype == "text/x-data-dumper"
    assert perl.get_data(as_text=True).startswith("$VAR1 = {'hosts_limit' => '0', ")
    by_query = api.call(
        "GET", "/info", headers={"Accept": "", "Content-Type": ""}, query={"content-type": "application/json"}
    )
    assert by_query.json["opsview_version"] == "6.8.8"
    assert api.client.get("/rest").get_data(as_text=True).startswith("$VAR1 = {'api_min_version' => '2.0', ")
    assert "message" in error(api, 404, "GET", "/nothing/here")
    assert "message" in error(api, 404, "GET", "/config/nosuchtype")
    assert error(api, 405, "GET", "/login")["message"].startswith("Method GET not implemented")
    answer = api.client.post("/rest/config/host", data=b'{"name": "x",', headers=api.headers)
    assert (
        answer.status_code == 400
        and answer.mimetype == "text/plain"
        and "malformed JSON" in answer.get_data(as_text=True)
    )


# --- Config objects -------------------------------------------------------------------------------


def test_a_host_created_with_name_and_ip_gets_opsviews_defaults(api: ApiClient) -> None:
    host = api.ok("POST", "/config/host", {"name": "web01", "ip": "192.0.2.1"})["object"]
    assert host["hostgroup"] == {"name": "Monitoring Servers", "ref": "/rest/config/hostgroup/2"}
    assert host["monitored_by"] == {"name": "Master Monitoring Server", "ref": "/rest/config/monitoringcluster/1"}
    assert host["check_command"]["name"] == "ping" and host["icon"]["name"] == "LOGO - Opsview"
    assert host["uncommitted"] == "1" and host["id"] == "2" and host["ref"] == "/rest/config/host/2"
    assert (host["check_interval"], host["hosttemplates"], host["notification_options"]) == ("300", [], None)
    assert api.ok("GET", "/reload")["configuration_status"] == "pending"


def test_creating_an_existing_name_updates_it_and_put_merges(api: ApiClient) -> None:
    host = create_host(
        api, "web01", alias="first", hosttemplates=[{"name": "Network - Base"}], keywords=[{"name": "opsview"}]
    )
    again = api.ok("POST", "/config/host", {"object": {"name": "WEB01", "ip": "10.0.0.6"}})["object"]
    assert again["id"] == host["id"] and again["ip"] == "10.0.0.6" and again["alias"] == "first"
    body = {
        "hosttemplates": [{"name": "OS - Unix Base"}, {"id": "117"}],
        "check_attempts": "5",
        "ref": "/x",
        "colour": 1,
    }
    updated = api.ok("PUT", f"/config/host/{host['id']}", body)["object"]
    assert [item["name"] for item in updated["hosttemplates"]] == ["OS - Unix Base", "Network - Base"]
    assert updated["check_attempts"] == "5" and updated["keywords"] == host["keywords"] and "colour" not in updated
    assert api.ok("GET", "/config/host", query={"rows": "all"})["summary"]["totalrows"] == "2"
    by_name = api.ok("PUT", "/config/host", {"name": "web01", "alias": "by name"})["object"]
    assert by_name["id"] == host["id"] and by_name["alias"] == "by name"
    created = api.ok("PUT", "/config/host/40", {"name": "web40", "ip": "10.0.0.40"})["object"]
    assert created["id"] == "40" and create_host(api, "web41")["id"] == "41"


def test_get_exists_clone_and_delete(api: ApiClient) -> None:
    host = create_host(api, "web01", alias="a")
    assert api.ok("GET", f"/config/host/{host['id']}") == {"object": host}
    assert api.ok("GET", "/config/host/exists", query={"name": "Web01"}) == {"exists": "1"}
    assert api.ok("GET", "/config/host/exists", query={"name": "web02"}) == {"exists": "0"}
    assert api.ok("GET", "/config/hostgroup/exists", query={"id": "2"}) == {"exists": "1"}
    clone = api.ok("POST", f"/config/host/{host['id']}", {"name": "web02", "ip": "10.0.0.7"})["object"]
    assert clone["alias"] == "a" and clone["id"] != host["id"]
    assert api.ok("DELETE", f"/config/host/{host['id']}") == {"success": "1"}
    assert set(error(api, 404, "GET", f"/config/host/{host['id']}")) == {"message"}
    error(api, 404, "DELETE", f"/config/host/{host['id']}")
    error(api, 404, "PUT", "/config/keyword/999/x")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"ip": "10.0.0.300"}, "ip: Invalid"),
        ({"ip": "web 01"}, "ip: Invalid"),
        ({"ip": "fe80::1::2"}, "ip: Invalid"),
        ({"name": "web 01"}, "name: Invalid"),
        ({"ip": None}, "ip: Invalid"),
        ({"check_interval": "often"}, "check_interval: Invalid"),
        ({"enable_snmp": "yes"}, "enable_snmp: Invalid"),
        ({"snmp_version": "4"}, "snmp_version: Invalid"),
        ({"hosttemplates": [{"name": "Nope"}]}, "No related object for hosttemplates 'name=Nope'"),
        ({"hostgroup": {"name": "Nowhere"}}, "No related object for hostgroup 'name=Nowhere'"),
        ({"monitored_by": {"id": 7}}, "No related object for monitored_by 'id=7'"),
        ({"keywords": [{"name": "unknown"}]}, "No related object for keywords 'name=unknown'"),
        ({"icon": {"name": "LOGO - Nope"}}, "No related object for icon 'name=LOGO - Nope'"),
        ({"hostattributes": [{"name": "lower", "value": "x"}]}, "hostattributes: Invalid name"),
        ({"hostgroup": {"name": "Opsview"}}, "Host group 'Opsview' is not a leaf"),
    ],
)
def test_invalid_hosts_are_refused(api: ApiClient, fields: dict, message: str) -> None:
    body = {"name": "web01", "ip": "10.0.0.5", **fields}
    assert error(api, 400, "POST", "/config/host", body)["message"] == message
    assert api.ok("GET", "/config/host/exists", query={"name": "web01"}) == {"exists": "0"}


def test_errors_are_joined_and_non_objects_refused(api: ApiClient) -> None:
    body = {
        "name": "web01",
        "ip": "10.0.0.5",
        "hosttemplates": [{"name": "A"}, {"name": "B"}],
        "parents": [{"name": "C"}],
    }
    assert error(api, 400, "POST", "/config/host", body)["message"] == (
        "No related object for hosttemplates 'name=A'; No related object for hosttemplates 'name=B'; "
        "No related object for parents 'name=C'"
    )
    answer = error(
        api, 400, "POST", "/config/host", {"name": "web01", "ip": "10.0.0.5", "hosttemplates": ["Network - Base"]}
    )
    assert answer == {"message": "Error when parsing data", "detail": "Not a HASH: hosttemplates"}
    assert error(api, 400, "POST", "/config/host", {"ip": "10.0.0.5"})["message"] == "name: Missing"
    create_host(api, "web01")
    create_host(api, "web02")
    assert "Duplicate entry" in error(api, 400, "PUT", "/config/host/2", {"name": "web02"})["message"]


def test_every_write_leaves_the_object_uncommitted_and_the_configuration_pending(api: ApiClient) -> None:
    api.ok("PUT", "/config/keyword/2", {"description": "changed"})
    api.ok("PUT", "/config/hostgroup/2", {})  # even a write that changes nothing
    assert api.ok("GET", "/config/keyword/2")["object"]["uncommitted"] == "1"
    assert api.ok("GET", "/config/hostgroup/2")["object"]["uncommitted"] == "1"
    assert api.ok("GET", "/config/keyword/1")["object"]["uncommitted"] == "0"
    assert api.state.uncommitted() == {"hostgroup": ["Monitoring Servers"], "keyword": ["opsview"]}


def test_reference_only_types_are_read_only(api: ApiClient) -> None:
    checks = api.ok("GET", "/config/servicecheck", query={"s.name": "HTTP"})["list"]
    assert checks[0]["hosttemplates"] == [{"name": "Application - HTTP", "ref": "/rest/config/hosttemplate/111"}]
    assert names(api.ok("GET", "/config/timeperiod")) == ["24x7", "none", "nonworkhours", "workhours"]
    for kind in ("servicecheck", "timeperiod", "hostcheckcommand"):
        error(api, 405, "POST", f"/config/{kind}", {"name": "x"})
        error(api, 405, "DELETE", f"/config/{kind}/1")


# --- Host groups ----------------------------------------------------------------------------------


def test_host_group_tree(api: ApiClient) -> None:
    prod = api.ok("POST", "/config/hostgroup", {"name": "Production", "parent": {"name": "Opsview"}})["object"]
    web = api.ok("POST", "/config/hostgroup", {"name": "Web", "parent": {"name": "Production"}})["object"]
    assert web["matpath"] == "Opsview,Production,Web," and web["is_leaf"] == "1"
    assert web["parent"] == {"matpath": "Opsview,Production,", "name": "Production", "ref": prod["ref"]}
    prod = api.ok("GET", f"/config/hostgroup/{prod['id']}")["object"]
    assert prod["is_leaf"] == "0" and prod["children"] == [{"name": "Web", "ref": web["ref"]}]
    root = api.ok("GET", "/config/hostgroup/1")["object"]
    assert root["parent"] is None and [child["name"] for child in root["children"]] == [
        "Monitoring Servers",
        "Production",
    ]
    api.ok(
        "PUT", f"/config/hostgroup/{prod['id']}", {"name": "Prod", "children": [], "is_leaf": "1"}
    )  # read-only keys ignored
    assert api.ok("GET", f"/config/hostgroup/{web['id']}")["object"]["matpath"] == "Opsview,Prod,Web,"
    order = names(api.ok("GET", "/config/hostgroup", query={"order": "dependency"}))
    assert order == ["Opsview", "Monitoring Servers", "Prod", "Web"]


def test_host_group_rules(api: ApiClient) -> None:
    prod = api.ok("POST", "/config/hostgroup", {"name": "Production", "parent": {"name": "Opsview"}})["object"]
    web = api.ok("POST", "/config/hostgroup", {"name": "Web", "parent": {"id": prod["id"]}})["object"]
    create_host(api, "web01", "Web")
    cases = [
        ({"name": "Sub", "parent": {"name": "Web"}}, "Cannot set parent if parent already has hosts associated"),
        ({"name": "Web", "parent": {"name": "Opsview"}}, "Host group name Web has already been used for a leaf"),
        ({"name": "Orphan"}, "parent: Missing (only the top level host group has none)"),
        ({"name": "Bad|Name", "parent": {"name": "Opsview"}}, "name: Invalid"),
    ]
    for body, message in cases:
        assert error(api, 400, "POST", "/config/hostgroup", body)["message"] == message
    app = api.ok("POST", "/config/hostgroup", {"name": "App", "parent": {"name": "Production"}})["object"]
    assert error(api, 400, "PUT", f"/config/hostgroup/{app['id']}", {"name": "web"})["message"] == (
        "Same host group name 'web' used with same parent - this is invalid"
    )
    assert (
        "not a leaf"
        in error(
            api, 400, "POST", "/config/host", {"name": "x1", "ip": "10.1.1.1", "hostgroup": {"name": "Production"}}
        )["message"]
    )
    assert error(api, 400, "PUT", f"/config/hostgroup/{prod['id']}", {"parent": {"name": "Web"}})["message"] == (
        "Cannot set parent to a host group below this one"
    )
    assert error(api, 400, "PUT", "/config/hostgroup/1", {"parent": {"id": 2}})["message"] == (
        "Cannot set a parent for the top level host group"
    )
    test = api.ok("POST", "/config/hostgroup", {"name": "Test", "parent": {"name": "Opsview"}})["object"]
    pool = api.ok("POST", "/config/hostgroup", {"name": "Pool", "parent": {"id": test["id"]}})["object"]
    api.ok("POST", "/config/hostgroup", {"name": "Sub", "parent": {"id": pool["id"]}})
    api.ok("POST", "/config/hostgroup", {"name": "Pool", "parent": {"id": prod["id"]}})  # one of the two is no leaf
    ambiguous = error(api, 400, "POST", "/config/host", {"name": "x2", "ip": "10.1.1.2", "hostgroup": {"name": "Pool"}})
    assert ambiguous["message"] == "There is more than 1 host group with name Pool and no matpath to distinguish"
    host = create_host(api, "x2", "Pool", hostgroup={"name": "Pool", "matpath": "Opsview,Production,Pool,"})
    assert host["hostgroup"]["name"] == "Pool" and host["hostgroup"]["ref"] != pool["ref"]
    assert web["is_leaf"] == "1"


def test_deleting_objects_in_use(api: ApiClient) -> None:
    web = api.ok("POST", "/config/hostgroup", {"name": "Web", "parent": {"name": "Opsview"}})["object"]
    gateway = create_host(api, "gw01", "Web")
    create_host(api, "web01", "Web", parents=[{"name": "gw01"}], hosttemplates=[{"name": "Application - HTTP"}])
    in_use = "Cannot delete as object still in use"
    for path in (
        "/config/hostgroup/2",
        f"/config/hostgroup/{web['id']}",
        "/config/hosttemplate/111",
        "/config/keyword/2",
        "/config/monitoringcluster/1",
        f"/config/host/{gateway['id']}",
    ):
        answer = error(api, 400, "DELETE", path)
        assert answer["message"] == in_use and answer["detail"], path
    assert error(api, 400, "DELETE", "/config/hostgroup/1")["message"] == "Cannot delete top level hostgroup"
    cluster = api.ok("POST", "/config/monitoringcluster", {"name": "collectors-ny"})["object"]
    assert api.ok("DELETE", f"/config/monitoringcluster/{cluster['id']}") == {"success": "1"}
    keyword = api.ok("POST", "/config/keyword", {"name": "unused"})["object"]
    assert api.ok("DELETE", f"/config/keyword/{keyword['id']}") == {"success": "1"}


# --- Bulk writes and deletes ----------------------------------------------------------------------


def test_bulk_writes_are_one_transaction(api: ApiClient) -> None:
    hosts = [
        {"name": f"web{n:02}", "ip": f"10.0.0.{n}", "hostgroup": {"name": "Monitoring Servers"}} for n in range(1, 4)
    ]
    assert api.ok("PUT", "/config/host", {"list": hosts}) == {"objects_updated": "3"}
    writes = api.state.write_seq
    bad = [
        {"name": "new01", "ip": "10.0.1.1"},
        {"name": "new02", "ip": "10.0.1.2", "hosttemplates": [{"name": "Nope"}]},
    ]
    answer = error(api, 400, "PUT", "/config/host", {"list": bad})
    assert answer["message"] == "Rollback. Error trying to synchronise object: 2" and answer["objects_updated"] == "0"
    assert "No related object for hosttemplates 'name=Nope'" in answer["detail"]
    assert api.ok("GET", "/config/host/exists", query={"name": "new01"}) == {"exists": "0"}
    assert api.state.write_seq == writes
    # POST of a list inserts only: a name that exists fails the whole list.
    answer = error(
        api,
        400,
        "POST",
        "/config/host",
        {"list": [{"name": "new03", "ip": "10.0.1.3"}, {"name": "web01", "ip": "10.0.0.9"}]},
    )
    assert "Duplicate entry 'web01'" in answer["detail"]
    assert api.ok("GET", "/config/host/exists", query={"name": "new03"}) == {"exists": "0"}
    # PUT of a list updates those that exist.
    assert api.ok(
        "PUT", "/config/host", {"list": [{"name": "web01", "alias": "one"}, {"name": "new04", "ip": "10.0.1.4"}]}
    ) == {"objects_updated": "2"}
    assert api.ok("GET", "/config/host", query={"s.name": "web01"})["list"][0]["alias"] == "one"
    assert error(api, 400, "PUT", "/config/host", {"list": ["web01"]})["detail"].startswith("Error when parsing data")


def test_bulk_delete(api: ApiClient) -> None:
    ids = [create_host(api, f"web{n}")["id"] for n in range(4)]
    create_host(api, "child", parents=[{"id": ids[0]}])
    assert api.ok("DELETE", "/config/host", query=[("id", ids[1]), ("id", ids[2])]) == {"objects_deleted": "2"}
    assert error(api, 400, "DELETE", "/config/host")["message"].startswith("No objects selected")
    assert error(api, 400, "DELETE", "/config/host", query=[("id", ids[3]), ("id", ids[0])])["message"] == (
        "Cannot delete as object still in use"
    )
    assert api.ok("GET", "/config/host/exists", query={"id": ids[3]}) == {"exists": "1"}  # rolled back
    child = api.ok("GET", "/config/host", query={"s.name": "child"})["list"][0]["id"]
    assert api.ok("DELETE", "/config/host", query=[("s.id", ids[0]), ("id", child), ("id", ids[3])]) == {
        "objects_deleted": "3"
    }
    assert names(api.ok("GET", "/config/host")) == ["opsview"]


# --- Listing --------------------------------------------------------------------------------------


@pytest.fixture
def many(api: ApiClient) -> ApiClient:
    hosts = [
        {"name": f"host{n:03}", "ip": f"10.0.{n // 200}.{n % 200 + 1}", "alias": "even" if n % 2 == 0 else "odd"}
        for n in range(60)
    ]
    api.ok("PUT", "/config/host", {"list": hosts})
    return api


def test_paging_and_the_summary(many: ApiClient) -> None:
    first = many.ok("GET", "/config/host")
    assert first["summary"] == {"allrows": "61", "page": "1", "rows": "50", "totalpages": "2", "totalrows": "61"}
    second = many.ok("GET", "/config/host", query={"page": "2"})
    assert second["summary"]["rows"] == "11" and names(second)[-1] == "opsview"
    assert len({*names(first), *names(second)}) == 61
    everything = many.ok("GET", "/config/host", query={"rows": "all"})
    assert everything["summary"] == {"allrows": "61", "page": "1", "rows": "61", "totalpages": "1", "totalrows": "61"}
    small = many.ok("GET", "/config/host", query={"rows": "7", "page": "9"})
    assert small["summary"]["totalpages"] == "9" and small["summary"]["rows"] == "5"
    assert many.ok("GET", "/config/host", query={"rows": "0"})["list"] == []
    empty = many.ok("GET", "/config/host", query={"s.name": "nothing"})
    assert empty == {
        "list": [],
        "summary": {"allrows": "61", "page": "1", "rows": "0", "totalpages": "1", "totalrows": "0"},
    }
    for query in ({"rows": "many"}, {"page": "0"}, {"page": "x"}):
        error(many, 400, "GET", "/config/host", query=query)


def test_searching(many: ApiClient) -> None:
    assert names(many.ok("GET", "/config/host", query={"s.name": "HOST007"})) == ["host007"]
    assert names(many.ok("GET", "/config/host", query={"s.name": "host00%"}))[:2] == ["host000", "host001"]
    assert len(many.ok("GET", "/config/host", query={"s.name": "host0_0%"})["list"]) == 6
    assert names(many.ok("GET", "/config/host", query=[("s.name", "host001"), ("s.name", "host002")])) == [
        "host001",
        "host002",
    ]
    assert many.ok("GET", "/config/host", query={"s.name": "host001", "s.alias": "even"})["list"] == []
    assert names(many.ok("GET", "/config/host", query={"s.name": "host001", "s.nonsense": "x"})) == ["host001"]
    assert (
        many.ok("GET", "/config/host", query={"s.hostgroup.name": "Monitoring Servers", "rows": "all"})["summary"][
            "totalrows"
        ]
        == "61"
    )
    assert names(many.ok("GET", "/config/host", query={"s.keywords.name": "opsview"})) == ["opsview"]
    assert names(many.ok("GET", "/config/host", query={"s.id": "1"})) == ["opsview"]


def test_json_filter(many: ApiClient) -> None:
    def found(expression: object) -> list[str]:
        import json

        return names(many.ok("GET", "/config/host", query={"json_filter": json.dumps(expression), "rows": "all"}))

    assert found({"-or": [{"name": {"-like": "host05%"}}, {"name": "opsview"}]}) == [
        f"host05{n}" for n in range(10)
    ] + ["opsview"]
    assert found({"id": {"-in": ["1", 2]}}) == ["host000", "opsview"]
    assert found({"name": {"-like": "host0%"}, "alias": "odd", "id": {"<": 8}}) == ["host001", "host003", "host005"]
    assert found({"-and": [{"name": ["host001", "host002"]}, {"me.alias": {"!=": "odd"}}]}) == ["host002"]
    assert len(found({"id": {"!=": 1}})) == 60
    for bad in ("{", '{"colour": "red"}', '{"name": {"~~": "x"}}'):
        assert (
            error(many, 400, "GET", "/config/host", query={"json_filter": bad})["message"] == "Error executing search"
        )


def test_order_and_columns(many: ApiClient) -> None:
    assert names(many.ok("GET", "/config/host", query={"order": "name_desc", "rows": "2"})) == ["opsview", "host059"]
    assert names(many.ok("GET", "/config/host", query={"order": "alias,id_desc", "rows": "2"})) == [
        "host058",
        "host056",
    ]
    assert error(many, 400, "GET", "/config/host", query={"order": "colour"})["message"] == "Error executing search"
    host = many.ok("GET", "/config/host", query={"s.name": "opsview", "cols": "-hostattributes,+snmpinterfaces"})[
        "list"
    ][0]
    assert "hostattributes" not in host and host["snmpinterfaces"] == []
    assert many.ok("GET", "/config/host/1", query={"cols": "name"})["object"] == {
        "id": "1",
        "name": "opsview",
        "ref": "/rest/config/host/1",
    }


def test_request_headers_of_a_json_client(api: ApiClient) -> None:
    """pyopsview sends Content-Type on GETs too, opsview-rs no Content-Type; both are answered."""
    api.ok("GET", "/config/host", headers={"Content-Type": "application/json; charset=utf-8"})
    api.ok("GET", "/config/host", headers={"Content-Type": ""})
    assert JSON["Accept"] == "application/json"
