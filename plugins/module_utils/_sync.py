# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one sync engine: desired state vs current state -> changed, before, after, diff.

Backend-neutral: a resource knows how to read, create, update and delete one object of one backend,
in the terms of a small model (a flat-ish dict); this module decides what to do and what to report.
Check mode is implemented here and only here: in check mode no resource write method is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, reread_settles

Model = dict[str, Any]
_MISSING = object()


class Resource(Protocol):
    """One object of a backend. ``exact`` names model keys (dotted paths) compared and written whole, e.g.
    ``{"attributes"}`` when the user asked to purge undeclared attributes; other dicts are merged. A resource may
    also name lists to merge, ``merged`` (a set of references such as templates): the declared items must be there,
    others stay, unless the key is also exact; and it may have ``refuse_update(current, desired)``, which raises for
    an update it could not carry out, before anything is written and in check mode too."""

    exact: frozenset[str]

    # Bodies are docstrings, not "...": the pycodestyle of ansible-test 2.17 and 2.18 refuses a def on one line (E704).
    def read(self) -> Model | None:
        """The object as it is, or None when it does not exist."""

    def create(self, desired: Model) -> Model:
        """Create the object; the object as created."""

    def update(self, current: Model, desired: Model) -> Model:
        """Change the object; the object as changed."""

    def delete(self, current: Model) -> None:
        """Delete the object."""


class Subject(NamedTuple):
    """What a plan entry is about: the backend (``checkmk``), the object type (``host``) and the object's name."""

    backend: str
    type: str
    name: str


# The actions of a plan entry: an object added, changed, removed or left as it was, or an operation run
# (an activation, a reload, an export, a check request).
ACTIONS = ("add", "change", "remove", "run", "none")


@dataclass(frozen=True)
class Outcome:
    """What happened, or would happen in check mode. ``action`` and ``changes`` say it for the plan: set by
    ``sync``; ``plan`` holds the entries of an outcome about several objects (bulk modules, downtimes)."""

    changed: bool
    before: Model | None
    after: Model | None
    extra: dict[str, Any] = field(default_factory=dict)
    action: str | None = None
    changes: Model | None = None
    plan: tuple[Model, ...] = ()

    def result(self, key: str | None, *, diff: bool, subject: Subject | None = None) -> dict[str, Any]:
        """The module result: ``changed``, the object under ``key``, ``plan`` and ``diff`` in diff mode.

        ``plan`` lists what the task did (or would do) object by object, in one shape for every module (see
        ``plan_entry``): the outcome's own entries, else one entry about ``subject``."""
        res: dict[str, Any] = {"changed": self.changed, **({} if key is None else {key: self.after}), **self.extra}
        res["plan"] = list(self.plan) if self.plan or subject is None else [self.entry(subject)]
        if diff:
            empty: dict = {}
            res["diff"] = {
                "before": empty if self.before is None else self.before,
                "after": empty if self.after is None else self.after,
            }
        return res

    def entry(self, subject: Subject) -> Model:
        """The plan entry of a single-object outcome."""
        action = self.action or action_of(self.changed, self.before, self.after)
        changes = self.changes if self.changes is not None else leaf_changes(self.before, self.after)
        return plan_entry(subject, action, changes if action in ("add", "change", "run") else {})


def action_of(changed: bool, before: Any, after: Any) -> str:
    """The plan action of a change from ``before`` to ``after`` (``None``: the object does not exist)."""
    if not changed:
        return "none"
    if before is None:
        return "add"
    return "remove" if after is None else "change"


def plan_entry(subject: Subject, action: str, changes: Model | None = None) -> Model:
    """One object of the plan, as every module returns it under ``plan``: ``backend``, ``type``, ``name``,
    ``action`` (one of ``ACTIONS``) and ``changes``, the values that differ by dotted path, each as
    ``{"before": ..., "after": ...}`` (``None`` where there is none); none for ``remove`` and ``none``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown plan action {action!r}")
    return {
        "backend": subject.backend,
        "type": subject.type,
        "name": subject.name,
        "action": action,
        "changes": dict(changes or {}) if action not in ("remove", "none") else {},
    }


def leaf_changes(before: Any, after: Any, path: str = "") -> Model:
    """The values that differ between ``before`` and ``after``, by dotted path: dicts are compared key by key
    (a dict that appears or goes counts as ``None`` on the other side), anything else (lists too) whole."""
    if _dict_or_none(before) and _dict_or_none(after) and (before is not None or after is not None):
        old, new = before or {}, after or {}
        changes: Model = {}
        for key in [*old, *(k for k in new if k not in old)]:
            changes.update(leaf_changes(old.get(key), new.get(key), _join(path, key)))
        return changes
    return {} if before == after else {path: {"before": before, "after": after}}


def _dict_or_none(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def sync(resource: Resource, state: str, desired: Model, *, check_mode: bool, attempts: int = 3) -> Outcome:
    """Bring one object to ``state``; the outcome says whether anything changed (or would, in check mode).

    A write that fails in a way that may have landed after all (lost answer, proxy error) or because the object
    changed since it was read (stale ETag) is never blindly repeated: the object is read again and the decision
    taken afresh, at most ``attempts`` times. ``before`` is always the first read."""
    first: Any = _MISSING
    for attempt in range(1, attempts + 1):
        current = resource.read()
        first = current if first is _MISSING else first
        try:
            acted, after = _apply(resource, state, desired, current, check_mode=check_mode)
        except MonitoringError as exc:
            if attempt < attempts and reread_settles(exc):
                continue
            raise
        # After an uncertain earlier attempt, the object may already be as desired: that attempt changed it.
        changed = acted or (attempt > 1 and _changed_since(first, after, state))
        return Outcome(
            changed,
            first,
            after,
            action=action_of(changed, first, None if state == "absent" else desired),
            changes=_planned(resource, state, desired, first) if changed else {},
        )
    return Outcome(False, first, first, action="none", changes={})  # attempts < 1: nothing tried


def _planned(resource: Resource, state: str, desired: Model, first: Model | None) -> Model:
    """The plan's changes, from the first read: the same in check mode and when applied."""
    if state == "absent":
        return {}
    if first is None:
        return leaf_changes(None, desired)
    exact, merged = resource.exact, getattr(resource, "merged", frozenset())
    return leaf_changes(first, overlay(first, desired, exact=exact, merged=merged))


def _apply(
    resource: Resource, state: str, desired: Model, current: Model | None, *, check_mode: bool
) -> tuple[bool, Model | None]:
    """What one attempt does: (whether it wrote, or would write, anything; the object after)."""
    if state == "absent":
        if current is None:
            return False, None
        if not check_mode:
            resource.delete(current)
        return True, None
    if current is None:
        return True, desired if check_mode else resource.create(desired)
    exact, merged = resource.exact, getattr(resource, "merged", frozenset())
    if not differs(current, desired, exact=exact, merged=merged):
        return False, current
    refuse = getattr(resource, "refuse_update", None)
    if refuse is not None:  # an update the resource cannot carry out is refused in check mode too
        refuse(current, desired)
    after = overlay(current, desired, exact=exact, merged=merged) if check_mode else resource.update(current, desired)
    return True, after


def _changed_since(first: Model | None, after: Model | None, state: str) -> bool:
    if state == "absent":
        return first is not None
    return first is None or first != after


def differs(
    current: Any,
    desired: Any,
    *,
    exact: frozenset[str] = frozenset(),
    merged: frozenset[str] = frozenset(),
    path: str = "",
) -> bool:
    """Whether ``current`` differs from ``desired`` in what ``desired`` declares.

    Dicts are compared key by key, recursively, and only for the keys ``desired`` has; a dict whose
    dotted path is in ``exact`` must match entirely (no extra keys in ``current``). A list whose path is in
    ``merged`` (and not in ``exact``) differs only when an item of ``desired`` is missing from ``current``."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return True
        if path in exact and set(current) != set(desired):
            return True
        inner = exact | {_join(path, k) for k in desired} if path in exact else exact
        return any(
            differs(current.get(k, _MISSING), v, exact=inner, merged=merged, path=_join(path, k))
            for k, v in desired.items()
        )
    if isinstance(desired, list) and path in merged and path not in exact:
        return not isinstance(current, list) or any(item not in current for item in desired)
    return current != desired


def overlay(
    current: Any,
    desired: Any,
    *,
    exact: frozenset[str] = frozenset(),
    merged: frozenset[str] = frozenset(),
    path: str = "",
) -> Any:
    """``current`` with ``desired`` laid over it: the state after an update, as ``differs`` understands it."""
    if isinstance(desired, list) and path in merged and path not in exact and isinstance(current, list):
        return current + [item for item in desired if item not in current]
    if not isinstance(desired, dict) or not isinstance(current, dict) or path in exact:
        return desired
    merged_dict = dict(current)
    for key, value in desired.items():
        merged_dict[key] = overlay(current.get(key), value, exact=exact, merged=merged, path=_join(path, key))
    return merged_dict


def changed_keys(
    current: Model,
    desired: Model,
    *,
    exact: frozenset[str] = frozenset(),
    merged: frozenset[str] = frozenset(),
    path: str = "",
) -> Model:
    """The top-level entries of ``desired`` that differ from ``current``, each overlaid on its current value."""
    return {
        key: overlay(current.get(key), value, exact=exact, merged=merged, path=_join(path, key))
        for key, value in desired.items()
        if differs(current.get(key, _MISSING), value, exact=exact, merged=merged, path=_join(path, key))
    }


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)
