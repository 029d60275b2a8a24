"""HTTP plumbing shared by the API views: blueprints, responses, authentication, bodies, ETags, routing."""

from __future__ import annotations

import base64
import binascii
import functools
import http.client
import json
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.wrappers import Response

from . import validation as v
from .problem import Problem, field_problem
from .render import Renderer
from .state import Host, State

STATE_KEY = "checkmk_simulator"
UNSUPPORTED_MEDIA_TYPE = "Content type not valid for this endpoint."

api = Blueprint("api", __name__, url_prefix="/<site>/check_mk/api/<any('1.0', 'v1'):api_version>")
control = Blueprint("control", __name__, url_prefix="/_simulator")
View = Callable[..., Response]
REMOTE_ENDPOINTS: set[str] = set()  # the views remote sites serve too, by endpoint name


def init_app(app: Flask, simulated: State) -> None:
    """Serve the API and the control endpoints of `simulated` (every view module is imported by now)."""
    app.wsgi_app = merge_slashes(app.wsgi_app)  # type: ignore[method-assign]
    app.extensions[STATE_KEY] = simulated
    app.register_blueprint(api)
    app.register_blueprint(control)
    app.register_error_handler(Problem, lambda problem: problem_response(problem.body, problem.status))
    app.register_error_handler(HTTPException, http_error)
    app.after_request(after_request)


def merge_slashes(wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
    """A site sits behind Apache, which merges repeated slashes (MergeSlashes, on by default): clients that build
    `//cmk/check_mk/api/1.0//domain-types/...` get the normal answer, not a redirect (which a POST cannot follow)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["PATH_INFO"] = re.sub("/{2,}", "/", environ.get("PATH_INFO", ""))
        return wsgi_app(environ, start_response)

    return app


def state() -> State:
    simulated: State = current_app.extensions[STATE_KEY]
    return simulated


def renderer() -> Renderer:
    """For the site serving the request: its links point to that site's API."""
    return Renderer(state(), request.host_url, g.get("site"))


def serving_site() -> str:
    """The site whose API was called: the central one, or a remote site's own API."""
    site: str = g.site
    return site


# --- Protocol: responses, authentication, content negotiation, ETags -----------------------------


def json_response(body: Any, status: int = 200, *, etag: str | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    if etag is not None:
        response.headers["ETag"] = f'"{etag}"'
    return response


def problem_response(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def redirect(location: str, status: int) -> Response:
    """A redirect without a body; Checkmk sends the path only."""
    response = no_content()
    response.status_code = status
    response.headers["Location"] = location
    return response


def see_other(path: str) -> Response:
    """To where an action continues in the background (`path` below the API root): 302 in 2.3, 303 from 2.4 on."""
    status = 302 if state().config.api_version == "2.3" else 303
    return redirect(f"/{state().config.site}/check_mk/api/1.0{path}", status)


def http_error(error: HTTPException) -> Response:
    """Routing errors (404, 405) and undecodable bodies (400), rendered as Checkmk renders them."""
    status = error.code or 500
    return problem_response({"title": http.client.responses[status], "status": status, "detail": str(error)}, status)


def after_request(response: Response) -> Response:
    if request.blueprint == control.name:
        return response
    st = state()
    if g.get("user"):
        response.headers["X-Checkmk-Version"] = st.config.checkmk_version
        response.headers["X-Checkmk-Edition"] = st.config.edition
    with st.lock:
        rule = request.url_rule.rule.split("api_version>", 1)[-1] if request.url_rule else None
        st.requests.record(request.method, rule, request.full_path.rstrip("?"), response.status_code)
    return response


@api.url_value_preprocessor
def _served_site(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The central site serves every endpoint; a remote site only those registered with `remote=True`."""
    assert values is not None
    values.pop("api_version")
    g.site = values.pop("site")
    config = state().config
    if g.site not in config.sites or (g.site != config.site and endpoint not in REMOTE_ENDPOINTS):
        raise NotFound()


@api.before_request
def _authenticate_and_negotiate() -> None:
    g.user = authenticate(request.headers.get("Authorization", ""), state().config.users)
    accept = request.headers.get("Accept")
    if not accept:
        raise Problem(406, "Not Acceptable", "Please specify an Accept Header.")
    if request.accept_mimetypes.best_match(["application/json"]) is None:
        detail = (
            "Can not send a response with the content type specified in the 'Accept' Header. "
            f"Accept Header: {accept}. Supported content types: [application/json]"
        )
        raise Problem(406, "Not Acceptable", detail)


def authenticate(header: str, users: Mapping[str, str]) -> str:
    """The user name for `Bearer <user> <secret>` or `Basic base64(<user>:<secret>)`, else a 401 problem."""
    scheme, _sep, credentials = header.partition(" ")
    if scheme == "Bearer":
        user, separator, secret = credentials.strip().partition(" ")
        if not separator:
            raise _unauthorized("No user/password combination in Bearer token.")
    elif scheme == "Basic":
        try:
            user, separator, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            separator = ""
        if not separator:
            raise _unauthorized("Not a valid Basic token.")
    else:
        raise _unauthorized("Couldn't log in.")
    if not user:
        raise _unauthorized("Empty user not allowed.")
    if not secret:
        raise _unauthorized("Empty password not allowed.")
    if users.get(user) != secret:
        raise _unauthorized(f"Wrong credentials ({scheme} header)")
    return user


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail)


def json_body(check: v.Check) -> dict[str, Any]:
    """The request's JSON body after the Content-Type check (415) and validation (400)."""
    content_type = request.headers.get("Content-Type")
    if not content_type:
        raise Problem(415, UNSUPPORTED_MEDIA_TYPE, "No content-type specified. Possible value is: application/json")
    if request.mimetype != "application/json" or request.mimetype_params.get("charset", "utf-8").lower() != "utf-8":
        raise Problem(415, UNSUPPORTED_MEDIA_TYPE, f"Content-Type {content_type!r} not supported for this endpoint.")
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise BadRequest() from None
    validated: dict[str, Any] = v.validate(body, check)
    return validated


def query(**checks: v.Check) -> None:
    """Validate the given query parameters where present (400); others are ignored."""
    errors = {
        name: messages
        for name, check in checks.items()
        if name in request.args and (messages := check(request.args[name]))
    }
    if errors:
        raise field_problem(errors)


def flag(name: str) -> bool:
    return v.parse_boolean(request.args.get(name))


def require_etag(etag: str, ext: dict[str, Any] | None = None) -> None:
    """Checkmk's If-Match rule: missing -> 428; `*` or the current strong ETag passes; anything else -> 412."""
    if not request.if_match:
        raise Problem(
            428, "Precondition required", "If-Match header required for this operation. See documentation.", ext=ext
        )
    if not request.if_match.contains(etag):
        detail = f"ETag didn't match. Expected {etag}. Probable cause: Object changed by another user."
        raise Problem(412, "Precondition failed", detail, ext=ext)


def route(
    rule: str, method: str = "GET", versions: Collection[str] | None = None, *, remote: bool = False
) -> Callable[[View], View]:
    """Register an API view, served only in the given api_versions (else 404); with `remote`, by the remote
    sites' own APIs too (else only by the central site's)."""

    def register(view: View) -> View:
        api.add_url_rule(rule, view_func=_settled(view, versions), methods=[method])
        if remote:
            REMOTE_ENDPOINTS.add(f"{api.name}.{view.__name__}")
        return view

    return register


def control_route(rule: str, method: str = "GET") -> Callable[[View], View]:
    """Register a control endpoint (no authentication)."""

    def register(view: View) -> View:
        control.add_url_rule(rule, view_func=_settled(view), methods=[method])
        return view

    return register


def _settled(view: View, versions: Collection[str] | None = None) -> View:
    """The view, run holding the state's lock once the jobs that are due have finished."""

    @functools.wraps(view)
    def locked(**kwargs: str) -> Response:
        st = state()
        if versions is not None and st.config.api_version not in versions:
            raise NotFound()
        with st.lock:
            st.settle()
            return view(**kwargs)

    return locked


def path_host(name: str) -> Host:
    if messages := v.host_name(state(), should_exist=True, pattern=v.PATH_HOST_NAME_PATTERN)(name):
        raise field_problem({"host_name": messages}, status=404)
    return state().hosts[name]
