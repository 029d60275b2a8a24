"""Activate changes (contract section 6): runs that take `activation_seconds`, and what they activate."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from . import validation as v
from .problem import Problem
from .protocol import (
    control_route,
    json_body,
    json_response,
    no_content,
    redirect,
    renderer,
    require_etag,
    route,
    see_other,
    state,
)
from .render import CHECKMK, Renderer, url_safe
from .state import ActivationRun, State

FAILED = "The operation has failed."
WAIT = "/actions/wait-for-completion/invoke"


@route("/domain-types/activation_run/actions/activate-changes/invoke", "POST")
def activate_changes() -> Response:
    """Checkmk's order: body, If-Match, foreign changes, sites, a running activation, nothing to activate."""
    st = state()
    for change in st.before_activate:  # slipped in between the client's read and this request
        st.add_change_as(change)
    st.before_activate.clear()
    body = json_body(v.activate_body())
    require_etag(st.changes_etag())
    sites, force = list(dict.fromkeys(body.get("sites", []))), body.get("force_foreign_changes", False)
    pending = st.pending_changes(sites or st.config.sites)
    if not force and any(change.user_id and change.user_id != g.user for change in pending):
        detail = "There are changes from other users and foreign changes are not allowed in this API call."
        raise Problem(401, FAILED, detail)
    if unknown := [site for site in sites if site not in st.config.sites]:
        raise Problem(400, FAILED, f"Unknown site {unknown[0]}")
    if st.running_activation():
        raise Problem(423, FAILED, "There is an activation already running.")
    sites = sites or st.dirty_sites()
    if not st.pending_changes(sites):
        raise Problem(422, FAILED, "Currently there are no changes to activate.")
    run = st.start_activation(g.user, sites, force=force, seconds=st.activation_seconds)
    if body.get("redirect", False):
        return see_other(run_href(run.id) + WAIT)
    return json_response(run_object(renderer(), run))


@route("/objects/activation_run/<activation_id>")
def show_activation(activation_id: str) -> Response:
    return json_response(run_object(renderer(), existing_run(activation_id), status=True))


@route(f"/objects/activation_run/<activation_id>{WAIT}")
def wait_for_activation(activation_id: str) -> Response:
    """Answers at once: 302 to itself while running (2.3 would block a while first), then 204."""
    return no_content() if existing_run(activation_id).done else redirect(request.path, 302)


@route("/domain-types/activation_run/collections/running")
def list_activations() -> Response:
    """Despite the name, every run since the start (or reset), as Checkmk lists the runs it still knows."""
    render = renderer()
    runs = [run_object(render, run, status=True) for run in state().activations.values()]
    return json_response(render.collection("activation_run", runs))


def existing_run(activation_id: str) -> ActivationRun:
    if run := state().activations.get(activation_id):
        return run
    detail = f"Could not find an activation with id {activation_id!r}."
    raise Problem(404, "The requested activation was not found", detail)


def run_href(run_id: str) -> str:
    return f"/objects/activation_run/{url_safe(run_id)}"


def run_object(render: Renderer, run: ActivationRun, *, status: bool = False) -> dict[str, Any]:
    """The run as activate-changes answers it; `status` adds `status_per_site` (2.4+: show and list)."""
    running = not run.done
    extensions: dict[str, Any] = {
        "sites": list(run.sites),
        "is_running": running,
        "force_foreign_changes": run.force_foreign_changes,
        "time_started": run.started.isoformat(),
        "changes": [change.public() for change in run.changes],
    }
    if status and render.config.api_version != "2.3":
        extensions["status_per_site"] = [site_status(run, site) for site in run.sites]
    title = "Activation status: In progress." if running else "Activation status: Complete."
    links = [render.link(CHECKMK + "wait-for-completion", run_href(run.id) + WAIT)] if running else []
    return render.domain_object("activation_run", run.id, title, extensions, links=links, editable=False)


def site_status(run: ActivationRun, site: str) -> dict[str, Any]:
    """While running, phase `activate` (Checkmk's state is `success` from the start; the specs allow no null)."""
    details = f"Started at: {run.started:%H:%M:%S}."
    status = {"site": site, "phase": "activate", "state": "success", "status_text": "Activating"}
    if run.done:
        details += f" Finished at: {run.ended:%H:%M:%S}."
        status.update(phase="done", status_text="Success")
    ended = run.ended.isoformat() if run.done else None
    return {**status, "status_details": details, "start_time": run.started.isoformat(), "end_time": ended}


# --- Control endpoints ----------------------------------------------------------------------------


@control_route("/activations", "POST")
def start_foreign_activation() -> Response:
    """An activation by another user, `{"user_id", "seconds"?}`: of what is pending, if anything; 409 while
    one runs."""
    st = state()
    check = v.obj({"user_id": v.string(min_length=1), "seconds": v.seconds}, required=("user_id",))
    body = v.validate(request.get_json(silent=True), check)
    if st.running_activation():
        raise Problem(409, "Conflict", "There is an activation already running.")
    seconds = body.get("seconds", st.activation_seconds)
    run = st.start_activation(body["user_id"], st.dirty_sites(), force=True, seconds=seconds)
    return json_response(run_json(run), 201)


@control_route("/hooks/before_activate", "POST")
def add_change_before_activate() -> Response:
    """A change, `{"user_id", "action_name"?, "text"?, "sites"?}`, added once, right before the next
    activate-changes request is checked (its If-Match is then stale)."""
    st = state()
    st.before_activate.append(v.validate(request.get_json(silent=True), v.change_body(st)))
    return no_content()


def run_json(run: ActivationRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "user_id": run.user_id,
        "sites": list(run.sites),
        "changes": [change.id for change in run.changes],
        "changes_by": dict(Counter(change.user_id or "" for change in run.changes)),
        "force_foreign_changes": run.force_foreign_changes,
        "started": run.started.isoformat(),
        "finished": run.ended.isoformat() if run.done else None,
        "is_running": not run.done,
    }


def state_json(st: State) -> dict[str, Any]:
    """The parts of GET /_simulator/state about activation."""
    return {
        "activations": [run_json(run) for run in st.activations.values()],
        "activated_hosts": st.activated_hosts,
        "before_activate": st.before_activate,
    }
