# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opsview hosts: the model compared by the sync engine, and the resource that reads and writes one host.

The model: ``name``, ``ip``, ``alias``, ``hostgroup`` (the path of its leaf group), ``monitored_by`` (the
monitoring cluster's name), ``templates``, ``keywords`` and ``parents`` (names; merged: the declared ones must be
there, others stay, unless purged), and ``variables`` (Opsview's host attributes, by name: ``{"value", "arg1"...}``,
a list when a variable has several values, such as ``DISK``). A host is found by its name; it is written by id,
and an update sends only what changed (Opsview replaces a list it is sent, so the merged list is sent whole).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import HostGroupTree, parse_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Subject, changed_keys

COLLECTION = "/config/host"
LISTS = ("templates", "keywords", "parents")
# The model's keys and Opsview's.
API_KEYS = {"templates": "hosttemplates", "keywords": "keywords", "parents": "parents", "variables": "hostattributes"}
ARGS = ("arg1", "arg2", "arg3", "arg4")
# Opsview: letters, digits and . - _ ; a host name is also what other tools call it.
_HOST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_VARIABLE = re.compile(r"^[A-Z0-9_]{1,63}$")


def validate_host_name(name: Any) -> str:
    if not isinstance(name, str) or not _HOST_NAME.match(name):
        raise ValidationError(
            f"Invalid host name {name!r}: Opsview host names are letters, digits, '.', '-' and '_', "
            "starting with a letter or digit, at most 64 characters"
        )
    return name


def validate_address(ip: Any, host: str) -> str:
    """An IPv4 or IPv6 address, or a DNS name (Opsview resolves it)."""
    text = str(ip or "").strip()
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if text and _DNS_NAME.match(text) and not re.match(r"^[0-9.]+$", text):
        return text
    raise ValidationError(f"Invalid ip {ip!r} of host '{host}': give an IPv4 or IPv6 address or a DNS name")


def subject(name: str) -> Subject:
    """What a plan entry about a host names."""
    return Subject("opsview", "host", name)


def _entry(item: Mapping[str, Any]) -> Model:
    """A host attribute as the model has it: value and the arguments that are set."""
    entry: Model = {"value": "" if item.get("value") is None else str(item.get("value"))}
    entry.update({arg: str(item[arg]) for arg in ARGS if item.get(arg) is not None})
    return entry


def variables_of(items: Any) -> Model:
    """Opsview's hostattributes list -> {NAME: entry} (a list of entries for a name given several times)."""
    grouped: dict[str, list] = {}
    for item in items or []:
        if isinstance(item, Mapping) and item.get("name"):
            grouped.setdefault(str(item["name"]), []).append(_entry(item))
    return {name: entries[0] if len(entries) == 1 else entries for name, entries in grouped.items()}


def _names(refs: Any) -> list:
    return [str(ref["name"]) for ref in refs or [] if isinstance(ref, Mapping) and ref.get("name")]


def from_api(entry: Mapping[str, Any], groups: HostGroupTree) -> Model:
    """A host as this collection reports it."""
    group = entry.get("hostgroup") or {}
    group_id = str(group.get("id") or "") or (group.get("ref") or "").rstrip("/").rsplit("/", 1)[-1]
    return {
        "name": entry.get("name"),
        "id": str(entry.get("id")),
        "ip": entry.get("ip") or "",
        "alias": entry.get("alias") or "",
        "hostgroup": groups.path_of(group_id) or group.get("name"),
        "monitored_by": (entry.get("monitored_by") or {}).get("name"),
        "templates": _names(entry.get("hosttemplates")),
        "keywords": _names(entry.get("keywords")),
        "parents": _names(entry.get("parents")),
        "variables": variables_of(entry.get("hostattributes")),
    }


def desired_host(params: Mapping[str, Any]) -> Model:
    """The model of what a task declares; only the keys it sets. Raises on bad input, before anything is sent."""
    name = validate_host_name(params.get("name"))
    desired: Model = {"name": name}
    if params.get("ip") is not None:
        desired["ip"] = validate_address(params["ip"], name)
    for key in ("alias", "hostgroup", "monitored_by"):
        if params.get(key) is not None:
            desired[key] = str(params[key])
    for key in LISTS:
        if params.get(key) is not None:
            values = [str(v) for v in params[key]]
            if any(not v.strip() for v in values):
                raise ValidationError(f"{key} of host '{name}' cannot contain an empty name")
            desired[key] = list(dict.fromkeys(values))
    if params.get("variables") is not None:
        desired["variables"] = _declared_variables(params["variables"], name)
    return desired


def _declared_variables(variables: Any, host: str) -> Model:
    if not isinstance(variables, Mapping):
        raise ValidationError(f"variables of host '{host}' must be a mapping of NAME to a value")
    declared: Model = {}
    for name, value in variables.items():
        if not _VARIABLE.match(str(name)):
            raise ValidationError(f"Invalid variable name {name!r} of host '{host}': upper-case letters, digits and _")
        values = value if isinstance(value, list) else [value]
        entries = [_declared_entry(v, str(name), host) for v in values]
        if not entries:
            raise ValidationError(f"The variable {name!r} of host '{host}' needs a value")
        declared[str(name)] = entries[0] if len(entries) == 1 else entries
    return declared


def _declared_entry(value: Any, name: str, host: str) -> Model:
    if isinstance(value, Mapping):
        unknown = set(value) - {"value", *ARGS}
        if unknown:
            raise ValidationError(
                f"The variable {name!r} of host '{host}' has unknown keys: {', '.join(sorted(unknown))}"
            )
        return {
            key: "" if value[key] is None else str(value[key])
            for key in value
            if key == "value" or value[key] is not None
        }
    if isinstance(value, (list, dict)) or value is None:
        raise ValidationError(f"The variable {name!r} of host '{host}' needs a value")
    return {"value": str(value)}


class HostResource:
    """One Opsview host, found by name. ``purge`` names the lists and ``variables`` to compare and write exactly."""

    def __init__(
        self,
        client: OpsviewClient,
        name: str,
        *,
        purge: frozenset[str] = frozenset(),
        declared: Model | None = None,
    ) -> None:
        """``declared``: the task's model when the host is to be present; a host group that exists but is no leaf
        fails at the read, so check mode says so too (one that does not exist yet may be created by an earlier
        task of the play: that fails only when the host is written)."""
        self.client = client
        self.name = name
        self.declared = declared
        self.exact = frozenset(purge)
        self.merged = frozenset(LISTS)
        self.groups: HostGroupTree | None = None
        self.id: str | None = None
        self.twin: str | None = None  # a host whose name differs only in case (Opsview's search ignores case)

    def read(self) -> Model | None:
        self.groups = HostGroupTree.read(self.client)
        found = self.client.objects("host", query={"s.name": self.name}, action=f"find host '{self.name}'")
        mine = [entry for entry in found if entry.get("name") == self.name]
        self.twin = next((str(entry.get("name")) for entry in found if entry.get("name") != self.name), None)
        if self.declared is not None and "hostgroup" in self.declared:
            group = self.groups.find(parse_path(self.declared["hostgroup"]))
            if group is not None:
                self.groups.leaf(self.declared["hostgroup"])
        if not mine:
            self.id = None
            return None
        self.id = str(mine[0].get("id"))
        return from_api(mine[0], self.groups)

    def create(self, desired: Model) -> Model:
        check_creatable(desired)
        if self.twin is not None:
            raise ValidationError(case_twin(self.name, self.twin))
        body = api_body(desired, self._groups())
        answer = self.client.request("POST", COLLECTION, body=body, action=f"create host '{self.name}'")
        return self._model(answer, f"create host '{self.name}'")

    def update(self, current: Model, desired: Model) -> Model:
        changes = changed_keys(current, desired, exact=self.exact, merged=self.merged)
        answer = self.client.request(
            "PUT",
            f"{COLLECTION}/{current['id']}",
            body=api_body(changes, self._groups()),
            action=f"update host '{self.name}'",
        )
        return self._model(answer, f"update host '{self.name}'")

    def delete(self, current: Model) -> None:
        self.client.request("DELETE", f"{COLLECTION}/{current['id']}", action=f"remove host '{self.name}'")

    def _model(self, answer: Any, action: str) -> Model:
        entry = (answer or {}).get("object")
        if not isinstance(entry, Mapping):
            raise ValidationError(f"Failed to {action}: the answer has no host object")
        return from_api(entry, self._groups())

    def _groups(self) -> HostGroupTree:
        """The host groups read with the host (the engine always reads before it writes)."""
        if self.groups is None:
            self.groups = HostGroupTree.read(self.client)
        return self.groups


def case_twin(name: str, existing: str) -> str:
    """Why a host cannot be created when another one's name differs only in case: Opsview takes them for one."""
    return (
        f"Cannot create host '{name}': Opsview compares host names ignoring case, and host '{existing}' exists "
        "(writing it would rename that host); use the name exactly as Opsview has it"
    )


def check_creatable(desired: Model) -> None:
    name = desired["name"]
    if "ip" not in desired:
        raise ValidationError(f"Cannot create host '{name}': a new host needs ip")
    if "hostgroup" not in desired:
        raise ValidationError(f"Cannot create host '{name}': a new host needs hostgroup (a leaf host group path)")


def api_body(model: Model, groups: HostGroupTree) -> dict[str, Any]:
    """Model keys -> Opsview's fields; references by name, the host group by id (names are not unique)."""
    body: dict[str, Any] = {}
    for key, value in model.items():
        if key == "id":
            body["id"] = value
        elif key == "hostgroup":
            body["hostgroup"] = {"id": groups.leaf(value).id}
        elif key == "monitored_by":
            body["monitored_by"] = {"name": value}
        elif key in LISTS:
            body[API_KEYS[key]] = [{"name": name} for name in value]
        elif key == "variables":
            body["hostattributes"] = [
                {"name": name, **entry}
                for name, entries in value.items()
                for entry in (entries if isinstance(entries, list) else [entries])
            ]
        else:
            body[key] = value
    return body
