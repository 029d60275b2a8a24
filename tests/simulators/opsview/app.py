"""The Flask app: the Opsview REST API under /rest, plus control endpoints for tests under /_simulator.

Version, sessions and the control endpoints are served from here; config_api.py, reload.py and downtimes.py
serve the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, g, request
from werkzeug.wrappers import Response

# Each of these modules registers its routes when imported.
from . import config_api, downtimes, faults, reload  # noqa: F401  # pylint: disable=unused-import
from .config import API_VERSION, OPSVIEW_BUILD, OPSVIEW_VERSION, SimulatorConfig
from .errors import OpsviewError
from .faults import change_as
from .model import Renderer
from .protocol import body, control_route, init_app, json_response, no_content, params, route, state
from .seed import ROOT_HOSTGROUP
from .state import State

SHOWN_TYPES = ("hostgroup", "host", "hosttemplate", "keyword", "monitoringcluster")
ACCESSES = (
    "ADMINACCESS",
    "CONFIGUREHOSTGROUPS",
    "CONFIGUREHOSTS",
    "CONFIGUREKEYWORDS",
    "CONFIGURESAVE",
    "CONFIGUREVIEW",
    "DOWNTIMESOME",
    "RELOADACCESS",
    "RELOADVIEW",
    "VIEWALL",
)


def create_app(config: SimulatorConfig | None = None) -> Flask:
    """A WSGI app simulating one Opsview server; its State is `app.extensions["opsview_simulator"]`."""
    app = Flask(__name__)
    init_app(app, State(config or SimulatorConfig()))
    return app


# --- Version, sessions ----------------------------------------------------------------------------


@route("", public=True, strict_slashes=False)
def show_api_version() -> Response:
    return json_response({"api_min_version": "2.0", "api_version": API_VERSION, "easyxdm_version": "2.4.19"})


@route("/info")
def show_info() -> Response:
    return json_response(
        {
            "hosts_limit": "0",
            "opsview_build": OPSVIEW_BUILD,
            "opsview_edition": "commercial",
            "opsview_name": state().objects["hostgroup"][ROOT_HOSTGROUP]["name"],
            "opsview_version": OPSVIEW_VERSION,
            "server_timezone": "UTC",
            "server_timezone_offset": "0",
            "uuid": "5B40A354-90C4-11DE-8C65-487C69EFFEC7",
        }
    )


def user_data(name: str) -> dict[str, Any]:
    return {
        "access_list": dict.fromkeys(ACCESSES, "1"),
        "fullname": "Administrator",
        "language": "",
        "name": name,
        "realm": "local",
        "role": "Administrator",
    }


@route("/login", "POST", public=True)
def log_in() -> Response:
    """`username` and `password` as JSON, form fields or URL parameters: a session token, 40 hex digits."""
    given = params(body())
    st = state()
    token = st.login(str(given.get("username", "")), given.get("password"))
    if token is None:
        raise OpsviewError(401, "Invalid username or password")
    answer: dict[str, Any] = {"token": token}
    if given.get("include_user_data") in ("1", 1):
        answer["user_data"] = user_data(str(given["username"]))
    return json_response(answer)


def _log_out() -> Response:
    state().tokens.pop(g.token, None)
    return json_response({"logout_via": "REST API"})


@route("/login", "DELETE")
def delete_session() -> Response:
    return _log_out()


@route("/logout", "POST")
def log_out() -> Response:
    return _log_out()


@route("/user")
def show_user() -> Response:
    return json_response(user_data(g.user))


# --- Control endpoints (no session) ---------------------------------------------------------------


def _checked(data: Any, checks: Mapping[str, Callable[[Any], bool]], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A control body: an object with only the keys of `checks`, each passing its check, and the `required` ones."""
    if not isinstance(data, dict):
        raise OpsviewError(400, "Invalid body", fields={"_schema": ["Not a valid mapping type."]})
    problems = {key: ["Unknown field."] for key in data if key not in checks}
    problems.update({key: ["Invalid value."] for key, check in checks.items() if key in data and not check(data[key])})
    problems.update({key: ["Missing data for required field."] for key in required if key not in data})
    if problems:
        raise OpsviewError(400, "Invalid body", fields=problems)
    return data


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _name(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


@control_route("/state")
def show_state() -> Response:
    st = state()
    render = Renderer(st.objects)
    return json_response(
        {
            "config": {"users": list(st.config.users), "opsview_version": OPSVIEW_VERSION, **timings(st)},
            **{f"{kind}s": [render.object(kind, obj) for obj in st.objects[kind].values()] for kind in SHOWN_TYPES},
            "configuration_status": st.configuration_status,
            "uncommitted": st.uncommitted(),
            "changes": st.changes,
            "reload": st.reload_status(),
            "reloads": [run.json() for run in st.reloads],
            "next_reload_outcome": st.next_outcome,
            "monitored": {host["name"]: st.monitored_services(host_id) for host_id, host in st.applied["host"].items()},
            **downtimes.state_json(st),
            "tokens": st.live_tokens(),
            "faults": dict(st.faults.switches),
            "fault_rules": st.faults.json(),
            "request_counts": dict(st.requests.counts),
            "requests": st.requests.entries,
        }
    )


def timings(st: State) -> dict[str, float]:
    return {
        "reload_seconds": st.reload_seconds,
        "downtime_delay": st.downtime_delay,
        "token_lifetime": st.token_lifetime,
    }


@control_route("/reset", "POST")
def reset_state() -> Response:
    state().reset()
    return no_content()


@control_route("/config", "POST")
def configure() -> Response:
    """`{"reload_seconds"?, "downtime_delay"?, "token_lifetime"?}`: for reloads, commands and logins from now on."""
    st = state()
    checks = {
        "reload_seconds": _seconds,
        "downtime_delay": _seconds,
        "token_lifetime": lambda value: _seconds(value) and value > 0,
    }
    data = _checked(request.get_json(silent=True), checks)
    st.reload_seconds = data.get("reload_seconds", st.reload_seconds)
    st.downtime_delay = data.get("downtime_delay", st.downtime_delay)
    st.token_lifetime = data.get("token_lifetime", st.token_lifetime)
    return json_response(timings(st))


@control_route("/request_counts")
def show_request_counts() -> Response:
    """The API requests served since the last reset, per endpoint: `{"GET /rest/config/host/{id}": 3}`."""
    return json_response(dict(state().requests.counts))


@control_route("/request_counts", "DELETE")
def clear_request_counts() -> Response:
    state().requests.clear()
    return no_content()


@control_route("/expire_tokens", "POST")
def expire_tokens() -> Response:
    """Every session ends now: the next request with a token gets 401."""
    return json_response({"expired": state().expire_tokens()})


@control_route("/reload_outcome", "POST")
def force_reload_outcome() -> Response:
    """How the next reload ends: `{"server_status": 3, "messages": ["..."]}` fails it (POST answers 400), 4 makes
    it warn (200); 2 (not running) fails too. Messages are strings or `{"detail", "severity"?, ...}`."""
    data = _checked(
        request.get_json(silent=True),
        {"server_status": lambda value: value in (2, 3, 4), "messages": lambda value: isinstance(value, list)},
        required=("server_status",),
    )
    severity = "warning" if data["server_status"] == 4 else "error"
    messages = []
    for message in data.get("messages", []):
        item = message if isinstance(message, dict) else {"detail": str(message)}
        messages.append(
            {
                "monitoringserver": "Master Monitoring Server",
                "severity": severity,
                **{k: str(v) for k, v in item.items()},
            }
        )
    st = state()
    st.next_outcome = {"server_status": data["server_status"], "messages": messages}
    return json_response(st.next_outcome)


@control_route("/changes", "POST")
def add_change() -> Response:
    """A change as another user makes it: `{"user": "alice", "type"?: "host", "id"?: 7}` makes that object
    uncommitted (else only the configuration pending)."""
    st = state()
    data = _checked(
        request.get_json(silent=True),
        {"user": _name, "type": lambda value: value in st.objects, "id": lambda value: isinstance(value, int)},
        required=("user",),
    )
    path = f"/config/{data['type']}/{data['id']}" if "type" in data and "id" in data else "/"
    if path != "/" and data["id"] not in st.objects[data["type"]]:
        raise OpsviewError(404, f"Object {data['type']} id='{data['id']}' not found")
    change_as(st, data["user"], path)
    return json_response(st.changes[-1], 201)


@control_route("/reloads", "POST")
def add_reload() -> Response:
    """A reload by another user, `{"user": "alice", "seconds"?: 2}`; 409 while one runs."""
    st = state()
    data = _checked(request.get_json(silent=True), {"user": _name, "seconds": _seconds}, required=("user",))
    if st.running_reload() is not None:
        raise OpsviewError(409, "Reload already running")
    run = st.start_reload(data["user"], asynchronous=True, seconds=data.get("seconds"))
    return json_response(run.json(), 201)
