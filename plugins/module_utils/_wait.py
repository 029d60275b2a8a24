# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded polling of server-side jobs: no fixed sleeps, a deadline, and a growing interval."""

from __future__ import annotations

import time
from collections.abc import Callable

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import WaitTimeout


class Deadline:
    """The moment by which a task must be done; ``clock`` is injectable for tests."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())


def poll(
    done: Callable[[], bool],
    *,
    deadline: Deadline,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    interval: float = 0.1,
    max_interval: float = 2.0,
) -> None:
    """Call ``done`` until it returns true; between calls wait a growing interval; raise ``WaitTimeout``
    naming ``what`` once the deadline has passed."""
    while not done():
        left = deadline.remaining()
        if left <= 0:
            raise WaitTimeout(f"{what} did not finish within {deadline.seconds:g} seconds")
        sleep(min(interval, left))
        interval = min(interval * 1.5, max_interval)
