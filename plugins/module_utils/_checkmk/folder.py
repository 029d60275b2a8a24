# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkmk folders: paths, the folder model, ``mkdir -p`` and the folder resource."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    object_path,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    Subject,
    changed_keys,
    leaf_changes,
    plan_entry,
)

ROOT = "/"
COLLECTION = "/domain-types/folder_config/collections/all"
_SEGMENT = re.compile(r"[-\w]+\Z")
_SEPARATORS = re.compile(r"[~/\\]")
SERVER_MANAGED = ("meta_data",)


def normalize_path(path: str) -> str:
    """``a/b/``, ``~a~b`` or ``\\a\\b`` -> ``/a/b``; the root folder is ``/``."""
    segments = [s for s in _SEPARATORS.split(path.strip()) if s]
    for segment in segments:
        if not _SEGMENT.match(segment):
            raise ValidationError(
                f"Invalid folder path {path!r}: {segment!r} may contain only letters, digits, '-' and '_'"
            )
    return ROOT + "/".join(segments)


def slug(path: str) -> str:
    """The folder id used in URLs: ``/a/b`` -> ``~a~b``, ``/`` -> ``~``."""
    return "~" + path.strip("/").replace("/", "~")


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] or ROOT


def user_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Attributes as the user manages them: without the server-managed ``meta_data``."""
    return {k: v for k, v in (attributes or {}).items() if k not in SERVER_MANAGED}


def attribute_update(current: Model, desired: Model, *, purge: bool) -> dict[str, Any]:
    """The request fields that bring ``current["attributes"]`` to ``desired["attributes"]`` (one action only,
    as the API requires): merged keys by default; with ``purge`` a replacement or, for none, a removal."""
    wanted = desired.get("attributes", {})
    if purge:
        if wanted == current.get("attributes", {}):
            return {}
        if wanted:
            return {"attributes": wanted}
        return {"remove_attributes": sorted(current.get("attributes", {}))} if current.get("attributes") else {}
    update = changed_keys(current.get("attributes", {}), wanted)
    return {"update_attributes": update} if update else {}


def from_api(body: Mapping[str, Any]) -> Model:
    extensions = body.get("extensions", {})
    return {
        "path": normalize_path(extensions.get("path", body.get("id", ROOT))),
        "title": body.get("title", ""),
        "attributes": user_attributes(extensions.get("attributes")),
    }


def desired_folder(params: Mapping[str, Any]) -> Model:
    """The folder as the task declares it; raises on arguments that cannot work."""
    desired: Model = {"path": normalize_path(params["path"]), "attributes": dict(params.get("attributes") or {})}
    if desired["path"] == ROOT and params.get("state") == "absent":
        raise ValidationError("The root folder '/' cannot be deleted")
    if params.get("title") == "":
        raise ValidationError(f"The title of folder '{desired['path']}' cannot be empty: leave title out instead")
    if params.get("title") is not None:
        desired["title"] = params["title"]
    return desired


def folder_entries(paths: Iterable[str]) -> list[Model]:
    """The plan entries of the parent folders that a task creates (or would), like ``mkdir -p``."""
    return [plan_entry(subject("folder", path), "add", leaf_changes(None, {"path": path})) for path in paths]


def with_folders(outcome: Outcome, about: Subject, created_folders: Iterable[str]) -> Outcome:
    """The outcome with its plan: an entry for each folder created for the object, then the object's own."""
    return replace(outcome, plan=(*folder_entries(created_folders), outcome.entry(about)))


class Folders:
    """Finds and creates folder paths for one task, like ``mkdir -p``."""

    def __init__(self, client: CheckmkClient) -> None:
        self.client = client

    def read(self, path: str) -> tuple:
        return self.client.get(object_path("folder_config", slug(path)), action=f"read folder '{path}'")

    def missing(self, path: str) -> list[str]:
        """``path`` and its ancestors that do not exist, top-down (one GET per level, stopping at the first hit)."""
        missing: list[str] = []
        while path != ROOT and self.read(path)[0] is None:
            missing.insert(0, path)
            path = parent_of(path)
        return missing

    @contextmanager
    def created(self, paths: list[str]) -> Iterator[None]:
        """Create ``paths`` (top-down) for the block; if the block fails, delete them again, so that a
        failed task leaves no half-written tree behind."""
        done: list[str] = []
        try:
            for path in paths:
                self.create(path)
                done.append(path)
            yield
        except MonitoringError:
            for path in reversed(done):
                with suppress(MonitoringError):
                    self.client.write(
                        "DELETE",
                        object_path("folder_config", slug(path)),
                        query={"delete_mode": "abort_on_nonempty"},
                        action=f"delete folder '{path}' again",
                    )
            raise

    def create(self, path: str, title: str | None = None, attributes: Mapping[str, Any] | None = None) -> tuple:
        body: dict[str, Any] = {"name": path.rsplit("/", 1)[1], "title": title or path.rsplit("/", 1)[1]}
        body["parent"] = slug(parent_of(path))
        if attributes:
            body["attributes"] = dict(attributes)
        return self.client.write("POST", COLLECTION, body, action=f"create folder '{path}'")


class FolderResource:
    """One folder; missing parents are created with it and listed in ``created_folders``
    (looked up only when ``present``, that is when the folder is to exist)."""

    def __init__(
        self, client: CheckmkClient, path: str, *, present: bool = True, purge: bool = False, recursive: bool = False
    ) -> None:
        self.folders = Folders(client)
        self.present = present
        self.path = normalize_path(path)
        self.purge = purge
        self.recursive = recursive
        self.exact = frozenset({"attributes"}) if purge else frozenset()
        self.created_folders: list[str] = []
        self._etag: str | None = None

    def read(self) -> Model | None:
        body, self._etag = self.folders.read(self.path)
        if body is None:
            if self.present and self.path != ROOT:
                self.created_folders = self.folders.missing(parent_of(self.path))
            return None
        return from_api(body)

    def create(self, desired: Model) -> Model:
        with self.folders.created(self.created_folders):
            body, self._etag = self.folders.create(self.path, desired.get("title"), desired.get("attributes"))
        return from_api(body)

    def update(self, current: Model, desired: Model) -> Model:
        request = attribute_update(current, desired, purge=self.purge)
        if desired.get("title", current["title"]) != current["title"]:
            request["title"] = desired["title"]
        body, self._etag = self.folders.client.write(
            "PUT",
            object_path("folder_config", slug(self.path)),
            request,
            etag=self._etag,
            action=f"update folder '{self.path}'",
        )
        return from_api(body)

    def delete(self, current: Model) -> None:
        mode = "recursive" if self.recursive else "abort_on_nonempty"
        self.folders.client.write(
            "DELETE",
            object_path("folder_config", slug(self.path)),
            query={"delete_mode": mode},
            action=f"delete folder '{self.path}'" + ("" if self.recursive else " (it must be empty unless recursive)"),
        )
