# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""openITCOCKPIT hosts: the model compared by the sync engine, and the resource that reads and writes one host.

The model: ``name``, ``address``, ``description``, ``container`` (the primary container's path),
``host_template``, ``host_groups`` (names, sorted: a set; merged: the declared ones must be there, others stay,
unless purged) and
``satellite`` (the name of the satellite that monitors the host, as the DistributeModule lists it; null on a server
without satellites). ``id`` and ``uuid`` are reported.

openITCOCKPIT does not keep host names unique, so a host is found by its exact name among those the API lists for
it (``loadHostsByString`` matches substrings; it lists hosts whether exported or not) and a name that two hosts
have is refused. An edit replaces the whole host (a field that is not sent is reset), so an update reads the host
as the edit form has it, lays the changes over it and sends it back whole; values equal to the template's are
stored as inherited by openITCOCKPIT itself. Templates, host groups and satellites are referred to by name and
resolved before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    ValidationError,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.container import (
    ContainerTree,
    parse_path,
    path_text,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model

# loadHostsByString answers at most this many hosts (openITCOCKPIT's ITN_AJAX_LIMIT).
LOOKUP_LIMIT = 150
MAX_NAME = 255
MAX_ADDRESS = 128
# Fields of the edit form that a host inherits from its template when they equal the template's.
INHERITED = (
    "description",
    "command_id",
    "check_interval",
    "retry_interval",
    "max_check_attempts",
    "notification_interval",
    "notify_on_down",
    "notify_on_unreachable",
    "notify_on_recovery",
    "notify_on_flapping",
    "notify_on_downtime",
    "flap_detection_enabled",
    "flap_detection_on_up",
    "flap_detection_on_down",
    "flap_detection_on_unreachable",
    "notes",
    "priority",
    "check_period_id",
    "notify_period_id",
    "tags",
    "active_checks_enabled",
    "host_url",
    "freshness_checks_enabled",
    "freshness_threshold",
    "notifications_enabled",
    "sla_id",
)
# Lists of the edit form that a host inherits from its template when it has none of its own (contacts and contact
# groups only as a pair: openITCOCKPIT stores both when either differs from the template's).
INHERITED_LISTS = (("hostgroups",), ("contacts", "contactgroups"))
# Keys of the edit form that are not the host's to send back.
READ_ONLY = ("id", "uuid", "created", "modified")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_host_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise ValidationError(f"Invalid host name {name!r}: a host needs a name without leading or trailing spaces")
    if len(name) > MAX_NAME or _CONTROL.search(name):
        raise ValidationError(
            f"Invalid host name {name!r}: at most {MAX_NAME} characters, without line breaks or control characters"
        )
    return name


def validate_address(address: Any, host: str) -> str:
    text = str(address or "")
    if not text.strip() or len(text) > MAX_ADDRESS or any(c.isspace() for c in text) or _CONTROL.search(text):
        raise ValidationError(
            f"Invalid address {address!r} of host '{host}': an IP address or DNS name, at most {MAX_ADDRESS} "
            "characters, without spaces"
        )
    return text


def desired_host(params: Mapping[str, Any]) -> Model:
    """The model of what a task declares; only the keys it sets. Raises on bad input, before anything is sent."""
    name = validate_host_name(params.get("name"))
    desired: Model = {"name": name}
    if params.get("address") is not None:
        desired["address"] = validate_address(params["address"], name)
    if params.get("description") is not None:
        desired["description"] = str(params["description"])
    if params.get("container") is not None:
        desired["container"] = path_text(parse_path(params["container"]))
    for key in ("host_template", "satellite"):
        if params.get(key) is not None:
            value = str(params[key])
            if not value.strip():
                raise ValidationError(f"{key} of host '{name}' cannot be empty")
            desired[key] = value
    if params.get("host_groups") is not None:
        groups = [str(g) for g in params["host_groups"]]
        if any(not g.strip() for g in groups):
            raise ValidationError(f"host_groups of host '{name}' cannot contain an empty name")
        desired["host_groups"] = sorted(set(groups))
    return desired


def check_creatable(desired: Model) -> None:
    missing = [key for key in ("address", "container", "host_template") if key not in desired]
    if missing:
        raise ValidationError(f"Cannot create host '{desired['name']}': a new host needs {', '.join(missing)}")


def exact(entries: Sequence[Mapping[str, Any]], name: str, *, value: str = "value") -> list:
    """The entries whose name is exactly ``name`` (openITCOCKPIT's filters match substrings)."""
    return [entry for entry in entries if isinstance(entry, Mapping) and entry.get(value) == name]


def only(entries: Sequence[Any], name: str, *, kind: str, purpose: str) -> Any | None:
    """The one entry of that name, None for none; refused when openITCOCKPIT has several (names are not unique)."""
    if len(entries) > 1:
        raise ValidationError(
            f"Cannot {purpose}: openITCOCKPIT has {len(entries)} {kind}s named '{name}' (names are not unique "
            "there); rename all but one"
        )
    return entries[0] if entries else None


class References:
    """Names of templates, host groups and satellites <-> ids, read as needed; ids once read are kept."""

    def __init__(self, client: OitcClient) -> None:
        self.client = client
        self.templates: dict[int, str] = {}
        self.groups: dict[int, str] = {}
        self.satellites: dict[int, dict[int, str]] = {}  # by container id

    def template_id(self, name: str, *, purpose: str) -> int:
        answer = self.client.request(
            "GET",
            "/hosttemplates/index",
            query={"filter[Hosttemplates.name]": name, "scroll": "false", "limit": 1000},
            action=f"find host template '{name}'",
        )
        rows = [r.get("Hosttemplate") or {} for r in (answer or {}).get("all_hosttemplates") or []]
        found = only(exact(rows, name, value="name"), name, kind="host template", purpose=purpose)
        if found is None:
            raise ValidationError(f"Cannot {purpose}: openITCOCKPIT has no host template '{name}'")
        self.templates[int(found["id"])] = name
        return int(found["id"])

    def template_name(self, tid: Any) -> str | None:
        if tid is None:
            return None
        if int(tid) not in self.templates:
            answer = self.client.request(
                "GET",
                "/hosttemplates/index",
                query={"filter[Hosttemplates.id][]": [int(tid)], "scroll": "false"},
                action=f"read host template {tid}",
            )
            for row in (answer or {}).get("all_hosttemplates") or []:
                entry = row.get("Hosttemplate") or {}
                self.templates[int(entry["id"])] = str(entry.get("name"))
        return self.templates.get(int(tid))

    def group_ids(self, names: Sequence[str], *, purpose: str) -> list[int]:
        ids = []
        for name in names:
            answer = self.client.request(
                "GET",
                "/hostgroups/index",
                query={"filter[Containers.name]": name, "scroll": "false", "limit": 1000},
                action=f"find host group '{name}'",
            )
            rows = [
                {"id": r.get("id"), "name": (r.get("container") or {}).get("name")}
                for r in (answer or {}).get("all_hostgroups") or []
            ]
            found = only(exact(rows, name, value="name"), name, kind="host group", purpose=purpose)
            if found is None:
                raise ValidationError(f"Cannot {purpose}: openITCOCKPIT has no host group '{name}'")
            self.groups[int(found["id"])] = name
            ids.append(int(found["id"]))
        return ids

    def group_names(self, ids: Sequence[Any]) -> list[str]:
        unknown = [int(i) for i in ids if int(i) not in self.groups]
        if unknown:
            answer = self.client.request(
                "GET",
                "/hostgroups/index",
                query={"filter[Hostgroups.id][]": unknown, "scroll": "false", "limit": max(len(unknown), 25)},
                action="read the host groups",
            )
            for row in (answer or {}).get("all_hostgroups") or []:
                self.groups[int(row["id"])] = str((row.get("container") or {}).get("name"))
        return [self.groups.get(int(i), f"#{i}") for i in ids]

    def satellite_list(self, container_id: int) -> dict[int, str]:
        """The satellites a host in this container can have (with 0, the master), empty without the
        DistributeModule."""
        if container_id not in self.satellites:
            answer = self.client.request(
                "GET",
                f"/hosts/loadElementsByContainerId/{container_id}",
                action=f"list the satellites of container {container_id}",
            )
            listed = [e for e in (answer or {}).get("satellites") or [] if isinstance(e, Mapping)]
            self.satellites[container_id] = {int(e["key"]): str(e.get("value")) for e in listed}
        return self.satellites[container_id]

    def satellite_id(self, name: str, container_id: int, *, purpose: str) -> int:
        known = self.satellite_list(container_id)
        if not known:
            raise ValidationError(
                f"Cannot {purpose}: openITCOCKPIT lists no satellites (is the DistributeModule installed?)"
            )
        ids = [sid for sid, sname in known.items() if sname == name]
        sid = only(ids, name, kind="satellite", purpose=purpose)
        if sid is None:
            raise ValidationError(
                f"Cannot {purpose}: openITCOCKPIT has no satellite '{name}' "
                f"(known: {', '.join(sorted(known.values()))})"
            )
        return int(sid)


class HostResource:
    """One openITCOCKPIT host, found by its exact name. ``purge`` may name ``host_groups`` (compared exactly)."""

    def __init__(
        self, client: OitcClient, name: str, *, purge: frozenset[str] = frozenset(), declared: Model | None = None
    ) -> None:
        """``declared``: the task's model when the host is to be present; its template, host groups and satellite
        must exist, which is checked at the read, so check mode says so too (a container may be created by an
        earlier task of the play: a missing one fails only when the host is written)."""
        self.client = client
        self.name = name
        self.declared = declared
        self.exact = frozenset(purge)
        self.merged = frozenset({"host_groups"})
        self.refs = References(client)
        self.tree: ContainerTree | None = None
        self.form: dict[str, Any] = {}  # the host as the edit form has it
        self.template_form: dict[str, Any] = {}
        self.resolved: dict[str, Any] | None = None  # ids of the declared references, resolved with each read

    def read(self) -> Model | None:
        self.tree = ContainerTree.read(self.client)
        host_id = self._find()
        self.form = {}
        current = None if host_id is None else self._read_form(host_id)
        self.resolved = None
        if self.declared is not None:
            self._resolve(self.declared)
        return current

    def _find(self) -> int | None:
        purpose = f"find host '{self.name}'"
        answer = self.client.request(
            "GET",
            "/hosts/loadHostsByString",
            query={"filter[Hosts.name]": self.name, "includeDisabled": "true"},
            action=purpose,
        )
        hosts = list((answer or {}).get("hosts") or [])
        mine = exact(hosts, self.name)
        if not mine and len(hosts) >= LOOKUP_LIMIT:
            raise ValidationError(
                f"Cannot {purpose}: more than {LOOKUP_LIMIT} host names contain '{self.name}', and openITCOCKPIT "
                "lists no more than that"
            )
        found = only(mine, self.name, kind="host", purpose=purpose)
        return None if found is None else int(found["key"])

    def _read_form(self, host_id: int) -> Model | None:
        answer = self.client.get(f"/hosts/edit/{host_id}", action=f"read host '{self.name}'")
        host = ((answer or {}).get("host") or {}).get("Host")
        if not isinstance(host, Mapping):
            return None
        self.form = dict(host)
        self.template_form = dict(((answer or {}).get("hosttemplate") or {}).get("Hosttemplate") or {})
        return self._model(self.form)

    def _model(self, host: Mapping[str, Any]) -> Model:
        tree = self._tree()
        container_id = int(host.get("container_id") or 0)
        satellites = self.refs.satellite_list(container_id) if container_id else {}
        satellite_id = int(host.get("satellite_id") or 0)
        return {
            "name": host.get("name"),
            "id": int(host["id"]),
            "uuid": host.get("uuid"),
            "address": host.get("address") or "",
            "description": host.get("description") or "",
            "container": tree.path_of(container_id),
            "host_template": self.refs.template_name(host.get("hosttemplate_id")),
            "host_groups": sorted(self.refs.group_names(((host.get("hostgroups") or {}).get("_ids")) or [])),
            "satellite": satellites.get(satellite_id),
        }

    def _resolve(self, desired: Model) -> dict[str, Any]:
        """The ids of the declared template, host groups and satellite (the satellite also needs the container),
        resolved once per read: at the read when the task declares them, else when the host is written."""
        if self.resolved is not None:
            return self.resolved
        purpose = f"{'update' if self.form else 'create'} host '{self.name}'"
        resolved: dict[str, Any] = {}
        if "host_template" in desired:
            resolved["hosttemplate_id"] = self.refs.template_id(desired["host_template"], purpose=purpose)
        if "host_groups" in desired:
            resolved["hostgroups"] = self.refs.group_ids(desired["host_groups"], purpose=purpose)
        if "satellite" in desired:
            container = self._tree().find(parse_path(desired["container"])) if "container" in desired else None
            container = container or int(self.form.get("container_id") or 1)
            resolved["satellite_id"] = self.refs.satellite_id(desired["satellite"], container, purpose=purpose)
        self.resolved = resolved
        return resolved

    def create(self, desired: Model) -> Model:
        check_creatable(desired)
        purpose = f"create host '{self.name}'"
        resolved = self._resolve(desired)
        host: dict[str, Any] = {
            "name": desired["name"],
            "address": desired["address"],
            "container_id": self._tree().require(desired["container"], purpose=purpose),
            "hosttemplate_id": resolved["hosttemplate_id"],
            "satellite_id": resolved.get("satellite_id", 0),
        }
        if "description" in desired:
            host["description"] = desired["description"]
        groups = resolved.get("hostgroups")
        host["hostgroups"] = {"_ids": groups or []}
        try:
            answer = self.client.request("POST", "/hosts/add", body={"Host": host}, action=purpose)
        except MonitoringError as exc:
            if not reread_settles(exc) or not self.client.landed(exc, lambda: self._find() is not None, what=purpose):
                raise
            answer = {"id": self._find()}
        host_id = (answer or {}).get("id")
        if not isinstance(host_id, int):
            raise ValidationError(f"Failed to {purpose}: the answer has no host id")
        after = self._read_form(host_id)
        if after is None:
            raise ValidationError(f"Failed to {purpose}: the new host {host_id} cannot be read")
        return after

    def update(self, current: Model, desired: Model) -> Model:
        purpose = f"update host '{self.name}'"
        resolved = self._resolve(desired)
        host = {key: value for key, value in self.form.items() if key not in READ_ONLY}
        if "hosttemplate_id" in resolved and resolved["hosttemplate_id"] != host.get("hosttemplate_id"):
            self._inherit_from_new_template(host)
            host["hosttemplate_id"] = resolved["hosttemplate_id"]
        for key in ("address", "description"):
            if key in desired:
                host[key] = desired[key]
        if "container" in desired and desired["container"] != current.get("container"):
            new = self._tree().require(desired["container"], purpose=purpose)
            old = host.get("container_id")
            shared = [c for c in (host.get("hosts_to_containers_sharing") or {}).get("_ids") or [] if c != old]
            host["container_id"] = new
            host["hosts_to_containers_sharing"] = {"_ids": [*shared, new]}
        if "satellite_id" in resolved:
            host["satellite_id"] = resolved["satellite_id"]
        if "hostgroups" in resolved:
            ids = list(resolved["hostgroups"])
            if "host_groups" not in self.exact:
                ids = list(dict.fromkeys([*((host.get("hostgroups") or {}).get("_ids") or []), *ids]))
            host["hostgroups"] = {"_ids": ids}
        self.client.request("POST", f"/hosts/edit/{current['id']}", body={"Host": host}, action=purpose)
        after = self._read_form(int(current["id"]))
        if after is None:
            raise ValidationError(f"Failed to {purpose}: the host cannot be read after the update")
        return after

    def _inherit_from_new_template(self, host: dict[str, Any]) -> None:
        """The edit form shows inherited values filled in from the template: those of the old template must not
        become the host's own values when the template changes."""
        for key in INHERITED:
            if key in self.template_form and host.get(key) == self.template_form.get(key):
                host[key] = None
        for keys in INHERITED_LISTS:
            if all(self._as_template(host, key) for key in keys):
                host.update({key: {"_ids": []} for key in keys})

    def _as_template(self, host: Mapping[str, Any], key: str) -> bool:
        ids = (host.get(key) or {}).get("_ids") or []
        return sorted(ids) == sorted((self.template_form.get(key) or {}).get("_ids") or [])

    def delete(self, current: Model) -> None:
        self.client.request("POST", f"/hosts/delete/{current['id']}", action=f"remove host '{self.name}'")

    def _tree(self) -> ContainerTree:
        if self.tree is None:
            self.tree = ContainerTree.read(self.client)
        return self.tree
