"""HTTP plumbing shared by the API views: blueprints, answers as CakePHP's JsonView writes them (`_csrfToken` last,
then `paging`/`scroll`), errors, the API key check, reading bodies, routing with the state's lock, and the request
log."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .errors import CakeError, OitcError
from .php import h, to_json
from .state import State

STATE_KEY = "openitcockpit_simulator"
CONTROL_ROOT = "/_simulator"
PREFIX = "X-OITC-API"  # Application.php's apikeyPrefix: its length is cut off the header, unchecked

api = Blueprint("api", __name__)
control = Blueprint("control", __name__, url_prefix=CONTROL_ROOT)
View = Callable[..., Response]
TAIL = ("paging", "scroll")  # beforeRender() serializes these after _csrfToken


def init_app(app: Flask, simulated: State) -> None:
    """Serve the API and the control endpoints of `simulated` (every view module is imported by now)."""
    app.extensions[STATE_KEY] = simulated
    app.before_request(authenticate)
    app.register_blueprint(api)
    app.register_blueprint(control)
    app.register_error_handler(OitcError, error_answer)
    app.register_error_handler(HTTPException, http_error)
    app.after_request(log_request)


def state() -> State:
    simulated: State = current_app.extensions[STATE_KEY]
    return simulated


def answer(data: Mapping[str, Any] | None = None, status: int = 200, *, tail: bool = True) -> Response:
    """A JSON answer: the action's variables, `_csrfToken` (null with an API key), then `paging` or `scroll` (with
    `tail` False, where the action serializes them itself, they stay where `data` has them)."""
    data = data or {}
    payload = {key: value for key, value in data.items() if not tail or key not in TAIL}
    payload["_csrfToken"] = None
    payload.update({key: data[key] for key in TAIL if tail and key in data})
    return Response(to_json(payload), status=status, mimetype="application/json")


def error_answer(error: OitcError) -> Response:
    if isinstance(error, CakeError):
        return answer({"message": error.message, "url": h(request_target()), "code": error.status}, error.status)
    return answer(error.body, error.status)


def http_error(error: HTTPException) -> Response:
    """Routing errors as CakePHP renders them: unknown URLs (MissingController/MissingAction: 404 "Not Found",
    debug off) and methods a route does not take (405)."""
    status = error.code or 500
    message = {404: "Not Found", 405: "Method Not Allowed"}.get(status, error.name)
    return error_answer(CakeError(status, message))


def request_target() -> str:
    """The request target as the client sent it: path and query."""
    raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path)
    query = request.environ.get("QUERY_STRING", "")
    return f"{raw}?{query}" if query and "?" not in raw else raw


def control_path() -> bool:
    return request.path == CONTROL_ROOT or request.path.startswith(f"{CONTROL_ROOT}/")


# --- Authentication ---------------------------------------------------------------------------------


def given_key() -> str | None:
    """ApikeyAuthenticator: `?apikey=` wins over an `Authorization` cookie, which wins over the header; the cookie
    and the header lose their first 10 characters (`X-OITC-API`, unchecked). Keys of one character do not count."""
    if "apikey" in request.args:
        key = request.args["apikey"]
    else:
        raw = request.cookies.get("Authorization") or request.headers.get("Authorization")
        key = raw[len(PREFIX) :].strip() if raw else None
    return key if key is not None and len(key) > 1 else None


def authenticate() -> Response | None:
    """No identity (no key, a wrong one): 401 with an empty body for `.json` or `Accept: application/json`, else
    the redirect to the login page (AppAuthenticationMiddleware)."""
    if control_path() or given_key() == state().config.api_key:
        return None
    if request.path.endswith(".json") or request.headers.get("Accept") == "application/json":
        return Response("", status=401, content_type="text/html; charset=UTF-8")
    return redirect("/a/users/login")


def log_request(response: Response) -> Response:
    if control_path():
        return response
    st = state()
    rule = request.url_rule.rule if request.url_rule is not None else None
    with st.lock:
        st.requests.record(request.method, rule, request.full_path.rstrip("?"), response.status_code)
    return response


# --- Requests ---------------------------------------------------------------------------------------


def is_angular() -> bool:
    """AppController::isAngularJsRequest(): the `angular` parameter is there, whatever its value."""
    return "angular" in request.args


def angular_post() -> bool:
    """What add and edit actions need to do their work: a POST with `angular` (else they ship their HTML
    template: 200 with nothing but `_csrfToken`)."""
    return request.method == "POST" and is_angular()


def body() -> dict[str, Any]:
    """The request data (getData()): a JSON object sent as application/json; anything else reads as nothing. JSON
    that does not parse: 400, as CakePHP's BodyParserMiddleware throws."""
    if request.mimetype != "application/json":
        return {}
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise CakeError(400, "Bad Request") from None
    return data if isinstance(data, dict) else {}


def dig(data: Any, *path: str) -> Any:
    """getData('Host.container_id'): None where the path ends early."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def route(rule: str, methods: Sequence[str] = ("GET",), *, angular: str | None = None) -> Callable[[View], View]:
    """Register an API view at `rule` + `.json`, run holding the state's lock once what is due has happened.
    `angular`: what a request without the parameter gets: "empty" (the action ships its HTML template: 200 with
    nothing but `_csrfToken`) or "405" (MethodNotAllowedException); None: it is not needed."""

    def register(view: View) -> View:
        api.add_url_rule(f"{rule}.json", endpoint=view.__name__, view_func=_settled(view, angular), methods=[*methods])
        return view

    return register


def control_route(rule: str, method: str = "GET") -> Callable[[View], View]:
    """Register a control endpoint (no API key needed)."""

    def register(view: View) -> View:
        endpoint = f"{view.__name__}_{method.lower()}"
        control.add_url_rule(rule, endpoint=endpoint, view_func=_settled(view, None), methods=[method])
        return view

    return register


def _settled(view: View, angular: str | None) -> View:
    @functools.wraps(view)
    def locked(**kwargs: Any) -> Response:
        if angular is not None and not is_angular():
            if angular == "405":
                raise CakeError(405, "Method Not Allowed")
            return answer()
        st = state()
        with st.lock:
            st.settle()
            return view(**kwargs)

    return locked


def control_answer(data: Any, status: int = 200) -> Response:
    """A control endpoint's answer: plain JSON."""
    return Response(json.dumps(data), status=status, mimetype="application/json")


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
