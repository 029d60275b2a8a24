"""Service discovery (contract section 5): of one host, at once or as a background job, and in bulk."""

from __future__ import annotations

import uuid
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
    path_host,
    redirect,
    renderer,
    route,
    see_other,
    state,
)
from .render import CHECKMK, Renderer, url_safe
from .services import BACKGROUND_MODES, BULK_MODES, MODES, Service, bulk_settings, service_from
from .state import BULK_DISCOVERY_JOB, HOST_DISCOVERY_JOB, DiscoveryJob, State

WAIT = "/actions/wait-for-completion/invoke"
# What the job log of a job that never ran says (Checkmk's JobStatusStore.read).
NEVER_STARTED = (
    "Waiting for first status update from the job. In case this message is shown for a longer time, "
    "the startup got interrupted."
)


@route("/domain-types/service_discovery_run/actions/start/invoke", "POST")
def start_discovery() -> Response:
    """`refresh` and `tabula_rasa` run as the host's background job (302/303 to wait for it); the other
    modes answer the discovery result at once."""
    st = state()
    body = json_body(v.discovery_body(st))
    host_name, mode = body["host_name"], body.get("mode", "fix_all")
    if is_active(st.discovery_jobs.get(HOST_DISCOVERY_JOB + host_name)):
        raise Problem(409, "Conflict", "A service discovery background job is currently running")
    if mode in BACKGROUND_MODES:
        st.start_discovery(HOST_DISCOVERY_JOB + host_name, [host_name], MODES[mode], g.user)
        return see_other(f"/objects/service_discovery_run/{url_safe(host_name)}{WAIT}")
    st.discover(host_name, MODES[mode], g.user)
    return json_response(discovery_result(renderer(), host_name))


@route("/objects/service_discovery/<host_name>")
def show_discovery_result(host_name: str) -> Response:
    path_host(host_name)
    return json_response(discovery_result(renderer(), host_name))


@route("/objects/service_discovery_run/<host_name>")
def show_discovery_run(host_name: str) -> Response:
    """The host's job; one that never ran is `initialized`, as in Checkmk."""
    path_host(host_name)
    job_id = HOST_DISCOVERY_JOB + host_name
    job = state().discovery_jobs.get(job_id)
    extensions = {"active": is_active(job), "state": job_state(job), "logs": job_logs(job)}
    title = f"Service discovery background job {job_id} is {job_state(job)}"
    return json_response(renderer().domain_object("service_discovery_run", job_id, title, extensions, editable=False))


@route(f"/objects/service_discovery_run/<host_name>{WAIT}")
def wait_for_discovery(host_name: str) -> Response:
    path_host(host_name)
    job = state().discovery_jobs.get(HOST_DISCOVERY_JOB + host_name)
    if job is None:
        detail = f"Could not find a service discovery for host {host_name}"
        raise Problem(404, "The requested service discovery job was not found", detail)
    return no_content() if job.done else redirect(request.path, 302)


@route("/domain-types/discovery_run/actions/bulk-discovery-start/invoke", "POST")
def start_bulk_discovery() -> Response:
    """2.3 and 2.4: one bulk job, `bulk_discovery`, at a time (409 while it runs); 2.3 answers the job (200), 2.4
    redirects to its background job (303). 2.5: every request gets a job of its own, `bulk_discovery-<id>`, queued
    behind the active one (werk "introduce individual id for bulk discovery job"), and a redirect to it."""
    st = state()
    body = json_body(v.bulk_discovery_body(st))
    settings = bulk_settings(body["options"]) if "options" in body else BULK_MODES[body.get("mode", "new")]
    hosts = dict.fromkeys(body["hostnames"])
    if st.config.api_version == "2.5":
        bulk = (job for job in st.discovery_jobs.values() if job.id.startswith(BULK_DISCOVERY_JOB))
        after = max((job.finishes_at for job in bulk if is_active(job)), default=0.0)
        job = st.start_discovery(f"{BULK_DISCOVERY_JOB}-{uuid.uuid4()}", hosts, settings, g.user, after=after)
        return see_other(f"/objects/background_job/{job.id}")
    if is_active(st.discovery_jobs.get(BULK_DISCOVERY_JOB)):
        legacy = st.config.api_version == "2.3"
        detail = "A bulk discovery job is already active" if legacy else "Background Job bulk_discovery already running"
        raise Problem(409, "Conflict", detail)
    job = st.start_discovery(BULK_DISCOVERY_JOB, hosts, settings, g.user)
    if st.config.api_version == "2.3":
        return json_response(bulk_discovery_object(renderer(), job))
    return see_other(f"/objects/background_job/{BULK_DISCOVERY_JOB}")


@route("/objects/discovery_run/<job_id>", versions=("2.3",))
def show_bulk_discovery(job_id: str) -> Response:
    if job_id != BULK_DISCOVERY_JOB:
        raise Problem(
            404, f"Background job {job_id} not found.", "There is no running background job with this job_id."
        )
    return json_response(bulk_discovery_object(renderer(), state().discovery_jobs.get(job_id)))


@route("/objects/background_job/<job_id>", versions=("2.4", "2.5"))
def show_background_job(job_id: str) -> Response:
    """The bulk discovery job and the hosts' discovery jobs (`service_discovery-<host>`), once started."""
    st = state()
    site_id = request.args.get("site_id", st.config.site)
    if (job := st.discovery_jobs.get(job_id)) is None:
        detail = f"Could not find a background job with the ID '{job_id}' on site {site_id}"
        raise Problem(404, "The requested background job does not exist", detail)
    logs = job_logs(job)
    log_info = {"JobProgressUpdate": logs["progress"], "JobResult": logs["result"], "JobException": []}
    extensions = {
        "site_id": site_id,
        "active": is_active(job),
        "status": {"state": job_state(job), "log_info": log_info},
    }
    title = f"Background job {job_id} {'is active' if is_active(job) else 'is finished'}"
    return json_response(renderer().domain_object("background_job", job_id, title, extensions, editable=False))


def is_active(job: DiscoveryJob | None) -> bool:
    return job is not None and not job.done


def job_state(job: DiscoveryJob | None) -> str:
    if job is None:
        return "initialized"
    return "finished" if job.done else "running"


def job_logs(job: DiscoveryJob | None) -> dict[str, list[str]]:
    return {"result": [], "progress": [NEVER_STARTED] if job is None else []}


def bulk_discovery_object(render: Renderer, job: DiscoveryJob | None) -> dict[str, Any]:
    extensions = {"active": is_active(job), "state": job_state(job), "logs": job_logs(job)}
    title = f"Background job {BULK_DISCOVERY_JOB} {'is active' if is_active(job) else 'is finished'}"
    return render.domain_object("discovery_run", BULK_DISCOVERY_JOB, title, extensions, editable=False)


def discovery_result(render: Renderer, host_name: str) -> dict[str, Any]:
    """The host's check table (phases undecided, monitored, changed, vanished) and host labels."""
    discovery = state().peek_discovery(host_name)
    check_table = {
        f"{service.check_plugin_name}-{service.item}": check_table_entry(render, host_name, service, phase)
        for service, phase in discovery.check_table()
    }
    extensions = {
        "check_table": check_table,
        "host_labels": label_values(discovery.offered_labels),
        "vanished_labels": label_values(discovery.vanished_labels()),
        "changed_labels": label_values(discovery.changed_labels()),
    }
    ident, title = f"service_discovery-{host_name}", f"Service discovery result of host {host_name}"
    return render.domain_object("service_discovery", ident, title, extensions, editable=False)


def check_table_entry(render: Renderer, host_name: str, service: Service, phase: str) -> dict[str, Any]:
    extensions = {
        "host_name": host_name,
        "check_plugin_name": service.check_plugin_name,
        "service_name": service.name,
        "service_item": service.item,
        "service_phase": phase,
    }
    if service.item is None and render.config.api_version == "2.5":
        del extensions["service_item"]  # 2.5's schema has no null for it
    href = f"/objects/host/{url_safe(host_name)}/actions/update_discovery_phase/invoke"
    body_params = {"check_type": service.check_plugin_name, "service_item": service.item}
    links = [
        {
            **render.link(f"{CHECKMK}service.move-{target}", href, "PUT", f"Move the service to {target}"),
            "body_params": {"target_phase": target, **body_params},
        }
        for target in ("monitored", "undecided", "ignored")
    ]
    return {
        "id": service.name,
        "memberType": "property",
        "value": phase,
        "format": "string",
        "title": f"The service is currently {phase!r}",
        "links": links,
        "extensions": extensions,
    }


def label_values(labels: dict[str, str]) -> dict[str, dict[str, str]]:
    return {key: {"value": value} for key, value in labels.items()}


# --- Control endpoints ----------------------------------------------------------------------------


@control_route("/discoverable/<host_name>", "PUT")
def set_discoverable(host_name: str) -> Response:
    """What the agent of the host offers from now on (the host need not exist yet): `{"services":
    [{"check_plugin_name", "service_name", "service_item"?, "service_labels"?}], "host_labels": {...}}` (each
    key left out: none)."""
    st = state()
    body = v.validate(request.get_json(silent=True), v.discoverable_body())
    discovery = st.host_discovery(host_name)
    discovery.offer([service_from(entry) for entry in body.get("services", [])], body.get("host_labels", {}))
    return json_response(discovery.public())


def job_json(job: DiscoveryJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "user_id": job.user_id,
        "hosts": list(job.hosts),
        "started": job.started.isoformat(),
        "finished": job.ended.isoformat() if job.done else None,
        "is_running": not job.done,
    }


def state_json(st: State) -> dict[str, Any]:
    """The parts of GET /_simulator/state about discovery."""
    return {
        "discovery": {host_name: discovery.public() for host_name, discovery in st.discovery.items()},
        "discovery_jobs": [job_json(job) for job in st.discovery_jobs.values()],
        "discovery_history": [job_json(job) for job in st.discovery_history],
    }
