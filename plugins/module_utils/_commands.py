# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Commands that a server answers before it carries them out (downtimes): each is sent once, then the server's
list is read until it shows the change. A command whose answer was lost (a proxy's 5xx, a dropped connection) may
have been carried out, or not yet, or not at all: it is sent again only for what the list still does not show once
the wait is over, never blindly. Shared by the backends' downtime code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    WaitTimeout,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

SHOWN = 3  # names a message shows before "and N more"


def once(option: str, names: Sequence[str]) -> None:
    """Refuse a list that names something twice."""
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError(f"{option} lists {', '.join(repr(n) for n in repeated)} more than once: name each once")


def few(texts: Sequence[str]) -> str:
    """``a, b, c and 2 more``."""
    shown = ", ".join(texts[:SHOWN])
    return shown if len(texts) <= SHOWN else f"{shown} and {len(texts) - SHOWN} more"


def answer_lost(send: Callable[[], Any], *, last: bool) -> bool:
    """Send one command; whether its answer was lost. The last attempt's loss, and any other error, raise."""
    try:
        send()
    except MonitoringError as exc:
        if last or not reread_settles(exc):
            raise
        return True
    return False


def unsettled(pending: Callable[[], list], *, timeout: float, what: str, **sleep: Any) -> list:
    """Call ``pending`` until it finds nothing (then ``[]``) or ``timeout`` seconds have passed (then what it still
    finds)."""
    remaining: list = []

    def done() -> bool:
        remaining[:] = pending()
        return not remaining

    try:
        poll(done, deadline=Deadline(timeout), what=what, **sleep)
    except WaitTimeout:
        return remaining
    return []
