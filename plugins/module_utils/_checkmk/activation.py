# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Activating pending changes: exactly the changes that were read, identified by their ETag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    object_path,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ConflictError,
    MonitoringError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome, plan_entry
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
RUNNING = "/domain-types/activation_run/collections/running"
# How often the pending changes may change between reading them and activating them (412) before giving up.
MAX_ATTEMPTS = 5


class ForeignChangesError(MonitoringError):
    """Other users' changes are pending and the task did not allow activating them."""


@dataclass(frozen=True)
class Activation:
    """What the task asks for: the sites (empty: all sites with changes), foreign changes, waiting."""

    sites: list[str] = field(default_factory=list)
    force_foreign_changes: bool = False
    wait: bool = True
    timeout: float = 300


def owners(changes: list[Mapping[str, Any]]) -> str:
    """``alice (2), bob (1)``: whose changes these are."""
    counts = Counter(str(c.get("user_id") or "(no user)") for c in changes)
    return ", ".join(f"{user} ({n})" for user, n in sorted(counts.items()))


def with_plan(request: Activation, outcome: Outcome) -> Outcome:
    """The outcome with its plan entry: the activation of the sites (or all sites) runs, taking the pending
    changes it read from their count to 0; nothing pending, nothing runs."""
    sites = ", ".join(request.sites) or "all sites"
    count = len((outcome.before or {}).get("pending_changes") or [])
    changes = {"pending_changes": {"before": count, "after": 0}}
    entry = plan_entry(subject("activation", sites), "run" if outcome.changed else "none", changes)
    return replace(outcome, plan=(entry,))


def from_api(body: Mapping[str, Any]) -> Model:
    extensions = body.get("extensions", {})
    return {
        "id": body.get("id"),
        "sites": extensions.get("sites", []),
        "is_running": extensions.get("is_running", False),
        "time_started": extensions.get("time_started"),
        "changes": extensions.get("changes", []),
    }


def activate(
    client: CheckmkClient,
    request: Activation,
    *,
    check_mode: bool,
    sleep: Callable[[float], None] | None = None,
) -> Outcome:
    """Activate the pending changes that are read here, and only those (If-Match with their ETag).

    Nothing pending: unchanged, nothing sent. Check mode: report the changes and stop. Changes appearing
    between the read and the activation (412): read again, a bounded number of times. Another activation
    running (423): wait for it, then try again. Nothing left to activate (422): unchanged."""
    deadline = Deadline(request.timeout)
    waiting = {"deadline": deadline, **({"sleep": sleep} if sleep else {})}
    sent: dict | None = None  # what was read before an activation request whose answer was lost: it may have run
    for _attempt in range(MAX_ATTEMPTS):
        changes, etag = client.pending_changes()
        before = sent or {"pending_changes": changes}
        if not changes:
            return with_plan(request, Outcome(sent is not None, before, None))
        # As Checkmk counts them: changes without a user (made by Checkmk itself) are nobody's.
        foreign = [c for c in changes if c.get("user_id") and c.get("user_id") != client.user]
        if foreign and not request.force_foreign_changes:
            raise ForeignChangesError(
                f"Not activating: {len(foreign)} pending change(s) of other users: {owners(foreign)}; "
                "activate them in Checkmk first, or set force_foreign_changes: true to activate them with yours"
            )
        if check_mode:
            planned = {"id": None, "sites": request.sites, "is_running": False, "time_started": None}
            return with_plan(request, Outcome(True, before, {**planned, "changes": changes}))
        body = {"redirect": False, "sites": request.sites, "force_foreign_changes": request.force_foreign_changes}
        try:
            answer = client.request(
                "POST", ACTIVATE, body=body, etag=etag, ok=(200, 412, 422, 423), action="activate the pending changes"
            )
        except MonitoringError as exc:
            if not reread_settles(exc):
                raise
            # Check first, then act: once a run it started is over, nothing it read is pending any more.
            sent = before
            poll(lambda: not _running(client), what="The activation running in Checkmk", **waiting)
            continue
        if answer.status == 412:
            continue
        if answer.status == 422:
            return with_plan(request, Outcome(sent is not None, before, None))
        if answer.status == 423:
            poll(lambda: not _running(client), what="The activation already running in Checkmk", **waiting)
            continue
        run = from_api(answer.json())
        if request.wait:
            poll(partial(_finished, client, run["id"]), what=f"Activation {run['id']}", **waiting)
            run["is_running"] = False
        return with_plan(request, Outcome(True, before, run))
    raise ConflictError(
        f"Failed to activate the pending changes: they changed {MAX_ATTEMPTS} times between reading and activating",
        status=412,
    )


def _running(client: CheckmkClient) -> bool:
    body, _etag = client.get(RUNNING, action="read the running activations")
    runs = (body or {}).get("value", [])
    return any(run.get("extensions", {}).get("is_running") for run in runs)


def _finished(client: CheckmkClient, run_id: str) -> bool:
    path = object_path("activation_run", run_id, "actions", "wait-for-completion", "invoke")
    answer = client.request("GET", path, ok=(204, 302, 303), action=f"wait for activation {run_id}")
    return answer.status == 204
