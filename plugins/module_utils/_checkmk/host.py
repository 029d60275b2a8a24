# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkmk hosts: the host model and the host resource (create, update, move, delete)."""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    extensions = body.get("extensions", {})
    return {
        "name": body["id"],
        "folder": normalize_path(extensions.get("folder", ROOT)),
        "attributes": user_attributes(extensions.get("attributes")),
    }


def desired_host(params: Mapping[str, Any]) -> Model:
    """The host as the task declares it; ``folder`` only when given (an existing host is not moved otherwise)."""
    desired: Model = {"name": validate_host_name(params["name"]), "attributes": dict(params.get("attributes") or {})}
    if params.get("folder") is not None:
        desired["folder"] = normalize_path(params["folder"])
    return desired


class HostResource:
    """One host. A different folder means a move; missing folders are created and listed in ``created_folders``."""

    def __init__(self, client: CheckmkClient, name: str, *, folder: str | None = None, purge: bool = False) -> None:
        self.client = client
        self.name = validate_host_name(name)
        self.folder = normalize_path(folder) if folder is not None else None
        self.purge = purge
        self.exact = frozenset({"attributes"}) if purge else frozenset()
        self.created_folders: list[str] = []
        self._etag: str | None = None
        self._path = object_path("host_config", self.name)

    def read(self) -> Model | None:
        body, self._etag = self.client.get(self._path, action=f"read host '{self.name}'")
        current = from_api(body) if body is not None else None
        if self.folder is not None and (current is None or current["folder"] != self.folder):
            self.created_folders = Folders(self.client).missing(self.folder)
        return current

    def create(self, desired: Model) -> Model:
        folder = desired.get("folder", ROOT)
        request = {"host_name": self.name, "folder": slug(folder), "attributes": desired["attributes"]}
        with Folders(self.client).created(self.created_folders):
            body, self._etag = self.client.write(
                "POST", COLLECTION, request, action=f"create host '{self.name}' in folder '{folder}'"
            )
        return from_api(body)

    def update(self, current: Model, desired: Model) -> Model:
        """Attributes first (bad input fails before anything moved), then the move, each with the latest ETag."""
        after = current
        request = attribute_update(current, desired, purge=self.purge)
        if request:
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
        return after

    def delete(self, current: Model) -> None:
        self.client.write("DELETE", self._path, action=f"delete host '{self.name}'")
