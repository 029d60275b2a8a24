# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host groups: a tree under the top group (``Opsview`` unless renamed), addressed by path (``Opsview/Linux/Web``).

Names are not unique in Opsview (only among siblings), so a group is always found by its path, from its
``matpath`` (``Opsview,Linux,Web,``), and written by id. Hosts live only in leaf groups, and a group that has
hosts cannot get children. All groups come from one listing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient, ref_id
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    Subject,
    action_of,
    leaf_changes,
    plan_entry,
)

COLLECTION = "/config/hostgroup"
SEPARATOR = "/"
# How often a group is read and written: a write that failed in a way that may have landed (a lost answer, a
# proxy's 5xx, a dropped connection) is never sent again blindly, the groups are read again first.
ATTEMPTS = 3
# Opsview: Unicode letters and digits, space and ./+-_ ; "/" separates the path here, "," separates the matpath.
_NAME = re.compile(r"^[^\W_][\w .+\-]*$")


def parse_path(text: Any) -> tuple[str, ...]:
    """``Opsview/Linux/Web`` -> ("Opsview", "Linux", "Web"); refused when a name could not be an Opsview name."""
    if not isinstance(text, str) or not text.strip(SEPARATOR).strip():
        raise ValidationError(
            f"A host group path names groups from the top one down, like Opsview/Linux/Web, not {text!r}"
        )
    names = tuple(text.strip(SEPARATOR).split(SEPARATOR))
    for name in names:
        if not _NAME.match(name) or name != name.strip() or len(name) > 128:
            raise ValidationError(
                f"Invalid host group name {name!r} in path {text!r}: letters, digits, spaces and . + - _ only, "
                "starting with a letter or digit"
            )
    return names


def path_text(names: Sequence[str]) -> str:
    return SEPARATOR.join(names)


def subject(path: str) -> Subject:
    """What a plan entry about a host group names: the group by its path."""
    return Subject("opsview", "hostgroup", path)


def added(path: str) -> Model:
    """The plan entry of a host group created (what a task declares of it: its path)."""
    return plan_entry(subject(path), "add", leaf_changes(None, {"path": path}))


@dataclass(frozen=True)
class HostGroup:
    id: str
    names: tuple[str, ...]
    parent_id: str | None
    children: tuple[str, ...]  # ids
    hosts: int

    @property
    def path(self) -> str:
        return path_text(self.names)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def model(self) -> Model:
        return {"path": self.path, "name": self.names[-1], "id": self.id, "is_leaf": self.is_leaf, "hosts": self.hosts}


class HostGroupTree:
    """Every host group, by id and by path, from one listing."""

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.by_id: dict[str, HostGroup] = {}
        for entry in entries:
            names = tuple(name for name in str(entry.get("matpath") or "").split(",") if name)
            group = HostGroup(
                id=str(entry.get("id")),
                names=names or (str(entry.get("name")),),
                parent_id=ref_id(entry.get("parent")),
                children=tuple(ref_id(c) or "" for c in entry.get("children") or []),
                hosts=len(entry.get("hosts") or []),
            )
            self.by_id[group.id] = group
        self.by_path = {group.path: group for group in self.by_id.values()}

    @classmethod
    def read(cls, client: OpsviewClient) -> HostGroupTree:
        return cls(client.objects("hostgroup", action="list the host groups"))

    @property
    def top(self) -> HostGroup:
        tops = [group for group in self.by_id.values() if group.parent_id is None]
        if len(tops) != 1:
            raise ValidationError(f"Expected one top host group in Opsview, found {len(tops)}")
        return tops[0]

    def find(self, names: Sequence[str]) -> HostGroup | None:
        return self.by_path.get(path_text(names))

    def path_of(self, group_id: str | None) -> str | None:
        group = self.by_id.get(group_id or "")
        return None if group is None else group.path

    def check_top(self, names: Sequence[str]) -> None:
        top = self.top.names[0]
        if names[0] != top:
            raise ValidationError(
                f"The host group path {path_text(names)!r} must start with the top host group {top!r}, "
                f"as in {top}/{path_text(names)}"
            )

    def leaf(self, text: str) -> HostGroup:
        """The existing leaf group a host can be in, or a one-line error saying why there is none."""
        names = parse_path(text)
        self.check_top(names)
        group = self.find(names)
        if group is None:
            raise ValidationError(f"The host group {text!r} does not exist; create it with opsview_hostgroup first")
        if not group.is_leaf:
            raise ValidationError(f"The host group {text!r} has child groups: a host can only be in a leaf group")
        return group


class HostGroups:
    """Brings one host group path to its state: present creates the missing groups from the top down, like
    ``mkdir -p``; absent removes the last group of the path, refusing one with child groups or hosts."""

    def __init__(self, client: OpsviewClient, text: str) -> None:
        self.client = client
        self.text = text
        self.names = parse_path(text)
        self.created: list[str] = []

    def apply(self, state: str, *, check_mode: bool) -> Outcome:
        """Read the groups, then act; after a write that may have landed, read them again and decide afresh. The
        outcome's ``before`` (and ``created``) come from the first read."""
        tree = HostGroupTree.read(self.client)
        tree.check_top(self.names)
        current = tree.find(self.names)
        before = None if current is None else current.model()
        self.created = [] if state == "absent" else self._missing(tree)
        missing, failures = len(self.created), 0
        while True:
            try:
                return self._outcome(state, before, self._apply(state, tree, current, check_mode=check_mode))
            except MonitoringError as exc:
                failures += 1
                if failures == ATTEMPTS or not reread_settles(exc):
                    raise
            tree = HostGroupTree.read(self.client)
            current = tree.find(self.names)
            if len(self._missing(tree)) < missing:  # the write landed: the next group of the path has its attempts
                missing, failures = len(self._missing(tree)), 0

    def _outcome(self, state: str, before: Model | None, attempt: Outcome) -> Outcome:
        """The task's outcome: changed when the first read needed a change (an earlier attempt whose answer was
        lost may have made it), with ``before`` from that read. The plan comes from that read too: an ``add`` for
        each group created (the parents first, the path's own group last), else one entry for the path's group."""
        changed = attempt.changed or (before is None) != (state == "absent")
        if self.created:
            plan = tuple(added(path) for path in self.created)
        else:
            after = None if state == "absent" else before
            plan = (plan_entry(subject(path_text(self.names)), action_of(changed, before, after)),)
        return Outcome(changed, before, attempt.after, {"created": self.created}, plan=plan)

    def _apply(self, state: str, tree: HostGroupTree, current: HostGroup | None, *, check_mode: bool) -> Outcome:
        before = None if current is None else current.model()
        if state == "absent":
            if current is None:
                return Outcome(False, None, None)
            if current.parent_id is None:
                raise ValidationError(f"Cannot remove the top host group {self.text!r}")
            if not current.is_leaf:
                raise ValidationError(
                    f"Cannot remove the host group {self.text!r}: it has child groups; remove them first"
                )
            if current.hosts:
                raise ValidationError(
                    f"Cannot remove the host group {self.text!r}: {current.hosts} host(s) are in it; "
                    "move or remove them first"
                )
            if not check_mode:
                self.client.request(
                    "DELETE", f"{COLLECTION}/{current.id}", action=f"remove the host group {self.text!r}"
                )
            return Outcome(True, before, None)
        if current is not None:
            return Outcome(False, before, before)
        return Outcome(True, None, self._create(tree, check_mode=check_mode))

    def _check_names(self, tree: HostGroupTree, existing: int) -> None:
        """Opsview compares group names ignoring case: a new group named like a sibling but for case is that
        sibling (Opsview would rename it), and each new group is a leaf when it is created, whose name no other
        leaf may have. Refused before anything is written."""
        first = path_text(self.names[: existing + 1]).lower()
        twin = next((g.path for g in tree.by_id.values() if g.path.lower() == first), None)
        if twin is not None:
            raise ValidationError(
                f"Cannot create the host group {self.text!r}: Opsview compares host group names ignoring case, and "
                f"{twin!r} exists; use the names exactly as Opsview has them"
            )
        leaves = {g.names[-1].lower(): g.path for g in tree.by_id.values() if g.is_leaf}
        for name in self.names[existing:]:
            if name.lower() in leaves:
                raise ValidationError(
                    f"Cannot create the host group {self.text!r}: the leaf group {leaves[name.lower()]!r} has the "
                    f"name {name!r} already, and Opsview requires leaf group names to be unique (ignoring case)"
                )

    def _deepest(self, tree: HostGroupTree) -> tuple[HostGroup, int]:
        """The deepest group of the path that exists, and how many names of the path exist."""
        parent = tree.top
        existing = 1
        while existing < len(self.names) and (found := tree.find(self.names[: existing + 1])) is not None:
            parent, existing = found, existing + 1
        return parent, existing

    def _missing(self, tree: HostGroupTree) -> list[str]:
        _parent, existing = self._deepest(tree)
        return [path_text(self.names[:depth]) for depth in range(existing + 1, len(self.names) + 1)]

    def _create(self, tree: HostGroupTree, *, check_mode: bool) -> Model:
        parent, existing = self._deepest(tree)
        if parent.hosts:
            raise ValidationError(
                f"Cannot create the host group {self.text!r}: {parent.path!r} has hosts, and a group with hosts "
                "cannot have child groups"
            )
        self._check_names(tree, existing)
        model: Model = {}
        for depth in range(existing + 1, len(self.names) + 1):
            path = path_text(self.names[:depth])
            name = self.names[depth - 1]
            if check_mode:
                model = {"path": path, "name": name, "id": None, "is_leaf": True, "hosts": 0}
                continue
            body = {"name": name, "parent": {"id": parent.id}}
            answer = self.client.request("POST", COLLECTION, body=body, action=f"create the host group {path!r}")
            entry = (answer or {}).get("object") or {}
            parent = HostGroup(str(entry.get("id")), self.names[:depth], parent.id, (), 0)
            model = parent.model()
        return model
