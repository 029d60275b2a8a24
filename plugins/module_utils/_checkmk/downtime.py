# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Downtimes that really hold: found on the host's monitoring site, and verified after the server's 204.

Checkmk answers 204 to a downtime command once it has *sent* it to the monitoring core; it does not say
whether the core applied it (and old releases dropped commands for hosts of remote sites). So every create
and delete here is followed by listing the downtimes until the change is visible, within ``verify_timeout``.
When it never shows, the task fails, unless ``site_urls`` names the monitoring site's own API: then the
command is sent there, and verified there.

A downtime's identity is its host, its service (none for a host downtime) and its comment.

Many hosts cost few requests: the hosts' monitoring sites come from one listing of the hosts, the downtimes
from one listing filtered on the server by the comment, and each change is one command per monitoring site
(and window): ``host_by_query`` or ``service_by_query`` with exact names, a removal by a query that names
each downtime by its id and identity. Each site's part is verified, resent or sent to the site's own API on
its own, so one site that drops commands costs only its own hosts a second command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    object_path,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import COLLECTION as HOSTS
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import validate_host_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    WaitTimeout,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    leaf_changes,
    plan_entry,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import (
    TimeSpec,
    declared_window,
    iso_utc,
    parse_iso,
    parse_time,
    utc_now,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

LIST = "/domain-types/downtime/collections/all"
CREATE_HOST = "/domain-types/downtime/collections/host"
CREATE_SERVICE = "/domain-types/downtime/collections/service"
DELETE = "/domain-types/downtime/actions/delete/invoke"
RECURS = ("fixed", "hour", "day", "week", "second_week", "fourth_week", "weekday_start", "weekday_end", "day_of_month")
# How often a command whose answer was lost is sent, each time only after listing showed it did not apply.
SEND_ATTEMPTS = 3
# Up to this many hosts are read one by one; more from one listing of all hosts.
SINGLE_READS = 3
# How many names an error message shows before it says how many more there are.
SHOWN = 3


class DowntimeNotApplied(MonitoringError):
    """Checkmk accepted a downtime command (204) but the change never became visible."""


@dataclass(frozen=True)
class DowntimeRequest:
    """What the task asks for, validated before anything is sent."""

    hosts: tuple[str, ...]
    services: tuple[str, ...]  # empty: host downtimes
    comment: str
    state: str = "present"
    start: TimeSpec | None = None
    end: TimeSpec | None = None
    duration: int = 0  # minutes; > 0: flexible
    recur: str = "fixed"

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, now: datetime) -> DowntimeRequest:
        hosts = [params["host_name"]] if params.get("host_name") else list(params.get("host_names") or [])
        if not hosts:
            raise ValidationError("A downtime needs host_name or a non-empty host_names")
        for host in hosts:
            validate_host_name(host)
        _refuse_repeats("host_names", hosts)
        services = list(params.get("service_descriptions") or [])
        if any(not str(s).strip() for s in services):
            raise ValidationError("service_descriptions cannot contain an empty service description")
        _refuse_repeats("service_descriptions", services)
        comment = str(params.get("comment") or "")
        if not comment.strip():
            raise ValidationError(
                f"A downtime of host '{hosts[0]}' needs a comment: with the host and service it identifies the downtime"
            )
        if "\n" in comment or "\r" in comment:
            raise ValidationError(f"The downtime comment {comment!r} cannot contain line breaks (Checkmk drops them)")
        state = params.get("state") or "present"
        request = cls(tuple(hosts), tuple(services), comment, state)
        if state == "absent":
            return request
        duration, recur = int(params.get("duration") or 0), params.get("recur") or "fixed"
        if duration < 0:
            raise ValidationError(f"duration must be 0 (fixed) or a positive number of minutes, not {duration}")
        if recur not in RECURS:
            raise ValidationError(f"Unknown recur {recur!r}; use one of {', '.join(RECURS)}")
        if not params.get("end_time"):
            what = "a duration needs a window: set" if duration else "a downtime needs"
            raise ValidationError(f"Cannot set the downtime '{comment}' on host '{hosts[0]}': {what} end_time")
        start = parse_time(params.get("start_time") or "now", option="start_time")
        end = parse_time(params["end_time"], option="end_time")
        # Compared as they are sent (iso_utc): in whole seconds.
        start_at, end_at = start.resolve(now).replace(microsecond=0), end.resolve(now).replace(microsecond=0)
        if end_at <= start_at:
            raise ValidationError(f"end_time {end.text!r} is not after start_time {start.text!r} in whole seconds")
        if end_at <= now:
            raise ValidationError(f"end_time {end.text!r} is in the past: Checkmk would drop the downtime")
        return cls(request.hosts, request.services, comment, state, start, end, duration, recur)

    def window(self, existing: Iterable[Model], now: datetime) -> tuple[str, str]:
        """The declared window as (start, end) in UTC, anchored to an existing downtime where relative times
        allow it (``declared_window``)."""
        if self.start is None or self.end is None:
            raise ValidationError("A downtime to set needs start_time and end_time")
        windows = [(parse_iso(d["start_time"]), parse_iso(d["end_time"])) for d in existing]
        start, end = declared_window(self.start, self.end, windows, now)
        return iso_utc(start), iso_utc(end)


def from_api(entry: Mapping[str, Any]) -> Model:
    """A downtime as this collection reports it, from a list entry or object (2.3: yes/no strings)."""
    ext = entry.get("extensions", {})
    model: Model = {
        "site_id": ext.get("site_id"),
        "id": str(entry.get("id")),
        "host_name": ext.get("host_name"),
        "comment": ext.get("comment") or "",
        "start_time": iso_utc(parse_iso(ext["start_time"])),
        "end_time": iso_utc(parse_iso(ext["end_time"])),
        "recurring": ext.get("recurring") in (True, "yes"),
    }
    if ext.get("service_description") is not None:
        model["service_description"] = ext["service_description"]
    mode = ext.get("mode")
    if isinstance(mode, Mapping):  # 2.3.0p36+, 2.4.0p11+; older answers do not tell
        model["duration"] = int(mode.get("duration_minutes") or 0) if mode.get("type") == "flexible" else 0
    return model


def identity(downtime: Mapping[str, Any]) -> tuple:
    return downtime["host_name"], downtime.get("service_description") or "", downtime["comment"]


@dataclass
class _Batch:
    """The downtimes to set (``wanted``) or to remove on one monitoring site, sent as one command through ``api``
    (the central site's, or the site's own), and what of it is not yet visible."""

    site: str | None
    api: CheckmkClient
    remaining: list
    removal: bool
    what: str
    sends: int = 0
    lost: bool = False  # the answer to the last command was lost: it may have applied, or not yet
    through_site: bool = False

    def settle(self, found: Sequence[Model], results: list) -> None:
        """Drop from ``remaining`` what ``found`` (the site's downtimes now) shows done; keep what was set."""
        left = []
        for item in self.remaining:
            if self.removal:
                if any(
                    d["id"] == item["id"] and d["site_id"] == self.site and identity(d) == identity(item) for d in found
                ):
                    left.append(item)
                continue
            hit = next((d for d in found if d["site_id"] == self.site and _matches(d, item)), None)
            if hit is None:
                left.append(item)
            else:
                results.append(hit)
        self.remaining = left


class Downtimes:
    """Brings the declared downtimes to their state on each host's monitoring site."""

    def __init__(
        self,
        client: CheckmkClient,
        request: DowntimeRequest,
        *,
        site_urls: Mapping[str, str] | None = None,
        verify_timeout: float = 5,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.client = client
        self.request = request
        self.site_urls = dict(site_urls or {})
        self.verify_timeout = verify_timeout
        self.now = now
        self._sleep = {"sleep": sleep} if sleep else {}
        self.fallbacks: list = []

    def apply(self, *, check_mode: bool) -> Outcome:
        # Removing needs no sites: every downtime with the identity goes, on whichever site it is.
        sites = self._sites() if self.request.state == "present" else {}
        current = self._list(self.client)
        if self.request.state == "absent":
            entries = [
                self._entry(host, service, "remove" if self._of(current, host, service) else "none")
                for host in self.request.hosts
                for service in self.request.services or (None,)
            ]
            if current and not check_mode:
                self._remove(current)
            return self._outcome(bool(current), current, [], entries)
        # Those on the host's monitoring site; one left on another site (the host moved) is not the declared one.
        current = [d for d in current if d["site_id"] == sites[d["host_name"]]]
        now = self.now()  # one moment for all hosts: relative windows of new downtimes are one window
        kept, missing, replaced, entries = [], [], [], []
        for host in self.request.hosts:
            mine = [d for d in current if d["host_name"] == host]
            for service in self.request.services or (None,):
                same = [d for d in mine if d.get("service_description") == service]
                wanted = self._wanted(host, sites[host], service, self.request.window(same, now))
                match = next((d for d in same if _matches(d, wanted)), None)
                if match is not None:
                    kept.append(match)
                    entries.append(self._entry(host, service, "none"))
                else:
                    missing.append(wanted)
                    replaced.extend(same)
                    entries.append(self._entry(host, service, *_planned(same, wanted)))
        if not missing or check_mode:
            return self._outcome(bool(missing), current, kept + missing, entries)
        created = self._set(missing)
        if replaced:  # the new downtimes hold now: remove the ones they replace
            self._remove(replaced)
        return self._outcome(True, current, kept + created, entries)

    def _outcome(self, changed: bool, before: list, after: list, entries: list) -> Outcome:
        return Outcome(
            changed,
            {"downtimes": _sorted(before)},
            {"downtimes": _sorted(after)},
            {"fallbacks": self.fallbacks},
            plan=tuple(entries),
        )

    def _entry(self, host: str, service: str | None, action: str, changes: Model | None = None) -> Model:
        """The plan entry of one declared downtime, named ``<host> (<comment>)`` or ``<host>/<service> (<comment>)``."""
        name = f"{host}/{service}" if service is not None else host
        return plan_entry(subject("downtime", f"{name} ({self.request.comment})"), action, changes)

    @staticmethod
    def _of(downtimes: Iterable[Model], host: str, service: str | None) -> list:
        return [d for d in downtimes if d["host_name"] == host and d.get("service_description") == service]

    # --- reading ------------------------------------------------------------------------------------

    def _sites(self) -> dict:
        """Each declared host's monitoring site (its effective ``site``, else the central site): read host by host
        for a few hosts, from one listing of all hosts for more. Hosts that do not exist fail the task here."""
        hosts = self.request.hosts
        if len(hosts) <= SINGLE_READS:
            sites = {}
            for host in hosts:
                body, _etag = self.client.get(
                    object_path("host_config", host),
                    query={"effective_attributes": True},
                    action=f"read host '{host}' to find its monitoring site",
                )
                if body is not None:
                    sites[host] = _site_of(body) or self.client.site
        else:
            answer = self.client.request(
                "GET",
                HOSTS,
                query={"effective_attributes": True},
                ok=(200,),
                action=f"list the hosts to find the monitoring sites of {len(hosts)} hosts",
            )
            listed = {e.get("id"): _site_of(e) for e in (answer.json() or {}).get("value", [])}
            sites = {host: listed[host] or self.client.site for host in hosts if host in listed}
        unknown = [host for host in hosts if host not in sites]
        if len(hosts) == 1 and unknown:
            raise ValidationError(f"Cannot set a downtime on host '{hosts[0]}': the host does not exist in Checkmk")
        if unknown:
            raise ValidationError(
                f"Cannot set the downtime '{self.request.comment}' on {len(hosts)} hosts: {len(unknown)} of them do "
                f"not exist in Checkmk: {_some(unknown)}"
            )
        return sites

    def _list(self, api: CheckmkClient, site: str | None = None) -> list:
        """The downtimes of the declared identity that ``api`` reaches (on ``site`` only, if given): filtered on
        the server by the comment (and the host, if only one), here by the exact host and service."""
        query: dict = {
            "query": {"op": "=", "left": "comment", "right": self.request.comment},
            "downtime_type": "service" if self.request.services else "host",
        }
        if len(self.request.hosts) == 1:
            query["host_name"] = self.request.hosts[0]
        if site:
            query["site_id"] = site
        where = f" on site '{site}'" if site else ""
        answer = api.request(
            "GET", LIST, query=query, ok=(200,), action=f"list the downtimes '{self.request.comment}'{where}"
        )
        hosts, services = set(self.request.hosts), self.request.services or (None,)
        entries = (from_api(e) for e in (answer.json() or {}).get("value", []))
        return [
            d
            for d in entries
            if d["host_name"] in hosts
            and d["comment"] == self.request.comment
            and d.get("service_description") in services
        ]

    def _wanted(self, host: str, site: str, service: str | None, window: tuple[str, str]) -> Model:
        wanted: Model = {"site_id": site, "id": None, "host_name": host, "comment": self.request.comment}
        wanted.update(start_time=window[0], end_time=window[1], recurring=self.request.recur != "fixed")
        if service is not None:
            wanted["service_description"] = service
        wanted["duration"] = self.request.duration
        return wanted

    # --- writing ------------------------------------------------------------------------------------

    def _set(self, wanted: list) -> list:
        """One command per monitoring site and window (services declared together share a window unless one was
        anchored elsewhere)."""
        groups: dict[tuple, list] = {}
        for downtime in wanted:
            groups.setdefault((downtime["site_id"], downtime["start_time"], downtime["end_time"]), []).append(downtime)
        batches = [
            _Batch(site, self.client, group, False, f"set the downtime '{self.request.comment}' on {_subject(group)}")
            for (site, _start, _end), group in groups.items()
        ]
        return self._settle(batches)

    def _remove(self, downtimes: list) -> None:
        """One command per site, a query naming each downtime by its id *and* its identity: one that another user
        gave another comment since it was listed is no longer this task's, and stays."""
        groups: dict = {}
        for downtime in downtimes:
            groups.setdefault(downtime["site_id"], []).append(downtime)
        self._settle(
            [
                _Batch(
                    site, self.client, group, True, f"remove the downtime '{self.request.comment}' of {_subject(group)}"
                )
                for site, group in groups.items()
            ]
        )

    def _command(self, batch: _Batch) -> tuple[str, Model]:
        """The command for what ``batch`` still has to do."""
        items = batch.remaining
        if batch.removal:
            expressions = [_exactly(d) for d in items]
            return DELETE, {"delete_type": "query", "query": _any_of(expressions)}
        command: Model = {
            "start_time": items[0]["start_time"],
            "end_time": items[0]["end_time"],
            "recur": self.request.recur,
            "duration": self.request.duration,
            "comment": self.request.comment,
        }
        services: dict[str, list] = {}
        for downtime in items:
            services.setdefault(downtime["host_name"], []).append(downtime.get("service_description"))
        hosts = list(services)
        if not self.request.services:
            if len(hosts) == 1:
                return CREATE_HOST, dict(command, downtime_type="host", host_name=hosts[0])
            return CREATE_HOST, dict(command, downtime_type="host_by_query", query=_column_in("name", hosts))
        if len(hosts) == 1:
            return CREATE_SERVICE, dict(
                command, downtime_type="service", host_name=hosts[0], service_descriptions=services[hosts[0]]
            )
        # Hosts that miss the same services share one part of the query: (host in ...) and (service in ...).
        same: dict[tuple, list] = {}
        for host, names in services.items():
            same.setdefault(tuple(names), []).append(host)
        parts = [
            {"op": "and", "expr": [_column_in("host_name", group), _column_in("description", list(names))]}
            for names, group in same.items()
        ]
        return CREATE_SERVICE, dict(command, downtime_type="service_by_query", query=_any_of(parts))

    # --- commands and their verification -------------------------------------------------------------

    def _settle(self, batches: list) -> list:
        """Send each batch's command, then list until every batch is visible. A batch whose answer was lost is
        sent again for what is still missing (never twice for what applied); one that the central site accepted
        but did not apply goes to its site's own API when ``site_urls`` names it; otherwise the task fails."""
        results: list = []
        while batches:
            for batch in batches:
                self._send(batch)
            batches = [self._again(batch) for batch in self._verify(batches, results)]
        return results

    def _send(self, batch: _Batch) -> None:
        path, body = self._command(batch)
        batch.sends += 1
        batch.lost = False
        try:
            batch.api.request("POST", path, body=body, ok=(204,), action=batch.what, setup=False)
        except MonitoringError as exc:
            if batch.sends >= SEND_ATTEMPTS or not reread_settles(exc):
                raise
            batch.lost = True

    def _verify(self, batches: list, results: list) -> list:
        """List the downtimes (once per API and round) until each batch is done; the batches that are not, when
        ``verify_timeout`` has passed."""
        pending = list(batches)

        def done() -> bool:
            listed: dict = {}
            for batch in pending:
                key = id(batch.api)
                if key not in listed:
                    sites = {b.site for b in pending if b.api is batch.api}
                    listed[key] = self._list(batch.api, next(iter(sites)) if len(sites) == 1 else None)
                batch.settle(listed[key], results)
            pending[:] = [b for b in pending if b.remaining]
            return not pending

        try:
            poll(done, deadline=Deadline(self.verify_timeout), what=batches[0].what, **self._sleep)
        except WaitTimeout:
            pass
        return pending

    def _again(self, batch: _Batch) -> _Batch:
        """What to do with a batch not visible in time: send it again if its answer was lost, else through its
        site's own API if ``site_urls`` names it, else fail."""
        if batch.lost:
            return batch
        url = self.site_urls.get(batch.site or "")
        if url and not batch.through_site and batch.site != self.client.site:
            remote = self.client.at(url, batch.site or "")
            what = f"{batch.what} through the API of site '{batch.site}'"
            hosts = sorted({d["host_name"] for d in batch.remaining})
            self.fallbacks.append({"site_id": batch.site, "host_names": hosts, "action": batch.what})
            return _Batch(batch.site, remote, batch.remaining, batch.removal, what, through_site=True)
        site = batch.site or "(unknown)"
        hosts = sorted({d["host_name"] for d in batch.remaining})
        monitors = f"host '{hosts[0]}'" if len(hosts) == 1 else f"{len(hosts)} hosts ({_some(hosts)})"
        hint = "" if site in self.site_urls else f"; site_urls can name the API of site '{site}' to send it there"
        raise DowntimeNotApplied(
            f"Failed to {batch.what}: Checkmk accepted the command (204) but did not apply it - it is not visible on "
            f"site '{site}', which monitors {monitors}, after {self.verify_timeout:g} seconds{hint}",
            host_names=hosts,
            site_id=site,
        )


def _site_of(host: Mapping[str, Any]) -> str | None:
    ext = host.get("extensions", {})
    return (ext.get("effective_attributes") or {}).get("site") or (ext.get("attributes") or {}).get("site")


def _refuse_repeats(option: str, names: Sequence[str]) -> None:
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        raise ValidationError(f"{option} lists {_some(repeated)} more than once: name each once")


def _exactly(downtime: Mapping[str, Any]) -> Model:
    """A query on Livestatus' downtimes table for this downtime: its id, host, service (empty for a host downtime)
    and comment."""
    host, service, comment = identity(downtime)
    columns = {"id": downtime["id"], "host_name": host, "service_description": service, "comment": comment}
    return {"op": "and", "expr": [{"op": "=", "left": column, "right": value} for column, value in columns.items()]}


def _column_in(column: str, values: Sequence[str]) -> Model:
    """``column`` equal to one of ``values``: exact names (``=``), so ``web1`` never matches ``web10``."""
    return _any_of([{"op": "=", "left": column, "right": value} for value in values])


def _any_of(expressions: Sequence[Model]) -> Model:
    return expressions[0] if len(expressions) == 1 else {"op": "or", "expr": list(expressions)}


def _matches(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Same identity and window (the duration only where the server tells it)."""
    keys = ("start_time", "end_time", "recurring") + (("duration",) if "duration" in current else ())
    return identity(current) == identity(wanted) and all(current.get(k) == wanted.get(k) for k in keys)


def _planned(same: Sequence[Model], wanted: Model) -> tuple[str, Model]:
    """The plan of a declared downtime that is not there: ``add`` with its declared values, or, when one with the
    identity but another window is replaced, ``change`` with the window's values that differ."""
    if not same:
        return "add", leaf_changes(None, {k: v for k, v in wanted.items() if k not in ("site_id", "id")})
    keys = ("start_time", "end_time", "recurring") + (("duration",) if "duration" in same[0] else ())
    return "change", leaf_changes({k: same[0].get(k) for k in keys}, {k: wanted.get(k) for k in keys})


def _sorted(downtimes: Iterable[Model]) -> list:
    return sorted(downtimes, key=lambda d: (identity(d), d["start_time"], d["site_id"] or "", d["id"] or ""))


def _some(names: Sequence[str]) -> str:
    """A few of ``names`` and how many more: ``'a', 'b', 'c' and 497 more``."""
    shown = ", ".join(f"'{name}'" for name in names[:SHOWN])
    return shown if len(names) <= SHOWN else f"{shown} and {len(names) - SHOWN} more"


def _subject(downtimes: Sequence[Model]) -> str:
    """What a command is about: ``host 'web1'``, ``service(s) 'CPU load' of host 'web1'``, ``500 hosts of site
    'remote1' ('a', 'b', 'c' and 497 more)``."""
    hosts = list(dict.fromkeys(d["host_name"] for d in downtimes))
    services = list(dict.fromkeys(d["service_description"] for d in downtimes if d.get("service_description")))
    if len(hosts) == 1:
        where = f"host '{hosts[0]}'"
    else:
        where = f"{len(hosts)} hosts of site '{downtimes[0]['site_id']}' ({_some(hosts)})"
    return f"service(s) {_some(services)} of {where}" if services else where
