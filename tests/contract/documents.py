"""Reading the markdown documents in ../shared (contracts, seeds, READMEs) at test time: a section by its heading,
and the JSON objects written out in a text. Shared by the backends' contract helpers."""

from __future__ import annotations

import json
import re
from typing import Any


def section(text: str, title: str) -> str:
    """The part of a markdown text from the heading ``title`` to the next heading of its level or above."""
    start = text.index(title)
    body = text.index("\n", start)
    level = len(title.split(" ", 1)[0])
    end = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(text, body)
    return text[start : end.start() if end else len(text)]


def json_objects(text: str) -> tuple[Any, ...]:
    """Every JSON object written out in a text (those with `...` placeholders do not parse and are left out)."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"\{\s*\"", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        found.append(value)
    return tuple(found)


def with_keys(objects: tuple[Any, ...], keys: tuple[str, ...], where: str) -> Any:
    """The first of ``objects`` with exactly these top-level keys."""
    matches = [value for value in objects if isinstance(value, dict) and set(value) == set(keys)]
    assert matches, f"the contract has no example with the keys {keys} in {where!r}"
    return matches[0]
