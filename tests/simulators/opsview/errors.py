"""Opsview's error answers: a status and `{"message": ..., "detail"?: ...}` (plus, for a bulk rollback, the count)."""

from __future__ import annotations

from typing import Any


class OpsviewError(Exception):
    """An error answered as `{"message"[, "detail"][, ...extra]}` with `status`."""

    def __init__(self, status: int, message: str, detail: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message}
        if detail is not None:
            self.body["detail"] = detail
        self.body.update(extra)


def bad_request(message: str, detail: str | None = None) -> OpsviewError:
    return OpsviewError(400, message, detail)


def not_a_hash(field: str) -> OpsviewError:
    """A list item (or a single reference) that is not an object: the documented 400."""
    return OpsviewError(400, "Error when parsing data", f"Not a HASH: {field}")


def not_found(object_type: str, object_id: Any) -> OpsviewError:
    return OpsviewError(404, f"Object {object_type} id='{object_id}' not found")
