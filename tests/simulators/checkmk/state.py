"""In-memory model of a site: its Setup configuration (folders, hosts, discovered services), pending changes,
activations and the configuration they activated, discovery jobs, and the downtimes each site's core keeps."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any, ClassVar

from ..common.faults import FaultRule, Faults, mapping, string
from ..common.log import RequestLog
from .config import BUILTIN_TAG_GROUPS, SimulatorConfig
from .services import DiscoverySettings, HostDiscovery, Service, core_services

Attributes = dict[str, Any]

# Built-in attribute values a host has when neither it nor a folder above it sets them. (Checkmk also shows
# the management credentials as null, which 2.3's schema cannot express, so they are left out.)
DEFAULT_ATTRIBUTES: Mapping[str, Any] = {
    "alias": "",
    "parents": [],
    "ipaddress": "",
    "ipv6address": "",
    "additional_ipv4addresses": [],
    "additional_ipv6addresses": [],
    "contactgroups": {
        "groups": [],
        "recurse_perms": False,
        "recurse_use": False,
        "use": False,
        "use_for_services": False,
    },
    "labels": {},
    "management_protocol": "none",
    "management_address": "",
    "locked_attributes": [],
    "inventory_failed": False,
    "waiting_for_discovery": False,
}


def hash_of_dict(data: Mapping[str, Any]) -> str:
    """Checkmk's ETag digest: sha256 over sorted keys and stringified values (constructors.hash_of_dict)."""
    digest = sha256()
    _hash_update(digest.update, data)
    return digest.hexdigest()


def _hash_update(update: Callable[[bytes], object], value: Any) -> None:
    if isinstance(value, (list, tuple)):
        for item in value:
            _hash_update(update, item)
    elif isinstance(value, dict):
        for key, item in sorted(value.items()):
            update(key.encode())
            if isinstance(item, (dict, list, tuple)):
                _hash_update(update, item)
            else:
                update((str(item).lower() if isinstance(item, bool) else str(item)).encode())
    else:
        update(str(value).encode())


def now(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


def iso_time(timestamp: float) -> str:
    """Seconds since the epoch as Checkmk shows them: ISO 8601 in UTC, `+00:00`."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def _meta_data(user: str | None) -> dict[str, Any]:
    timestamp = now("microseconds")
    return {"created_at": timestamp, "updated_at": timestamp, "created_by": user}


def _touched(attributes: Attributes) -> dict[str, Any]:
    """A site keeps these times as floats, so every edit changes them, and with them the object's ETag (a folder's
    ETag does not cover its title: a title changed alone still makes an If-Match stale)."""
    return {**attributes.get("meta_data", {}), "updated_at": now("microseconds")}


@dataclass(eq=False)
class Folder:
    name: str
    title: str
    attributes: Attributes
    parent: Folder | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    children: dict[str, Folder] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """Slash-separated path without the leading slash; empty for the root folder."""
        return "/".join(folder.name for folder in self.chain()[1:])

    @property
    def slug(self) -> str:
        return "~" + self.path.replace("/", "~")

    @property
    def alias_path(self) -> str:
        return " / ".join(folder.title for folder in self.chain())

    def chain(self) -> list[Folder]:
        """The folders from the root down to this one."""
        return [*(self.parent.chain() if self.parent else []), self]

    def walk(self) -> Iterator[Folder]:
        yield self
        for child in self.children.values():
            yield from child.walk()

    def etag_values(self) -> dict[str, Any]:
        return {"path": self.path, "attributes": self.attributes, "hosts": list(self.hosts)}


@dataclass(eq=False)
class Host:
    name: str
    folder: Folder
    attributes: Attributes
    cluster_nodes: list[str] | None = None

    def etag_values(self) -> dict[str, Any]:
        attributes = {key: value for key, value in self.attributes.items() if key != "meta_data"}
        return {"name": self.name, "attributes": attributes, "cluster_nodes": self.cluster_nodes}


@dataclass(frozen=True)
class Change:
    id: str
    action_name: str
    text: str
    user_id: str | None
    time: str
    sites: tuple[str, ...]

    def public(self) -> dict[str, Any]:
        """The five keys the REST API shows; `sites` stays internal."""
        return {
            "id": self.id,
            "action_name": self.action_name,
            "text": self.text,
            "user_id": self.user_id,
            "time": self.time,
        }

    def detailed(self) -> dict[str, Any]:
        """With the sites it is pending for, as the control endpoints show it."""
        return {**self.public(), "sites": list(self.sites)}


@dataclass(eq=False, kw_only=True)
class Job:
    """Work that takes `seconds` from its start; State.settle finishes it once that time has passed."""

    user_id: str
    seconds: float
    started_at: float  # State.clock() at the start
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    done: bool = False

    @property
    def finishes_at(self) -> float:
        return self.started_at + self.seconds

    @property
    def ended(self) -> datetime:
        return self.started + timedelta(seconds=self.seconds)

    def finish(self, state: State) -> None:
        raise NotImplementedError


@dataclass(eq=False, kw_only=True)
class ActivationRun(Job):
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sites: tuple[str, ...]
    changes: tuple[Change, ...]  # those pending for `sites` when the run started
    force_foreign_changes: bool
    hosts: dict[str, str]  # the hosts of `sites` and their site when the run started: what gets monitored
    core_services: dict[str, tuple[str, ...]] = field(default_factory=dict)  # those of `hosts` at the start

    def finish(self, state: State) -> None:
        state.confirm_changes(self.changes, self.sites)
        activated = {host: site for host, site in state.activated_hosts.items() if site not in self.sites}
        state.activated_hosts = {**activated, **self.hosts}
        kept = {host: services for host, services in state.core_services.items() if host in activated}
        state.core_services = {**kept, **self.core_services}
        for site in self.sites:  # a renamed host's downtimes follow its new name in the core
            for downtime in state.all_downtimes([site]):
                downtime.host_name = state.core_renames[site].get(downtime.host_name, downtime.host_name)
            state.core_renames[site].clear()
        state.forget_unmonitored_downtimes(self.sites)


@dataclass(eq=False, kw_only=True)
class Downtime:
    """A scheduled downtime as the core of its site keeps it: times in whole seconds since the epoch, the
    duration in minutes (not 0: flexible, the downtime starts within the window and lasts that long)."""

    site: str
    id: int  # per site, from 1
    host_name: str
    service_description: str | None  # None: a host downtime
    author: str
    comment: str
    start_time: int
    end_time: int
    duration: int = 0
    recur: str = "fixed"
    entry_time: int = 0

    @property
    def is_service(self) -> bool:
        return self.service_description is not None

    @property
    def recurring(self) -> bool:
        return self.recur != "fixed"

    def mode(self) -> dict[str, Any]:
        if self.duration:
            return {"type": "flexible", "duration_minutes": self.duration}
        return {"type": "fixed"}

    def detailed(self) -> dict[str, Any]:
        """As the control endpoints show it."""
        service = {"service_description": self.service_description} if self.is_service else {}
        return {
            "id": self.id,
            "host_name": self.host_name,
            **service,
            "comment": self.comment,
            "author": self.author,
            "start_time": iso_time(self.start_time),
            "end_time": iso_time(self.end_time),
            "duration": self.duration,
            "recur": self.recur,
            "mode": self.mode(),
        }


@dataclass
class CheckmkFaultRule(FaultRule):
    """Checkmk's own kinds of fault (faults.py): a colleague's `race` (changes the object a request addresses, or
    takes over a host's downtimes with `host_name` and `comment`) and another user's `activation`."""

    own_kinds: ClassVar[tuple[str, ...]] = ("race",)
    own_fields: ClassVar[tuple[str, ...]] = ("attributes", "title", "host_name", "comment")
    user_id: str = "colleague"  # race, activation
    attributes: dict[str, Any] = field(default_factory=dict)  # race: merged into the object's attributes
    title: str | None = None  # race: the folder's new title
    host_name: str | None = None  # race: instead, the downtimes of this host get `comment` (they are the colleague's)
    comment: str = "Taken over by a colleague"


def new_faults() -> Faults:
    """The shared fault machinery with Checkmk's own kinds, and the switch for a Checkmk bug:
    `silent_remote_downtimes`, Checkmk 2.0.0p5, where downtime commands for hosts of remote sites went to the central
    site's core only (contract 4.1, 10.2): the central site's API answers 204 and nothing changes."""
    own = {"user_id": string, "attributes": mapping, "title": string, "host_name": string, "comment": string}
    return Faults(
        rule_type=CheckmkFaultRule, kinds=("race", "activation"), fields=own, switches=("silent_remote_downtimes",)
    )


HOST_DISCOVERY_JOB = "service_discovery-"  # + host name: the job of a single host's refresh or tabula rasa
BULK_DISCOVERY_JOB = "bulk_discovery"


@dataclass(eq=False, kw_only=True)
class DiscoveryJob(Job):
    id: str
    hosts: tuple[str, ...]
    settings: DiscoverySettings

    def finish(self, state: State) -> None:
        for name in self.hosts:
            if name in state.hosts:  # not deleted meanwhile
                state.discover(name, self.settings, self.user_id)


class State:
    """Everything one simulated site knows. Hold `lock` around each request's reads and writes."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = time.monotonic  # for job durations; tests may replace it
        self.wall_clock: Callable[[], float] = time.time  # when downtimes end; tests may replace it
        tag_groups = {**BUILTIN_TAG_GROUPS, **config.tag_groups}
        self.default_attributes: Attributes = {
            **DEFAULT_ATTRIBUTES,
            "site": config.site,
            **{f"tag_{group_id}": group.tags[0] for group_id, group in tag_groups.items()},
        }
        self.reset()

    def reset(self) -> None:
        self.root = Folder("", "Main", {"meta_data": _meta_data(None)})
        self.folders_by_id: dict[str, Folder] = {self.root.id: self.root}
        self.hosts: dict[str, Host] = {}
        self.changes: list[Change] = []
        self.requests = RequestLog()
        self.activation_seconds = self.config.activation_seconds
        self.discovery_seconds = self.config.discovery_seconds
        self.activations: dict[str, ActivationRun] = {}
        self.activated_hosts: dict[str, str] = {}  # the monitored hosts and their site, as last activated
        self.core_services: dict[str, tuple[str, ...]] = {}  # services.core_services of those hosts, likewise
        self.before_activate: list[Mapping[str, Any]] = []  # changes to add when activation is next asked for
        self.before_bulk_create: list[Mapping[str, Any]] = []  # hosts another user creates before the next bulk create
        self.discovery: dict[str, HostDiscovery] = {}
        self.discovery_jobs: dict[str, DiscoveryJob] = {}  # by id: a host's or the bulk job id is used again
        self.rename_jobs: list[Job] = []  # rename.RenameJob, one at a time
        self.core_renames: dict[str, dict[str, str]] = {site: {} for site in self.config.sites}  # old -> new name
        self.discovery_history: list[DiscoveryJob] = []  # every job started, in order
        self.downtimes: dict[str, dict[int, Downtime]] = {site: {} for site in self.config.sites}
        self.last_downtime_id: dict[str, int] = dict.fromkeys(self.config.sites, 0)
        self.faults = new_faults()  # `lost`: downtime commands lost to the switch silent_remote_downtimes

    def settle(self) -> None:
        """Finish the jobs whose time is up, in the order they end, and forget the downtimes that are over: no
        threads, every request calls this first."""
        now = self.clock()
        jobs: list[Job] = [*self.activations.values(), *self.discovery_jobs.values(), *self.rename_jobs]
        due = [job for job in jobs if not job.done and job.finishes_at <= now]
        for job in sorted(due, key=lambda job: job.finishes_at):
            job.done = True
            job.finish(self)
        self.expire_downtimes()

    def monitoring_site(self, host_name: str) -> str | None:
        """The site monitoring the host in the activated configuration; None when it is not monitored (yet)."""
        with self.lock:
            self.settle()
            return self.activated_hosts.get(host_name)

    def monitored_services(self, host_name: str) -> list[str]:
        """The names of the host's monitored services: its autochecks (discovery needs no activation here) and the
        services its core creates besides them, as last activated (services.core_services)."""
        discovery = self.discovery.get(host_name)
        autochecks = [service.name for service in discovery.services.values()] if discovery else []
        return list(dict.fromkeys([*autochecks, *self.core_services.get(host_name, ())]))

    def core_services_of(self, host_name: str) -> tuple[str, ...]:
        """The services the core would create for the host besides its autochecks, were its configuration activated
        now: they follow its effective tags and whether it has autochecks."""
        discovery = self.discovery.get(host_name)
        autochecks = bool(discovery and discovery.services)
        return core_services(self.effective_attributes(self.hosts[host_name]), autochecks=autochecks)

    def schedule_downtime(self, site: str, **fields: Any) -> Downtime | None:
        """A downtime on `site`'s core, which drops (None) one that ends before it starts or is already over."""
        downtime = Downtime(site=site, id=self.last_downtime_id[site] + 1, entry_time=int(self.wall_clock()), **fields)
        if downtime.start_time >= downtime.end_time or downtime.end_time <= self.wall_clock():
            return None
        self.last_downtime_id[site] = downtime.id
        self.downtimes[site][downtime.id] = downtime
        return downtime

    def all_downtimes(self, sites: Iterable[str]) -> list[Downtime]:
        return [downtime for site in sites for downtime in self.downtimes[site].values()]

    def delete_downtime(self, downtime: Downtime) -> None:
        self.downtimes[downtime.site].pop(downtime.id, None)

    def expire_downtimes(self) -> None:
        """A downtime that does not recur is over at its end (a flexible one never started: nothing fails here)."""
        now = self.wall_clock()
        for downtime in self.all_downtimes(self.config.sites):
            if not downtime.recurring and downtime.end_time <= now:
                self.delete_downtime(downtime)

    def forget_unmonitored_downtimes(self, sites: Iterable[str]) -> None:
        """After an activation, the cores of `sites` keep no downtimes of hosts they no longer monitor."""
        for downtime in self.all_downtimes(sites):
            if self.activated_hosts.get(downtime.host_name) != downtime.site:
                self.delete_downtime(downtime)

    def folder(self, ident: str) -> Folder | None:
        """A folder by path (`~a~b`, `/a/b/`, `\\a\\b`) or by its 32-hex id."""
        if ident in self.folders_by_id:
            return self.folders_by_id[ident]
        folder: Folder | None = self.root
        for name in filter(None, re.split(r"[~/\\]", ident)):
            folder = folder.children.get(name) if folder else None
        return folder

    def effective_attributes(self, host: Host) -> Attributes:
        """Defaults, overridden by the root folder, ..., the host's folder, the host; labels are merged."""
        effective = dict(self.default_attributes)
        labels: dict[str, str] = {}
        for attributes in [*(folder.attributes for folder in host.folder.chain()), host.attributes]:
            effective.update(attributes)
            labels.update(attributes.get("labels", {}))
        return {**effective, "labels": labels}

    def inherited(self, host: Host, key: str) -> Any:
        for attributes in [host.attributes, *(folder.attributes for folder in reversed(host.folder.chain()))]:
            if key in attributes:
                return attributes[key]
        return self.default_attributes.get(key)

    def host_site(self, host: Host) -> str:
        return str(self.inherited(host, "site"))

    def changes_etag(self) -> str:
        return hash_of_dict({change.id: change.public() for change in self.changes})

    def add_change(self, action_name: str, text: str, user_id: str | None, sites: Iterable[str]) -> Change:
        change = Change(str(uuid.uuid4()), action_name, text, user_id, now("microseconds"), tuple(sorted(set(sites))))
        self.changes.append(change)
        return change

    def add_change_as(self, body: Mapping[str, Any]) -> Change:
        """A change from a control endpoint: `{"user_id", "action_name"?, "text"?, "sites"?}`; by default a
        host edit on the central site."""
        user_id = body["user_id"]
        action_name, text = body.get("action_name", "edit-host"), body.get("text", f"Change made by {user_id}.")
        return self.add_change(action_name, text, user_id, body.get("sites", [self.config.site]))

    def pending_changes(self, sites: Iterable[str]) -> list[Change]:
        """The changes still to be activated on any of `sites`."""
        wanted = set(sites)
        return [change for change in self.changes if wanted.intersection(change.sites)]

    def dirty_sites(self) -> list[str]:
        return [site for site in self.config.sites if self.pending_changes([site])]

    def confirm_changes(self, changes: Iterable[Change], sites: Iterable[str]) -> None:
        """`changes` are activated on `sites`: pending only for their other sites, if any."""
        activated, confirmed = set(sites), {change.id for change in changes}
        remaining = []
        for change in self.changes:
            if change.id in confirmed:
                change = replace(change, sites=tuple(site for site in change.sites if site not in activated))
            if change.sites:
                remaining.append(change)
        self.changes = remaining

    def running_activation(self) -> ActivationRun | None:
        return next((run for run in self.activations.values() if not run.done), None)

    def start_activation(self, user_id: str, sites: Iterable[str], *, force: bool, seconds: float) -> ActivationRun:
        """A run activating the changes pending for `sites` and the hosts configured on them now."""
        activated = tuple(sites)
        hosts = {name: site for name, host in self.hosts.items() if (site := self.host_site(host)) in activated}
        run = ActivationRun(
            user_id=user_id,
            seconds=seconds,
            started_at=self.clock(),
            sites=activated,
            changes=tuple(self.pending_changes(activated)),
            force_foreign_changes=force,
            hosts=hosts,
            core_services={name: self.core_services_of(name) for name in hosts},
        )
        self.activations[run.id] = run
        return run

    def host_discovery(self, host_name: str) -> HostDiscovery:
        if host_name not in self.discovery:
            self.discovery[host_name] = self.peek_discovery(host_name)
        return self.discovery[host_name]

    def peek_discovery(self, host_name: str) -> HostDiscovery:
        """The host's discovery state, without keeping a new one: a host nobody told about offers the
        configured agent services."""
        if host_name in self.discovery:
            return self.discovery[host_name]
        discovery = HostDiscovery()
        discovery.offer([Service(plugin, item, name) for plugin, item, name in self.config.agent_services], {})
        return discovery

    def discover(self, host_name: str, settings: DiscoverySettings, user: str) -> None:
        """Update the host's services and labels; each that changed is a pending change for its site."""
        discovery = self.host_discovery(host_name)
        labels_changed, services_changed = discovery.apply(settings)
        site = self.host_site(self.hosts[host_name])
        if labels_changed:
            text = f"Updated discovered host labels of '{host_name}' with {len(discovery.labels)} labels"
            self.add_change("update-host-labels", text, user, [site])
        if services_changed:
            text = f"Saved check configuration of host '{host_name}' with {len(discovery.services)} services"
            self.add_change("set-autochecks", text, user, [site])

    def start_discovery(
        self, job_id: str, hosts: Iterable[str], settings: DiscoverySettings, user: str, *, after: float = 0.0
    ) -> DiscoveryJob:
        """Start a discovery job now, or queued: its work begins at ``after`` (State.clock) if that is later."""
        now = self.clock()
        queued = timedelta(seconds=max(0.0, after - now))
        job = DiscoveryJob(
            id=job_id,
            user_id=user,
            seconds=self.discovery_seconds,
            started_at=now + queued.total_seconds(),
            started=datetime.now(UTC) + queued,
            hosts=tuple(hosts),
            settings=settings,
        )
        self.discovery_jobs[job_id] = job
        self.discovery_history.append(job)
        return job

    def _forget_host(self, name: str) -> None:
        del self.hosts[name]
        if name in self.discovery:
            self.discovery[name].forget()
        self.discovery_jobs.pop(HOST_DISCOVERY_JOB + name, None)

    def create_host(self, name: str, folder: Folder, attributes: Attributes, user: str) -> Host:
        host = Host(name, folder, {**attributes, "meta_data": _meta_data(user)})
        self.hosts[name] = folder.hosts[name] = host
        self.add_change("create-host", f"Created new host {name}.", user, [self.host_site(host)])
        return host

    def set_host_attributes(self, host: Host, attributes: Attributes, user: str, text: str) -> None:
        """Replace the host's attributes (its meta_data is kept and touched); `text` gets the host name."""
        old_site = self.host_site(host)
        host.attributes = {**attributes, "meta_data": _touched(host.attributes)}
        self.add_change("edit-host", text % host.name, user, [old_site, self.host_site(host)])

    def delete_host(self, host: Host, user: str) -> None:
        self._forget_host(host.name)
        del host.folder.hosts[host.name]
        self.add_change("delete-host", f"Deleted host {host.name}", user, [self.host_site(host)])

    def move_host(self, host: Host, target: Folder, user: str) -> None:
        source, old_site = host.folder, self.host_site(host)
        del source.hosts[host.name]
        target.hosts[host.name] = host
        host.folder = target
        text = (
            f'Moved host from "{source.path or self.root.title}" (ID: {source.id}) '
            f'to "{target.path or self.root.title}" (ID: {target.id})'
        )
        self.add_change("move-host", text, user, [old_site, self.host_site(host)])

    def create_folder(self, parent: Folder, name: str, title: str, attributes: Attributes, user: str) -> Folder:
        folder = Folder(name, title, {**attributes, "meta_data": _meta_data(user)}, parent)
        parent.children[name] = self.folders_by_id[folder.id] = folder
        self.add_change("new-folder", f"Created new folder {folder.alias_path}", user, self.config.sites)
        return folder

    def edit_folder(self, folder: Folder, title: str, attributes: Attributes, user: str) -> None:
        folder.title = title
        folder.attributes = {**attributes, "meta_data": _touched(folder.attributes)}
        self.add_change("edit-folder", f"Edited properties of folder {title}", user, self.config.sites)

    def delete_folder(self, folder: Folder, user: str) -> None:
        assert folder.parent is not None, "the root folder cannot be deleted"
        text = f"Deleted folder {folder.alias_path}"
        for subfolder in folder.walk():
            for name in subfolder.hosts:
                self._forget_host(name)
            del self.folders_by_id[subfolder.id]
        del folder.parent.children[folder.name]
        self.add_change("delete-folder", text, user, self.config.sites)

    def move_folder(self, folder: Folder, target: Folder, user: str) -> None:
        assert folder.parent is not None, "the root folder cannot be moved"
        text = f"Moved folder {folder.alias_path} to {target.alias_path}"
        del folder.parent.children[folder.name]
        target.children[folder.name] = folder
        folder.parent = target
        self.add_change("move-folder", text, user, self.config.sites)
