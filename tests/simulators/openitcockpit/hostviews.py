"""How answers show a host: the list row (Views\\Host), its status (Views\\Hoststatus), the raw entity of
`/hosts/view` and the merged host of `GET /hosts/edit` (HostMergerForView), and which satellite it runs on."""

from __future__ import annotations

from typing import Any

from . import model, tree
from .config import MASTER_NAME
from .hosttemplates import template_json
from .state import State
from .usertime import iso, seconds_in_human_short

Row = dict[str, Any]
EMPTY = (None, "", 0, "0")  # PHP's empty()
UP_OUTPUT = "PING OK - Packet loss = 0%, RTA = 0.05 ms"
CHECK_EVERY = 300


def template_of(st: State, host: Row) -> Row:
    return st.hosttemplates.get(host["hosttemplate_id"]) or st.hosttemplates[1]


def inherited(st: State, host: Row, field: str) -> Any:
    """The host's value, or its template's where the host's is empty."""
    value = host.get(field)
    return template_of(st, host).get(field) if value in EMPTY else value


def sharing_ids(st: State, host: Row) -> list[int]:
    """hosts_to_containers: the sharing containers that exist (the primary one among them)."""
    return [cid for cid in host["sharing"] if cid in st.containers]


def visible(st: State, host: Row) -> bool:
    """In MY_RIGHTS (for a root user: any existing container) through a hosts_to_containers row."""
    return bool(sharing_ids(st, host))


def satellite(st: State, host: Row) -> tuple[int, str, bool]:
    """(satelliteId, satelliteName, satelliteRestricted): the master for 0, a satellite the module knows by its
    name; any other id (without the DistributeModule: every other id) shows the master's, restricted."""
    satellite_id = host["satellite_id"] or 0
    if satellite_id == 0:
        return 0, MASTER_NAME, False
    if satellite_id in st.satellites:
        return satellite_id, st.satellites[satellite_id], False
    return 0, MASTER_NAME, True


def satellite_options(st: State) -> list[tuple[int, str]]:
    """The satellites list (id -> name, then 0 -> the master), empty without the DistributeModule."""
    return [*st.satellites.items(), (0, MASTER_NAME)] if st.satellites else []


def host_view(st: State, host: Row) -> Row:
    """Views\\Host::toArray() as the lists show it."""
    satellite_id, satellite_name, restricted = satellite(st, host)
    return {
        "id": host["id"],
        "uuid": host["uuid"],
        "hostname": host["name"],
        "address": host["address"],
        "description": inherited(st, host, "description"),
        "hosttemplate_id": host["hosttemplate_id"],
        "active_checks_enabled": bool(inherited(st, host, "active_checks_enabled")),
        "satelliteId": satellite_id,
        "containerId": host["container_id"],
        "containerIds": sharing_ids(st, host),
        "tags": host["tags"],
        "usageFlag": None,
        "allow_edit": True,
        "disabled": bool(host["disabled"]),
        "priority": inherited(st, host, "priority"),
        "notes": inherited(st, host, "notes"),
        "hostType": host["host_type"],
        "is_satellite_host": bool(host["satellite_id"]),
        "name": host["name"],
        "allow_sharing": True,
        "satelliteName": satellite_name,
        "satelliteRestricted": restricted,
        "type": model.HOST_TYPES.get(host["host_type"], model.HOST_TYPES[model.GENERIC_HOST]),
        "additionalInformationExists": False,
        "additionalInformation": None,
    }


def sparse_host(host: Row) -> Row:
    """Views\\Host built from a host's id, uuid and name only (downtime and service lists)."""
    return {
        "id": host["id"],
        "uuid": host["uuid"],
        "hostname": host["name"],
        "address": None,
        "description": None,
        "hosttemplate_id": None,
        "active_checks_enabled": None,
        "satelliteId": None,
        "containerId": None,
        "containerIds": None,
        "tags": None,
        "usageFlag": None,
        "allow_edit": True,
        "disabled": False,
        "priority": None,
        "notes": None,
        "hostType": model.GENERIC_HOST,
        "is_satellite_host": False,
        "name": host["name"],
    }


def downtime_depth(st: State, host_id: int, service_id: int | None = None) -> int:
    """The running (started, not cancelled, not over) downtimes of a host or service."""
    now = st.now()
    return sum(
        1
        for downtime in st.downtimes
        if downtime.host_id == host_id
        and downtime.service_id == service_id
        and not downtime.cancelled
        and downtime.start <= now < downtime.end
    )


def words(seconds: int, *, past: bool) -> str:
    """`4 minutes ago`, `37 seconds`."""
    amount, unit = (seconds // 60, "minute") if seconds >= 60 else (seconds, "second")
    text = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"{text} ago" if past else text


def status(st: State, host: Row, *, formatted: bool = True) -> Row:
    """Views\\Hoststatus of a monitored host: UP, checked every five minutes; times user-formatted (`formatted`)
    or raw epochs (`/hosts/view`)."""
    now = st.now()
    last_check = now - now % CHECK_EVERY
    changed = host["created"]
    show = st.user_time.format if formatted else (lambda epoch: epoch)
    return {
        "currentState": 0,
        "isFlapping": False,
        "problemHasBeenAcknowledged": False,
        "scheduledDowntimeDepth": downtime_depth(st, host["id"]),
        "lastCheck": show(last_check),
        "nextCheck": show(last_check + CHECK_EVERY),
        "activeChecksEnabled": True,
        "lastHardState": None,
        "lastHardStateChange": show(changed),
        "last_state_change": show(changed),
        "output": UP_OUTPUT,
        "long_output": None,
        "acknowledgement_type": 0,
        "state_type": 1,
        "flap_detection_enabled": None,
        "notifications_enabled": True,
        "current_check_attempt": None,
        "max_check_attempts": None,
        "latency": None,
        "last_time_up": show(last_check),
        "lastHardStateChangeInWords": seconds_in_human_short(now - changed),
        "last_state_change_in_words": seconds_in_human_short(now - changed),
        "lastCheckInWords": words(now - last_check, past=True),
        "nextCheckInWords": words(last_check + CHECK_EVERY - now, past=False),
        "isHardstate": True,
        "isInMonitoring": True,
        "humanState": "up",
        "cssClass": "bg-up",
        "textClass": "up",
        "outputHtml": UP_OUTPUT,
    }


def no_status() -> Row:
    """Views\\Hoststatus of a host the core does not run."""
    return {
        "currentState": None,
        "isFlapping": False,
        "problemHasBeenAcknowledged": False,
        "scheduledDowntimeDepth": 0,
        "isHardstate": False,
        "isInMonitoring": False,
        "humanState": "not in monitoring",
        "cssClass": "bg-primary",
        "textClass": "primary",
        "outputHtml": "",
    }


def sharing_rows(st: State, host: Row) -> list[Row]:
    """`hosts_to_containers_sharing` of the entity: the containers with their join rows."""
    return [
        {**tree.row(st.containers[cid]), "_joinData": {"id": index, "host_id": host["id"], "container_id": cid}}
        for index, cid in enumerate(sharing_ids(st, host), start=1)
    ]


def columns(host: Row) -> Row:
    row = {column: host[column] for column in model.HOST_COLUMNS}
    row.update(created=iso(host["created"]), modified=iso(host["modified"]))
    return row


def entity(st: State, host: Row) -> Row:
    """`/hosts/view`: the stored columns (inherited fields null) and the sharing containers."""
    return {**columns(host), "hosts_to_containers_sharing": sharing_rows(st, host)}


def ids(values: list[int]) -> dict[str, list[int]]:
    return {"_ids": list(values)}


def merged(st: State, host: Row) -> Row:
    """`GET /hosts/edit`'s `host.Host`: the columns, empty inherited fields filled from the template, relations as
    `{"_ids": [...]}` (host groups, contacts and contact groups: the template's when the host has none)."""
    template = template_of(st, host)
    row = columns(host)
    for field in model.INHERITED:
        if row[field] in (None, ""):
            row[field] = template.get(field)
    own_contacts = bool(host["contacts"] or host["contactgroups"])
    row.update(
        hostgroups=ids(host["hostgroups"] or template["hostgroups"]),
        contacts=ids(host["contacts"] if own_contacts else template["contacts"]),
        contactgroups=ids(host["contactgroups"] if own_contacts else template["contactgroups"]),
        parenthosts=ids(host["parenthosts"]),
        hosts_to_containers_sharing=ids(sharing_ids(st, host)),
        prometheus_exporters=ids([]),
        own_contacts=int(own_contacts),
        own_contactgroups=int(own_contacts),
        own_customvariables=int(bool(host["customvariables"])),
        customvariables=list(host["customvariables"]),
        hostcommandargumentvalues=[],
    )
    return row


def template_for_edit(template: Row) -> Row:
    """The `hosttemplate` of `GET /hosts/edit`: `{"Hosttemplate": {...columns..., relations as _ids}}`."""
    row = {key: value for key, value in template_json(template).items() if key not in ("allow_edit", "type")}
    row.update(
        contacts=ids(template["contacts"]),
        contactgroups=ids(template["contactgroups"]),
        hostgroups=ids(template["hostgroups"]),
        customvariables=[],
        hosttemplatecommandargumentvalues=[],
        prometheus_exporters=ids([]),
    )
    return {"Hosttemplate": row}
