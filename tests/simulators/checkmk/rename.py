"""Renaming a host (contract 2.2): a background job, one at a time, refused while any change is pending.

2.3 answers the rename with 302 to a wait endpoint that takes POST; 2.4 and 2.5 with 303 to one that takes GET.
The job renames the host in Setup (its folder, other hosts' parents, clusters' nodes), its autochecks and its
discovered labels, and records the change `rename-host`; once that change is activated, the host's downtimes on
its site's core carry the new name.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.wrappers import Response

from . import validation as v
from .problem import Problem
from .protocol import json_body, no_content, path_host, redirect, route, see_other, state
from .state import Job, State

RENAME = "/objects/host_config/<host_name>/actions/rename/invoke"
WAIT = "/domain-types/host_config/actions/wait-for-completion/invoke"
PENDING = ("Pending changes are present", "Please activate all pending changes before executing a host rename process")


@dataclass(eq=False, kw_only=True)
class RenameJob(Job):
    old: str
    new: str

    def finish(self, state: State) -> None:
        rename_host(state, self.old, self.new, self.user_id)


@route(RENAME, "PUT")
def start_rename(host_name: str) -> Response:
    """Checkmk's order: the host (404), the body (400, also for a new name that exists), If-Match (428; a site
    checks only that one is sent), pending changes (409), a rename job running (409); then the job starts."""
    st = state()
    path_host(host_name)
    body = json_body(v.obj({"new_name": v.host_name(st, should_exist=False)}, required=("new_name",)))
    if not request.if_match:
        raise Problem(428, "Precondition required", "If-Match header required for this operation. See documentation.")
    if st.changes:
        raise Problem(409, *PENDING)
    if any(not job.done for job in st.rename_jobs):
        raise Problem(409, "Conflict", "Another renaming job is already running.")
    job = RenameJob(
        user_id=g.user, seconds=st.discovery_seconds, started_at=st.clock(), old=host_name, new=body["new_name"]
    )
    st.rename_jobs.append(job)
    return see_other(WAIT)


@route(WAIT, "POST")
def wait_for_rename_post() -> Response:
    return wait_for_rename("POST")


@route(WAIT, "GET")
def wait_for_rename_get() -> Response:
    return wait_for_rename("GET")


def wait_for_rename(method: str) -> Response:
    """2.3 takes POST, 2.4 and 2.5 GET (405 otherwise). 204 once the latest rename job is over, 302 to itself
    while it runs, 404 when none ever ran."""
    if (method == "POST") != (state().config.api_version == "2.3"):
        raise MethodNotAllowed()
    jobs = state().rename_jobs
    if not jobs:
        raise Problem(404, "Not found", "No running renaming job was found")
    if not jobs[-1].done:
        return redirect(request.path, 302)
    return no_content()


def rename_host(st: State, old: str, new: str, user: str) -> None:
    """What the job does in Setup: the host, references to it, its services; the core follows on activation."""
    host = st.hosts.pop(old)
    del host.folder.hosts[old]
    host.name = new
    st.hosts[new] = host.folder.hosts[new] = host
    for other in st.hosts.values():
        parents = other.attributes.get("parents")
        if isinstance(parents, list) and old in parents:
            other.attributes["parents"] = [new if parent == old else parent for parent in parents]
        if other.cluster_nodes and old in other.cluster_nodes:
            other.cluster_nodes = [new if node == old else node for node in other.cluster_nodes]
    if old in st.discovery:
        st.discovery[new] = st.discovery.pop(old)
    site = st.host_site(host)
    st.core_renames[site][old] = new
    st.add_change("rename-host", f"Renamed host {old} into {new}", user, [site])
