# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reload: Opsview's activation. Configuration changes take effect only when the server reloads.

``GET /rest/reload`` tells whether configuration is pending and whether a reload runs (``server_status`` 1). A
reload is started only when something is pending, after any running one has finished, asynchronously, and then
watched until it ends: ``server_status`` 0 is success, 4 success with warnings, 3 a configuration error (and 2
a server that is not running). A reload started meanwhile by someone else (409) is waited for, and then the
status is read again: it may have taken our changes along. So is a start whose answer was lost (a proxy's 5xx, a
dropped connection): the reload may be running, and a second start is sent only if the configuration is still
pending once no reload runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ConflictError,
    MonitoringError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, Subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

PATH = "/reload"
RUNNING, FAILED, NOT_RUNNING, WARNINGS = "1", "3", "2", "4"
ATTEMPTS = 3
# The plan entry of a reload: the configuration it applies, pending before and up to date after (from the first
# read, so check mode and the run say the same, even when someone else's reload took the changes along).
SUBJECT = Subject("opsview", "reload", "configuration")
APPLIED = {"configuration_status": {"before": "pending", "after": "uptodate"}}


class ReloadFailed(MonitoringError):
    """The reload ended with errors: the configuration was not applied."""


def status_of(answer: Any) -> dict[str, Any]:
    body = answer if isinstance(answer, Mapping) else {}
    return {
        "server_status": str(body.get("server_status", "")),
        "configuration_status": str(body.get("configuration_status", "")),
        "lastupdated": str(body.get("lastupdated", "")),
        "messages": [_message(m) for m in body.get("messages") or []],
    }


def _message(message: Any) -> dict[str, str]:
    if isinstance(message, Mapping):
        return {key: str(message.get(key) or "") for key in ("severity", "monitoringserver", "detail")}
    return {"severity": "", "monitoringserver": "", "detail": str(message)}


class Reload:
    def __init__(
        self, client: OpsviewClient, *, wait_timeout: float = 300, sleep: Callable[[float], None] | None = None
    ) -> None:
        self.client = client
        self.wait_timeout = wait_timeout
        self._sleep = {"sleep": sleep} if sleep else {}
        self.waited_for_others = False

    def read(self) -> dict[str, Any]:
        return status_of(self.client.request("GET", PATH, action="read the reload status"))

    def apply(self, *, check_mode: bool) -> Outcome:
        deadline = Deadline(self.wait_timeout)
        before = self._idle(deadline)
        if before["configuration_status"] != "pending":
            return Outcome(False, before, before, {"reloaded": False}, action="none", changes={})
        if check_mode:
            after = {**before, "configuration_status": "uptodate"}
            return Outcome(True, before, after, {"reloaded": False}, action="run", changes=APPLIED)
        for _attempt in range(ATTEMPTS):
            try:
                self.client.request("POST", PATH, query={"asynchronous": 1}, action="start a reload")
            except MonitoringError as exc:
                # 409: someone else's reload started since the read; a lost answer: ours may have started. Either
                # may take our changes along: wait for it, then read again rather than start another blindly.
                if not (isinstance(exc, ConflictError) or reread_settles(exc)):
                    raise
                status = self._idle(deadline)
                if status["configuration_status"] != "pending":
                    return self._done(before, status)
                continue
            return self._done(before, self._idle(deadline, started=True))
        raise ConflictError(
            f"Failed to start a reload: other reloads kept running, or the answers were lost ({ATTEMPTS} attempts)",
            status=409,
        )

    def _idle(self, deadline: Deadline, *, started: bool = False) -> dict[str, Any]:
        """The status once no reload runs (polling while one does)."""
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(self.read())
            if found["server_status"] == RUNNING and not started:
                self.waited_for_others = True
            return found["server_status"] != RUNNING

        what = "the reload" if started else "the running reload (someone else's)"
        poll(done, deadline=deadline, what=what, **self._sleep)
        return found

    def _done(self, before: dict[str, Any], after: dict[str, Any]) -> Outcome:
        if after["server_status"] in (FAILED, NOT_RUNNING):
            details = "; ".join(m["detail"] for m in after["messages"] if m["detail"]) or "no messages"
            raise ReloadFailed(
                f"The Opsview reload failed (server_status {after['server_status']}): {details}", reload=after
            )
        return Outcome(True, before, after, {"reloaded": True}, action="run", changes=APPLIED)
