# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opsview downtimes: set for hosts, services of hosts, or a host group; verified by listing, since Opsview answers
before its core has processed the command.

Opsview stores each downtime's comment with the object it was set for (``Host 'web01': <comment>``,
``Service 'HTTP' on host 'web01': <comment>``, ``Host group 'Web': <comment>``), so a downtime's identity here is
its object and the task's comment, and it is found by that stored comment. Names are exact: a ``%`` (Opsview's
wildcard) is refused. A downtime with another window is replaced: the new one is set before the old one goes
(unless both start at the same second: Opsview could not tell them apart, so the old one goes first).

A command whose answer was lost (a proxy's 5xx, a dropped connection) may have been applied: it is never sent
again blindly, only for what the listing still does not show once ``verify_timeout`` has passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._commands import answer_lost, few, once, unsettled
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.host import validate_host_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import HostGroupTree, parse_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    Subject,
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

PATH = "/downtime"
# How often a command is sent: again only when its answer was lost and the listing does not show it applied.
SEND_ATTEMPTS = 3
# Opsview removes these from comments; a comment with them could never be found again.
_STRIPPED = re.compile(r"[<>;\r\n]")


class DowntimeNotApplied(MonitoringError):
    """Opsview accepted a downtime command but the change never became visible."""


@dataclass(frozen=True)
class Target:
    """One object a downtime is for, and the comment Opsview stores for it."""

    host: str | None = None
    service: str | None = None
    hostgroup: str | None = None  # path

    def stored(self, comment: str) -> str:
        if self.hostgroup is not None:
            return f"Host group '{parse_path(self.hostgroup)[-1]}': {comment}"
        if self.service is not None:
            return f"Service '{self.service}' on host '{self.host}': {comment}"
        return f"Host '{self.host}': {comment}"

    def label(self) -> str:
        if self.hostgroup is not None:
            return f"host group '{self.hostgroup}'"
        return f"service '{self.service}' of host '{self.host}'" if self.service else f"host '{self.host}'"

    def subject(self, comment: str) -> Subject:
        """What a plan entry about this downtime names: ``web01 (comment)``, ``web01/Disk (comment)`` or the host
        group's path, ``Opsview/Linux/Web (comment)``."""
        if self.hostgroup is not None:
            return Subject("opsview", "downtime", f"{self.hostgroup} ({comment})")
        what = self.host if self.service is None else f"{self.host}/{self.service}"
        return Subject("opsview", "downtime", f"{what} ({comment})")

    def covers(self, group: Mapping[str, Any]) -> bool:
        """Whether a listed downtime (a group of rows) has this object."""
        objects = group.get("objects") or {}
        if self.hostgroup is not None:
            return True  # the comment names the group
        if self.service is not None:
            return any(
                s.get("hostname") == self.host and s.get("servicename") == self.service
                for s in objects.get("services") or []
            )
        return any(h.get("hostname") == self.host for h in objects.get("hosts") or [])

    def model(self, comment: str, window: tuple[int, int]) -> Model:
        model: Model = {}
        if self.hostgroup is not None:
            model["hostgroup"] = self.hostgroup
        else:
            model["host_name"] = self.host
        if self.service is not None:
            model["service_description"] = self.service
        model.update(comment=comment, start_time=_iso(window[0]), end_time=_iso(window[1]))
        return model


@dataclass(frozen=True)
class DowntimeRequest:
    targets: tuple[Target, ...]
    comment: str
    state: str = "present"
    start: TimeSpec | None = None
    end: TimeSpec | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, now: datetime) -> DowntimeRequest:
        hosts = [params["host_name"]] if params.get("host_name") else list(params.get("host_names") or [])
        group, services = params.get("hostgroup"), list(params.get("service_descriptions") or [])
        if bool(hosts) == bool(group):
            raise ValidationError("A downtime needs host_name, a non-empty host_names, or hostgroup (one of them)")
        for name in hosts:
            validate_host_name(name)
        once("host_names", hosts)
        once("service_descriptions", services)
        if any(not str(s).strip() or "%" in str(s) for s in services):
            raise ValidationError("service_descriptions cannot contain an empty name or '%' (Opsview's wildcard)")
        if group is not None:
            parse_path(group)
            if services:
                raise ValidationError("service_descriptions go with host names, not with a host group")
        comment = str(params.get("comment") or "")
        if not comment.strip():
            raise ValidationError("A downtime needs a comment: with its object it identifies the downtime")
        if _STRIPPED.search(comment):
            raise ValidationError(
                f"The downtime comment {comment!r} cannot contain < > ; or line breaks (Opsview removes them)"
            )
        if group is not None:
            targets: tuple[Target, ...] = (Target(hostgroup=group),)
        elif services:
            targets = tuple(Target(host=h, service=s) for h in hosts for s in services)
        else:
            targets = tuple(Target(host=h) for h in hosts)
        state = params.get("state") or "present"
        if state == "absent":
            return cls(targets, comment, state)
        if not params.get("end_time"):
            raise ValidationError(f"Cannot set the downtime '{comment}': a downtime needs end_time")
        start = parse_time(params.get("start_time") or "now", option="start_time")
        end = parse_time(params["end_time"], option="end_time")
        start_at, end_at = start.resolve(now), end.resolve(now)
        if (end_at - start_at).total_seconds() < 60:
            raise ValidationError(f"end_time {end.text!r} must be at least a minute after start_time {start.text!r}")
        if end_at <= now:
            raise ValidationError(f"end_time {end.text!r} is in the past")
        if (now - start_at).total_seconds() > 3600:
            raise ValidationError(f"start_time {start.text!r} is more than an hour in the past: Opsview refuses it")
        return cls(targets, comment, state, start, end)


class Downtimes:
    def __init__(
        self,
        client: OpsviewClient,
        request: DowntimeRequest,
        *,
        verify_timeout: float = 10,
        now: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.client = client
        self.request = request
        self.verify_timeout = verify_timeout
        self.now = now
        self._sleep = {"sleep": sleep} if sleep else {}

    def apply(self, *, check_mode: bool) -> Outcome:
        current = self._windows()
        comment = self.request.comment
        before = [t.model(comment, w) for t in self.request.targets for w in current[t]]
        if self.request.state == "absent":
            if before and not check_mode:
                self._remove({t: current[t] for t in self.request.targets if current[t]})
            plan = [plan_entry(t.subject(comment), "remove" if current[t] else "none") for t in self.request.targets]
            return self._outcome(bool(before), before, [], plan)
        start_spec, end_spec = self.request.start, self.request.end
        if start_spec is None or end_spec is None:
            raise ValidationError("A downtime to set needs start_time and end_time")
        now = self.now()
        wanted: dict[Target, tuple[int, int]] = {}
        for target in self.request.targets:
            existing = [(_at(s), _at(e)) for s, e in current[target]]
            start, end = declared_window(start_spec, end_spec, existing, now)
            wanted[target] = (int(start.timestamp()), int(end.timestamp()))
        missing = [t for t in self.request.targets if wanted[t] not in current[t]]
        if missing:
            self._check_hosts(missing)
        after = [t.model(comment, wanted[t]) for t in self.request.targets]
        plan = [self._entry(t, current[t], wanted[t] if t in missing else None) for t in self.request.targets]
        if not missing or check_mode:
            return self._outcome(bool(missing), before, after, plan)
        replaced = {t: [w for w in current[t] if w != wanted[t]] for t in missing}
        # Opsview removes a downtime by its object, start and comment: an old window that starts when the new one
        # does cannot be told apart from it, so it goes first; the others go once the new one shows.
        same_start = {t: [w for w in ws if w[0] == wanted[t][0]] for t, ws in replaced.items()}
        if any(same_start.values()):
            self._remove({t: ws for t, ws in same_start.items() if ws})
        self._set(missing, wanted)
        later = {t: [w for w in ws if w[0] != wanted[t][0]] for t, ws in replaced.items()}
        if any(later.values()):
            self._remove({t: ws for t, ws in later.items() if ws})
        return self._outcome(True, before, after, plan)

    def _outcome(self, changed: bool, before: list, after: list, plan: list) -> Outcome:
        return Outcome(changed, {"downtimes": before}, {"downtimes": after}, plan=tuple(plan))

    def _entry(self, target: Target, windows: list[tuple[int, int]], wanted: tuple[int, int] | None) -> Model:
        """The plan entry of a downtime to set: ``none`` when its window is there (``wanted`` is None), ``add``
        with the downtime's values when it has none, else ``change`` from the (first) window it replaces."""
        comment, about = self.request.comment, target.subject(self.request.comment)
        if wanted is None:
            return plan_entry(about, "none")
        if not windows:
            return plan_entry(about, "add", leaf_changes(None, target.model(comment, wanted)))
        old, new = target.model(comment, windows[0]), target.model(comment, wanted)
        return plan_entry(about, "change", leaf_changes(old, new))

    # --- reading ------------------------------------------------------------------------------------------------

    def _listing(self) -> list:
        answer = self.client.request("GET", PATH, query={"rows": "all"}, action="list the downtimes")
        return list((answer or {}).get("list") or [])

    def _windows(self, listing: list | None = None) -> dict[Target, list[tuple[int, int]]]:
        """Each target's downtimes with the declared comment: (start, end) as epochs."""
        groups = self._listing() if listing is None else listing
        found: dict[Target, list[tuple[int, int]]] = {}
        for target in self.request.targets:
            stored = target.stored(self.request.comment)
            found[target] = [
                (int(g["start_time"]), int(g["scheduled_end_time"]))
                for g in groups
                if g.get("comment") == stored and target.covers(g)
            ]
        return found

    def _check_hosts(self, targets: Sequence[Target]) -> None:
        """Every host exists under exactly its name: Opsview selects hosts by name ignoring case (a downtime for
        'WEB01' would go to 'web01', where this task would never find it) and skips names it does not know (the
        others' downtimes would be set, and the task fail). Refused before anything is written."""
        hosts = sorted({t.host for t in targets if t.host is not None})
        if not hosts:
            return
        found = self.client.objects(
            "host", query={"s.name": hosts, "cols": "name"}, action=f"find the hosts {_names(hosts)}"
        )
        names = {str(entry.get("name")) for entry in found}
        for host in hosts:
            if host in names:
                continue
            twin = next((name for name in sorted(names) if name.lower() == host.lower()), None)
            why = f"Opsview has no host '{host}'"
            if twin is not None:
                why = f"Opsview compares host names ignoring case and would set it on host '{twin}'"
            raise ValidationError(
                f"Cannot set the downtime '{self.request.comment}' on host '{host}': {why}; "
                "use the name exactly as Opsview has it"
            )

    # --- writing ------------------------------------------------------------------------------------------------

    def _selectors(self, targets: Sequence[Target]) -> dict[str, Any]:
        selectors: dict[str, Any] = {}
        for target in targets:
            if target.hostgroup is not None:
                group = HostGroupTree.read(self.client).find(parse_path(target.hostgroup))
                if group is None:
                    raise ValidationError(f"The host group {target.hostgroup!r} does not exist")
                selectors.setdefault("hg.hostgroupid", []).append(group.id)
            elif target.service is not None:
                selectors.setdefault("svc.hostname", []).append(target.host)
                selectors.setdefault("svc.servicename", []).append(target.service)
            else:
                selectors.setdefault("hst.hostname", []).append(target.host)
        return selectors

    def _set(self, targets: Sequence[Target], wanted: Mapping[Target, tuple[int, int]]) -> None:
        """One command per window (all targets share it unless one was anchored elsewhere), then listed until
        every one shows."""

        def missing(found: Mapping[Target, list]) -> list:
            return [t for t in targets if wanted[t] not in found[t]]

        todo = list(targets)
        for sends in range(1, SEND_ATTEMPTS + 1):
            by_window: dict[tuple[int, int], list[Target]] = {}
            for target in todo:
                by_window.setdefault(wanted[target], []).append(target)
            lost: list[Target] = []
            for (start, end), group in by_window.items():
                body = {"starttime": start, "endtime": end, "comment": self.request.comment, **self._selectors(group)}
                what = f"set the downtime '{self.request.comment}' on {_labels(group)}"
                if self._lost("POST", body=body, action=what, last=sends == SEND_ATTEMPTS):
                    lost.extend(group)
            todo = self._verify(missing, "set", lost)
            if not todo:
                return

    def _remove(self, windows: Mapping[Target, list[tuple[int, int]]]) -> None:
        """By the exact stored comment and start of each downtime (URL parameters: Opsview takes no body here)."""

        def left(found: Mapping[Target, list]) -> list:
            return [t for t, ws in windows.items() if any(w in found[t] for w in ws)]

        todo = list(windows)
        for sends in range(1, SEND_ATTEMPTS + 1):
            lost: list[Target] = []
            for target in todo:
                for start, _end in windows[target]:
                    query = {
                        **self._selectors([target]),
                        "start_time": start,
                        "comment": target.stored(self.request.comment),
                    }
                    what = f"remove the downtime '{self.request.comment}' of {target.label()}"
                    if self._lost("DELETE", query=query, action=what, last=sends == SEND_ATTEMPTS):
                        lost.append(target)
            todo = self._verify(left, "remove", lost)
            if not todo:
                return

    def _lost(self, method: str, *, action: str, last: bool, **request: Any) -> bool:
        """Send one command; whether its answer was lost (it may have been applied, or not yet, or not at all)."""
        return answer_lost(lambda: self.client.request(method, PATH, action=action, **request), last=last)

    def _verify(self, pending: Callable[[Mapping[Target, list]], list], verb: str, lost: Sequence[Target]) -> list:
        """List until ``pending`` finds nothing. Once ``verify_timeout`` has passed, what it still finds is sent
        again (returned) when each command's answer was ``lost``; else the task fails."""
        what = f"{verb} the downtime"
        remaining = unsettled(lambda: pending(self._windows()), timeout=self.verify_timeout, what=what, **self._sleep)
        if all(target in lost for target in remaining):
            return remaining
        hint = " (a host is in downtime only once a reload has made it monitored)" if verb == "set" else ""
        raise DowntimeNotApplied(
            f"Failed to {verb} the downtime '{self.request.comment}': Opsview accepted the command but it is not "
            f"visible for {_labels(remaining)} after {self.verify_timeout:g} seconds{hint}"
        )


def _names(names: Sequence[str]) -> str:
    return few([f"'{name}'" for name in names])


def _labels(targets: Sequence[Target]) -> str:
    return few([t.label() for t in targets])


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _iso(epoch: int) -> str:
    return iso_utc(_at(epoch))
