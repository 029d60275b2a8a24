"""Listing config objects: `s.<column>` searches, `json_filter` (a subset of SQL::Abstract), `order`, `cols`,
`rows` and `page`, and the `summary` block (all values strings)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from werkzeug.datastructures import MultiDict

from .errors import OpsviewError, bad_request
from .model import TYPES, Index, Obj, Objects, Renderer, fold

DEFAULT_ROWS = 50


def search_error(detail: str) -> OpsviewError:
    return bad_request("Error executing search", detail)


def like(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regular expression: `%` any run of characters, `_` one; case ignored (MySQL's collation)."""
    translated = "".join(".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern)
    return re.compile(translated, re.IGNORECASE | re.DOTALL)


def column(objects: Objects, kind: str, obj: Obj, name: str) -> list[str | None] | None:
    """The values of a column as SQL sees them (strings; a reference's `name` or `id`, several for a list), or
    None for a column the type does not have."""
    name = name.removeprefix("me.")
    if name == "id":
        return [str(obj["id"])]
    base, _dot, sub = name.partition(".")
    spec = TYPES[kind].fields.get(base)
    if spec is None or spec.kind == "special":
        return None
    if spec.kind in ("ref", "refs"):
        if sub not in ("name", "id", ""):
            return None
        ids = obj[base] if spec.kind == "refs" else [obj[base]]
        targets = objects.get(spec.target, {})
        key = sub or "name"
        return [
            str(object_id) if key == "id" else targets[object_id]["name"] for object_id in ids if object_id in targets
        ]
    if sub:
        return None
    value = obj[base]
    if isinstance(value, bool):
        return ["1" if value else "0"]
    return [None if value is None else str(value)]


def _equal(value: str | None, wanted: Any) -> bool:
    if wanted is None or value is None:
        return wanted is None and value is None
    return fold(value) == fold(str(wanted))


def _compare(operator: str) -> Callable[[str | None, Any], bool]:
    def check(value: str | None, wanted: Any) -> bool:
        if value is None or wanted is None:
            return False
        left: Any = value
        right: Any = str(wanted)
        if re.fullmatch(r"-?\d+(\.\d+)?", left) and re.fullmatch(r"-?\d+(\.\d+)?", right):
            left, right = float(left), float(right)
        else:
            left, right = fold(left), fold(right)
        return bool({"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator])

    return check


OPERATORS: Mapping[str, Callable[[str | None, Any], bool]] = {
    "=": _equal,
    "==": _equal,
    "!=": lambda value, wanted: not _equal(value, wanted),
    "<>": lambda value, wanted: not _equal(value, wanted),
    "-like": lambda value, wanted: value is not None and like(str(wanted)).fullmatch(value) is not None,
    "like": lambda value, wanted: value is not None and like(str(wanted)).fullmatch(value) is not None,
    "-not_like": lambda value, wanted: value is not None and like(str(wanted)).fullmatch(value) is None,
    "not like": lambda value, wanted: value is not None and like(str(wanted)).fullmatch(value) is None,
    "<": _compare("<"),
    ">": _compare(">"),
    "<=": _compare("<="),
    ">=": _compare(">="),
}


class Search:
    """One listing request against the objects of `kind`."""

    def __init__(self, objects: Objects, kind: str, args: MultiDict[str, str]) -> None:
        self.objects = objects
        self.kind = kind
        self.args = args
        self.filter = self._json_filter()

    def _json_filter(self) -> Any:
        text = self.args.get("json_filter")
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise search_error(f"json_filter is not valid JSON: {exc}") from None

    def matches(self, obj: Obj) -> bool:
        return self._searches(obj) and (self.filter is None or self._expression(obj, self.filter))

    def _searches(self, obj: Obj) -> bool:
        """`s.<column>=value`: exact (case ignored), LIKE when the value has a `%`; a repeated parameter is OR,
        several parameters AND; columns the type does not have are ignored."""
        for key in self.args:
            if not key.startswith("s."):
                continue
            values = column(self.objects, self.kind, obj, key[2:])
            if values is None:
                continue
            wanted = self.args.getlist(key)
            if not any(
                (like(item).fullmatch(value) if "%" in item else fold(value) == fold(item))
                for item in wanted
                for value in values
                if value is not None
            ):
                return False
        return True

    def _expression(self, obj: Obj, expression: Any) -> bool:
        if isinstance(expression, list):  # an array of conditions is OR
            return any(self._expression(obj, item) for item in expression)
        if not isinstance(expression, dict):
            raise search_error(f"Not a condition: {json.dumps(expression)}")
        return all(self._clause(obj, key, value) for key, value in expression.items())

    def _clause(self, obj: Obj, key: str, value: Any) -> bool:
        if key in ("-or", "-and"):
            items = value if isinstance(value, list) else [{name: item} for name, item in value.items()]
            results = [self._expression(obj, item) for item in items]
            return any(results) if key == "-or" else all(results)
        if key == "-not":
            return not self._expression(obj, value)
        values = column(self.objects, self.kind, obj, key)
        if values is None or "." in key.removeprefix("me."):
            raise search_error(f"Unknown column '{key}' in 'where clause'")
        return any(self._condition(found, value) for found in values) if values else self._condition(None, value)

    def _condition(self, found: str | None, condition: Any) -> bool:
        if isinstance(condition, list):  # a column with an array of values: any of them
            return any(self._condition(found, item) for item in condition)
        if not isinstance(condition, dict):
            return _equal(found, condition)
        for operator, operand in condition.items():
            name = operator.lower()
            if name in ("-in", "-not_in"):
                if not isinstance(operand, list):
                    raise search_error(f"{operator} needs an array")
                inside = any(_equal(found, item) for item in operand)
                if inside != (name == "-in"):
                    return False
            elif name in OPERATORS:
                if isinstance(operand, list):
                    if not any(OPERATORS[name](found, item) for item in operand):
                        return False
                elif not OPERATORS[name](found, operand):
                    return False
            else:
                raise search_error(f"Unknown operator '{operator}'")
        return True

    def order(self, found: list[Obj]) -> list[Obj]:
        """`order=col[,col2]`, `_desc` for descending; host groups also `dependency` (the tree's order).
        Default: by name (case ignored), then id."""
        spec = self.args.get("order", "")
        if self.kind == "hostgroup" and spec == "dependency":
            rank = {group: position for position, group in enumerate(Index(self.objects).tree())}
            return sorted(found, key=lambda obj: rank.get(obj["id"], len(rank)))
        found = sorted(found, key=lambda obj: (fold(obj["name"]), obj["id"]))
        for item in reversed([item for item in spec.split(",") if item]):
            name, descending = (item[: -len("_desc")], True) if item.endswith("_desc") else (item, False)
            if column(self.objects, self.kind, found[0] if found else _blank(self.kind), name) is None:
                raise search_error(f"Unknown column '{name}' in 'order clause'")
            found.sort(key=lambda obj, name=name: self._sort_key(obj, name), reverse=descending)
        return found

    def _sort_key(self, obj: Obj, name: str) -> tuple[Any, ...]:
        values = column(self.objects, self.kind, obj, name) or [None]
        value = values[0]
        if value is None:
            return (0, 0, "")
        if re.fullmatch(r"-?\d+", value):
            return (1, int(value), "")
        return (2, 0, fold(value))

    def paging(self) -> tuple[int | None, int]:
        """`rows` (None for `all`) and `page`, or 400."""
        rows_text = self.args.get("rows", str(DEFAULT_ROWS))
        page_text = self.args.get("page", "1")
        if rows_text != "all" and not rows_text.isdigit():
            raise bad_request(f"Invalid rows: {rows_text}")
        if not page_text.isdigit() or int(page_text) < 1:
            raise bad_request(f"Invalid page: {page_text}")
        return (None if rows_text == "all" else int(rows_text)), int(page_text)

    def columns(self) -> tuple[list[str], list[str], list[str]]:
        """`cols`: `+x` adds an optional column, `-x` leaves one out, plain names keep only those (and id, ref)."""
        items = [item.strip() for item in self.args.get("cols", "").split(",") if item.strip()]
        added = [item[1:] for item in items if item.startswith("+")]
        removed = [item[1:] for item in items if item.startswith("-")]
        only = [item for item in items if item[0] not in "+-"]
        return added, removed, only

    def answer(self) -> dict[str, Any]:
        candidates = list(self.objects[self.kind].values())
        found = self.order([obj for obj in candidates if self.matches(obj)])
        rows, page = self.paging()
        if rows is None:
            shown, pages, page = found, 1, 1
        elif rows == 0:
            shown, pages = [], 1
        else:
            pages = max(1, math.ceil(len(found) / rows))
            shown = found[(page - 1) * rows : page * rows]
        return {
            "list": [self.render(obj) for obj in shown],
            "summary": {
                "allrows": str(len(candidates)),
                "page": str(page),
                "rows": str(len(shown)),
                "totalpages": str(pages),
                "totalrows": str(len(found)),
            },
        }

    def render(self, obj: Obj, renderer: Renderer | None = None) -> Obj:
        added, removed, only = self.columns()
        out = (renderer or self.renderer).object(self.kind, obj, extra=added)
        if only:
            out = {key: value for key, value in out.items() if key in {*only, *added, "id", "ref"}}
        return {key: value for key, value in out.items() if key not in removed}

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.objects)


def _blank(kind: str) -> Obj:
    spec = TYPES[kind]
    return {"id": 0, **{name: ([] if field.kind == "refs" else None) for name, field in spec.fields.items()}}
