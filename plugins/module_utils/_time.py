# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Points in time as tasks give them: ISO 8601 with a time zone, or relative to now (``now``, ``+30m``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError

_RELATIVE = re.compile(r"^\+(\d+)([smhdw])$", re.ASCII)  # digits 0-9 only, not those of other scripts
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ZULU = re.compile(r"[zZ]$")
# Relative times reach at most this far ahead, so that now + offset stays a date (datetime ends with year 9999).
MAX_RELATIVE = timedelta(days=365_250)
# Relative windows: an existing one of the same length, give or take this, is the one declared.
LENGTH_TOLERANCE = timedelta(seconds=60)


@dataclass(frozen=True)
class TimeSpec:
    """A point in time: ``at`` (absolute, aware) or ``offset`` from the moment the task runs."""

    text: str
    at: datetime | None = None
    offset: timedelta | None = None

    @property
    def relative(self) -> bool:
        return self.offset is not None

    def resolve(self, now: datetime) -> datetime:
        return self.at if self.at is not None else now + (self.offset or timedelta(0))


def parse_time(text: str, *, option: str) -> TimeSpec:
    """``now``, ``+<n><s|m|h|d|w>``, or ISO 8601 with a time zone (``2026-12-24T18:00:00+01:00``, ``...Z``)."""
    value = str(text).strip()
    if value == "now":
        return TimeSpec(value, offset=timedelta(0))
    match = _RELATIVE.match(value)
    if match:
        try:
            offset: timedelta | None = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        except (OverflowError, ValueError):  # beyond timedelta, or more digits than int() reads
            offset = None
        if offset is None or offset > MAX_RELATIVE:
            raise ValidationError(f"Cannot read {option} {value!r}: a relative time may be at most 1000 years ahead")
        return TimeSpec(value, offset=offset)
    try:
        at = datetime.fromisoformat(_ZULU.sub("+00:00", value))
    except ValueError:
        raise ValidationError(
            f"Cannot read {option} {value!r}: use ISO 8601 with a time zone (2026-12-24T18:00:00+01:00), "
            "'now', or a relative time such as +30m, +2h, +1d"
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(f"Cannot read {option} {value!r}: it has no time zone; add one, e.g. +00:00 or Z")
    try:
        at.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError(f"Cannot read {option} {value!r}: in UTC it is before year 1 or after 9999") from None
    return TimeSpec(value, at=at)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """The canonical form used for comparing and reporting: UTC, whole seconds, ``+00:00``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """A time from a server's answer (ISO 8601; naive counts as UTC)."""
    at = datetime.fromisoformat(_ZULU.sub("+00:00", str(text)))
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def declared_window(
    start: TimeSpec, end: TimeSpec, existing: Iterable[tuple[datetime, datetime]], now: datetime
) -> tuple[datetime, datetime]:
    """The declared window (start, end). Relative times are anchored to an existing window that has not ended,
    whose absolute times match and, when both are relative, whose length matches (within ``LENGTH_TOLERANCE``):
    running a task again keeps that window instead of moving it."""
    wanted_start, wanted_end = start.resolve(now), end.resolve(now)
    if start.relative or end.relative:
        for old_start, old_end in existing:
            if old_end <= now:
                continue
            if not start.relative and old_start != wanted_start or not end.relative and old_end != wanted_end:
                continue
            both = start.relative and end.relative
            if both and abs((old_end - old_start) - (wanted_end - wanted_start)) > LENGTH_TOLERANCE:
                continue
            return old_start, old_end
    return wanted_start, wanted_end
