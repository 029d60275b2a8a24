# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a run: the ``plan`` entries of this collection's module results, object by object, as text, JSON
(``schemas/plan.schema.json``) and Markdown.

Modules report what they did, or would do in check mode, under ``plan`` (see ``module_utils/_sync.py``); this
module knows nothing about any module: it merges the entries of one object reported by several tasks, counts them,
and renders them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = "1.0"
ACTIONS = ("add", "change", "remove", "run", "none")
ENTRY_KEYS = frozenset({"backend", "type", "name", "action", "changes"})
# How text and Markdown mark each action, and how the summary line counts it (check mode, applied).
MARKS = {"add": "+", "change": "~", "remove": "-", "run": ">", "none": "="}
PLANNED = {"add": "to add", "change": "to change", "remove": "to remove", "run": "to run", "none": "unchanged"}
APPLIED = {"add": "added", "change": "changed", "remove": "removed", "run": "run", "none": "unchanged"}


def valid_entry(entry: Any) -> bool:
    """Whether ``entry`` has the shape every module returns (``_sync.plan_entry``)."""
    return (
        isinstance(entry, Mapping)
        and set(entry) == ENTRY_KEYS
        and all(isinstance(entry[k], str) for k in ("backend", "type", "name"))
        and entry["action"] in ACTIONS
        and isinstance(entry["changes"], Mapping)
        and all(isinstance(c, Mapping) and set(c) == {"before", "after"} for c in entry["changes"].values())
        and not (entry["action"] in ("remove", "none") and entry["changes"])
    )


def _merged(earlier: dict, later: Mapping) -> dict:
    """One object reported by two tasks: a later ``none`` keeps what an earlier task did; an object added and then
    changed is added; otherwise the later action. The changes keep the earliest before and the latest after."""
    if later["action"] == "none":
        return earlier
    action = "add" if earlier["action"] == "add" and later["action"] in ("add", "change") else later["action"]
    changes = {} if action == "remove" else dict(earlier["changes"])
    if action != "remove":
        for path, change in later["changes"].items():
            before = changes[path]["before"] if path in changes else change["before"]
            changes[path] = {"before": before, "after": change["after"]}
        changes = {p: c for p, c in changes.items() if c["before"] != c["after"] or action == "run"}
    if action == "change" and not changes:
        action = "none"  # changed by one task and changed back by another
    return {**earlier, "action": action, "changes": changes if action != "none" else {}}


@dataclass
class Plan:
    """The entries of one run, in the order first reported, one per object."""

    check_mode: bool
    entries: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    hidden: int = 0  # tasks whose result no_log hid: what they did is not in the plan
    failed: int = 0  # tasks that failed: the plan may be incomplete
    invalid: int = 0  # entries of an unexpected shape, left out

    def add(self, entries: Iterable[Any]) -> None:
        for entry in entries:
            if not valid_entry(entry):
                self.invalid += 1
                continue
            key = (entry["backend"], entry["type"], entry["name"])
            plain = {k: entry[k] for k in ("backend", "type", "name", "action")}
            plain["changes"] = {p: {"before": c["before"], "after": c["after"]} for p, c in entry["changes"].items()}
            self.entries[key] = _merged(self.entries[key], plain) if key in self.entries else plain

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for entry in self.entries.values():
            counts[entry["action"]] += 1
        return counts

    @property
    def empty(self) -> bool:
        """Nothing to add, change, remove or run: no drift (when complete)."""
        return not any(count for action, count in self.counts().items() if action != "none")

    @property
    def complete(self) -> bool:
        return not (self.hidden or self.failed or self.invalid)

    def summary(self) -> str:
        """``Plan: 3 to add, 2 to change, 1 to remove, 40 unchanged.`` (``Applied: ...`` outside check mode); runs
        are counted only where there are some."""
        words = PLANNED if self.check_mode else APPLIED
        counts = self.counts()
        shown = [a for a in ("add", "change", "remove", "run", "none") if a != "run" or counts["run"]]
        parts = ", ".join(f"{counts[a]} {words[a]}" for a in shown)
        return f"{'Plan' if self.check_mode else 'Applied'}: {parts}."

    def notes(self) -> list[str]:
        """What the plan does not show."""
        notes = []
        if self.failed:
            notes.append(f"{self.failed} task(s) failed: the plan may be incomplete.")
        if self.hidden:
            notes.append(f"{self.hidden} task(s) hid their result (no_log): their objects are not in the plan.")
        if self.invalid:
            notes.append(f"{self.invalid} plan entrie(s) of an unknown shape were left out.")
        return notes

    def groups(self, *, unchanged: bool) -> dict[tuple[str, str], list[dict]]:
        """The entries by backend and object type, in the order first reported; unchanged ones only if asked."""
        groups: dict[tuple[str, str], list[dict]] = {}
        for entry in self.entries.values():
            group = groups.setdefault((entry["backend"], entry["type"]), [])
            if unchanged or entry["action"] != "none":
                group.append(entry)
        return groups

    # --- formats ---------------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The plan as ``schemas/plan.schema.json`` describes it."""
        return {
            "format_version": FORMAT_VERSION,
            "mode": "check" if self.check_mode else "apply",
            "complete": self.complete,
            "empty": self.empty,
            "summary": {**self.counts(), "hidden_tasks": self.hidden, "failed_tasks": self.failed},
            "entries": list(self.entries.values()),
        }

    def text(self, *, unchanged: bool = False) -> list[tuple[str, str | None]]:
        """The plan as lines, each with the action it shows (for colour), ``None`` for headings and notes."""
        lines: list[tuple[str, str | None]] = []
        for (backend, kind), entries in self.groups(unchanged=unchanged).items():
            kept = len(self._unchanged(backend, kind))
            if not entries and not kept:
                continue
            lines.append((f"{backend} {kind}", None))
            for entry in entries:
                lines.append((f"  {MARKS[entry['action']]} {entry['name']}", entry["action"]))
                for path, change in entry["changes"].items():
                    lines.append((f"      {path}: {_change(change)}", entry["action"]))
            if kept and not unchanged:
                lines.append((f"  = {kept} unchanged", "none"))
        lines.extend((note, None) for note in self.notes())
        lines.append((self.summary(), None))
        return lines

    def markdown(self, *, unchanged: bool = False) -> str:
        """The plan as Markdown, for a merge request comment: the summary as heading, then a table."""
        rows = [entry for group in self.groups(unchanged=unchanged).values() for entry in group]
        out = [f"### {self.summary()}", ""]
        out.extend(f"> {note}" for note in self.notes())
        if self.notes():
            out.append("")
        if rows:
            out.append("| Action | Backend | Type | Name | Changes |")
            out.append("| --- | --- | --- | --- | --- |")
            for entry in rows:
                changes = "<br>".join(
                    f"`{_md(path)}`: {_md_change(change)}" for path, change in entry["changes"].items()
                )
                action = f"{MARKS[entry['action']]} {entry['action']}"
                cells = (action, entry["backend"], entry["type"], f"`{_md(entry['name'])}`", changes)
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        return "\n".join(out)

    def _unchanged(self, backend: str, kind: str) -> list[dict]:
        return [
            e for e in self.entries.values() if (e["backend"], e["type"]) == (backend, kind) and e["action"] == "none"
        ]


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _change(change: Mapping) -> str:
    if change["before"] is None:
        return _value(change["after"])
    return f"{_value(change['before'])} -> {_value(change['after'])}"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell and a code span."""
    return str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _md_change(change: Mapping) -> str:
    after = f"`{_md(_value(change['after']))}`"
    return after if change["before"] is None else f"`{_md(_value(change['before']))}` → {after}"
