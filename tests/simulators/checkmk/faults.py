"""Faults on demand (tests/simulators/common/faults.py) in the Checkmk simulator: the shared kinds (latency,
error, drop) answer as a site does, and Checkmk's own: a `race` (another user changes the object addressed, and
records a pending change, right before the request is processed; or takes over a host's downtimes) and another
user's long `activation` starting right before the request. The switch `silent_remote_downtimes` is a Checkmk bug
and lives with the downtimes.
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.wrappers import Response

from ..common import faults as common
from .problem import field_problem
from .protocol import api, control_route, json_response, problem_response, state
from .state import CheckmkFaultRule, State

_OBJECT = re.compile(r"/objects/(host_config|folder_config)/([^/]+)")


def api_path() -> str:
    """The path below the API root, without the query: what a rule's `path` is searched in."""
    return "/" + request.path.split("/api/", 1)[-1].split("/", 1)[-1]


def error(status: int, title: str) -> Response:
    return problem_response({"title": title, "status": status, "detail": "Injected by the simulator."}, status)


def own_kind(rule: common.FaultRule) -> None:
    assert isinstance(rule, CheckmkFaultRule)
    if rule.kind == "race":
        race(state(), rule)
    else:
        activate_as(state(), rule)


common.install(
    api, faults=lambda: state().faults, lock=lambda: state().lock, api_path=api_path, error=error, own_kind=own_kind
)


def race(st: State, rule: CheckmkFaultRule) -> None:
    """Another user changes the object the request addresses (its attributes, a folder also its title), or only
    records a change when it addresses none, so that the request's If-Match is stale. With `host_name`, the
    colleague instead takes over that host's downtimes: gives them `comment` (downtimes have no ETag)."""
    with st.lock:
        st.settle()
        if rule.host_name is not None:
            for downtime in st.all_downtimes(st.config.sites):
                if downtime.host_name == rule.host_name:
                    downtime.comment, downtime.author = rule.comment, rule.user_id
                    rule.targets.append(f"downtime {downtime.site} {downtime.id}")
            return
        match = _OBJECT.search(api_path())
        host = st.hosts.get(match.group(2)) if match and match.group(1) == "host_config" else None
        folder = st.folder(match.group(2)) if match and match.group(1) == "folder_config" else None
        if host is not None:
            attributes = {key: value for key, value in host.attributes.items() if key != "meta_data"}
            st.set_host_attributes(host, {**attributes, **rule.attributes}, rule.user_id, "Modified host %s.")
            rule.targets.append(f"host {host.name}")
        elif folder is not None:
            attributes = {key: value for key, value in folder.attributes.items() if key != "meta_data"}
            st.edit_folder(folder, rule.title or folder.title, {**attributes, **rule.attributes}, rule.user_id)
            rule.targets.append(f"folder {folder.slug}")
        else:
            st.add_change_as({"user_id": rule.user_id})


def activate_as(st: State, rule: CheckmkFaultRule) -> None:
    """Another user activates whatever is pending, for `seconds`, unless an activation runs already."""
    with st.lock:
        st.settle()
        if not st.running_activation():
            st.start_activation(rule.user_id, st.dirty_sites(), force=True, seconds=rule.seconds)


# --- Control endpoints ----------------------------------------------------------------------------

common.install_controls(control_route, faults=lambda: state().faults, answer=json_response, refuse=field_problem)
