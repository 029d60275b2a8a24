"""Times as openITCOCKPIT shows and reads them: the API user's time zone and date format for what it shows (the
server's own zone is UTC), and `strtotime()` for the dates of a downtime, read in the server's zone and shifted by
the user's offset *now* (SystemdowntimesController), so a window across a DST change lands an hour off, as on the
real server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DATEFORMAT = "H:i:s - d.m.Y"  # the user's date format: openITCOCKPIT's default
_PHP_TO_STRFTIME = {"H": "%H", "i": "%M", "s": "%S", "d": "%d", "m": "%m", "Y": "%Y"}
_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("m", "d", "y")),
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True)
class UserTime:
    """The API user's clock: `timezone` (IANA name) and openITCOCKPIT's default date format."""

    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def format(self, epoch: float, layout: str = DATEFORMAT) -> str:
        """PHP date() of `layout` (H, i, s, d, m, Y) in the user's zone: `22:00:00 - 17.09.2026`."""
        moment = datetime.fromtimestamp(epoch, self.zone)
        return moment.strftime("".join(_PHP_TO_STRFTIME.get(char, char) for char in layout))

    def offset(self, now: float) -> int:
        """user_time_to_server_offset: the user's UTC offset at `now`, in seconds (the server's is 0)."""
        delta = datetime.fromtimestamp(now, self.zone).utcoffset() or timedelta(0)
        return int(delta.total_seconds())

    def parse(self, date: str, time: str, now: float) -> int | None:
        """`strtotime("<date> <time>")` in the server's zone (UTC) minus the user's offset now; None when
        unreadable. Dates: `Y-m-d`, `d.m.Y`, `m/d/Y`; times `H:i` or `H:i:s`."""
        server = server_strtotime(date, time)
        return None if server is None else server - self.offset(now)


def server_strtotime(date: str, time: str) -> int | None:
    """The subset of strtotime() this simulator reads, in UTC."""
    day = _date(date.strip())
    clock = _TIME.fullmatch(time.strip())
    if day is None or clock is None:
        return None
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return int(datetime(day[0], day[1], day[2], hour, minute, second, tzinfo=UTC).timestamp())


def _date(text: str) -> tuple[int, int, int] | None:
    for pattern, order in _DATES:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                datetime(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
            return parts["y"], parts["m"], parts["d"]
    return None


def seconds_in_human_short(duration: int) -> str:
    """UserTime::secondsInHumanShort(): `2h 0m 0s`, `7D 0h 0m 0s`, `1M 2D 0h 0m 0s`."""
    duration = max(duration, 0)
    end = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=duration)
    hms = f"{end.hour}h {end.minute}m {end.second}s"
    if duration >= 31536000:
        return f"{end.year - 1970}Y {end.month - 1}M {end.day - 1}D {hms}"
    if duration >= 2678400:
        return f"{end.month - 1}M {end.day - 1}D {hms}"
    if duration >= 86400:
        return f"{duration // 86400}D {hms}"
    if duration >= 3600:
        return hms
    if duration >= 60:
        return f"{end.minute}m {end.second}s"
    return f"{end.second}s"


def iso(epoch: float) -> str:
    """A FrozenTime as CakePHP writes it in JSON, in the server's zone (UTC): `2026-09-17T09:00:00+00:00`."""
    return datetime.fromtimestamp(int(epoch), UTC).isoformat()


def server_datetime(epoch: float) -> str:
    """`Y-m-d H:i:s` in the server's zone."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d %H:%M:%S")


def utc_time(epoch: float) -> str:
    """PHP date('H:i:s') in the server's zone."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%H:%M:%S")
