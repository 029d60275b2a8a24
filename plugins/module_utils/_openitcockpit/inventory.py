# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The configured hosts of openITCOCKPIT as facts for Ansible: what the inventory plugin reads, in few requests.

openITCOCKPIT lists a host's primary container (``containerId``), the containers it is shared into, its template
and its satellite (``satelliteName``; the master is ``Mastersystem``) in its host lists, but not its host groups.
Those come from the host groups: each group's edit view lists its member hosts and host templates; a host that has
no groups of its own is in its template's (openITCOCKPIT stores a list equal to the template's as empty, inherited).

The requests, whatever the number of hosts: the containers (1), the host templates, the host groups, the monitored
hosts (``/hosts/index``: the hosts an export put into monitoring) and the hosts created since the last export
(``/hosts/notMonitored``), each a listing read page by page as the API pages, and one request per host group
(openITCOCKPIT has no listing of groups with their members). Disabled hosts are in none of these lists and so not
in the inventory. Nothing here holds the API key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.container import ContainerTree

# Rows per page of a listing (openITCOCKPIT takes any positive limit; its default is the user's page length).
PAGE_SIZE = 1000
# A listing that still says "next page" after this many pages is not paging as openITCOCKPIT pages.
MAX_PAGES = 10_000
MASTER = "Mastersystem"  # how openITCOCKPIT names the master instance in its lists (FRONTEND.MASTER_INSTANCE)


def read_hosts(client: OitcClient) -> list[dict[str, Any]]:
    """Every enabled host the API key's user may see, monitored or created since the last export, as facts."""
    tree = ContainerTree.read(client)
    templates = read_template_names(client)
    groups = read_host_groups(client)
    monitored = listing(client, "/hosts/index", "all_hosts", "Hosts.id", "monitored hosts")
    pending = listing(client, "/hosts/notMonitored", "all_hosts", "Hosts.id", "hosts not in monitoring yet")
    hosts = []
    for entries, in_monitoring in ((monitored, True), (pending, False)):
        for entry in entries:
            host = entry.get("Host")
            if not isinstance(host, Mapping) or not isinstance(host.get("name"), str) or host.get("id") is None:
                raise ApiError("Failed to list the hosts: a row of the answer is not a host", status=200)
            hosts.append(host_facts(host, tree, templates, groups, monitored=in_monitoring))
    return sorted(hosts, key=lambda host: (host["name"], host["id"]))


def listing(client: OitcClient, path: str, key: str, order: str, what: str) -> list[Mapping[str, Any]]:
    """Every row of a listing, page by page (``scroll=false``: ``paging.nextPage``), in the order of ``order`` so
    that pages do not overlap."""
    rows: list[Mapping[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        action = f"list the {what}" + (f" (page {page})" if page > 1 else "")
        query = {"scroll": "false", "limit": PAGE_SIZE, "page": page, "sort": order, "direction": "asc"}
        answer = client.request("GET", path, query=query, action=action)
        found = answer.get(key) if isinstance(answer, Mapping) else None
        if not isinstance(found, list) or not all(isinstance(row, Mapping) for row in found):
            raise ApiError(f"Failed to {action}: the answer has no list {key!r}", status=200)
        rows.extend(found)
        paging = answer.get("paging")
        if not found or not isinstance(paging, Mapping) or not paging.get("nextPage"):
            return rows
    raise ApiError(f"Failed to list the {what}: more than {MAX_PAGES} pages of {PAGE_SIZE}", status=200)


def read_template_names(client: OitcClient) -> dict[int, str]:
    """The host templates' names by id."""
    names = {}
    for entry in listing(client, "/hosttemplates/index", "all_hosttemplates", "Hosttemplates.id", "host templates"):
        template = entry.get("Hosttemplate")
        if isinstance(template, Mapping) and _int(template.get("id")) is not None:
            names[int(template["id"])] = str(template.get("name"))
    return names


def read_host_groups(client: OitcClient) -> list[dict[str, Any]]:
    """The host groups, each with its name, its member hosts' and host templates' ids: the listing, then each
    group's edit view (the only answer that lists the members)."""
    groups = []
    for row in listing(client, "/hostgroups/index", "all_hostgroups", "Hostgroups.id", "host groups"):
        name = (row.get("container") or {}).get("name")
        if row.get("id") is None or not isinstance(name, str):
            raise ApiError("Failed to list the host groups: a row of the answer is not a host group", status=200)
        action = f"read the members of host group '{name}'"
        answer = client.request("GET", f"/hostgroups/edit/{int(row['id'])}", action=action)
        group = ((answer or {}).get("hostgroup") or {}).get("Hostgroup") if isinstance(answer, Mapping) else None
        if not isinstance(group, Mapping):
            raise ApiError(f"Failed to {action}: the answer is not a host group", status=200)
        groups.append(
            {
                "name": name,
                "hosts": _ids(group.get("hosts")),
                "hosttemplates": _ids(group.get("hosttemplates")),
            }
        )
    return groups


def host_facts(
    host: Mapping[str, Any],
    tree: ContainerTree,
    templates: Mapping[int, str],
    groups: list[dict[str, Any]],
    *,
    monitored: bool,
) -> dict[str, Any]:
    """A row of a host list as facts: name, id, uuid, address, description, container path (and the containers the
    host is shared into), template, host groups (its own, else its template's), satellite, monitored, disabled."""
    host_id = int(host["id"])
    template_id = _int(host.get("hosttemplate_id"))
    own = sorted({g["name"] for g in groups if host_id in g["hosts"]})
    inherited = sorted({g["name"] for g in groups if template_id in g["hosttemplates"]})
    container = tree.path_of(host.get("containerId"))
    shared = [tree.path_of(cid) for cid in host.get("containerIds") or [] if _int(cid) != _int(host.get("containerId"))]
    satellite_id = _int(host.get("satelliteId")) or 0
    return {
        "name": host["name"],
        "id": host_id,
        "uuid": host.get("uuid"),
        "address": host.get("address") or None,
        "description": host.get("description") or "",
        "container": container,
        "shared_containers": sorted(path for path in shared if path),
        "host_template": templates.get(template_id) if template_id is not None else None,
        "host_groups": own or inherited,
        "satellite": str(host.get("satelliteName") or MASTER),
        "satellite_id": satellite_id,
        "tags": host.get("tags") or "",
        "priority": host.get("priority"),
        "monitored": monitored,
        "disabled": bool(host.get("disabled")),
    }


def _ids(relation: Any) -> set[int]:
    ids = relation.get("_ids") if isinstance(relation, Mapping) else None
    return {i for i in (_int(value) for value in ids or []) if i is not None}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
