"""The Flask app: the Checkmk REST API of one site, plus control endpoints for tests under /_simulator.

Setup (version, sites, folders, hosts) is served from here; activation.py, clusters.py, discovery.py, downtimes.py
and rename.py serve theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, g, request
from werkzeug.wrappers import Response

# Each of these modules registers its routes when imported.
from . import activation, clusters, discovery, downtimes, faults, rename  # noqa: F401  # pylint: disable=unused-import
from . import validation as v
from .config import SimulatorConfig
from .problem import Problem, field_problem
from .protocol import (
    control_route,
    flag,
    init_app,
    json_body,
    json_response,
    no_content,
    path_host,
    query,
    renderer,
    require_etag,
    route,
    state,
)
from .state import Attributes, Folder, Host, State, hash_of_dict

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def create_app(config: SimulatorConfig | None = None) -> Flask:
    """A WSGI app simulating the site `config.site`; its State is `app.extensions["checkmk_simulator"]`."""
    app = Flask(__name__)
    init_app(app, State(config or SimulatorConfig()))
    return app


# --- Path parameters ------------------------------------------------------------------------------


def path_folder(ident: str) -> Folder:
    if messages := v.folder(state())(ident):
        raise field_problem({"folder": messages}, status=404)
    return existing_folder(ident)


def existing_folder(ident: str) -> Folder:
    folder = state().folder(ident)
    assert folder is not None, f"validated folder {ident!r} vanished"
    return folder


# --- Version, sites, pending changes --------------------------------------------------------------


@route("/version", remote=True)
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
    require_etag(hash_of_dict(found.etag_values()))
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
    require_etag(hash_of_dict(found.etag_values()))
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
    if body.get("attributes") and state().config.api_version in ("2.3", "2.4"):
        # Host.edit(attributes, None): replacing the attributes drops the nodes, a cluster becomes a plain host
        # (fixed in 2.5.0b1, werk "REST-API: Update hosts no longer modifies cluster nodes").
        host.cluster_nodes = None
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
    for race in st.before_bulk_create:  # created by someone else between the client's read and this request
        if race["host_name"] not in st.hosts:
            st.create_host(race["host_name"], existing_folder(race.get("folder", "/")), {}, race["user_id"])
    st.before_bulk_create.clear()
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
    require_etag(hash_of_dict(host.etag_values()), ext=host.etag_values())
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
    require_etag(hash_of_dict(host.etag_values()), ext=host.etag_values())
    target = existing_folder(body["target_folder"])
    if target is host.folder:
        raise Problem(400, "Invalid move action", "The host is already part of the specified target folder")
    state().move_host(host, target, g.user)
    return host_response(host)


# --- Control endpoints (no authentication) --------------------------------------------------------


@control_route("/state")
def show_state() -> Response:
    st = state()
    return json_response(
        {
            "config": {
                "site": st.config.site,
                "remote_sites": list(st.config.remote_sites),
                "api_version": st.config.api_version,
                "checkmk_version": st.config.checkmk_version,
                "edition": st.config.edition,
                "users": list(st.config.users),
                **timings(st),
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
            "pending_changes": [change.detailed() for change in st.changes],
            **activation.state_json(st),
            **discovery.state_json(st),
            **downtimes.state_json(st),
            "fault_rules": st.faults.json(),
            "request_counts": dict(st.requests.counts),
            "requests": st.requests.entries,
        }
    )


def timings(st: State) -> dict[str, float]:
    return {"activation_seconds": st.activation_seconds, "discovery_seconds": st.discovery_seconds}


@control_route("/reset", "POST")
def reset_state() -> Response:
    state().reset()
    return no_content()


@control_route("/config", "POST")
def configure() -> Response:
    """How long activations and discovery jobs started from now on take: `{"activation_seconds"?,
    "discovery_seconds"?}`."""
    st = state()
    body = v.validate(request.get_json(silent=True), v.timings_body())
    st.activation_seconds = body.get("activation_seconds", st.activation_seconds)
    st.discovery_seconds = body.get("discovery_seconds", st.discovery_seconds)
    return json_response(timings(st))


@control_route("/request_counts")
def show_request_counts() -> Response:
    """The API requests served since the last reset, per endpoint: `{"GET /objects/host_config/{host_name}": 3}`."""
    return json_response(dict(state().requests.counts))


@control_route("/request_counts", "DELETE")
def clear_request_counts() -> Response:
    """Start counting (and logging) requests afresh, keeping everything else."""
    st = state()
    with st.lock:
        st.requests.clear()
    return no_content()


@control_route("/hooks/before_bulk_create", "POST")
def add_host_before_bulk_create() -> Response:
    """A host, `{"host_name", "user_id", "folder"?: "/a/b"}`, that another user creates right before the next
    bulk-create request is processed: if that request creates it too, it fails for that host ("Some actions
    failed"), as when a colleague was quicker."""
    st = state()
    body = v.validate(request.get_json(silent=True), v.race_host_body(st))
    st.before_bulk_create.append(body)
    return no_content()


@control_route("/pending_changes", "POST")
def add_pending_change() -> Response:
    """A change as if another user had made one: `{"user_id", "action_name"?, "text"?, "sites"?}`."""
    st = state()
    change = st.add_change_as(v.validate(request.get_json(silent=True), v.change_body(st)))
    return json_response(change.detailed(), 201)
