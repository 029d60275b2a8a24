"""Host groups (HostgroupsController): a group's name is its container's (type 7, below the container that owns
it). Members are hosts and host templates; a host's own list is what `Host.hostgroups._ids` writes, so a host that
inherits its template's groups is no member here."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model, tree
from .changelog import added, edited
from .containers import add_container, container_errors, drop_container, int_id
from .errors import internal, invalid, not_allowed, not_found
from .listing import Filters, key_values, order, paginate
from .php import natural_key, to_string
from .protocol import angular_post, answer, body, dig, is_angular, route, state
from .state import State

AJAX_LIMIT = 150  # ITN_AJAX_LIMIT
_URL = re.compile(
    r"(?:(?:https?|ftps?|file|news|gopher)://)?(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?"
    r"|(?:(?:https?|ftps?)://)?(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
INDEX_FILTERS = {
    "Containers.name": ("like", lambda row: row["container"]["name"]),
    "Hostgroups.description": ("like", lambda row: row["description"]),
    "Hostgroups.id": ("equals", lambda row: row["id"]),
    "Containers.parent_id": ("equals", lambda row: row["container"]["parent_id"]),
}


def group_row(st: State, group: dict[str, Any]) -> dict[str, Any]:
    return {**group, "container": tree.row(st.containers[group["container_id"]])}


def members(st: State, group_id: int) -> dict[str, dict[str, list[int]]]:
    hosts = [host_id for host_id, host in st.hosts.items() if group_id in host["hostgroups"]]
    templates = [tid for tid, template in st.hosttemplates.items() if group_id in template["hostgroups"]]
    return {"hosts": {"_ids": hosts}, "hosttemplates": {"_ids": templates}}


def group_name(st: State, group_id: int) -> str:
    return str(st.containers[st.hostgroups[group_id]["container_id"]]["name"])


def _group(st: State, group_id: str) -> dict[str, Any]:
    found = st.hostgroups.get(int_id(group_id) or 0)
    if found is None:
        raise not_found("Invalid Hostgroup")
    return found


@route("/hostgroups/index", angular="empty")
def hostgroup_index() -> Response:
    st = state()
    rows = Filters(request.args).apply([group_row(st, g) for g in st.hostgroups.values()], INDEX_FILTERS)
    columns = {
        "Containers.name": lambda row: row["container"]["name"],
        "Hostgroups.id": lambda row: row["id"],
        "Hostgroups.description": lambda row: row["description"],
    }
    rows = order(rows, request.args, columns, [("Containers.name", "asc")])
    chosen, block = paginate(rows, request.args)
    flags = {"allowEdit": True, "hasSLAHosts": False, "additionalInformationExists": False}
    return answer({"all_hostgroups": [{**row, **flags} for row in chosen], **block})


@route("/hostgroups/loadHostgroupsByString", angular="405")
def load_hostgroups_by_string() -> Response:
    """LIKE on the name (the index's filters), at most 150, plus the `selected[]` ids; natural order by name."""
    st = state()
    selected = {int(value) for value in request.args.getlist("selected[]") if value.isdigit()}
    rows = [group_row(st, g) for gid, g in st.hostgroups.items() if gid not in selected]
    rows = Filters(request.args).apply(rows, INDEX_FILTERS)
    rows.sort(key=lambda row: (row["container"]["name"].casefold(), row["id"]))
    rows = rows[:AJAX_LIMIT] + [group_row(st, st.hostgroups[gid]) for gid in selected if gid in st.hostgroups]
    rows.sort(key=lambda row: natural_key(row["container"]["name"]))
    return answer({"hostgroups": key_values((row["id"], row["container"]["name"]) for row in rows)})


@route("/hostgroups/view/<group_id>")
def view_hostgroup(group_id: str) -> Response:
    st = state()
    return answer({"hostgroup": group_row(st, _group(st, group_id))})


def hostgroup_errors(st: State, data: dict[str, Any], container: dict[str, Any]) -> dict[str, Any]:
    """HostgroupsTable: `description` and `hostgroup_url` at most 255, the URL valid; then the container's."""
    errors: dict[str, Any] = {}
    for field in ("description", "hostgroup_url"):
        value = data.get(field)
        if isinstance(value, str) and len(value) > 255:
            errors[field] = {"maxLength": "The provided value must be at most `255` characters long"}
    url = data.get("hostgroup_url")
    if url not in (None, "") and not _URL.fullmatch(str(url)):
        errors.setdefault("hostgroup_url", {})["url"] = "Not a valid URL."
    if container_problems := container_errors(st, container):
        errors["container"] = container_problems
    return errors


def _ids(data: dict[str, Any], relation: str, table: dict[int, Any]) -> list[int] | None:
    """`<relation>._ids` as the marshaller loads them (`WHERE id IN (...)`): unknown ids dropped; None when not
    sent."""
    ids = dig(data, relation, "_ids")
    if not isinstance(ids, list):
        return None
    return sorted({int(i) for i in ids if str(i).isdigit() and int(i) in table})


def set_members(st: State, group_id: int, hosts: list[int] | None, templates: list[int] | None) -> None:
    """Replace the group's members (a relation not sent stays as it is)."""
    for wanted, table in ((hosts, st.hosts), (templates, st.hosttemplates)):
        if wanted is None:
            continue
        for member_id, member in table.items():
            listed = group_id in member["hostgroups"]
            if member_id in wanted and not listed:
                member["hostgroups"] = [*member["hostgroups"], group_id]
            elif member_id not in wanted and listed:
                member["hostgroups"] = [gid for gid in member["hostgroups"] if gid != group_id]


def tracked(st: State, group_id: int) -> dict[str, Any]:
    """What the changelog compares for a host group."""
    group = st.hostgroups[group_id]
    listed = members(st, group_id)
    return {
        "Hostgroup": {"description": group["description"], "hostgroup_url": group["hostgroup_url"]},
        "Hostgroup.container": {"name": group_name(st, group_id)},
        "Host": [{"id": i, "name": st.hosts[i]["name"]} for i in listed["hosts"]["_ids"]],
        "Hosttemplate": [{"id": i, "name": st.hosttemplates[i]["name"]} for i in listed["hosttemplates"]["_ids"]],
    }


def _hostgroup_data() -> dict[str, Any]:
    data = dig(body(), "Hostgroup")
    data = data if isinstance(data, dict) else {}
    if not isinstance(data.get("container"), dict):
        raise internal()  # $hostgroup->get('container')->set(...) on null
    return data


@route("/hostgroups/add", ("GET", "POST", "PUT"))
def add_hostgroup() -> Response:
    """`{"Hostgroup": {"description", "hostgroup_url", "container": {"name", "parent_id"}, "hosts": {"_ids"},
    "hosttemplates": {"_ids"}}}`: any parent will do, names may repeat. A POST needs no `angular`."""
    if request.method != "POST":
        return answer()
    st = state()
    data = _hostgroup_data()
    errors = hostgroup_errors(st, data, data["container"])
    if errors:
        raise invalid(errors)
    container = add_container(st, data["container"], tree.CT_HOSTGROUP)
    group_id = st.new_id("hostgroup", st.hostgroups)
    st.hostgroups[group_id] = {
        "id": group_id,
        "uuid": model.new_uuid(),
        "container_id": container["id"],
        "description": data.get("description") or "",
        "hostgroup_url": data.get("hostgroup_url"),
    }
    set_members(st, group_id, _ids(data, "hosts", st.hosts), _ids(data, "hosttemplates", st.hosttemplates))
    parent = [container["parent_id"]] if container["parent_id"] is not None else []
    changes = added(tracked(st, group_id))
    st.log_change("add", "Hostgroup", group_id, model.OBJECT_HOSTGROUP, container["name"], parent, changes)
    return answer({"id": group_id})


@route("/hostgroups/edit/<group_id>", ("GET", "POST", "PUT"))
def edit_hostgroup(group_id: str) -> Response:
    """GET (with `angular`): `{"hostgroup": {"Hostgroup": {..., "hosts": {"_ids"}, "hosttemplates": {"_ids"}}}}`.
    POST (with `angular`): the fields sent change; `hosts._ids` replaces the members, a missing `hosts` leaves
    them; the container can be renamed (and moved by `parent_id`)."""
    st = state()
    group = _group(st, group_id)
    if request.method == "GET" and is_angular():
        return answer({"hostgroup": {"Hostgroup": {**group_row(st, group), **members(st, group["id"])}}})
    if not angular_post():
        return answer()
    data = _hostgroup_data()
    container = st.containers[group["container_id"]]
    errors = hostgroup_errors(st, data, data["container"])
    if errors:
        raise invalid(errors)
    before = tracked(st, group["id"])
    group.update({field: data[field] for field in ("description", "hostgroup_url") if field in data})
    _patch_container(st, container, data["container"])
    set_members(st, group["id"], _ids(data, "hosts", st.hosts), _ids(data, "hosttemplates", st.hosttemplates))
    changes = edited(before, tracked(st, group["id"]))
    if changes:
        parent = [container["parent_id"]] if container["parent_id"] is not None else []
        st.log_change("edit", "Hostgroup", group["id"], model.OBJECT_HOSTGROUP, container["name"], parent, changes)
    return answer({"id": group["id"]})


def _patch_container(st: State, container: dict[str, Any], data: dict[str, Any]) -> None:
    if data.get("name") is not None:
        container["name"] = to_string(data["name"])
    parent = data.get("parent_id")
    if parent is not None and int(float(parent)) != container["parent_id"]:
        if int(float(parent)) not in st.containers:
            raise not_found("Not Found")
        container["parent_id"] = int(float(parent))
        tree.renumber(st.containers)


@route("/hostgroups/delete/<group_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_hostgroup(group_id: str) -> Response:
    """Members do not keep a group: it always goes, with its container."""
    if request.method != "POST":
        raise not_allowed()
    st = state()
    group = _group(st, group_id)
    container = st.containers[group["container_id"]]
    drop_container(st, container["id"])
    parent = [container["parent_id"]] if container["parent_id"] is not None else []
    st.log_change("delete", "Hostgroup", group["id"], model.OBJECT_HOSTGROUP, container["name"], parent)
    return answer({"success": True})
