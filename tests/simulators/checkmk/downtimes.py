"""Downtimes (contract 4): Livestatus commands to the cores of the sites, which keep them per site, each with
its own ids counting from 1. Downtimes are monitoring, not Setup: they record no pending changes.

The central site's API reaches every site (its Livestatus connects to all of them); each remote site serves
these endpoints too, at `/<remote_site>/check_mk/api/1.0`, reaching only itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, request
from werkzeug.wrappers import Response

from . import validation as v
from .livestatus import DOWNTIMES, QueryError, Row, compile_filter
from .problem import Problem, field_problem
from .protocol import (
    control_route,
    json_body,
    json_response,
    no_content,
    query,
    renderer,
    route,
    serving_site,
    state,
)
from .render import Renderer
from .state import Downtime, State, iso_time

T = TypeVar("T")
Expression = Mapping[str, Any]

DELETE = "/domain-types/downtime/actions/delete/invoke"
NO_MATCH = "The provided query returned an empty list so no downtime was set"
NO_CHANGE = ("No modification specified", "You must especify at least one field to modify")
NO_SERVICES = "Need at least one parameter."


@dataclass(frozen=True)
class Reach:
    """What the Livestatus of the site serving a request reaches: every site from the central site, only
    itself from a remote site. Hosts are those of the activated configuration."""

    state: State
    sites: tuple[str, ...]

    def monitoring_site(self, host_name: str) -> str | None:
        site = self.state.monitoring_site(host_name)
        return site if site in self.sites else None

    def hosts(self) -> list[str]:
        return [name for name, site in self.state.activated_hosts.items() if site in self.sites]

    def services(self, host_name: str) -> list[str]:
        return self.state.monitored_services(host_name) if self.monitoring_site(host_name) else []

    def downtimes(self, sites: Iterable[str] | None = None) -> list[Downtime]:
        return self.state.all_downtimes(self.sites if sites is None else sites)


def reach() -> Reach:
    st = state()
    return Reach(st, st.config.sites if serving_site() == st.config.site else (serving_site(),))


def silenced(site: str) -> bool:
    """Whether the fault `silent_remote_downtimes` loses a command for `site`: sent to the central site's API for
    a remote site's host or downtime (Checkmk 2.0.0p5, contract 10.2)."""
    st = state()
    central = st.config.site
    lost = st.faults.on("silent_remote_downtimes") and serving_site() == central and site != central
    st.faults.lost += lost
    return lost


# --- Create ---------------------------------------------------------------------------------------


@route("/domain-types/downtime/collections/host", "POST", remote=True)
def create_host_downtime() -> Response:
    """`host` on the monitoring site of the host; `host_by_query` on that of each host the query matches (422
    when none). There are no host groups, so `hostgroup` never passes validation."""
    st, live = state(), reach()
    body = json_body(v.create_host_downtime_body(st, live.monitoring_site))
    if body["downtime_type"] == "host":
        name = body["host_name"]
        for_hosts, comment = [name], body.get("comment", f"Downtime for host {name!r}")
    else:
        for_hosts = select(live.hosts(), lambda name: host_row(st, name), body["query"])
        if not for_hosts:
            raise Problem(422, "Query did not match any host", NO_MATCH)
        comment = body.get("comment") or f"Downtime for hosts {', '.join(for_hosts)}"
    for name in for_hosts:
        schedule(live, body, name, None, comment)
    return no_content()


@route("/domain-types/downtime/collections/service", "POST", remote=True)
def create_service_downtime() -> Response:
    """`service` for those of the services named that the host's site monitors (401 when none, contract 10.4);
    `service_by_query` for each service the query matches (422 when none). No service groups exist."""
    st, live = state(), reach()
    body = json_body(v.create_service_downtime_body(st))
    if body["downtime_type"] == "service":
        host, wanted = body["host_name"], body["service_descriptions"]
        if not wanted:
            raise field_problem({"service_descriptions": [NO_SERVICES]})
        found = [name for name in live.services(host) if name in wanted]
        if not found:
            raise Problem(401, "Unauthorized", f"Cannot find the requested resource: {wanted}")
        comment = body.get("comment", f"Downtime for services {', '.join(wanted)!r}@{host!r}")
        targets = [(host, name, comment) for name in found]
    else:
        services = [(host, name) for host in live.hosts() for name in live.services(host)]
        matched = select(services, lambda service: service_row(*service), body["query"])
        if not matched:
            raise Problem(422, "Query did not match any service", NO_MATCH)
        comment = body.get("comment")
        targets = [(host, name, comment or f"Downtime for service {name}@{host}") for host, name in matched]
    for host, name, text in targets:
        schedule(live, body, host, name, text)
    return no_content()


def schedule(live: Reach, body: Mapping[str, Any], host_name: str, service: str | None, comment: str) -> None:
    """The command for the host's monitoring site; `duration` (minutes) other than 0 makes it flexible."""
    site = live.monitoring_site(host_name)
    assert site is not None, f"{host_name} is monitored by a site within reach"
    if silenced(site):
        return
    state().schedule_downtime(
        site,
        host_name=host_name,
        service_description=service,
        author=g.user,
        comment=comment.replace("\n", ""),
        start_time=timestamp(body["start_time"]),
        end_time=timestamp(body["end_time"]),
        duration=body.get("duration", 0),
        recur=body.get("recur", "fixed"),
    )


def timestamp(text: str) -> int:
    parsed = v.parse_date_time(text)
    assert parsed is not None, f"validated date and time {text!r}"
    return int(parsed.timestamp())


# --- Show -----------------------------------------------------------------------------------------


@route("/domain-types/downtime/collections/all", remote=True)
def list_downtimes() -> Response:
    """The downtimes of the sites within reach (or of `site_id`), filtered by every parameter given."""
    st, live = state(), reach()
    query(
        host_name=v.host_name(st, should_exist=None),
        service_description=v.string(),
        query=v.livestatus_query(DOWNTIMES),
        downtime_type=v.enum(v.DOWNTIME_TYPES),
        site_id=v.site(live.sites),
    )
    args = request.args
    filters: list[Expression] = []
    if (downtime_type := args.get("downtime_type", "both")) != "both":
        filters.append(column_is("is_service", "1" if downtime_type == "service" else "0"))
    if "query" in args and (expression := json.loads(args["query"])):
        filters.append(expression)
    if "host_name" in args:
        filters.append(column_is("host_name", args["host_name"]))
    if "service_description" in args:  # "contains" is a regular expression search to Livestatus
        filters.append({"op": "~", "left": "service_description", "right": args["service_description"]})
    sites = [args["site_id"]] if "site_id" in args else None
    found = select_downtimes(live.downtimes(sites), {"op": "and", "expr": filters} if filters else None)
    render = renderer()
    return json_response(render.collection("downtime", [downtime_object(render, downtime) for downtime in found]))


@route("/objects/downtime/<downtime_id>", remote=True)
def show_downtime(downtime_id: str) -> Response:
    live = reach()
    if "site_id" not in request.args:
        raise field_problem({"site_id": ["Missing data for required field."]})
    query(site_id=v.site(live.sites))
    found = select_downtimes(live.downtimes([request.args["site_id"]]), column_is("id", downtime_id))
    if len(found) != 1:
        detail = f"The downtime id {downtime_id} did not match any downtime"
        raise Problem(404, "The requested downtime was not found", detail)
    return json_response(downtime_object(renderer(), found[0]))


def downtime_object(render: Renderer, downtime: Downtime) -> dict[str, Any]:
    """2.3 says "yes"/"no" where 2.4 and 2.5 have booleans; only service downtimes have service_description.
    The delete link's body lacks the site_id that deleting by id needs, as Checkmk's does."""
    flag: Callable[[bool], Any] = (lambda on: "yes" if on else "no") if render.config.api_version == "2.3" else bool
    extensions: dict[str, Any] = {
        "site_id": downtime.site,
        "host_name": downtime.host_name,
        "author": downtime.author,
        "is_service": flag(downtime.is_service),
        "start_time": iso_time(downtime.start_time),
        "end_time": iso_time(downtime.end_time),
        "recurring": flag(downtime.recurring),
        "comment": downtime.comment,
        "mode": downtime.mode(),
    }
    if downtime.is_service:
        extensions["service_description"] = downtime.service_description
        title = f"Downtime for service: {downtime.service_description}"
    else:
        title = f"Downtime for host: {downtime.host_name}"
    delete = {
        **render.link("urn:org.restfulobjects:rels/delete", DELETE, "POST", "Delete the downtime"),
        "body_params": {"delete_type": "by_id", "downtime_id": downtime.id},
    }
    return render.domain_object("downtime", str(downtime.id), title, extensions, links=[delete], editable=False)


# --- Delete and modify ----------------------------------------------------------------------------


@route(DELETE, "POST", remote=True)
def delete_downtimes() -> Response:
    """204 whether or not anything matched (contract 4.3)."""
    st, live = state(), reach()
    body = json_body(v.delete_downtime_body(st, live.sites))
    for downtime in targeted(live, body, "delete_type"):
        if not silenced(downtime.site):
            st.delete_downtime(downtime)
    return no_content()


@route("/domain-types/downtime/actions/modify/invoke", "PUT", remote=True)
def modify_downtimes() -> Response:
    """A new end (absolute, or relative in minutes) and/or comment (an empty one changes nothing); the author
    becomes the user who modified it. 204 whether or not anything matched."""
    st, live = state(), reach()
    body = json_body(v.modify_downtime_body(st, live.sites))
    selector = target_selector(live, body, "modify_type")
    end_time, comment = body.get("end_time"), body.get("comment")
    if end_time is None and comment is None:
        raise Problem(400, *NO_CHANGE)
    for downtime in select_downtimes(*selector):
        if not silenced(downtime.site):
            modify(downtime, end_time, comment)
    return no_content()


def modify(downtime: Downtime, end_time: Mapping[str, Any] | None, comment: str | None) -> None:
    if end_time is not None and end_time["modify_type"] == "absolute":
        downtime.end_time = timestamp(end_time["value"])
    elif end_time is not None:
        downtime.end_time += 60 * end_time["value"]
    if comment:
        downtime.comment = comment.replace("\n", "")
    downtime.author = g.user


def targeted(live: Reach, body: Mapping[str, Any], type_field: str) -> list[Downtime]:
    return select_downtimes(*target_selector(live, body, type_field))


def target_selector(live: Reach, body: Mapping[str, Any], type_field: str) -> tuple[list[Downtime], Expression | None]:
    """The downtimes to look at and the filter picking those meant: `by_id` on its site, `params` the host
    downtimes of the host or those of the services named, `query` any. There are no host or service groups."""
    kind = body[type_field]
    if kind == "by_id":
        return live.downtimes([body["site_id"]]), column_is("id", body["downtime_id"])
    if kind == "query":
        return live.downtimes(), body["query"]
    host = column_is("host_name", body["host_name"])
    if "service_descriptions" not in body:
        return live.downtimes(), {"op": "and", "expr": [host, column_is("is_service", "0")]}
    if not body["service_descriptions"]:
        raise field_problem({"service_descriptions": [NO_SERVICES]})
    services = [column_is("service_description", name) for name in body["service_descriptions"]]
    return live.downtimes(), {"op": "and", "expr": [host, {"op": "or", "expr": services}]}


# --- Livestatus rows ------------------------------------------------------------------------------


def column_is(column: str, value: str) -> Expression:
    return {"op": "=", "left": column, "right": value}


def select(items: Iterable[T], row: Callable[[T], Row], expression: Expression | None) -> list[T]:
    """The items whose rows pass the filter; one Livestatus refuses to run is a 400 here."""
    try:
        check = compile_filter(expression)
        return [item for item in items if check(row(item))]
    except QueryError as error:
        raise Problem(400, "Invalid Livestatus query", str(error)) from None


def select_downtimes(downtimes: Iterable[Downtime], expression: Expression | None) -> list[Downtime]:
    now = state().wall_clock()
    return select(downtimes, lambda downtime: downtime_row(downtime, now), expression)


def downtime_row(downtime: Downtime, now: float) -> Row:
    """A row of the downtimes table; a flexible downtime never starts here (nothing fails), so it is pending."""
    active = not downtime.duration and downtime.start_time <= now < downtime.end_time
    return {
        "id": downtime.id,
        "author": downtime.author,
        "comment": downtime.comment,
        "start_time": downtime.start_time,
        "end_time": downtime.end_time,
        "entry_time": downtime.entry_time,
        "fixed": int(not downtime.duration),
        "duration": 60 * downtime.duration,
        "recurring": int(downtime.recurring),
        "triggered_by": 0,
        "type": 0 if active else 1,
        "is_pending": int(not active),
        "is_service": int(downtime.is_service),
        "host_name": downtime.host_name,
        "service_description": downtime.service_description or "",
    }


def host_row(st: State, name: str) -> Row:
    """A row of the hosts table: alias and address as configured (the host name if none); every host is UP."""
    attributes = st.effective_attributes(st.hosts[name]) if name in st.hosts else {}
    return {
        "name": name,
        "alias": attributes.get("alias") or name,
        "address": attributes.get("ipaddress") or name,
        "state": 0,
    }


def service_row(host_name: str, description: str) -> Row:
    """A row of the services table; every service is OK."""
    return {"host_name": host_name, "description": description, "display_name": description, "state": 0}


# --- Control endpoints ----------------------------------------------------------------------------


@control_route("/downtimes/<site>", "POST")
def add_downtime(site: str) -> Response:
    """A downtime on `site` as if another tool had set it: `{"host_name", "service_description"?, "comment"?,
    "author"?, "start_time"?, "end_time"?, "duration"?, "recur"?}`, by default from now for an hour, by
    `cmkadmin`. The host need not be monitored. 400 when the core would drop it (over, or ending before it
    starts)."""
    st = state()
    if site not in st.config.sites:
        raise Problem(404, "Not Found", f"There is no site {site!r}.")
    body = v.validate(request.get_json(silent=True), v.new_downtime_body())
    now = int(st.wall_clock())
    downtime = st.schedule_downtime(
        site,
        host_name=body["host_name"],
        service_description=body.get("service_description"),
        author=body.get("author", "cmkadmin"),
        comment=body.get("comment", "Set by another tool"),
        start_time=timestamp(body["start_time"]) if "start_time" in body else now,
        end_time=timestamp(body["end_time"]) if "end_time" in body else now + 3600,
        duration=body.get("duration", 0),
        recur=body.get("recur", "fixed"),
    )
    if downtime is None:
        raise Problem(400, "Bad Request", "The core drops a downtime that is over or ends before it starts.")
    return json_response(downtime.detailed(), 201)


def state_json(st: State) -> dict[str, Any]:
    """The parts of GET /_simulator/state about downtimes and faults."""
    return {
        "downtimes": {site: [downtime.detailed() for downtime in st.all_downtimes([site])] for site in st.config.sites},
        "faults": dict(st.faults.switches),
    }
