# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitored hosts as facts for Ansible: what the inventory plugin and the lookups read, in one request.

A host's facts are its effective attributes (inherited from its folders, as Checkmk applies them): its labels, its host
tags (the ``tag_<group>`` attributes) and its monitoring site each on their own, for grouping, and the other attributes
that have a value (Checkmk shows an unset one as empty). Attributes that hold credentials and Checkmk's own
bookkeeping (``meta_data``) are never facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, object_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import ROOT
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    COLLECTION,
    validate_host_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError

# Host attributes that hold credentials (SNMP communities or v3 credentials, IPMI credentials): never facts.
SECRET_ATTRIBUTES = frozenset({"snmp_community", "management_snmp_community", "management_ipmi_credentials"})
TAG_PREFIX = "tag_"
# Not in a host's ``attributes`` fact: the credentials, Checkmk's bookkeeping, and what has a fact of its own.
NOT_ATTRIBUTES = SECRET_ATTRIBUTES | {"meta_data", "labels", "site"}
UNSET = ("", [], {}, None)  # how the effective attributes show an attribute nobody set
EFFECTIVE = {"effective_attributes": True}


def read_hosts(client: CheckmkClient) -> list[dict[str, Any]]:
    """Every host of the site's Setup with its effective attributes: one request."""
    action = "list the hosts with their effective attributes"
    answer = client.request("GET", COLLECTION, query=EFFECTIVE, ok=(200,), action=action)
    body = answer.json()
    hosts = body.get("value") if isinstance(body, Mapping) else None
    if not isinstance(hosts, list) or not all(isinstance(h, Mapping) and isinstance(h.get("id"), str) for h in hosts):
        raise ApiError(f"Failed to {action}: the answer is not a list of hosts", status=answer.status)
    return [host_facts(host) for host in hosts]


def read_host(client: CheckmkClient, name: str) -> dict[str, Any] | None:
    """One host's facts, or None when Checkmk has no such host."""
    validate_host_name(name)
    action = f"read the host {name} with its effective attributes"
    body, _etag = client.get(object_path("host_config", name), query=EFFECTIVE, action=action)
    if body is None:
        return None
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
        raise ApiError(f"Failed to {action}: the answer is not a host", status=200)
    return host_facts(body)


def host_facts(body: Mapping[str, Any]) -> dict[str, Any]:
    """A host_config object as facts: name, folder, site, attributes, labels, tags, ip address, cluster nodes."""
    extensions = body.get("extensions") or {}
    effective = extensions.get("effective_attributes")
    if not isinstance(effective, Mapping):  # a server that ignored effective_attributes: the host's own ones
        effective = extensions.get("attributes") or {}
    labels = effective.get("labels")
    return {
        "name": body["id"],
        "folder": extensions.get("folder") or ROOT,
        "site": effective.get("site"),
        "attributes": {
            key: value
            for key, value in effective.items()
            if key not in NOT_ATTRIBUTES and not key.startswith(TAG_PREFIX) and value not in UNSET
        },
        "labels": {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {},
        "tags": {
            key[len(TAG_PREFIX) :]: value
            for key, value in effective.items()
            if key.startswith(TAG_PREFIX) and isinstance(value, str) and value
        },
        "address": effective.get("ipaddress") or effective.get("ipv6address") or None,
        "cluster_nodes": extensions.get("cluster_nodes"),
    }
