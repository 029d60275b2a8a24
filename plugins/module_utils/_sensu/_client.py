# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Sensu (classic: Core 1.x and Enterprise) API client: optional basic auth, names as Sensu allows them,
errors in one line.

The API (port 4567 by default) answers with JSON or with an empty body: 200, 201 (created: a client, a silence,
a stash), 202 (accepted: deletions and check requests the server carries out a moment later), 204; errors are
400 (malformed or invalid, nothing more said), 401 (basic auth, when the API has a user and password), 404,
405, and 500 ``{"error": "not connected to redis"}``. The password never appears in a message.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any, Optional
from urllib.parse import quote

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import (
    RequestsTransport,
    Response,
    TlsOptions,
    Transport,
    check_connection,
    send_json,
)

USER_AGENT = "lighthouse.monitoring"
Body = Optional[Any]
Query = Optional[Mapping[str, Any]]

# Sensu's own patterns (Ruby's \w is ASCII): client and check names, and silence subscriptions (which may hold ':').
NAME = re.compile(r"\A[\w.-]+\Z", re.ASCII)
SUBSCRIPTION = re.compile(r"\A[\w.:-]+\Z", re.ASCII)

_REASONS = {
    400: "Bad Request (Sensu says no more: a value it does not accept)",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_STATUS_HINTS = {
    401: "check username and password (the API's api.user and api.password)",
}


def valid_name(kind: str, value: Any, *, purpose: str, pattern: re.Pattern = NAME) -> str:
    """A name Sensu accepts (letters, digits, '_', '.', '-'; ':' too for a subscription), or a one-line error."""
    if not isinstance(value, str) or not pattern.match(value):
        allowed = "letters, digits, '_', '.', '-'" + (" and ':'" if pattern is SUBSCRIPTION else "")
        raise ValidationError(f"Cannot {purpose}: {value!r} is not a valid Sensu {kind} name (only {allowed})")
    if value in (".", ".."):
        raise ValidationError(
            f"Cannot {purpose}: a Sensu {kind} named {value!r} cannot be addressed (a URL reads it as a directory)"
        )
    return value


class SensuApi:
    """One Sensu API (named so to tell it from a Sensu client, the monitored host). Library code: it raises, it
    never reports."""

    def __init__(
        self,
        server_url: str,
        *,
        transport: Transport,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30,
    ) -> None:
        check_connection({"server_url": server_url}, timeout, {"username": username or "", "password": password or ""})
        if bool(username) != bool(password):
            raise ValidationError("the connection options username and password go together: set both or neither")
        if username and ":" in f"{username}{password}":
            raise ValidationError(
                "the connection options username and password cannot contain ':': the Sensu API splits the "
                "credentials at every ':', so they would never match"
            )
        self.base_url = server_url.rstrip("/")
        self._auth = base64.b64encode(f"{username}:{password}".encode("latin-1")).decode() if username else None
        self._transport = transport
        self.timeout = timeout

    @classmethod
    def from_params(cls, params: Mapping[str, Any], transport: Transport | None = None) -> SensuApi:
        """Build the client from a module's connection options."""
        tls = TlsOptions(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))
        return cls(
            params["server_url"] or "",
            transport=transport or RequestsTransport(tls),
            username=params.get("username"),
            password=params.get("password"),
            timeout=params["timeout"],
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        query: Query = None,
        body: Body = None,
        ok: Iterable[int] = (200,),
    ) -> Any:
        """Send one request to ``path`` (``/clients/web01``); the decoded answer (None for an empty body). Any status
        outside ``ok`` raises an error naming ``action``."""
        return decoded(self._send(method, path, action=action, query=query, body=body, ok=ok), action=action)

    def get(self, path: str, *, action: str, query: Query = None) -> Any | None:
        """GET an object, or None when it does not exist (404)."""
        answer = self._send("GET", path, action=action, query=query, ok=(200, 404))
        found = decoded(answer, action=action)
        if answer.status == 404:  # Sensu's 404 has an empty body; another one is someone else's (a proxy's)
            if found is None:
                return None
            raise ApiError(
                f"Failed to {action}: 404 with a body Sensu never sends; is server_url the Sensu API?", status=404
            )
        if not isinstance(found, Mapping):
            raise ApiError(
                f"Failed to {action}: the server answered {answer.status} without an object ({type(found).__name__})",
                status=answer.status,
            )
        return found

    def _send(
        self, method: str, path: str, *, action: str, query: Query = None, body: Body = None, ok: Iterable[int]
    ) -> Response:
        headers = {"User-Agent": USER_AGENT}
        if self._auth:
            headers["Authorization"] = f"Basic {self._auth}"
        answer = send_json(
            self._transport,
            method,
            f"{self.base_url}{path}",
            action=action,
            headers=headers,
            query=query,
            body=body,
            timeout=self.timeout,
        )
        if answer.status not in ok:
            raise api_error(answer, action=action, method=method, path=path)
        return answer


def decoded(answer: Response, *, action: str) -> Any:
    """The JSON of an answer; an answer that is no JSON is an error naming ``action``."""
    try:
        return answer.json()
    except ApiError as exc:
        raise ApiError(f"Failed to {action}: {exc}", status=answer.status) from None


def segment(value: str) -> str:
    """A name as one path segment; Sensu's routes take ':' and '*' (silence ids) as they are."""
    return quote(value, safe=":*")


def api_error(answer: Response, *, action: str, method: str, path: str) -> ApiError:
    """Sensu's errors (mostly an empty body; ``{"error": ...}`` for a 500) as one readable line."""
    try:
        body = answer.json()
    except ApiError:
        body = None
    said = body.get("error") if isinstance(body, Mapping) else None
    message = str(said or _REASONS.get(answer.status, f"HTTP {answer.status}"))
    parts = [f"Failed to {action}: {answer.status} {message}"]
    hint = _STATUS_HINTS.get(answer.status)
    if hint:
        parts.append(f"- {hint}")
    cls = {401: AuthError, 404: NotFoundError}.get(answer.status, ApiError)
    return cls(" ".join(parts), status=answer.status, method=method, path=path, title=message)
