# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many hosts in one task: one list request, then Checkmk's bulk endpoints in batches.

The plan compares each declared host with the list (as ``checkmk_host`` does for one), so ``changed``, check
mode and the diff mean the same; writes are grouped: missing folders first, then bulk-create, bulk-update,
the move endpoint for hosts whose folder changed, and bulk-delete. A batch that partly fails ("Some actions
failed") names its failed hosts; the others are kept, so running the task again converges.

Cluster hosts (hosts declared with ``nodes``) need requests of their own, as no bulk endpoint knows nodes:
bulk-create takes no ``nodes``, so each new cluster is created through the clusters collection, after the bulk
create of the plain hosts (its nodes may be among them); nodes that change are set through each cluster's nodes
property, which wants the host's ETag, which the list does not give: one GET of the host, shared with a move of the
same host (the move's answer carries the ETag for the nodes). The list shows every host's nodes, so unfit nodes
(missing hosts, clusters) fail the task before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    object_path,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    COLLECTION as FOLDERS,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    ROOT,
    Folders,
    folder_entries,
    normalize_path,
    parent_of,
    slug,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    CLUSTERS,
    COLLECTION,
    attribute_updates,
    from_api,
    no_cluster_error,
    node_problems,
    replace_keeps_nodes,
    validate_host_name,
    validate_nodes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    leaf_changes,
    overlay,
    plan_entry,
)

BULK_CREATE = "/domain-types/host_config/actions/bulk-create/invoke"
BULK_UPDATE = "/domain-types/host_config/actions/bulk-update/invoke"
BULK_DELETE = "/domain-types/host_config/actions/bulk-delete/invoke"
RESULTS = ("created", "updated", "moved", "removed", "unchanged")
# How often in a row the hosts are listed and the rest written, without progress, after a write that may have
# landed after all.
ATTEMPTS = 3


@dataclass(frozen=True)
class Inventory:
    """The task's hosts, validated before anything is sent."""

    hosts: dict  # name -> {"name", "attributes", "folder"?, "nodes"?}
    state: str = "present"
    purge: bool = False
    exclusive_folder: str | None = None
    recursive: bool = False
    batch_size: int = 500

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Inventory:
        entries = params.get("hosts") or []
        names = [str((entry or {}).get("name") or "") for entry in entries]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValidationError(f"hosts declares these names more than once: {', '.join(duplicates)}")
        for name in names:
            validate_host_name(name)  # raises on the first invalid name
        batch_size = params.get("batch_size", 500)
        if batch_size is None or batch_size < 1:
            raise ValidationError(f"batch_size must be at least 1, not {batch_size}")
        exclusive, recursive = params.get("exclusive_folder"), params.get("recursive")
        if exclusive is not None:
            exclusive = normalize_path(exclusive)
            if exclusive == ROOT and recursive is not False:
                raise ValidationError(
                    "exclusive_folder '/' would remove every undeclared host of the site; set recursive: false "
                    "explicitly to limit it to the hosts directly in the root folder"
                )
            if params.get("state") == "absent":
                raise ValidationError("exclusive_folder only works with state: present")
        hosts = {}
        for entry in entries:
            host: Model = {"name": entry["name"], "attributes": dict(entry.get("attributes") or {})}
            if entry.get("folder") is not None:
                host["folder"] = normalize_path(entry["folder"])
            if entry.get("nodes") is not None:
                host["nodes"] = validate_nodes(entry["name"], entry["nodes"])
            hosts[entry["name"]] = host
        purge = bool(params.get("purge_attributes"))
        return cls(hosts, params.get("state") or "present", purge, exclusive, bool(recursive), batch_size)

    def owns(self, folder: str) -> bool:
        """Whether undeclared hosts in ``folder`` are to be removed (``exclusive_folder``)."""
        if self.exclusive_folder is None:
            return False
        if folder == self.exclusive_folder:
            return True
        below = self.exclusive_folder.rstrip("/") + "/"
        return self.recursive and folder.startswith(below)


@dataclass
class Plan:
    """What to do with each host; ``after`` as the hosts will be."""

    create: list = field(default_factory=list)  # desired models
    update: dict = field(default_factory=dict)  # name -> bulk-update entries (two for a cluster, see host.py)
    move: dict = field(default_factory=dict)  # name -> (from, to)
    nodes: dict = field(default_factory=dict)  # name -> the cluster's new nodes
    remove: list = field(default_factory=list)  # names
    unchanged: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.move or self.nodes or self.remove)

    def size(self) -> int:
        """How many hosts are still to write."""
        return len(self.create) + len(self.update) + len(self.move) + len(self.nodes) + len(self.remove)

    def entries(self, declared: Iterable[str]) -> list:
        """The plan entries: one per declared host, then one per host that ``exclusive_folder`` removes."""
        created = {host["name"]: host for host in self.create}
        names, removed = list(declared), set(self.remove)
        known = set(names)
        entries = []
        for name in [*names, *(name for name in self.remove if name not in known)]:
            if name in created:
                entries.append(plan_entry(subject("host", name), "add", leaf_changes(None, created[name])))
            elif name in removed:
                entries.append(plan_entry(subject("host", name), "remove"))
            elif name in self.before:
                changes = leaf_changes(self.before[name], self.after[name])
                entries.append(plan_entry(subject("host", name), "change", changes))
            else:
                entries.append(plan_entry(subject("host", name), "none"))
        return entries

    def folders(self) -> set:
        """The folders that the creates and moves need."""
        return ({h.get("folder", ROOT) for h in self.create} | {to for _from, to in self.move.values()}) - {ROOT}

    def results(self) -> dict:
        return {
            "created": [h["name"] for h in self.create],
            "updated": sorted(set(self.update) | set(self.nodes)),
            "moved": sorted(self.move),
            "removed": sorted(self.remove),
            "unchanged": sorted(self.unchanged),
        }


def check_nodes(inventory: Inventory, current: Mapping[str, Model]) -> None:
    """Raise, in one line, on the declared nodes that cannot be: of a host that exists and is no cluster, or naming
    hosts that neither exist nor are created by the task, or clusters. Nodes that stay as they are pass."""
    if inventory.state != "present":
        return
    hosts = {**inventory.hosts, **current}  # what exists after the creates: a declared host is created as declared
    problems = []
    for name, desired in inventory.hosts.items():
        host = current.get(name)
        if "nodes" not in desired or (host is not None and host.get("nodes") == desired["nodes"]):
            continue
        if host is not None and "nodes" not in host:
            problems.append(str(no_cluster_error(name)))
        elif problem := node_problems(name, desired["nodes"], hosts):
            problems.append(problem)
    if problems:
        raise ValidationError("; ".join(problems))


def plan(inventory: Inventory, current: Mapping[str, Model], *, keeps_nodes: bool = False) -> Plan:
    """``keeps_nodes``: whether the server keeps a cluster's nodes when its attributes are replaced (2.5)."""
    result = Plan()
    for name, desired in inventory.hosts.items():
        host = current.get(name)
        if inventory.state == "absent":
            if host is None:
                result.unchanged.append(name)
            else:
                result.remove.append(name)
                result.before[name] = host
            continue
        if host is None:
            result.create.append(desired)
            result.after[name] = dict(desired, folder=desired.get("folder", ROOT))
            continue
        requests = attribute_updates(host, desired, purge=inventory.purge, keeps_nodes=keeps_nodes)
        folder = desired.get("folder", host["folder"])
        nodes = desired.get("nodes", host.get("nodes"))
        if requests:
            result.update[name] = [{"host_name": name, **request} for request in requests]
        if folder != host["folder"]:
            result.move[name] = (host["folder"], folder)
        if nodes != host.get("nodes"):
            result.nodes[name] = nodes
        if requests or folder != host["folder"] or nodes != host.get("nodes"):
            attributes = (
                desired["attributes"] if inventory.purge else overlay(host["attributes"], desired["attributes"])
            )
            result.before[name] = host
            result.after[name] = dict(host, attributes=attributes, folder=folder)
            if nodes is not None:
                result.after[name]["nodes"] = nodes
        else:
            result.unchanged.append(name)
    for name, host in current.items():
        if name not in inventory.hosts and inventory.owns(host["folder"]):
            result.remove.append(name)
            result.before[name] = host
    return result


class BulkHosts:
    """Applies a plan with few requests."""

    def __init__(self, client: CheckmkClient, inventory: Inventory) -> None:
        self.client = client
        self.inventory = inventory
        self.failed: dict = {}
        self.created_folders: list = []

    def read(self) -> dict:
        answer = self.client.request("GET", COLLECTION, ok=(200,), action="list the hosts")
        hosts = (answer.json() or {}).get("value", [])
        return {h["id"]: from_api(h) for h in hosts}

    def _plan(self) -> Plan:
        """List the hosts and plan the writes; unfit nodes raise before anything is written."""
        current = self.read()
        check_nodes(self.inventory, current)
        return plan(self.inventory, current, keeps_nodes=replace_keeps_nodes(self.client.release))

    def apply(self, *, check_mode: bool) -> Outcome:
        todo = self._plan()
        entries = todo.entries(self.inventory.hosts)
        if todo.changed and not check_mode:
            self._write_checked(todo)
            folders = self.created_folders
        else:  # check mode lists the folders that the writes would create
            folders = self._missing_folders(todo.folders())
        results = todo.results()
        if self.failed:
            for group in RESULTS:
                results[group] = [name for name in results[group] if name not in self.failed]
            todo.after = {name: host for name, host in todo.after.items() if name not in self.failed}
        results["failed"] = dict(self.failed)
        results["created_folders"] = self.created_folders
        plan = (*folder_entries(folders), *entries)
        return Outcome(todo.changed, todo.before, todo.after, {"results": results}, plan=plan)

    def _write_checked(self, todo: Plan) -> None:
        """Write the plan. When a request fails in a way that may have landed after all (lost answer, proxy error)
        or met a change made meanwhile, list the hosts again and write what is still to do (check first, then
        act): a bulk create is never blindly sent twice. At most ``ATTEMPTS`` times in a row without progress
        (each write that landed leaves less to do)."""
        fruitless = 0
        while True:
            try:
                self._write(todo)
                return
            except MonitoringError as exc:
                fruitless += 1
                if fruitless == ATTEMPTS or not reread_settles(exc):
                    raise
            self.failed.clear()
            left = self._plan()
            fruitless = fruitless if left.size() >= todo.size() else 0
            todo = left

    def _write(self, todo: Plan) -> None:
        self._create_folders(todo.folders())
        plain = [host for host in todo.create if "nodes" not in host]
        for batch in _batches(plain, self.inventory.batch_size):
            entries = [_create_entry(host) for host in batch]
            self._bulk("POST", BULK_CREATE, entries, "create")
        for host in todo.create:
            if "nodes" in host:
                self._create_cluster(host)
        updates = [entry for entries in todo.update.values() for entry in entries]
        for batch in _batches(updates, self.inventory.batch_size):
            self._bulk("PUT", BULK_UPDATE, batch, "update")
        for name in sorted(set(todo.move) | set(todo.nodes)):
            if name not in self.failed:
                self._move_and_set_nodes(name, todo.move.get(name), todo.nodes.get(name))
        for batch in _batches(todo.remove, self.inventory.batch_size):
            self._delete(batch)

    def _create_folders(self, paths: Iterable[str]) -> None:
        """Create the folders (and their parents) that do not exist."""
        folders = Folders(self.client)
        for path in self._missing_folders(paths):
            folders.create(path)
            self.created_folders.append(path)

    def _missing_folders(self, paths: Iterable[str]) -> list:
        """The folders (and their parents) that do not exist, found with one recursive list; parents first."""
        wanted = sorted({p for path in paths for p in _with_parents(path)})
        if not wanted:
            return []
        answer = self.client.request(
            "GET", FOLDERS, query={"parent": "~", "recursive": True}, ok=(200,), action="list the folders"
        )
        existing = {normalize_path(f.get("extensions", {}).get("path", "/")) for f in answer.json().get("value", [])}
        return [path for path in wanted if path not in existing]

    def _bulk(self, method: str, path: str, entries: list, verb: str) -> None:
        action = f"{verb} {len(entries)} hosts ({entries[0]['host_name']} ...)"
        try:
            self.client.request(method, path, body={"entries": entries}, ok=(200,), action=action)
        except ApiError as exc:
            failed = _failed_hosts(exc)
            if failed is None:
                raise
            self.failed.update({name: f"{verb}: {reason}" for name, reason in failed.items()})

    def _create_cluster(self, host: Model) -> None:
        name, folder = host["name"], host.get("folder", ROOT)
        action = f"create cluster host '{name}' in folder '{folder}'"
        try:
            self.client.write("POST", CLUSTERS, {**_create_entry(host), "nodes": host["nodes"]}, action=action)
        except ApiError as exc:
            if reread_settles(exc):  # created after all: the hosts are listed again
                raise
            self.failed[name] = f"create: {exc}"

    def _move_and_set_nodes(self, name: str, move: tuple | None, nodes: list | None) -> None:
        """One GET for the ETag; the move answers with the next one, the nodes last (their answer has none)."""
        host_path = object_path("host_config", name)
        verb = "move" if move is not None else "nodes"
        try:
            _body, etag = self.client.get(host_path, action=f"read host '{name}'")
            if move is not None:
                old, new = move
                action = f"move host '{name}' from folder '{old}' to '{new}'"
                move_to = {"target_folder": slug(new)}
                _body, etag = self.client.write(
                    "POST", f"{host_path}/actions/move/invoke", move_to, etag=etag, action=action
                )
            if nodes is not None:
                verb = "nodes"
                action = f"set the nodes of cluster '{name}'"
                self.client.write("PUT", f"{host_path}/properties/nodes", {"nodes": nodes}, etag=etag, action=action)
        except ApiError as exc:
            if reread_settles(exc):  # written after all, or changed meanwhile: the hosts are listed again
                raise
            self.failed[name] = f"{verb}: {exc}"

    def _delete(self, names: list) -> None:
        action = f"delete {len(names)} hosts ({names[0]} ...)"
        self.client.request("POST", BULK_DELETE, body={"entries": names}, ok=(200, 204), action=action)


def _create_entry(host: Model) -> dict:
    return {"host_name": host["name"], "folder": slug(host.get("folder", ROOT)), "attributes": host["attributes"]}


def _failed_hosts(exc: ApiError) -> dict | None:
    """The failed hosts of a "Some actions failed" answer, or None when it is another error."""
    ext = exc.details.get("ext")
    if exc.status != 400 or not isinstance(ext, Mapping) or not isinstance(ext.get("failed_hosts"), Mapping):
        return None
    return {str(name): _reason(reason) for name, reason in ext["failed_hosts"].items()}


def _reason(reason: Any) -> str:
    if isinstance(reason, Mapping):
        reason = reason.get("detail") or reason.get("title") or reason
    return " ".join(str(reason).split())


def _with_parents(path: str) -> Iterator[str]:
    while path != ROOT:
        yield path
        path = parent_of(path)


def _batches(items: Sequence, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def failure_message(failed: Mapping[str, str], total: int) -> str:
    shown = "; ".join(f"{name}: {reason}" for name, reason in sorted(failed.items())[:20])
    more = f"; and {len(failed) - 20} more" if len(failed) > 20 else ""
    return f"Failed to write {len(failed)} of {total} hosts, the others were written: {shown}{more}"
