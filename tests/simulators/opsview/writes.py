"""Configuration writes as Opsview's `synchronise` does them: find the object (by id, else by its unique name),
read what was sent (unknown keys and `ref` ignored), merge it into the object (a list sent replaces the whole
list), check the type's rules, store it uncommitted. Bulk writes and deletes are one transaction."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import OpsviewError, bad_request, not_found
from .model import TYPES, Index, Obj, Reader, fold, matpath
from .seed import MASTER_CLUSTER, ROOT_HOSTGROUP
from .state import State

IN_USE = "Cannot delete as object still in use"


def duplicate(name: str) -> OpsviewError:
    """MySQL's unique-key error, which Opsview passes on."""
    return bad_request(f"Duplicate entry '{name}' for key 'name'")


class Writer:
    """Writes to the configuration of `st` as `user`; the caller holds the state's lock."""

    def __init__(self, st: State, user: str) -> None:
        self.st = st
        self.user = user
        self._names: dict[str, dict[str, list[int]]] = {}  # per type: folded name -> ids, kept while writing

    def named(self, kind: str, name: str) -> list[Obj]:
        """The objects of `kind` called `name` (ignoring case)."""
        if kind not in self._names:
            index: dict[str, list[int]] = {}
            for object_id, obj in self.st.objects[kind].items():
                index.setdefault(fold(obj["name"]), []).append(object_id)
            self._names[kind] = index
        objects = self.st.objects[kind]
        return [objects[object_id] for object_id in self._names[kind].get(fold(name), []) if object_id in objects]

    def _renamed(self, kind: str, obj: Obj, old_name: str | None) -> None:
        if kind not in self._names:
            return
        if old_name is not None and obj["id"] in self._names[kind].get(fold(old_name), []):
            self._names[kind][fold(old_name)].remove(obj["id"])
        self._names[kind].setdefault(fold(obj["name"]), []).append(obj["id"])

    # --- Create, update ----------------------------------------------------------------------------

    def synchronise(
        self,
        kind: str,
        body: Any,
        *,
        object_id: int | None = None,
        create_only: bool = False,
        clone_of: int | None = None,
    ) -> Obj:
        """Create or update one object from `body`: the object `object_id` (PUT .../<id>; created with that id
        if it does not exist), else the one `body` names by id or unique name, else a new one."""
        spec = TYPES[kind]
        if not isinstance(body, dict):
            raise OpsviewError(400, "Error when parsing data", "Not a HASH: object")
        body = {key: value for key, value in body.items() if key != "ref"}
        objects = self.st.objects[kind]
        if clone_of is not None:
            source = objects.get(clone_of)
            if source is None:
                raise not_found(kind, clone_of)
            existing, object_id = None, None
            base = copy.deepcopy(source)
            for item in [*base.get("hostattributes", []), *base.get("managementurls", [])]:
                del item["id"]
        else:
            existing = objects.get(object_id) if object_id is not None else self.find(kind, body)
            base = existing
        if existing is not None and create_only:
            raise duplicate(existing["name"])
        reader = Reader(self.st.objects)
        values = {name: reader.value(name, spec.fields[name], body[name]) for name in spec.fields if name in body}
        reader.check()
        if base is None:
            obj: Obj = {name: copy.deepcopy(field_spec.default) for name, field_spec in spec.fields.items()}
            missing = [name for name in spec.required if values.get(name) is None]
            if missing:
                raise bad_request("; ".join(f"{name}: Missing" for name in missing))
        else:
            obj = dict(base)
        obj.update(values)
        if existing is None:
            wanted = object_id if object_id is not None or clone_of is not None else _body_id(body)
            obj.update(id=self.st.new_id(kind, wanted), uncommitted=True, seq=0, last_updated=0)
        getattr(self, f"_check_{kind}", lambda obj, existing: None)(obj, existing)
        self._check_unique_name(kind, obj)
        for item in [*obj.get("hostattributes", []), *obj.get("managementurls", [])]:
            item.setdefault("id", self.st.new_item_id())
        hosts = obj.pop("hosts", None) if kind == "keyword" else None
        if kind == "keyword":
            obj["hosts"] = None
        self._renamed(kind, obj, existing["name"] if existing is not None else None)
        objects[obj["id"]] = obj
        if hosts is not None:
            self._set_keyword_hosts(obj["id"], hosts)
        self.st.changed(self.user, f"{'created' if existing is None else 'updated'} {kind} {obj['name']}", obj)
        return obj

    def find(self, kind: str, body: dict[str, Any]) -> Obj | None:
        """The object a create or update body means: by `id`, else by its unique key (a host group: its name
        under the parent given, or its name alone when that is unambiguous)."""
        objects = self.st.objects[kind]
        wanted = _body_id(body)
        if wanted is not None:
            return objects.get(wanted)
        name = body.get("name")
        if not isinstance(name, str):
            return None
        matches = self.named(kind, name)
        if kind == "hostgroup" and "parent" in body:
            reader = Reader(self.st.objects)
            parent = reader.value("parent", TYPES["hostgroup"].fields["parent"], body["parent"])
            reader.check()
            matches = [obj for obj in matches if obj["parent"] == parent]
        if len(matches) > 1:
            raise bad_request(f"There is more than 1 host group with name {name} and no matpath to distinguish")
        return matches[0] if matches else None

    def _check_unique_name(self, kind: str, obj: Obj) -> None:
        if kind == "hostgroup":
            return
        if any(other["id"] != obj["id"] for other in self.named(kind, obj["name"])):
            raise duplicate(obj["name"])

    def _check_host(self, obj: Obj, existing: Obj | None) -> None:
        del existing
        index = Index(self.st.objects)
        if obj["hostgroup"] is None:  # Opsview puts a host sent without one in the first leaf group
            obj["hostgroup"] = index.leaves(ROOT_HOSTGROUP)[0]
        if index.children.get(obj["hostgroup"]):
            raise bad_request(f"Host group '{self.st.objects['hostgroup'][obj['hostgroup']]['name']}' is not a leaf")
        obj["parents"] = [parent for parent in obj["parents"] if parent != obj.get("id")]

    def _check_hostgroup(self, obj: Obj, existing: Obj | None) -> None:
        groups = self.st.objects["hostgroup"]
        index = Index(self.st.objects)
        if obj["id"] == ROOT_HOSTGROUP:
            if obj["parent"] is not None:
                raise bad_request("Cannot set a parent for the top level host group")
            return
        if obj["parent"] is None:
            raise bad_request("parent: Missing (only the top level host group has none)")
        if obj["parent"] == obj["id"]:
            raise bad_request("Cannot have parent id same as id")
        if existing is not None and obj["parent"] in index.tree(obj["id"]):
            raise bad_request("Cannot set parent to a host group below this one")
        if (existing is None or existing["parent"] != obj["parent"]) and index.group_hosts.get(obj["parent"]):
            raise bad_request("Cannot set parent if parent already has hosts associated")
        for other_id, other in groups.items():
            if other_id == obj["id"] or fold(other["name"]) != fold(obj["name"]):
                continue
            if other["parent"] == obj["parent"]:
                raise bad_request(f"Same host group name '{obj['name']}' used with same parent - this is invalid")
            other_is_leaf = not index.children.get(other_id) and other_id != obj["parent"]
            if not index.children.get(obj["id"]) and other_is_leaf:
                raise bad_request(f"Host group name {obj['name']} has already been used for a leaf")
        if len(matpath({**self.st.objects, "hostgroup": {**groups, obj["id"]: obj}}, obj["id"])) > 255:
            raise bad_request("matpath: Invalid (longer than 255 characters)")

    def _set_keyword_hosts(self, keyword_id: int, hosts: Iterable[int]) -> None:
        """A keyword's `hosts` are the hosts' `keywords`: set them from the keyword's side."""
        wanted = set(hosts)
        for host_id, host in self.st.objects["host"].items():
            if host_id in wanted and keyword_id not in host["keywords"]:
                host["keywords"] = [*host["keywords"], keyword_id]
            elif host_id not in wanted and keyword_id in host["keywords"]:
                host["keywords"] = [keyword for keyword in host["keywords"] if keyword != keyword_id]

    # --- Delete ------------------------------------------------------------------------------------

    def delete(self, kind: str, ids: list[int]) -> int:
        """Delete the objects `ids` (objects that refer only to each other may go together)."""
        objects = self.st.objects[kind]
        for object_id in ids:
            if object_id not in objects:
                raise not_found(kind, object_id)
        if kind == "hostgroup" and ROOT_HOSTGROUP in ids:
            raise bad_request("Cannot delete top level hostgroup")
        if kind == "monitoringcluster" and MASTER_CLUSTER in ids:
            raise bad_request(IN_USE, "The primary monitoring cluster cannot be deleted")
        index = Index(self.st.objects)
        leaving = {(kind, object_id) for object_id in ids}
        for object_id in ids:
            users = [user for user in index.referrers(kind, object_id) if user not in leaving]
            if users:
                named = ", ".join(
                    f"{other} '{self.st.objects[other][other_id]['name']}'" for other, other_id in users[:5]
                )
                raise bad_request(IN_USE, f"{kind} '{objects[object_id]['name']}' is used by {named}")
        for object_id in dict.fromkeys(ids):
            gone = objects.pop(object_id)
            self.st.changed(self.user, f"deleted {kind} {gone['name']}")
        return len(set(ids))

    # --- Transactions ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: on an error the configuration and its counters are as they were."""
        saved = copy.deepcopy(
            (self.st.objects, self.st.next_ids, self.st.next_item_id, self.st.write_seq, self.st.last_updated)
        )
        saved_changes, saved_audit = len(self.st.changes), self.st.audit_entries
        try:
            yield
        except OpsviewError:
            self._names.clear()
            self.st.objects, self.st.next_ids, self.st.next_item_id, self.st.write_seq, self.st.last_updated = saved
            del self.st.changes[saved_changes:]
            self.st.audit_entries = saved_audit
            raise


def _body_id(body: dict[str, Any]) -> int | None:
    value = body.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
