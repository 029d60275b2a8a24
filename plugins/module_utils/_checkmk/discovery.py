# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service discovery: ``changed`` from the host's services before and after, never from a status code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    object_path,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import validate_host_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    leaf_changes,
    plan_entry,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

START = "/domain-types/service_discovery_run/actions/start/invoke"
BULK_START = "/domain-types/discovery_run/actions/bulk-discovery-start/invoke"
# How often a discovery is started: again after a lost answer or while another one ran, after waiting for it.
START_ATTEMPTS = 3

# What each mode does to a host's services, in the terms of the discovery preview's phases.
_ADDS_UNDECIDED = {"new", "monitor_undecided_services", "fix_all", "tabula_rasa"}
_REMOVES_VANISHED = {"remove", "fix_all", "tabula_rasa"}
_LABELS = {"fix_all", "tabula_rasa", "only_host_labels"}
_SERVICE_LABELS = {"fix_all", "only_service_labels"}
# Modes whose work the preview cannot show as done: a rescan, a new start from nothing.
_ALWAYS_RUN = {"refresh", "tabula_rasa"}
MODES = sorted(_ADDS_UNDECIDED | _REMOVES_VANISHED | {"refresh", "only_host_labels", "only_service_labels"})
# The single-host endpoint has no 'monitor_undecided_services' mode: it is the same as 'new' there.
_SINGLE_MODE = {"monitor_undecided_services": "new"}
# The bulk endpoint takes options (2.3 and later); these are the modes' options, as the 2.3 spec describes them.
_BULK_OPTIONS = {
    "new": ("monitor_undecided_services", "update_host_labels"),
    "monitor_undecided_services": ("monitor_undecided_services",),
    "remove": ("remove_vanished_services",),
    "fix_all": ("monitor_undecided_services", "remove_vanished_services", "update_host_labels"),
    "refresh": ("monitor_undecided_services", "remove_vanished_services", "update_host_labels",
                "update_service_labels"),
    "tabula_rasa": ("monitor_undecided_services", "remove_vanished_services", "update_host_labels",
                    "update_service_labels"),
    "only_host_labels": ("update_host_labels",),
    "only_service_labels": ("update_service_labels",),
}  # fmt: skip
_BULK_OPTION_NAMES = ("monitor_undecided_services", "remove_vanished_services", "update_host_labels",
                      "update_service_labels")  # fmt: skip


@dataclass(frozen=True)
class Services:
    """A host's services, and its host labels, as the discovery preview shows them. A vanished service (no
    longer found on the host) is still monitored until a discovery removes it; so is a changed one (found
    with other service labels). ``label_drift`` holds the host labels that a label update would change
    (vanished or found with another value)."""

    monitored: frozenset
    undecided: frozenset
    vanished: frozenset
    host_labels: tuple
    label_drift: tuple = ()
    relabeled: frozenset = frozenset()  # monitored services found with other service labels

    @classmethod
    def none(cls) -> Services:
        """No services and no labels: a host that does not exist (yet)."""
        return cls(frozenset(), frozenset(), frozenset(), ())

    @classmethod
    def from_api(cls, body: Mapping[str, Any] | None) -> Services:
        extensions = (body or {}).get("extensions", {})
        phases: dict[str, set] = {"monitored": set(), "changed": set(), "undecided": set(), "vanished": set()}
        for entry in (extensions.get("check_table") or {}).values():
            phase = entry.get("extensions", {}).get("service_phase", entry.get("value"))
            name = entry.get("extensions", {}).get("service_name", entry.get("id"))
            if phase in phases:
                phases[phase].add(name)
        return cls(
            frozenset(phases["monitored"] | phases["changed"] | phases["vanished"]),
            frozenset(phases["undecided"]),
            frozenset(phases["vanished"]),
            _labels(extensions.get("host_labels")),
            _labels(extensions.get("vanished_labels")) + _labels(extensions.get("changed_labels")),
            frozenset(phases["changed"]),
        )

    def settled(self, mode: str) -> bool:
        """Whether ``mode`` has nothing left to do on this host, as far as the preview shows (a rescan or a new
        start from nothing always has)."""
        left = (
            (mode in _ADDS_UNDECIDED and self.undecided)
            or (mode in _REMOVES_VANISHED and self.vanished)
            or (mode in _LABELS and self.label_drift)
            or (mode in _SERVICE_LABELS and self.relabeled)
        )
        return mode not in _ALWAYS_RUN and not left

    def predicted(self, mode: str) -> Services:
        """The services after ``mode``, as the preview lets one predict them (check mode)."""
        monitored = set(self.monitored)
        if mode in _ADDS_UNDECIDED:
            monitored |= self.undecided
        if mode in _REMOVES_VANISHED:
            monitored -= self.vanished
        drift = () if mode in _LABELS else self.label_drift
        return Services(frozenset(monitored), frozenset(), frozenset(), self.host_labels, drift)


def _labels(labels: Mapping[str, Any] | None) -> tuple:
    """Labels as comparable pairs; a label's value may be a string or an object with a ``value``."""
    items = (labels or {}).items()
    pairs = ((key, value.get("value") if isinstance(value, Mapping) else value) for key, value in items)
    return tuple(sorted((key, str(value)) for key, value in pairs))


def changes(before: Services, after: Services) -> Model:
    return {
        "added": sorted(after.monitored - before.monitored),
        "removed": sorted(before.monitored - after.monitored),
        "host_labels_changed": (before.host_labels, before.label_drift) != (after.host_labels, after.label_drift),
    }


def plan_of(host: str, change: Mapping[str, Any]) -> Model:
    """The plan entry of one host's services: each service added (``None`` -> ``monitored``) or removed (the
    reverse) by its description, and ``host_labels`` when Checkmk updates them (the preview does not show the
    stored labels, so it says ``outdated`` -> ``updated``)."""
    entries: Model = {name: {"before": None, "after": "monitored"} for name in change["added"]}
    entries.update({name: {"before": "monitored", "after": None} for name in change["removed"]})
    if change["host_labels_changed"]:
        entries["host_labels"] = {"before": "outdated", "after": "updated"}
    return plan_entry(subject("services", host), "change" if entries else "none", entries)


def validate_request(host_names: list[str], mode: str) -> list[str]:
    if mode not in MODES:
        raise ValidationError(f"Unknown discovery mode {mode!r}; use one of {', '.join(MODES)}")
    if not host_names:
        raise ValidationError("Service discovery needs host_name or a non-empty host_names")
    return [validate_host_name(name) for name in host_names]


def discover(
    client: CheckmkClient,
    host_names: list[str],
    mode: str,
    *,
    bulk: bool,
    check_mode: bool,
    timeout: float,
    sleep: Callable[[float], None] | None = None,
) -> Outcome:
    """Run discovery on the hosts (one host through the single-host endpoint, or all through the bulk
    endpoint); changed when a host's monitored services or host labels differ afterwards."""
    hosts = validate_request(host_names, mode)
    waiting = {"deadline": Deadline(timeout), **({"sleep": sleep} if sleep else {})}
    if check_mode:
        # A host that does not exist yet may be created by an earlier task of the same check-mode run: its services
        # cannot be previewed, so it counts as changed, with nothing known of them.
        found = {host: _read(client, host, missing=True) for host in hosts}
        unknown = [host for host, services in found.items() if services is None]
        before = {host: services or Services.none() for host, services in found.items()}
        after = {host: services.predicted(mode) for host, services in before.items()}
    else:
        unknown = []
        before = {host: _read(client, host) for host in hosts}
        if bulk:
            _run_bulk(client, hosts, mode, waiting)
        else:
            _run_single(client, hosts[0], mode, waiting)
        after = {host: _read(client, host) for host in hosts}
    result = {host: changes(before[host], after[host]) for host in hosts}
    changed = bool(unknown) or any(r["added"] or r["removed"] or r["host_labels_changed"] for r in result.values())
    entries = tuple(
        plan_entry(subject("services", host), "add", leaf_changes(None, {"mode": mode}))
        if host in unknown
        else plan_of(host, result[host])
        for host in hosts
    )
    return Outcome(changed, _monitored(before), _monitored(after), {"discovery": result}, plan=entries)


def _monitored(services: Mapping[str, Services]) -> Model:
    return {host: sorted(s.monitored) for host, s in services.items()}


def _read(client: CheckmkClient, host: str, *, missing: bool = False) -> Services | None:
    """The host's services; a host that does not exist fails, unless ``missing`` (then None)."""
    body, _etag = client.get(object_path("service_discovery", host), action=f"read the services of host '{host}'")
    if body is None and missing:
        return None
    if body is None:
        raise ValidationError(f"Cannot discover services of host '{host}': the host does not exist")
    return Services.from_api(body)


def _run_single(client: CheckmkClient, host: str, mode: str, waiting: dict) -> None:
    action = f"discover the services of host '{host}' (mode {mode})"
    wait = object_path("service_discovery_run", host, "actions", "wait-for-completion", "invoke")
    body = {"host_name": host, "mode": _SINGLE_MODE.get(mode, mode)}
    done = partial(_job_done, client, wait, action)
    running = partial(poll, done, what=f"The running discovery of host '{host}'", **waiting)
    answer = _start(
        client, START, body, action, wait_for_running=running, settled=partial(_settled, client, [host], mode)
    )
    if answer is not None and answer.status in (302, 303):
        poll(done, what=f"The discovery of host '{host}'", **waiting)


def _run_bulk(client: CheckmkClient, hosts: list[str], mode: str, waiting: dict) -> None:
    action = f"start the bulk discovery of {len(hosts)} hosts (mode {mode})"
    options = {name: name in _BULK_OPTIONS[mode] for name in _BULK_OPTION_NAMES}
    body = {"hostnames": hosts, "options": options}
    answer = _start(
        client,
        BULK_START,
        body,
        action,
        wait_for_running=partial(_wait_for_shared_bulk_job, client, waiting),
        settled=partial(_settled, client, hosts, mode),
    )
    if answer is None:
        return
    if answer.status == 200:  # 2.3: the job object; its status lives at /objects/discovery_run/<id>
        status = object_path("discovery_run", (answer.json() or {}).get("id", "bulk_discovery"))
    else:  # 2.4 and later: a redirect to the background job
        status = _api_path(client, answer.header("Location") or "")
    poll(partial(_bulk_done, client, status), what=f"The bulk discovery of {len(hosts)} hosts", **waiting)


def _start(
    client: CheckmkClient,
    path: str,
    body: Mapping[str, Any],
    action: str,
    *,
    wait_for_running: Callable[[], None],
    settled: Callable[[], bool],
) -> Response | None:
    """Start a discovery. When one runs already (409), or the answer was lost and ours may run, wait for it, then
    check first: when the hosts' previews show nothing left for the mode (the running one did it), start none
    (None); else start again, at most START_ATTEMPTS times in all."""
    for _attempt in range(START_ATTEMPTS - 1):
        try:
            answer = client.request("POST", path, body=body, ok=(200, 302, 303, 409), action=action)
        except MonitoringError as error:
            if not reread_settles(error):
                raise
        else:
            if answer.status != 409:
                return answer
        wait_for_running()
        if settled():
            return None
    return client.request("POST", path, body=body, ok=(200, 302, 303), action=action)


def _settled(client: CheckmkClient, hosts: list[str], mode: str) -> bool:
    return mode not in _ALWAYS_RUN and all(_read(client, host).settled(mode) for host in hosts)


def _wait_for_shared_bulk_job(client: CheckmkClient, waiting: dict) -> None:
    """Wait for the one bulk discovery job of 2.3 (a discovery run) or 2.4 (a background job). 2.5 has none to wait
    for: it gives each bulk discovery a job of its own, queued behind the running one (so does a server whose
    version is unknown, which is taken for the newest)."""
    if client.release is None or client.release >= (2, 5):
        return
    job = object_path("discovery_run" if client.release < (2, 4) else "background_job", "bulk_discovery")
    poll(partial(_bulk_done, client, job), what="The running bulk discovery", **waiting)


def _job_done(client: CheckmkClient, wait: str, action: str) -> bool:
    """Whether the host's discovery job is over; 404: no discovery of the host runs, or ever ran."""
    return client.request("GET", wait, ok=(204, 302, 303, 404), action=action).status in (204, 404)


def _bulk_done(client: CheckmkClient, status: str) -> bool:
    body, _etag = client.get(status, action="read the bulk discovery job")
    return not (body or {}).get("extensions", {}).get("active", False)


def _api_path(client: CheckmkClient, location: str) -> str:
    """The part of a Location (absolute URL or path) below the API root."""
    path = urlsplit(location).path
    root = urlsplit(client.base_url).path
    return path[len(root) :] if path.startswith(root) else path
