# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Downtimes that really hold: found on the host's monitoring site, and verified after the server's 204.

Checkmk answers 204 to a downtime command once it has *sent* it to the monitoring core; it does not say
whether the core applied it (and old releases dropped commands for hosts of remote sites). So every create
and delete here is followed by listing the downtimes until the change is visible, within ``verify_timeout``.
When it never shows, the task fails, unless ``site_urls`` names the monitoring site's own API: then the
command is sent there, and verified there.

A downtime's identity is its host, its service (none for a host downtime) and its comment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, object_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import validate_host_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    WaitTimeout,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import (
    TimeSpec,
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
# Relative windows: an existing downtime of the same length, give or take this, is the one declared.
LENGTH_TOLERANCE = timedelta(seconds=60)
# How often a command whose answer was lost is sent, each time only after listing showed it did not apply.
SEND_ATTEMPTS = 3


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
        services = list(params.get("service_descriptions") or [])
        if any(not str(s).strip() for s in services):
            raise ValidationError("service_descriptions cannot contain an empty service description")
        comment = str(params.get("comment") or "")
        if not comment.strip():
            raise ValidationError(
                f"A downtime of host '{hosts[0]}' needs a comment: with the host and service it identifies the downtime"
            )
        if "\n" in comment or "\r" in comment:
            raise ValidationError(f"The downtime comment {comment!r} cannot contain line breaks (Checkmk drops them)")
        state = params.get("state") or "present"
        request = cls(tuple(dict.fromkeys(hosts)), tuple(dict.fromkeys(services)), comment, state)
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
        """The declared window as (start, end) in UTC. Relative times are anchored to an existing downtime
        that has not ended, whose absolute times match and, when both are relative, whose length matches:
        running the task again keeps that downtime instead of moving it."""
        if self.start is None or self.end is None:
            raise ValidationError("A downtime to set needs start_time and end_time")
        start, end = self.start.resolve(now), self.end.resolve(now)
        if self.start.relative or self.end.relative:
            for downtime in existing:
                old_start, old_end = parse_iso(downtime["start_time"]), parse_iso(downtime["end_time"])
                if old_end <= now:
                    continue
                if not self.start.relative and old_start != start or not self.end.relative and old_end != end:
                    continue
                both = self.start.relative and self.end.relative
                if both and abs((old_end - old_start) - (end - start)) > LENGTH_TOLERANCE:
                    continue
                return iso_utc(old_start), iso_utc(old_end)
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
class _Target:
    """One host: its monitoring site, the API that holds its downtimes, and the downtimes there now."""

    host: str
    site: str | None
    api: CheckmkClient
    current: list = field(default_factory=list)


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
        before: list = []
        after: list = []
        changed = False
        for host in self.request.hosts:
            target = self._target(host)
            mine = [d for d in target.current if self._declared(d)]
            before.extend(mine)
            if self.request.state == "absent":
                changed = changed or bool(mine)
                if mine and not check_mode:
                    self._delete(target, mine)
                continue
            result = self._present(target, mine, check_mode=check_mode)
            changed = changed or any(d["id"] is None or d not in mine for d in result)
            after.extend(result)
        before_after = {"downtimes": _sorted(before)}, {"downtimes": _sorted(after)}
        return Outcome(changed, *before_after, {"fallbacks": self.fallbacks})

    # --- reading ------------------------------------------------------------------------------------

    def _target(self, host: str) -> _Target:
        body, _etag = self.client.get(
            object_path("host_config", host),
            query={"effective_attributes": True},
            action=f"read host '{host}' to find its monitoring site",
        )
        if body is None:
            if self.request.state == "present":
                raise ValidationError(f"Cannot set a downtime on host '{host}': the host does not exist in Checkmk")
            target = _Target(host, None, self.client)  # gone from Setup: remove its downtimes on any site
        else:
            ext = body.get("extensions", {})
            site = (ext.get("effective_attributes") or {}).get("site") or (ext.get("attributes") or {}).get("site")
            target = _Target(host, site or self.client.site, self.client)
        target.current = self._list(target.api, host, target.site)
        return target

    def _list(self, api: CheckmkClient, host: str, site: str | None) -> list:
        query = {"host_name": host, **({"site_id": site} if site else {})}
        where = f" on site '{site}'" if site else ""
        answer = api.request("GET", LIST, query=query, ok=(200,), action=f"list the downtimes of host '{host}'{where}")
        entries = (answer.json() or {}).get("value", [])
        return [d for d in (from_api(e) for e in entries) if d["host_name"] == host]

    def _declared(self, downtime: Mapping[str, Any]) -> bool:
        services = self.request.services or (None,)
        return downtime["comment"] == self.request.comment and downtime.get("service_description") in services

    # --- present ------------------------------------------------------------------------------------

    def _present(self, target: _Target, mine: list, *, check_mode: bool) -> list:
        now = self.now()
        kept, missing, replaced = [], [], []
        for service in self.request.services or (None,):
            same = [d for d in mine if d.get("service_description") == service]
            wanted = self._wanted(target, service, self.request.window(same, now))
            match = next((d for d in same if _matches(d, wanted)), None)
            if match is not None:
                kept.append(match)
            else:
                missing.append(wanted)
                replaced.extend(same)
        if not missing:
            return kept
        if check_mode:
            return kept + missing
        created = self._create(target, missing)
        if replaced:  # the new downtimes hold now: remove the ones they replace
            self._delete(target, replaced)
        return kept + created

    def _wanted(self, target: _Target, service: str | None, window: tuple[str, str]) -> Model:
        wanted: Model = {"site_id": target.site, "id": None, "host_name": target.host, "comment": self.request.comment}
        wanted.update(start_time=window[0], end_time=window[1], recurring=self.request.recur != "fixed")
        if service is not None:
            wanted["service_description"] = service
        wanted["duration"] = self.request.duration
        return wanted

    def _create(self, target: _Target, wanted: list) -> list:
        body: Model = {
            "recur": self.request.recur,
            "duration": self.request.duration,
            "comment": self.request.comment,
            "host_name": target.host,
        }
        # One command per window: services declared together share it unless one was anchored elsewhere.
        groups: dict[tuple, list] = {}
        for downtime in wanted:
            groups.setdefault((downtime["start_time"], downtime["end_time"]), []).append(downtime)
        created = []
        for (start, end), group in groups.items():
            command = dict(body, start_time=start, end_time=end)
            services = [d["service_description"] for d in group if "service_description" in d]
            path = CREATE_SERVICE if services else CREATE_HOST
            if services:
                command.update(downtime_type="service", service_descriptions=services)
            else:
                command.update(downtime_type="host")
            what = f"set the downtime '{self.request.comment}' on {_subject(target.host, services)}"

            def visible(found: list, group: list = group) -> list | None:
                hits = [next((d for d in found if _matches(d, w)), None) for w in group]
                return None if None in hits else hits

            created.extend(self._command(target, "POST", path, command, what, visible))
        return created

    # --- absent -------------------------------------------------------------------------------------

    def _delete(self, target: _Target, downtimes: Sequence[Model]) -> None:
        """Each downtime by a query for its id *and* its identity: one that another user gave another comment
        since it was listed is no longer this task's, and stays."""
        for downtime in downtimes:
            site = downtime["site_id"]
            command = {"delete_type": "query", "query": _exactly(downtime)}
            service = downtime.get("service_description")
            what = f"remove downtime {downtime['id']} '{downtime['comment']}' of {_subject(target.host, [service])}"

            def gone(found: list, site: str = site, mine: Model = downtime) -> list | None:
                same = any(
                    d["id"] == mine["id"] and d["site_id"] == site and identity(d) == identity(mine) for d in found
                )
                return None if same else []

            site_target = target if target.site == site else _Target(target.host, site, target.api)
            self._command(site_target, "POST", DELETE, command, what, gone)

    # --- commands and their verification -------------------------------------------------------------

    def _command(
        self, target: _Target, method: str, path: str, body: Model, what: str, visible: Callable[[list], list | None]
    ) -> list:
        """Send a downtime command, then list the host's downtimes until ``visible`` finds the result. If it
        never shows and ``site_urls`` has the host's site, send the command to that site's API instead."""
        try:
            return self._send(target.api, target, method, path, body, what, visible)
        except DowntimeNotApplied:
            url = self.site_urls.get(target.site or "")
            if not url or target.site == target.api.site:
                raise
        remote = self.client.at(url, target.site or "")
        action = f"{what} through the API of site '{target.site}'"
        result = self._send(remote, target, method, path, body, action, visible)
        self.fallbacks.append({"host_name": target.host, "site_id": target.site, "action": what})
        return result

    def _send(
        self,
        api: CheckmkClient,
        target: _Target,
        method: str,
        path: str,
        body: Model,
        what: str,
        visible: Callable[[list], list | None],
    ) -> list:
        """Send the command and verify it. A command whose answer was lost (or that a proxy failed) may have
        been applied all the same, or may still be on its way: it is sent again only when listing shows that it
        did not apply, so that a downtime is never set twice."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                api.request(method, path, body=body, ok=(204,), action=what, setup=False)
            except MonitoringError as exc:
                if attempt == SEND_ATTEMPTS or not reread_settles(exc):
                    raise
                try:
                    return self._verify(api, target, visible, what)
                except DowntimeNotApplied:
                    continue
            return self._verify(api, target, visible, what)
        return []  # not reached: the last attempt returns or raises

    def _verify(self, api: CheckmkClient, target: _Target, visible: Callable[[list], list | None], what: str) -> list:
        result: list = []

        def done() -> bool:
            hits = visible(self._list(api, target.host, target.site))
            if hits is not None:
                result[:] = hits
            return hits is not None

        try:
            poll(done, deadline=Deadline(self.verify_timeout), what=what, **self._sleep)
        except WaitTimeout:
            site = target.site or "(unknown)"
            hint = "" if site in self.site_urls else f"; site_urls can name the API of site '{site}' to send it there"
            raise DowntimeNotApplied(
                f"Failed to {what}: Checkmk accepted the command (204) but did not apply it - it is not visible on "
                f"site '{site}', which monitors host '{target.host}', after {self.verify_timeout:g} seconds{hint}",
                host_name=target.host,
                site_id=site,
            ) from None
        return result


def _exactly(downtime: Mapping[str, Any]) -> Model:
    """A query on Livestatus' downtimes table for this downtime: its id, host, service (empty for a host downtime)
    and comment."""
    host, service, comment = identity(downtime)
    columns = {"id": downtime["id"], "host_name": host, "service_description": service, "comment": comment}
    return {"op": "and", "expr": [{"op": "=", "left": column, "right": value} for column, value in columns.items()]}


def _matches(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Same identity and window (the duration only where the server tells it)."""
    keys = ("start_time", "end_time", "recurring") + (("duration",) if "duration" in current else ())
    return identity(current) == identity(wanted) and all(current.get(k) == wanted.get(k) for k in keys)


def _sorted(downtimes: Iterable[Model]) -> list:
    return sorted(downtimes, key=lambda d: (identity(d), d["start_time"], d["site_id"] or "", d["id"] or ""))


def _subject(host: str, services: Sequence[str | None]) -> str:
    named = [s for s in services if s]
    return f"service(s) {', '.join(repr(s) for s in named)} of host '{host}'" if named else f"host '{host}'"
