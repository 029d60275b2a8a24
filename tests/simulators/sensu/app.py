"""The Flask app: the Sensu API (the 4567 API of sensu-api and Sensu Enterprise) at the server's root, plus control
endpoints for tests under /_simulator. Every other path and method goes to `dispatch`, which does what
lib/sensu/api/http_handler.rb's process_http_request does; the routes are in routes.py."""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

# Each of these modules registers its control endpoints or request hooks when imported.
from . import (  # noqa: F401  # pylint: disable=unused-import
    controls,
    routes,
)
from .config import SimulatorConfig
from .faults import ControlError
from .protocol import (
    Call,
    Crash,
    Halt,
    NoAnswer,
    Reply,
    authorized,
    control_answer,
    cors_headers,
    disconnected,
    init_app,
    new_call,
    new_request_id,
    no_answer,
    respond,
    state,
)
from .state import State


def create_app(config: SimulatorConfig | None = None) -> Flask:
    """A WSGI app simulating one Sensu server; its State is `app.extensions["sensu_simulator"]`. Raises
    state.SettingsError when the configuration directory does not load (the server would not start)."""
    app = Flask(__name__)
    init_app(app, State(config or SimulatorConfig()), dispatch, routes.operation)
    app.register_error_handler(
        ControlError, lambda error: control_answer({"message": "Invalid body", "fields": error.fields}, 400)
    )
    return app


def dispatch(uri: str = "") -> Response:
    """One API request: parameters, headers, authentication, connections, route, answer."""
    try:
        call = new_call()
    except NoAnswer:
        return no_answer()
    st = state()
    with st.lock:
        st.settle()
        call.headers["X-Request-ID"] = new_request_id()
        call.headers.update(cors_headers(st))
        try:
            response = respond(call, process(st, call))
        except NoAnswer:
            return no_answer()
        st.settle()
    return response


def process(st: State, call: Call) -> Reply:
    try:
        if not authorized(st, call):
            call.headers["WWW-Authenticate"] = 'Basic realm="Restricted Area"'
            return Reply(401)
    except Crash:
        return Reply(500)
    down = disconnected(st, call)
    if down is not None:
        return down
    if call.method == "OPTIONS":
        return Reply(200)
    found = routes.find(call.method, call.uri)
    if found is None:
        allowed = routes.allowed(call.uri)
        if not allowed:
            return Reply(404)
        call.headers["Allow"] = ", ".join(allowed)
        return Reply(405)
    try:
        return routes.run(st, call, *found)
    except Halt as halt:
        return halt.reply
    except Crash:
        return Reply(500)
