"""Services (ServicesController), as much as a client needs to find a service's id for a downtime: every host has
the services its template is configured with (README: Known differences). `index` lists the services the core runs,
`notMonitored` the others, `loadServicesByString` all of them."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from .hostviews import CHECK_EVERY, downtime_depth, satellite, satellite_options, sparse_host, visible, words
from .listing import Filters, key_values, order, paginate
from .protocol import answer, route, state
from .state import State
from .usertime import seconds_in_human_short

Row = dict[str, Any]
AJAX_LIMIT = 150
SERVICE_TYPE = {"title": "Generic service", "color": "text-generic", "class": "border-generic", "icon": ["fas", "cog"]}
OK_OUTPUT = "OK"
NEVER_IN_WORDS = "on 1/1/70"  # timeAgoInWords() of epoch 0, an unset check time


def service_name(service: Row) -> str:
    """IF(Services.name IS NULL, Servicetemplates.name, Services.name)."""
    return str(service["name"] or service["servicetemplate"])


def service_view(st: State, service: Row) -> Row:
    host = st.hosts[service["host_id"]]
    return {
        "id": service["id"],
        "uuid": service["uuid"],
        "servicename": service_name(service),
        "hostname": host["name"],
        "description": "",
        "active_checks_enabled": True,
        "tags": None,
        "host_id": host["id"],
        "allow_edit": True,
        "disabled": bool(service["disabled"]),
        "serviceType": 1,
        "priority": 1,
        "has_graph": False,
    }


def brief_host(st: State, host: Row) -> Row:
    """The host of a service row: a Views\\Host of a few columns, its address and satellite added."""
    satellite_id, satellite_name, _restricted = satellite(st, host)
    view = sparse_host(host)
    view.update(address=host["address"], satelliteId=satellite_id, satelliteName=satellite_name)
    return view


def service_status(st: State, service: Row) -> Row:
    """Views\\Servicestatus::toArrayForBrowser() of a monitored service: OK, checked every five minutes since its
    host was created; the columns Statusengine 3 leaves empty are null."""
    now = st.now()
    last_check = now - now % CHECK_EVERY
    changed = st.hosts[service["host_id"]]["created"]
    show = st.user_time.format
    return {
        "currentState": 0,
        "lastHardState": None,
        "isFlapping": False,
        "problemHasBeenAcknowledged": False,
        "scheduledDowntimeDepth": downtime_depth(st, service["host_id"], service["id"]),
        "lastCheck": show(last_check),
        "nextCheck": show(last_check + CHECK_EVERY),
        "activeChecksEnabled": 1,
        "lastHardStateChange": show(changed),
        "last_state_change": show(changed),
        "processPerformanceData": None,
        "state_type": 1,
        "acknowledgement_type": 0,
        "flap_detection_enabled": None,
        "notifications_enabled": True,
        "current_check_attempt": None,
        "output": OK_OUTPUT,
        "long_output": None,
        "perfdata": "",
        "latency": None,
        "max_check_attempts": None,
        "last_time_ok": show(last_check),
        "lastHardStateChangeInWords": seconds_in_human_short(now - changed),
        "last_state_change_in_words": seconds_in_human_short(now - changed),
        "lastCheckInWords": words(now - last_check, past=True),
        "nextCheckInWords": words(last_check + CHECK_EVERY - now, past=False),
        "isHardstate": True,
        "isInMonitoring": True,
        "humanState": "ok",
        "cssClass": "bg-ok",
        "textClass": "ok",
        "outputHtml": OK_OUTPUT,
    }


def host_status_brief(st: State, host: Row) -> Row:
    """The `Hoststatus` of a service row: ServicesController::index reads only current_state, is_hardstate,
    is_flapping and the two state changes, so Views\\Hoststatus shows the rest null, or epoch 0 where it formats a
    time (`state_type` is is_hardstate, a boolean)."""
    now = st.now()
    changed = host["created"]
    never = st.user_time.format(0)
    return {
        "currentState": 0,
        "isFlapping": False,
        "problemHasBeenAcknowledged": False,
        "scheduledDowntimeDepth": None,
        "lastCheck": never,
        "nextCheck": never,
        "activeChecksEnabled": None,
        "lastHardState": None,
        "lastHardStateChange": st.user_time.format(changed),
        "last_state_change": st.user_time.format(changed),
        "output": None,
        "long_output": None,
        "acknowledgement_type": None,
        "state_type": True,
        "flap_detection_enabled": None,
        "notifications_enabled": None,
        "current_check_attempt": None,
        "max_check_attempts": None,
        "latency": None,
        "last_time_up": never,
        "lastHardStateChangeInWords": seconds_in_human_short(now - changed),
        "last_state_change_in_words": seconds_in_human_short(now - changed),
        "lastCheckInWords": NEVER_IN_WORDS,
        "nextCheckInWords": NEVER_IN_WORDS,
        "isHardstate": True,
        "isInMonitoring": True,
        "humanState": "up",
        "cssClass": "bg-up",
        "textClass": "up",
        "outputHtml": "",
    }


def index_filters() -> dict[str, Any]:
    """ServiceFilter::indexFilter() (the ones that mean something here)."""
    return {
        "Hosts.id": ("equals", lambda row: row["host_id"]),
        "Hosts.satellite_id": ("equals", lambda row: state().hosts[row["host_id"]]["satellite_id"]),
        "Services.id": ("equals", lambda row: row["id"]),
        "Services.uuid": ("equals", lambda row: row["uuid"]),
        "Services.disabled": ("equals", lambda row: row["disabled"]),
        "Hosts.name": ("like_or_rlike", lambda row: state().hosts[row["host_id"]]["name"]),
        "servicename": ("like_or_rlike", service_name),
        "Servicestatus.output": ("like", lambda row: OK_OUTPUT),
    }


def _listed(services: list[Row]) -> tuple[list[Row], dict[str, Any]]:
    services = Filters(request.args).apply(services, index_filters())
    st = state()
    columns = {
        "Hosts.name": lambda row: st.hosts[row["host_id"]]["name"],
        "servicename": service_name,
        "Services.id": lambda row: row["id"],
        "Hosts.id": lambda row: row["host_id"],
        "Servicestatus.current_state": lambda row: 0,
        "Servicestatus.last_state_change": lambda row: st.hosts[row["host_id"]]["created"],
        "Servicestatus.last_hard_state_change": lambda row: st.hosts[row["host_id"]]["created"],
        "Servicestatus.last_check": lambda row: 0,
        "Servicestatus.output": lambda row: OK_OUTPUT,
    }
    services = order(services, request.args, columns, [("Hosts.name", "asc"), ("servicename", "asc")])
    return paginate(services, request.args)


@route("/services/index")
def service_index() -> Response:
    """The services the core runs (not disabled, of visible hosts); by host name, then service name."""
    st = state()
    services = [
        s
        for s in st.services.values()
        if st.service_monitored(s) and not s["disabled"] and visible(st, st.hosts[s["host_id"]])
    ]
    chosen, block = _listed(services)
    listed = [
        {
            "Service": service_view(st, service),
            "Host": brief_host(st, st.hosts[service["host_id"]]),
            "Hoststatus": host_status_brief(st, st.hosts[service["host_id"]]),
            "Servicestatus": service_status(st, service),
            "ServiceType": SERVICE_TYPE,
            "Downtime": [],
            "Acknowledgement": [],
        }
        for service in chosen
    ]
    satellites = key_values(satellite_options(st))
    return answer({"all_services": listed, "username": st.user_fullname, "satellites": satellites, **block})


@route("/services/notMonitored")
def services_not_monitored() -> Response:
    """Enabled services the core does not run (created since the last export)."""
    st = state()
    services = [
        s
        for s in st.services.values()
        if not st.service_monitored(s) and not s["disabled"] and visible(st, st.hosts[s["host_id"]])
    ]
    chosen, block = _listed(services)
    listed = [
        {
            "Service": service_view(st, service),
            "Host": brief_host(st, st.hosts[service["host_id"]]),
            "Servicestatus": {"isInMonitoring": False, "currentState": -1},
        }
        for service in chosen
    ]
    return answer({"all_services": listed, **block}, tail=False)


@route("/services/loadServicesByString", angular="405")
def load_services_by_string() -> Response:
    """`filter[servicename]` LIKE on `<host name>/<service name>`, `filter[Hosts.id]`; configured services whether
    monitored or not (disabled ones with `includeDisabled=true`); at most 150."""
    st = state()
    include_disabled = request.args.get("includeDisabled") == "true"
    services = [s for s in st.services.values() if include_disabled or not s["disabled"]]
    spec = {
        "Hosts.id": ("equals", lambda row: row["host_id"]),
        "servicename": ("like", lambda row: f"{st.hosts[row['host_id']]['name']}/{service_name(row)}"),
    }
    services = Filters(request.args).apply(services, spec)
    services.sort(key=lambda row: (st.hosts[row["host_id"]]["name"].casefold(), service_name(row).casefold()))
    found = [
        (
            service["id"],
            {
                "Service": {
                    "id": service["id"],
                    "name": service["name"],
                    "servicename": service_name(service),
                    "disabled": service["disabled"],
                },
                "Host": {"id": service["host_id"], "name": st.hosts[service["host_id"]]["name"]},
                "Servicetemplate": {"name": service["servicetemplate"]},
            },
        )
        for service in services[:AJAX_LIMIT]
    ]
    return answer({"services": key_values(found)})
