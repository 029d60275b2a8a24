"""Faults on demand (tests/simulators/common/faults.py) in the Opsview simulator: the shared kinds (latency, error,
drop) on /rest requests, a 5xx answered in Opsview's shape, and Opsview's own kinds: another user's `reload`
starting right before the request (which then meets a reload in progress) and another user's `change` (the object
the request addresses becomes uncommitted, the configuration pending)."""

from __future__ import annotations

import re

from werkzeug.wrappers import Response

from ..common import faults as common
from .errors import OpsviewError
from .protocol import api, api_path, control_route, json_response, state
from .state import OpsviewFaultRule, State

_OBJECT = re.compile(r"^/config/(\w+)/(\d+)")


def error(status: int, title: str) -> Response:
    return json_response({"message": title}, status)


def own_kind(rule: common.FaultRule) -> None:
    assert isinstance(rule, OpsviewFaultRule)
    st = state()
    with st.lock:
        st.settle()
        if rule.kind == "reload":
            if st.running_reload() is None:
                run = st.start_reload(rule.user, asynchronous=True, seconds=rule.seconds)
                rule.targets.append(f"reload {run.id}")
        else:
            change_as(st, rule.user, api_path(), rule.targets)


common.install(
    api, faults=lambda: state().faults, lock=lambda: state().lock, api_path=api_path, error=error, own_kind=own_kind
)


def change_as(st: State, user: str, path: str, targets: list[str] | None = None) -> None:
    """Another user writes the object `path` names (`/config/host/7`), or only makes the configuration pending."""
    match = _OBJECT.match(path)
    obj = st.objects.get(match.group(1), {}).get(int(match.group(2))) if match else None
    st.changed(user, f"changed {match.group(1)} {obj['name']}" if obj and match else "changed the configuration", obj)
    if targets is not None:
        targets.append(f"{match.group(1)} {obj['name']}" if obj and match else "configuration")


# --- Control endpoints ----------------------------------------------------------------------------

common.install_controls(
    control_route,
    faults=lambda: state().faults,
    answer=json_response,
    refuse=lambda messages: OpsviewError(400, "Invalid fault", fields=messages),
)
