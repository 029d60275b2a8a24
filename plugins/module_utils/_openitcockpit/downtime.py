# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""openITCOCKPIT downtimes for hosts (optionally with all their services) and for services of hosts, verified by
listing, since openITCOCKPIT answers before its monitoring core has the downtime.

A downtime's identity is its object (host or service of a host) and its comment. openITCOCKPIT answers a downtime
command with ``{"success": true}`` and no id, and hands it to a background job: the downtime shows in
``/downtimes/host.json`` (or ``service.json``) about a second later, and never for an object the core does not
monitor (one created since the last export). Times are minutes, written and listed as the API user's wall-clock
text (see clock.py). A downtime is removed by its ``internalDowntimeId``; the core removes every downtime of that
object with the same start and comment, so a replaced window that starts where the new one does goes first.
Downtimes of satellite hosts are sent the same way: openITCOCKPIT forwards them to the satellite.

A command whose answer was lost (a proxy's 5xx, a dropped connection) may have been applied: it is never sent
again blindly, only for what the listing still does not show once ``verify_timeout`` has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._commands import answer_lost, few, once, unsettled
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    MonitoringError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.clock import UserClock, minute
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.host import (
    exact,
    only,
    validate_host_name,
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
    parse_time,
    utc_now,
)

SEND_ATTEMPTS = 3
PAGE = 1000
MAX_COMMENT = 255
# Hosts looked up one by one up to this many; more come from one listing of the monitored hosts.
FEW_HOSTS = 3
HOST, SERVICE = 256, 2048  # openITCOCKPIT's object types
Window = tuple[datetime, datetime]
# Times past this cannot be written in every time zone (year 9999 ends the calendar of PHP's strtotime too).
LATEST = datetime(9998, 1, 1, tzinfo=timezone.utc)


class DowntimeNotApplied(MonitoringError):
    """openITCOCKPIT accepted a downtime command but the change never became visible."""


@dataclass(frozen=True)
class Target:
    host: str
    service: str | None = None

    def label(self) -> str:
        return f"service '{self.service}' of host '{self.host}'" if self.service else f"host '{self.host}'"

    def model(self, comment: str, window: Window, *, with_services: bool) -> Model:
        model: Model = {"host_name": self.host}
        if self.service is not None:
            model["service_description"] = self.service
        elif with_services:
            model["include_services"] = True
        model.update(comment=comment, start_time=iso_utc(window[0]), end_time=iso_utc(window[1]))
        return model

    def name(self, comment: str) -> str:
        """The name of its downtime in the plan: ``web01 (comment)``, ``web01/HTTP (comment)``."""
        return f"{self.host}/{self.service} ({comment})" if self.service else f"{self.host} ({comment})"


@dataclass(frozen=True)
class Listed:
    """A downtime as listed: its id and window."""

    id: int
    window: Window


@dataclass(frozen=True)
class DowntimeRequest:
    targets: tuple[Target, ...]
    comment: str
    state: str = "present"
    with_services: bool = False
    start: TimeSpec | None = None
    end: TimeSpec | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, now: datetime) -> DowntimeRequest:
        hosts = [params["host_name"]] if params.get("host_name") else list(params.get("host_names") or [])
        services = [str(s) for s in params.get("service_descriptions") or []]
        if not hosts:
            raise ValidationError("A downtime needs host_name or a non-empty host_names")
        for name in hosts:
            validate_host_name(name)
        once("host_names", hosts)
        once("service_descriptions", services)
        if any(not s.strip() for s in services):
            raise ValidationError("service_descriptions cannot contain an empty name")
        with_services = bool(params.get("include_services"))
        if with_services and services:
            raise ValidationError("include_services covers all services of the hosts: leave out service_descriptions")
        comment = str(params.get("comment") or "")
        if not comment.strip():
            raise ValidationError("A downtime needs a comment: with its object it identifies the downtime")
        if any(ord(char) < 32 or ord(char) == 127 for char in comment):
            raise ValidationError(
                f"The downtime comment {comment!r} cannot contain line breaks or control characters (the monitoring "
                "core reads commands line by line)"
            )
        if len(comment) > MAX_COMMENT:
            raise ValidationError(f"The downtime comment is {len(comment)} characters long; openITCOCKPIT takes 255")
        targets = tuple(Target(h, s) for h in hosts for s in services) if services else tuple(Target(h) for h in hosts)
        state = params.get("state") or "present"
        if state == "absent":
            return cls(targets, comment, state, with_services)
        if not params.get("end_time"):
            raise ValidationError(f"Cannot set the downtime '{comment}': a downtime needs end_time")
        start = parse_time(params.get("start_time") or "now", option="start_time")
        end = parse_time(params["end_time"], option="end_time")
        start_at, end_at = minute(start.resolve(now)), minute(end.resolve(now))
        if end_at <= start_at:
            raise ValidationError(
                f"end_time {end.text!r} must be at least a minute after start_time {start.text!r} "
                "(openITCOCKPIT schedules downtimes to the minute)"
            )
        if end_at <= now:
            raise ValidationError(f"end_time {end.text!r} is in the past")
        if end_at >= LATEST:
            raise ValidationError(
                f"end_time {end.text!r} is too far ahead: openITCOCKPIT takes times before {LATEST.year}"
            )
        return cls(targets, comment, state, with_services, start, end)


class Downtimes:
    def __init__(
        self,
        client: OitcClient,
        request: DowntimeRequest,
        *,
        verify_timeout: float = 30,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.client = client
        self.request = request
        self.verify_timeout = verify_timeout
        self.now = now
        self._sleep = {"sleep": sleep} if sleep else {}
        self.clock: UserClock | None = None
        self.watch_services = False  # list the downtimes of the hosts' services too (see _remove)

    def apply(self, *, check_mode: bool) -> Outcome:
        self.clock = UserClock.read(self.client)
        current = self._listing()
        comment, services = self.request.comment, self.request.with_services
        before = [t.model(comment, d.window, with_services=services) for t in self.request.targets for d in current[t]]
        if self.request.state == "absent":
            plan = [self._entry(t, "remove" if current[t] else "none") for t in self.request.targets]
            if before and not check_mode:
                self._remove({t: current[t] for t in self.request.targets if current[t]})
            return self._outcome(bool(before), before, [], plan)
        start_spec, end_spec = self.request.start, self.request.end
        if start_spec is None or end_spec is None:
            raise ValidationError("A downtime to set needs start_time and end_time")
        now = self.now()
        wanted: dict[Target, Window] = {}
        for target in self.request.targets:
            start, end = declared_window(start_spec, end_spec, [d.window for d in current[target]], now)
            wanted[target] = (minute(start), minute(end))
        missing = [t for t in self.request.targets if wanted[t] not in [d.window for d in current[t]]]
        ids = self._object_ids(missing) if missing else {}
        after = [t.model(comment, wanted[t], with_services=services) for t in self.request.targets]
        plan = [self._planned(t, current[t], wanted[t], missing=t in missing) for t in self.request.targets]
        if not missing or check_mode:
            return self._outcome(bool(missing), before, after, plan)
        replaced = {t: [d for d in current[t] if d.window != wanted[t]] for t in missing}
        same_start = {t: [d for d in ds if d.window[0] == wanted[t][0]] for t, ds in replaced.items()}
        if any(same_start.values()):
            self._remove({t: ds for t, ds in same_start.items() if ds})
        self._set(missing, wanted, ids)
        later = {t: [d for d in ds if d.window[0] != wanted[t][0]] for t, ds in replaced.items()}
        if any(later.values()):
            self._remove({t: ds for t, ds in later.items() if ds})
        return self._outcome(True, before, after, plan)

    def _outcome(self, changed: bool, before: list, after: list, plan: list) -> Outcome:
        return Outcome(changed, {"downtimes": before}, {"downtimes": after}, plan=tuple(plan))

    # --- the plan: one entry per target, from the first listing (the same in check mode and when applied) ---------

    def _entry(self, target: Target, action: str, changes: Model | None = None) -> Model:
        return plan_entry(subject("downtime", target.name(self.request.comment)), action, changes)

    def _planned(self, target: Target, listed: Sequence[Listed], wanted: Window, *, missing: bool) -> Model:
        """``none`` when the declared window is listed; ``add`` (every declared value) when the target has no
        downtime with the comment; else ``change``: the listed window (a list when there are several) is replaced."""
        comment, services = self.request.comment, self.request.with_services
        declared = target.model(comment, wanted, with_services=services)
        if not missing:
            return self._entry(target, "none")
        if not listed:
            return self._entry(target, "add", leaf_changes(None, declared))
        old = [target.model(comment, d.window, with_services=services) for d in listed]
        changes: Model = {}
        for key in ("start_time", "end_time"):
            values = sorted({o[key] for o in old})
            if values != [declared[key]]:
                changes[key] = {"before": values[0] if len(values) == 1 else values, "after": declared[key]}
        return self._entry(target, "change", changes)

    # --- reading ------------------------------------------------------------------------------------------------

    def _listing(self) -> dict[Target, list[Listed]]:
        """Each target's downtimes with the declared comment that are not cancelled and have not ended; while
        ``watch_services``, also those of the hosts' services (with the comment)."""
        found: dict[Target, list[Listed]] = {t: [] for t in self.request.targets}
        kinds = {"service" if t.service else "host" for t in self.request.targets}
        kinds |= {"service"} if self.watch_services else set()
        hosts = sorted({t.host for t in self.request.targets})
        for kind in sorted(kinds):
            for row in self._rows(kind, hosts):
                host = str((row.get("Host") or {}).get("name") or (row.get("Host") or {}).get("hostname"))
                service = (row.get("Service") or {}).get("servicename") if kind == "service" else None
                target = Target(host, None if service is None else str(service))
                if target in found or (self.watch_services and service is not None and host in hosts):
                    found.setdefault(target, []).append(self._listed(row, kind))
        return found

    def _rows(self, kind: str, hosts: Sequence[str]) -> list:
        model = "DowntimeHosts" if kind == "host" else "DowntimeServices"
        far = self.now() + timedelta(days=3650)
        query: dict[str, Any] = {
            f"filter[{model}.comment_data]": self.request.comment,
            f"filter[{model}.was_cancelled]": 0,
            "filter[hideExpired]": "true",
            "filter[from]": "@1",
            "filter[to]": f"@{int(far.timestamp())}",
            "scroll": "false",
            "limit": PAGE,
        }
        if len(hosts) == 1:
            query["filter[Hosts.name]"] = hosts[0]
        key = "all_host_downtimes" if kind == "host" else "all_service_downtimes"
        rows: list = []
        for page in range(1, 10_000):
            answer = self.client.request(
                "GET", f"/downtimes/{kind}", query={**query, "page": page}, action=f"list the {kind} downtimes"
            )
            rows.extend(r for r in (answer or {}).get(key) or [] if self._comment_of(r, kind) == self.request.comment)
            if not ((answer or {}).get("paging") or {}).get("nextPage"):
                break
        return rows

    @staticmethod
    def _comment_of(row: Mapping[str, Any], kind: str) -> Any:
        return (row.get("DowntimeHost" if kind == "host" else "DowntimeService") or {}).get("commentData")

    def _listed(self, row: Mapping[str, Any], kind: str) -> Listed:
        entry = row.get("DowntimeHost" if kind == "host" else "DowntimeService") or {}
        clock = self._clock()
        return Listed(
            int(entry["internalDowntimeId"]),
            (minute(clock.parse(entry["scheduledStartTime"])), minute(clock.parse(entry["scheduledEndTime"]))),
        )

    def _clock(self) -> UserClock:
        if self.clock is None:
            self.clock = UserClock.read(self.client)
        return self.clock

    def _object_ids(self, targets: Sequence[Target]) -> dict[Target, int]:
        """The host or service id of each target: only monitored objects can be in downtime (openITCOCKPIT
        accepts a command for others and drops it), so they come from the monitored hosts and services."""
        hosts = sorted({t.host for t in targets})
        host_ids = self._host_ids(hosts)
        ids: dict[Target, int] = {}
        for host in hosts:
            mine = [t for t in targets if t.host == host]
            services = [t for t in mine if t.service is not None]
            if services:
                known = self._service_ids(host, host_ids[host])
                for target in services:
                    if target.service not in known:
                        raise ValidationError(
                            f"Cannot set the downtime '{self.request.comment}' on {target.label()}: openITCOCKPIT "
                            "monitors no such service (an export makes new services monitored)"
                        )
                    ids[target] = known[str(target.service)]
            for target in mine:
                ids.setdefault(target, host_ids[host])
        return ids

    def _host_ids(self, hosts: Sequence[str]) -> dict[str, int]:
        if len(hosts) <= FEW_HOSTS:
            rows = [row for host in hosts for row in self._monitored_hosts({"filter[Hosts.name]": host})]
        else:
            rows = self._monitored_hosts({})
        listed = list({int(h["id"]): h for h in (row.get("Host") or {} for row in rows) if h.get("id")}.values())
        ids: dict[str, int] = {}
        for host in hosts:
            purpose = f"set the downtime '{self.request.comment}' on host '{host}'"
            found = only(exact(listed, host, value="name"), host, kind="host", purpose=purpose)
            if found is None:
                raise ValidationError(
                    f"Cannot {purpose}: openITCOCKPIT does not monitor it (unknown, disabled, or created since the "
                    "last export: refresh the monitoring configuration first)"
                )
            ids[host] = int(found["id"])
        return ids

    def _monitored_hosts(self, query: Mapping[str, Any]) -> list:
        rows: list = []
        for page in range(1, 10_000):
            answer = self.client.request(
                "GET",
                "/hosts/index",
                query={**query, "scroll": "false", "limit": PAGE, "page": page},
                action="list the monitored hosts",
            )
            rows.extend((answer or {}).get("all_hosts") or [])
            if not ((answer or {}).get("paging") or {}).get("nextPage"):
                return rows
        return rows

    def _service_ids(self, host: str, host_id: int) -> dict[str, int]:
        answer = self.client.request(
            "GET",
            "/services/index",
            query={"filter[Hosts.id]": host_id, "scroll": "false", "limit": PAGE},
            action=f"list the services of host '{host}'",
        )
        services: dict[str, int] = {}
        for row in (answer or {}).get("all_services") or []:
            service = row.get("Service") or {}
            services.setdefault(str(service.get("servicename")), int(service["id"]))
        return services

    # --- writing ------------------------------------------------------------------------------------------------

    def _set(self, targets: Sequence[Target], wanted: Mapping[Target, Window], ids: Mapping[Target, int]) -> None:
        """One command per kind and window, then listed until every one shows."""

        def missing(found: Mapping[Target, list[Listed]]) -> list:
            return [t for t in targets if wanted[t] not in [d.window for d in found.get(t, [])]]

        todo = list(targets)
        for sends in range(1, SEND_ATTEMPTS + 1):
            groups: dict[tuple[bool, Window], list[Target]] = {}
            for target in todo:
                groups.setdefault((target.service is not None, wanted[target]), []).append(target)
            lost: list[Target] = []
            for (service, window), group in groups.items():
                if self._lost_set(group, window, [ids[t] for t in group], service, last=sends == SEND_ATTEMPTS):
                    lost.extend(group)
            todo = self._verify(missing, "set", lost)
            if not todo:
                return

    def _lost_set(self, group: Sequence[Target], window: Window, ids: list[int], service: bool, *, last: bool) -> bool:
        clock = self._clock()
        (from_date, from_time), (to_date, to_time) = clock.wall(window[0]), clock.wall(window[1])
        body = {
            "Systemdowntime": {
                "object_id": ids,
                "objecttype_id": SERVICE if service else HOST,
                "downtimetype_id": 1 if self.request.with_services and not service else 0,
                "is_recurring": 0,
                "weekdays": [],
                "day_of_month": "",
                "from_date": from_date,
                "from_time": from_time,
                "to_date": to_date,
                "to_time": to_time,
                "duration": int((window[1] - window[0]).total_seconds() // 60),
                "comment": self.request.comment,
            }
        }
        path = "/systemdowntimes/addServicedowntime" if service else "/systemdowntimes/addHostdowntime"
        action = f"set the downtime '{self.request.comment}' on {_labels(group)}"
        return self._lost("POST", path, body=body, action=action, last=last)

    def _remove(self, downtimes: Mapping[Target, list[Listed]]) -> None:
        """Remove these downtimes. The core removes a host downtime by host, start and comment, and with it the
        downtimes of the host's services that have that start and comment: with ``include_services`` they are the
        downtime's own and go too (by id, in case the core keeps them); otherwise they were not the task's to remove
        and are set again."""
        starts = {t.host: {d.window[0] for d in ds} for t, ds in downtimes.items() if t.service is None}
        along: dict[Target, list[Listed]] = {}
        if starts:
            self.watch_services = True
            for target, listed in self._listing().items():
                same = [d for d in listed if target.service is not None and d.window[0] in starts.get(target.host, ())]
                if same:
                    along[target] = same
        self._send_removals(downtimes)
        if not along:
            return
        if self.request.with_services:
            self._send_removals(along)
            return
        ids = self._object_ids(list(along))
        by_window: dict[Window, list[Target]] = {}
        for target, listed in along.items():
            for downtime in listed:
                by_window.setdefault(downtime.window, []).append(target)
        for window, targets in by_window.items():
            self._set(targets, dict.fromkeys(targets, window), ids)

    def _send_removals(self, downtimes: Mapping[Target, list[Listed]]) -> None:
        def left(found: Mapping[Target, list[Listed]]) -> list:
            return [t for t, ds in downtimes.items() if any(d.id in [f.id for f in found.get(t, [])] for d in ds)]

        todo = list(downtimes)
        for sends in range(1, SEND_ATTEMPTS + 1):
            lost: list[Target] = []
            for target in todo:
                body: dict[str, Any] = {"type": "service"}
                if target.service is None:
                    # Not includeServices: it takes every service downtime of the window, whatever its comment.
                    body = {"type": "host", "includeServices": False}
                for downtime in downtimes[target]:
                    action = f"remove the downtime '{self.request.comment}' of {target.label()}"
                    path = f"/downtimes/delete/{downtime.id}"
                    if self._lost("POST", path, body=body, action=action, last=sends == SEND_ATTEMPTS):
                        lost.append(target)
            todo = self._verify(left, "remove", lost)
            if not todo:
                return

    def _lost(self, method: str, path: str, *, action: str, last: bool, body: Any) -> bool:
        """Send one command; whether its answer was lost (it may have been applied, or not yet, or not at all).
        A ``success: false`` answer is a failure with openITCOCKPIT's message."""
        return answer_lost(lambda: self._send(method, path, action=action, body=body), last=last)

    def _send(self, method: str, path: str, *, action: str, body: Any) -> None:
        answer = self.client.request(method, path, action=action, body=body)
        if not isinstance(answer, Mapping) or answer.get("success") is not True:
            message = (answer or {}).get("message") if isinstance(answer, Mapping) else None
            if path.startswith("/downtimes/delete/") and message == "Could not find downtime":
                return  # gone meanwhile: the listing decides
            raise ApiError(f"Failed to {action}: openITCOCKPIT answered {message or 'without success'}", status=200)

    def _verify(self, pending: Callable[[Mapping[Target, list]], list], verb: str, lost: Sequence[Target]) -> list:
        """List until ``pending`` finds nothing. Once ``verify_timeout`` has passed, what it still finds is sent
        again (returned) when each command's answer was ``lost``; else the task fails."""
        what = f"{verb} the downtime"
        remaining = unsettled(lambda: pending(self._listing()), timeout=self.verify_timeout, what=what, **self._sleep)
        if all(target in lost for target in remaining):
            return remaining
        raise DowntimeNotApplied(
            f"Failed to {verb} the downtime '{self.request.comment}': openITCOCKPIT accepted the command but it is "
            f"not visible for {_labels(remaining)} after {self.verify_timeout:g} seconds"
        )


def _labels(targets: Sequence[Target]) -> str:
    return few([t.label() for t in targets])
