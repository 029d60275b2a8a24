"""Checkmk's error responses (problem+json)."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """An error answered as `{"title", "status", "detail"[, "fields"][, "ext"]}`, in that key order."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        fields: dict[str, Any] | None = None,
        ext: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.body: dict[str, Any] = {"title": title, "status": status, "detail": detail}
        if fields is not None:
            self.body["fields"] = fields
        if ext is not None:
            self.body["ext"] = ext


def field_problem(fields: dict[str, Any], *, status: int = 400) -> Problem:
    """A marshmallow validation error: 400 for body and query, 404 for path parameters."""
    title = "Not Found" if status == 404 else "Bad Request"
    return Problem(status, title, f"These fields have problems: {', '.join(fields)}", fields=fields)
