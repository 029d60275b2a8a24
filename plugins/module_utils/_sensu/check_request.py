# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check requests: ask the subscribers of a check to run it now (``POST /request``), for example right after a
host was registered, instead of waiting for its interval.

A request is an action, not a state: every request sent is a change. Check mode sends none; it reads the check
(``GET /checks/:check``) so that an unknown check fails there too. That listing holds the subscription checks only:
a standalone check (scheduled by the clients themselves) reads as unknown in check mode.

In the plan a request is an operation run (``run``), with the request's values as its changes: the same in check
mode and when sent (Sensu's ``issued`` time is left out).
"""

from __future__ import annotations

from collections.abc import Sequence

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    NotFoundError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import (
    SUBSCRIPTION,
    SensuApi,
    segment,
    valid_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome, leaf_changes


def unknown_check(check: str) -> ValidationError:
    return ValidationError(
        f"Cannot request check {check!r}: Sensu has no such check (its API loads check definitions at start and "
        "on a reload: was the server reloaded after the check was written?)"
    )


def request_check(
    api: SensuApi,
    check: str,
    *,
    subscribers: Sequence[str] | None = None,
    reason: str | None = None,
    creator: str | None = None,
    check_mode: bool,
) -> Outcome:
    """Ask the check's subscribers (or ``subscribers``, which replace the check's own) to run ``check`` now."""
    valid_name("check", check, purpose="request a Sensu check")
    request: Model = {"check": check}
    if subscribers is not None:
        if not subscribers:
            raise ValidationError(
                f"Cannot request check {check!r}: subscribers is empty (nobody would run it); leave it out to "
                "ask the check's own subscribers"
            )
        for name in subscribers:
            valid_name("subscription", name, purpose=f"request check {check!r}", pattern=SUBSCRIPTION)
        request["subscribers"] = list(subscribers)
    for key, value in (("reason", reason), ("creator", creator)):
        if value is not None:
            request[key] = value
    if check_mode:
        if api.get(f"/checks/{segment(check)}", action=f"read Sensu check {check!r}") is None:
            raise unknown_check(check)
        return _ran(request, request)
    try:
        answer = api.request("POST", "/request", body=request, action=f"request Sensu check {check!r}", ok=(202, 200))
    except NotFoundError:
        raise unknown_check(check) from None
    except MonitoringError as exc:
        # Sensu's own 500 ("not connected to ...") did nothing; a lost answer may hide a request carried out.
        if not reread_settles(exc) or exc.details.get("status") == 500:
            raise
        # A request is not sent again blindly: its subscribers would run the check twice.
        raise type(exc)(
            f"{exc} (the request may have reached Sensu all the same; it is not sent again)", **exc.details
        ) from None
    issued = answer.get("issued") if isinstance(answer, dict) else None
    return _ran(request, {**request, "issued": issued})


def _ran(request: Model, after: Model) -> Outcome:
    """The outcome of a request sent (or that check mode would send): a run, whose changes are the request's values
    (the check, the subscribers asked, reason and creator)."""
    return Outcome(True, None, after, action="run", changes=leaf_changes(None, request))
