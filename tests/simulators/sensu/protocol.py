"""HTTP plumbing of the Sensu API as lib/sensu/api/http_handler.rb does it: the request target split at `?`, query
parameters (not unescaped; `filter.*` ones filter list answers), the request ID and CORS headers, HTTP Basic
authentication, the data store and transport connection check, routing by regular expressions on the raw path
(routes.py), `read_data` validation, pagination, and answers: JSON bodies, empty ones for errors. Plus the control
endpoints' plumbing and the request log."""

from __future__ import annotations

import functools
import json
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, current_app, request
from werkzeug.routing import BaseConverter, Rule
from werkzeug.wrappers import Response

from .ruby import JsonError, decode64, dump_json, is_integer, load_json, matches, split, to_s, truthy
from .state import State
from .utilities import NotAHash, attributes_match, deep_merge, dot_notation_to_hash

STATE_KEY = "sensu_simulator"
OPERATION_KEY = "sensu_simulator_operation"
CONTROL_ROOT = "/_simulator"
DEFAULT_CORS = {
    "Origin": "*",
    "Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Credentials": "true",
    "Headers": "Origin, X-Requested-With, Content-Type, Accept, Authorization",
}
INFO_URI = re.compile(r"^/info$")
HEALTH_URI = re.compile(r"^/health$")
INTEGER = re.compile(r"\A[0-9]+\Z")

api = Blueprint("api", __name__)
control = Blueprint("control", __name__, url_prefix=CONTROL_ROOT)
View = Callable[..., Response]


class NoAnswer(Exception):
    """A Ruby error where the server cannot answer any more (before its response object exists, or while it
    filters the answer): it never answers. The simulator shuts the connection instead of hanging."""


class Crash(Exception):
    """A Ruby error in a route: http_request_errback answers 500 with an empty body."""


@dataclass
class Reply:
    """A route's answer: the status and `@response_content` (None: no body)."""

    status: int = 200
    content: Any = None


class Halt(Exception):
    """A route ends early with this reply (read_data's 400)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass(frozen=True)
class DataRule:
    """A `read_data` rule: the accepted types, whether nil will do, and a regular expression."""

    types: tuple[str, ...]
    nil_ok: bool = True
    regex: re.Pattern[str] | None = None


TYPE_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "String": lambda value: isinstance(value, str),
    "Integer": is_integer,
    "Array": lambda value: isinstance(value, list),
    "Hash": lambda value: isinstance(value, dict),
    "Boolean": lambda value: isinstance(value, bool),
}


def rule(*types: str, nil_ok: bool = True, regex: re.Pattern[str] | None = None) -> DataRule:
    return DataRule(types, nil_ok, regex)


def passes(value: Any, check: DataRule) -> bool:
    """http_handler.rb's expression, precedence included:
    `(type ok || (nil_ok && nil)) && (nil || no regex) || (regex && (value =~ regex) == 0)`: with a regex, a value
    that is not nil must match it (whatever its type), without one the type decides."""
    typed = any(TYPE_CHECKS[name](value) for name in check.types) or (check.nil_ok and value is None)
    return (typed and (value is None or check.regex is None)) or (
        check.regex is not None and matches(check.regex, value)
    )


@dataclass
class Call:
    """One API request as the handler sees it (`@http_request_uri`, `@params`, `@filter_params`, ...) and the
    headers of its answer."""

    method: str
    uri: str
    query: str | None
    body: bytes
    params: dict[str, str | None] = field(default_factory=dict)
    filters: dict[str, str | None] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def integer(self, name: str) -> int | None:
        """`integer_parameter`: digits only, else nil."""
        value = self.params.get(name)
        return int(value) if value is not None and INTEGER.match(value) else None

    def pagination(self, items: list[Any]) -> list[Any]:
        """`limit` (and `offset`) slice the items and add `X-Pagination: {"limit","offset","total"}`."""
        limit = self.integer("limit")
        if limit is None:
            return items
        offset = self.integer("offset") or 0
        self.headers["X-Pagination"] = dump_json({"limit": limit, "offset": offset, "total": len(items)})
        return items[offset : offset + limit]

    def read_data(self, rules: Mapping[str, DataRule] | None = None) -> dict[str, Any]:
        """The body: JSON, an object, each rule passed; else 400 with an empty body."""
        try:
            data = load_json(self.body)
        except JsonError:
            raise Halt(Reply(400)) from None
        if not isinstance(data, dict) or not all(passes(data.get(key), check) for key, check in (rules or {}).items()):
            raise Halt(Reply(400))
        return data


def request_target() -> str:
    """The request target as the client sent it: raw path and query."""
    raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or quote(request.path))
    query = request.environ.get("QUERY_STRING", "")
    return f"{raw}?{query}" if query and "?" not in raw else raw


def new_call() -> Call:
    """em-http-server splits the target at `?` (a second `?` and what follows are lost); parse_parameters splits the
    query at `&` and `=` (Ruby's split: `a=` has no value, `a=b=c` the value b). An empty pair (`a=1&&b=2`) makes the
    real server fail before it can answer."""
    parts = split(request_target(), "?")
    uri = parts[0] if parts else ""
    call = Call(request.method, uri, parts[1] if len(parts) > 1 else None, request.get_data())
    for pair in split(call.query, "&") if call.query is not None else []:
        pieces = split(pair, "=")
        if not pieces:
            raise NoAnswer("nil.to_sym in parse_parameters")
        key, value = pieces[0], pieces[1] if len(pieces) > 1 else None
        call.params[key] = value
        if key.startswith("filter."):
            call.filters = call.filters or {}
            call.filters[key.removeprefix("filter.")] = value
    return call


def state() -> State:
    simulated: State = current_app.extensions[STATE_KEY]
    return simulated


# --- Headers, authentication, connections -----------------------------------------------------------------------


def cors_headers(st: State) -> dict[str, str]:
    """`api.cors` of the settings, else the defaults (written into the settings' api scope, when there is one,
    as the source does); a value that is not a hash: no CORS headers."""
    api = st.settings.get("api")
    if isinstance(api, dict):
        if not truthy(api.get("cors")):
            api["cors"] = dict(DEFAULT_CORS)
        cors = api["cors"]
    else:
        cors = DEFAULT_CORS
    return (
        {f"Access-Control-Allow-{name}": to_s(value) for name, value in cors.items()} if isinstance(cors, dict) else {}
    )


def same_credential(given: str | None, expected: str) -> bool:
    """Ruby compares the decoded (binary) text with the configured (UTF-8) one: equal bytes, and ASCII only (two
    strings of different encodings with non-ASCII bytes are never equal)."""
    return given is not None and given.isascii() and given.encode("latin-1") == expected.encode("utf-8")


def authorized(st: State, call: Call) -> bool:
    """`authorized?`: without api.user and api.password, or for OPTIONS, yes; else `Authorization: Basic <base64>`,
    decoded leniently and split at every `:` (a password with a colon never matches; `user:pass:` does)."""
    credentials = st.credentials()
    if credentials is None or call.method == "OPTIONS":
        return True
    header = request.headers.get("Authorization")
    if header is None:
        return False
    parts = split(header, " ")
    if not parts or parts[0] != "Basic":
        return False
    if len(parts) < 2:
        raise Crash("Base64.decode64(nil)")
    pieces = split(decode64(parts[1]).decode("latin-1"), ":")
    user = pieces[0] if pieces else None
    password = pieces[1] if len(pieces) > 1 else None
    return same_credential(user, credentials[0]) and same_credential(password, credentials[1])


def disconnected(st: State, call: Call) -> Reply | None:
    """`connected?`: 500 `{"error": "not connected to redis"}` (or `... transport`) but for /info and /health."""
    if INFO_URI.search(call.uri) or HEALTH_URI.search(call.uri):
        return None
    error = None
    if not st.redis_connected:
        error = "not connected to redis"
    if not st.transport_connected:
        error = "not connected to transport"
    return Reply(500, {"error": error}) if error else None


# --- Answers ---------------------------------------------------------------------------------------------------


def filtered(content: Any, filters: dict[str, str | None]) -> Any:
    """`filter_response_content!`: the items of a list answer matching every `filter.<a.b>=value`."""
    if not isinstance(content, list) or not filters:
        return content
    attributes: dict[str, Any] = {}
    for key, value in filters.items():
        attributes = deep_merge(attributes, dot_notation_to_hash(key, value))
    try:
        return [item for item in content if attributes_match(item, attributes, support_eval=False)]
    except NotAHash:
        raise NoAnswer("filtering a list of non-hashes") from None


def respond(call: Call, reply: Reply) -> Response:
    """`respond`: a JSON body when there is content and the method is not HEAD (GET answers filtered); errors and
    HEAD have no body and no Content-Type."""
    response = Response(status=reply.status)
    del response.headers["Content-Type"]
    for name, value in call.headers.items():
        response.headers[name] = value
    if reply.content is not None and call.method != "HEAD":
        content = filtered(reply.content, call.filters) if call.method == "GET" and call.filters else reply.content
        response.set_data(dump_json(content).encode())
        response.headers["Content-Type"] = "application/json"
    return response


def no_answer() -> Response:
    """Shut the connection, as the drop fault does; in-process (no socket) a marked 500."""
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        connection.shutdown(socket.SHUT_RDWR)
    return Response(status=500, headers={"X-Simulator-No-Answer": "true"})


# --- The app ----------------------------------------------------------------------------------------------------


class AnyPath(BaseConverter):
    """Every path, slashes and all (the Sensu routes decide)."""

    regex = ".*"
    part_isolating = False


def init_app(app: Flask, simulated: State, dispatch: View, operation: Callable[[str, str], str | None]) -> None:
    """Serve the control endpoints and, for every other path and method, `dispatch` (the Sensu API);
    `operation(method, path)` names a request's route for the request log."""
    app.extensions[STATE_KEY] = simulated
    app.extensions[OPERATION_KEY] = operation
    app.url_map.merge_slashes = False
    app.url_map.converters["any_path"] = AnyPath
    app.register_blueprint(control)
    app.register_blueprint(api)
    app.url_map.add(Rule("/<any_path:uri>", endpoint="api.sensu", methods=None, merge_slashes=False))
    app.view_functions["api.sensu"] = dispatch
    app.after_request(log_request)


def control_path() -> bool:
    return request.path == CONTROL_ROOT or request.path.startswith(f"{CONTROL_ROOT}/")


def log_request(response: Response) -> Response:
    if control_path():
        return response
    st = state()
    target = request_target()
    parts = split(target, "?")
    operation = current_app.extensions[OPERATION_KEY](request.method, parts[0] if parts else "")
    with st.lock:
        st.requests.record(request.method, operation, target, response.status_code)
    return response


def control_route(path: str, method: str = "GET") -> Callable[[View], View]:
    """Register a control endpoint (no credentials needed), run holding the state's lock once what is due has
    happened."""

    def register(view: View) -> View:
        @functools.wraps(view)
        def settled(**kwargs: Any) -> Response:
            st = state()
            with st.lock:
                st.settle()
                return view(**kwargs)

        control.add_url_rule(path, endpoint=f"{view.__name__}_{method.lower()}", view_func=settled, methods=[method])
        return view

    return register


def control_answer(data: Any, status: int = 200) -> Response:
    """A control endpoint's answer: plain JSON."""
    return Response(json.dumps(data), status=status, mimetype="application/json")


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def new_request_id() -> str:
    """X-Request-ID: the client's, else a random UUID."""
    given = request.headers.get("X-Request-ID")
    return given if given is not None else str(uuid.uuid4())
