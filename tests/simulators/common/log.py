"""The log of the API requests a simulator served: counts per operation (the route, with its parameters named:
`GET /objects/host_config/{host_name}`) and each request's method, path and status. Tests count requests here
to check request budgets; `DELETE /_simulator/request_counts` starts afresh."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any


class RequestLog:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.entries: list[dict[str, Any]] = []

    def record(self, method: str, rule: str | None, path: str, status: int) -> None:
        """One request: `rule` is the matched route (None when none matched), `path` the path with the query."""
        if rule is not None:
            self.counts[f"{method} {operation(rule)}"] += 1
        self.entries.append({"method": method, "path": path, "status": status})

    def clear(self) -> None:
        self.counts.clear()
        self.entries.clear()


def operation(rule: str) -> str:
    """A Flask route as the API documents name it: `<host_name>` and `<string:id>` become `{host_name}`, `{id}`."""
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)
