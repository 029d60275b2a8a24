"""What openITCOCKPIT's answers owe to PHP: JSON as CakePHP's JsonView writes it, PHP 8's loose comparison (the
host/template diff), `serialize()` (changelog data), natural sorting and `h()`."""

from __future__ import annotations

import html
import json
import re
from typing import Any

_ESCAPE = re.compile(r'\\(["\\/bfnrtu])')
_HEX = {"<": "\\u003C", ">": "\\u003E", "'": "\\u0027", "&": "\\u0026", "/": "\\/"}
_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def to_json(data: Any) -> str:
    """JSON as `json_encode()` with CakePHP's JSON_HEX_TAG|APOS|AMP|QUOT: non-ASCII, `<>'&"` and `/` escaped."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    text = _ESCAPE.sub(lambda match: "\\u0022" if match.group(1) == '"' else match.group(0), text)
    return "".join(_HEX.get(char, char) for char in text)


def h(text: str) -> str:
    """CakePHP's h(): htmlspecialchars with ENT_QUOTES."""
    return html.escape(text, quote=True).replace("&#x27;", "&#039;")


def to_string(value: Any) -> str:
    """PHP's (string) cast of a scalar: true is "1", false and null are ""."""
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    return str(value)


def is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and _NUMERIC.fullmatch(value) is not None


def loose_eq(left: Any, right: Any) -> bool:
    """PHP 8's `==` on scalars (null, bool, int, float, string)."""
    if left is None and right is None:
        return True
    if isinstance(left, bool) or isinstance(right, bool) or left is None or right is None:
        if isinstance(left, str) and right is None:
            return left == ""
        if isinstance(right, str) and left is None:
            return right == ""
        return truthy(left) == truthy(right)
    if is_numeric(left) and is_numeric(right):
        return float(left) == float(right)
    return str(left) == str(right) if isinstance(left, str) or isinstance(right, str) else left == right


def truthy(value: Any) -> bool:
    """PHP's (bool) cast: "" and "0" are false."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def serialize(value: Any) -> str:
    """PHP's serialize() for None, bool, int, float, str, lists and dicts."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    items = value.items() if isinstance(value, dict) else enumerate(value)
    inner = "".join(serialize(key) + serialize(item) for key, item in items)
    return f"a:{len(value)}:{{{inner}}}"


def natural_key(text: str) -> list[Any]:
    """PHP's SORT_NATURAL | SORT_FLAG_CASE (natcasesort): digits compare as numbers, letters ignoring case."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)]
