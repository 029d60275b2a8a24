"""The Flask app: the Checkmk REST API of one site, plus control endpoints for tests under /_simulator."""

from __future__ import annotations

import base64
import binascii
import functools
import http.client
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.wrappers import Response

from . import validation as v
from .config import SimulatorConfig
from .problem import Problem, field_problem
from .render import Renderer
from .state import Attributes, Folder, Host, State, hash_of_dict

STATE_KEY = "checkmk_simulator"
UNSUPPORTED_MEDIA_TYPE = "Content type not valid for this endpoint."
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

api = Blueprint("api", __name__, url_prefix="/<site>/check_mk/api/<any('1.0', 'v1'):api_version>")
control = Blueprint("control", __name__, url_prefix="/_simulator")
View = Callable[..., Response]


def create_app(config: SimulatorConfig | None = None) -> Flask:
    """A WSGI app simulating the site `config.site`; its State is `app.extensions["checkmk_simulator"]`."""
    app = Flask(__name__)
    app.extensions[STATE_KEY] = State(config or SimulatorConfig())
    app.register_blueprint(api)
    app.register_blueprint(control)
    app.register_error_handler(Problem, lambda problem: problem_response(problem.body, problem.status))
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_after_request)
    return app


def state() -> State:
    simulated: State = current_app.extensions[STATE_KEY]
    return simulated


def renderer() -> Renderer:
    return Renderer(state(), request.host_url)


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


def _http_error(error: HTTPException) -> Response:
    """Routing errors (404, 405) and undecodable bodies (400), rendered as Checkmk renders them."""
    status = error.code or 500
    return problem_response({"title": http.client.responses[status], "status": status, "detail": str(error)}, status)


def _after_request(response: Response) -> Response:
    if request.blueprint == control.name:
        return response
    st = state()
    if g.get("user"):
        response.headers["X-Checkmk-Version"] = st.config.checkmk_version
        response.headers["X-Checkmk-Edition"] = st.config.edition
    with st.lock:
        if request.url_rule:
            operation = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", request.url_rule.rule.split("api_version>", 1)[-1])
            st.request_counts[f"{request.method} {operation}"] += 1
        st.request_log.append(
            {"method": request.method, "path": request.full_path.rstrip("?"), "status": response.status_code}
        )
    return response


@api.url_value_preprocessor
def _only_the_central_site(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    assert values is not None
    values.pop("api_version")
    if values.pop("site") != state().config.site:
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


def require_etag(values: dict[str, Any], ext: dict[str, Any] | None = None) -> None:
    """Checkmk's If-Match rule: missing -> 428; `*` or the current strong ETag passes; anything else -> 412."""
    etag = hash_of_dict(values)
    if not request.if_match:
        raise Problem(
            428, "Precondition required", "If-Match header required for this operation. See documentation.", ext=ext
        )
    if not request.if_match.contains(etag):
        detail = f"ETag didn't match. Expected {etag}. Probable cause: Object changed by another user."
        raise Problem(412, "Precondition failed", detail, ext=ext)


def route(rule: str, method: str = "GET") -> Callable[[View], View]:
    """Register an API view; it runs holding the state's lock."""

    def register(view: View) -> View:
        @functools.wraps(view)
        def locked(**kwargs: str) -> Response:
            with state().lock:
                return view(**kwargs)

        api.add_url_rule(rule, view_func=locked, methods=[method])
        return view

    return register


# --- Path parameters ------------------------------------------------------------------------------


def path_host(name: str) -> Host:
    if messages := v.host_name(state(), should_exist=True, pattern=v.PATH_HOST_NAME_PATTERN)(name):
        raise field_problem({"host_name": messages}, status=404)
    return state().hosts[name]


def path_folder(ident: str) -> Folder:
    if messages := v.folder(state())(ident):
        raise field_problem({"folder": messages}, status=404)
    return existing_folder(ident)


def existing_folder(ident: str) -> Folder:
    folder = state().folder(ident)
    assert folder is not None, f"validated folder {ident!r} vanished"
    return folder


# --- Version, sites, pending changes --------------------------------------------------------------


@route("/version")
def show_version() -> Response:
    return json_response(renderer().version())


@route("/domain-types/site_connection/collections/all")
def list_sites() -> Response:
    render = renderer()
    return json_response(render.collection("site_connection", [render.site(site) for site in state().config.sites]))


@route("/objects/site_connection/<site_id>")
def show_site(site_id: str) -> Response:
    if site_id not in state().config.sites:
        raise field_problem({"site_id": [f"The site {site_id!r} should exist but it doesn't."]}, status=404)
    return json_response(renderer().site(site_id))


@route("/domain-types/activation_run/collections/pending_changes")
def list_pending_changes() -> Response:
    return json_response(renderer().pending_changes(), etag=state().changes_etag())


# --- Folders --------------------------------------------------------------------------------------


def folder_response(folder: Folder, *, show_hosts: bool = False) -> Response:
    return json_response(renderer().folder(folder, show_hosts=show_hosts), etag=hash_of_dict(folder.etag_values()))


@route("/domain-types/folder_config/collections/all", "POST")
def create_folder() -> Response:
    body = json_body(v.create_folder_body(state()))
    parent, name = existing_folder(body["parent"]), body.get("name")
    if name in parent.children:
        raise Problem(400, "A problem occurred.", f"A folder with name {name!r} already exists.")
    name = name or available_folder_name(body["title"], parent)
    return folder_response(state().create_folder(parent, name, body["title"], body.get("attributes", {}), g.user))


def available_folder_name(title: str, parent: Folder) -> str:
    """The directory name Checkmk derives from a title: lower case ASCII, `-2`, `-3`, ... on collisions."""
    base = re.sub(r"[^a-z0-9_-]", "_", title.lower().translate(_UMLAUTS)) or "folder"  # an empty title needs a name
    name, counter = base, 1
    while name in parent.children:
        counter += 1
        name = f"{base}-{counter}"
    return name


@route("/domain-types/folder_config/collections/all")
def list_folders() -> Response:
    query(parent=v.folder(state(), v.TARGET_FOLDER_PATTERN), recursive=v.query_boolean, show_hosts=v.query_boolean)
    parent = existing_folder(request.args.get("parent", "/"))
    folders = parent.walk() if flag("recursive") else parent.children.values()
    render, show_hosts = renderer(), flag("show_hosts")
    return json_response(render.collection("folder_config", [render.folder(f, show_hosts=show_hosts) for f in folders]))


@route("/objects/folder_config/<folder>")
def show_folder(folder: str) -> Response:
    found = path_folder(folder)
    query(show_hosts=v.query_boolean)
    return folder_response(found, show_hosts=flag("show_hosts"))


@route("/objects/folder_config/<folder>", "PUT")
def update_folder(folder: str) -> Response:
    found = path_folder(folder)
    body = json_body(v.update_folder_body(state()))
    require_etag(found.etag_values())
    attributes, missing = updated_attributes(found.attributes, body)
    if missing:
        detail = f"The following attributes did not exist and could thereforenot be removed: {', '.join(missing)}"
        raise Problem(400, "The folder was not updated", detail)
    state().edit_folder(found, body.get("title", found.title), attributes, g.user)
    return folder_response(found)


@route("/objects/folder_config/<folder>", "DELETE")
def delete_folder(folder: str) -> Response:
    found = path_folder(folder)
    query(delete_mode=v.one_of(("recursive", "abort_on_nonempty")))
    if found.parent is None:
        raise Problem(401, "Problem deleting folder.", "Deleting the root folder is not permitted.")
    if request.args.get("delete_mode") == "abort_on_nonempty" and (found.hosts or found.children):
        detail = "Folder is not empty or is referenced by another object. Use the force parameter to delete it."
        raise Problem(409, "Problem deleting folder.", detail)
    state().delete_folder(found, g.user)
    return no_content()


@route("/objects/folder_config/<folder>/actions/move/invoke", "POST")
def move_folder(folder: str) -> Response:
    found = path_folder(folder)
    body = json_body(v.move_folder_body(state()))
    require_etag(found.etag_values())
    target = existing_folder(body["destination"])
    if found.parent is None:
        raise Problem(400, "Problem moving folder", "You can't move the root folder.")
    if error := folder_move_error(found, target):
        raise Problem(400, "Problem moving folder.", f"Cannot move folder: {error}")
    state().move_folder(found, target, g.user)
    return folder_response(found)


def folder_move_error(folder: Folder, target: Folder) -> str | None:
    """Checkmk's checks, in its order (moving to the own parent fails the first one)."""
    if folder.name in target.children:
        return "A folder with this name already exists in the target folder."
    if target is folder:
        return "A folder cannot be moved into itself."
    if folder in target.chain():
        return "A folder cannot be moved into a folder within itself."
    return None


@route("/objects/folder_config/<folder>/collections/hosts")
def hosts_of_folder(folder: str) -> Response:
    found = path_folder(folder)
    query(effective_attributes=v.query_boolean)
    return json_response(renderer().hosts(found.hosts.values(), effective=flag("effective_attributes")))


# --- Hosts ----------------------------------------------------------------------------------------


def host_response(host: Host, *, effective: bool = False) -> Response:
    return json_response(renderer().host(host, effective=effective), etag=hash_of_dict(host.etag_values()))


def updated_attributes(current: Attributes, body: Mapping[str, Any]) -> tuple[Attributes, list[str]]:
    """Apply the one of attributes (replace), update_attributes (merge) or remove_attributes given; empty ones
    change nothing. Also returns the names asked to be removed that were not set."""
    current = {key: value for key, value in current.items() if key != "meta_data"}
    if body.get("attributes"):
        return body["attributes"], []
    if body.get("update_attributes"):
        return {**current, **body["update_attributes"]}, []
    remove = body.get("remove_attributes") or []
    return {key: value for key, value in current.items() if key not in remove}, [n for n in remove if n not in current]


def edit_host(host: Host, body: Mapping[str, Any]) -> list[str]:
    """Apply an update body as Checkmk does: the names set are removed even when others were not set."""
    attributes, missing = updated_attributes(host.attributes, body)
    if body.get("attributes") or body.get("update_attributes"):
        state().set_host_attributes(host, attributes, g.user, "Modified host %s.")
    elif len(missing) < len(body.get("remove_attributes") or []):
        state().set_host_attributes(host, attributes, g.user, "Removed explicit attributes of host %s.")
    return missing


def bulk_response(succeeded: Iterable[Host], failed: dict[str, str]) -> Response:
    collection = renderer().hosts(succeeded)
    if failed:
        detail = (
            f"Some of the actions were performed but the following were faulty and were skipped: {' ,'.join(failed)}."
        )
        raise Problem(400, "Some actions failed", detail, ext={"succeeded_hosts": collection, "failed_hosts": failed})
    return json_response(collection)


@route("/domain-types/host_config/collections/all", "POST")
def create_host() -> Response:
    query(bake_agent=v.query_boolean)
    body = json_body(v.create_host_body(state()))
    folder = existing_folder(body["folder"])
    return host_response(state().create_host(body["host_name"], folder, body.get("attributes", {}), g.user))


@route("/domain-types/host_config/collections/all")
def list_hosts() -> Response:
    st = state()
    query(effective_attributes=v.query_boolean, include_links=v.query_boolean)
    names = request.args.getlist("hostnames")
    hosts = [st.hosts[name] for name in dict.fromkeys(names) if name in st.hosts] if names else st.hosts.values()
    if site := request.args.get("site"):
        hosts = [host for host in hosts if st.host_site(host) == site]
    return json_response(renderer().hosts(hosts, effective=flag("effective_attributes"), links=flag("include_links")))


@route("/domain-types/host_config/actions/bulk-create/invoke", "POST")
def bulk_create_hosts() -> Response:
    st = state()
    query(bake_agent=v.query_boolean)
    body = json_body(v.bulk_body(v.create_host_body(st)))
    created: list[Host] = []
    failed: dict[str, str] = {}
    for entry in body["entries"]:
        name = entry["host_name"]
        if existing := st.hosts.get(name):  # named twice in this request
            where = existing.folder.alias_path
            failed[name] = f"Validation failed: A host with the name {name} already exists in the folder {where}."
        else:
            created.append(st.create_host(name, existing_folder(entry["folder"]), entry.get("attributes", {}), g.user))
    return bulk_response(created, failed)


@route("/domain-types/host_config/actions/bulk-update/invoke", "PUT")
def bulk_update_hosts() -> Response:
    st = state()
    body = json_body(v.bulk_body(v.update_host_body(st, entry=True)))
    succeeded: list[Host] = []
    failed: dict[str, str] = {}
    for entry in body["entries"]:
        host = st.hosts[entry["host_name"]]
        if missing := edit_host(host, entry):
            failed[host.name] = f"Failed to remove {', '.join(missing)}"
        else:
            succeeded.append(host)
    return bulk_response(succeeded, failed)


@route("/domain-types/host_config/actions/bulk-delete/invoke", "POST")
def bulk_delete_hosts() -> Response:
    st = state()
    body = json_body(v.bulk_body(v.host_name(st, should_exist=True), min_items=1))
    for name in dict.fromkeys(body["entries"]):
        st.delete_host(st.hosts[name], g.user)
    return no_content()


@route("/objects/host_config/<host_name>")
def show_host(host_name: str) -> Response:
    host = path_host(host_name)
    query(effective_attributes=v.query_boolean)
    return host_response(host, effective=flag("effective_attributes"))


@route("/objects/host_config/<host_name>", "PUT")
def update_host(host_name: str) -> Response:
    host = path_host(host_name)
    body = json_body(v.update_host_body(state()))
    require_etag(host.etag_values(), ext=host.etag_values())
    if missing := edit_host(host, body):
        detail = f"The following attributes were not removed since they didn't exist: {', '.join(missing)}"
        raise Problem(400, "Some attributes were not removed", detail)
    return host_response(host)


@route("/objects/host_config/<host_name>", "DELETE")
def delete_host(host_name: str) -> Response:
    state().delete_host(path_host(host_name), g.user)
    return no_content()


@route("/objects/host_config/<host_name>/actions/move/invoke", "POST")
def move_host(host_name: str) -> Response:
    host = path_host(host_name)
    body = json_body(v.move_host_body(state()))
    require_etag(host.etag_values(), ext=host.etag_values())
    target = existing_folder(body["target_folder"])
    if target is host.folder:
        raise Problem(400, "Invalid move action", "The host is already part of the specified target folder")
    state().move_host(host, target, g.user)
    return host_response(host)


# --- Control endpoints (no authentication) --------------------------------------------------------


@control.get("/state")
def show_state() -> Response:
    st = state()
    with st.lock:
        return json_response(
            {
                "config": {
                    "site": st.config.site,
                    "remote_sites": list(st.config.remote_sites),
                    "api_version": st.config.api_version,
                    "checkmk_version": st.config.checkmk_version,
                    "edition": st.config.edition,
                    "users": list(st.config.users),
                },
                "folders": {
                    folder.slug: {"title": folder.title, "attributes": folder.attributes, "hosts": list(folder.hosts)}
                    for folder in st.root.walk()
                },
                "hosts": {
                    host.name: {
                        "folder": host.folder.slug,
                        "attributes": host.attributes,
                        "cluster_nodes": host.cluster_nodes,
                    }
                    for host in st.hosts.values()
                },
                "pending_changes": [{**change.public(), "sites": list(change.sites)} for change in st.changes],
                "request_counts": dict(st.request_counts),
                "requests": st.request_log,
            }
        )


@control.post("/reset")
def reset_state() -> Response:
    st = state()
    with st.lock:
        st.reset()
    return no_content()


@control.post("/pending_changes")
def add_pending_change() -> Response:
    """A change as if another user had made one: `{"user_id", "action_name"?, "text"?, "sites"?}`."""
    st = state()
    fields = {
        "user_id": v.string(),
        "action_name": v.string(),
        "text": v.string(),
        "sites": v.list_of(v.one_of(st.config.sites)),
    }
    body = v.validate(request.get_json(silent=True), v.obj(fields, required=("user_id",)))
    with st.lock:
        change = st.add_change(
            body.get("action_name", "edit-host"),
            body.get("text", f"Change made by {body['user_id']}."),
            body["user_id"],
            body.get("sites", st.config.sites),
        )
    return json_response({**change.public(), "sites": list(change.sites)}, 201)
