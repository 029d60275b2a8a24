"""Writing hosts (HostsController): add, edit (GET: the merged host to edit, POST: a full replacement), delete,
deactivate and enable. Nothing here makes a host monitored: that takes an export."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model
from .changelog import added, edited
from .containers import int_id
from .errors import failed, internal, invalid, not_allowed, not_found
from .hostgroups import group_name
from .hostvalidation import compared, errors_of
from .hostviews import merged, template_for_edit
from .listing import key_values
from .php import is_numeric, to_string, truthy
from .protocol import answer, body, dig, is_angular, route, state
from .state import State

Row = dict[str, Any]
INTEGERS = {
    "container_id",
    "hosttemplate_id",
    "command_id",
    "check_interval",
    "retry_interval",
    "max_check_attempts",
    "priority",
    "check_period_id",
    "notify_period_id",
    "freshness_threshold",
    "satellite_id",
    "host_type",
    "usage_flag",
    "sla_id",
    *(field for field in model.INHERITED if field.startswith(("notify_on_", "flap_detection_"))),
    "active_checks_enabled",
    "freshness_checks_enabled",
    "notifications_enabled",
}
TRACKED = (
    "name",
    "address",
    "description",
    "check_interval",
    "retry_interval",
    "max_check_attempts",
    "notification_interval",
    "notify_on_down",
    "notify_on_unreachable",
    "notify_on_recovery",
    "notify_on_flapping",
    "notify_on_downtime",
    "notes",
    "priority",
    "tags",
    "host_url",
    "active_checks_enabled",
    "freshness_checks_enabled",
    "freshness_threshold",
    "notifications_enabled",
)
# usage_flag bits: the modules that use a host (HostsTable::__delete's usedBy).
USED_BY = {
    1: ("AUTOREPORT_MODULE", "AutoreportsHostUsedBy", "Used by Autoreport module", "AutoreportModule"),
    2: (
        "EVENTCORRELATION_MODULE",
        "EventcorrelationsHostUsedBy",
        "Used by Eventcorrelation module",
        "EventcorrelationModule",
    ),
    4: ("IMPORT_MODULE", "", "", ""),
    8: ("SLA_MODULE", "", "", ""),
    16: ("SCM_MODULE", "", "", ""),
}


STRINGS = {"name", "address", "description", "notes", "tags", "host_url"}


def _stored(value: Any, field: str) -> Any:
    """What the database keeps: integer columns as numbers, text columns as text."""
    if field in INTEGERS and is_numeric(value):
        return int(float(value))
    if field in STRINGS and value is not None:
        return to_string(value)
    return value


def _known(ids: list[Any], table: dict[int, Any]) -> list[int]:
    """`_ids` as the marshaller loads them: the ones that exist, once each."""
    found = [int(float(i)) for i in ids if is_numeric(i) and int(float(i)) in table]
    return list(dict.fromkeys(found))


def _template(st: State, template_id: Any) -> Row:
    template = st.hosttemplates.get(int(float(template_id)) if is_numeric(template_id) else 0)
    if template is None:
        raise not_found("Invalid host template")
    return template


def _parent_loop(st: State, host_id: int, parents: list[int]) -> bool:
    """Whether `host_id` is among the parents of its new parents (HostsTable::hasParentLoop2)."""
    seen, queue = set(), list(parents)
    while queue:
        current = queue.pop()
        if current == host_id:
            return True
        if current not in seen and current in st.hosts:
            seen.add(current)
            queue.extend(st.hosts[current]["parenthosts"])
    return False


def _apply(st: State, host: Row, row: Row) -> None:
    """Store the compared data on `host` (relations reduced to the ids that exist)."""
    for field, value in row.items():
        if field in ("hostgroups", "contacts", "contactgroups", "parenthosts", "sharing", "customvariables"):
            continue
        host[field] = _stored(value, field)
    host.update(
        hostgroups=_known(row["hostgroups"], st.hostgroups),
        contacts=_known(row["contacts"], model.CONTACTS),
        contactgroups=_known(row["contactgroups"], model.CONTACTGROUPS),
        parenthosts=[i for i in _known(row["parenthosts"], st.hosts) if i != host["id"]],
        sharing=_known(row["sharing"], st.containers),
        customvariables=row["customvariables"],
        modified=st.now(),
    )


def tracked(st: State, host: Row) -> Row:
    """What the changelog compares for a host (its effective values, merged with the template)."""
    template = st.hosttemplates[host["hosttemplate_id"]]
    view = merged(st, host)
    return {
        "Host": {field: view[field] for field in TRACKED},
        "Hosttemplate": {"id": template["id"], "name": template["name"]},
        "Hostgroup": [{"id": i, "name": group_name(st, i)} for i in view["hostgroups"]["_ids"] if i in st.hostgroups],
        "Parenthost": [{"id": i, "name": st.hosts[i]["name"]} for i in host["parenthosts"] if i in st.hosts],
        "Contact": [{"id": i, "name": model.CONTACTS[i]} for i in view["contacts"]["_ids"] if i in model.CONTACTS],
        "Host.customvariables": view["customvariables"],
    }


@route("/hosts/add", ("GET", "POST", "PUT"))
def add_host() -> Response:
    """`{"Host": {...}}`, one host: 400 when `container_id` or `hosttemplate_id` is falsy, 404 for an unknown
    template, then the validator's 400s. Names may repeat; unknown containers and ids are not checked."""
    if request.method != "POST":
        return answer()
    st = state()
    sent = body()
    data = dig(sent, "Host")
    data = data if isinstance(data, dict) else {}
    missing = {
        f: {"empty": "This field cannot be left empty"}
        for f in ("container_id", "hosttemplate_id")
        if not truthy(data.get(f))
    }
    if missing:
        raise invalid(missing)
    template = _template(st, data["hosttemplate_id"])
    row = compared(data, template, new=True)
    errors = errors_of(row)
    if errors:
        raise invalid(errors)
    host_id = st.new_id("host", st.hosts)
    host = model.host(host_id, model.new_uuid(), st.now())
    _apply(st, host, row)
    st.hosts[host_id] = host
    st.add_services(host)
    st.log_change(
        "add", "Host", host_id, model.OBJECT_HOST, host["name"], [host["container_id"]], added(tracked(st, host))
    )
    if sent.get("save_host_and_assign_matching_servicetemplate_groups") is True:
        return _with_services(host_id, data)
    return answer({"id": host_id})


def _with_services(host_id: int, data: Row) -> Response:
    """With `save_host_and_assign_matching_servicetemplate_groups: true` (no service template groups exist here);
    without `Host.hostgroups._ids` PHP fails after the host was saved (500)."""
    if not isinstance(dig(data, "hostgroups", "_ids"), list):
        raise internal()
    return answer({"id": host_id, "services": {"_ids": []}, "errors": [], "servicetemplategroups_removed_count": 0})


def _host(st: State, host_id: str, message: str) -> Row:
    host = st.hosts.get(int_id(host_id) or 0)
    if host is None:
        raise not_found(message)
    return host


@route("/hosts/edit/<host_id>", ("GET", "POST", "PUT", "PATCH"))
def edit_host(host_id: str) -> Response:
    """GET with `angular`: the host merged with its template (the read of a read-modify-write); without it, 200
    and nothing. POST: the whole host (see README): what is missing is reset."""
    st = state()
    host = _host(st, host_id, "Host not found")
    if request.method == "GET":
        return _edit_view(st, host) if is_angular() else answer()
    if request.method != "POST":
        return answer()
    data = dig(body(), "Host")
    data = data if isinstance(data, dict) else {}
    if data.get("hosttemplate_id") is None:
        raise internal()  # RuntimeException('Hosttemplate id needs to set.')
    template = _template(st, data["hosttemplate_id"])
    if not isinstance(dig(data, "hosts_to_containers_sharing", "_ids"), list):
        raise internal()  # array_merge(null, [...]): TypeError
    row = compared(data, template, new=False)
    errors = errors_of(row, _parent_loop(st, host["id"], _known(row["parenthosts"], st.hosts)))
    if errors:
        raise invalid(errors)
    before = tracked(st, host)
    _apply(st, host, row)
    changes = edited(before, tracked(st, host))
    if changes:
        st.log_change("edit", "Host", host["id"], model.OBJECT_HOST, host["name"], [host["container_id"]], changes)
    return answer({"id": host["id"]})


def _edit_view(st: State, host: Row) -> Response:
    template = st.hosttemplates[host["hosttemplate_id"]]
    view = merged(st, host)
    return answer(
        {
            "host": {"Host": view},
            "commands": key_values(model.HOSTCHECK_COMMANDS.items()),
            "hosttemplate": template_for_edit(template),
            "isPrimaryContainerChangeable": True,
            "allowSharing": True,
            "isHostOnlyEditableDueToHostSharing": False,
            "fakeDisplayContainers": [],
            "areContactsInheritedFromHosttemplate": not (host["contacts"] or host["contactgroups"]),
            "hostType": model.HOST_TYPES[model.GENERIC_HOST],
        }
    )


@route("/hosts/delete/<host_id>", ("GET", "POST", "PUT", "DELETE", "PATCH"))
def delete_host(host_id: str) -> Response:
    """POST only (405 first); 404 "Invalid host"; 400 `usedBy` for a host modules use (`usage_flag`)."""
    if request.method != "POST":
        raise not_allowed()
    st = state()
    host = _host(st, host_id, "Invalid host")
    used_by = _used_by(host)
    if used_by:
        raise failed(400, success=False, id=host_id, message="Issue while deleting host", usedBy=used_by)
    for service in st.host_services(host["id"]):
        del st.services[service["id"]]
    del st.hosts[host["id"]]
    for other in st.hosts.values():
        other["parenthosts"] = [i for i in other["parenthosts"] if i != host["id"]]
    st.log_change("delete", "Host", host["id"], model.OBJECT_HOST, host["name"], [host["container_id"]])
    return answer({"success": True})


def _used_by(host: Row) -> dict[str, Any]:
    flags = host["usage_flag"] if isinstance(host["usage_flag"], int) else 0
    found: dict[str, Any] = {}
    for bit, (module, state_name, message, plugin) in USED_BY.items():
        if flags & bit:
            found[module] = (
                {"baseUrl": "#", "state": state_name, "message": message, "module": plugin, "id": host["id"]}
                if state_name
                else bit
            )
    return found


def _switch(host_id: str, disabled: int) -> Response:
    """Deactivate or enable: 404 "Host not found" before the method check; the host and its services."""
    st = state()
    host = _host(st, host_id, "Host not found")
    if request.method != "POST":
        raise not_allowed()
    host["disabled"] = disabled
    for service in st.host_services(host["id"]):
        service["disabled"] = disabled
    action = "deactivate" if disabled else "activate"
    st.log_change(action, "Host", host["id"], model.OBJECT_HOST, host["name"], [host["container_id"]])
    return answer({"success": True})


@route("/hosts/deactivate/<host_id>", ("GET", "POST", "PUT", "DELETE", "PATCH"))
def deactivate_host(host_id: str) -> Response:
    return _switch(host_id, 1)


@route("/hosts/enable/<host_id>", ("GET", "POST", "PUT", "DELETE", "PATCH"))
def enable_host(host_id: str) -> Response:
    return _switch(host_id, 0)
