# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitored hosts as facts for Ansible: what the inventory plugin reads, in three requests.

Opsview lists every host with ``rows=all`` in one request (as the client lists any type), but a host refers to its
host group by name and id only, and group names are not unique: the path of the group (``Opsview/Linux/Web``)
comes from the host groups' ``matpath``, listed with a second request. With the login, three requests (two with a
session token), whatever the number of hosts.

A host's facts are its name, address, alias, host group (path), monitoring cluster, host templates, hashtags
(keywords) and parents, and the *names* of its variables (host attributes). The values and arguments of variables
are never facts: Opsview keeps credentials in them (the arguments of a variable such as ``VSPHERE_CREDENTIALS``,
encrypted or not), and the listing does not say which are secure. Nothing else of the host is taken (SNMP
settings, check commands...): a fact is chosen, never copied from the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient, ref_id
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import HostGroupTree

# The listing as the client reads every type: one page with all rows.
ALL_ROWS = {"rows": "all"}


def read_hosts(client: OpsviewClient) -> list[dict[str, Any]]:
    """Every host with its facts: the hosts, then the host groups (a host's group cannot be removed while the host
    is in it, so each group listed first is still there), one request each."""
    hosts = _listing(client, "host", "list the hosts")
    groups = HostGroupTree(_listing(client, "hostgroup", "list the host groups"))
    return [host_facts(host, groups) for host in hosts]


def _listing(client: OpsviewClient, kind: str, action: str) -> list[Mapping[str, Any]]:
    answer = client.request("GET", f"/config/{kind}", query=ALL_ROWS, action=action)
    entries = answer.get("list") if isinstance(answer, Mapping) else None
    if not isinstance(entries, list) or not all(_named(entry) for entry in entries):
        raise ApiError(f"Failed to {action}: the answer is not a list of {kind} objects", status=200)
    return entries


def _named(entry: Any) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and bool(entry["name"])


def host_facts(entry: Mapping[str, Any], groups: HostGroupTree) -> dict[str, Any]:
    """A host object of the listing as facts (JSON-serializable, no secret)."""
    group = entry.get("hostgroup") if isinstance(entry.get("hostgroup"), Mapping) else {}
    found = groups.by_id.get(str(group.get("id") or "") or ref_id(group) or "")
    # A group the listing lacks (moved and removed between the two requests): its name, as a path of one.
    path = list(found.names) if found is not None else [str(group["name"])] if group.get("name") else []
    cluster = entry.get("monitored_by")
    return {
        "name": entry["name"],
        "id": str(entry.get("id") or ""),
        "address": entry.get("ip") or None,
        "alias": entry.get("alias") or "",
        "hostgroup": "/".join(path) or None,
        "hostgroup_path": path,
        "monitored_by": cluster.get("name") if isinstance(cluster, Mapping) else None,
        "templates": _names(entry.get("hosttemplates")),
        "keywords": _names(entry.get("keywords")),
        "parents": _names(entry.get("parents")),
        "variables": sorted(set(_names(entry.get("hostattributes")))),
    }


def _names(refs: Any) -> list[str]:
    if not isinstance(refs, list):
        return []
    return [str(ref["name"]) for ref in refs if isinstance(ref, Mapping) and ref.get("name")]
