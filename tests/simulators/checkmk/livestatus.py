"""The Livestatus tables the downtime endpoints query (downtimes, hosts, services) and how Livestatus applies a
filter expression to their rows (contract 4.1: `{"op", "left", "right"}`, `and`/`or` over `expr`, `not`)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, str | int]

# The operators of a column filter; `!` negates the one it prefixes.
OPERATORS = ("=", "<", ">", "<=", ">=", "~", "~~", "!=", "!<", "!>", "!<=", "!>=", "!~", "!~~")
_ORDER: Mapping[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_LEADING_INTEGER = re.compile(r"\s*[+-]?\d+")


class QueryError(Exception):
    """A filter Livestatus refuses when it runs it: a regular expression against a number, or an invalid one."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: Mapping[str, type]  # str or int


DOWNTIMES = Table(
    "downtimes",
    {
        "id": int,
        "author": str,
        "comment": str,
        "start_time": int,
        "end_time": int,
        "entry_time": int,
        "fixed": int,
        "duration": int,  # seconds
        "recurring": int,
        "triggered_by": int,
        "type": int,  # 0 active, 1 pending
        "is_pending": int,
        "is_service": int,
        "host_name": str,
        "service_description": str,  # empty for host downtimes
    },
)
HOSTS = Table("hosts", {"name": str, "alias": str, "address": str, "state": int})
SERVICES = Table("services", {"host_name": str, "description": str, "display_name": str, "state": int})


def matches(expression: Mapping[str, Any] | None, row: Row) -> bool:
    """Whether the row passes a validated filter expression; an empty one passes everything."""
    if not expression:
        return True
    op = expression["op"]
    if op == "and":
        return all(matches(inner, row) for inner in expression["expr"])
    if op == "or":
        return any(matches(inner, row) for inner in expression["expr"])
    if op == "not":
        return not matches(expression["expr"], row)
    column = expression["left"].rpartition(".")[2]
    return compare(op.removeprefix("!"), row[column], expression["right"]) != op.startswith("!")


def compare(op: str, value: str | int, right: str) -> bool:
    """Livestatus' column filter: strings compare as text or by regular expression search (`~`, `~~` ignoring
    case), numbers numerically against the leading integer of `right` (0 if there is none)."""
    if isinstance(value, int):
        if op not in _ORDER:
            raise QueryError(f"Sorry, operator '{op}' is not implemented for integer columns.")
        return _ORDER[op](value, leading_integer(right))
    if op in ("~", "~~"):
        return search(right, value, ignore_case=op == "~~")
    return _ORDER[op](value, right)


def search(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    try:
        return re.search(pattern, value, re.IGNORECASE if ignore_case else 0) is not None
    except re.error as error:
        raise QueryError(f"invalid regular expression {pattern!r}: {error}") from None


def leading_integer(text: str) -> int:
    match = _LEADING_INTEGER.match(text)
    return int(match.group()) if match else 0
