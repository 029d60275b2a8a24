"""Faults on demand (tests/simulators/common/faults.py) in the Sensu simulator: the shared kinds (latency, error,
drop) on API requests, a 5xx answered with an empty body, and Sensu's own kind: `keepalive`, the live sensu-clients
(or only `client`) send a keepalive right before the request, so that a client deleted without `invalidate` is
back in the registry."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ..common import faults as common
from . import agents
from .protocol import api, control_answer, control_route, request_target, state
from .ruby import split
from .state import SensuFaultRule


def error(status: int, title: str) -> Response:
    """An injected 5xx: the status and nothing else (what a proxy in front of the API, or the API itself, sends)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def own_kind(rule: common.FaultRule) -> None:
    if not isinstance(rule, SensuFaultRule):
        raise TypeError(f"not a Sensu rule: {rule!r}")
    st = state()
    with st.lock:
        st.settle()
        outcome = agents.keepalives(st, [rule.client] if rule.client else None)
        rule.targets += [f"keepalive {name}" for name in outcome["registered"]]
        rule.targets += [f"keepalive {name} refused" for name in outcome["refused"]]


def api_path() -> str:
    parts = split(request_target(), "?")
    return parts[0] if parts else ""


common.install(
    api,
    faults=lambda: state().faults,
    lock=lambda: state().lock,
    api_path=api_path,
    error=error,
    own_kind=own_kind,
)


class ControlError(Exception):
    """A control body the simulator refuses: 400 `{"message": "Invalid body", "fields": {...}}`."""

    def __init__(self, fields: dict[str, object]) -> None:
        super().__init__(str(fields))
        self.fields = fields


common.install_controls(control_route, faults=lambda: state().faults, answer=control_answer, refuse=ControlError)
