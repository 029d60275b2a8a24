# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkmk hosts: the host model and the host resource (create, update, move, delete), cluster hosts included.

A cluster host is created through the clusters collection and its nodes are changed through the nodes property, with
the host's ETag (the property has no GET of its own; the host's GET shows the nodes as ``cluster_nodes``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, object_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    ROOT,
    Folders,
    attribute_update,
    normalize_path,
    slug,
    user_attributes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model

COLLECTION = "/domain-types/host_config/collections/all"
CLUSTERS = "/domain-types/host_config/collections/clusters"
# The REST API's host name pattern, plus Checkmk's rule that a name starts with a letter, digit or '_'.
_HOST_NAME = re.compile(r"[0-9a-zA-Z_][-0-9a-zA-Z_.]*\Z")
MAX_HOST_NAME = 253


def validate_host_name(name: str) -> str:
    if not _HOST_NAME.match(name) or len(name) > MAX_HOST_NAME:
        raise ValidationError(
            f"Invalid host name {name!r}: use at most {MAX_HOST_NAME} letters, digits, '-', '_' and '.', "
            "starting with a letter, digit or '_'"
        )
    return name


def from_api(body: Mapping[str, Any]) -> Model:
    """The host model; ``nodes`` only for a cluster host (Checkmk's ``is_cluster``: ``cluster_nodes`` is a list)."""
    extensions = body.get("extensions", {})
    host: Model = {
        "name": body["id"],
        "folder": normalize_path(extensions.get("folder", ROOT)),
        "attributes": user_attributes(extensions.get("attributes")),
    }
    if extensions.get("cluster_nodes") is not None:
        host["nodes"] = list(extensions["cluster_nodes"])
    return host


def desired_host(params: Mapping[str, Any]) -> Model:
    """The host as the task declares it; ``folder`` only when given (an existing host is not moved otherwise),
    ``nodes`` only when given (the nodes of an existing cluster are left alone otherwise)."""
    desired: Model = {"name": validate_host_name(params["name"]), "attributes": dict(params.get("attributes") or {})}
    if params.get("folder") is not None:
        desired["folder"] = normalize_path(params["folder"])
    if params.get("nodes") is not None:
        desired["nodes"] = validate_nodes(desired["name"], params["nodes"])
    return desired


def validate_nodes(cluster: str, nodes: Sequence[str]) -> list[str]:
    """What can be known about a cluster's nodes without asking the server. Checkmk itself refuses none of
    these: it would store an empty list or a node named twice as sent."""
    if not nodes:
        raise ValidationError(
            f"The nodes of cluster '{cluster}' cannot be an empty list: leave nodes out to keep the nodes as they are"
        )
    for node in nodes:
        validate_host_name(node)
    twice = sorted({node for node in nodes if nodes.count(node) > 1})
    if twice:
        raise ValidationError(f"The nodes of cluster '{cluster}' name {', '.join(twice)} more than once")
    if cluster in nodes:
        raise ValidationError(f"Cluster '{cluster}' cannot be a node of itself")
    return list(nodes)


def node_problems(cluster: str, nodes: Sequence[str], hosts: Mapping[str, Model | None]) -> str | None:
    """One line on the nodes that ``hosts`` (name -> model, None when absent) shows unfit: missing hosts (which
    Checkmk refuses) and cluster hosts (which Checkmk accepts when creating a cluster, and refuses later)."""
    missing = [node for node in nodes if hosts.get(node) is None]
    clusters = [node for node in nodes if "nodes" in (hosts.get(node) or {})]
    problems = [f"hosts that do not exist: {', '.join(missing)}"] if missing else []
    problems += [f"cluster hosts, which cannot be nodes: {', '.join(clusters)}"] if clusters else []
    return f"The nodes of cluster '{cluster}' name {'; and '.join(problems)}" if problems else None


def no_cluster_error(name: str) -> ValidationError:
    return ValidationError(
        f"Host '{name}' exists and is not a cluster host, and Checkmk cannot turn a host into a cluster: "
        "remove the host first (state: absent), or leave nodes out"
    )


def replace_keeps_nodes(release: tuple[int, int] | None) -> bool:
    """Whether replacing a cluster's attributes keeps its nodes: 2.3 and 2.4 drop them, the host is then a plain host
    for good (fixed in 2.5.0b1, werk "REST-API: Update hosts no longer modifies cluster nodes")."""
    return release is not None and release >= (2, 5)


def attribute_updates(current: Model, desired: Model, *, purge: bool, keeps_nodes: bool) -> list[dict[str, Any]]:
    """The update requests for the attributes: the one of ``attribute_update``, except that a cluster's attributes
    are not replaced where that drops its nodes, but merged, then the others removed (two requests)."""
    request = attribute_update(current, desired, purge=purge)
    if "attributes" not in request or "nodes" not in current or keeps_nodes:
        return [request] if request else []
    have, wanted = current["attributes"], request["attributes"]
    merge = {key: value for key, value in wanted.items() if key not in have or have[key] != value}
    remove = sorted(set(have) - set(wanted))
    requests: list[dict[str, Any]] = []
    if merge:
        requests.append({"update_attributes": merge})
    if remove:
        requests.append({"remove_attributes": remove})
    return requests


class HostResource:
    """One host. A different folder means a move; missing folders are created and listed in ``created_folders``.
    With ``nodes``, the host is a cluster of these nodes."""

    def __init__(
        self,
        client: CheckmkClient,
        name: str,
        *,
        folder: str | None = None,
        purge: bool = False,
        nodes: Sequence[str] | None = None,
    ) -> None:
        self.client = client
        self.name = validate_host_name(name)
        self.folder = normalize_path(folder) if folder is not None else None
        self.purge = purge
        self.nodes = validate_nodes(self.name, nodes) if nodes is not None else None
        self.exact = frozenset({"attributes"}) if purge else frozenset()
        self.created_folders: list[str] = []
        self._etag: str | None = None
        self._path = object_path("host_config", self.name)

    def read(self) -> Model | None:
        body, self._etag = self.client.get(self._path, action=f"read host '{self.name}'")
        current = from_api(body) if body is not None else None
        if self.folder is not None and (current is None or current["folder"] != self.folder):
            self.created_folders = Folders(self.client).missing(self.folder)
        if self.nodes is not None:
            self._check_nodes(current, self.nodes)
        return current

    def _check_nodes(self, current: Model | None, nodes: list[str]) -> None:
        """Before nodes are written (also in check mode), each node is read: missing hosts and clusters fail the
        task in one line before anything is sent. Nodes that stay as they are cost no request."""
        if current is not None and "nodes" not in current:
            raise no_cluster_error(self.name)
        if current is not None and current["nodes"] == nodes:
            return
        hosts: dict[str, Model | None] = {}
        for node in nodes:
            body, _etag = self.client.get(
                object_path("host_config", node), action=f"read host '{node}', a node of cluster '{self.name}'"
            )
            hosts[node] = from_api(body) if body is not None else None
        problem = node_problems(self.name, nodes, hosts)
        if problem:
            raise ValidationError(problem)

    def create(self, desired: Model) -> Model:
        folder = desired.get("folder", ROOT)
        request = {"host_name": self.name, "folder": slug(folder), "attributes": desired["attributes"]}
        path, what = COLLECTION, "host"
        if "nodes" in desired:
            path, what = CLUSTERS, "cluster host"
            request["nodes"] = desired["nodes"]
        with Folders(self.client).created(self.created_folders):
            body, self._etag = self.client.write(
                "POST", path, request, action=f"create {what} '{self.name}' in folder '{folder}'"
            )
        return from_api(body)

    def update(self, current: Model, desired: Model) -> Model:
        """Attributes first (bad input fails before anything moved), then the move, each with the latest ETag, then
        the nodes: last, because their answer carries no ETag for a further write."""
        after = current
        keeps_nodes = replace_keeps_nodes(self.client.release)
        for request in attribute_updates(current, desired, purge=self.purge, keeps_nodes=keeps_nodes):
            body, self._etag = self.client.write(
                "PUT", self._path, request, etag=self._etag, action=f"update host '{self.name}'"
            )
            after = from_api(body)
        folder = desired.get("folder", current["folder"])
        if folder != current["folder"]:
            with Folders(self.client).created(self.created_folders):
                body, self._etag = self.client.write(
                    "POST",
                    f"{self._path}/actions/move/invoke",
                    {"target_folder": slug(folder)},
                    etag=self._etag,
                    action=f"move host '{self.name}' from folder '{current['folder']}' to '{folder}'",
                )
            after = from_api(body)
        if "nodes" in desired and desired["nodes"] != after.get("nodes"):
            body, self._etag = self.client.write(
                "PUT",
                f"{self._path}/properties/nodes",
                {"nodes": desired["nodes"]},
                etag=self._etag,
                action=f"set the nodes of cluster '{self.name}'",
            )
            after = {**after, "nodes": list((body or {}).get("value", desired["nodes"]))}
        return after

    def delete(self, current: Model) -> None:
        self.client.write("DELETE", self._path, action=f"delete host '{self.name}'")
