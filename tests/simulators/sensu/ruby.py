"""What the Sensu source gets from Ruby and its libraries, where Python differs: truthiness, `String#split`,
`to_s`/`inspect`, regular expressions (`\\w` is ASCII, `^`/`$` match at lines), `Array#uniq`, lenient Base64
(`unpack("m")`), `URI.unescape`, and Sensu::JSON (Oj in strict mode: any JSON value, no NaN)."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!=]?\Z")
_INTEGER = re.compile(r"\s*([+-]?\d+)")


class JsonError(ValueError):
    """Sensu::JSON::ParseError: the text is not JSON."""


def rx(pattern: str) -> re.Pattern[str]:
    """A Ruby regular expression: `\\w` and `\\d` are ASCII, `^` and `$` match at every line (write `\\A`, `\\Z`
    for Ruby's `\\A`, `\\z`)."""
    return re.compile(pattern, re.ASCII | re.MULTILINE)


def matches(regex: re.Pattern[str], value: Any) -> bool:
    """`(value =~ regex) == 0`: a string whose first match starts at its beginning (`=~` on anything but a string
    is nil)."""
    if not isinstance(value, str):
        return False
    found = regex.search(value)
    return found is not None and found.start() == 0


def equal(one: Any, two: Any) -> bool:
    """Ruby `==` of JSON values: 1 == 1.0, but true is not 1; hashes and arrays item by item."""
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one is two
    if is_numeric(one) and is_numeric(two):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    return type(one) is type(two) and bool(one == two)


def truthy(value: Any) -> bool:
    """Ruby truth: everything but nil and false (0, "" and [] are true)."""
    return value is not None and value is not False


def is_integer(value: Any) -> bool:
    """`value.is_a?(Integer)`: a JSON integer, not a float, not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def split(text: str, separator: str) -> list[str]:
    """`String#split(separator)`: trailing empty strings dropped; a single space splits on runs of whitespace."""
    parts = text.split() if separator == " " else text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def to_i(value: Any) -> int:
    """`to_i` of a Redis string (or a number): the leading integer, 0 without one."""
    if is_integer(value):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    found = _INTEGER.match(str(value)) if value is not None else None
    return int(found.group(1)) if found else 0


def float_to_s(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-4 <= abs(value) < 1e16:
        return repr(value)
    mantissa, exponent = repr(value).split("e")
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent}"


def to_s(value: Any) -> str:
    """`to_s`, e.g. of a filter's object attribute, or of a value Redis stores (nil is "")."""
    if value is None:
        return ""
    return value if isinstance(value, str) else inspect(value)


def inspect(value: Any) -> str:
    """`inspect` (Ruby 2.4): hashes with symbol keys, as Sensu::JSON loads them."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("#{", "\\#{")
    if isinstance(value, list):
        return "[" + ", ".join(inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{symbol(key)}=>{inspect(item)}" for key, item in value.items()) + "}"
    return repr(value)


def symbol(key: Any) -> str:
    text = str(key)
    return f":{text}" if _SYMBOL.match(text) else f":{inspect(text)}"


def uniq(items: list[Any]) -> list[Any]:
    """`Array#uniq` (eql?): 1, 1.0 and true are three items."""
    seen: set[str] = set()
    kept = []
    for item in items:
        key = f"{type(item).__name__}:{json.dumps(item, sort_keys=True)}"
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def decode64(text: str) -> bytes:
    """`Base64.decode64` (`unpack("m")`): characters outside the alphabet are skipped, `=` ends the data, missing
    padding is fine."""
    out = bytearray()
    group: list[int] = []
    for char in text:
        if char == "=":
            break
        index = BASE64.find(char)
        if index < 0:
            continue
        group.append(index)
        if len(group) == 4:
            bits = (group[0] << 18) | (group[1] << 12) | (group[2] << 6) | group[3]
            out += bits.to_bytes(3, "big")
            group = []
    if len(group) >= 2:
        bits = (group[0] << 18) | (group[1] << 12) | ((group[2] << 6) if len(group) == 3 else 0)
        out += bits.to_bytes(3, "big")[: len(group) - 1]
    return bytes(out)


def unescape(text: str) -> str:
    """`URI.unescape`: `%XX` decoded, `+` kept."""
    return unquote(text, errors="replace")


def _no_constant(name: str) -> Any:
    raise JsonError(f"unexpected token {name}")


def load_json(text: str | bytes) -> Any:
    """Sensu::JSON.load: any JSON value; NaN and Infinity are errors; later duplicate keys win."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise JsonError(str(exc)) from None


def dump_json(value: Any) -> str:
    """Sensu::JSON.dump: compact, UTF-8."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
