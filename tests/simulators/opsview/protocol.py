"""HTTP plumbing shared by the API views: blueprints, JSON answers and errors, the session token check, reading
parameters and bodies, routing with the state's lock, and the request log."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .errors import OpsviewError, not_a_hash
from .state import State

STATE_KEY = "opsview_simulator"
API_ROOT = "/rest"

api = Blueprint("api", __name__, url_prefix=API_ROOT)
control = Blueprint("control", __name__, url_prefix="/_simulator")
View = Callable[..., Response]
PUBLIC_ENDPOINTS: set[str] = set()  # views that need no session: GET /rest, POST /rest/login


def init_app(app: Flask, simulated: State) -> None:
    """Serve the API and the control endpoints of `simulated` (every view module is imported by now)."""
    app.extensions[STATE_KEY] = simulated
    app.register_blueprint(api)
    app.register_blueprint(control)
    app.register_error_handler(OpsviewError, lambda error: json_response(error.body, error.status))
    app.register_error_handler(OpsviewText, lambda error: Response(error.text, error.status, mimetype="text/plain"))
    app.register_error_handler(HTTPException, http_error)
    app.after_request(after_request)


def state() -> State:
    simulated: State = current_app.extensions[STATE_KEY]
    return simulated


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def http_error(error: HTTPException) -> Response:
    """Routing errors: unknown URLs (404) and methods an endpoint does not implement (405), in Opsview's shape."""
    status = error.code or 500
    if status == 405:
        message = f"Method {request.method} not implemented for {request.base_url}"
    elif status == 404:
        message = f"No such URL: {request.path}"
    else:
        message = error.description or error.name
    return json_response({"message": message}, status)


def api_path() -> str:
    """The path below /rest, without the query: what a fault rule's `path` is searched in."""
    return request.path[len(API_ROOT) :] or "/"


def after_request(response: Response) -> Response:
    if request.blueprint == control.name:
        return response
    if response.mimetype == "application/json" and not wants_json():
        response = perl_response(response)
    st = state()
    rule = None
    if request.url_rule is not None:  # `GET /rest/config/host/{id}`: the type named, the id a parameter
        rule = re.sub(r"<(?:[^:>]+:)?kind>", str((request.view_args or {}).get("kind")), request.url_rule.rule)
        rule = rule.replace("<int:object_id>", "<id>")
    with st.lock:
        st.requests.record(request.method, rule, request.full_path.rstrip("?"), response.status_code)
    return response


# --- Sessions and content -------------------------------------------------------------------------


@api.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    user = request.headers.get("X-Opsview-Username", "")
    token = request.headers.get("X-Opsview-Token", "")
    if not user or not token:
        raise OpsviewError(401, "Authentication required: send X-Opsview-Username and X-Opsview-Token")
    st = state()
    with st.lock:
        if not st.session(user, token):
            raise OpsviewError(401, "Token invalid or expired: log in again")
    g.user = user
    g.token = token


def wants_json() -> bool:
    """Opsview answers a Perl structure unless Accept or Content-Type asks for JSON (a GET also `content-type=`);
    so does the simulator (after_request)."""
    if request.accept_mimetypes.best == "application/json" or "application/json" in request.accept_mimetypes.values():
        return True
    if request.mimetype == "application/json":
        return True
    return request.method == "GET" and request.args.get("content-type") == "application/json"


def perl_response(response: Response) -> Response:
    """The answer as Opsview gives it to a client that asks for no JSON: a Perl structure (Data::Dumper)."""
    text = f"$VAR1 = {perl(json.loads(response.get_data()))};\n"
    return Response(text, status=response.status_code, mimetype="text/x-data-dumper")


def perl(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{perl(str(key))} => {perl(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(perl(item) for item in value) + "]"
    if value is None:
        return "undef"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def body() -> Any:
    """The request's data: JSON (relaxed JSON with trailing commas is refused here), or form fields; None when
    there is none. Malformed JSON answers 400 in text/plain, as Opsview's deserialiser does."""
    data = request.get_data()
    if not data.strip():
        return None
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {key: values if len(values) > 1 else values[0] for key, values in request.form.lists()}
    try:
        return json.loads(data)
    except ValueError as exc:
        text = (
            f"Content-Type application/json had a problem with your request.\n***ERROR***\nmalformed JSON string: {exc}"
        )
        raise OpsviewText(400, text) from None


class OpsviewText(OpsviewError):
    """An error Opsview answers in text/plain (a body its deserialiser could not read)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(status, text)
        self.text = text


def object_body() -> dict[str, Any]:
    """A config write's body: an object, or one wrapped as `{"object": {...}}` (opsview-rs sends that)."""
    data = body()
    if data is None:
        data = {}
    if isinstance(data, dict) and set(data) == {"object"} and isinstance(data["object"], dict):
        data = data["object"]
    if not isinstance(data, dict):
        raise not_a_hash("object")
    return data


def params(data: Any = None) -> MultiDict[str, Any]:
    """URL parameters overlaid with those of a JSON or form body (the body wins), each key possibly repeated."""
    merged: MultiDict[str, Any] = MultiDict(request.args)
    if isinstance(data, dict):
        for key, value in data.items():
            merged.setlist(key, value if isinstance(value, list) else [value])
    return merged


def route(
    rule: str, method: str = "GET", *, public: bool = False, locked: bool = True, **options: Any
) -> Callable[[View], View]:
    """Register an API view; `public` ones need no session. A `locked` view runs holding the state's lock once
    what is due has happened; others take the lock themselves (a synchronous reload waits without it)."""

    def register(view: View) -> View:
        endpoint = options.pop("endpoint", view.__name__)
        api.add_url_rule(
            rule, endpoint=endpoint, view_func=_settled(view) if locked else view, methods=[method], **options
        )
        if public:
            PUBLIC_ENDPOINTS.add(f"{api.name}.{endpoint}")
        return view

    return register


def control_route(rule: str, method: str = "GET") -> Callable[[View], View]:
    """Register a control endpoint (no session needed)."""

    def register(view: View) -> View:
        control.add_url_rule(
            rule, endpoint=f"{view.__name__}_{method.lower()}", view_func=_settled(view), methods=[method]
        )
        return view

    return register


def _settled(view: View) -> View:
    @functools.wraps(view)
    def locked(**kwargs: Any) -> Response:
        st = state()
        with st.lock:
            st.settle()
            return view(**kwargs)

    return locked


def user() -> str:
    name: str = g.user
    return name
