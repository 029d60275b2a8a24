# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The export ("Refresh monitoring configuration"): openITCOCKPIT's activation. Configuration written through the
API reaches the monitoring core only when an export writes it out and reloads the core.

openITCOCKPIT keeps no "configuration changed" flag. What it keeps is a changelog: every add, edit, delete of a
host, template, group, contact, container... is an entry, and every export writes one when it starts ("Refresh of
monitoring configuration started") and one when it ends ("... finished successfully" or "... with an error").
So configuration counts as pending when the changelog has an entry newer than the start of the last successful
export (the export read the database after that point; entries between its start and end count as pending, to
be safe), or when hosts exist that the core does not monitor, or when no successful export is on record. The
changelog does not record everything (escalations, dependencies, macros, system settings, module objects):
``force`` exports regardless.

An export runs in the background. ``launchExport`` answers at once; ``broadcast`` lists its tasks until
``exportFinished``. A second launch while one runs answers 500: the running export is waited for, and the
changelog read again, since it may have taken the changes along. An export that never finishes (a dead worker)
fails the task after ``wait_timeout``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    MonitoringError,
    WaitTimeout,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome, plan_entry
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

ATTEMPTS = 3
STARTED = "Refresh of monitoring configuration started"
SUCCEEDED = "finished successfully"
SHOWN_CHANGES = 10
VERIFY_TASK = "export_verify_new_configuration"
# The first and last task of an export carry its overall outcome, not a failure of their own.
BOOKENDS = ("export_started", "export_finished")
EXPORT = subject("export", "configuration")


class ExportFailed(MonitoringError):
    """The export ended with an error: the core still runs the previous configuration."""


class Export:
    def __init__(
        self,
        client: OitcClient,
        *,
        wait_timeout: float = 600,
        create_backup: bool = True,
        force: bool = False,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.client = client
        self.wait_timeout = wait_timeout
        self.create_backup = create_backup
        self.force = force
        self._sleep = {"sleep": sleep} if sleep else {}
        self.waited_for_others = False
        self.last_started = 0  # the changelog id of the newest export start, when last read
        self.counted = 0  # how many configuration changes the changelog had pending, when last read

    def apply(self, *, check_mode: bool) -> Outcome:
        deadline = Deadline(self.wait_timeout)
        status = self._status()
        if status["export_running"]:
            self._wait(deadline, ours=False)
        before = self._pending()
        run = self._plan(before)
        if not (before["pending"] or self.force):
            return Outcome(False, before, before, {"exported": False}, plan=(plan_entry(EXPORT, "none"),))
        if check_mode:
            return Outcome(True, before, {**before, "pending": False, "changes": []}, {"exported": False}, plan=run)
        for _attempt in range(ATTEMPTS):
            try:
                self.client.request(
                    "POST",
                    "/exports/launchExport",
                    body={"create_backup": 1 if self.create_backup else 0},
                    action="start the export (refresh of the monitoring configuration)",
                )
            except MonitoringError as exc:
                # 500 while another export runs; or a lost answer: ours may run. Either may take our changes along:
                # wait for it, then read again rather than launch another blindly. A launch writes its "started"
                # entry at once, while the worker may take a moment to show the export as running.
                if not reread_settles(exc):
                    raise
                if self._status()["export_running"] or self._started_since(self.last_started):
                    self._wait(deadline, ours=False)
                again = self._pending()
                if not again["pending"] and not self.force:
                    # Another export applied our changes: changed, though not by an export of ours.
                    return Outcome(True, before, again, {"exported": False}, plan=run)
                continue
            self._wait(deadline, ours=True)
            return Outcome(True, before, self._pending(), {"exported": True}, plan=run)
        raise ApiError(
            f"Failed to start the export: other exports kept running, or the answers were lost ({ATTEMPTS} attempts)",
            status=500,
        )

    def _plan(self, before: Mapping[str, Any]) -> tuple[Model, ...]:
        """The export's plan entry, from what was pending at the first read: the changelog entries and unmonitored
        hosts it takes to the core, the first export when none is on record, or ``force``."""
        changes: Model = {}
        if before["last_export"] is None:
            changes["last_export"] = {"before": None, "after": "now"}
        if self.counted:
            changes["pending_changes"] = {"before": self.counted, "after": 0}
        if before["unmonitored_hosts"]:
            changes["unmonitored_hosts"] = {"before": before["unmonitored_hosts"], "after": 0}
        if not before["pending"]:
            changes["force"] = {"before": None, "after": True}
        return (plan_entry(EXPORT, "run", changes),)

    def _status(self) -> dict[str, Any]:
        answer = self.client.request("GET", "/exports/index", action="read the export status")
        body = answer if isinstance(answer, Mapping) else {}
        if body.get("gearmanReachable") is False or body.get("isGearmanWorkerRunning") is False:
            raise ApiError(
                "Cannot export: openITCOCKPIT's background worker is not running (gearman_worker), so no export "
                "can run; start it on the openITCOCKPIT server",
                status=200,
            )
        return {"export_running": bool(body.get("exportRunning"))}

    def _wait(self, deadline: Deadline, *, ours: bool) -> dict[str, Any]:
        """Poll the broadcast until the export has finished; fail with the task that failed, if ours."""
        last: dict[str, Any] = {}

        def done() -> bool:
            answer = self.client.request("GET", "/exports/broadcast", action="watch the export")
            last.clear()
            last.update(answer if isinstance(answer, Mapping) else {})
            return last.get("exportFinished") is True

        if not ours:
            self.waited_for_others = True
        try:
            poll(done, deadline=deadline, what="the export", **self._sleep)
        except WaitTimeout:
            running = [t.get("text") for t in last.get("tasks") or [] if not t.get("finished")]
            raise WaitTimeout(
                f"The export did not finish within {deadline.seconds:g} seconds (still running: "
                f"{', '.join(map(str, running[:3])) or 'nothing listed'}); a stuck export needs its worker restarted "
                "on the openITCOCKPIT server"
            ) from None
        if ours and last.get("exportSuccessfully") is not True:
            failed = [
                t
                for t in last.get("tasks") or []
                if t.get("finished") and not t.get("successfully") and t.get("task") not in BOOKENDS
            ]
            details = "; ".join(str(t.get("text") or t.get("task")) for t in failed) or "no task says why"
            if any(t.get("task") == VERIFY_TASK for t in failed):
                details += f": {self._verify_output()}"
            raise ExportFailed(
                f"The export failed ({details}); the monitoring core keeps the previous configuration",
                tasks=failed,
            )
        return last

    def _verify_output(self) -> str:
        answer = self.client.request("POST", "/exports/verifyConfig", action="read why the configuration is invalid")
        nagios = ((answer or {}).get("result") or {}).get("nagios") or {}
        lines = [str(line) for line in nagios.get("output") or [] if "rror" in str(line)]
        return " ".join(lines[:3]) or "see Refresh monitoring configuration in openITCOCKPIT"

    # --- what is pending ----------------------------------------------------------------------------------------

    def _exports(self) -> list:
        """The exports' changelog entries, newest first; keeps the id of the newest start."""
        exports = self._changelog({"filter[Changelogs.model][]": ["Export"]}, "list the exports")
        starts = [int(row["id"]) for row in exports if row.get("name") == STARTED]
        self.last_started = max(starts, default=self.last_started)
        return exports

    def _started_since(self, known: int) -> bool:
        self._exports()
        return self.last_started > known

    def _pending(self) -> dict[str, Any]:
        exports = self._exports()
        success = next((row for row in exports if SUCCEEDED in str(row.get("name"))), None)
        started = None
        if success is not None:
            started = next(
                (r for r in exports if r.get("name") == STARTED and int(r["id"]) < int(success["id"])),
                None,
            )
        unmonitored = self._unmonitored()
        self.counted = 0
        if started is None:
            return {
                "pending": True,
                "last_export": None,
                "changes": ["no successful export on record"],
                "unmonitored_hosts": unmonitored,
            }
        since = self._changelog({}, "list the configuration changes", newer_than=int(started["id"]))
        changes = [_describe(row) for row in since if row.get("model") != "Export"]
        self.counted = len(changes)
        return {
            "pending": bool(changes) or unmonitored > 0,
            "last_export": success.get("created"),
            "changes": changes[:SHOWN_CHANGES],
            "unmonitored_hosts": unmonitored,
        }

    def _changelog(self, query: Mapping[str, Any], action: str, *, newer_than: int = 0) -> list:
        """Changelog entries, newest first (``filter[from]=@1``: all of them, not openITCOCKPIT's last 30 days);
        with ``newer_than``, only those with a higher id, page by page until older ones show."""
        rows: list = []
        for page in range(1, 1000):
            answer = self.client.request(
                "GET",
                "/changelogs/index",
                query={**query, "filter[from]": "@1", "scroll": "false", "limit": 100, "page": page},
                action=action,
            )
            listed = (answer or {}).get("all_changes") or []
            # A PHP array with gaps (entries the user may not see are left out) comes as an object.
            listed = list(listed.values()) if isinstance(listed, Mapping) else listed
            batch = [r for r in listed if isinstance(r, Mapping)]
            fresh = [r for r in batch if int(r.get("id") or 0) > newer_than]
            rows.extend(fresh)
            if not newer_than and rows:
                return rows
            if len(fresh) < len(batch) or not ((answer or {}).get("paging") or {}).get("nextPage"):
                return rows
        return rows

    def _unmonitored(self) -> int:
        answer = self.client.request(
            "GET", "/hosts/notMonitored", query={"scroll": "false", "limit": 1}, action="count the unmonitored hosts"
        )
        return int(((answer or {}).get("paging") or {}).get("count") or 0)


def _describe(row: Mapping[str, Any]) -> str:
    return f"{row.get('action')} {str(row.get('model') or '').lower()} '{row.get('name')}'"
