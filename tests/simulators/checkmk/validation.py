"""Request validation with the messages Checkmk's marshmallow schemas produce.

A check takes a decoded JSON value and returns None when it is valid, else marshmallow-style
messages: a list of strings, or a dict of them keyed by field name or list index.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .config import BUILTIN_TAG_GROUPS
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


def host_name(state: State, *, should_exist: bool, pattern: str = HOST_NAME_PATTERN) -> Check:
    """Checkmk's HostField: the pattern, the HostAddress rules, then (non-)existence."""

    def check(value: Any) -> Messages:
        if messages := string(pattern)(value):
            return messages
        if len(value) > 254:
            return [f"host address too long: {value[:16] + '…'!r}"]
        if not _is_host_address(value):
            return [f"Invalid hostaddress: {value!r}"]
        if should_exist and value not in state.hosts:
            return [f"Host not found: {value!r}"]
        if not should_exist and value in state.hosts:
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
    return lambda value: None if value in state.config.sites else [f"The site {value!r} should exist but it doesn't."]


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
