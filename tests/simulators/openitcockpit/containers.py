"""Containers (ContainersController): the tree's lists, nodes (`/containers/add`, `edit`, `delete`), and what
tenants, locations and host groups share: the validation of their container (ContainersTable) and the rule that
only an empty container can go (ContainersTable::allowDelete)."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model, tree
from .changelog import added, edited
from .errors import failed, forbidden, internal, invalid, not_allowed, not_found
from .listing import key_values
from .php import is_numeric, natural_key, to_string
from .protocol import answer, body, dig, route, state
from .state import State

BLANK = "This field cannot be left blank."
GROUP_TYPES = (6, 7, 8, 9, 10)  # contact, host, service, service template, resource groups: always deletable


def container_errors(st: State, data: dict[str, Any], *, own_id: int | None = None) -> dict[str, Any]:
    """ContainersTable::validationDefault on the data as sent: `name` not blank, at most 255 characters, unique
    among tenants only when the data says `containertype_id` 2; `parent_id` a number above 0 when sent."""
    errors: dict[str, Any] = {}
    if "name" in data:
        name = data["name"]
        if name in (None, ""):
            errors["name"] = {"_empty": BLANK}
        elif not isinstance(name, (str, int, float, bool)):
            errors["name"] = {"scalar": "The provided value must be scalar"}
        elif len(to_string(name)) > 255:
            errors["name"] = {"maxLength": "The provided value must be at most `255` characters long"}
        elif str(data.get("containertype_id")) == str(tree.CT_TENANT) and _tenant_name_taken(
            st, to_string(name), own_id
        ):
            errors["name"] = {"custom": "This name already exists."}
    if "parent_id" in data:
        parent = data["parent_id"]
        if parent in (None, ""):
            errors["parent_id"] = {"_empty": BLANK}
        elif not is_numeric(parent):
            errors["parent_id"] = {"numeric": "The provided value must be numeric"}
        elif float(parent) <= 0:
            errors["parent_id"] = {"greaterThan": "The provided value must be greater than `0`"}
    return errors


def _tenant_name_taken(st: State, name: str, own_id: int | None) -> bool:
    return any(
        c["containertype_id"] == tree.CT_TENANT and c["name"].casefold() == name.casefold() and c["id"] != own_id
        for c in st.containers.values()
    )


def add_container(st: State, data: dict[str, Any], containertype_id: Any) -> dict[str, Any]:
    """Save a new container below `data["parent_id"]` (None: a new top-level one): as the last child, as
    TreeBehavior does. A name or type the database cannot take (missing, not a number) is a 500; a parent that
    does not exist a 404 (RecordNotFoundException, debug off)."""
    if data.get("name") is None:
        raise internal()
    try:
        type_id = int(containertype_id)
    except (TypeError, ValueError):
        raise internal() from None
    parent = data.get("parent_id")
    parent_id = int(float(parent)) if parent is not None else None
    if parent_id is not None and parent_id not in st.containers:
        raise not_found("Not Found")
    container_id = st.new_id("container", st.containers)
    row = {"id": container_id, "containertype_id": type_id, "name": to_string(data["name"]), "parent_id": parent_id}
    st.containers[container_id] = {**row, "lft": 0, "rght": 0}
    tree.renumber(st.containers)
    return st.containers[container_id]


def allow_delete(st: State, container_id: int) -> bool:
    """A group container always; a host container only without containers that may hold hosts below it, and
    without hosts, host templates or host groups of its own."""
    container = st.containers[container_id]
    if container["containertype_id"] in GROUP_TYPES:
        return True
    below = tree.descendants(st.containers, container_id)
    if any(c["containertype_id"] in tree.HOST_CONTAINER_TYPES for c in below):
        return False
    holds_host = any(host["container_id"] == container_id for host in st.hosts.values())
    holds_template = any(t["container_id"] == container_id for t in st.hosttemplates.values())
    holds_group = any(st.containers[g["container_id"]]["parent_id"] == container_id for g in st.hostgroups.values())
    return not (holds_host or holds_template or holds_group)


def drop_container(st: State, container_id: int) -> None:
    """Delete the container and what hangs on it: tenants, locations and host groups go with theirs."""
    gone = set(tree.delete(st.containers, container_id))
    for table in (st.tenants, st.locations):
        for row_id in [row_id for row_id, row in table.items() if row["container_id"] in gone]:
            del table[row_id]
    for group_id in [gid for gid, group in st.hostgroups.items() if group["container_id"] in gone]:
        drop_hostgroup(st, group_id)


def drop_hostgroup(st: State, group_id: int) -> None:
    del st.hostgroups[group_id]
    for member in [*st.hosts.values(), *st.hosttemplates.values()]:
        member["hostgroups"] = [gid for gid in member["hostgroups"] if gid != group_id]


def paths(st: State, types: tuple[int, ...] = tree.HOST_CONTAINER_TYPES) -> dict[int, str]:
    return {cid: tree.path(st.containers, cid) for cid, c in st.containers.items() if c["containertype_id"] in types}


def int_id(text: Any) -> int | None:
    """A route's id as PHP reads it: digits only, else nothing matches."""
    return int(text) if isinstance(text, str) and text.isdigit() else None


# --- Lists ------------------------------------------------------------------------------------------


@route("/containers/loadContainers", angular="405")
def load_containers() -> Response:
    """Host containers (root, tenants, locations, nodes) with their paths, natcasesort by path."""
    found = sorted(paths(state()).items(), key=lambda item: natural_key(item[1]))
    return answer({"containers": key_values(found)})


@route("/containers/loadContainersForAngular", angular="405")
def load_containers_for_angular() -> Response:
    """The same containers, asort by path (case-sensitive); a root user writes everywhere."""
    found = sorted(paths(state()).items(), key=lambda item: item[1])
    return answer({"containers": key_values(found)})


@route("/hosts/loadContainers", angular="405")
def load_host_containers() -> Response:
    """The containers a host may go in: for a root user all host containers."""
    found = sorted(paths(state()).items(), key=lambda item: item[1])
    return answer({"containers": key_values(found)})


@route("/containers/view/<container_id>")
def view_container(container_id: str) -> Response:
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise not_found("Invalid container")
    return answer({"container": tree.row(st.containers[cid])})


@route("/containers/loadContainersByContainerId/<container_id>")
def load_containers_by_container_id(container_id: str) -> Response:
    """`{"nest": [{"Container": {...}, "children": [...]}]}`: the container and everything below it."""
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise not_found("Container not found")
    top = {**_nest_row(st, st.containers[cid]), "elements": _elements(st.containers[cid])}
    below = tree.descendants(st.containers, cid)
    return answer({"nest": [{"Container": top, "children": _nest(st, below, cid)}]})


def _nest(st: State, rows: list[dict[str, Any]], parent_id: int) -> list[dict[str, Any]]:
    return [
        {"Container": _nest_row(st, row, child=True), "children": _nest(st, rows, row["id"])}
        for row in rows
        if row["parent_id"] == parent_id
    ]


def _nest_row(st: State, container: dict[str, Any], *, child: bool = False) -> dict[str, Any]:
    """A row of the nest: `linkedId` is the tenant's or location's id (else the container's); a child that may hold
    hosts counts the `elements` below it, a host group's counts its hosts and templates."""
    row: dict[str, Any] = tree.row(container)
    if not child:
        row["linkedId"] = _linked_id(st, container)
    row["allowEdit"] = True
    if child and container["containertype_id"] in tree.HOST_CONTAINER_TYPES:
        row["linkedId"] = _linked_id(st, container)
    if child and container["containertype_id"] in tree.HOST_CONTAINER_TYPES:
        row["elements"] = _elements(container)
    if child and container["containertype_id"] == tree.CT_HOSTGROUP:
        group = next((g for g in st.hostgroups.values() if g["container_id"] == container["id"]), None)
        if group is not None:
            row["linkedId"] = group["id"]
            row["hosts"] = sum(group["id"] in h["hostgroups"] for h in st.hosts.values())
            row["hosttemplates"] = sum(group["id"] in t["hostgroups"] for t in st.hosttemplates.values())
    return row


def _linked_id(st: State, container: dict[str, Any]) -> int:
    tables = {tree.CT_TENANT: st.tenants, tree.CT_LOCATION: st.locations}
    table = tables.get(container["containertype_id"], {})
    return next((row_id for row_id, row in table.items() if row["container_id"] == container["id"]), container["id"])


def _elements(container: dict[str, Any]) -> int:
    """(rght - lft) / 2 - 0.5: a whole number, which PHP's JSON writes without a fraction."""
    return (container["rght"] - container["lft"] - 1) // 2


# --- Nodes ------------------------------------------------------------------------------------------


@route("/containers/add", ("GET", "POST", "PUT", "DELETE", "PATCH"))
def add_node() -> Response:
    """`{"Container": {"parent_id", "name", "containertype_id"}}`; the type is not checked (any will do)."""
    if request.method == "GET":
        return answer()
    if request.method not in ("POST", "PUT"):
        raise not_allowed()
    st = state()
    data = dig(body(), "Container")
    data = data if isinstance(data, dict) else {}
    errors = container_errors(st, data)
    if errors:
        raise invalid(errors)
    container = add_container(st, data, data.get("containertype_id"))
    changes = added({"container": {"name": container["name"]}})
    st.log_change("add", "Container", container["id"], model.OBJECT_NODE, container["name"], _ids(container), changes)
    return answer({"id": container["id"]})


@route("/containers/edit", ("GET", "POST", "PUT"), angular="empty")
def rename_node() -> Response:
    """`{"Container": {"id", "name"}}`: a rename (`id` and `parent_id` cannot be changed)."""
    if request.method != "POST":
        return answer()
    st = state()
    data = dig(body(), "Container")
    data = data if isinstance(data, dict) else {}
    container_id = int_id(str(data.get("id", "")))
    if container_id is None or container_id not in st.containers:
        raise not_found("Invalid container")
    container = st.containers[container_id]
    errors = container_errors(st, data, own_id=container_id)
    if errors:
        raise invalid(errors)
    before = {"container": {"name": container["name"]}}
    if data.get("name") is not None:
        container["name"] = to_string(data["name"])
    if "containertype_id" in data:
        container["containertype_id"] = _type_id(data["containertype_id"])
    changes = edited(before, {"container": {"name": container["name"]}})
    if changes:
        st.log_change("edit", "Container", container_id, model.OBJECT_NODE, container["name"], _ids(container), changes)
    return answer({"id": container_id})


def _type_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise internal() from None


def _ids(container: dict[str, Any]) -> list[int]:
    return [cid for cid in (container["parent_id"], container["id"]) if cid is not None]


@route("/containers/delete/<container_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_node(container_id: str) -> Response:
    """Any container (the method is not checked); one the user cannot write, or that does not exist, is a 403."""
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise forbidden()
    if not allow_delete(st, cid):
        raise failed(400, success=False, message="Container is not empty", containerId=container_id, id=container_id)
    container = st.containers[cid]
    drop_container(st, cid)
    st.log_change("delete", "Container", cid, model.OBJECT_NODE, container["name"], _ids(container))
    return answer({"success": True})
