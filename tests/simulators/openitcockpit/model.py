"""What a fresh openITCOCKPIT 5.0.1 holds (InitialDatabase/*: the container `root`, the host template and host
`default host`, the host check commands, the contact `info`) and the shapes of hosts and host templates: their
columns, and which of a host's fields it inherits from its template."""

from __future__ import annotations

import uuid
from typing import Any

Row = dict[str, Any]

SEED_TIME = 1421349992  # 2015-01-15 19:26:32 UTC, the seeds' `created`
DEFAULT_HOST_UUID = "c36b8048-93ce-4385-ac19-ab5c90574b77"
DEFAULT_TEMPLATE_UUID = "efbee68c-cf48-4b78-83f5-c856c56177f0"

# Host check commands (type 2) by id, as GET /hosts/edit offers them.
HOSTCHECK_COMMANDS: dict[int, str] = {4: "check-host-alive"}
CONTACTS: dict[int, str] = {1: "info"}
CONTACTGROUPS: dict[int, str] = {}
TIMEPERIODS: dict[int, str] = {1: "24x7"}

GENERIC_HOST = 1
HOST_TYPES: dict[int, dict[str, Any]] = {
    GENERIC_HOST: {
        "title": "Generic host",
        "color": "text-generic",
        "class": "border-generic",
        "icon": ["fas", "cog"],
        "rotate": 0,
    },
}

# HostComparisonForSave's basic fields: absent, null or (loosely) equal to the template's -> stored as NULL.
INHERITED = (
    "description",
    "command_id",
    "check_interval",
    "retry_interval",
    "max_check_attempts",
    "notification_interval",
    "notify_on_down",
    "notify_on_unreachable",
    "notify_on_recovery",
    "notify_on_flapping",
    "notify_on_downtime",
    "flap_detection_enabled",
    "flap_detection_on_up",
    "flap_detection_on_down",
    "flap_detection_on_unreachable",
    "notes",
    "priority",
    "check_period_id",
    "notify_period_id",
    "tags",
    "active_checks_enabled",
    "host_url",
    "freshness_checks_enabled",
    "freshness_threshold",
    "notifications_enabled",
    "sla_id",
)

# The `hosts` columns in the order answers show them.
HOST_COLUMNS = (
    "id",
    "uuid",
    "container_id",
    "name",
    "description",
    "hosttemplate_id",
    "address",
    "command_id",
    "eventhandler_command_id",
    "timeperiod_id",
    "check_interval",
    "retry_interval",
    "max_check_attempts",
    "first_notification_delay",
    "notification_interval",
    "notify_on_down",
    "notify_on_unreachable",
    "notify_on_recovery",
    "notify_on_flapping",
    "notify_on_downtime",
    "flap_detection_enabled",
    "flap_detection_on_up",
    "flap_detection_on_down",
    "flap_detection_on_unreachable",
    "low_flap_threshold",
    "high_flap_threshold",
    "process_performance_data",
    "freshness_checks_enabled",
    "freshness_threshold",
    "passive_checks_enabled",
    "event_handler_enabled",
    "active_checks_enabled",
    "retain_status_information",
    "retain_nonstatus_information",
    "notifications_enabled",
    "notes",
    "priority",
    "check_period_id",
    "notify_period_id",
    "tags",
    "own_contacts",
    "own_contactgroups",
    "own_customvariables",
    "host_url",
    "sla_id",
    "satellite_id",
    "host_type",
    "disabled",
    "usage_flag",
    "created",
    "modified",
)

# The default host template's values (InitialDatabase/Hosttemplate.php), which extra templates copy.
TEMPLATE_VALUES: Row = {
    "hosttemplatetype_id": 1,
    "command_id": 4,
    "check_command_args": "",
    "eventhandler_command_id": 0,
    "timeperiod_id": 0,
    "check_interval": 7200,
    "retry_interval": 60,
    "max_check_attempts": 3,
    "first_notification_delay": 0,
    "notification_interval": 7200,
    "notify_on_down": 1,
    "notify_on_unreachable": 1,
    "notify_on_recovery": 1,
    "notify_on_flapping": 0,
    "notify_on_downtime": 0,
    "flap_detection_enabled": 0,
    "flap_detection_on_up": 0,
    "flap_detection_on_down": 0,
    "flap_detection_on_unreachable": 0,
    "low_flap_threshold": 0,
    "high_flap_threshold": 0,
    "process_performance_data": 0,
    "freshness_checks_enabled": 0,
    "freshness_threshold": 0,
    "passive_checks_enabled": 0,
    "event_handler_enabled": 0,
    "active_checks_enabled": 1,
    "retain_status_information": 0,
    "retain_nonstatus_information": 0,
    "notifications_enabled": 1,
    "notes": "",
    "priority": 1,
    "check_period_id": 1,
    "notify_period_id": 1,
    "tags": "",
    "container_id": 1,
    "host_url": "",
    "sla_id": None,
}


def new_uuid() -> str:
    return str(uuid.uuid4())


def hosttemplate(template_id: int, name: str, template_uuid: str | None = None) -> Row:
    """A host template as stored: the default's values, its own name, and its relations (ids)."""
    return {
        "id": template_id,
        "uuid": template_uuid or new_uuid(),
        "name": name,
        "description": name,
        **TEMPLATE_VALUES,
        "created": SEED_TIME,
        "modified": SEED_TIME,
        "hostgroups": [],
        "contacts": [1],
        "contactgroups": [],
    }


def host(host_id: int, host_uuid: str, now: int) -> Row:
    """A host with every column NULL (or its default) and no relations; callers fill in what was sent."""
    row: Row = dict.fromkeys(HOST_COLUMNS)
    row.update(
        id=host_id,
        uuid=host_uuid,
        own_contacts=0,
        own_contactgroups=0,
        own_customvariables=0,
        satellite_id=0,
        host_type=GENERIC_HOST,
        disabled=0,
        usage_flag=0,
        created=now,
        modified=now,
    )
    row.update(hostgroups=[], contacts=[], contactgroups=[], parenthosts=[], sharing=[], customvariables=[])
    return row


def default_host() -> Row:
    """InitialDatabase/Host.php: `default host` (127.0.0.1) in /root, everything inherited."""
    row = host(1, DEFAULT_HOST_UUID, SEED_TIME)
    row.update(container_id=1, name="default host", hosttemplate_id=1, address="127.0.0.1", host_url="", sharing=[1])
    return row


# Object types (Constants.php), as changelog rows name them.
OBJECT_TENANT = 1 << 0
OBJECT_NODE = 1 << 2
OBJECT_LOCATION = 1 << 3
OBJECT_HOST = 1 << 8
OBJECT_HOSTTEMPLATE = 1 << 9
OBJECT_HOSTGROUP = 1 << 10
OBJECT_SERVICE = 1 << 11
OBJECT_EXPORT = 1 << 21
