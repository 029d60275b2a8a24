"""The Flask app: the openITCOCKPIT JSON API at the server's root (every URL ends in `.json`), plus control
endpoints for tests under /_simulator. The API's views live in the modules imported below."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

# Each of these modules registers its routes when imported.
from . import (  # noqa: F401  # pylint: disable=unused-import
    changelog,
    containers,
    downtimes,
    exports,
    hostgroups,
    hosts,
    hosttemplates,
    hosttemplatewrites,
    hostwrites,
    services,
    tenants,
    users,
)
from .config import OITC_VERSION, SimulatorConfig
from .export_run import OUTCOMES
from .faults import ControlError, change_as
from .hostgroups import members
from .protocol import control_answer, control_route, init_app, no_content, state
from .state import State


def create_app(config: SimulatorConfig | None = None) -> Flask:
    """A WSGI app simulating one openITCOCKPIT server; its State is `app.extensions["openitcockpit_simulator"]`."""
    app = Flask(__name__)
    init_app(app, State(config or SimulatorConfig()))
    app.register_error_handler(
        ControlError, lambda error: control_answer({"message": "Invalid body", "fields": error.fields}, 400)
    )
    return app


# --- Control endpoints (no API key) ---------------------------------------------------------------


def _checked(checks: Mapping[str, Callable[[Any], bool]], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A control body: an object with only the keys of `checks`, each passing its check, and the `required` ones."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ControlError({"_schema": ["Not a valid mapping type."]})
    problems: dict[str, object] = {key: ["Unknown field."] for key in data if key not in checks}
    problems.update({key: ["Invalid value."] for key, check in checks.items() if key in data and not check(data[key])})
    problems.update({key: ["Missing data for required field."] for key in required if key not in data})
    if problems:
        raise ControlError(problems)
    return data


def _name(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


@control_route("/state")
def show_state() -> Response:
    st = state()
    now = st.clock()
    return control_answer(
        {
            "config": {
                "version": OITC_VERSION,
                "timezone": st.config.timezone,
                "satellites": {str(sid): name for sid, name in st.satellites.items()},
                "downtime_delay": st.config.downtime_delay,
                "export_seconds": st.config.export_seconds,
            },
            "containers": list(st.containers.values()),
            "tenants": list(st.tenants.values()),
            "locations": list(st.locations.values()),
            "hosttemplates": list(st.hosttemplates.values()),
            "hostgroups": [{**group, **members(st, group["id"])} for group in st.hostgroups.values()],
            "hosts": list(st.hosts.values()),
            "services": list(st.services.values()),
            "monitored": {str(host_id): service_ids for host_id, service_ids in st.monitored.items()},
            "export_running": st.export_running(),
            "export_outcome": st.export_outcome,
            "exports": st.export_rows,
            "export_runs": [run.json() for run in st.runs],
            "config_files_ok": st.config_files_ok,
            "downtimes": [downtime.json() for downtime in st.downtimes],
            "commands": [command.json(now) for command in st.commands],
            "changelog": st.changelog,
            "users": list(st.users.values()),
            "faults": dict(st.faults.switches),
            "fault_rules": st.faults.json(),
            "request_counts": dict(st.requests.counts),
            "requests": st.requests.entries,
        }
    )


@control_route("/reset", "POST")
def reset_state() -> Response:
    state().reset()
    return no_content()


@control_route("/request_counts")
def show_request_counts() -> Response:
    """The API requests served since the last reset, per route: `{"GET /hosts/edit/{host_id}.json": 3}`."""
    return control_answer(dict(state().requests.counts))


@control_route("/request_counts", "DELETE")
def clear_request_counts() -> Response:
    state().requests.clear()
    return no_content()


@control_route("/export_outcome", "POST")
def set_export_outcome() -> Response:
    """`{"outcome": "success" | "failure" | "stuck"}`: how exports end from now on (a stuck one goes on with the
    new outcome)."""
    data = _checked({"outcome": lambda value: value in OUTCOMES}, required=("outcome",))
    st = state()
    st.set_export_outcome(data["outcome"])
    return control_answer({"outcome": st.export_outcome})


@control_route("/exports", "POST")
def add_export() -> Response:
    """Another user's export, `{"user": "alice", "seconds"?: 2}` (`--export-seconds` by default), under way at
    once; 409 while one runs."""
    data = _checked({"user": _name, "seconds": _seconds}, required=("user",))
    st = state()
    if st.export_running():
        return control_answer({"message": "Export already running"}, 409)
    run = st.launch_export(st.colleague(data["user"]), create_backup=False, seconds=data.get("seconds"), pickup=0.0)
    return control_answer(run.json(), 201)


@control_route("/changes", "POST")
def add_change() -> Response:
    """A change by another user, `{"user": "alice", "path"?: "/hosts/edit/7.json"}`: a changelog row for the host or
    host group the path names, else for the default host template."""
    data = _checked({"user": _name, "path": _name}, required=("user",))
    st = state()
    target = change_as(st, st.colleague(data["user"]), data.get("path", ""))
    return control_answer({"changed": target, "changelog": st.changelog[-1]}, 201)
