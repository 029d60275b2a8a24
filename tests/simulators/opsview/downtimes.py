"""/rest/downtime: set (POST), list (GET) and cancel or delete (DELETE) downtimes of the hosts and services the
last reload activated. Setting and deleting are asynchronous: the answer comes at once, the core processes the
command `downtime_delay` seconds later (in order), and only then do listings show it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .errors import bad_request
from .model import Index, fold
from .protocol import body, json_response, params, route, state, user
from .search import like
from .state import Command, Downtime, State

STRIPPED = str.maketrans("", "", "<>;\n")
UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
SELECTORS = ("hg.", "hst.", "svc.")


def parse_time(text: Any, now: float) -> int | None:
    """Epoch seconds, `YYYY-MM-DD HH:MM:SS` (the server's time zone: UTC here), `now` or `+2h`-style offsets."""
    text = str(text).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    if text == "now":
        return int(now)
    if match := re.fullmatch(r"\+(\d+)([wdhms])", text):
        return int(now) + int(match.group(1)) * UNITS[match.group(2)]
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return int(datetime.strptime(text, layout).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    return None


def parse_duration(text: Any) -> int | None:
    """Jira style: `2h`, `1d`, `30m`, `1h30m`, `1w`; None when unreadable."""
    text = str(text).replace(" ", "")
    if not re.fullmatch(r"(\d+[wdhms])+", text):
        return None
    return sum(int(amount) * UNITS[unit] for amount, unit in re.findall(r"(\d+)([wdhms])", text))


def _matches(pattern: str, value: str) -> bool:
    return like(pattern).fullmatch(value) is not None if "%" in pattern else fold(pattern) == fold(value)


@dataclass
class Selection:
    """The objects a request selects: host groups, hosts, services (host id, service name)."""

    hostgroups: list[int] = field(default_factory=list)
    hosts: list[int] = field(default_factory=list)
    services: list[tuple[int, str]] = field(default_factory=list)
    group_hosts: dict[int, list[int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.hostgroups or self.hosts or self.services)


def select(st: State, given: MultiDict[str, Any]) -> Selection:
    """`hg.hostgroupname`/`hg.hostgroupid`, `hst.hostname`/`hst.hostid`, `svc.hostname`+`svc.servicename` (pairs in
    order), each repeatable, `%` a wildcard in names; among the objects the last reload activated."""
    applied = st.applied
    index = Index(applied)
    found = Selection()
    groups = applied["hostgroup"]
    for group_id, group in groups.items():
        names = [str(name) for name in given.getlist("hg.hostgroupname")]
        if any(_matches(name, group["name"]) for name in names) or str(group_id) in map(
            str, given.getlist("hg.hostgroupid")
        ):
            found.hostgroups.append(group_id)
            found.group_hosts[group_id] = sorted(
                host_id for leaf in index.leaves(group_id) for host_id in index.group_hosts.get(leaf, [])
            )
    hosts = applied["host"]
    for host_id, host in hosts.items():
        names = [str(name) for name in given.getlist("hst.hostname")]
        if any(_matches(name, host["name"]) for name in names) or str(host_id) in map(str, given.getlist("hst.hostid")):
            found.hosts.append(host_id)
    host_names, service_names = given.getlist("svc.hostname"), given.getlist("svc.servicename")
    if len(host_names) != len(service_names):
        raise bad_request("svc.hostname and svc.servicename go in pairs")
    for host_pattern, service_pattern in zip(host_names, service_names, strict=True):
        for host_id, host in hosts.items():
            if _matches(str(host_pattern), host["name"]):
                found.services += [
                    (host_id, service)
                    for service in st.monitored_services(host_id)
                    if _matches(str(service_pattern), service) and (host_id, service) not in found.services
                ]
    return found


def selection_answer(st: State, found: Selection) -> dict[str, Any]:
    """What POST and DELETE answer: the objects selected."""
    hosts = st.applied["host"]
    return {
        "list": {
            "hostgroups": [
                {"id": str(group), "name": st.applied["hostgroup"][group]["name"]} for group in found.hostgroups
            ],
            "hosts": [{"hostname": hosts[host]["name"], "id": str(host)} for host in found.hosts],
            "services": [
                {"hostname": hosts[host]["name"], "id": str(st.service_id(host, service)), "servicename": service}
                for host, service in found.services
            ],
        },
        "summary": {
            "num_hostgroups": str(len(found.hostgroups)),
            "num_hosts": str(len(found.hosts)),
            "num_services": str(len(found.services)),
        },
    }


@dataclass(frozen=True)
class Times:
    """What every downtime of one request shares."""

    start: int
    end: int
    author: str
    entry: int


def _rows(st: State, host_id: int, services: Iterable[str | None], comment: str, times: Times) -> list[Downtime]:
    host = st.applied["host"][host_id]["name"]
    return [
        Downtime(
            id=st.new_downtime_id(),
            host_id=host_id,
            hostname=host,
            servicename=service,
            service_id=None if service is None else st.service_id(host_id, service),
            start=times.start,
            end=times.end,
            comment=comment,
            author=times.author,
            entry_time=times.entry,
        )
        for service in services
    ]


@route("/downtime", "POST")
def set_downtime() -> Response:
    st = state()
    given = params(body())
    now = st.wall_clock()
    start = parse_time(given["starttime"], now) if given.get("starttime") not in (None, "") else None
    if start is None:
        raise bad_request("starttime: Missing or invalid")
    if start < now - 3600:
        raise bad_request("starttime: Cannot be more than 1 hour in the past")
    if given.get("endtime") not in (None, ""):
        end = parse_time(given["endtime"], now)
        if end is None or end <= start:
            raise bad_request("endtime: Invalid (must be after starttime)")
    elif given.get("duration") not in (None, ""):
        seconds = parse_duration(given["duration"])
        if seconds is None or seconds < 60:
            raise bad_request("duration: Invalid (at least 1 minute, e.g. 30m, 2h, 1d)")
        end = start + seconds
    else:
        raise bad_request("endtime or duration: Missing")
    comment = str(given.get("comment") or "").translate(STRIPPED)
    if not comment.strip():
        raise bad_request("comment: Missing")
    found = select(st, given)
    if found.empty:
        raise bad_request("No objects selected for downtime")
    times = Times(start, end, user(), int(now))
    prefix = given.get("comment_prefix")
    rows: list[Downtime] = []
    for group in found.hostgroups:
        text = f"Host group '{st.applied['hostgroup'][group]['name']}': {comment}"
        for host in found.group_hosts[group]:
            rows += _rows(st, host, [None, *st.monitored_services(host)], text, times)
    for host in found.hosts:
        text = f"Host '{st.applied['host'][host]['name']}': {comment}"
        rows += _rows(st, host, [None, *st.monitored_services(host)], text, times)
    for host, service in found.services:
        text = (
            f"{prefix}{comment}"
            if prefix
            else f"Service '{service}' on host '{st.applied['host'][host]['name']}': {comment}"
        )
        rows += _rows(st, host, [service], text, times)
    st.commands.append(Command(due=st.clock() + st.downtime_delay, user=user(), add=rows, description="set"))
    return json_response(selection_answer(st, found))


def _filtered(st: State, given: MultiDict[str, str]) -> list[Downtime]:
    """The downtimes the listing filters select (those of the service status filters, and the downtime's own)."""
    if bad := [key for key in given if key.startswith(SELECTORS)]:
        raise bad_request(f"Invalid parameter for listing downtimes: {bad[0]}")
    now = st.wall_clock()
    found = list(st.downtimes)
    if names := given.getlist("hostname"):
        found = [row for row in found if any(_matches(name, row.hostname) for name in names)]
    if services := given.getlist("servicename"):  # also the host rows of hosts with such a service (documented)
        hosts = {
            row.host_id
            for row in found
            if row.servicename and any(_matches(name, row.servicename) for name in services)
        }
        found = [
            row
            for row in found
            if (row.servicename and any(_matches(name, row.servicename) for name in services))
            or (row.servicename is None and row.host_id in hosts)
        ]
    if pairs := given.getlist("hs"):
        wanted = {tuple(pair.split("::", 1)) for pair in pairs}
        found = [row for row in found if (row.hostname, row.servicename) in wanted]
    groups = given.getlist("hostgroupid") + given.getlist("hostgroupname")
    if groups:
        index = Index(st.applied)
        members = {
            host
            for group_id, group in st.applied["hostgroup"].items()
            if str(group_id) in given.getlist("hostgroupid") or group["name"] in given.getlist("hostgroupname")
            for leaf in index.leaves(group_id)
            for host in index.group_hosts.get(leaf, [])
        }
        found = [row for row in found if row.host_id in members]
    if "comment" in given:
        found = [row for row in found if row.comment == given["comment"]]
    for key, attribute in (("start_time", "start"), ("end_time", "end")):
        if key in given:
            moment = parse_time(given[key], now)
            found = [row for row in found if getattr(row, attribute) == moment]
    return sorted(
        found, key=lambda row: (row.start, row.end, row.comment, row.author, row.servicename is not None, row.id)
    )


def _time(value: int, formatted: bool) -> str:
    if formatted:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@route("/downtime")
def list_downtimes() -> Response:
    st = state()
    given = request.args
    found = _filtered(st, given)
    rows_text, page_text = given.get("rows", "50"), given.get("page", "1")
    if (rows_text != "all" and not rows_text.isdigit()) or not page_text.isdigit() or int(page_text) < 1:
        raise bad_request("Invalid rows or page")
    paged = rows_text not in ("all", "0")
    shown = found
    if paged:
        rows, page = int(rows_text), int(page_text)
        shown = found[(page - 1) * rows : page * rows]
    formatted = given.get("format_datetime") == "1"
    now = st.wall_clock()
    groups: list[dict[str, Any]] = []
    for row in shown:
        key = (row.start, row.end, row.comment, row.author)
        if not groups or groups[-1]["key"] != key:
            started = row.start <= now
            item: dict[str, Any] = {
                "author": row.author,
                "comment": row.comment,
                "objects": {},
                "scheduled_end_time": _time(row.end, formatted),
                "start_time": _time(row.start, formatted),
                "started": "1" if started else "0",
            }
            if started:
                item["actual_start_time"] = _time(row.start, formatted)
            groups.append({"key": key, "item": item})
        objects = groups[-1]["item"]["objects"]
        if row.servicename is None:
            objects.setdefault("hosts", []).append({"hostname": row.hostname, "id": str(row.host_id)})
        else:
            objects.setdefault("services", []).append(
                {"hostname": row.hostname, "id": str(row.service_id), "servicename": row.servicename}
            )
    summary = {
        "allrows": str(len(st.downtimes)),
        "num_hosts": str(sum(1 for row in shown if row.servicename is None)),
        "num_services": str(sum(1 for row in shown if row.servicename is not None)),
        "rows": str(len(shown)),
    }
    if paged:
        summary.update(
            page=page_text, totalpages=str(max(1, math.ceil(len(found) / int(rows_text)))), totalrows=str(len(found))
        )
    answer: dict[str, Any] = {"summary": summary}
    if rows_text != "0":
        answer["list"] = [group["item"] for group in groups]
    return json_response(answer)


@route("/downtime", "DELETE")
def delete_downtime() -> Response:
    """URL parameters only. By default every downtime of the objects selected as for setting (optionally only
    those with `start_time` and the exact stored `comment`); with `only_objects_set=1`, those the listing filters
    find. Asynchronous like setting; the answer names the objects."""
    st = state()
    given = request.args
    now = st.wall_clock()
    start = parse_time(given["start_time"], now) if given.get("start_time") else None
    comment = given.get("comment")
    if given.get("only_objects_set", "0") == "1":
        rows = _filtered(
            st, MultiDict([(key, value) for key, value in given.items(multi=True) if key != "only_objects_set"])
        )
        keys = {(row.host_id, row.servicename, row.start, row.comment) for row in rows}
        found = Selection(
            hosts=list(dict.fromkeys(row.host_id for row in rows if row.servicename is None)),
            services=list(dict.fromkeys((row.host_id, row.servicename) for row in rows if row.servicename is not None)),
        )

        def chosen(row: Downtime) -> bool:
            return (row.host_id, row.servicename, row.start, row.comment) in keys

    else:
        found = select(st, MultiDict(given))
        hosts = {*found.hosts, *(host for group in found.hostgroups for host in found.group_hosts[group])}
        services = set(found.services)

        def chosen(row: Downtime) -> bool:
            selected = row.host_id in hosts or (row.host_id, row.servicename) in services
            return selected and (start is None or row.start == start) and (comment is None or row.comment == comment)

    if not found.empty:
        st.commands.append(
            Command(due=st.clock() + st.downtime_delay, user=user(), remove=chosen, description="delete")
        )
    return json_response(selection_answer(st, found))


def state_json(st: State) -> dict[str, Any]:
    return {
        "downtimes": [downtime.json() for downtime in st.downtimes],
        "downtime_commands": [
            {"user": command.user, "action": command.description, "due_in": max(0.0, command.due - st.clock())}
            for command in st.commands
        ],
    }
