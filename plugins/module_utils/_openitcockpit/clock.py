# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API user's clock: openITCOCKPIT reads and shows downtime times as wall-clock text, in the user's time zone
and date format, never as timestamps.

A downtime's ``from_date``/``from_time`` are parsed on the server in the server's time zone and then shifted by
the difference between the user's and the server's UTC offsets *as they are now* (``user_time_to_server_offset``),
so the text to send for a moment T is T plus that difference, written in the server's time zone. Listed times
are written with the user's date format (one of openITCOCKPIT's twelve PHP formats) in the user's time zone.
Both come from ``/angular/user_timezone.json`` and ``/profile/edit.json``; time zones from the IANA database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python 3.8 and older
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]

# PHP date() characters of openITCOCKPIT's date formats -> strptime/strftime directives.
_PHP = {"d": "%d", "j": "%d", "m": "%m", "Y": "%Y", "H": "%H", "h": "%I", "i": "%M", "s": "%S", "A": "%p", "F": "%B"}
DEFAULT_FORMAT = "H:i:s - d.m.Y"


def strptime_format(php: str) -> str:
    """``H:i:s - d.m.Y`` -> ``%H:%M:%S - %d.%m.%Y``; a character PHP would interpret but this does not is refused."""
    out = []
    for char in php:
        if char in _PHP:
            out.append(_PHP[char])
        elif char.isalpha():
            raise ApiError(f"The API user's date format {php!r} is not one openITCOCKPIT offers", status=200)
        else:
            out.append("%%" if char == "%" else char)
    return "".join(out)


def _zone(name: Any, what: str) -> Any:
    if ZoneInfo is None:
        raise ApiError("Reading openITCOCKPIT's times needs Python 3.9 or later (zoneinfo)", status=200)
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(
            f"The {what} time zone {name!r} is not in this machine's time zone database (install tzdata)", status=200
        ) from None


class UserClock:
    """Moments <-> the wall-clock text of the API user, as openITCOCKPIT reads and writes it."""

    def __init__(self, user_zone: str, server_zone: str, offset: int, dateformat: str = DEFAULT_FORMAT) -> None:
        self.user = _zone(user_zone, "user's")
        self.server = _zone(server_zone, "server's")
        self.offset = timedelta(seconds=int(offset))
        self.dateformat = dateformat
        self.format = strptime_format(dateformat)
        self.has_seconds = "s" in dateformat

    @classmethod
    def read(cls, client: OitcClient) -> UserClock:
        answer = client.request("GET", "/angular/user_timezone", action="read the API user's time zone")
        zone = (answer or {}).get("timezone") if isinstance(answer, Mapping) else None
        if not isinstance(zone, Mapping):
            raise ApiError("Failed to read the API user's time zone: the answer has no timezone", status=200)
        profile = client.request("GET", "/profile/edit", action="read the API user's date format")
        user = (profile or {}).get("user") if isinstance(profile, Mapping) else None
        dateformat = str((user or {}).get("dateformat") or DEFAULT_FORMAT)
        return cls(
            str(zone.get("user_timezone") or "Europe/Berlin"),
            str(zone.get("server_timezone") or "UTC"),
            int(zone.get("user_time_to_server_offset") or 0),
            dateformat,
        )

    def wall(self, moment: datetime) -> tuple[str, str]:
        """(from_date, from_time) to send for ``moment``: ``Y-m-d`` and ``H:i`` (openITCOCKPIT takes minutes)."""
        try:
            text = (moment + self.offset).astimezone(self.server)
        except OverflowError:
            raise ValidationError(
                f"The time {moment.isoformat()} cannot be written in openITCOCKPIT's time zone"
            ) from None
        return text.strftime("%Y-%m-%d"), text.strftime("%H:%M")

    def parse(self, text: Any) -> datetime:
        """A listed time (user format, user zone) -> an aware moment in UTC."""
        try:
            naive = datetime.strptime(str(text).strip(), self.format)
        except ValueError:
            raise ApiError(
                f"Cannot read the time {text!r} in the API user's date format {self.dateformat!r}", status=200
            ) from None
        return naive.replace(tzinfo=self.user).astimezone(timezone.utc)


def minute(moment: datetime) -> datetime:
    """openITCOCKPIT schedules downtimes to the minute."""
    return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)
