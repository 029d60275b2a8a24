# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renaming a host that the task knows under an earlier name.

Checkmk renames in a background job (2.3: 302 to a wait endpoint that takes POST; 2.4 and later: 303, GET) and
refuses while any change is pending (409). The rename records a pending change of its own, and the host's
services and downtimes follow the new name once that change is activated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, object_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import (
    Activation,
    activate,
    owners,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    HostResource,
    validate_host_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ConflictError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, Outcome
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

WAIT = "/domain-types/host_config/actions/wait-for-completion/invoke"


def earlier_name(client: CheckmkClient, name: str, renamed_from: Sequence[str]) -> str | None:
    """The existing host to rename to ``name``: one of ``renamed_from``, when ``name`` does not exist. None when
    there is nothing to rename. Both existing, or several earlier names, is an error that names them."""
    validate_host_name(name)
    if name in renamed_from:
        raise ValidationError(f"renamed_from of host '{name}' cannot name the host itself")
    if len(set(renamed_from)) != len(renamed_from):
        raise ValidationError(f"renamed_from of host '{name}' names a host twice")
    for old in renamed_from:
        validate_host_name(old)
    found = [old for old in renamed_from if _exists(client, old)]
    if found and _exists(client, name):
        raise ValidationError(
            f"Cannot rename host '{found[0]}' to '{name}': both exist; delete one of them, or take "
            f"'{found[0]}' out of renamed_from"
        )
    if len(found) > 1:
        raise ValidationError(f"Cannot rename to host '{name}': several of its earlier names exist: {', '.join(found)}")
    return found[0] if found else None


def rename(
    client: CheckmkClient,
    old: str,
    new: str,
    *,
    activate_first: bool,
    timeout: float,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Rename ``old`` to ``new`` and wait for Checkmk's job. Pending changes are activated first only when
    ``activate_first`` (and only the user's own: other users' changes stop it, as in checkmk_activation)."""
    waiting = {"deadline": Deadline(timeout), **({"sleep": sleep} if sleep else {})}
    action = f"rename host '{old}' to '{new}'"
    changes, _etag = client.pending_changes()
    if changes and not activate_first:
        raise ConflictError(
            f"Cannot {action}: Checkmk renames a host only when no change is pending, and {len(changes)} are "
            f"({owners(changes)}); activate them first, or set activate_before_rename: true",
            status=409,
        )
    if changes:
        activate(client, Activation(timeout=timeout), check_mode=False, **({"sleep": sleep} if sleep else {}))
    _body, etag = client.get(object_path("host_config", old), action=f"read host '{old}' to rename it")
    path = object_path("host_config", old, "actions", "rename", "invoke")
    answer = client.request("PUT", path, body={"new_name": new}, etag=etag, ok=(200, 302, 303), action=action)
    if answer.status == 200:  # 2.2 renamed at once
        return
    method = "POST" if answer.status == 302 else "GET"  # 2.3's wait endpoint takes POST
    done = partial(_renamed, client, method, action)
    poll(done, what=f"The rename of host '{old}' to '{new}'", **waiting)


def _exists(client: CheckmkClient, name: str) -> bool:
    body, _etag = client.get(object_path("host_config", name), action=f"read host '{name}'")
    return body is not None


def _renamed(client: CheckmkClient, method: str, action: str) -> bool:
    return client.request(method, WAIT, ok=(204, 302), action=f"wait to {action}", setup=False).status == 204


class UnderEarlierName(HostResource):
    """Check mode's view of a host that the task would rename: read under its earlier name, reported under the
    new one, so that the plan shows the rename and whatever else would change, and nothing is sent."""

    def __init__(self, client: CheckmkClient, name: str, earlier: str, **options: Any) -> None:
        super().__init__(client, name, **options)
        self._path = object_path("host_config", earlier)

    def read(self) -> Model | None:
        current = super().read()
        return None if current is None else {**current, "name": self.name}


def renamed_host(
    client: CheckmkClient, params: Mapping[str, Any], *, check_mode: bool, **options: Any
) -> tuple[HostResource, str | None]:
    """The task's host resource, and the earlier name it had: renamed first when the host is to be present, one
    of ``renamed_from`` exists and ``name`` does not (check mode: a resource that reads it under its earlier
    name)."""
    present = params.get("state", "present") == "present"
    earlier = earlier_name(client, params["name"], (params.get("renamed_from") or []) if present else [])
    if earlier is None:
        return HostResource(client, params["name"], **options), None
    if check_mode:
        return UnderEarlierName(client, params["name"], earlier, **options), earlier
    rename(client, earlier, params["name"], activate_first=params["activate_before_rename"], timeout=params["timeout"])
    return HostResource(client, params["name"], **options), earlier


def with_rename(outcome: Outcome, earlier: str | None) -> Outcome:
    """A renamed host is changed, and was known by its earlier name before: the plan says ``change``, the name
    first (from the earlier to the new one), then whatever else changes."""
    if earlier is None:
        return outcome
    new = (outcome.before or outcome.after or {}).get("name")
    before = None if outcome.before is None else {**outcome.before, "name": earlier}
    changes = {"name": {"before": earlier, "after": new}, **(outcome.changes or {})}
    extra = {**outcome.extra, "renamed_from": earlier}
    return replace(outcome, changed=True, before=before, extra=extra, action="change", changes=changes)
