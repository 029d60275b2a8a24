"""Writing host templates (HosttemplatesController): add, edit (GET: the template to edit, POST: the fields sent
change) and delete (refused while hosts use the template). HosttemplatesTable::validationDefault decides the 400s:
a new template needs nearly every field; an edit checks only what it sends."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model
from .changelog import added, edited
from .containers import int_id
from .errors import failed, invalid, not_allowed, not_found
from .hostgroups import group_name
from .hosttemplates import TEMPLATE_TYPE
from .hostvalidation import BOOLEAN, INTEGER, MAX_255, NUMERIC, SCALAR, Rule, ids_of
from .hostviews import template_for_edit
from .listing import key_values
from .php import is_numeric, loose_eq
from .protocol import answer, body, dig, is_angular, route, state
from .state import State

Row = dict[str, Any]
EMPTY = "This field cannot be left empty"
NOTIFY = ("notify_on_recovery", "notify_on_down", "notify_on_unreachable", "notify_on_flapping", "notify_on_downtime")
FLAP = ("flap_detection_on_up", "flap_detection_on_down", "flap_detection_on_unreachable")
NO_NOTIFICATION = "You must specify at least one notification option."
NO_FLAP_OPTION = "You must specify at least one flap detection option."
NO_CONTACT = "You must specify at least one contact or contact group."


def _at_least(minimum: float, message: str) -> Rule:
    return ("greaterThanOrEqual", lambda value: is_numeric(value) and float(value) >= minimum, message)


def _above(minimum: float, message: str) -> Rule:
    return ("greaterThan", lambda value: is_numeric(value) and float(value) > minimum, message)


AT_LEAST_1 = _at_least(1, "This value need to be at least 1")
# field -> (required on create, may be empty, rules), in the validator's order.
FIELDS: dict[str, tuple[bool, bool, list[Rule]]] = {
    "name": (True, False, [SCALAR, MAX_255]),
    "description": (False, True, []),
    "priority": (
        True,
        False,
        [INTEGER, ("range", lambda v: is_numeric(v) and 1 <= float(v) <= 5, "This value must be between 1 and 5")],
    ),
    "container_id": (
        True,
        False,
        [INTEGER, _at_least(1, "The provided value must be greater than or equal to `1`")],
    ),
    "max_check_attempts": (True, False, [INTEGER, AT_LEAST_1]),
    "notification_interval": (True, False, [NUMERIC, _at_least(0, "This value need to be at least 0")]),
    "check_interval": (True, False, [INTEGER, AT_LEAST_1]),
    "retry_interval": (True, False, [INTEGER, AT_LEAST_1]),
    "check_period_id": (True, False, [INTEGER, _above(0, "Please select a check period")]),
    "command_id": (True, False, [INTEGER, _above(0, "Please select a check command")]),
    "notify_period_id": (True, False, [INTEGER, _above(0, "Please select a notify period")]),
    **{field: (True, False, [BOOLEAN]) for field in NOTIFY},
    "flap_detection_enabled": (True, False, [BOOLEAN]),
    **{field: (True, False, [BOOLEAN]) for field in FLAP},
    "low_flap_threshold": (True, False, [NUMERIC]),
    "high_flap_threshold": (True, False, [NUMERIC]),
    "process_performance_data": (False, True, [BOOLEAN]),
    "freshness_checks_enabled": (False, True, [BOOLEAN]),
    "freshness_threshold": (False, True, [INTEGER]),
    "passive_checks_enabled": (True, False, [BOOLEAN]),
    "event_handler_enabled": (True, False, [BOOLEAN]),
    "active_checks_enabled": (True, False, [BOOLEAN]),
    "notes": (False, True, [SCALAR, MAX_255]),
    "tags": (False, True, [SCALAR, MAX_255]),
    "host_url": (False, True, [SCALAR, MAX_255]),
}
# What the columns hold when a new template leaves them out: the migration's defaults (NOT NULL text columns
# without one get "" and integer ones 0, as MySQL does outside strict mode).
DEFAULTS: Row = {
    "description": "",
    "hosttemplatetype_id": 1,
    "check_command_args": "",
    "eventhandler_command_id": 0,
    "timeperiod_id": 0,
    "first_notification_delay": 0,
    "process_performance_data": 0,
    "freshness_checks_enabled": 0,
    "freshness_threshold": 0,
    "retain_status_information": 0,
    "retain_nonstatus_information": 0,
    "notifications_enabled": 0,
    "notes": "",
    "tags": "",
    "host_url": None,
    "sla_id": None,
}
TEXT = {"name", "description", "check_command_args", "notes", "tags", "host_url"}
# What an add or edit writes (the type comes with the URL in the UI, which the simulator does not serve).
COLUMNS = ["name", "description", *(column for column in model.TEMPLATE_VALUES if column != "hosttemplatetype_id")]


def template_errors(data: Row, *, create: bool) -> dict[str, Any]:
    """`{field: {rule: message}}` for the data sent: a field missing on create is `_required`, an empty one
    `_empty` (where not allowed), else every failing rule; the contact rule runs where contacts are sent."""
    errors: dict[str, Any] = {}
    for field, (required, may_be_empty, rules) in FIELDS.items():
        if field not in data:
            if create and required:
                errors[field] = {"_required": "This field is required"}
            continue
        value = data[field]
        if value is None or value == "":
            if not may_be_empty:
                errors[field] = {"_empty": EMPTY}
            continue
        problems = {key: message for key, check, message in rules if not check(value)}
        if field in NOTIFY and not any(loose_eq(data.get(option), 1) for option in NOTIFY):
            problems["custom"] = NO_NOTIFICATION
        if field in FLAP and truthy_flag(data.get("flap_detection_enabled")):
            if not any(loose_eq(data.get(option), 1) for option in FLAP):
                problems["custom"] = NO_FLAP_OPTION
        if problems:
            errors[field] = problems
    for relation in ("contacts", "contactgroups"):
        if relation in data and not (ids_of(data, "contacts") or ids_of(data, "contactgroups")):
            errors[relation] = {"custom": NO_CONTACT}
    variables = data.get("customvariables")
    names = [v.get("name") for v in variables if isinstance(v, dict)] if isinstance(variables, list) else []
    if len(names) != len(set(names)):
        errors["customvariables"] = {"custom": "Macro name needs to be unique"}
    return errors


def truthy_flag(value: Any) -> bool:
    """`isset(x) && x != 0`."""
    return value is not None and not loose_eq(value, 0)


def _stored(field: str, value: Any) -> Any:
    if field in TEXT:
        return None if value is None else str(value)
    if is_numeric(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, bool):
        return int(value)
    return value


def _apply(st: State, template: Row, data: Row) -> None:
    """patchEntity(): the fields sent (and known) change; `_ids` lists replace the relation (unknown ids dropped)."""
    for field in COLUMNS:
        if field in data:
            template[field] = _stored(field, data[field])
    tables = {"hostgroups": st.hostgroups, "contacts": model.CONTACTS, "contactgroups": model.CONTACTGROUPS}
    for relation, table in tables.items():
        ids = ids_of(data, relation)
        if ids is not None:
            found = [int(float(i)) for i in ids if is_numeric(i) and int(float(i)) in table]
            template[relation] = list(dict.fromkeys(found))
    template["modified"] = st.now()


def tracked(st: State, template: Row) -> Row:
    """What the changelog compares for a host template."""
    return {
        "Hosttemplate": {field: template[field] for field in COLUMNS},
        "Contact": [{"id": i, "name": model.CONTACTS[i]} for i in template["contacts"] if i in model.CONTACTS],
        "Hostgroup": [{"id": i, "name": group_name(st, i)} for i in template["hostgroups"] if i in st.hostgroups],
    }


def _types() -> list[dict[str, Any]]:
    """Api::makeItJavaScriptAble() of the template types with their styles (no EventcorrelationModule here)."""
    return [{"key": model.GENERIC_HOST, "value": TEMPLATE_TYPE}]


@route("/hosttemplates/add", ("GET", "POST", "PUT"))
def add_hosttemplate() -> Response:
    """GET: the template types. POST `{"Hosttemplate": {...}}` (no `angular` needed): `{"id": <int>}`, or 400
    with every field a new template lacks. Names may repeat."""
    if request.method == "GET":
        return answer({"types": _types()})
    if request.method != "POST":
        return answer()
    st = state()
    data = dig(body(), "Hosttemplate")
    data = data if isinstance(data, dict) else {}
    errors = template_errors(data, create=True)
    if errors:
        raise invalid(errors)
    template_id = st.new_id("hosttemplate", st.hosttemplates)
    template = {
        **model.hosttemplate(template_id, ""),
        **DEFAULTS,
        "created": st.now(),
        "hostgroups": [],
        "contacts": [],
    }
    _apply(st, template, data)
    st.hosttemplates[template_id] = template
    changes = added(tracked(st, template))
    ids = [template["container_id"]]
    st.log_change("add", "Hosttemplate", template_id, model.OBJECT_HOSTTEMPLATE, template["name"], ids, changes)
    return answer({"id": template_id})


def _template(st: State, template_id: str) -> Row:
    template = st.hosttemplates.get(int_id(template_id) or 0)
    if template is None:
        raise not_found("Host template not found")
    return template


@route("/hosttemplates/edit/<template_id>", ("GET", "POST", "PUT"))
def edit_hosttemplate(template_id: str) -> Response:
    """GET with `angular`: `{"hosttemplate": {"Hosttemplate": {...}}, "commands", "types"}`. POST with `angular`:
    the fields sent change (a template is patched, unlike a host). Anything else: 200 and nothing."""
    st = state()
    template = _template(st, template_id)
    if request.method == "GET" and is_angular():
        commands = key_values(model.HOSTCHECK_COMMANDS.items())
        return answer({"hosttemplate": template_for_edit(template), "commands": commands, "types": _types()})
    if request.method != "POST" or not is_angular():
        return answer()
    data = dig(body(), "Hosttemplate")
    data = data if isinstance(data, dict) else {}
    errors = template_errors(data, create=False)
    if errors:
        raise invalid(errors)
    before = tracked(st, template)
    _apply(st, template, data)
    changes = edited(before, tracked(st, template))
    if changes:
        ids = [template["container_id"]]
        st.log_change("edit", "Hosttemplate", template["id"], model.OBJECT_HOSTTEMPLATE, template["name"], ids, changes)
    return answer({"id": template["id"]})


@route("/hosttemplates/delete/<template_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_hosttemplate(template_id: str) -> Response:
    """POST only (405 first); 404 "Host template not found"; 400 `usedBy` while any host uses it."""
    if request.method != "POST":
        raise not_allowed()
    st = state()
    template = _template(st, template_id)
    if any(host["hosttemplate_id"] == template["id"] for host in st.hosts.values()):
        used_by = [
            {"baseUrl": "#", "state": "HosttemplatesUsedBy", "message": "Used by other objects", "module": "Core"}
        ]
        raise failed(400, success=False, id=template_id, message="Issue while deleting host template", usedBy=used_by)
    del st.hosttemplates[template["id"]]
    ids = [template["container_id"]]
    st.log_change("delete", "Hosttemplate", template["id"], model.OBJECT_HOSTTEMPLATE, template["name"], ids)
    return answer({"success": True})
