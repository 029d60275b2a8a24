"""How a host is saved: HostComparisonForSave (what is stored as the host's own, what is inherited from its
template) and HostsTable::validationDefault (the 400 answers), in the order of the validator's fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import model
from .errors import internal
from .php import is_numeric, loose_eq

Row = dict[str, Any]
Check = Callable[[Any], bool]
Rule = tuple[str, Check, str]

EMPTY = "This field cannot be left empty"
NOTIFY = ("notify_on_recovery", "notify_on_down", "notify_on_unreachable", "notify_on_flapping", "notify_on_downtime")


def _integer(value: Any) -> bool:
    """Validation::isInteger(): an int, or a string of digits."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _boolean(value: Any) -> bool:
    return value in (True, False, 0, 1, "0", "1") and not isinstance(value, float)


def _max_255(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and len(str(value)) <= 255


def _at_least(minimum: float) -> Check:
    return lambda value: is_numeric(value) and float(value) >= minimum


def _above(minimum: float) -> Check:
    return lambda value: is_numeric(value) and float(value) > minimum


def _between(low: float, high: float) -> Check:
    return lambda value: is_numeric(value) and low <= float(value) <= high


INTEGER: Rule = ("integer", _integer, "The provided value must be an integer")
NUMERIC: Rule = ("numeric", is_numeric, "The provided value must be numeric")
SCALAR: Rule = ("scalar", _scalar, "The provided value must be scalar")
BOOLEAN: Rule = ("boolean", _boolean, "The provided value must be a boolean")
MAX_255: Rule = ("maxLength", _max_255, "The provided value must be at most `255` characters long")
AT_LEAST_1: Rule = ("greaterThanOrEqual", _at_least(1), "This value need to be at least 1")

# field -> (may be empty, rules): HostsTable::validationDefault, in its order.
FIELDS: dict[str, tuple[bool, list[Rule]]] = {
    "hosttemplate_id": (False, [INTEGER]),
    "name": (False, [SCALAR, MAX_255]),
    "address": (False, [SCALAR, MAX_255]),
    "priority": (True, [INTEGER, ("range", _between(1, 5), "This value must be between 1 and 5")]),
    "container_id": (
        False,
        [INTEGER, ("greaterThanOrEqual", _at_least(1), "The provided value must be greater than or equal to `1`")],
    ),
    "max_check_attempts": (True, [INTEGER, AT_LEAST_1]),
    "notification_interval": (
        True,
        [NUMERIC, ("greaterThanOrEqual", _at_least(0), "This value need to be at least 0")],
    ),
    "check_interval": (True, [INTEGER, AT_LEAST_1]),
    "retry_interval": (True, [INTEGER, AT_LEAST_1]),
    "check_period_id": (True, [INTEGER, ("greaterThan", _above(0), "Please select a check period")]),
    "command_id": (True, [INTEGER, ("greaterThan", _above(0), "Please select a check command")]),
    "notify_period_id": (True, [INTEGER, ("greaterThan", _above(0), "Please select a notify period")]),
    **{field: (True, [BOOLEAN]) for field in NOTIFY},
    "flap_detection_enabled": (True, [BOOLEAN]),
    "freshness_checks_enabled": (True, [BOOLEAN]),
    "freshness_threshold": (True, [INTEGER]),
    "active_checks_enabled": (True, [BOOLEAN]),
    "notes": (True, [SCALAR, MAX_255]),
    "tags": (True, [SCALAR, MAX_255]),
    "host_url": (True, [SCALAR, MAX_255]),
    "host_type": (False, [INTEGER]),
    "usage_flag": (False, [INTEGER]),
}


def errors_of(row: Row, parent_loop: bool = False) -> dict[str, Any]:
    """The validator's answer for the data to save: `{field: {rule: message}}`; every failing rule of a field is
    named (the validator does not stop at the first), an empty field only as `_empty`."""
    errors: dict[str, Any] = {}
    for field, (may_be_empty, rules) in FIELDS.items():
        value = row.get(field)
        if value is None or value == "":
            if not may_be_empty:
                errors[field] = {"_empty": EMPTY}
            continue
        failed = {key: message for key, check, message in rules if not check(value)}
        if field in NOTIFY and _no_notification(row):
            failed["custom"] = "You must specify at least one notification option."
        if failed:
            errors[field] = failed
    names = [variable.get("name") for variable in row["customvariables"] if isinstance(variable, dict)]
    if len(names) != len(set(names)):
        errors["customvariables"] = {"custom": "Macro name needs to be unique"}
    if parent_loop:
        errors["parenthosts"] = {"custom": "Parent/child loop detected."}
    return errors


def _no_notification(row: Row) -> bool:
    """checkNotificationOptionsHost(): every option the host sets itself is 0."""
    return all(row.get(field) == 0 for field in NOTIFY)


def ids_of(data: Row, relation: str) -> list[Any] | None:
    """`<relation>._ids` as sent (None: not sent)."""
    value = data.get(relation)
    ids = value.get("_ids") if isinstance(value, dict) else None
    return ids if isinstance(ids, list) else None


def _same(left: list[Any], right: list[Any]) -> bool:
    """array_diff() both ways is empty (values compared as strings)."""
    return {str(item) for item in left} == {str(item) for item in right}


def compared(data: Row, template: Row, *, new: bool) -> Row:
    """HostComparisonForSave::getDataForSaveForAllFields(): the values to save for `Host` data `data`."""
    row: Row = {}
    for field in model.INHERITED:
        value = data.get(field)
        row[field] = value if value is not None and not loose_eq(value, template.get(field)) else None
    contacts, contactgroups, own = _contacts(data, template)
    hostgroups = ids_of(data, "hostgroups")
    row.update(
        contacts=contacts,
        contactgroups=contactgroups,
        hostgroups=[] if hostgroups is None or _same(hostgroups, template["hostgroups"]) else hostgroups,
        customvariables=data.get("customvariables") if isinstance(data.get("customvariables"), list) else [],
        host_type=data.get("host_type", model.GENERIC_HOST),
        usage_flag=data.get("usage_flag", 0),
        own_contacts=int(own),
        own_contactgroups=int(own),
        name=data.get("name"),
        hosttemplate_id=data.get("hosttemplate_id"),
        address=data.get("address"),
        container_id=data.get("container_id"),
        satellite_id=data.get("satellite_id", 0),
        sharing=_sharing(data, new=new),
        parenthosts=ids_of(data, "parenthosts") or [],
    )
    row["own_customvariables"] = int(bool(row["customvariables"]))
    return row


def _contacts(data: Row, template: Row) -> tuple[list[Any], list[Any], bool]:
    """Contacts and contact groups are inherited as a pair: both stored when either differs (naemon-core#92), and
    then the host has its own (`own_contacts`), even when what is stored is empty. Only one of them sent: PHP's
    array_diff() gets null (500)."""
    contacts, groups = ids_of(data, "contacts"), ids_of(data, "contactgroups")
    if contacts is None and groups is None:
        return [], [], False
    if contacts is None or groups is None:
        raise internal()
    contacts_differ = not _same(contacts, template["contacts"])
    groups_differ = not _same(groups, template["contactgroups"])
    if not (contacts_differ or groups_differ):
        return [], [], False
    contacts = contacts if contacts_differ else template["contacts"]
    groups = groups if groups_differ else template["contactgroups"]
    return contacts, groups, True


def _sharing(data: Row, *, new: bool) -> list[Any]:
    """`hosts_to_containers_sharing._ids` plus the primary container; a new host without any: the primary one."""
    given = ids_of(data, "hosts_to_containers_sharing")
    container_id = data.get("container_id")
    if given is None:
        return [container_id] if new else []
    return list(dict.fromkeys([*given, container_id]))
