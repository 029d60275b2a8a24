"""Behaviour of the openITCOCKPIT simulator's export ("Refresh monitoring configuration") that openitcockpit_export
and the openitcockpit_changes handler rely on, end to end through the in-process client: one export at a time (500
while one runs, but not in the worker's pickup gap), the worker's rows in order, the failure and stuck outcomes, what
goes into monitoring (the configuration at the launch), and the two changelog rows of every export."""

from __future__ import annotations

from typing import Any

import pytest
from openitcockpit_contract import A, Time, add_host

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.export_run import PARALLEL_TASKS
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
SECONDS = 10.0
PARALLEL = [task for task, _text in PARALLEL_TASKS]
BEFORE = ["export_started", "export_delete_old_configuration", "before_export_external_tasks", *PARALLEL]
VERIFY = ["after_export_external_tasks", "export_verify_new_configuration"]
RELOAD = ["is_monitoring_engine_running", "export_reload_monitoring"]
WITH_BACKUP = ["export_started", "export_create_backup", *BEFORE[1:], *VERIFY, *RELOAD, "export_after_export_command"]


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=SECONDS, downtime_delay=0))


@pytest.fixture
def time(api: ApiClient) -> Time:
    return Time(api, 1789577408)


def launch(api: ApiClient, create_backup: int = 0) -> Any:
    return api.call("POST", "/exports/launchExport.json", {"create_backup": create_backup}, A)


def broadcast(api: ApiClient) -> dict[str, Any]:
    answer: dict[str, Any] = api.ok("GET", "/exports/broadcast.json")
    return answer


def states(api: ApiClient) -> list[tuple[str, int, int]]:
    return [(row["task"], row["finished"], row["successfully"]) for row in broadcast(api)["tasks"]]


def monitored(api: ApiClient) -> list[str]:
    return [row["Host"]["name"] for row in api.ok("GET", "/hosts/index.json", query=A)["all_hosts"]]


def exports_in_changelog(api: ApiClient) -> list[tuple[str, Any, int]]:
    query = {**A, "filter[Changelogs.model]": "Export"}
    rows = api.ok("GET", "/changelogs/index.json", query=query)["all_changes"]
    for row in rows:
        assert (row["action"], row["object_id"], row["objecttype_id"]) == ("export", 1, 1 << 21)
    return [(row["name"], row["user"] and row["user"]["firstname"], row["user_id"]) for row in reversed(rows)]


def test_one_export_at_a_time_but_the_pickup_gap_lets_a_second_in(api: ApiClient, time: Time) -> None:
    """Until the worker picks the job up (the first tenth here) the `exports` table is empty: index says nothing
    runs and a second launch is accepted; then launches get 500 until the end."""
    assert launch(api).status_code == 200
    assert api.ok("GET", "/exports/index.json")["exportRunning"] is False
    assert broadcast(api)["tasks"] == [] and broadcast(api)["exportFinished"] is False
    assert launch(api).status_code == 200  # a second run: the last launched is what `exports` shows
    time.advance(SECONDS / 5)
    assert api.ok("GET", "/exports/index.json")["exportRunning"] is True
    refused = launch(api)
    assert refused.status_code == 500 and refused.json["message"] == "An Internal Error Has Occurred."
    time.advance(SECONDS)
    assert broadcast(api)["exportSuccessfully"] is True and launch(api).status_code == 200


def test_a_successful_export_in_the_workers_order(api: ApiClient, time: Time) -> None:
    launch(api, create_backup=1)
    time.advance(SECONDS / 2)
    half = states(api)
    assert [task for task, _f, _s in half] == WITH_BACKUP[: len(half)]  # written in order, one after the other
    assert half[0] == ("export_started", 0, 0)
    time.advance(SECONDS)
    assert states(api) == [(task, 1, 1) for task in [*WITH_BACKUP, "export_finished"]]
    answer = broadcast(api)
    assert (answer["exportFinished"], answer["exportSuccessfully"]) == (True, True)


def test_a_failed_export_stops_at_the_verify_and_activates_nothing(api: ApiClient, time: Time) -> None:
    add_host(api, "web01")
    api.control("POST", "/export_outcome", {"outcome": "failure"})
    launch(api)
    time.advance(SECONDS)
    assert states(api) == [
        ("export_started", 1, 0),
        *[(task, 1, 1) for task in [*BEFORE[1:], VERIFY[0]]],
        ("export_verify_new_configuration", 1, 0),
        ("export_finished", 1, 0),
    ]
    answer = broadcast(api)
    assert (answer["exportFinished"], answer["exportSuccessfully"]) == (True, False)
    assert answer["successMessage"]  # there, whatever the outcome
    assert monitored(api) == ["default host"]
    verified = api.ok("POST", "/exports/verifyConfig.json", None, A)["result"]["nagios"]
    assert verified["hasError"] is True and any(line.startswith("Error:") for line in verified["output"])
    assert exports_in_changelog(api) == [
        ("Refresh of monitoring configuration started", "John", 1),
        ("Refresh of monitoring configuration finished with an error", None, 0),
    ]


def test_a_stuck_export_stays_running(api: ApiClient, time: Time) -> None:
    """It stops once the parallel tasks are queued: they stay unfinished, the run never ends, launches get 500;
    another outcome lets it go on at once, a reset clears it."""
    api.control("POST", "/export_outcome", {"outcome": "stuck"})
    launch(api)
    time.advance(SECONDS * 10)
    assert states(api) == [
        ("export_started", 0, 0),
        *[(task, 1, 1) for task in BEFORE[1:3]],
        *[(t, 0, 0) for t in PARALLEL],
    ]
    assert api.ok("GET", "/exports/index.json")["exportRunning"] is True and launch(api).status_code == 500
    api.control("POST", "/reset", status=204)
    assert api.ok("GET", "/exports/index.json")["exportRunning"] is False and launch(api).status_code == 200


def test_an_export_activates_the_configuration_of_its_launch(api: ApiClient, time: Time) -> None:
    add_host(api, "web01")
    launch(api)
    time.advance(SECONDS / 5)
    add_host(api, "web02")  # after the launch: not in this export
    time.advance(SECONDS)
    assert monitored(api) == ["default host", "web01"]
    assert [row["Host"]["name"] for row in api.ok("GET", "/hosts/notMonitored.json", query=A)["all_hosts"]] == ["web02"]


def test_every_export_leaves_two_changelog_rows(api: ApiClient, time: Time) -> None:
    """`... started` by the launching user when it is launched, `... finished successfully` (or `with an error`) by
    user 0 (`user` null) when the worker ends: what the modules read to tell whether changes are pending."""
    launch(api)
    assert exports_in_changelog(api) == [("Refresh of monitoring configuration started", "John", 1)]
    time.advance(SECONDS)
    api.control("POST", "/exports", {"user": "alice", "seconds": 1}, status=201)
    time.advance(1)
    assert exports_in_changelog(api) == [
        ("Refresh of monitoring configuration started", "John", 1),
        ("Refresh of monitoring configuration finished successfully", None, 0),
        ("Refresh of monitoring configuration started", "alice", 2),
        ("Refresh of monitoring configuration finished successfully", None, 0),
    ]
    host_id = add_host(api, "web01")
    newest = api.ok("GET", "/changelogs/index.json", query={**A, "limit": 1})["all_changes"][0]
    assert (newest["model"], newest["action"], newest["object_id"]) == ("Host", "add", host_id)  # pending
