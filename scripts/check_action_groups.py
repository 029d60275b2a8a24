#!/usr/bin/env python
"""Check that each action group in meta/runtime.yml lists exactly the modules of its backend.

The group ``checkmk`` must list every ``plugins/modules/checkmk_*.py`` module and nothing else, so that
``module_defaults: {group/lighthouse.monitoring.checkmk: ...}`` reaches every Checkmk module.
Run from the collection root; exits 1 and says what differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

# Backends whose group must exist; other groups found in meta/runtime.yml are checked too.
REQUIRED_GROUPS = ("checkmk",)
# Modules of a backend that take no connection options stay out of its group: module_defaults would hand them the
# group's connection options, which they do not accept.
OUTSIDE_GROUPS = {"sensu_check": "writes a file on the Sensu server, takes no connection options"}


def group_problems(group: str, members: object, modules_dir: Path) -> list[str]:
    """What is wrong with one action group, as messages (empty when the group is right)."""
    expected = sorted(path.stem for path in modules_dir.glob(f"{group}_*.py") if path.stem not in OUTSIDE_GROUPS)
    if not isinstance(members, list) or not all(isinstance(member, str) for member in members):
        return [f"action group {group!r} must be a list of module names"]
    problems = [f"action group {group!r} lacks {name}" for name in expected if name not in members]
    problems += [
        f"action group {group!r} lists {name}, which is not a {group}_* module"
        + (f" with connection options ({OUTSIDE_GROUPS[name]})" if name in OUTSIDE_GROUPS else "")
        for name in members
        if name not in expected
    ]
    if len(set(members)) != len(members):
        problems.append(f"action group {group!r} lists a module twice")
    return problems


def main() -> int:
    runtime = yaml.safe_load(Path("meta/runtime.yml").read_text(encoding="utf-8")) or {}
    groups = runtime.get("action_groups") or {}
    problems = []
    for group in sorted(set(groups) | set(REQUIRED_GROUPS)):
        problems += group_problems(group, groups.get(group), Path("plugins/modules"))
    for problem in problems:
        print(f"meta/runtime.yml: {problem}", file=sys.stderr)
    if not problems:
        print(f"action groups OK: {', '.join(f'{g} ({len(m)} modules)' for g, m in sorted(groups.items()))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
