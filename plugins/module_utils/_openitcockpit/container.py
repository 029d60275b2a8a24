# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Containers: openITCOCKPIT's tree of tenants, locations and nodes below ``root``, addressed by path.

openITCOCKPIT shows a container by its path (``/root/ACME/Berlin``); a task may leave out the ``/root`` at the
front (``ACME/Berlin``). Names are not unique, not even among siblings, so a path that two containers share is
refused rather than guessed. The containers a host can be in come from one listing (``loadContainers``: ROOT,
tenants, locations, nodes); a container's type from its own view. Directly below root a container is a tenant
(openITCOCKPIT puts tenants nowhere else); deeper ones are nodes, or a location when the task says so. Creating a
path creates its missing parents too, as ``mkdir -p`` does, each as a node (or tenant at the top).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    action_of,
    leaf_changes,
    plan_entry,
)

ROOT_ID = 1
ROOT = "root"
SEPARATOR = "/"
TYPES = {1: "root", 2: "tenant", 3: "location", 5: "node"}
NODE, LOCATION = 5, 3
# A write whose answer was lost is never sent again blindly: the containers are read again first.
ATTEMPTS = 3
MAX_NAME = 255


def parse_path(text: Any) -> tuple[str, ...]:
    """``/root/ACME/Berlin`` or ``ACME/Berlin`` -> ("ACME", "Berlin"); ``/root`` -> ()."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"A container path names containers from root down, like /root/ACME/Berlin, not {text!r}")
    names = text.strip().strip(SEPARATOR).split(SEPARATOR)
    if names and names[0] == ROOT:
        names = names[1:]
    for name in names:
        control = any(ord(c) < 32 or ord(c) == 127 for c in name)
        if not name.strip() or name != name.strip() or len(name) > MAX_NAME or control:
            raise ValidationError(
                f"Invalid container name {name!r} in path {text!r}: a name is 1 to {MAX_NAME} characters, "
                "without leading or trailing spaces or control characters"
            )
    return tuple(names)


def path_text(names: Sequence[str]) -> str:
    return SEPARATOR + SEPARATOR.join((ROOT, *names))


class ContainerTree:
    """The containers a host can be in (ROOT, tenants, locations, nodes), by id and by path, from one listing."""

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.paths: dict[int, str] = {}
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("key") is not None:
                self.paths[int(entry["key"])] = str(entry.get("value"))
        self.paths.setdefault(ROOT_ID, path_text(()))
        self.by_path: dict[str, list[int]] = {}
        for cid, path in self.paths.items():
            self.by_path.setdefault(path, []).append(cid)

    @classmethod
    def read(cls, client: OitcClient) -> ContainerTree:
        answer = client.request("GET", "/containers/loadContainers", action="list the containers")
        return cls(list((answer or {}).get("containers") or []))

    def find(self, names: Sequence[str]) -> int | None:
        """The id of the container at this path, None if there is none; refused when several share it."""
        ids = self.by_path.get(path_text(names), [])
        if len(ids) > 1:
            raise ValidationError(
                f"The container path {path_text(names)!r} is ambiguous: containers {', '.join(map(str, sorted(ids)))} "
                "all have it (openITCOCKPIT allows equal names); rename one of them"
            )
        return ids[0] if ids else None

    def require(self, text: str, *, purpose: str) -> int:
        """The id of an existing container, or a one-line error naming ``purpose``."""
        names = parse_path(text)
        found = self.find(names)
        if found is None:
            raise ValidationError(
                f"Cannot {purpose}: the container {path_text(names)!r} does not exist "
                "(create it with lighthouse.monitoring.openitcockpit_container)"
            )
        return found

    def path_of(self, cid: Any) -> str | None:
        try:
            return self.paths.get(int(cid))
        except (TypeError, ValueError):
            return None


def _added(names: Sequence[str], kind: str) -> Model:
    """The plan entry of a container created at ``names``: its declared path, name and type."""
    path = path_text(names)
    declared = {"path": path, "name": names[-1], "type": kind}
    return plan_entry(subject("container", path), "add", leaf_changes(None, declared))


class Containers:
    """One container path, created with its missing parents, or removed (when empty: openITCOCKPIT refuses to
    remove a container that holds hosts, templates, groups or other containers)."""

    def __init__(self, client: OitcClient, path: str, *, kind: str = "node") -> None:
        self.client = client
        self.names = parse_path(path)
        if not self.names:
            raise ValidationError("The root container always exists; name a container below it")
        if kind not in ("node", "location"):
            raise ValidationError(f"A container's type is node or location, not {kind!r}")
        self.kind = "tenant" if len(self.names) == 1 else kind
        self.location_on_top = kind == "location" and len(self.names) == 1
        self.created: list[str] = []

    def apply(self, state: str, *, check_mode: bool) -> Outcome:
        """A write that failed in a way that may have landed is not repeated blindly: the containers are read
        again and the decision taken afresh, at most ``ATTEMPTS`` times; ``before`` is the first read."""
        if state != "absent" and self.location_on_top:
            raise ValidationError(
                f"Cannot make {path_text(self.names)!r} a location: directly below root openITCOCKPIT has tenants only"
            )
        attempt, first = 0, None
        while True:
            attempt += 1
            tree = ContainerTree.read(self.client)
            current = self._model(tree)
            first = current if attempt == 1 else first
            try:
                return self._apply(state, tree, current, first, check_mode=check_mode)
            except MonitoringError as exc:
                if attempt >= ATTEMPTS or not reread_settles(exc):
                    raise

    def _apply(
        self, state: str, tree: ContainerTree, current: Model | None, first: Model | None, *, check_mode: bool
    ) -> Outcome:
        if state == "absent":
            if current is None:
                return self._outcome(first, None, changed=first is not None)
            if not check_mode:
                self.client.request(
                    "POST", f"/containers/delete/{current['id']}", action=f"remove container {current['path']!r}"
                )
            return self._outcome(first, None, changed=True)
        if current is not None:
            if current["type"] != self.kind:
                raise ValidationError(
                    f"The container {current['path']!r} exists as a {current['type']}, not a {self.kind}; "
                    "openITCOCKPIT cannot change a container's type"
                )
            return self._outcome(first, current, changed=first != current)
        missing = self._missing(tree)
        # After an attempt whose answer was lost, what it created is created all the same.
        self.created = list(dict.fromkeys([*self.created, *(path_text(names) for names in missing)]))
        if check_mode:
            after = {"path": path_text(self.names), "name": self.names[-1], "id": None, "type": self.kind}
            return self._outcome(first, after, changed=True)
        for names in missing:
            parent = tree.find(names[:-1]) if names[:-1] else ROOT_ID
            self._create(names, parent, last=names == self.names)
            tree = ContainerTree.read(self.client)
        return self._outcome(first, self._model(tree), changed=True)

    def _outcome(self, before: Model | None, after: Model | None, *, changed: bool) -> Outcome:
        plan = self._plan(before, after, changed=changed)
        return Outcome(changed, before, after, {"created": list(self.created)}, plan=plan)

    def _plan(self, before: Model | None, after: Model | None, *, changed: bool) -> tuple[Model, ...]:
        """An ``add`` entry for each parent created (from the top down), then the container's own entry; decided by
        the first read (``before``) and what the task created or would create, so check mode plans what a run does."""
        own = subject("container", path_text(self.names))
        action = action_of(changed, before, after)
        if action != "add":
            return (plan_entry(own, action, leaf_changes(before, after) if action == "change" else {}),)
        parents = [parse_path(path) for path in self.created if path != own.name]
        return (
            *(_added(names, "tenant" if len(names) == 1 else "node") for names in parents),
            _added(self.names, self.kind),
        )

    def _missing(self, tree: ContainerTree) -> list[tuple[str, ...]]:
        """The path and its parents that do not exist yet, from the top down."""
        missing = []
        for depth in range(len(self.names), 0, -1):
            if tree.find(self.names[:depth]) is not None:
                break
            missing.append(self.names[:depth])
        return missing[::-1]

    def _create(self, names: tuple[str, ...], parent: int | None, *, last: bool) -> None:
        what = f"create container {path_text(names)!r}"
        if parent is None:
            raise ValidationError(f"Cannot {what}: its parent does not exist")
        name = names[-1]
        if len(names) == 1:
            path, body = "/tenants/add", {"description": "", "is_active": 1, "container": {"name": name}}
        elif last and self.kind == "location":
            body = {"description": "", "timezone": "UTC", "container": {"name": name, "parent_id": parent}}
            path = "/locations/add"
        else:
            path, body = "/containers/add", {"Container": {"parent_id": parent, "name": name, "containertype_id": NODE}}
        try:
            self.client.request("POST", path, body=body, action=what)
        except MonitoringError as exc:
            if not reread_settles(exc) or not self.client.landed(exc, lambda: self._exists(names), what=what):
                raise

    def _exists(self, names: tuple[str, ...]) -> bool:
        return ContainerTree.read(self.client).find(names) is not None

    def _model(self, tree: ContainerTree) -> Model | None:
        cid = tree.find(self.names)
        if cid is None:
            return None
        answer = self.client.get(f"/containers/view/{cid}", action=f"read container {path_text(self.names)!r}")
        container = (answer or {}).get("container") or {}
        if container.get("name") not in (None, self.names[-1]):
            raise ValidationError(
                f"The container path {path_text(self.names)!r} is ambiguous: openITCOCKPIT shows it for a container "
                f"named {container.get('name')!r} (a '/' in a name reads as a level of the path); rename it"
            )
        kind = TYPES.get(int(container.get("containertype_id") or 0), "other")
        return {"path": path_text(self.names), "name": self.names[-1], "id": cid, "type": kind}
