"""The openITCOCKPIT simulator against the API contract's downtimes (../shared/contracts/opsview-openitcockpit-sensu.md,
2.3): setting, listing, deleting, and satellites. Statements are read from the document and checked against the
simulator; where the fact sheets show the document wrong, the test asserts the server's behaviour and says why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from openitcockpit_contract import (
    CONTRACT,
    CSRF,
    A,
    Time,
    add_host,
    contract_examples,
    contract_section,
    example,
    export,
    keys_named,
    line_of,
)

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False
NEEDS_SHARED = (CONTRACT,)
DELAY = 1.3  # what the MCP server measured between the answer and the downtime in the list (contract 2.3)
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC).timestamp()  # a week before the contract's example window
WINDOW = {"filter[to]": "@1900000000"}  # past the default end of the list's window (+60 days)


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=DELAY, satellites=("sat-east",)))


@pytest.fixture
def time(api: ApiClient) -> Time:
    return Time(api, NOW)


def documented_body(**changes: Any) -> dict[str, Any]:
    body = example("Systemdowntime")
    return {"Systemdowntime": {**body["Systemdowntime"], **changes}}


def host_downtimes(api: ApiClient, **filters: Any) -> list[dict[str, Any]]:
    query = {**A, **WINDOW, **{f"filter[{key}]": value for key, value in filters.items()}}
    return api.ok("GET", "/downtimes/host.json", query=query)["all_host_downtimes"]


def test_a_host_downtime_is_accepted_without_an_id_and_shows_after_a_delay(api: ApiClient, time: Time) -> None:
    downtimes = contract_section("### 2.3 Downtimes")
    assert 'Success → 200 `{"success":true}` **without an id**' in downtimes
    assert "it shows in the list only after a delay" in downtimes
    answer = api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[1]), A)
    assert answer == {"success": True, **CSRF}
    assert host_downtimes(api) == []
    time.advance(DELAY)
    [row] = host_downtimes(api)
    assert row["Host"]["id"] == 1 and row["DowntimeHost"]["commentData"] == "patching"


def test_dates_are_the_users_wall_clock_in_either_notation(api: ApiClient, time: Time) -> None:
    """The contract's example (Y-m-d, as the MCP server sends) and the UI's d.m.Y: read in the user's time zone
    (Europe/Berlin here; the server's is UTC), shown in the user's format."""
    assert "Dates are parsed with `strtotime` in the **user's timezone**" in contract_section("### 2.3 Downtimes")
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[1]), A)
    ui = documented_body(object_id=[1], from_date="18.06.2025", to_date="18.06.2025", comment="ui")
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", ui, A)
    time.advance(DELAY)
    shown = {
        row["DowntimeHost"]["commentData"]: (row["DowntimeHost"]["scheduledStartTime"], row["DowntimeHost"]["duration"])
        for row in host_downtimes(api)
    }
    assert shown == {"patching": ("21:00:00 - 17.06.2025", 7200), "ui": ("21:00:00 - 18.06.2025", 7200)}


def test_an_empty_object_id_is_the_documented_400(api: ApiClient) -> None:
    documented = [value for value in contract_examples() if set(value) == {"error"} and "object_id" in value["error"]]
    refused = api.call("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[]), A)
    assert refused.status_code == 400 and refused.json == {**documented[0], **CSRF}


def test_downtimetype_1_covers_the_host_and_its_services(api: ApiClient, time: Time) -> None:
    assert "`downtimetype_id` 0 = host only, 1 = host + all services" in contract_section("### 2.3 Downtimes")
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[1], downtimetype_id=1), A)
    time.advance(DELAY)
    services = api.ok("GET", "/downtimes/service.json", query={**A, **WINDOW})["all_service_downtimes"]
    assert len(host_downtimes(api)) == 1
    assert sorted(row["Service"]["servicename"] for row in services) == ["CPU load", "Ping"]


def test_the_list_row_and_its_filters(api: ApiClient, time: Time) -> None:
    body = line_of('Body `{"all_host_downtimes"')
    documented = keys_named(body[body.index('"DowntimeHost":{') + 16 :])
    documented = documented[: documented.index("paging")]
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[1]), A)
    later = documented_body(object_id=[1], from_date="2025-09-17", to_date="2025-09-17", comment="later")
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", later, A)
    time.advance(DELAY)
    [row] = api.ok("GET", "/downtimes/host.json", query=A)["all_host_downtimes"]  # default window: +60 days
    assert set(documented) <= set(row["DowntimeHost"]) and row["DowntimeHost"]["commentData"] == "patching"
    assert [r["DowntimeHost"]["commentData"] for r in host_downtimes(api, **{"DowntimeHosts.comment_data": "ATE"})] == [
        "later"
    ]
    assert len(host_downtimes(api, **{"DowntimeHosts.author_name": "john"})) == 2
    assert len(host_downtimes(api, **{"Hosts.name": "default"})) == 2
    assert host_downtimes(api, isRunning="true") == []
    time.advance(datetime(2025, 6, 17, 19, 30, tzinfo=UTC).timestamp() - time.wall())  # 21:30 in Berlin: running
    assert [r["DowntimeHost"]["commentData"] for r in host_downtimes(api, isRunning="true")] == ["patching"]
    time.advance(7200)  # over: hidden by default (hideExpired), listed with hideExpired=0
    assert [r["DowntimeHost"]["commentData"] for r in host_downtimes(api)] == ["later"]
    assert len(host_downtimes(api, hideExpired="0")) == 2


def test_delete_by_internal_id_and_what_an_unknown_id_answers(api: ApiClient, time: Time) -> None:
    """The contract: not found → 200 `{"success":false,"message":"Could not find downtime"}`. That holds for a
    host downtime; for `"type":"service"` the server looks nothing up and answers success anyway
    (DowntimesController::delete; fact sheet downtimes_export.md 3)."""
    host_delete, service_delete = example("type", "includeServices"), example("type")
    done = next(value for value in contract_examples() if value == {"success": True, "message": "Successfully"})
    missing = next(value for value in contract_examples() if value.get("message") == "Could not find downtime")
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[1], downtimetype_id=1), A)
    time.advance(DELAY)
    [row] = host_downtimes(api)
    downtime_id = row["DowntimeHost"]["internalDowntimeId"]
    assert api.ok("POST", f"/downtimes/delete/{downtime_id}.json", host_delete) == {**done, **CSRF}
    assert host_downtimes(api)[0]["DowntimeHost"]["wasCancelled"] is False  # carried out after the delay
    time.advance(DELAY)
    assert host_downtimes(api)[0]["DowntimeHost"]["wasCancelled"] is True
    assert host_downtimes(api, **{"DowntimeHosts.was_cancelled": "0"}) == []
    assert api.ok("POST", "/downtimes/delete/999.json", host_delete) == {**missing, **CSRF}
    assert api.ok("POST", "/downtimes/delete/999.json", service_delete) == {**done, **CSRF}
    assert api.call("POST", f"/downtimes/delete/{downtime_id}.json", {}).status_code == 500  # no `type`


def test_a_satellite_hosts_commands_go_to_both_queues(api: ApiClient, time: Time) -> None:
    downtimes = contract_section("### 2.3 Downtimes")
    assert "`statusngin_cmd`" in downtimes and "`statusngin_cmd_sattx`" in downtimes
    host_id = add_host(api, "remote01", satellite_id=1)
    master = add_host(api, "local01")
    export(api)
    for object_id in (host_id, master):
        api.ok("POST", "/systemdowntimes/addHostdowntime.json", documented_body(object_id=[object_id]), A)
    queues = [command["queues"] for command in api.control("GET", "/state")["commands"]]
    assert queues == [["statusngin_cmd", "statusngin_cmd_sattx"], ["statusngin_cmd"]]
    time.advance(DELAY)
    assert {row["Host"]["name"] for row in host_downtimes(api)} == {"remote01", "local01"}  # listed the same
