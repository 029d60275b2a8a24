"""The services every monitored host has without discovery: what the core of a new site creates besides the
autochecks (`Check_MK` and `Check_MK Discovery` for a host with an agent, SNMP, piggyback data or a management
board; `PING` while a host has no autochecks, which makes it the only service of a ping host). They come with
the activation, follow the effective tags the activated configuration had, take service downtimes at once,
and are none of discovery's business: never undecided or vanished, never removed by it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from checkmk_contract import API, AUTHORIZATION, Clock, Contract

HOSTS = "/domain-types/host_config/collections/all"
HOST = "/objects/host_config/{}"
FOLDERS = "/domain-types/folder_config/collections/all"
ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
PENDING = "/domain-types/activation_run/collections/pending_changes"
DISCOVER = "/domain-types/service_discovery_run/actions/start/invoke"
BULK = "/domain-types/discovery_run/actions/bulk-discovery-start/invoke"
RESULT = "/objects/service_discovery/{}"
SERVICE = "/domain-types/downtime/collections/service"
ALL = "/domain-types/downtime/collections/all"
DELETE = "/domain-types/downtime/actions/delete/invoke"
NOW = datetime(2030, 1, 1, tzinfo=UTC).timestamp()  # the simulated sites' wall clock
WINDOW = {"start_time": "2030-01-01T10:00:00Z", "end_time": "2030-01-01T12:00:00Z"}
HEADERS = {"Accept": "application/json", "Authorization": AUTHORIZATION}
CPU = {"check_plugin_name": "cpu_loads", "service_name": "CPU load"}
MEMORY = {"check_plugin_name": "mem", "service_name": "Memory"}
AGENT = ["Check_MK", "Check_MK Discovery"]
BULK_OPTIONS = {
    "monitor_undecided_services": True,
    "remove_vanished_services": True,
    "update_service_labels": True,
    "update_host_labels": True,
}


def site(version: str = "2.4") -> Contract:
    c = Contract(version)
    c.state.wall_clock = Clock(NOW)
    return c


def setup(c: Contract, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """Setup requests the other contract tests validate, sent without the spec's validation to keep these fast."""
    response = c.client.open(f"{API}{path}", method=method, json=body, headers={**HEADERS, **headers})
    assert response.status_code < 400, response.get_data(as_text=True)
    return response


def create(c: Contract, name: str, folder: str = "/", **attributes: Any) -> None:
    setup(c, "POST", HOSTS, {"host_name": name, "folder": folder, "attributes": attributes})


def update(c: Contract, name: str, **attributes: Any) -> None:
    etag = setup(c, "GET", HOST.format(name)).headers["ETag"]
    setup(c, "PUT", HOST.format(name), {"update_attributes": attributes}, **{"If-Match": etag})


def activate(c: Contract) -> None:
    setup(c, "POST", ACTIVATE, {}, **{"If-Match": "*"})
    c.clock.advance(1)


def offer(c: Contract, host: str, *services: dict[str, Any]) -> None:
    c.control("PUT", f"/discoverable/{host}", {"services": list(services)})


def service_downtime(c: Contract, host: str, services: list[str], status: int = 204, **request: Any) -> Any:
    body = {"downtime_type": "service", "host_name": host, "service_descriptions": services, **WINDOW}
    return c.expect("POST", SERVICE, status, body=body, **request).json


def listed(c: Contract, host: str) -> list[str]:
    """The services of the host's downtimes, as listed."""
    response = c.client.get(f"{API}{ALL}", query_string={"host_name": host}, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [entry["extensions"].get("service_description") for entry in response.json["value"]]


def monitored(c: Contract, host: str) -> list[str]:
    """The services the host's site monitors, as a service downtime by query on the host finds them (removed
    again at once); none when the query matches nothing (422)."""
    query = {"op": "=", "left": "host_name", "right": host}
    body = {"downtime_type": "service_by_query", "query": query, "comment": "probe", **WINDOW}
    response = c.client.post(f"{API}{SERVICE}", json=body, headers=HEADERS)
    assert response.status_code in (204, 422), response.get_data(as_text=True)
    probes = {"op": "and", "expr": [query, {"op": "=", "left": "comment", "right": "probe"}]}
    response = c.client.get(f"{API}{ALL}", query_string={"query": json.dumps(probes)}, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    setup(c, "POST", DELETE, {"delete_type": "query", "query": probes})
    return sorted(entry["extensions"]["service_description"] for entry in response.json["value"])


def phases(c: Contract, host: str, **request: Any) -> dict[str, str]:
    check_table = c.expect("GET", RESULT.format(host), 200, **request).json["extensions"]["check_table"]
    return {entry["id"]: entry["value"] for entry in check_table.values()}


def test_downtimes_on_them_right_after_the_activation_validate_against_each_version(version: str) -> None:
    c = site(version)
    create(c, "web01")
    create(c, "ping01", tag_agent="no-agent")
    offer(c, "web01", CPU)

    # Before the activation nothing is monitored, so no service either.
    not_yet = service_downtime(c, "web01", AGENT, 401, undeclared="unknown_services")
    assert not_yet["detail"] == "Cannot find the requested resource: ['Check_MK', 'Check_MK Discovery']"
    service_downtime(c, "ping01", ["PING"], 401, undeclared="unknown_services")
    activate(c)

    service_downtime(c, "web01", AGENT)  # no discovery has run
    service_downtime(c, "ping01", ["PING"])
    refused = service_downtime(c, "ping01", AGENT, 401, undeclared="unknown_services")
    assert refused["detail"] == "Cannot find the requested resource: ['Check_MK', 'Check_MK Discovery']"
    collection = c.expect("GET", ALL, 200).json["value"]
    assert [(entry["extensions"]["host_name"], entry["extensions"]["service_description"]) for entry in collection] == [
        ("web01", "Check_MK"),
        ("web01", "Check_MK Discovery"),
        ("ping01", "PING"),
    ]
    by_query = {
        "downtime_type": "service_by_query",
        "query": {"op": "~", "left": "description", "right": "^Check_MK"},
        "comment": "Agent updates",
        **WINDOW,
    }
    c.expect("POST", SERVICE, 204, body=by_query)
    assert listed(c, "web01") == [*AGENT, *AGENT]
    assert listed(c, "ping01") == ["PING"]

    # Discovery does not see them: not undecided, not vanished, and not removed.
    assert phases(c, "web01") == {"CPU load": "undecided"}
    assert phases(c, "ping01") == {}
    c.expect("POST", DISCOVER, 200, body={"host_name": "web01", "mode": "fix_all"})
    assert phases(c, "web01") == {"CPU load": "monitored"}
    assert monitored(c, "web01") == ["CPU load", *AGENT, "PING"]  # PING until the next activation


def test_which_follow_the_tags_the_activated_configuration_had() -> None:
    c = site()
    setup(c, "POST", FOLDERS, {"name": "ping", "title": "Ping only", "parent": "/", "attributes": {}})
    create(c, "agent01")
    create(c, "special01", tag_agent="special-agents")
    create(c, "snmp01", tag_agent="no-agent", tag_snmp_ds="snmp-v2")
    create(c, "dual01", tag_agent="cmk-agent", tag_snmp_ds="snmp-v1")
    create(c, "ping01", tag_agent="no-agent")
    create(c, "inherits01", folder="/ping")
    update_folder = {"update_attributes": {"tag_agent": "no-agent"}}
    etag = setup(c, "GET", "/objects/folder_config/~ping").headers["ETag"]
    setup(c, "PUT", "/objects/folder_config/~ping", update_folder, **{"If-Match": etag})
    for host in ("agent01", "special01", "snmp01", "dual01"):
        offer(c, host, CPU)
        setup(c, "POST", DISCOVER, {"host_name": host, "mode": "fix_all"})
    activate(c)

    for host in ("agent01", "special01", "snmp01", "dual01"):
        assert monitored(c, host) == ["CPU load", *AGENT], host
    assert monitored(c, "ping01") == monitored(c, "inherits01") == ["PING"]

    # A changed tag counts once activated: until then the site monitors what it was given.
    update(c, "agent01", tag_agent="no-agent")
    update(c, "ping01", tag_agent="cmk-agent")
    assert monitored(c, "agent01") == ["CPU load", *AGENT]
    assert monitored(c, "ping01") == ["PING"]
    service_downtime(c, "ping01", ["Check_MK"], 401, undeclared="unknown_services")
    activate(c)
    assert monitored(c, "agent01") == ["CPU load"]  # a ping host with autochecks: no PING either
    assert monitored(c, "ping01") == [*AGENT, "PING"]
    service_downtime(c, "ping01", ["Check_MK"])


def test_ping_is_there_while_a_host_has_no_autochecks() -> None:
    c = site()
    create(c, "web01")
    offer(c, "web01", CPU, MEMORY)
    activate(c)
    assert monitored(c, "web01") == [*AGENT, "PING"]

    c.expect("POST", DISCOVER, 200, body={"host_name": "web01", "mode": "new"})
    assert monitored(c, "web01") == ["CPU load", *AGENT, "Memory", "PING"]  # the core has not been told yet
    activate(c)
    assert monitored(c, "web01") == ["CPU load", *AGENT, "Memory"]

    offer(c, "web01")  # the agent offers nothing any more: its services vanish, the core's stay
    assert phases(c, "web01") == {"CPU load": "vanished", "Memory": "vanished"}
    c.expect("POST", DISCOVER, 200, body={"host_name": "web01", "mode": "remove"})
    assert phases(c, "web01") == {}
    assert monitored(c, "web01") == AGENT
    activate(c)
    assert monitored(c, "web01") == [*AGENT, "PING"]


def test_discovery_neither_lists_nor_removes_them(version: str) -> None:
    c = site(version)
    create(c, "web01")
    create(c, "ping01", tag_agent="no-agent")
    activate(c)
    assert phases(c, "web01") == phases(c, "ping01") == {}

    redirect = 302 if version == "2.3" else 303
    for mode, status in [("fix_all", 200), ("remove", 200), ("tabula_rasa", redirect)]:
        c.expect("POST", DISCOVER, status, body={"host_name": "web01", "mode": mode})
        c.clock.advance(1)
    bulk = {"hostnames": ["web01", "ping01"], "options": BULK_OPTIONS}
    c.expect("POST", BULK, 200 if version == "2.3" else 303, body=bulk)
    c.clock.advance(1)
    assert phases(c, "web01") == phases(c, "ping01") == {}
    pending = c.expect("GET", PENDING, 200).json["value"]
    assert [change["action_name"] for change in pending] == []  # nothing to save: they are no autochecks
    assert monitored(c, "web01") == [*AGENT, "PING"]
    assert monitored(c, "ping01") == ["PING"]


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"tag_agent": "cmk-agent", "tag_snmp_ds": "no-snmp"}, AGENT),
        ({"tag_agent": "all-agents"}, AGENT),
        ({"tag_agent": "special-agents"}, AGENT),
        ({"tag_agent": "no-agent", "tag_snmp_ds": "snmp-v1"}, AGENT),
        ({"tag_agent": "no-agent", "tag_snmp_ds": "no-snmp"}, []),
        ({"tag_agent": "no-agent", "tag_piggyback": "piggyback"}, AGENT),
        ({"tag_agent": "no-agent", "tag_piggyback": "auto-piggyback"}, []),  # no piggyback data here
        ({"tag_agent": "no-agent", "management_protocol": "snmp", "management_address": "10.0.0.9"}, AGENT),
        ({"tag_agent": "no-agent", "tag_address_family": "ip-v4v6"}, ["PING IPv6"]),
        ({"tag_agent": "cmk-agent", "tag_address_family": "ip-v4v6"}, [*AGENT, "PING IPv6"]),
    ],
)
def test_which_tags_make_a_ping_host(attributes: dict[str, str], expected: list[str]) -> None:
    """A ping host has no agent, SNMP, piggyback data or management board; PING goes with the autochecks."""
    c = site()
    create(c, "bare01", **attributes)
    create(c, "busy01", **attributes)
    offer(c, "busy01", CPU)
    setup(c, "POST", DISCOVER, {"host_name": "busy01", "mode": "fix_all"})
    activate(c)
    assert monitored(c, "bare01") == sorted([*expected, "PING"])
    assert monitored(c, "busy01") == sorted(["CPU load", *expected])
