# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensu check definitions: the one part of Sensu classic configured by files, not through the API.

Sensu reads every ``*.json`` file below its configuration directory (``/etc/sensu/conf.d``, recursively) at start,
and Sensu Enterprise again on a reload; the files are merged deeply. A check is written here as its own file,
``<conf_dir>/check_<name>.json`` holding ``{"checks": {"<name>": {...}}}``, in one canonical form (sorted keys, two
spaces, a final newline), so that the same declaration always gives the same bytes. The model is the check's
definition; a file is the declaration's whole, so the definition is compared and written whole.

A definition is checked with the rules of Sensu's own validator (sensu-settings, validators/check.rb) before
anything is written, as far as they can be checked here; Sensu checks the rest when it loads the file. Other files
of the directory that define the same check (Sensu would merge them into this one) or that are not valid JSON
(Sensu would not load its configuration) are reported as warnings.

The plan's entry of a check (type ``check``, the check's name) has the definition's leaf changes, by dotted path
within the definition (``interval``, ``proxy_requests.splay``), and the file's attributes that change
(``file.mode``, ``file.owner``, ...): both from the file as first read, so the same in check mode and when written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import first_line
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import valid_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Model,
    Outcome,
    Subject,
    action_of,
    leaf_changes,
)

AGGREGATE = re.compile(r"\A[\w.:|-]+\Z", re.ASCII)
SOURCE = re.compile(r"\A[\w.-]*(:{3}[\w|.-]+:{3}[\w.-]*|[\w.-]+)\Z", re.ASCII)

# The options of sensu_check that are attributes of the definition, by name.
OPTIONS = (
    "command",
    "extension",
    "subscribers",
    "interval",
    "cron",
    "standalone",
    "publish",
    "handlers",
    "timeout",
    "ttl",
    "ttl_status",
    "low_flap_threshold",
    "high_flap_threshold",
    "source",
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def validate_definition(name: str, definition: Mapping[str, Any]) -> None:
    """Sensu's check validator, the rules that need no server: a one-line error naming every problem."""
    problems = []
    command, extension = definition.get("command"), definition.get("extension")
    if (command is None) == (extension is None):
        problems.append("give either command or extension (not both)")
    for key in ("command", "extension", "cron", "source", "handler"):
        if key in definition and not isinstance(definition[key], str):
            problems.append(f"{key} must be a string")
    for key in ("publish", "standalone", "stdin"):
        if key in definition and not isinstance(definition[key], bool):
            problems.append(f"{key} must be true or false")
    if definition.get("publish") is not False and "cron" not in definition:
        interval = definition.get("interval")
        if not (_is_int(interval) and interval > 0):
            problems.append(
                "interval must be a whole number of seconds greater than 0 (or set cron, or publish: false)"
            )
    if not definition.get("standalone") and not _strings(definition.get("subscribers")):
        problems.append("subscribers must be a list of subscription names (or set standalone: true)")
    if "handlers" in definition and not _strings(definition["handlers"]):
        problems.append("handlers must be a list of handler names")
    timeout = definition.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, Real)):
        problems.append("timeout must be a number of seconds")
    if "ttl" in definition and not (_is_int(definition["ttl"]) and definition["ttl"] > 0):
        problems.append("ttl must be a whole number of seconds greater than 0")
    if "ttl_status" in definition and not _is_int(definition["ttl_status"]):
        problems.append("ttl_status must be a whole number")
    flapping = ("low_flap_threshold", "high_flap_threshold")
    if any(key in definition for key in flapping) and not all(_is_int(definition.get(key)) for key in flapping):
        problems.append("low_flap_threshold and high_flap_threshold go together, each a whole number (percent)")
    aggregates = definition.get("aggregates")
    if aggregates not in (None, False) and not (_strings(aggregates) and all(AGGREGATE.match(a) for a in aggregates)):
        problems.append("aggregates must be a list of names (letters, digits, '_', '.', ':', '|', '-')")
    source = definition.get("source")
    if source is not None and isinstance(source, str) and not SOURCE.match(source):
        problems.append("source must be a client name (letters, digits, '_', '.', '-', or :::tokens:::)")
    # Ruby's truth: only nil and false are unset ("" and 0 are set, and checked).
    aggregate = definition.get("aggregate")
    unset = aggregate is None or aggregate is False
    if not unset and not (aggregate is True or (isinstance(aggregate, str) and AGGREGATE.match(aggregate))):
        problems.append("aggregate must be true or a name (letters, digits, '_', '.', ':', '|', '-')")
    if problems:
        raise ValidationError(f"Invalid Sensu check {name!r}: {'; '.join(problems)}")


def check_definition(name: str, options: Mapping[str, Any], custom: Mapping[str, Any] | None) -> dict[str, Any]:
    """The definition a task declares: its options that are set, and ``custom`` (any other check attributes)."""
    valid_name("check", name, purpose="write a Sensu check")
    definition = {key: options[key] for key in OPTIONS if options.get(key) is not None}
    clash = sorted(set(custom or {}) & set(definition))
    if clash:
        raise ValidationError(f"Invalid Sensu check {name!r}: {', '.join(clash)} set both as an option and in custom")
    if "name" in (custom or {}):
        raise ValidationError(f"Invalid Sensu check {name!r}: the check's name is its key, not an attribute")
    definition.update(custom or {})
    validate_definition(name, definition)
    try:
        render(name, definition).encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise ValidationError(
            f"Invalid Sensu check {name!r}: a value cannot be written as JSON ({first_line(exc)})"
        ) from None
    return definition


# Ansible's file options the module takes (add_file_common_args) that set the file's attributes.
FILE_OPTIONS = ("mode", "owner", "group", "seuser", "serole", "selevel", "setype", "attributes")


def file_changes(found: Mapping[str, Any]) -> Model:
    """The file's attributes that change, from the diff Ansible's ``set_fs_attributes_if_different`` fills in."""
    before, after = found.get("before") or {}, found.get("after") or {}
    return {f"file.{key}": {"before": before.get(key), "after": value} for key, value in after.items()}


def declared_file_options(params: Mapping[str, Any]) -> Model:
    """The file's attributes a task declares, for a file not written yet: each with ``before`` None."""
    changes: Model = {}
    for key in FILE_OPTIONS:
        value = params.get(key)
        if value is not None:
            value = f"0{value:03o}" if key == "mode" and isinstance(value, int) else value
            changes[f"file.{key}"] = {"before": None, "after": value}
    return changes


def check_entry(name: str, outcome: Outcome, *, changed: bool, files: Model) -> Model:
    """The plan entry of a check: ``changed`` is the task's (the file's attributes may change it alone)."""
    definition = leaf_changes((outcome.before or {}).get("definition"), (outcome.after or {}).get("definition"))
    action = action_of(changed, outcome.before, outcome.after)
    return dataclasses.replace(outcome, action=action, changes={**definition, **files}).entry(
        Subject("sensu", "check", name)
    )


def render(name: str, definition: Mapping[str, Any]) -> str:
    """The file's text: one canonical form."""
    text = json.dumps({"checks": {name: definition}}, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return text + "\n"


@dataclass
class FileOps:
    """What writing a file takes beyond the library: a backup copy and the final move (Ansible's, which keeps a
    replaced file's owner, mode and SELinux context). Plain versions for tests."""

    backup: Callable[[str], str] | None = None
    move: Callable[[str, str], None] = os.replace
    backups: list[str] = field(default_factory=list)


class CheckFile:
    """One check definition in its own file below ``conf_dir`` (a Resource of the sync engine)."""

    exact = frozenset({"definition"})

    def __init__(self, conf_dir: str, name: str, *, ops: FileOps | None = None) -> None:
        valid_name("check", name, purpose="write a Sensu check")
        if not os.path.isdir(conf_dir):
            raise ValidationError(
                f"Cannot write Sensu check {name!r}: conf_dir {conf_dir!r} is not a directory "
                "(Sensu's configuration directory, /etc/sensu/conf.d by default)"
            )
        self.name = name
        self.conf_dir = conf_dir
        self.path = os.path.join(conf_dir, f"check_{name}.json")
        self.ops = ops or FileOps()

    def read(self) -> Model | None:
        if not os.path.lexists(self.path):
            return None
        try:
            with open(self.path, encoding="utf-8") as handle:
                content = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ValidationError(
                f"Cannot read Sensu check file {self.path!r}: {' '.join(str(exc).split())}; fix or remove it"
            ) from None
        checks = content.get("checks") if isinstance(content, dict) else None
        if not isinstance(checks, dict) or set(content) != {"checks"} or set(checks) != {self.name}:
            raise ValidationError(
                f"Cannot manage Sensu check {self.name!r}: {self.path!r} holds other settings than this check "
                "alone; move them to another file"
            )
        return {"name": self.name, "path": self.path, "definition": checks[self.name]}

    def create(self, desired: Model) -> Model:
        self._write(desired["definition"])
        return self._after(desired)

    def update(self, current: Model, desired: Model) -> Model:
        if self.ops.backup is not None:
            self.ops.backups.append(self.ops.backup(self.path))
        self._write(desired["definition"])
        return self._after(desired)

    def delete(self, current: Model) -> None:
        if self.ops.backup is not None:
            self.ops.backups.append(self.ops.backup(self.path))
        try:
            os.remove(self.path)
        except OSError as exc:
            raise MonitoringError(f"Cannot remove Sensu check file {self.path!r}: {exc.strerror}") from None

    def others(self) -> list[str]:
        """Warnings about the other files of the directory Sensu would read along with this one."""
        found = []
        for root, _dirs, files in os.walk(self.conf_dir):
            for file in sorted(files):
                path = os.path.join(root, file)
                if not file.endswith(".json") or path == self.path:
                    continue
                try:
                    with open(path, encoding="utf-8") as handle:
                        content = json.load(handle)
                except (OSError, ValueError):
                    found.append(f"{path} is not valid JSON: Sensu will not load its configuration")
                    continue
                checks = content.get("checks") if isinstance(content, dict) else None
                if isinstance(checks, dict) and self.name in checks:
                    found.append(f"{path} defines check {self.name!r} too: Sensu merges it into this one")
        return found

    def _after(self, desired: Model) -> Model:
        return {"name": self.name, "path": self.path, "definition": desired["definition"]}

    def _write(self, definition: Mapping[str, Any]) -> None:
        text = render(self.name, definition)
        temporary = None
        try:
            # Not *.json: Sensu never reads the half-written file.
            handle, temporary = tempfile.mkstemp(prefix=f".check_{self.name}.", suffix=".tmp", dir=self.conf_dir)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            self.ops.move(temporary, self.path)
        except (OSError, ValueError) as exc:  # ValueError: text that is no Unicode (a lone surrogate)
            reason = getattr(exc, "strerror", None) or first_line(exc)
            raise MonitoringError(f"Cannot write Sensu check file {self.path!r}: {reason}") from None
        finally:  # also when the move ends the module (Ansible's atomic_move fails the task itself)
            if temporary is not None and os.path.exists(temporary):
                os.remove(temporary)
