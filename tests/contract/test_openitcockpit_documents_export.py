"""The openITCOCKPIT simulator against the API contract's activation, "Refresh monitoring configuration"
(../shared/contracts/opsview-openitcockpit-sensu.md, 2.4): the export's state, launching it, following it, checking
the configuration files. Where the fact sheets show the document wrong, the test asserts the server's behaviour and
says why."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from openitcockpit_contract import CONTRACT, CSRF, A, Time, add_host, contract_section, example, keys_named, line_of

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.export_run import PARALLEL_TASKS
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False
NEEDS_SHARED = (CONTRACT,)
SECONDS = 10.0  # how long an export runs here
NOW = datetime(2026, 9, 16, 16, 50, tzinfo=UTC).timestamp()
TASK = ("id", "task", "text", "finished", "successfully", "created", "modified")


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=SECONDS, downtime_delay=0, satellites=("sat-east",)))


@pytest.fixture
def time(api: ApiClient) -> Time:
    return Time(api, NOW)


def launch(api: ApiClient, body: object) -> None:
    assert api.ok("POST", "/exports/launchExport.json", body, A) == {"success": True, **CSRF}


def tasks(api: ApiClient) -> list[str]:
    return [row["task"] for row in api.ok("GET", "/exports/broadcast.json")["tasks"]]


def test_the_export_state(api: ApiClient, time: Time) -> None:
    """`tasks` only while an export runs; `satellites` with the DistributeModule."""
    documented = keys_named(line_of("`GET /exports/index.json` →"))
    idle = api.ok("GET", "/exports/index.json")
    assert list(idle) == [*documented, "_csrfToken"]
    assert (idle["exportRunning"], idle["tasks"]) == (False, [])
    assert [satellite["name"] for satellite in idle["satellites"]] == ["sat-east"]
    launch(api, {"create_backup": 0})
    time.advance(SECONDS / 4)
    running = api.ok("GET", "/exports/index.json")
    assert running["exportRunning"] is True and running["tasks"][0]["task"] == "export_started"


def test_a_launch_answers_at_once_and_a_second_one_is_a_500(api: ApiClient, time: Time) -> None:
    activation = contract_section("### 2.4 Activation")
    assert "If an export is already running → `RuntimeException('Export already running!')` → **500**" in activation
    launch(api, example("create_backup", "satellites"))
    assert api.ok("GET", "/exports/broadcast.json")["exportFinished"] is False
    time.advance(SECONDS / 4)
    refused = api.call("POST", "/exports/launchExport.json", {"create_backup": 0}, A)
    assert refused.status_code == 500
    assert refused.json == {
        "message": "An Internal Error Has Occurred.",  # the RuntimeException's text shows with debug on only
        "url": "/exports/launchExport.json?angular=true",
        "code": 500,
        **CSRF,
    }
    assert api.call("POST", "/exports/launchExport.json", {"create_backup": 0}).status_code == 405  # no angular


def documented_order() -> list[str]:
    """The task names the contract lists, as written (placeholders included)."""
    section = contract_section("### 2.4 Activation")
    listed = re.search(r"Task names in order: (.*?)\.\n", section, re.DOTALL)
    assert listed, "the contract no longer lists the export's tasks"
    return [name.strip() for name in re.sub(r"\s+", " ", listed.group(1)).split(",")]


def test_the_tasks_come_in_the_workers_order(api: ApiClient, time: Time) -> None:
    """The contract's order, its placeholders filled in (the 16 parallel tasks; a reload, as the engine runs; the
    satellite's id), but for one: GearmanWorkerCommand::launchExport marks each satellite for the NSTA sync right
    after the reload, before the after-export command, not after it (fact sheet downtimes_export.md 5.3)."""
    expected: list[str] = []
    for name in documented_order():
        if name == "per-object tasks":
            expected += [task for task, _text in PARALLEL_TASKS]
        elif "|" in name:
            expected.append(name.split("|")[0])
        else:
            expected.append(name.replace("<satId>", "1"))
    after, satellite = expected.index("export_after_export_command"), expected.index("export_sync_sat_config_by_nsta_1")
    assert satellite == after + 1  # as the contract has it
    expected[after], expected[satellite] = expected[satellite], expected[after]
    launch(api, {"create_backup": 1})
    time.advance(SECONDS)
    answer = api.ok("GET", "/exports/broadcast.json")
    assert [row["task"] for row in answer["tasks"]] == expected
    task_keys = line_of("`GET /exports/broadcast.json` →")
    assert list(answer) == [key for key in keys_named(task_keys) if key not in TASK] + ["_csrfToken"]
    documented = example(*TASK)
    for row in answer["tasks"]:
        assert list(row) == list(documented) and (row["finished"], row["successfully"]) == (1, 1)
        assert re.fullmatch(r"\d\d:\d\d:\d\d", row["created"]) and re.fullmatch(r"\d\d:\d\d:\d\d", row["modified"])
    assert (answer["exportFinished"], answer["exportSuccessfully"]) == (True, True)
    assert f'"successMessage":"{answer["successMessage"]}"' in task_keys


def test_create_backup_defaults_to_a_backup(api: ApiClient, time: Time) -> None:
    """The contract notes the MCP server's `createBackup` is ignored; what that means: `create_backup` defaults to
    1 (ExportsController::launchExport), so such a client always gets a (slow) backup."""
    assert "The MCP server sends `createBackup`, which the controller ignores." in contract_section()
    launch(api, {"createBackup": 0})
    time.advance(SECONDS)
    assert "export_create_backup" in tasks(api)
    launch(api, {"create_backup": 0})
    time.advance(SECONDS)
    assert "export_create_backup" not in tasks(api)


def test_verify_config_checks_the_files_on_disk(api: ApiClient, time: Time) -> None:
    """The documented structure; what it checks is what the last export wrote (`naemon -v` over the files on disk),
    not the pending configuration (fact sheet downtimes_export.md 5.4): a failed export's files fail it."""
    documented = example("result")
    verified = api.ok("POST", "/exports/verifyConfig.json", None, A)
    assert list(verified) == ["result", "_csrfToken"]
    assert {key: list(value) for key, value in verified["result"].items()} == {
        key: list(value) for key, value in documented["result"].items()
    }
    assert verified["result"]["nagios"]["hasError"] is False and verified["result"]["prometheus"]["output"] == []
    add_host(api, "web01")  # pending, not on disk
    assert api.ok("POST", "/exports/verifyConfig.json", None, A)["result"]["nagios"]["hasError"] is False
    api.control("POST", "/export_outcome", {"outcome": "failure"})
    launch(api, {"create_backup": 0})
    time.advance(SECONDS)
    assert api.ok("POST", "/exports/verifyConfig.json", None, A)["result"]["nagios"]["hasError"] is True


def test_a_stuck_export_never_ends(api: ApiClient, time: Time) -> None:
    activation = contract_section("### 2.4 Activation")
    assert "the export gets stuck (`exportRunning` stays true) when gearman_worker dies" in activation
    assert 'The emulator should offer a "stuck" mode' in activation
    api.control("POST", "/export_outcome", {"outcome": "stuck"})
    launch(api, {"create_backup": 0})
    time.advance(SECONDS * 100)
    assert api.ok("GET", "/exports/index.json")["exportRunning"] is True
    assert api.ok("GET", "/exports/broadcast.json")["exportFinished"] is False
    assert api.call("POST", "/exports/launchExport.json", {"create_backup": 0}, A).status_code == 500
    # The simulator's remedy: another outcome (on a server: emptying the `exports` table).
    api.control("POST", "/export_outcome", {"outcome": "success"})
    assert api.ok("GET", "/exports/broadcast.json")["exportSuccessfully"] is True
