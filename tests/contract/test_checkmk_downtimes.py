"""Downtimes (contract 4): every endpoint against each version's OpenAPI document, and the behaviour around
them: per-site ids, the activated configuration, remote sites (through the central site's API and their own),
the fault of Checkmk 2.0.0p5, modification, list filters and the Livestatus query language."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from checkmk_contract import API, AUTHORIZATION, Clock, Contract

HOST = "/domain-types/downtime/collections/host"
SERVICE = "/domain-types/downtime/collections/service"
ALL = "/domain-types/downtime/collections/all"
DELETE = "/domain-types/downtime/actions/delete/invoke"
MODIFY = "/domain-types/downtime/actions/modify/invoke"
HOSTS = "/domain-types/host_config/collections/all"
DISCOVER = "/domain-types/service_discovery_run/actions/start/invoke"
ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
PENDING = "/domain-types/activation_run/collections/pending_changes"
NOW = datetime(2030, 1, 1, tzinfo=UTC).timestamp()  # the simulated sites' wall clock
WINDOW = {"start_time": "2030-01-01T10:00:00Z", "end_time": "2030-01-01T12:00:00Z"}
SERVICES = [
    {"check_plugin_name": "cpu_loads", "service_name": "CPU load"},
    {"check_plugin_name": "mem", "service_name": "Memory"},
]
NO_MATCH = "The provided query returned an empty list so no downtime was set"
NOT_MONITORED = "Host {!r} should be monitored but it's not. Activate the configuration?"
HEADERS = {"Accept": "application/json", "Authorization": AUTHORIZATION}


def monitored_site(version: str = "2.4") -> Contract:
    """web1 and web10 monitored by the central site cmk, db1 by remote1, each with CPU load and Memory."""
    c = Contract(version)
    c.state.wall_clock = Clock(NOW)
    for name, site in [("web1", "cmk"), ("web10", "cmk"), ("db1", "remote1")]:
        setup(c, "POST", HOSTS, {"host_name": name, "folder": "/", "attributes": {"site": site}})
        c.control("PUT", f"/discoverable/{name}", {"services": SERVICES})
        setup(c, "POST", DISCOVER, {"host_name": name, "mode": "new"})
    activate(c)
    return c


def setup(c: Contract, method: str, path: str, body: Any, **headers: str) -> None:
    """Setup requests the other contract tests validate, sent without the spec's validation to keep these fast."""
    response = c.client.open(f"{API}{path}", method=method, json=body, headers={**HEADERS, **headers})
    assert response.status_code < 300, response.get_data(as_text=True)


def activate(c: Contract) -> None:
    setup(c, "POST", ACTIVATE, {}, **{"If-Match": "*"})
    c.clock.advance(1)


def wall_clock(c: Contract) -> Clock:
    clock = c.state.wall_clock
    assert isinstance(clock, Clock)
    return clock


def host_downtime(
    c: Contract, host: str, status: int = 204, *, site: str = "cmk", spec_rejects: bool = False, **fields: Any
) -> Any:
    body = {"downtime_type": "host", "host_name": host, **WINDOW, **fields}
    return c.expect("POST", HOST, status, body=body, site=site, spec_rejects=spec_rejects).json


def service_downtime(c: Contract, host: str, services: list[str], status: int = 204, **request: Any) -> Any:
    body = {"downtime_type": "service", "host_name": host, "service_descriptions": services, **WINDOW}
    return c.expect("POST", SERVICE, status, body={**body, **request.pop("body", {})}, **request).json


def listed(c: Contract, *, site: str = "cmk", **query: str) -> list[tuple[str, str, str, str | None]]:
    """(site_id, id, host_name, service_description) of each downtime listed."""
    return [
        (entry["extensions"]["site_id"], entry["id"], entry["extensions"]["host_name"],
         entry["extensions"].get("service_description"))
        for entry in peek(c, site, **query)
    ]  # fmt: skip


def extensions(c: Contract, **query: str) -> list[dict[str, Any]]:
    return [entry["extensions"] for entry in peek(c, "cmk", **query)]


def peek(c: Contract, site: str, **query: str) -> list[dict[str, Any]]:
    """The downtimes listed, read without the spec's validation (the scenario tests validate listings; this
    keeps the behaviour tests fast)."""
    response = c.client.get(f"/{site}/check_mk/api/1.0{ALL}", query_string=query, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    value: list[dict[str, Any]] = response.json["value"]
    return value


def column(name: str, value: str) -> dict[str, str]:
    return {"op": "=", "left": name, "right": value}


def stored(c: Contract) -> dict[str, list[dict[str, Any]]]:
    downtimes: dict[str, list[dict[str, Any]]] = c.control("GET", "/state")["downtimes"]
    return downtimes


def test_downtime_scenario_validates_against_each_version(version: str) -> None:
    c = monitored_site(version)
    yes, no = ("yes", "no") if version == "2.3" else (True, False)

    host_downtime(c, "web1", comment="Patch day")
    host_downtime(c, "db1", duration=30)
    service_downtime(c, "web1", ["CPU load"])
    by_query = {"downtime_type": "host_by_query", "query": {"op": "~", "left": "name", "right": "^web10$"}, **WINDOW}
    c.expect("POST", HOST, 204, body=by_query)
    memory = {"op": "and", "expr": [{"op": "=", "left": "host_name", "right": "db1"}, column("description", "Memory")]}
    c.expect("POST", SERVICE, 204, body={"downtime_type": "service_by_query", "query": memory, **WINDOW})

    collection = c.expect("GET", ALL, 200).json
    assert (collection["id"], collection["domainType"], collection["extensions"]) == ("downtime", "downtime", {})
    assert collection["links"][0]["href"] == f"http://localhost{API}{ALL}"
    assert listed(c) == [
        ("cmk", "1", "web1", None),
        ("cmk", "2", "web1", "CPU load"),
        ("cmk", "3", "web10", None),
        ("remote1", "1", "db1", None),
        ("remote1", "2", "db1", "Memory"),
    ]
    shown = c.expect("GET", "/objects/downtime/1", 200, query={"site_id": "remote1"}).json
    assert (shown["domainType"], shown["id"], shown["title"], shown["members"]) == (
        "downtime",
        "1",
        "Downtime for host: db1",
        {},
    )
    assert shown["extensions"] == {
        "site_id": "remote1",
        "host_name": "db1",
        "author": "automation",
        "is_service": no,
        "start_time": "2030-01-01T10:00:00+00:00",
        "end_time": "2030-01-01T12:00:00+00:00",
        "recurring": no,
        "comment": "Downtime for host 'db1'",
        "mode": {"type": "flexible", "duration_minutes": 30},
    }
    assert [(link["rel"], link["method"]) for link in shown["links"]] == [
        ("self", "GET"),
        ("urn:org.restfulobjects:rels/delete", "POST"),
    ]
    assert shown["links"][0]["href"] == f"http://localhost{API}/objects/downtime/1"
    assert shown["links"][1]["body_params"] == {"delete_type": "by_id", "downtime_id": 1}
    service = c.expect("GET", "/objects/downtime/2", 200, query={"site_id": "cmk"}).json
    assert service["title"] == "Downtime for service: CPU load"
    assert (service["extensions"]["is_service"], service["extensions"]["service_description"]) == (yes, "CPU load")
    assert service["extensions"]["mode"] == {"type": "fixed"}

    # Errors of show and list.
    assert c.expect("GET", "/objects/downtime/9", 404, query={"site_id": "cmk"}).json == {
        "title": "The requested downtime was not found",
        "status": 404,
        "detail": "The downtime id 9 did not match any downtime",
    }
    required = c.expect("GET", "/objects/downtime/1", 400, spec_rejects=True).json
    assert required["fields"] == {"site_id": ["Missing data for required field."]}
    unknown_site = c.expect("GET", ALL, 400, query={"site_id": "nope"}).json
    assert unknown_site["fields"] == {"site_id": ["The site 'nope' should exist but it doesn't."]}
    c.expect("GET", "/objects/downtime/1", 400, query={"site_id": "nope"})
    c.expect("GET", ALL, 400, query={"downtime_type": "all"}, spec_rejects=True)
    c.expect("GET", ALL, 400, query={"host_name": "a b"}, spec_rejects=True)

    # Errors of create.
    no_end = {"downtime_type": "host", "host_name": "web1", "start_time": WINDOW["start_time"]}
    assert c.expect("POST", HOST, 400, body=no_end, spec_rejects=True).json["fields"] == {
        "end_time": ["Missing data for required field."]
    }
    recur = host_downtime(c, "web1", 400, recur="yearly", spec_rejects=True)
    assert recur["fields"]["recur"] == [
        "'yearly' is not one of the enum values: ['fixed', 'hour', 'day', 'week', 'second_week', 'fourth_week', "
        "'weekday_start', 'weekday_end', 'day_of_month']"
    ]
    # The spec's `format: iso8601` checks nothing; Checkmk's field does.
    assert host_downtime(c, "web1", 400, start_time="tomorrow")["fields"] == {"start_time": ["Not a valid datetime."]}
    assert host_downtime(c, "web1", 400, extra=1, spec_rejects=version == "2.5")["fields"] == {
        "extra": ["Unknown field."]
    }
    wrong_type = c.expect("POST", HOST, 400, body={**no_end, **WINDOW, "downtime_type": "service"}, spec_rejects=True)
    assert wrong_type.json["fields"] == {"downtime_type": ["Unsupported value: service"]}
    group = {"downtime_type": "hostgroup", "hostgroup_name": "linux", **WINDOW}
    assert c.expect("POST", HOST, 400, body=group).json["fields"] == {"hostgroup_name": ["Group missing: 'linux'"]}
    nothing = {**by_query, "query": column("name", "nope")}
    assert c.expect("POST", HOST, 422, body=nothing).json == {
        "title": "Query did not match any host",
        "status": 422,
        "detail": NO_MATCH,
    }
    nothing = {"downtime_type": "service_by_query", "query": column("description", "nope"), **WINDOW}
    assert c.expect("POST", SERVICE, 422, body=nothing).json["title"] == "Query did not match any service"
    assert service_downtime(c, "web1", ["Nope"], 401, undeclared="unknown_services") == {
        "title": "Unauthorized",
        "status": 401,
        "detail": "Cannot find the requested resource: ['Nope']",
    }

    # Modify.
    absolute = {"modify_type": "absolute", "value": "2030-01-01T13:00:00Z"}
    c.expect(
        "PUT", MODIFY, 204, body={"modify_type": "by_id", "site_id": "cmk", "downtime_id": "1", "end_time": absolute}
    )
    relative = {"modify_type": "relative", "value": -30}
    c.expect("PUT", MODIFY, 204, body={"modify_type": "params", "host_name": "db1", "end_time": relative})
    c.expect("PUT", MODIFY, 204, body={"modify_type": "query", "query": column("is_service", "1"), "comment": "Svc"})
    assert [(e["end_time"][11:16], e["comment"]) for e in extensions(c)] == [
        ("13:00", "Patch day"),
        ("12:00", "Svc"),
        ("12:00", "Downtime for hosts web10"),
        ("11:30", "Downtime for host 'db1'"),
        ("12:00", "Svc"),
    ]
    assert c.expect("PUT", MODIFY, 400, body={"modify_type": "params", "host_name": "web1"}).json == {
        "title": "No modification specified",
        "status": 400,
        "detail": "You must especify at least one field to modify",
    }
    zero = {"modify_type": "params", "host_name": "web1", "end_time": {"modify_type": "relative", "value": 0}}
    assert c.expect("PUT", MODIFY, 400, body=zero).json["fields"] == {
        "end_time": {"value": ["The value cannot be zero."]}
    }
    c.expect("PUT", MODIFY, 400, body={"modify_type": "by_id", "downtime_id": "1", "comment": "x"}, spec_rejects=True)

    # Delete: 204 whether anything matched or not.
    c.expect("POST", DELETE, 204, body={"delete_type": "by_id", "site_id": "remote1", "downtime_id": "2"})
    c.expect(
        "POST", DELETE, 204, body={"delete_type": "params", "host_name": "web1", "service_descriptions": ["CPU load"]}
    )
    c.expect(
        "POST", DELETE, 204, body={"delete_type": "query", "query": {"op": "~", "left": "host_name", "right": "^web"}}
    )
    c.expect("POST", DELETE, 204, body={"delete_type": "params", "host_name": "nohost"})
    c.expect("POST", DELETE, 400, body={"delete_type": "by_id", "downtime_id": "1"}, spec_rejects=True)
    by_group = {"delete_type": "hostgroup", "hostgroup_name": "linux"}
    if version == "2.3":  # no group selectors yet
        unsupported = c.expect("POST", DELETE, 400, body=by_group, spec_rejects=True).json
        assert unsupported["fields"] == {"delete_type": ["Unsupported value: hostgroup"]}
    else:
        assert c.expect("POST", DELETE, 400, body=by_group).json["fields"] == {
            "hostgroup_name": ["Group missing: 'linux'"]
        }
    assert listed(c) == [("remote1", "1", "db1", None)]


def test_ids_count_per_site_and_deleting_by_id_needs_the_site() -> None:
    c = monitored_site()
    host_downtime(c, "web1")
    host_downtime(c, "db1")
    host_downtime(c, "web10")
    assert listed(c) == [("cmk", "1", "web1", None), ("cmk", "2", "web10", None), ("remote1", "1", "db1", None)]

    c.expect("POST", DELETE, 204, body={"delete_type": "by_id", "site_id": "remote1", "downtime_id": "2"})
    c.expect("POST", DELETE, 204, body={"delete_type": "by_id", "site_id": "cmk", "downtime_id": "1"})
    assert listed(c) == [("cmk", "2", "web10", None), ("remote1", "1", "db1", None)]
    unknown = c.expect("POST", DELETE, 400, body={"delete_type": "by_id", "site_id": "nope", "downtime_id": "1"})
    assert unknown.json["fields"] == {"site_id": ["The site 'nope' should exist but it doesn't."]}

    host_downtime(c, "web1")  # ids are not used again
    assert listed(c, site_id="cmk") == [("cmk", "2", "web10", None), ("cmk", "3", "web1", None)]
    assert (
        c.expect("GET", "/objects/downtime/1", 200, query={"site_id": "remote1"}).json["extensions"]["host_name"]
        == "db1"
    )
    c.expect("GET", "/objects/downtime/1", 404, query={"site_id": "cmk"})


def test_only_hosts_of_the_activated_configuration_get_downtimes() -> None:
    c = monitored_site()
    c.expect("POST", HOSTS, 200, body={"host_name": "new", "folder": "/"})
    assert host_downtime(c, "new", 400) == {
        "title": "Bad Request",
        "status": 400,
        "detail": "These fields have problems: host_name",
        "fields": {"host_name": [NOT_MONITORED.format("new")]},
    }
    assert host_downtime(c, "nohost", 400)["fields"] == {"host_name": [NOT_MONITORED.format("nohost")]}
    service_downtime(c, "new", ["CPU load"], 401, undeclared="unknown_services")
    activate(c)
    host_downtime(c, "new")

    # A host moved to another site: its site's core monitors it until the move is activated, and forgets its
    # downtimes then; new ones land on the new site.
    host_downtime(c, "web10")
    c.expect(
        "PUT",
        "/objects/host_config/web10",
        200,
        body={"update_attributes": {"site": "remote1"}},
        headers={"If-Match": "*"},
    )
    host_downtime(c, "web10")
    assert [(site, host) for site, _id, host, _svc in listed(c, host_name="web10")] == [("cmk", "web10")] * 2
    activate(c)
    assert listed(c, host_name="web10") == []
    host_downtime(c, "web10")
    assert listed(c, host_name="web10") == [("remote1", "1", "web10", None)]

    c.expect("DELETE", "/objects/host_config/new", 204)
    activate(c)
    assert listed(c, host_name="new") == []
    host_downtime(c, "new", 400)


def test_a_remote_host_gets_its_downtime_on_its_site() -> None:
    c = monitored_site()
    host_downtime(c, "db1")
    service_downtime(c, "db1", ["Memory"])
    assert stored(c)["cmk"] == []
    assert [(d["id"], d["host_name"], d.get("service_description")) for d in stored(c)["remote1"]] == [
        (1, "db1", None),
        (2, "db1", "Memory"),
    ]
    assert c.expect("GET", PENDING, 200).json["value"] == []  # downtimes are not Setup


def test_a_duration_makes_a_downtime_flexible() -> None:
    c = monitored_site()
    host_downtime(c, "web1")
    host_downtime(c, "web1", duration=90, recur="week")
    assert [(d["duration"], d["recur"], d["mode"]) for d in stored(c)["cmk"]] == [
        (0, "fixed", {"type": "fixed"}),
        (90, "week", {"type": "flexible", "duration_minutes": 90}),
    ]
    assert [(e["mode"], e["recurring"]) for e in extensions(c)] == [
        ({"type": "fixed"}, False),
        ({"type": "flexible", "duration_minutes": 90}, True),
    ]
    assert listed(c, query=json.dumps(column("fixed", "0"))) == [("cmk", "2", "web1", None)]
    assert listed(c, query=json.dumps(column("duration", "5400"))) == [("cmk", "2", "web1", None)]


def test_host_names_are_matched_exactly() -> None:
    c = monitored_site()
    host_downtime(c, "web1")
    host_downtime(c, "web10")
    service_downtime(c, "web10", ["CPU load"])
    assert listed(c, host_name="web1") == [("cmk", "1", "web1", None)]

    c.expect("PUT", MODIFY, 204, body={"modify_type": "params", "host_name": "web10", "comment": "Host only"})
    assert [e["comment"] for e in extensions(c, host_name="web10")] == [
        "Host only",
        "Downtime for services 'CPU load'@'web10'",
    ]
    c.expect("POST", DELETE, 204, body={"delete_type": "params", "host_name": "web1"})
    assert listed(c) == [("cmk", "2", "web10", None), ("cmk", "3", "web10", "CPU load")]
    c.expect("POST", DELETE, 204, body={"delete_type": "params", "host_name": "web10", "service_descriptions": ["CPU"]})
    assert len(listed(c)) == 2
    c.expect(
        "POST", DELETE, 204, body={"delete_type": "params", "host_name": "web10", "service_descriptions": ["CPU load"]}
    )
    assert listed(c) == [("cmk", "2", "web10", None)]


def test_the_fault_of_2_0_0p5_loses_commands_for_remote_sites() -> None:
    c = monitored_site()
    host_downtime(c, "db1")
    assert c.control("GET", "/state")["faults"] == {"silent_remote_downtimes": False}
    assert c.control("POST", "/faults", {"silent_remote_downtimes": True}) == {"silent_remote_downtimes": True}

    host_downtime(c, "db1")  # 204, and nothing happens
    service_downtime(c, "db1", ["Memory"])
    host_downtime(c, "web1")  # the central site's own hosts are unaffected
    c.expect(
        "PUT",
        MODIFY,
        204,
        body={"modify_type": "query", "query": {"op": "~", "left": "host_name", "right": "."}, "comment": "Changed"},
    )
    c.expect("POST", DELETE, 204, body={"delete_type": "by_id", "site_id": "remote1", "downtime_id": "1"})
    c.expect("POST", DELETE, 204, body={"delete_type": "params", "host_name": "db1"})
    assert [(e["site_id"], e["host_name"], e["comment"]) for e in extensions(c)] == [
        ("cmk", "web1", "Changed"),
        ("remote1", "db1", "Downtime for host 'db1'"),
    ]

    # The remote site's own API takes the commands.
    host_downtime(c, "db1", site="remote1", comment="Direct")
    c.expect(
        "POST", DELETE, 204, body={"delete_type": "by_id", "site_id": "remote1", "downtime_id": "1"}, site="remote1"
    )
    assert listed(c, site="remote1") == [("remote1", "2", "db1", None)]

    c.control("POST", "/faults", {"silent_remote_downtimes": "yes"}, status=400)
    c.control("POST", "/faults", {"nope": True}, status=400)
    assert c.control("POST", "/faults", {}) == {"silent_remote_downtimes": True}
    assert c.control("POST", "/faults", {"silent_remote_downtimes": False}) == {"silent_remote_downtimes": False}
    host_downtime(c, "db1")
    assert len(stored(c)["remote1"]) == 2
    c.control("POST", "/faults", {"silent_remote_downtimes": True})
    c.control("POST", "/reset", status=204)
    assert c.control("GET", "/state")["faults"] == {"silent_remote_downtimes": False}


def test_remote_sites_serve_their_own_downtimes(version: str) -> None:
    c = monitored_site(version)
    remote_api = "/remote1/check_mk/api/1.0"
    assert c.expect("GET", "/version", 200, site="remote1").json["site"] == "remote1"
    host_downtime(c, "web1")
    assert host_downtime(c, "web1", 400, site="remote1")["fields"] == {"host_name": [NOT_MONITORED.format("web1")]}
    host_downtime(c, "db1", site="remote1")
    service_downtime(c, "db1", ["Memory"], site="remote1")
    service_downtime(c, "web1", ["Memory"], 401, site="remote1", undeclared="unknown_services")
    by_query = {"downtime_type": "host_by_query", "query": column("name", "web1"), **WINDOW}
    c.expect("POST", HOST, 422, body=by_query, site="remote1")

    assert listed(c, site="remote1") == [("remote1", "1", "db1", None), ("remote1", "2", "db1", "Memory")]
    shown = c.expect("GET", "/objects/downtime/1", 200, query={"site_id": "remote1"}, site="remote1").json
    assert shown["links"][0]["href"] == f"http://localhost{remote_api}/objects/downtime/1"
    not_here = c.expect("GET", ALL, 400, query={"site_id": "cmk"}, site="remote1").json  # it knows only itself
    assert not_here["fields"] == {"site_id": ["The site 'cmk' should exist but it doesn't."]}
    c.expect(
        "PUT",
        MODIFY,
        204,
        body={"modify_type": "query", "query": {}, "comment": "Mine"},
        site="remote1",
        spec_rejects=True,  # an empty query filters nothing (contract 4.2); the documents want an operator
    )
    c.expect("POST", DELETE, 204, body={"delete_type": "params", "host_name": "web1"}, site="remote1")
    assert [(e["site_id"], e["host_name"], e["comment"]) for e in extensions(c)] == [
        ("cmk", "web1", "Downtime for host 'web1'"),
        ("remote1", "db1", "Mine"),
        ("remote1", "db1", "Mine"),
    ]

    # Only the version and the downtimes: everything else is an unknown URL there.
    c.expect("GET", HOSTS, 404, site="remote1", undeclared="routing")
    c.expect("GET", PENDING, 404, site="remote1", undeclared="routing")
    assert c.client.get(f"/remote1/check_mk/api/v1{ALL}", headers=HEADERS).status_code == 200
    assert c.client.get(f"{remote_api}{ALL}", headers={"Accept": "application/json"}).status_code == 401
    assert c.client.get(f"/remote2/check_mk/api/1.0{ALL}", headers=HEADERS).status_code == 404


def test_modify_end_time_comment_and_author() -> None:
    c = monitored_site()
    c.control("POST", "/downtimes/cmk", {"host_name": "web1", "author": "alice", "comment": "Patch", **WINDOW}, 201)
    by_id = {"modify_type": "by_id", "site_id": "cmk", "downtime_id": "1"}

    absolute = {"modify_type": "absolute", "value": "2030-01-01T15:30:00+02:00"}
    c.expect("PUT", MODIFY, 204, body={**by_id, "end_time": absolute})
    assert extensions(c)[0]["end_time"] == "2030-01-01T13:30:00+00:00"
    c.expect("PUT", MODIFY, 204, body={**by_id, "end_time": {"modify_type": "relative", "value": 45}})
    assert (extensions(c)[0]["end_time"], extensions(c)[0]["author"]) == ("2030-01-01T14:15:00+00:00", "automation")
    c.expect("PUT", MODIFY, 204, body={**by_id, "comment": "Line one\nline two"})
    c.expect("PUT", MODIFY, 204, body={**by_id, "comment": ""})  # an empty comment changes nothing
    assert extensions(c)[0]["comment"] == "Line oneline two"

    no_type = c.expect("PUT", MODIFY, 400, body={**by_id, "end_time": {"value": 5}}, spec_rejects=True)
    assert no_type.json["fields"] == {"end_time": {"modify_type": ["Missing data for required field."]}}
    not_a_time = {**by_id, "end_time": {"modify_type": "absolute", "value": "soon"}}
    assert c.expect("PUT", MODIFY, 400, body=not_a_time).json["fields"] == {
        "end_time": {"value": ["Not a valid datetime."]}
    }
    not_minutes = {**by_id, "end_time": {"modify_type": "relative", "value": "5"}}
    c.expect("PUT", MODIFY, 400, body=not_minutes, spec_rejects=True)
    c.expect("PUT", MODIFY, 204, body={**by_id, "site_id": "remote1", "comment": "Nothing there"})
    assert [e["comment"] for e in extensions(c)] == ["Line oneline two"]


def test_list_filters() -> None:
    c = monitored_site()
    host_downtime(c, "web1", comment="Patch day")
    host_downtime(c, "web10", start_time="2030-01-01T14:00:00Z", end_time="2030-01-01T16:00:00Z", duration=30)
    service_downtime(c, "web1", ["CPU load", "Memory"])
    service_downtime(c, "db1", ["Memory"])
    everything = listed(c)
    assert everything == [
        ("cmk", "1", "web1", None),
        ("cmk", "2", "web10", None),
        ("cmk", "3", "web1", "CPU load"),
        ("cmk", "4", "web1", "Memory"),
        ("remote1", "1", "db1", "Memory"),
    ]
    web1_host, web10_host, web1_cpu, web1_memory, db1_memory = everything

    assert listed(c, host_name="web1") == [web1_host, web1_cpu, web1_memory]
    assert listed(c, service_description="load") == [web1_cpu]
    assert listed(c, service_description="^Mem") == [web1_memory, db1_memory]  # a regular expression search
    assert listed(c, downtime_type="host") == [web1_host, web10_host]
    assert listed(c, downtime_type="service", host_name="web1") == [web1_cpu, web1_memory]
    assert listed(c, downtime_type="both", site_id="remote1") == [db1_memory]
    assert listed(c, host_name="db1", site_id="cmk") == []

    def where(expression: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
        return listed(c, query=json.dumps(expression))

    two_pm = str(int(datetime(2030, 1, 1, 14, tzinfo=UTC).timestamp()))
    assert where(column("host_name", "web1")) == [web1_host, web1_cpu, web1_memory]
    assert where({"op": "!=", "left": "host_name", "right": "web1"}) == [web10_host, db1_memory]
    assert where({"op": "~", "left": "comment", "right": "Patch"}) == [web1_host]
    assert where({"op": "~~", "left": "comment", "right": "PATCH"}) == [web1_host]
    assert where({"op": "!~~", "left": "comment", "right": "patch"}) == [web10_host, web1_cpu, web1_memory, db1_memory]
    assert where({"op": ">=", "left": "start_time", "right": two_pm}) == [web10_host]
    assert where({"op": "<", "left": "downtimes.start_time", "right": two_pm}) == [
        web1_host,
        web1_cpu,
        web1_memory,
        db1_memory,
    ]
    assert where({"op": "<=", "left": "id", "right": "1"}) == [web1_host, db1_memory]
    assert where({"op": ">", "left": "service_description", "right": "D"}) == [web1_memory, db1_memory]
    assert where(column("is_service", "0")) == [web1_host, web10_host]
    assert where(column("author", "automation")) == everything
    either = {"op": "or", "expr": [column("host_name", "db1"), column("service_description", "CPU load")]}
    assert where(either) == [web1_cpu, db1_memory]
    assert where({"op": "not", "expr": either}) == [web1_host, web10_host, web1_memory]
    both = {"op": "and", "expr": [column("is_service", "1"), {"op": "not", "expr": column("host_name", "web1")}]}
    assert where(both) == [db1_memory]
    combined = {"query": json.dumps(column("host_name", "web1")), "service_description": "Mem", "downtime_type": "both"}
    assert listed(c, **combined) == [web1_memory]
    c.expect("GET", ALL, 200, query={**combined, "host_name": "web1", "site_id": "cmk"})
    assert c.expect("GET", ALL, 200, query={"query": "{}"}, spec_rejects=True).json["value"]  # {} filters nothing


def test_active_and_pending_downtimes_and_their_end() -> None:
    c = monitored_site()
    clock = wall_clock(c)
    host_downtime(c, "web1")
    host_downtime(c, "web10", recur="day")
    host_downtime(c, "web10", duration=10)
    host_downtime(c, "db1", start_time="2029-12-31T10:00:00Z", end_time="2029-12-31T12:00:00Z")  # over: dropped
    host_downtime(c, "db1", start_time="2030-01-01T12:00:00Z", end_time="2030-01-01T10:00:00Z")  # backwards: dropped
    assert stored(c)["remote1"] == []
    active = json.dumps(column("type", "0"))
    assert listed(c, query=active) == []
    clock.advance(11 * 3600)
    assert listed(c, query=active) == [("cmk", "1", "web1", None), ("cmk", "2", "web10", None)]  # flexible: pending
    clock.advance(3600)
    assert listed(c) == [("cmk", "2", "web10", None)]  # a recurring downtime stays


def test_times_without_an_offset_are_utc_and_seconds_are_whole() -> None:
    c = monitored_site()
    host_downtime(c, "web1", start_time="2030-01-01T10:00:00", end_time="2030-01-01 14:00:00.987+02:00")
    assert (extensions(c)[0]["start_time"], extensions(c)[0]["end_time"]) == (
        "2030-01-01T10:00:00+00:00",
        "2030-01-01T12:00:00+00:00",
    )
    for value in ["2030-01-01", "2030-13-01T10:00:00Z", "10:00", "2030-01-01T10:00:00 UTC"]:
        assert host_downtime(c, "web1", 400, start_time=value)["fields"] == {"start_time": ["Not a valid datetime."]}


def test_default_comments_and_newlines() -> None:
    c = monitored_site()
    host_downtime(c, "web1")
    host_downtime(c, "web1", comment="")  # only a missing comment gets the default
    host_downtime(c, "web1", comment="Two\nlines")
    service_downtime(c, "web1", ["CPU load", "Memory"])
    web_hosts = {
        "downtime_type": "host_by_query",
        "query": {"op": "~", "left": "hosts.name", "right": "^web"},
        **WINDOW,
    }
    c.expect("POST", HOST, 204, body=web_hosts)
    db1 = {"downtime_type": "service_by_query", "query": column("host_name", "db1"), "comment": "", **WINDOW}
    c.expect("POST", SERVICE, 204, body=db1)
    assert [e["comment"] for e in extensions(c)] == [
        "Downtime for host 'web1'",
        "",
        "Twolines",
        *["Downtime for services 'CPU load, Memory'@'web1'"] * 2,
        *["Downtime for hosts web1, web10"] * 2,
        "Downtime for service CPU load@db1",
        "Downtime for service Memory@db1",
        "Downtime for service Check_MK@db1",  # the services every host with an agent has without discovery
        "Downtime for service Check_MK Discovery@db1",
    ]


def test_service_downtimes_are_for_monitored_services() -> None:
    c = monitored_site()
    service_downtime(c, "web1", ["CPU load", "Nope"])  # those found
    c.control(
        "PUT", "/discoverable/web1", {"services": [*SERVICES, {"check_plugin_name": "df", "service_name": "Disk"}]}
    )
    service_downtime(c, "web1", ["Disk"], 401, undeclared="unknown_services")  # offered, not monitored
    assert listed(c) == [("cmk", "1", "web1", "CPU load")]

    duplicate = service_downtime(c, "web1", ["CPU load", "CPU load"], 400, spec_rejects=True)
    assert duplicate["fields"] == {"service_descriptions": ["Duplicate entry found at entry #2: 'CPU load'"]}
    assert service_downtime(c, "web1", [], 400)["fields"] == {"service_descriptions": ["Need at least one parameter."]}
    service_downtime(c, "a b", ["CPU load"], 400, spec_rejects=True)
    missing = c.expect(
        "POST", SERVICE, 400, body={"downtime_type": "service", "host_name": "web1", **WINDOW}, spec_rejects=True
    )
    assert missing.json["fields"] == {"service_descriptions": ["Missing data for required field."]}
    group = {"downtime_type": "servicegroup", "servicegroup_name": "db", **WINDOW}
    assert c.expect("POST", SERVICE, 400, body=group).json["fields"] == {"servicegroup_name": ["Group missing: 'db'"]}
    empty = c.expect(
        "POST", DELETE, 400, body={"delete_type": "params", "host_name": "web1", "service_descriptions": []}
    )
    assert empty.json["fields"] == {"service_descriptions": ["Need at least one parameter."]}


@pytest.mark.parametrize(
    ("expression", "fields", "spec_rejects"),
    [
        (column("foo", "x"), ["Table 'downtimes' has no column 'foo'."], False),
        (column("hosts.name", "x"), ["This field can only query table 'downtimes'. (hosts.name)"], False),
        ({"op": "==", "left": "id", "right": "1"}, ["Unknown operator: =="], True),
        ({"op": "and", "expr": []}, ["Need at least one parameter."], False),
        ({"op": "=", "left": "host_name", "right": 1}, {"right": ["Not a valid string."]}, True),
        ({"op": "=", "left": "host_name"}, {"right": ["Missing data for required field."]}, False),
        ({"op": "or", "expr": [{**column("id", "1"), "x": 1}]}, {"expr": {"0": {"x": ["Unknown field."]}}}, False),
    ],
)
def test_query_errors(expression: dict[str, Any], fields: Any, spec_rejects: bool) -> None:
    c = monitored_site()
    listing = c.expect("GET", ALL, 400, query={"query": json.dumps(expression)}, spec_rejects=spec_rejects).json
    assert listing["fields"] == {"query": fields}
    body = {"delete_type": "query", "query": expression}
    assert c.expect("POST", DELETE, 400, body=body, spec_rejects=spec_rejects).json["fields"] == {"query": fields}


def test_query_errors_of_json_and_of_livestatus() -> None:
    c = monitored_site()
    host_downtime(c, "web1")
    not_json = c.expect("GET", ALL, 400, query={"query": "{nope"}, spec_rejects=True).json
    assert not_json["fields"] == {
        "query": {
            "_schema": [
                "Invalid JSON value: '{nope'",
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ]
        }
    }
    hosts_column = {"downtime_type": "host_by_query", "query": column("host_name", "web1"), **WINDOW}
    assert c.expect("POST", HOST, 400, body=hosts_column).json["fields"] == {
        "query": ["Table 'hosts' has no column 'host_name'."]
    }

    # Filters Livestatus refuses when it runs them.
    for expression in [{"op": "~", "left": "id", "right": "1"}, {"op": "~", "left": "comment", "right": "("}]:
        refused = c.expect("GET", ALL, 400, query={"query": json.dumps(expression)}).json
        assert refused["title"] == "Invalid Livestatus query"
    c.expect("GET", ALL, 400, query={"service_description": "("})
    assert listed(c) == [("cmk", "1", "web1", None)]


def test_control_endpoints() -> None:
    c = monitored_site()
    backup = {
        "host_name": "db1",
        "service_description": "Memory",
        "author": "alice",
        "comment": "Backup",
        "duration": 15,
    }
    assert c.control("POST", "/downtimes/remote1", {**backup, **WINDOW}, 201) == {
        "id": 1,
        "host_name": "db1",
        "service_description": "Memory",
        "comment": "Backup",
        "author": "alice",
        "start_time": "2030-01-01T10:00:00+00:00",
        "end_time": "2030-01-01T12:00:00+00:00",
        "duration": 15,
        "recur": "fixed",
        "mode": {"type": "flexible", "duration_minutes": 15},
    }
    default = c.control("POST", "/downtimes/cmk", {"host_name": "web1"}, 201)
    assert (default["author"], default["comment"], default["start_time"], default["end_time"]) == (
        "cmkadmin",
        "Set by another tool",
        "2030-01-01T00:00:00+00:00",
        "2030-01-01T01:00:00+00:00",
    )
    assert "service_description" not in default
    assert listed(c) == [("cmk", "1", "web1", None), ("remote1", "1", "db1", "Memory")]
    c.control("POST", "/downtimes/nope", {"host_name": "web1"}, 404)
    c.control("POST", "/downtimes/cmk", {}, 400)
    c.control("POST", "/downtimes/cmk", {"host_name": "web1", "recur": "yearly"}, 400)
    c.control("POST", "/downtimes/cmk", {"host_name": "web1", "end_time": "2029-12-31T00:00:00Z"}, 400)

    state = c.control("GET", "/state")
    assert [downtime["id"] for downtime in state["downtimes"]["cmk"]] == [1]
    assert state["faults"] == {"silent_remote_downtimes": False}
    c.control("POST", "/reset", status=204)
    assert c.control("GET", "/state")["downtimes"] == {"cmk": [], "remote1": []}
