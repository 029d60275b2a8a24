"""Faults on demand (tests/simulators/common/faults.py) in the openITCOCKPIT simulator: the shared kinds (latency,
error, drop) on API requests, a 5xx answered as CakePHP renders it, and openITCOCKPIT's own kinds: another user's
`export` starting right before the request (which then meets an export in progress) and another user's `change` to
the configuration (a changelog row: the object the path names, else the default host template)."""

from __future__ import annotations

import re

from flask import request
from werkzeug.wrappers import Response

from ..common import faults as common
from . import model
from .errors import INTERNAL
from .php import h
from .protocol import answer, api, control_answer, control_route, request_target, state
from .state import OitcFaultRule, State

_OBJECT = re.compile(r"^/(hosts|hostgroups)/\w+/(\d+)\.json$")


def error(status: int, title: str) -> Response:
    message = INTERNAL if status == 500 else title
    return answer({"message": message, "url": h(request_target()), "code": status}, status)


def own_kind(rule: common.FaultRule) -> None:
    if not isinstance(rule, OitcFaultRule):
        raise TypeError(f"not an openITCOCKPIT rule: {rule!r}")
    st = state()
    with st.lock:
        st.settle()
        user_id = st.colleague(rule.user)
        if rule.kind == "export":
            if not st.export_running():
                run = st.launch_export(user_id, create_backup=False, seconds=rule.seconds, pickup=0.0)
                rule.targets.append(f"export {run.id}")
        else:
            rule.targets.append(change_as(st, user_id, request.path))


common.install(
    api,
    faults=lambda: state().faults,
    lock=lambda: state().lock,
    api_path=lambda: request.path,
    error=error,
    own_kind=own_kind,
)


def change_as(st: State, user_id: int, path: str) -> str:
    """Another user edits the host or host group `path` names (`/hosts/edit/7.json`), else the first host template
    (the root container when there is none): a changelog row (nothing else changes); what was changed, for the
    rule's `targets`."""
    match = _OBJECT.match(path)
    note = {"before": {}, "after": {"notes": "changed by another user"}, "current_data": {}}
    if match and match.group(1) == "hosts" and int(match.group(2)) in st.hosts:
        host = st.hosts[int(match.group(2))]
        host["modified"] = st.now()
        st.log_change(
            "edit",
            "Host",
            host["id"],
            model.OBJECT_HOST,
            host["name"],
            [host["container_id"]],
            [{"Host": note}],
            user_id,
        )
        return f"host {host['name']}"
    if match and match.group(1) == "hostgroups" and int(match.group(2)) in st.hostgroups:
        group = st.hostgroups[int(match.group(2))]
        container = st.containers[group["container_id"]]
        name, parent = container["name"], [container["parent_id"]]
        st.log_change(
            "edit", "Hostgroup", group["id"], model.OBJECT_HOSTGROUP, name, parent, [{"Hostgroup": note}], user_id
        )
        return f"hostgroup {name}"
    if not st.hosttemplates:  # every template deleted through the API: the root container instead
        st.log_change("edit", "Container", 1, model.OBJECT_NODE, "root", [1], [{"Container": note}], user_id)
        return "container root"
    template = st.hosttemplates[min(st.hosttemplates)]
    ids = [template["container_id"]]
    st.log_change(
        "edit",
        "Hosttemplate",
        template["id"],
        model.OBJECT_HOSTTEMPLATE,
        template["name"],
        ids,
        [{"Hosttemplate": note}],
        user_id,
    )
    return f"hosttemplate {template['name']}"


# --- Control endpoints ----------------------------------------------------------------------------


class ControlError(Exception):
    """A control body the simulator refuses: 400 `{"message": "Invalid body", "fields": {...}}`."""

    def __init__(self, fields: dict[str, object]) -> None:
        super().__init__(str(fields))
        self.fields = fields


common.install_controls(control_route, faults=lambda: state().faults, answer=control_answer, refuse=ControlError)
