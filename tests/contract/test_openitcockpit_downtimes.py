"""Behaviour of the openITCOCKPIT simulator's downtimes that openitcockpit_downtime relies on, end to end through the
in-process client: the monitoring core carries commands out after a delay and only for what it runs, dates are the
user's wall clock (shifted by the offset *now*, as the server does), lists show the user's zone and format, and a
delete goes by internalDowntimeId to the core, which deletes by object, start and comment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from openitcockpit_contract import CSRF, A, Time, add_host, export

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
DELAY = 2.0
WINDOW = {"filter[from]": "@1", "filter[to]": "@2000000000", "filter[hideExpired]": "0"}


def simulator(timezone: str = "Europe/Berlin") -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=DELAY, timezone=timezone))


def at(year: int, month: int, day: int, hour: int = 12) -> float:
    return datetime(year, month, day, hour, tzinfo=UTC).timestamp()


def schedule(
    api: ApiClient, object_ids: list[int], start: str, end: str, comment: str = "patching", **more: Any
) -> Any:
    (from_date, from_time), (to_date, to_time) = start.split(" "), end.split(" ")
    body = {
        "object_id": object_ids,
        "downtimetype_id": 0,
        "from_date": from_date,
        "from_time": from_time,
        "to_date": to_date,
        "to_time": to_time,
        "comment": comment,
        "is_recurring": 0,
        **more,
    }
    return api.call("POST", "/systemdowntimes/addHostdowntime.json", {"Systemdowntime": body}, A)


def rows(api: ApiClient, kind: str = "host", **filters: Any) -> list[dict[str, Any]]:
    query = {**A, **WINDOW, **{f"filter[{key}]": value for key, value in filters.items()}}
    listed: list[dict[str, Any]] = api.ok("GET", f"/downtimes/{kind}.json", query=query)[f"all_{kind}_downtimes"]
    return listed


def downtime(row: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = row.get("DowntimeHost") or row["DowntimeService"]
    return found


@pytest.fixture
def api_and_time() -> tuple[ApiClient, Time]:
    api = simulator()
    return api, Time(api, at(2030, 1, 10))


def test_a_downtime_shows_after_the_delay_in_the_users_zone_and_format() -> None:
    api = simulator("America/New_York")
    time = Time(api, at(2030, 1, 10))
    profile = api.ok("GET", "/profile/edit.json", query=A)["user"]
    assert (profile["timezone"], profile["dateformat"]) == ("America/New_York", "H:i:s - d.m.Y")
    zone = api.ok("GET", "/angular/user_timezone.json")["timezone"]
    assert (zone["user_timezone"], zone["user_time_to_server_offset"], zone["server_timezone"]) == (
        "America/New_York",
        -5 * 3600,
        "UTC",
    )
    answer = schedule(api, [1], "2030-01-15 09:00", "2030-01-15 10:30")
    assert (answer.status_code, answer.json) == (200, {"success": True, **CSRF})  # no id
    time.advance(DELAY - 0.1)
    assert rows(api) == []
    time.advance(0.1)
    [row] = rows(api)
    shown = downtime(row)
    assert (shown["scheduledStartTime"], shown["scheduledEndTime"]) == (
        "09:00:00 - 15.01.2030",
        "10:30:00 - 15.01.2030",
    )
    assert (shown["duration"], shown["durationHuman"], shown["actualEndTime"]) == (
        5400,
        "1h 30m 0s",
        "19:00:00 - 31.12.1969",
    )
    assert shown["entryTime"] == "07:00:02 - 10.01.2030"  # when the core took it, New York time
    assert (shown["authorName"], shown["wasStarted"], shown["isCancellable"]) == ("John Doe", False, True)


def test_a_window_across_a_dst_change_lands_an_hour_off() -> None:
    """SystemdowntimesController shifts by the user's offset *now* (summer, +2 in Berlin), not at the window's date
    (winter, +1): 21:00 asked in December is 20:00 in the list. A client converts with the current offset."""
    api = simulator()
    time = Time(api, at(2025, 6, 10))
    schedule(api, [1], "17.12.2025 21:00", "17.12.2025 23:00")
    time.advance(DELAY)
    assert downtime(rows(api)[0])["scheduledStartTime"] == "20:00:00 - 17.12.2025"


def test_hosts_the_core_does_not_run_never_get_one() -> None:
    """The command for a host created since the last export is accepted (200, success) and dropped by the core;
    an export afterwards does not bring it back."""
    api = simulator()
    time = Time(api, at(2030, 1, 10))
    host_id = add_host(api, "web01")
    assert schedule(api, [host_id], "2030-01-15 09:00", "2030-01-15 10:00").json == {"success": True, **CSRF}
    time.advance(DELAY)
    export(api)
    time.advance(DELAY)
    assert rows(api) == []
    schedule(api, [host_id], "2030-01-15 09:00", "2030-01-15 10:00")
    time.advance(DELAY)
    assert [row["Host"]["name"] for row in rows(api)] == ["web01"]


def test_an_unknown_host_is_a_404_after_the_ids_before_it(api_and_time: tuple[ApiClient, Time]) -> None:
    api, time = api_and_time
    refused = schedule(api, [1, 999], "2030-01-15 09:00", "2030-01-15 10:00")
    assert (refused.status_code, refused.json["message"]) == (404, "Not Found")
    time.advance(DELAY)
    assert len(rows(api)) == 1  # the default host's went through


def test_a_delete_goes_by_internal_id_and_the_core_deletes_by_start_and_comment(
    api_and_time: tuple[ApiClient, Time],
) -> None:
    """Deleting host downtime X cancels every downtime of the host with X's start and comment, its services' ones
    included (Naemon), even without includeServices; includeServices also cancels the services' downtimes with the
    same start and end, whatever their comment. Cancelled rows stay, wasCancelled."""
    api, time = api_and_time
    schedule(api, [1], "2030-01-15 09:00", "2030-01-15 10:00", downtimetype_id=1)
    schedule(api, [1], "2030-01-15 09:00", "2030-01-15 10:00", comment="twin")
    service_id = api.ok(
        "GET", "/services/index.json", query={**A, "filter[Hosts.id]": 1, "filter[servicename]": "Ping"}
    )["all_services"][0]["Service"]["id"]
    body = {
        "object_id": [service_id],
        "from_date": "2030-01-15",
        "from_time": "09:00",
        "to_date": "2030-01-15",
        "to_time": "10:00",
        "comment": "other",
        "is_recurring": 0,
    }
    api.ok("POST", "/systemdowntimes/addServicedowntime.json", {"Systemdowntime": body}, A)
    time.advance(DELAY)
    hosts = {downtime(row)["commentData"]: downtime(row)["internalDowntimeId"] for row in rows(api)}
    services = sorted((row["Service"]["servicename"], downtime(row)["commentData"]) for row in rows(api, "service"))
    assert services == [("CPU load", "patching"), ("Ping", "other"), ("Ping", "patching")]
    deleted = api.ok("POST", f"/downtimes/delete/{hosts['patching']}.json", {"type": "host", "includeServices": False})
    assert deleted == {"success": True, "message": "Successfully", **CSRF}
    time.advance(DELAY)
    cancelled = {
        (row.get("Service", {}).get("servicename"), downtime(row)["commentData"])
        for row in [*rows(api), *rows(api, "service")]
        if downtime(row)["wasCancelled"]
    }
    assert cancelled == {(None, "patching"), ("CPU load", "patching"), ("Ping", "patching")}
    api.ok("POST", f"/downtimes/delete/{hosts['twin']}.json", {"type": "host", "includeServices": True})
    time.advance(DELAY)
    assert all(downtime(row)["wasCancelled"] for row in [*rows(api), *rows(api, "service")])
    assert rows(api, **{"DowntimeHosts.was_cancelled": "0"}) == []
    assert downtime(rows(api)[0])["isCancellable"] is False


def test_a_deleted_hosts_downtimes_vanish(api_and_time: tuple[ApiClient, Time]) -> None:
    api, time = api_and_time
    host_id = add_host(api, "web01")
    export(api)
    schedule(api, [host_id], "2030-01-15 09:00", "2030-01-15 10:00")
    time.advance(DELAY)
    assert len(rows(api, **{"Hosts.name": "web01"})) == 1
    api.ok("POST", f"/hosts/delete/{host_id}.json")
    assert rows(api, **{"Hosts.name": "web01"}) == []
