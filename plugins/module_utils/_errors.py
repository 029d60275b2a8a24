# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised by the library code; only a module's main() turns them into a failed task."""

from __future__ import annotations

from typing import Any


class MonitoringError(Exception):
    """Base error: ``str(error)`` is a one-line, user-facing message; ``details`` go into the task result."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(" ".join(message.split()))
        self.details = details


class TransportError(MonitoringError):
    """The server could not be reached or spoken to: DNS, refused connection, TLS, timeout."""


class ApiError(MonitoringError):
    """The server answered a request with an error status."""

    def __init__(self, message: str, *, status: int, **details: Any) -> None:
        super().__init__(message, status=status, **details)
        self.status = status


class AuthError(ApiError):
    """401/403: the credentials are wrong or the user lacks a permission."""


class ConflictError(ApiError):
    """409/412/428: the object changed since it was read, or a precondition is missing."""


class NotFoundError(ApiError):
    """404 where the caller expected the object to exist."""


class ValidationError(MonitoringError):
    """The task's arguments are invalid; raised before anything is sent."""


class WaitTimeout(MonitoringError):
    """A job on the server did not finish within the time the task allows."""


# A write that failed with one of these may have happened after all (the answer was lost or came from a proxy),
# or failed because the object changed since it was read: reading again tells what to do, if anything.
REREAD_STATUSES = frozenset({404, 412, 500, 502, 503, 504})


def reread_settles(error: MonitoringError) -> bool:
    """Whether a failed write is worth reading the object again and deciding afresh (check first, then act)."""
    if isinstance(error, TransportError):
        return True
    return isinstance(error, ApiError) and error.status in REREAD_STATUSES
