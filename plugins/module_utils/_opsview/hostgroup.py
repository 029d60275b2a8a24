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

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient, ref_id
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome

COLLECTION = "/config/hostgroup"
SEPARATOR = "/"
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
        tree = HostGroupTree.read(self.client)
        tree.check_top(self.names)
        current = tree.find(self.names)
        before = None if current is None else current.model()
        if state == "absent":
            if current is None:
                return Outcome(False, None, None, {"created": []})
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
            return Outcome(True, before, None, {"created": []})
        if current is not None:
            return Outcome(False, before, before, {"created": []})
        after = self._create(tree, check_mode=check_mode)
        return Outcome(True, None, after, {"created": self.created})

    def _create(self, tree: HostGroupTree, *, check_mode: bool) -> Model:
        parent = tree.top
        existing = 1  # how many names of the path exist
        while existing < len(self.names) and (found := tree.find(self.names[: existing + 1])) is not None:
            parent, existing = found, existing + 1
        if parent.hosts:
            raise ValidationError(
                f"Cannot create the host group {self.text!r}: {parent.path!r} has hosts, and a group with hosts "
                "cannot have child groups"
            )
        model: Model = {}
        for depth in range(existing + 1, len(self.names) + 1):
            path = path_text(self.names[:depth])
            name = self.names[depth - 1]
            self.created.append(path)
            if check_mode:
                model = {"path": path, "name": name, "id": None, "is_leaf": True, "hosts": 0}
                continue
            body = {"name": name, "parent": {"id": parent.id}}
            answer = self.client.request("POST", COLLECTION, body=body, action=f"create the host group {path!r}")
            entry = (answer or {}).get("object") or {}
            parent = HostGroup(str(entry.get("id")), self.names[:depth], parent.id, (), 0)
            model = parent.model()
        return model
