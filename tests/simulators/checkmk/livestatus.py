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
    return compile_filter(expression)(row)


def compile_filter(expression: Mapping[str, Any] | None) -> Callable[[Row], bool]:
    """The filter as a function of a row, to apply to many rows. An `or` of exact matches on the same columns (a
    list of names, or of downtimes by id and identity) is a set lookup, as fast as Livestatus' own."""
    if not expression:
        return lambda row: True
    op = expression["op"]
    if op == "not":
        inner = compile_filter(expression["expr"])
        return lambda row: not inner(row)
    if op == "or":
        keys = [_equalities(inner) for inner in expression["expr"]]
        columns = {tuple(pair[0] for pair in key) for key in keys if key is not None}
        if keys and None not in keys and len(columns) == 1:
            return _lookup(next(iter(columns)), [tuple(pair[1] for pair in key) for key in keys if key])
    if op in ("and", "or"):
        parts = [compile_filter(inner) for inner in expression["expr"]]
        combine = all if op == "and" else any
        return lambda row: combine(part(row) for part in parts)
    column, right, negated = expression["left"].rpartition(".")[2], expression["right"], op.startswith("!")
    return lambda row: compare(op.removeprefix("!"), row[column], right) != negated


def _equalities(expression: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """`column = value` or an `and` of such, as sorted (column, value) pairs; None for anything else."""
    inner = expression["expr"] if expression["op"] == "and" else [expression]
    if not inner or any(e.get("op") != "=" for e in inner):
        return None
    return sorted((e["left"].rpartition(".")[2], e["right"]) for e in inner)


def _lookup(columns: tuple[str, ...], rights: list[tuple[str, ...]]) -> Callable[[Row], bool]:
    """Whether a row's values in `columns` are one of `rights`, compared as `=` compares: numbers against the
    leading integer of the text."""
    wanted: dict[tuple[bool, ...], set] = {}

    def check(row: Row) -> bool:
        values = tuple(row[column] for column in columns)
        numeric = tuple(isinstance(value, int) for value in values)
        if numeric not in wanted:
            wanted[numeric] = {
                tuple(leading_integer(r) if n else r for r, n in zip(right, numeric, strict=True)) for right in rights
            }
        return values in wanted[numeric]

    return check


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
