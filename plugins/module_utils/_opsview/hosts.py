# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many Opsview hosts in one task: one listing, then one transaction per batch.

The plan compares each declared host with the listing as ``opsview_host`` does for one, so ``changed``, check
mode and the diff mean the same. Opsview writes a ``{"list": [...]}`` in one transaction: a batch is written
whole or not at all (``PUT`` creates or updates each host by name, so sending it again after a lost answer is
safe). Hosts are removed by id, many per request.

A host's group is compared by its leaf name (Opsview requires leaf names to be unique), so that a run with
nothing to change needs only the listing; the host groups are read only when something is to be written.

A write that failed in a way that may have landed (a lost answer, a proxy's 5xx, a dropped connection) is not sent
again blindly: the hosts are listed again and what is still to do is planned afresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.host import (
    COLLECTION,
    LISTS,
    api_body,
    case_twin,
    check_creatable,
    desired_host,
    from_api,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import (
    HostGroupTree,
    parse_path,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    changed_keys,
    leaf_changes,
    overlay,
    plan_entry,
)

PURGES = ("templates", "keywords", "parents", "variables")
# Ids per removal request: the URL stays well below the 8 KB a web server accepts.
DELETE_BATCH = 400
# How often the hosts are listed and written (see above).
ATTEMPTS = 3
_ROLLBACK = re.compile(r"synchronise object: (\d+)")


@dataclass(frozen=True)
class Inventory:
    """The task's hosts, validated before anything is sent."""

    hosts: dict  # name -> desired model
    state: str = "present"
    purge: frozenset = frozenset()
    batch_size: int = 1000

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Inventory:
        entries = params.get("hosts") or []
        names = [str((entry or {}).get("name") or "") for entry in entries]
        folded = [name.lower() for name in names]  # Opsview compares host names ignoring case
        repeated = sorted({name for name in names if folded.count(name.lower()) > 1})
        if repeated:
            raise ValidationError(
                f"hosts declares these names more than once: {', '.join(repeated)} (Opsview ignores their case)"
            )
        batch_size = params.get("batch_size", 1000)
        if batch_size is None or batch_size < 1:
            raise ValidationError(f"batch_size must be at least 1, not {batch_size}")
        hosts = {}
        for entry in entries:
            desired = desired_host(entry)
            if "hostgroup" in desired:
                parse_path(desired["hostgroup"])
            hosts[desired["name"]] = desired
        purge = frozenset(key for key in PURGES if params.get(f"purge_{key}"))
        return cls(hosts, params.get("state") or "present", purge, batch_size)


@dataclass
class Plan:
    create: list = field(default_factory=list)  # desired models
    update: dict = field(default_factory=dict)  # name -> (current, changes)
    remove: list = field(default_factory=list)  # current models
    unchanged: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.remove)

    def results(self) -> dict:
        return {
            "created": [h["name"] for h in self.create],
            "updated": sorted(self.update),
            "removed": sorted(h["name"] for h in self.remove),
            "unchanged": sorted(self.unchanged),
        }

    def entries(self, order: Sequence[str], after: Mapping[str, Model]) -> tuple[Model, ...]:
        """The plan: one entry per declared host, in the task's order; ``after`` has the hosts to update as they
        would be."""
        created = {h["name"]: h for h in self.create}
        removed = {h["name"] for h in self.remove}
        entries = []
        for name in order:
            if name in created:
                entries.append(plan_entry(subject(name), "add", leaf_changes(None, created[name])))
            elif name in self.update:
                entries.append(plan_entry(subject(name), "change", leaf_changes(self.update[name][0], after[name])))
            else:
                entries.append(plan_entry(subject(name), "remove" if name in removed else "none"))
        return tuple(entries)


class BulkHosts:
    def __init__(self, client: OpsviewClient, inventory: Inventory) -> None:
        self.client = client
        self.inventory = inventory
        self.exact = inventory.purge
        self.merged = frozenset(LISTS)

    def apply(self, *, check_mode: bool) -> Outcome:
        """Plan from one listing and write; after a write that may have landed, list again and write what is still
        to do. The outcome is the first plan's."""
        todo, groups, first = self._planned()
        for _attempt in range(1, ATTEMPTS):
            if check_mode or not todo.changed:
                return first
            try:
                self._write(todo, groups)
                return first
            except MonitoringError as exc:
                if not reread_settles(exc):
                    raise
            todo, groups, _outcome = self._planned()
        if todo.changed and not check_mode:
            self._write(todo, groups)
        return first

    def _planned(self) -> tuple[Plan, HostGroupTree, Outcome]:
        """What to do, from one listing (and the host groups, when something is to be written)."""
        raw = {entry.get("name"): entry for entry in self.client.objects("host", action="list the hosts")}
        names = [name for name in self.inventory.hosts if name in raw]
        # First by leaf name, without the host groups: a run with nothing to change reads nothing else.
        leaf_models = {name: self._leaf_model(raw[name]) for name in names}
        todo = self._plan(leaf_models, by_leaf=True)
        order = list(self.inventory.hosts)
        if not todo.changed:
            plan = todo.entries(order, {})
            return todo, HostGroupTree([]), Outcome(False, {}, {}, {"hosts": todo.results()}, plan=plan)
        groups = HostGroupTree.read(self.client)
        current = {name: from_api(raw[name], groups) for name in names}
        todo = self._plan(current, by_leaf=False)
        existing = {str(name).lower(): str(name) for name in raw}
        for desired in todo.create:
            check_creatable(desired)
            if desired["name"].lower() in existing:
                raise ValidationError(case_twin(desired["name"], existing[desired["name"].lower()]))
        for desired in [*todo.create, *(changes for _current, changes in todo.update.values())]:
            if "hostgroup" in desired:
                groups.leaf(desired["hostgroup"])  # raises before anything is written
        before = {h["name"]: h for h in todo.remove} | {n: c for n, (c, _ch) in todo.update.items()}
        after = {h["name"]: h for h in todo.create} | {
            n: overlay(c, ch, exact=self.exact, merged=self.merged) for n, (c, ch) in todo.update.items()
        }
        plan = todo.entries(order, after)
        return todo, groups, Outcome(todo.changed, before, after, {"hosts": todo.results()}, plan=plan)

    @staticmethod
    def _leaf_model(entry: Mapping[str, Any]) -> Model:
        model = from_api(entry, HostGroupTree([]))
        model["hostgroup"] = (entry.get("hostgroup") or {}).get("name")
        return model

    def _plan(self, current: Mapping[str, Model], *, by_leaf: bool) -> Plan:
        """``by_leaf``: ``current`` has the leaf names of the hosts' groups, not their paths."""
        todo = Plan()
        for name, desired in self.inventory.hosts.items():
            host = current.get(name)
            if self.inventory.state == "absent":
                if host is None:
                    todo.unchanged.append(name)
                else:
                    todo.remove.append(host)
                continue
            if host is None:
                todo.create.append(desired)
                continue
            compared = desired
            if by_leaf and "hostgroup" in desired:
                compared = dict(desired, hostgroup=parse_path(desired["hostgroup"])[-1])
            changes = changed_keys(host, compared, exact=self.exact, merged=self.merged)
            if changes:
                todo.update[name] = (host, changed_keys(host, desired, exact=self.exact, merged=self.merged))
            else:
                todo.unchanged.append(name)
        return todo

    def _write(self, todo: Plan, groups: HostGroupTree) -> None:
        entries = [api_body(desired, groups) for desired in todo.create]
        entries += [
            api_body({"id": current["id"], "name": name, **changes}, groups)
            for name, (current, changes) in todo.update.items()
        ]
        for batch in _batches(entries, self.inventory.batch_size):
            action = f"write {len(batch)} hosts ({batch[0]['name']} ...)"
            try:
                self.client.request("PUT", COLLECTION, body={"list": batch}, action=action)
            except ApiError as exc:
                if exc.status != 400:  # not refused: it may have been written (a lost answer)
                    raise
                raise ApiError(
                    f"{exc}{_failed_item(exc, batch)} - Opsview rolled the batch back: none of its hosts was written",
                    status=exc.status,
                ) from None
        for batch in _batches([h["id"] for h in todo.remove], DELETE_BATCH):
            self.client.request("DELETE", COLLECTION, query={"id": batch}, action=f"remove {len(batch)} hosts")


def _failed_item(error: ApiError, batch: Sequence[Mapping[str, Any]]) -> str:
    """The host a rollback names by its position in the list (from 1, as Opsview counts)."""
    match = _ROLLBACK.search(str(error))
    if match and 1 <= int(match[1]) <= len(batch):
        return f" (host '{batch[int(match[1]) - 1]['name']}')"
    return ""


def _batches(items: Sequence, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
