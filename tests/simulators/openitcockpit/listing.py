"""openITCOCKPIT's lists: `filter[...]` (Filter.php's LIKE, regex, equals and bool filters), `sort`/`direction`
(SanitizeOrder, then the column's SQL order) and paging or scrolling (PaginateOMat, Cake4Paginator, ScrollIndex)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from .errors import internal
from .php import truthy

Row = Any
Getter = Callable[[Row], Any]
Predicate = Callable[[Any], bool]
FilterSpec = Mapping[str, tuple[str, Getter]]  # filter key -> (kind, the row's value)

DEFAULT_LIMIT = 25  # the user's paginatorlength (a new user's) and ScrollIndex's fallback
_FILTER_KEY = re.compile(r"filter\[([^\]]+)\](\[\])?")
_SORT_KEY = re.compile(r"sort\[([^\]]+)\]")
_SAFE_SORT = re.compile(r"[a-zA-Z_]+(\.[a-zA-Z_]+)*")
_STATES = {"up": 0, "down": 1, "unreachable": 2, "ok": 0, "warning": 1, "critical": 2, "unknown": 3}


class Filters:
    """The `filter[...]` query parameters of a GET request, read as Filter::getConditionsByFilters() does."""

    def __init__(self, args: MultiDict[str, str]) -> None:
        self.values: dict[str, str | list[str]] = {}
        for key in args:
            match = _FILTER_KEY.fullmatch(key)
            if match:
                values = args.getlist(key)
                self.values[match.group(1)] = values if match.group(2) else values[-1]

    def scalar(self, name: str) -> str | None:
        value = self.values.get(name)
        return "Array" if isinstance(value, list) else value

    def like(self, name: str) -> Predicate | None:
        """`LIKE '%v%'`: `%` and `_` stay wildcards; ignoring case (MySQL's default collation)."""
        value = self.scalar(name)
        if not truthy(value):
            return None
        pattern = like_pattern(str(value))
        return lambda field: field is not None and pattern.search(str(field)) is not None

    def rlike(self, name: str) -> Predicate | None:
        """`RLIKE '.*(v1|v2).*'`; an invalid expression drops the filter."""
        value = self.values.get(name)
        if not value:
            return None
        try:
            pattern = re.compile("(" + "|".join(value if isinstance(value, list) else [value]) + ")", re.IGNORECASE)
        except re.error:
            return None
        return lambda field: field is not None and pattern.search(str(field)) is not None

    def notrlike(self, name: str) -> Predicate | None:
        matches = self.rlike(name)
        return None if matches is None else lambda field: field is None or not matches(field)

    def downtime(self, name: str) -> Predicate | None:
        """`true`: in a downtime (depth at least 1), `false`: not."""
        value = self.scalar(name)
        if value in ("1", "true"):
            return bool
        if value in ("0", "false"):
            return lambda field: not field
        return None

    def like_or_rlike(self, name: str) -> Predicate | None:
        return self.rlike(name) if self.values.get(f"{name}_regex") in ("1", "true") else self.like(name)

    def equals(self, name: str) -> Predicate | None:
        """`= v`, or `IN (...)` for `filter[x][]=`; an empty value is no filter, `0` is one."""
        value = self.values.get(name)
        if isinstance(value, list):
            wanted = value
        elif value is not None and (truthy(value) or value == "0"):
            wanted = [value]
        else:
            return None
        return lambda field: any(sql_equal(field, item) for item in wanted)

    def boolean(self, name: str) -> Predicate | None:
        value = self.scalar(name)
        if value in ("1", "true"):
            return bool
        if value in ("0", "false"):
            return lambda field: not field
        return None

    def state(self, name: str) -> Predicate | None:
        """Host or service states by name (`up`, `down`, ... `unknown`), scalar or `[]`."""
        value = self.values.get(name)
        names = value if isinstance(value, list) else [value] if value else []
        wanted = {_STATES[item] for item in names if item in _STATES}
        return (lambda field: field in wanted) if wanted else None

    def apply(self, rows: Iterable[Row], spec: FilterSpec) -> list[Row]:
        checks = []
        for name, (kind, getter) in spec.items():
            predicate = getattr(self, kind)(name)
            if predicate is not None:
                checks.append((getter, predicate))
        return [row for row in rows if all(predicate(getter(row)) for getter, predicate in checks)]


def like_pattern(value: str) -> re.Pattern[str]:
    parts = {"%": ".*", "_": "."}
    return re.compile("".join(parts.get(char, re.escape(char)) for char in value), re.IGNORECASE | re.DOTALL)


def sql_equal(field: Any, wanted: str) -> bool:
    """MySQL's `=` between a column and a query string: numbers as numbers, text ignoring case."""
    if isinstance(field, (bool, int)):
        match = re.match(r"\s*[+-]?\d+", wanted)
        return match is not None and int(match.group()) == int(field)
    return field is not None and str(field).casefold() == wanted.casefold()


def sql_key(value: Any) -> tuple[int, Any]:
    """ORDER BY: NULL first, text ignoring case."""
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    return (1, value)


def order(
    rows: Iterable[Row],
    args: MultiDict[str, str],
    columns: Mapping[str, Getter],
    default: Sequence[tuple[str, str]],
    tiebreak: Sequence[tuple[str, str]] = (),
) -> list[Row]:
    """Sort as `ORDER BY <sort> <direction>, <tiebreak>`: `sort` must look like a column (else FishyQueryException),
    and name one this list knows (else an SQL error): both answer 500."""
    keys = [*requested_order(args, default), *tiebreak]
    for name, _direction in keys:
        if name not in columns:
            raise internal()
    ordered = list(rows)
    for name, direction in reversed(keys):
        getter = columns[name]
        ordered.sort(key=lambda row, get=getter: sql_key(get(row)), reverse=direction == "desc")
    return ordered


def requested_order(args: MultiDict[str, str], default: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Filter::getOrderForPaginator(): `sort` + `direction` (`asc`/`desc`, else the default's), or
    `sort[Column]=desc`; without `sort`, the default order."""
    pairs = [(match.group(1), args[key]) for key in args if (match := _SORT_KEY.fullmatch(key))]
    if pairs:
        return [(_safe(name), direction if direction in ("asc", "desc") else "asc") for name, direction in pairs]
    sort = args.get("sort", "")
    if not sort:
        return list(default)
    direction = args.get("direction")
    return [(_safe(sort.strip()), direction if direction in ("asc", "desc") else default[0][1])]


def _safe(column: str) -> str:
    if not _SAFE_SORT.fullmatch(column):
        raise internal()
    return column


def is_scroll(args: MultiDict[str, str]) -> bool:
    """AppController::isScrollRequest(): anything but a missing or `false` scroll parameter scrolls."""
    return args.get("scroll", "false") != "false"


def page_number(args: MultiDict[str, str]) -> int:
    match = re.match(r"\s*[+-]?\d+", args.get("page", ""))
    number = int(match.group()) if match else 0
    return number if number > 0 else 1


def limit_of(args: MultiDict[str, str]) -> int:
    match = re.fullmatch(r"\s*\+?\d+\s*", args.get("limit", ""))
    number = int(match.group()) if match else 0
    return number if number > 0 else DEFAULT_LIMIT


def paginate(rows: Sequence[Row], args: MultiDict[str, str]) -> tuple[list[Row], dict[str, Any]]:
    """One page of `rows`, and the block the answer gets: `{"paging": {...}}` or, scrolling, `{"scroll": {...}}`."""
    page, limit = page_number(args), limit_of(args)
    chosen = list(rows[(page - 1) * limit : page * limit])
    if is_scroll(args):
        return chosen, {"scroll": scroll_block(page, limit, len(chosen))}
    return chosen, {"paging": paging_block(page, limit, len(chosen), len(rows))}


def paging_block(page: int, limit: int, current: int, count: int) -> dict[str, Any]:
    return {
        "page": page,
        "current": current,
        "count": count,
        "prevPage": page > 1,
        "nextPage": page * limit < count,
        "pageCount": max(1, math.ceil(count / limit)),
        "limit": limit,
        "options": [],
        "paramType": "named",
        "queryScope": None,
    }


def scroll_block(page: int, limit: int, current: int) -> dict[str, Any]:
    return {
        "page": page,
        "limit": limit,
        "offset": (page - 1) * limit,
        "hasPrevPage": page != 1,
        "prevPage": page - 1 if page != 1 else 1,
        "nextPage": page + 1,
        "current": page,
        "hasNextPage": current == limit,
    }


def key_values(pairs: Iterable[tuple[Any, str]]) -> list[dict[str, Any]]:
    """Api::makeItJavaScriptAble(): `[{"key": id, "value": label}, ...]`."""
    return [{"key": key, "value": value} for key, value in pairs]
