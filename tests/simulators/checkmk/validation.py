"""Request validation with the messages Checkmk's marshmallow schemas produce.

A check takes a decoded JSON value and returns None when it is valid, else marshmallow-style
messages: a list of strings, or a dict of them keyed by field name or list index.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from .config import BUILTIN_TAG_GROUPS
from .livestatus import DOWNTIMES, HOSTS, OPERATORS, SERVICES, Table
from .problem import field_problem
from .services import BULK_MODES, BULK_OPTIONS, MODES
from .state import State

Messages = Any
Check = Callable[[Any], Messages]

HOST_NAME_PATTERN = r"^[-0-9a-zA-Z_.]+\Z"
PATH_HOST_NAME_PATTERN = r"^[-0-9a-zA-Z_.]+$"
FOLDER_PATTERN = r"^(?:(?:[~\\\/]|(?:[~\\\/][-\w]+)+[~\\\/]?)|[0-9a-fA-F]{32})$"
TARGET_FOLDER_PATTERN = r"^(?:(?:[~\\\/]|(?:[~\\\/][-_ a-zA-Z0-9.]+)+[~\\\/]?)|[0-9a-fA-F]{32})$"
FOLDER_NAME_PATTERN = r"^[-\w]*\Z"
_HOST_ADDRESS = re.compile(r"^\w[-0-9a-zA-Z_.]*$", re.ASCII)
_ACTIONS = ("attributes", "update_attributes", "remove_attributes")
_NULLABLE_ATTRIBUTES = frozenset({"management_snmp_community", "management_ipmi_credentials"})
_FOLDER_ATTRIBUTES = frozenset(
    {"site", "contactgroups", "parents", "snmp_community", "labels", "network_scan"}
    | {"management_protocol", "management_snmp_community", "management_ipmi_credentials"}
    | {f"tag_{group}" for group in BUILTIN_TAG_GROUPS}
)
COLUMN_PATTERN = r"^([a-z]+\.)?[_a-z]+$"
RECUR = ("fixed", "hour", "day", "week", "second_week", "fourth_week", "weekday_start", "weekday_end", "day_of_month")
DOWNTIME_TYPES = ("host", "service", "both")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def validate(value: Any, check: Check) -> Any:
    """The value itself, or a 400 problem with the messages as `fields`."""
    if messages := check(value):
        raise field_problem(messages if isinstance(messages, dict) else {"_schema": messages})
    return value


def string(pattern: str | None = None, min_length: int = 0) -> Check:
    def check(value: Any) -> Messages:
        if not isinstance(value, str):
            return ["Not a valid string."]
        if len(value) < min_length:
            return [f"Shorter than minimum length {min_length}."]
        if pattern and not re.match(pattern, value):
            return [f"{value!r} does not match pattern {pattern!r}."]
        return None

    return check


def boolean(value: Any) -> Messages:
    return None if isinstance(value, bool) else ["Not a valid boolean."]


def integer(value: Any) -> Messages:
    return None if isinstance(value, int) and not isinstance(value, bool) else ["Not a valid integer."]


def seconds(value: Any) -> Messages:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ["Not a valid number."]
    return None if value >= 0 else ["Must be greater than or equal to 0."]


def one_of(choices: Collection[str]) -> Check:
    return lambda value: None if value in choices else [f"Must be one of: {', '.join(choices)}."]


def enum(choices: Collection[str]) -> Check:
    """A string field with an enum, as Checkmk's own fields word it."""

    def check(value: Any) -> Messages:
        if messages := string()(value):
            return messages
        return None if value in choices else [f"{value!r} is not one of the enum values: {list(choices)!r}"]

    return check


def unique_strings(value: Any) -> Messages:
    """A list of strings with `uniqueItems`: the first repetition is named, counting from 1."""
    if messages := list_of(string())(value):
        return messages
    repeated = next(((index, item) for index, item in enumerate(value, 1) if item in value[: index - 1]), None)
    return None if repeated is None else [f"Duplicate entry found at entry #{repeated[0]}: {repeated[1]!r}"]


def date_time(value: Any) -> Messages:
    return None if isinstance(value, str) and parse_date_time(value) is not None else ["Not a valid datetime."]


def parse_date_time(text: str) -> datetime | None:
    """ISO 8601 date and time; without an offset it is the site's local time, which is UTC here (contract 4.1)."""
    if not _DATE_TIME.fullmatch(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def non_zero_integer(value: Any) -> Messages:
    if messages := integer(value):
        return messages
    return ["The value cannot be zero."] if value == 0 else None


def one_of_schema(type_field: str, schemas: Mapping[str, Check]) -> Check:
    """A union picked by `type_field` (marshmallow-oneofschema): the chosen schema checks the whole object."""

    def check(value: Any) -> Messages:
        if not isinstance(value, dict):
            return {"_schema": [f"Invalid data type: {value!r}"]}
        kind = value.get(type_field)
        if kind is None:
            return {type_field: ["Missing data for required field."]}
        if not isinstance(kind, str) or kind not in schemas:
            return {type_field: [f"Unsupported value: {kind}"]}
        return schemas[kind](value)

    return check


def all_of(*checks: Check) -> Check:
    return lambda value: next((messages for check in checks if (messages := check(value))), None)


def list_of(item: Check, *, min_items: int = 0) -> Check:
    def check(value: Any) -> Messages:
        if not isinstance(value, list):
            return ["Not a valid list."]
        if len(value) < min_items:
            return ["At least one entry is required"]
        return {str(index): messages for index, element in enumerate(value) if (messages := item(element))} or None

    return check


def obj(
    fields: Mapping[str, Check],
    required: Collection[str] = (),
    schema: Callable[[dict[str, Any]], str | None] | None = None,
    nullable: Collection[str] = (),
) -> Check:
    """A nested schema: unknown keys are errors, null only where `nullable`, `schema` runs when all fields are
    valid."""

    def check(value: Any) -> Messages:
        if not isinstance(value, dict):
            return {"_schema": ["Invalid input type."]}
        errors: dict[str, Messages] = {
            key: ["Missing data for required field."] for key in required if key not in value
        }
        for key, item in value.items():
            if key not in fields:
                messages = ["Unknown field."]
            elif item is None:
                messages = None if key in nullable else ["Field may not be null."]
            else:
                messages = fields[key](item)
            if messages:
                errors[key] = messages
        if not errors and schema and (message := schema(value)):
            errors["_schema"] = [message]
        return errors or None

    return check


def one_action(body: dict[str, Any]) -> str | None:
    sent = [action for action in _ACTIONS if action in body]
    if len(sent) < 2:
        return None
    return (
        "This endpoint only allows 1 action (set/update/remove) per call, "
        f"you specified {len(sent)} actions: {', '.join(sent)}."
    )


def query_boolean(value: str) -> Messages:
    return None if value.lower() in _TRUE | _FALSE else ["Not a valid boolean."]


def parse_boolean(value: str | None) -> bool:
    return value is not None and value.lower() in _TRUE


def host_name(state: State, *, should_exist: bool | None, pattern: str = HOST_NAME_PATTERN) -> Check:
    """Checkmk's HostField: the pattern, the HostAddress rules, then (non-)existence unless None."""

    def check(value: Any) -> Messages:
        if messages := string(pattern)(value):
            return messages
        if len(value) > 254:
            return [f"host address too long: {value[:16] + '…'!r}"]
        if not _is_host_address(value):
            return [f"Invalid hostaddress: {value!r}"]
        if should_exist and value not in state.hosts:
            return [f"Host not found: {value!r}"]
        if should_exist is False and value in state.hosts:
            return [f"Host {value!r} already exists."]
        return None

    return check


def _is_host_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return bool(_HOST_ADDRESS.match(value))
    return True


def folder(state: State, pattern: str = FOLDER_PATTERN) -> Check:
    def check(value: Any) -> Messages:
        if messages := string(pattern)(value):
            return messages
        return None if state.folder(value) else [f"The folder {value!r} could not be found."]

    return check


def attributes(state: State, object_type: str) -> Check:
    """Host or folder attributes: built-in ones by type, custom tag groups by tag id, nothing else."""
    checks = _attribute_checks(state)
    if object_type == "folder":
        checks = {name: check for name, check in checks.items() if name in _FOLDER_ATTRIBUTES}

    def check(value: Any) -> Messages:
        if not isinstance(value, dict):
            return {"_schema": ["Invalid input type."]}
        errors: dict[str, Messages] = {}
        for key, item in value.items():
            if key not in checks:
                if message := _custom_attribute_error(state, key, item):
                    errors.setdefault("_schema", []).append(message)
            elif item is None:
                if key not in _NULLABLE_ATTRIBUTES:
                    errors[key] = ["Field may not be null."]
            elif messages := checks[key](item):
                errors[key] = messages
        return errors or None

    return check


def _custom_attribute_error(state: State, key: str, value: Any) -> str | None:
    group = state.config.tag_groups.get(key[4:]) if key.startswith("tag_") else None
    if group is None:
        return f"Unknown Attribute: {key!r}: {value!r}"
    return None if value in group.tags else f"Invalid value for tag-group {group.title!r}: {value!r}"


def _attribute_checks(state: State) -> dict[str, Check]:
    text, texts = string(), list_of(string())
    return {
        "alias": text,
        "site": all_of(text, _site(state)),
        "contactgroups": obj(
            {"groups": texts, **dict.fromkeys(("use", "use_for_services", "recurse_use", "recurse_perms"), boolean)},
            required=("groups",),
        ),
        "parents": list_of(host_name(state, should_exist=True)),
        "ipaddress": text,
        "ipv6address": text,
        "additional_ipv4addresses": texts,
        "additional_ipv6addresses": texts,
        "snmp_community": _snmp_credentials,
        "labels": labels,
        "waiting_for_discovery": boolean,
        "network_scan": _mapping_with("addresses", "time_allowed"),
        "management_protocol": one_of(("none", "snmp", "ipmi")),
        "management_address": text,
        "management_snmp_community": _snmp_credentials,
        "management_ipmi_credentials": _required_strings("username", "password"),
        "locked_by": _required_strings("site_id", "program_id", "instance_id"),
        "locked_attributes": texts,
        "inventory_failed": boolean,
        **{f"tag_{group_id}": one_of(group.tags) for group_id, group in BUILTIN_TAG_GROUPS.items()},
    }


def _required_strings(*names: str) -> Check:
    return obj(dict.fromkeys(names, string()), required=names)


def _site(state: State) -> Check:
    return site(state.config.sites)


def site(known: Collection[str]) -> Check:
    return lambda value: None if value in known else [f"The site {value!r} should exist but it doesn't."]


def labels(value: Any) -> Messages:
    if not isinstance(value, dict):
        return ["Not a valid mapping type."]
    errors: dict[str, Messages] = {}
    for key, item in value.items():
        if not isinstance(item, str):
            errors[key] = {"value": ["Not a valid string."]}
        elif ":" in key or ":" in item:
            errors[key] = [f"Invalid label {key}:{item}: ':' is not allowed in label keys and values."]
    return errors or None


def _snmp_credentials(value: Any) -> Messages:
    if not isinstance(value, dict):
        return {"_schema": ["Invalid input type."]}
    if value.get("type", "v1_v2_community") == "v1_v2_community" and not isinstance(value.get("community"), str):
        return {"community": ["Missing data for required field."]}
    return None


def _mapping_with(*required: str) -> Check:
    def check(value: Any) -> Messages:
        if not isinstance(value, dict):
            return {"_schema": ["Invalid input type."]}
        return {key: ["Missing data for required field."] for key in required if key not in value} or None

    return check


def create_host_body(state: State) -> Check:
    fields = {
        "host_name": host_name(state, should_exist=False),
        "folder": folder(state),
        "attributes": attributes(state, "host"),
    }
    return obj(fields, required=("host_name", "folder"))


def update_host_body(state: State, *, entry: bool = False) -> Check:
    update = attributes(state, "host")
    fields = {"attributes": update, "update_attributes": update, "remove_attributes": list_of(string())}
    if entry:
        fields["host_name"] = host_name(state, should_exist=True)
    return obj(fields, required=("host_name",) if entry else (), schema=one_action)


def bulk_body(entry: Check, *, min_items: int = 0) -> Check:
    return obj({"entries": list_of(entry, min_items=min_items)}, required=("entries",))


def move_host_body(state: State) -> Check:
    return obj({"target_folder": folder(state, TARGET_FOLDER_PATTERN)}, required=("target_folder",))


def create_folder_body(state: State) -> Check:
    fields = {
        "name": string(FOLDER_NAME_PATTERN, min_length=1),
        "title": string(),
        "parent": folder(state),
        "attributes": attributes(state, "folder"),
    }
    return obj(fields, required=("title", "parent"))


def update_folder_body(state: State) -> Check:
    update = attributes(state, "folder")
    fields = {
        "title": string(min_length=1),
        "attributes": update,
        "update_attributes": update,
        "remove_attributes": list_of(string()),
    }
    return obj(fields, schema=one_action)


def move_folder_body(state: State) -> Check:
    return obj({"destination": folder(state, TARGET_FOLDER_PATTERN)}, required=("destination",))


def activate_body() -> Check:
    return obj({"redirect": boolean, "sites": list_of(string()), "force_foreign_changes": boolean})


def discovery_body(state: State) -> Check:
    return obj({"host_name": host_name(state, should_exist=True), "mode": one_of(MODES)}, required=("host_name",))


def bulk_discovery_body(state: State) -> Check:
    """2.3 takes the deprecated `mode` and optional `options`; 2.4 requires `options`, which add
    update_service_parameters."""
    options = [
        name for name in BULK_OPTIONS if name != "update_service_parameters" or state.config.api_version != "2.3"
    ]
    fields = {
        "hostnames": list_of(host_name(state, should_exist=True)),
        "options": obj(dict.fromkeys(options, boolean)),
        "do_full_scan": boolean,
        "bulk_size": integer,
        "ignore_errors": boolean,
    }
    if state.config.api_version == "2.3":
        return obj({**fields, "mode": one_of(BULK_MODES)}, required=("hostnames",))
    return obj(fields, required=("hostnames", "options"))


def change_body(state: State) -> Check:
    """A change made by another user, for the control endpoints."""
    fields = {
        "user_id": string(),
        "action_name": string(),
        "text": string(),
        "sites": list_of(one_of(state.config.sites), min_items=1),
    }
    return obj(fields, required=("user_id",))


def race_host_body(state: State) -> Check:
    """A host another user creates, for the control endpoints."""
    return obj({"host_name": string(), "user_id": string(), "folder": folder(state)}, required=("host_name", "user_id"))


def discoverable_body() -> Check:
    service = obj(
        {
            "check_plugin_name": string(min_length=1),
            "service_item": string(),
            "service_name": string(min_length=1),
            "service_labels": labels,
        },
        required=("check_plugin_name", "service_name"),
        nullable=("service_item",),
    )
    return obj({"services": list_of(service), "host_labels": labels})


def timings_body() -> Check:
    return obj({"activation_seconds": seconds, "discovery_seconds": seconds})


# --- Downtimes (contract 4) ------------------------------------------------------------------------


def monitored_host(state: State, monitoring_site: Callable[[str], str | None]) -> Check:
    """A host the sites this API reaches monitor (Livestatus knows it), for host downtimes."""

    def check(value: Any) -> Messages:
        if messages := host_name(state, should_exist=None)(value):
            return messages
        if monitoring_site(value) is None:
            return [f"Host {value!r} should be monitored but it's not. Activate the configuration?"]
        return None

    return check


def group(value: Any) -> Messages:
    """Host and service groups: there are none here, so every name is missing."""
    return string()(value) or [f"Group missing: {value!r}"]


def livestatus_query(table: Table) -> Check:
    """A filter expression on `table`, as a JSON string (query parameters) or nested in the body: first the
    operators and columns (one message), then the shape of each expression. `{}` filters nothing."""

    def check(value: Any) -> Messages:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as error:
                return {"_schema": [f"Invalid JSON value: '{value}'", str(error)]}
        if not value:
            return None
        if message := expression_error(value, table):
            return [message]
        return _expression(value)

    return check


def expression_error(expression: Any, table: Table) -> str | None:
    """What Checkmk finds wrong while turning the expression into a Livestatus filter, if anything."""
    if not isinstance(expression, dict):
        return None
    op = expression.get("op")
    if op in OPERATORS:
        left = expression.get("left")
        if not isinstance(left, str):
            return None
        prefix, dot, column = left.rpartition(".")
        if dot and prefix != table.name:
            return f"This field can only query table {table.name!r}. ({left})"
        return None if column in table.columns else f"Table {table.name!r} has no column {column!r}."
    if op in ("and", "or"):
        inner = expression.get("expr")
        if not isinstance(inner, list):
            return None
        if not inner:
            return "Need at least one parameter."
        return next(filter(None, (expression_error(item, table) for item in inner)), None)
    if op == "not":
        return expression_error(expression.get("expr"), table)
    return f"Unknown operator: {op}"


def _expression(value: Any) -> Messages:
    binary = obj({"op": string(), "left": string(COLUMN_PATTERN), "right": string()}, required=("left", "right"))
    logical = obj({"op": string(), "expr": list_of(_expression)}, required=("expr",))
    negation = obj({"op": string(), "expr": _expression}, required=("expr",))
    schemas = {**dict.fromkeys(OPERATORS, binary), "and": logical, "or": logical, "not": negation}
    return one_of_schema("op", schemas)(value)


def _downtime_fields(downtime_types: Collection[str]) -> dict[str, Check]:
    return {
        "start_time": date_time,
        "end_time": date_time,
        "recur": enum(RECUR),
        "duration": integer,
        "comment": string(),
        "downtime_type": enum(downtime_types),
    }


def _new_downtime(fields: dict[str, Check], target: str) -> Check:
    return obj(fields, required=("downtime_type", "start_time", "end_time", target))


def create_host_downtime_body(state: State, monitoring_site: Callable[[str], str | None]) -> Check:
    fields = _downtime_fields(("host", "hostgroup", "host_by_query"))
    return one_of_schema(
        "downtime_type",
        {
            "host": _new_downtime({**fields, "host_name": monitored_host(state, monitoring_site)}, "host_name"),
            "hostgroup": _new_downtime({**fields, "hostgroup_name": group}, "hostgroup_name"),
            "host_by_query": _new_downtime({**fields, "query": livestatus_query(HOSTS)}, "query"),
        },
    )


def create_service_downtime_body(state: State) -> Check:
    fields = _downtime_fields(("service", "servicegroup", "service_by_query"))
    services = {"host_name": host_name(state, should_exist=None), "service_descriptions": unique_strings}
    return one_of_schema(
        "downtime_type",
        {
            "service": obj({**fields, **services}, required=("downtime_type", "start_time", "end_time", *services)),
            "servicegroup": _new_downtime({**fields, "servicegroup_name": group}, "servicegroup_name"),
            "service_by_query": _new_downtime({**fields, "query": livestatus_query(SERVICES)}, "query"),
        },
    )


def _downtime_selection(state: State, sites: Collection[str], type_field: str, changes: Mapping[str, Check]) -> Check:
    """How delete and modify pick downtimes, by `type_field`: `by_id`, `params`, `query` and (not in 2.3) the
    group selectors; modify adds its `changes` to each."""
    selectors: dict[str, tuple[dict[str, Check], tuple[str, ...]]] = {
        "by_id": ({"site_id": all_of(string(), site(sites)), "downtime_id": string()}, ("site_id", "downtime_id")),
        "params": (
            {"host_name": host_name(state, should_exist=None), "service_descriptions": list_of(string())},
            ("host_name",),
        ),
        "query": ({"query": livestatus_query(DOWNTIMES)}, ("query",)),
        "hostgroup": ({"hostgroup_name": group}, ("hostgroup_name",)),
        "servicegroup": ({"servicegroup_name": group}, ("servicegroup_name",)),
    }
    if state.config.api_version == "2.3":
        selectors = {name: selector for name, selector in selectors.items() if "group" not in name}
    type_check = enum(("params", "query", "by_id", "hostgroup", "servicegroup"))
    return one_of_schema(
        type_field,
        {
            name: obj({type_field: type_check, **fields, **changes}, required=(type_field, *required))
            for name, (fields, required) in selectors.items()
        },
    )


def delete_downtime_body(state: State, sites: Collection[str]) -> Check:
    return _downtime_selection(state, sites, "delete_type", {})


def modify_downtime_body(state: State, sites: Collection[str]) -> Check:
    """The selection plus a new `end_time` (absolute, or relative in minutes) and/or `comment`."""
    end_time_type = enum(("absolute", "relative"))
    end_time = one_of_schema(
        "modify_type",
        {
            "absolute": obj({"modify_type": end_time_type, "value": date_time}, required=("value",)),
            "relative": obj({"modify_type": end_time_type, "value": non_zero_integer}, required=("value",)),
        },
    )
    return _downtime_selection(state, sites, "modify_type", {"end_time": end_time, "comment": string()})


def new_downtime_body() -> Check:
    """A downtime set by another tool, for the control endpoints."""
    fields = {
        "host_name": string(min_length=1),
        "service_description": string(min_length=1),
        "comment": string(),
        "author": string(min_length=1),
        "start_time": date_time,
        "end_time": date_time,
        "duration": integer,
        "recur": enum(RECUR),
    }
    return obj(fields, required=("host_name",))
