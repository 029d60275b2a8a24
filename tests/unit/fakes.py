"""A fake transport that records every request and answers from a route table (Foreman's "no writes in check
mode" check, without cassettes)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response

BASE = "https://cmk.example/central/check_mk/api/1.0"
SECRET = "s3cr3t-value"
EMPTY_CHANGES = {"value": []}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    site: str = "central"


def reply(status: int = 200, body: Any = None, etag: str | None = None, version: str | None = None) -> Response:
    """An answer; ``version`` is the X-Checkmk-Version header (``2.4.0p18``)."""
    headers = {"Content-Type": "application/json"}
    if version:
        headers["X-Checkmk-Version"] = version
    if etag:
        headers["ETag"] = etag
    return Response(status, headers, json.dumps(body).encode() if body is not None else b"")


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"title": title, "status": status, "detail": detail, **extra}
    return Response(status, {"Content-Type": "application/problem+json"}, json.dumps(body).encode())


@dataclass
class FakeTransport:
    """Anys ``(method, path)`` from ``routes`` (a Response, a list consumed in order, or a callable);
    an unknown route fails the test. ``calls`` records everything; ``writes()`` the non-GET calls."""

    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        parts = urlsplit(url)
        site, api, path = parts.path.lstrip("/").partition("/check_mk/api/1.0")
        assert api and url.startswith("https://"), url
        query, data = dict(parse_qsl(parts.query)), json.loads(body) if body else None
        call = Call(method, path, query, dict(headers), data, site)
        self.calls.append(call)
        # Another site's API (CheckmkClient.at): routes are registered as "@<site>/path".
        answer = self.routes.get((method, path if site == "central" else f"@{site}{path}"))
        if answer is None:
            raise AssertionError(f"unexpected request {method} {path}")
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        return answer(call) if callable(answer) else answer

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]

    def on(self, method: str, path: str, *answers: Any) -> FakeTransport:
        self.routes[(method, path)] = list(answers) if len(answers) > 1 else answers[0]
        return self


def exact_downtime_queries(body: Any) -> list[dict[str, str]]:
    """The downtimes a ``delete_type: query`` body pins down, each by the columns it names: an ``and`` of ``=`` on the
    downtimes table's ``id``, ``host_name``, ``service_description`` and ``comment`` (how the collection names one
    downtime), or an ``or`` of such."""
    assert body["delete_type"] == "query", body
    query = body["query"]
    parts = query["expr"] if query["op"] == "or" else [query]
    found = []
    for part in parts:
        assert part["op"] == "and" and all(e["op"] == "=" for e in part["expr"]), part
        columns = {e["left"]: e["right"] for e in part["expr"]}
        assert set(columns) == {"id", "host_name", "service_description", "comment"}, columns
        found.append(columns)
    return found


def exact_downtime_query(body: Any) -> dict[str, str]:
    """The columns of a ``delete_type: query`` body that names one downtime."""
    (columns,) = exact_downtime_queries(body)
    return columns


def downtime_matches(columns: dict[str, str], downtime: dict[str, Any]) -> bool:
    """Whether a downtime (id, host_name, comment, service_description or None) is the one ``columns`` names."""
    row = {**downtime, "service_description": downtime.get("service_description") or ""}
    return all(str(row[column]) == value for column, value in columns.items())


def livestatus_matches(expression: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether a row passes a query of the forms this collection sends: ``and``/``or`` of ``=`` (exact)."""
    if expression["op"] in ("and", "or"):
        results = [livestatus_matches(e, row) for e in expression["expr"]]
        return all(results) if expression["op"] == "and" else any(results)
    assert expression["op"] == "=", expression
    return str(row[expression["left"]]) == expression["right"]


def query_values(expression: dict[str, Any], column: str) -> list[str]:
    """The values a query compares ``column`` with, in order: the candidates of a ``*_by_query`` command."""
    if expression["op"] in ("and", "or"):
        return list(dict.fromkeys(v for e in expression["expr"] for v in query_values(e, column)))
    return [expression["right"]] if expression["left"] == column else []
