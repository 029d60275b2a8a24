"""The openITCOCKPIT simulator against answers recorded from a real (newer 5.x) server: the fixtures of
openITCOCKPIT/openITCOCKPIT-MCP-Server, tests/fixtures/api/. They are not read at test time and not copied here:
each answer's shape is written down below as a key -> JSON type table (nested, in the recorded order), citing its
file; the simulator's answer to the same request must have exactly those keys, in that order, with those types.

Notation: `int`, `str`, `bool`, `None` (null) for JSON values; `[shape]` a list whose items have that shape (the
recording had items, so must the simulator's answer), `[]` a list that was empty (and must be); a dict an object.
The MCP client adds `angular=true` to every request (src/openitcockpit_mcp/api/client.py), which the fixtures'
`params` leave out. Where the recording and the simulator may differ, an `Allowance` says where and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from openitcockpit_contract import Time

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared: the shapes are written here

PAGING = {
    "page": int,
    "current": int,
    "count": int,
    "prevPage": bool,
    "nextPage": bool,
    "pageCount": int,
    "limit": int,
    "options": [],
    "paramType": str,
    "queryScope": None,
}
STYLE = {"title": str, "color": str, "class": str, "icon": [str], "rotate": int}
KEY_VALUE = {"key": int, "value": str}

# hosts/index-down.json (GET /hosts/index.json, scroll=false, limit=20, sort=Hoststatus.last_state_change asc,
# filter[Hoststatus.current_state][]=down): a whole row, the recorder kept everything.
HOST_ROW = {
    "Host": {
        "id": int,
        "uuid": str,
        "hostname": str,
        "address": str,
        "description": str,
        "hosttemplate_id": int,
        "active_checks_enabled": bool,
        "satelliteId": int,
        "containerId": int,
        "containerIds": [int],
        "tags": None,
        "usageFlag": None,
        "allow_edit": bool,
        "disabled": bool,
        "priority": int,
        "notes": str,
        "hostType": int,
        "is_satellite_host": bool,
        "name": str,
        "allow_sharing": bool,
        "satelliteName": str,
        "satelliteRestricted": bool,
        "type": STYLE,
        "additionalInformationExists": bool,
        "additionalInformation": None,
    },
    "Hoststatus": {
        "currentState": int,
        "isFlapping": bool,
        "problemHasBeenAcknowledged": bool,
        "scheduledDowntimeDepth": int,
        "lastCheck": str,
        "nextCheck": str,
        "activeChecksEnabled": bool,
        "lastHardState": None,
        "lastHardStateChange": str,
        "last_state_change": str,
        "output": str,
        "long_output": None,
        "acknowledgement_type": int,
        "state_type": int,
        "flap_detection_enabled": None,
        "notifications_enabled": bool,
        "current_check_attempt": None,
        "max_check_attempts": None,
        "latency": None,
        "last_time_up": str,
        "lastHardStateChangeInWords": str,
        "last_state_change_in_words": str,
        "lastCheckInWords": str,
        "nextCheckInWords": str,
        "isHardstate": bool,
        "isInMonitoring": bool,
        "humanState": str,
        "cssClass": str,
        "textClass": str,
        "outputHtml": str,
    },
    "ServicestatusSummary": {"state": {"ok": int, "warning": int, "critical": int, "unknown": int}, "total": int},
    "Downtime": [],
    "Acknowledgement": [],
}
HOSTS_INDEX_DOWN = {"all_hosts": [HOST_ROW], "username": str, "_csrfToken": str, "paging": PAGING}
# hosts/index-empty.json (scroll=false, limit=3, page=1, filter[Hosts.name]=does-not-exist)
HOSTS_INDEX_EMPTY = {"all_hosts": [], "username": str, "paging": PAGING}
# hosts/not-monitored-none.json (GET /hosts/notMonitored.json, scroll=false, limit=1, page=1)
NOT_MONITORED_NONE = {"all_hosts": [], "paging": PAGING}
# hosts/containers.json (GET /containers/loadContainers.json)
CONTAINERS = {"containers": [KEY_VALUE], "_csrfToken": str, "username": str}
# host-health/scale-srv-002-lookup.json, scale-srv-007-lookup.json, scale-sw-1-1-lookup.json
# (GET /hosts/loadHostsByString.json, filter[Hosts.name]=<the host's name>)
LOOKUP = {"hosts": [KEY_VALUE]}
# catalog/hostgroup.json (GET /hostgroups/index.json, scroll=false, limit=3, page=1, sort=Containers.name asc,
# filter[Containers.name]=core)
HOSTGROUPS = {
    "all_hostgroups": [
        {
            "id": int,
            "uuid": str,
            "container_id": int,
            "description": str,
            "hostgroup_url": None,
            "tags": None,
            "container": {"id": int, "containertype_id": int, "name": str, "parent_id": int, "lft": int, "rght": int},
            "allowEdit": bool,
            "hasSLAHosts": bool,
            "additionalInformationExists": bool,
        }
    ],
    "_csrfToken": str,
    "paging": PAGING,
    "username": str,
}
# catalog/hosttemplate.json (GET /hosttemplates/index.json, scroll=false, limit=3, page=1,
# sort=Hosttemplates.name asc, filter[Hosttemplates.name]=scale)
HOSTTEMPLATES = {
    "all_hosttemplates": [
        {
            "Hosttemplate": {
                "id": int,
                "uuid": str,
                "name": str,
                "description": str,
                "hosttemplatetype_id": int,
                "command_id": int,
                "check_command_args": str,
                **dict.fromkeys(
                    (
                        "eventhandler_command_id timeperiod_id check_interval retry_interval max_check_attempts "
                        "first_notification_delay notification_interval notify_on_down notify_on_unreachable "
                        "notify_on_recovery notify_on_flapping notify_on_downtime flap_detection_enabled "
                        "flap_detection_on_up flap_detection_on_down flap_detection_on_unreachable low_flap_threshold "
                        "high_flap_threshold process_performance_data freshness_checks_enabled freshness_threshold "
                        "passive_checks_enabled event_handler_enabled active_checks_enabled retain_status_information "
                        "retain_nonstatus_information notifications_enabled"
                    ).split(),
                    int,
                ),
                "notes": str,
                "priority": int,
                "check_period_id": int,
                "notify_period_id": int,
                "tags": str,
                "container_id": int,
                "host_url": None,
                "sla_id": None,
                "created": str,
                "modified": str,
                "allow_edit": bool,
                "type": STYLE,
            }
        }
    ],
    "paging": PAGING,
    "_csrfToken": str,
    "username": str,
}
# downtimes/hosts.json and services.json (GET /downtimes/host.json and /downtimes/service.json,
# filter[hideExpired]=true, scroll=false, page=1, filter[Downtime{Hosts,Services}.was_cancelled]=0, limit=20 / 3)
SPARSE_HOST = {
    "id": int,
    "uuid": str,
    "hostname": str,
    "address": None,
    "description": None,
    "hosttemplate_id": None,
    "active_checks_enabled": None,
    "satelliteId": None,
    "containerId": None,
    "containerIds": None,
    "tags": None,
    "usageFlag": None,
    "allow_edit": bool,
    "disabled": bool,
    "priority": None,
    "notes": None,
    "hostType": int,
    "is_satellite_host": bool,
    "name": str,
}
DOWNTIME = {
    "authorName": str,
    "commentData": str,
    "entryTime": str,
    "scheduledStartTime": str,
    "scheduledEndTime": str,
    "actualEndTime": str,
    "duration": int,
    "wasStarted": bool,
    "internalDowntimeId": int,
    "downtimehistoryId": None,
    "wasCancelled": bool,
    "allowEdit": bool,
    "durationHuman": str,
    "isCancellable": bool,
    "isRunning": bool,
    "isExpired": bool,
}
HOST_DOWNTIMES = {"all_host_downtimes": [{"Host": SPARSE_HOST, "DowntimeHost": DOWNTIME}], "paging": PAGING}
SPARSE_SERVICE = {
    "id": int,
    "uuid": str,
    "servicename": str,
    "hostname": None,
    "description": None,
    "active_checks_enabled": None,
    "tags": None,
    "host_id": None,
    "allow_edit": bool,
    "disabled": bool,
    "serviceType": int,
    "priority": None,
}
SERVICE_DOWNTIMES = {
    "all_service_downtimes": [{"Host": SPARSE_HOST, "Service": SPARSE_SERVICE, "DowntimeService": DOWNTIME}],
    "paging": PAGING,
}
# downtimes/user-timezone.json (GET /angular/user_timezone.json)
USER_TIMEZONE = {
    "timezone": {
        "user_timezone": str,
        "user_time_to_server_offset": int,
        "user_time_to_browser_offset": int,
        "browser_timezone": str,
        "user_offset": int,
        "server_time_utc": int,
        "server_time": str,
        "server_timezone_offset": int,
        "server_time_iso": str,
        "server_timezone": str,
    }
}
# services/index-warning.json (GET /services/index.json, filter[Servicestatus.current_state][]=warning,
# scroll=false, limit=20, page=1, sort=Servicestatus.last_state_change asc)
SERVICE_ROW = {
    "Service": {
        "id": int,
        "uuid": str,
        "servicename": str,
        "hostname": str,
        "description": str,
        "active_checks_enabled": bool,
        "tags": None,
        "host_id": int,
        "allow_edit": bool,
        "disabled": bool,
        "serviceType": int,
        "priority": int,
        "has_graph": bool,
    },
    "Host": {**SPARSE_HOST, "address": str, "satelliteId": int, "satelliteName": str},
    "Hoststatus": {  # ServicesController::index reads five status fields of the host; the rest is null
        "currentState": int,
        "isFlapping": bool,
        "problemHasBeenAcknowledged": bool,
        "scheduledDowntimeDepth": None,
        "lastCheck": str,
        "nextCheck": str,
        "activeChecksEnabled": None,
        "lastHardState": None,
        "lastHardStateChange": str,
        "last_state_change": str,
        "output": None,
        "long_output": None,
        "acknowledgement_type": None,
        "state_type": bool,
        "flap_detection_enabled": None,
        "notifications_enabled": None,
        "current_check_attempt": None,
        "max_check_attempts": None,
        "latency": None,
        "last_time_up": str,
        "lastHardStateChangeInWords": str,
        "last_state_change_in_words": str,
        "lastCheckInWords": str,
        "nextCheckInWords": str,
        "isHardstate": bool,
        "isInMonitoring": bool,
        "humanState": str,
        "cssClass": str,
        "textClass": str,
        "outputHtml": str,
    },
    "Servicestatus": {
        "currentState": int,
        "lastHardState": None,
        "isFlapping": bool,
        "problemHasBeenAcknowledged": bool,
        "scheduledDowntimeDepth": int,
        "lastCheck": str,
        "nextCheck": str,
        "activeChecksEnabled": int,
        "lastHardStateChange": str,
        "last_state_change": str,
        "processPerformanceData": None,
        "state_type": int,
        "acknowledgement_type": int,
        "flap_detection_enabled": None,
        "notifications_enabled": bool,
        "current_check_attempt": None,
        "output": str,
        "long_output": None,
        "perfdata": str,
        "latency": None,
        "max_check_attempts": None,
        "last_time_ok": str,
        "lastHardStateChangeInWords": str,
        "last_state_change_in_words": str,
        "lastCheckInWords": str,
        "nextCheckInWords": str,
        "isHardstate": bool,
        "isInMonitoring": bool,
        "humanState": str,
        "cssClass": str,
        "textClass": str,
        "outputHtml": str,
    },
    "ServiceType": {"title": str, "color": str, "class": str, "icon": [str]},
    "Downtime": [],
    "Acknowledgement": [],
}
SERVICES_INDEX_WARNING = {
    "all_services": [SERVICE_ROW],
    "username": str,
    "satellites": [],
    "_csrfToken": str,
    "paging": PAGING,
}


# --- Allowances --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """Where the simulator's answer may differ from a recording: keys (as paths: `a.b`, `a[].b`) it need not have
    (`missing`), keys it may have besides (`extra`), and other JSON types a key may have (`types`)."""

    reason: str
    missing: frozenset[str] = frozenset()
    extra: frozenset[str] = frozenset()
    types: dict[str, tuple[Any, ...]] = field(default_factory=dict)


CSRF_NULL = Allowance(
    "5.0.1 serializes `_csrfToken` as null for an API key, which skips the CSRF middleware (config/routes.php, "
    "AppController::beforeRender); the recorded newer server sent a token string",
    types={"_csrfToken": (None,)},
)
CSRF_TRIMMED = Allowance(
    "these fixtures were saved without `_csrfToken`, which every JSON answer carries, last but for a paging block "
    "(AppController::beforeRender; fact sheets hosts.md 0 and downtimes_export.md 0): its absence says nothing",
    extra=frozenset({"_csrfToken"}),
)
USERNAME_NEWER = Allowance(
    "the recorded server is newer than 5.0.1 (its user_timezone has keys 5.0.1 lacks) and adds `username` to "
    "every answer; 5.0.1 sets it in the host and service lists only (HostsController, ServicesController::index)",
    missing=frozenset({"username"}),
)
HOSTGROUP_TAGS_NEWER = Allowance(
    "host groups have a `tags` column on the newer recorded server only (not in 5.0.1's migrations)",
    missing=frozenset({"all_hostgroups[].tags"}),
)


def mismatches(shape: Any, value: Any, allowances: Iterable[Allowance] = (), path: str = "") -> list[str]:
    """Where `value` departs from `shape`: missing or extra keys, keys out of the recorded order, other types."""
    missing = {key for a in allowances for key in a.missing}
    extra = {key for a in allowances for key in a.extra}
    types = {key: kinds for a in allowances for key, kinds in a.types.items()}
    allowances = tuple(allowances)
    where = path or "."
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        prefix = f"{path}." if path else ""
        found = [
            *(f"{prefix}{key}: missing" for key in shape if key not in value and f"{prefix}{key}" not in missing),
            *(f"{prefix}{key}: not recorded" for key in value if key not in shape and f"{prefix}{key}" not in extra),
        ]
        common = [key for key in value if key in shape]
        if common != [key for key in shape if key in value]:
            found.append(f"{where}: keys in the order {common}, recorded {[k for k in shape if k in value]}")
        for key in common:
            kinds = types.get(f"{prefix}{key}")
            if kinds is not None and matches_one(kinds, value[key]):
                continue
            found += mismatches(shape[key], value[key], allowances, f"{prefix}{key}")
        return found
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        if not shape:
            return [] if value == [] else [f"{where}: {len(value)} items, recorded none"]
        if not value:
            return [f"{where}: no items to compare, the recording has some"]
        return [problem for item in value for problem in mismatches(shape[0], item, allowances, f"{path}[]")]
    return [] if matches_one((shape,), value) else [f"{where}: {type(value).__name__}, recorded {name(shape)}"]


def matches_one(kinds: tuple[Any, ...], value: Any) -> bool:
    for kind in kinds:
        if kind is None and value is None:
            return True
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if kind in (str, bool) and isinstance(value, kind):
            return True
    return False


def name(kind: Any) -> str:
    return "null" if kind is None else kind.__name__


# --- The simulator's answers to the recorded requests -------------------------------------------------


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=0))


def get(api: ApiClient, path: str, params: dict[str, Any]) -> Any:
    return api.ok("GET", path, query={"angular": "true", **params})


def add_host(api: ApiClient, name: str, **fields: Any) -> int:
    host = {"name": name, "address": "127.0.0.1", "container_id": 1, "hosttemplate_id": 1, **fields}
    host_id: int = api.ok("POST", "/hosts/add.json", {"Host": host}, {"angular": "true"})["id"]
    return host_id


def export(api: ApiClient) -> None:
    api.ok("POST", "/exports/launchExport.json", {"create_backup": 0}, {"angular": "true"})
    assert api.ok("GET", "/exports/broadcast.json")["exportSuccessfully"]


def check(shape: Any, answer: Any, *allowances: Allowance) -> None:
    problems = mismatches(shape, answer, allowances)
    assert not problems, "\n".join(problems)


def test_hosts_index_row(api: ApiClient) -> None:
    add_host(api, "scale-sw-1-1")
    export(api)
    # The simulator's hosts are all UP (README, Known differences: Status), so the `down` filter of the recorded
    # request would leave no row to compare; the rest of the request is as recorded.
    params = {"scroll": "false", "limit": 20, "page": 1, "sort": "Hoststatus.last_state_change", "direction": "asc"}
    check(HOSTS_INDEX_DOWN, get(api, "/hosts/index.json", params), CSRF_NULL)
    down = get(api, "/hosts/index.json", {**params, "filter[Hoststatus.current_state][]": "down"})
    check({**HOSTS_INDEX_DOWN, "all_hosts": []}, down, CSRF_NULL)


def test_hosts_index_empty_and_not_monitored(api: ApiClient) -> None:
    empty = get(
        api, "/hosts/index.json", {"scroll": "false", "limit": 3, "page": 1, "filter[Hosts.name]": "does-not-exist"}
    )
    check(HOSTS_INDEX_EMPTY, empty, CSRF_TRIMMED)
    none = get(api, "/hosts/notMonitored.json", {"scroll": "false", "limit": 1, "page": 1})
    check(NOT_MONITORED_NONE, none, CSRF_TRIMMED)
    add_host(api, "new01")  # not exported: now the list has a row (its shape: tests of the lists)
    assert get(api, "/hosts/notMonitored.json", {"scroll": "false", "limit": 1, "page": 1})["paging"]["count"] == 1


def test_containers(api: ApiClient) -> None:
    api.ok(
        "POST", "/tenants/add.json", {"description": "", "container": {"name": "scale-tenant-1"}}, {"angular": "true"}
    )
    check(CONTAINERS, get(api, "/containers/loadContainers.json", {}), CSRF_NULL, USERNAME_NEWER)


@pytest.mark.parametrize("name", ["scale-srv-002", "scale-srv-007", "scale-sw-1-1"])
def test_host_lookups(api: ApiClient, name: str) -> None:
    add_host(api, name)  # lookups find hosts whether exported or not
    check(LOOKUP, get(api, "/hosts/loadHostsByString.json", {"filter[Hosts.name]": name}), CSRF_TRIMMED)


def test_hostgroups(api: ApiClient) -> None:
    for index in (1, 2):
        group = {"description": "scale dataset", "container": {"name": f"scale-hg-core-{index}", "parent_id": 1}}
        api.ok("POST", "/hostgroups/add.json", {"Hostgroup": group}, {"angular": "true"})
    params = {"scroll": "false", "limit": 3, "page": 1, "sort": "Containers.name", "direction": "asc"}
    answer = get(api, "/hostgroups/index.json", {**params, "filter[Containers.name]": "core"})
    check(HOSTGROUPS, answer, CSRF_NULL, USERNAME_NEWER, HOSTGROUP_TAGS_NEWER)


def test_hosttemplates(api: ApiClient) -> None:
    template = {
        "name": "scale-host-down",
        "description": "",
        "command_id": 4,
        "check_interval": 300,
        "retry_interval": 60,
        "max_check_attempts": 3,
        "notification_interval": 3600,
        **dict.fromkeys(("notify_on_down", "notify_on_unreachable", "notify_on_recovery"), 1),
        **dict.fromkeys(("notify_on_flapping", "notify_on_downtime", "passive_checks_enabled"), 0),
        "flap_detection_enabled": 1,
        "flap_detection_on_up": 0,
        "flap_detection_on_down": 1,
        "flap_detection_on_unreachable": 0,
        "low_flap_threshold": 25,
        "high_flap_threshold": 50,
        "event_handler_enabled": 0,
        "active_checks_enabled": 1,
        "priority": 3,
        "check_period_id": 1,
        "notify_period_id": 1,
        "container_id": 1,
    }  # as a client creates it: no host_url, so it is null as recorded
    api.ok("POST", "/hosttemplates/add.json", {"Hosttemplate": template}, {"angular": "true"})
    params = {"scroll": "false", "limit": 3, "page": 1, "sort": "Hosttemplates.name", "direction": "asc"}
    answer = get(api, "/hosttemplates/index.json", {**params, "filter[Hosttemplates.name]": "scale"})
    check(HOSTTEMPLATES, answer, CSRF_NULL, USERNAME_NEWER)


def test_downtimes(api: ApiClient) -> None:
    Time(api, 1789577408)  # when the recording was made (downtimes/user-timezone.json): the window is ahead
    body = {
        "Systemdowntime": {
            "object_id": [1],
            "downtimetype_id": 1,
            "from_date": "01.01.2030",
            "from_time": "22:00",
            "to_date": "02.01.2030",
            "to_time": "00:00",
            "comment": "scale dataset: planned",
            "is_recurring": 0,
        }
    }
    api.ok("POST", "/systemdowntimes/addHostdowntime.json", body, {"angular": "true"})
    common = {"filter[hideExpired]": "true", "scroll": "false", "page": 1}
    # The default window ends 60 days ahead (DowntimesController): the planned downtime needs `filter[to]`.
    common["filter[to]"] = "@1999999999"
    hosts = get(api, "/downtimes/host.json", {**common, "filter[DowntimeHosts.was_cancelled]": 0, "limit": 20})
    check(HOST_DOWNTIMES, hosts, CSRF_TRIMMED)
    services = get(api, "/downtimes/service.json", {**common, "filter[DowntimeServices.was_cancelled]": 0, "limit": 3})
    check(SERVICE_DOWNTIMES, services, CSRF_TRIMMED)


def test_user_timezone(api: ApiClient) -> None:
    check(USER_TIMEZONE, get(api, "/angular/user_timezone.json", {}), CSRF_TRIMMED)


def test_services_index_row(api: ApiClient) -> None:
    # As for hosts: every simulated service is OK, so the `warning` filter of the recorded request is left out.
    params = {"scroll": "false", "limit": 20, "page": 1, "sort": "Servicestatus.last_state_change", "direction": "asc"}
    check(SERVICES_INDEX_WARNING, get(api, "/services/index.json", params), CSRF_NULL)


def test_the_checker_sees_departures() -> None:
    """The comparison itself: a missing, an extra, a reordered key, a wrong type, an empty list."""
    shape = {"a": int, "b": [str], "c": None}
    assert mismatches(shape, {"a": 1, "b": ["x"], "c": None}) == []
    assert mismatches(shape, {"a": True, "b": ["x"], "c": None}) == ["a: bool, recorded int"]
    assert mismatches(shape, {"b": ["x"], "c": None, "d": 1}) == ["a: missing", "d: not recorded"]
    assert mismatches(shape, {"b": ["x"], "a": 1, "c": None})[0].startswith(".: keys in the order")
    assert mismatches(shape, {"a": 1, "b": [], "c": None}) == ["b: no items to compare, the recording has some"]
    assert mismatches(shape, {"a": 1, "b": ["x"], "c": None, "d": 1}, [Allowance("r", extra=frozenset("d"))]) == []
