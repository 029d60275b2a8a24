"""The export, "Refresh monitoring configuration" (ExportsController): its state, launching it, following it
(`broadcast`) and checking the configuration files on disk (`verifyConfig`). The gearman worker's run is
export_run.py; a successful one puts the configuration as it was at the launch into monitoring."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from .errors import internal, not_allowed
from .protocol import answer, body, is_angular, route, state
from .state import API_USER_ID, State

SUCCESS_MESSAGE = "Refresh of monitoring configuration successfully!"
BROKEN = "Error: Could not find any host matching 'example' (config file '/etc/openitcockpit/nagios.cfg.d/example.cfg')"
NAEMON_HEADER = [
    "",
    "Naemon Core 1.4.3",
    "Copyright (c) 2013-present Naemon Core Development Team and Community Contributors",
    "Copyright (c) 2009-2013 Nagios Core Development Team and Community Contributors",
    "License: GPL",
    "",
    "Website: https://www.naemon.io",
    "Reading configuration data...",
    "   Read main config file okay...",
]


def tasks(st: State) -> list[dict[str, Any]]:
    """The `exports` rows, times as `H:i:s` in the user's zone."""
    show = st.user_time.format
    return [
        {**row, "created": show(row["created"], "H:i:s"), "modified": show(row["modified"], "H:i:s")}
        for row in st.export_rows
    ]


def satellites(st: State) -> list[dict[str, Any]]:
    """With the DistributeModule: each satellite's toAngularArray() (what the export page uses of it)."""
    return [
        {"id": sid, "name": name, "address": f"{name}.example.org", "container_id": 1, "sync_instance": 1}
        for sid, name in st.satellites.items()
    ]


@route("/exports/index")
def export_index() -> Response:
    """`exportRunning`: an `export_started` row that is not finished; `tasks` only while it runs."""
    st = state()
    running = st.export_running()
    return answer(
        {
            "gearmanReachable": True,
            "isGearmanWorkerRunning": True,
            "exportRunning": running,
            "tasks": tasks(st) if running else [],
            "useSingleInstanceSync": False,
            "satellites": satellites(st),
        }
    )


@route("/exports/launchExport", ("GET", "POST", "PUT"))
def launch_export() -> Response:
    """POST with `angular` (else 405), `{"create_backup": 0|1}` (default 1); 500 while an export runs. The answer
    comes at once; until the worker picks the job up the table stays empty."""
    if not is_angular() or request.method != "POST":
        raise not_allowed()
    st = state()
    if st.export_running():
        raise internal()  # RuntimeException('Export already running!')
    backup = body().get("create_backup", 1)
    st.launch_export(API_USER_ID, create_backup=_backup(backup))
    return answer({"success": True})


def _backup(value: Any) -> bool:
    """(int) of the value: 0 (or what reads as 0) skips the backup."""
    try:
        return int(float(value)) != 0
    except (TypeError, ValueError):
        return False


@route("/exports/broadcast")
def broadcast() -> Response:
    st = state()
    finished = next((row for row in st.export_rows if row["task"] == "export_finished" and row["finished"] == 1), None)
    return answer(
        {
            "tasks": tasks(st),
            "exportFinished": finished is not None,
            "exportSuccessfully": bool(finished and finished["successfully"]),
            "successMessage": SUCCESS_MESSAGE,
        }
    )


@route("/exports/verifyConfig", ("GET", "POST", "PUT"), angular="405")
def verify_config() -> Response:
    """`naemon -v` over the files on disk: those of the last export, not the pending changes."""
    st = state()
    snapshot = st.runs[-1].snapshot if st.runs and st.runs[-1].finished else st.monitored
    ok = st.config_files_ok
    return answer(
        {
            "result": {
                "nagios": {"hasError": not ok, "output": verify_output(snapshot, ok)},
                "prometheus": {"hasError": False, "output": []},
            }
        }
    )


def verify_output(snapshot: dict[int, list[int]], ok: bool) -> list[str]:
    services = sum(len(ids) for ids in snapshot.values())
    lines = [
        *NAEMON_HEADER,
        "   Read object config files okay..." if ok else BROKEN,
        "",
        "Running pre-flight check on configuration data...",
        "",
        "Checking objects...",
        f"\tChecked {services} services.",
        f"\tChecked {len(snapshot)} hosts.",
        "",
    ]
    if ok:
        return [
            *lines,
            "Total Warnings: 0",
            "Total Errors:   0",
            "",
            "Things look okay - No serious problems were detected during the pre-flight check",
        ]
    return [
        *lines,
        "Total Warnings: 0",
        "Total Errors:   1",
        "",
        "***> One or more problems was encountered while running the pre-flight check...",
    ]
