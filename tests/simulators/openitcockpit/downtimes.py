"""Downtimes: set (SystemdowntimesController: answered at once, carried out by the monitoring core
`--downtime-delay` seconds later, and only for hosts and services it runs), listed from the core's downtime
history (DowntimesController), and deleted (again through the core, which deletes by host, start and comment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model
from .errors import internal, invalid, not_allowed, not_found
from .hostviews import sparse_host
from .listing import Filters, order, paginate
from .php import is_numeric, truthy
from .protocol import answer, body, dig, route, state
from .services import service_name
from .state import Downtime, State
from .usertime import seconds_in_human_short, server_strtotime

Row = dict[str, Any]
DAY = 86400
EMPTY = "This field cannot be left empty"
OBJECT_TYPES = (model.OBJECT_HOST, model.OBJECT_SERVICE, model.OBJECT_HOSTGROUP, model.OBJECT_NODE)


# --- Validation (SystemdowntimesTable::validationDefault) ------------------------------------------------


def _integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())


def _one_of(value: Any, allowed: tuple[int, ...]) -> bool:
    return str(value) in {str(item) for item in allowed}


def _moment(data: Row, prefix: str) -> int | None:
    """strtotime("<x_date> <x_time>") in the server's zone; None when unset or unreadable."""
    date, time = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
    if date is None or time is None:
        return None
    moment = server_strtotime(str(date), str(time))
    return moment if moment is not None and moment > 0 else None


def _field_errors(data: Row, field: str, rules: list[tuple[str, Callable[[Any], bool], str]]) -> Row | None:
    """One field: present and empty is `_empty` (these fields allow no empty value), else every failing rule."""
    value = data[field]
    if value is None or value == "":
        return {"_empty": EMPTY}
    failed = {key: message for key, check, message in rules if not check(value)}
    return failed or None


def downtime_errors(data: Row) -> Row:
    """The errors of one object's downtime, in the validator's order of fields."""
    start, end = _moment(data, "from"), _moment(data, "to")
    integer = ("integer", _integer, "The provided value must be an integer")
    scalar = ("scalar", lambda value: isinstance(value, (str, int, float)), "The provided value must be scalar")
    fields: dict[str, list[tuple[str, Callable[[Any], bool], str]]] = {
        "objecttype_id": [integer, ("inList", lambda v: _one_of(v, OBJECT_TYPES), _in_list(OBJECT_TYPES))],
        "downtimetype_id": [integer, ("inList", lambda v: _one_of(v, (0, 1)), _in_list((0, 1)))],
        "object_id": [
            integer,
            ("greaterThan", lambda v: is_numeric(v) and float(v) > 0, "Please select at least on object."),
        ],
        "from_time": [scalar, ("custom", lambda v: start is not None, "Start time needs to be a valid date.")],
        "to_time": [
            scalar,
            ("custom", lambda v: end is not None, "End time needs to be a valid date."),
            (
                "custom2",
                lambda v: None not in (start, end) and start < end,
                '"From" date should be greater then "to" date.',
            ),
        ],
        "duration": [integer],
        "comment": [
            scalar,
            ("maxLength", lambda v: len(str(v)) <= 255, "The provided value must be at most `255` characters long"),
        ],
        "is_recursive": [integer, ("inList", lambda v: _one_of(v, (0, 1)), "This field needs to be 0 or 1")],
    }
    errors: Row = {}
    for field, rules in fields.items():
        if field not in data:
            if field == "from_time":
                errors[field] = {"_required": "This field is required"}
            continue
        if field == "duration" and data[field] in (None, ""):
            continue
        if problems := _field_errors(data, field, rules):
            errors[field] = problems
    return errors


def _in_list(allowed: tuple[int, ...]) -> str:
    return f"The provided value must be one of: `{', '.join(str(item) for item in allowed)}`"


# --- Setting ---------------------------------------------------------------------------------------------


def _requested() -> tuple[list[Any], Row, int | None, int | None]:
    """The ids, the data (checked per id: the first id with errors answers 400 before anything is queued), and the
    window as epochs: the user's wall-clock time, shifted by the user's UTC offset *now*."""
    data = dig(body(), "Systemdowntime")
    data = data if isinstance(data, dict) else {}
    ids = data.get("object_id")
    if not truthy(ids):
        raise invalid({"object_id": {"_empty": "You have to select at least on object."}})
    ids = ids if isinstance(ids, list) else [ids]
    for object_id in ids:
        errors = downtime_errors({**data, "object_id": object_id})
        if errors:
            raise invalid(errors)
    st = state()
    offset = st.user_time.offset(st.now())
    start, end = _moment(data, "from"), _moment(data, "to")
    return ids, data, start - offset if start is not None else None, end - offset if end is not None else None


def _id(value: Any) -> int:
    return int(float(value)) if is_numeric(value) else 0


def _queue_window(data: Row, start: int | None, end: int | None) -> tuple[int, int] | None:
    """The window the core gets; a recurring downtime is stored as a systemdowntime instead (not simulated)."""
    if data.get("is_recurring") in (1, "1") or start is None or end is None:
        return None
    return start, end


@route("/systemdowntimes/addHostdowntime", ("GET", "POST", "PUT"), angular="empty")
def add_host_downtime() -> Response:
    """`{"Systemdowntime": {"object_id": [host ids], "downtimetype_id": 0 | 1, "from_date", "from_time",
    "to_date", "to_time", "comment", "is_recurring": 0}}`: `{"success": true}` at once, no id. An unknown host
    is a 404 (the ones before it are queued all the same)."""
    if request.method == "GET":
        return answer()
    st = state()
    ids, data, start, end = _requested()
    window = _queue_window(data, start, end)
    with_services = str(data.get("downtimetype_id")) == "1"
    for object_id in ids:
        host = st.hosts.get(_id(object_id))
        if host is None:
            raise not_found("Not Found")
        if window is not None:
            command = "SCHEDULE_HOST_DOWNTIME" + (" + SCHEDULE_HOST_SVC_DOWNTIME" if with_services else "")
            run = _schedule(host["id"], None, window, str(data.get("comment") or ""), st.user_fullname, with_services)
            st.queue(f"{command};{host['uuid']};{window[0]};{window[1]}", host, run)
    return answer({"success": True})


@route("/systemdowntimes/addServicedowntime", ("GET", "POST", "PUT"), angular="empty")
def add_service_downtime() -> Response:
    """`object_id`: service ids (`downtimetype_id` does not matter); an unknown one is a 500."""
    if request.method == "GET":
        return answer()
    st = state()
    ids, data, start, end = _requested()
    window = _queue_window(data, start, end)
    for object_id in ids:
        service = st.services.get(_id(object_id))
        if service is None:
            raise internal()
        host = st.hosts[service["host_id"]]
        if window is not None:
            run = _schedule(host["id"], service["id"], window, str(data.get("comment") or ""), st.user_fullname, False)
            st.queue(f"SCHEDULE_SVC_DOWNTIME;{host['uuid']};{service['uuid']};{window[0]};{window[1]}", host, run)
    return answer({"success": True})


@route("/systemdowntimes/addHostgroupdowntime", ("GET", "POST", "PUT"), angular="empty")
def add_hostgroup_downtime() -> Response:
    """`object_id`: host group ids: a downtime for every member host the core runs (members as the host group's
    own list or, for a host without groups, its template's)."""
    if request.method == "GET":
        return answer()
    st = state()
    ids, data, start, end = _requested()
    window = _queue_window(data, start, end)
    with_services = str(data.get("downtimetype_id")) == "1"
    for object_id in ids:
        group = st.hostgroups.get(_id(object_id))
        if group is None:
            raise not_found("Not Found")
        if window is None:
            continue
        for host in _group_hosts(st, group["id"]):
            run = _schedule(host["id"], None, window, str(data.get("comment") or ""), st.user_fullname, with_services)
            st.queue(f"SCHEDULE_HOSTGROUP_HOST_DOWNTIME;{group['uuid']};{window[0]};{window[1]}", host, run)
    return answer({"success": True})


def _group_hosts(st: State, group_id: int) -> list[Row]:
    def groups(host: Row) -> list[int]:
        return list(host["hostgroups"] or st.hosttemplates[host["hosttemplate_id"]]["hostgroups"])

    return [host for host in st.hosts.values() if group_id in groups(host)]


def _schedule(
    host_id: int, service_id: int | None, window: tuple[int, int], comment: str, author: str, with_services: bool
) -> Callable[[State], None]:
    """What the core does with the command: a downtime for the host (and each of its services it runs) or the
    service, if it runs them; a window that is over or ends before it starts is ignored."""

    def run(st: State) -> None:
        start, end = window
        if end <= start or end <= st.now() or not st.is_monitored(host_id):
            return
        if service_id is not None:
            service = st.services.get(service_id)
            targets = [service_id] if service is not None and st.service_monitored(service) else []
        else:
            targets = [None, *(s for s in st.monitored[host_id] if with_services and s in st.services)]
        for target in targets:
            st.downtimes.append(
                Downtime(
                    id=st.new_downtime_id(),
                    host_id=host_id,
                    service_id=target,
                    author=author,
                    comment=comment,
                    entry_time=st.now(),
                    start=start,
                    end=end,
                )
            )

    return run


# --- Listing ---------------------------------------------------------------------------------------------


def downtime_view(st: State, downtime: Downtime) -> Row:
    """Views\\Downtime with the user's time format; no epochs anywhere."""
    now = st.now()
    started = downtime.start <= now and not (downtime.cancelled and downtime.actual_end < downtime.start)
    cancellable = downtime.end > now and not downtime.cancelled
    show = st.user_time.format
    return {
        "authorName": downtime.author,
        "commentData": downtime.comment,
        "entryTime": show(downtime.entry_time),
        "scheduledStartTime": show(downtime.start),
        "scheduledEndTime": show(downtime.end),
        "actualEndTime": show(downtime.actual_end),
        "duration": downtime.end - downtime.start,
        "wasStarted": started,
        "internalDowntimeId": downtime.id,
        "downtimehistoryId": None,
        "wasCancelled": downtime.cancelled,
        "allowEdit": True,
        "durationHuman": seconds_in_human_short(downtime.end - downtime.start),
        "isCancellable": cancellable,
        "isRunning": started and cancellable,
        "isExpired": started and downtime.end < now and not downtime.cancelled,
    }


def _window(filters: Filters, now: int) -> tuple[int, int]:
    """`filter[from]`/`filter[to]` (strtotime in the server's zone: `@<epoch>` or a date and time); default
    −30 days .. +60 days, also for a falsy value."""
    bounds = []
    for name, default in (("from", now - 30 * DAY), ("to", now + 60 * DAY)):
        value = (filters.scalar(name) or "").strip()
        moment: int | None = None
        if value.startswith("@") and value[1:].lstrip("-").isdigit():
            moment = int(value[1:])
        elif " " in value:
            moment = server_strtotime(*value.split(" ", 1))
        bounds.append(moment or default)
    return bounds[0], bounds[1]


def _listed(st: State, table: str, services: bool) -> tuple[list[Downtime], Row]:
    filters = Filters(request.args)
    now = st.now()
    begin, until = _window(filters, now)
    rows = [
        d
        for d in st.downtimes
        if (d.service_id is not None) == services
        and d.host_id in st.hosts
        and (not services or d.service_id in st.services)
    ]
    rows = [d for d in rows if d.start <= begin <= d.end or d.start <= until <= d.end or begin <= d.start <= until]
    if request.args.get("filter[hideExpired]", "true") in ("true", "1"):
        rows = [d for d in rows if d.end > now]
    if request.args.get("filter[isRunning]") in ("true", "1"):
        rows = [d for d in rows if d.start <= now < d.end and not d.cancelled]
    spec = {
        "Hosts.name": ("like", lambda d: st.hosts[d.host_id]["name"]),
        f"{table}.author_name": ("like", lambda d: d.author),
        f"{table}.comment_data": ("like", lambda d: d.comment),
        f"{table}.was_cancelled": ("boolean", lambda d: d.cancelled),
    }
    if services:
        spec["servicename"] = ("like", lambda d: service_name(st.services[d.service_id]))
    rows = filters.apply(rows, spec)
    columns = {
        f"{table}.scheduled_start_time": lambda d: d.start,
        f"{table}.scheduled_end_time": lambda d: d.end,
        f"{table}.entry_time": lambda d: d.entry_time,
        f"{table}.author_name": lambda d: d.author,
        f"{table}.comment_data": lambda d: d.comment,
        f"{table}.was_cancelled": lambda d: d.cancelled,
        f"{table}.duration": lambda d: d.end - d.start,
        f"{table}.internal_downtime_id": lambda d: d.id,
        "Hosts.name": lambda d: st.hosts[d.host_id]["name"],
    }
    if services:
        columns["servicename"] = lambda d: service_name(st.services[d.service_id])
    rows = order(
        rows,
        request.args,
        columns,
        [(f"{table}.scheduled_start_time", "desc")],
        [(f"{table}.internal_downtime_id", "asc")],
    )
    return paginate(rows, request.args)


@route("/downtimes/host", angular="empty")
def host_downtimes() -> Response:
    st = state()
    chosen, block = _listed(st, "DowntimeHosts", services=False)
    listed = [{"Host": sparse_host(st.hosts[d.host_id]), "DowntimeHost": downtime_view(st, d)} for d in chosen]
    return answer({"all_host_downtimes": listed, **block}, tail=False)


@route("/downtimes/service", angular="empty")
def service_downtimes() -> Response:
    st = state()
    chosen, block = _listed(st, "DowntimeServices", services=True)
    listed = [
        {
            "Host": sparse_host(st.hosts[d.host_id]),
            "Service": _sparse_service(st.services[d.service_id or 0]),
            "DowntimeService": downtime_view(st, d),
        }
        for d in chosen
    ]
    return answer({"all_service_downtimes": listed, **block}, tail=False)


def _sparse_service(service: Row) -> Row:
    return {
        "id": service["id"],
        "uuid": service["uuid"],
        "servicename": service_name(service),
        "hostname": None,
        "description": None,
        "active_checks_enabled": None,
        "tags": None,
        "host_id": None,
        "allow_edit": True,
        "disabled": False,
        "serviceType": 1,
        "priority": None,
    }


# --- Deleting --------------------------------------------------------------------------------------------


@route("/downtimes/delete/<downtime_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_downtime(downtime_id: str) -> Response:
    """`{"type": "host", "includeServices": bool}` or `{"type": "service"}` (any other type counts as service).
    The core deletes by object, start and comment, `--downtime-delay` later; the row stays, cancelled."""
    if request.method != "POST":
        raise not_allowed()
    data = body()
    if not downtime_id.isdigit() or data.get("type") is None:
        raise internal()  # InvalidArgumentException
    st = state()
    wanted = int(downtime_id)
    is_host = data["type"] == "host"
    found = next((d for d in st.downtimes if d.id == wanted and (d.service_id is None) == is_host), None)
    if found is None:
        return answer({"success": False, "message": "Could not find downtime"} if is_host else _deleted())
    host = st.hosts.get(found.host_id)
    if host is None:
        return answer({"success": False, "message": 'Record not found in table "hosts"'})
    st.queue(
        f"delete_downtime;{host['uuid']};{found.start};{found.comment}",
        host,
        _cancel(found.host_id, found.service_id, found.start, found.comment),
    )
    if is_host and truthy(data.get("includeServices", False)):
        for other in st.downtimes:
            if (
                other.host_id == found.host_id
                and other.service_id is not None
                and (other.start, other.end) == (found.start, found.end)
            ):
                st.queue(
                    f"delete_downtime;{host['uuid']};{other.start};{other.comment}",
                    host,
                    _cancel(other.host_id, other.service_id, other.start, other.comment),
                )
    return answer(_deleted())


def _deleted() -> Row:
    return {"success": True, "message": "Successfully"}


def _cancel(host_id: int, service_id: int | None, start: int, comment: str) -> Callable[[State], None]:
    """Naemon's delete_downtime_by_hostname_service_description_start_time_comment(): without a service, the
    host's downtimes *and* its services' with that start and comment."""

    def run(st: State) -> None:
        now = st.now()
        for downtime in st.downtimes:
            same_object = downtime.host_id == host_id and (service_id is None or downtime.service_id == service_id)
            if (
                same_object
                and (downtime.start, downtime.comment) == (start, comment)
                and not downtime.cancelled
                and downtime.end > now
            ):
                downtime.cancelled = True
                downtime.actual_end = now

    return run
