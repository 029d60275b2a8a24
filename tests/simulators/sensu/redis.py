"""The Redis data store of a Sensu installation, in memory: the keys and commands the API and the server use
(strings, sets, lists, hashes, time to live), with Redis' own rules where the API shows them:

- `SET` drops a key's time to live; `EXPIRE` with a timeout of 0 or less deletes the key at once (Redis'
  EXPIRE documentation); `TTL` answers the remaining seconds rounded, -1 without a timeout, -2 without the key.
- A key whose time is up is gone, but a set that names it keeps naming it: the API's lists remove such stale
  members when they meet them (and count them in pagination before that).
- `SMEMBERS` answers members in the order they were first added (a real Redis answers in hash order, which is
  arbitrary); `HGETALL` in the order the fields were first set, as Redis does for small hashes.
- Every value is a string: what is stored is `to_s` of it (nil is "").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ruby import to_s


class Redis:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.data: dict[str, Any] = {}
        self.types: dict[str, str] = {}
        self.expires: dict[str, float] = {}  # key -> epoch (seconds) when it goes

    def flush(self) -> None:
        self.data.clear()
        self.types.clear()
        self.expires.clear()

    # --- Keys ------------------------------------------------------------------------------------------------

    def _live(self, key: str) -> bool:
        due = self.expires.get(key)
        if due is not None and self.clock() > due:
            self._drop(key)
        return key in self.data

    def _drop(self, key: str) -> None:
        self.data.pop(key, None)
        self.types.pop(key, None)
        self.expires.pop(key, None)

    def _get(self, key: str, kind: str) -> Any:
        if not self._live(key):
            return None
        if self.types[key] != kind:
            raise TypeError(f"WRONGTYPE {key} holds a {self.types[key]}")
        return self.data[key]

    def _create(self, key: str, kind: str, empty: Any) -> Any:
        value = self._get(key, kind)
        if value is None:
            value = empty
            self.data[key] = value
            self.types[key] = kind
        return value

    def _tidy(self, key: str) -> None:
        """Redis removes a set, list or hash that became empty."""
        if key in self.data and self.types[key] != "string" and not self.data[key]:
            self._drop(key)

    def keys(self) -> list[str]:
        return [key for key in list(self.data) if self._live(key)]

    def exists(self, key: str) -> bool:
        return self._live(key)

    def delete(self, *keys: str) -> int:
        gone = 0
        for key in keys:
            if self._live(key):
                self._drop(key)
                gone += 1
        return gone

    def expire(self, key: str, seconds: int) -> bool:
        if not self._live(key):
            return False
        if seconds <= 0:
            self._drop(key)
        else:
            self.expires[key] = self.clock() + seconds
        return True

    def ttl(self, key: str) -> int:
        if not self._live(key):
            return -2
        due = self.expires.get(key)
        if due is None:
            return -1
        return int((due - self.clock()) * 1000 + 500) // 1000

    def type_of(self, key: str) -> str | None:
        return self.types.get(key) if self._live(key) else None

    # --- Strings -----------------------------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        value: str | None = self._get(key, "string")
        return value

    def mget(self, *keys: str) -> list[str | None]:
        return [self.get(key) if self.type_of(key) in (None, "string") else None for key in keys]

    def set(self, key: str, value: Any) -> None:
        self._drop(key)
        self.data[key] = to_s(value)
        self.types[key] = "string"

    def setnx(self, key: str, value: Any) -> bool:
        if self._live(key):
            return False
        self.set(key, value)
        return True

    # --- Sets --------------------------------------------------------------------------------------------------

    def sadd(self, key: str, *members: Any) -> bool:
        found: dict[str, None] = self._create(key, "set", {})
        added = [to_s(member) for member in members if to_s(member) not in found]
        found.update(dict.fromkeys(added))
        return bool(added)

    def srem(self, key: str, *members: Any) -> bool:
        found: dict[str, None] | None = self._get(key, "set")
        if found is None:
            return False
        removed = [to_s(member) for member in members if to_s(member) in found]
        for member in removed:
            del found[member]
        self._tidy(key)
        return bool(removed)

    def smembers(self, key: str) -> list[str]:
        found = self._get(key, "set")
        return list(found) if found else []

    # --- Lists -------------------------------------------------------------------------------------------------

    def rpush(self, key: str, *values: Any) -> int:
        items: list[str] = self._create(key, "list", [])
        items.extend(to_s(value) for value in values)
        return len(items)

    def lrange(self, key: str, start: int, stop: int) -> list[str]:
        items = self._get(key, "list") or []
        first, last = _span(len(items), start, stop)
        return list(items[first : last + 1]) if first <= last else []

    def ltrim(self, key: str, start: int, stop: int) -> None:
        items = self._get(key, "list")
        if items is None:
            return
        first, last = _span(len(items), start, stop)
        items[:] = items[first : last + 1] if first <= last else []
        self._tidy(key)

    # --- Hashes ------------------------------------------------------------------------------------------------

    def hset(self, key: str, field: str, value: Any) -> bool:
        fields: dict[str, str] = self._create(key, "hash", {})
        new = field not in fields
        fields[field] = to_s(value)
        return new

    def hget(self, key: str, field: str) -> str | None:
        fields = self._get(key, "hash") or {}
        value: str | None = fields.get(field)
        return value

    def hgetall(self, key: str) -> dict[str, str]:
        return dict(self._get(key, "hash") or {})

    def hdel(self, key: str, field: str) -> bool:
        fields = self._get(key, "hash")
        if not fields or field not in fields:
            return False
        del fields[field]
        self._tidy(key)
        return True

    def dump(self) -> dict[str, Any]:
        """Every key with its type, value and time to live (for the state dump)."""
        return {
            key: {"type": self.types[key], "value": _copy(self.data[key], self.types[key]), "ttl": self.ttl(key)}
            for key in self.keys()
        }


def _span(length: int, start: int, stop: int) -> tuple[int, int]:
    """LRANGE/LTRIM indexes: negative ones count from the end, out-of-range ones are clamped."""
    first = max(start + length if start < 0 else start, 0)
    last = min(stop + length if stop < 0 else stop, length - 1)
    return first, last


def _copy(value: Any, kind: str) -> Any:
    if kind == "set":
        return list(value)
    if kind in ("list", "hash"):
        return type(value)(value)
    return value
