"""In-memory model of a site's Setup configuration: folders, hosts and pending changes."""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from .config import BUILTIN_TAG_GROUPS, SimulatorConfig

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


def _meta_data(user: str | None) -> dict[str, Any]:
    timestamp = now()
    return {"created_at": timestamp, "updated_at": timestamp, "created_by": user}


def _touched(attributes: Attributes) -> dict[str, Any]:
    return {**attributes.get("meta_data", {}), "updated_at": now()}


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


class State:
    """Everything one simulated site knows. Hold `lock` around each request's reads and writes."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
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
        self.request_counts: Counter[str] = Counter()
        self.request_log: list[dict[str, Any]] = []

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
        del self.hosts[host.name], host.folder.hosts[host.name]
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
                del self.hosts[name]
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
