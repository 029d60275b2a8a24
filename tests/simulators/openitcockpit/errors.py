"""openITCOCKPIT's error answers, as exceptions the views raise: CakePHP's exception renderer
(`{"message", "url", "code"}`), validation errors (400 `{"error": {field: {rule: message}}}`), `render403()`
(`{"status": 403, "statusText": "Forbidden"}`) and the few actions that answer a body of their own with an
error status. Every one gets `_csrfToken` like any other answer (protocol.py)."""

from __future__ import annotations

from typing import Any

INTERNAL = "An Internal Error Has Occurred."  # a non-HTTP exception with debug off


class OitcError(Exception):
    """An error answer: `status` and, but for CakeError (whose URL comes from the request), `body`."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


class CakeError(OitcError):
    """An exception rendered by CakePHP's WebExceptionRenderer: `{"message", "url", "code"}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, {"message": message})
        self.message = message


def not_found(message: str) -> CakeError:
    return CakeError(404, message)


def not_allowed() -> CakeError:
    return CakeError(405, "Method Not Allowed")


def internal() -> CakeError:
    """What a PHP error (TypeError, PDOException, RuntimeException ...) becomes with debug off."""
    return CakeError(500, INTERNAL)


def invalid(errors: dict[str, Any]) -> OitcError:
    return OitcError(400, {"error": errors})


def forbidden() -> OitcError:
    """AppController::render403() for an API request."""
    return OitcError(403, {"status": 403, "statusText": "Forbidden"})


def failed(status: int, **body: Any) -> OitcError:
    """An action's own error body, e.g. 400 `{"success": false, "message": ..., "usedBy": [...]}`."""
    return OitcError(status, body)
