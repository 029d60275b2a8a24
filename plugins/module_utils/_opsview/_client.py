# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Opsview REST API client: login, the session token, one login again after a 401, errors in one line.

Opsview answers JSON when asked for it (``Accept``), 200 for every success, and ``{"message", "detail"}`` for an
error; numbers come as strings. A session token lasts an hour after its last use: the client logs in once per
module run, on its first request, and once more when a request meets 401 (a token that expired between two
tasks, or a given token that did). Neither the password nor the token ever appears in a message.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import (
    RETRY_STATUSES,
    RequestsTransport,
    Response,
    TlsOptions,
    Transport,
    check_connection,
    send_json,
)

USER_AGENT = "lighthouse.monitoring"
LOGIN = "/login"
# A login whose answer a proxy lost (502/503/504, a dropped connection) is sent again: it writes nothing but a
# session, so a second one is harmless. After 0.5 s, then 1 s.
LOGIN_ATTEMPTS = 3
LOGIN_PAUSE = 0.5

Body = Optional[Any]
Query = Optional[Mapping[str, Any]]

_STATUS_HINTS = {
    401: "check username and password (a token expires an hour after its last use)",
    403: "the user's role lacks the access this needs",
    409: "a reload is running",
}


class OpsviewClient:
    """One Opsview server's REST API (``<server_url>/rest``). Library code: it raises, it never reports."""

    def __init__(
        self,
        server_url: str,
        username: str,
        *,
        password: str = "",
        token: str = "",
        transport: Transport,
        timeout: float = 30,
    ) -> None:
        if not password and not token:
            raise ValidationError("the connection needs a password (or a session token)")
        check_connection(
            {"server_url": server_url, "username": username}, timeout, {"password": password, "token": token}
        )
        base = server_url.rstrip("/")
        self.base_url = base if base.endswith("/rest") else f"{base}/rest"
        self.username = username
        self._password = password
        self._token = token
        self._transport = transport
        self._timeout = timeout
        self.logins = 0  # how many times this client logged in (at most twice per run: first, after a 401)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], transport: Transport | None = None) -> OpsviewClient:
        """Build the client from a module's connection options."""
        tls = TlsOptions(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))
        return cls(
            params["server_url"] or "",
            params["username"] or "",
            password=params.get("password") or "",
            token=params.get("token") or "",
            transport=transport or RequestsTransport(tls),
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
        """Send one request, logged in; the decoded answer. Any status outside ``ok`` raises an error naming
        ``action``. A 401 logs in once more (with the password) and sends the request again."""
        if not self._token:
            self._login(action)
        answer = self._send(method, path, action=action, query=query, body=body)
        if answer.status == 401 and self._password:
            self._login(action)
            answer = self._send(method, path, action=action, query=query, body=body)
        if answer.status not in ok:
            raise api_error(answer, action=action, method=method, path=path)
        return answer.json()

    def get(self, path: str, *, action: str, query: Query = None) -> Any | None:
        """GET one object's ``object``, or None when it does not exist (404)."""
        answer = self.request("GET", path, action=action, query=query, ok=(200, 404))
        return None if answer is None or "object" not in answer else answer["object"]

    def objects(self, kind: str, *, action: str, query: Query = None) -> list:
        """Every object of a config type that matches ``query`` (``s.name``, ``json_filter``...), in one request
        (``rows=all``)."""
        answer = self.request("GET", f"/config/{kind}", action=action, query={**(query or {}), "rows": "all"})
        return list((answer or {}).get("list") or [])

    def _login(self, action: str) -> None:
        body = {"username": self.username, "password": self._password}
        self._token = ""
        answer = self._login_answer(body, action)
        if answer.status != 200:
            raise api_error(answer, action=f"log in as '{self.username}'", method="POST", path=LOGIN)
        token = (answer.json() or {}).get("token")
        if not isinstance(token, str) or not token:
            raise ApiError(f"Failed to log in as '{self.username}': the answer has no token", status=answer.status)
        self._token = token
        self.logins += 1

    def _login_answer(self, body: Mapping[str, str], action: str) -> Response:
        """The answer to ``POST /login``, sent again after a pause when a proxy or the network lost it."""
        what = f"log in as '{self.username}' to {action}"
        for attempt in range(1, LOGIN_ATTEMPTS):
            try:
                answer = self._send("POST", LOGIN, action=what, body=body)
                if answer.status not in RETRY_STATUSES:
                    return answer
            except TransportError:
                pass
            time.sleep(LOGIN_PAUSE * attempt)
        return self._send("POST", LOGIN, action=what, body=body)

    def _send(self, method: str, path: str, *, action: str, query: Query = None, body: Body = None) -> Response:
        headers = {"User-Agent": USER_AGENT}
        if path != LOGIN:
            headers.update({"X-Opsview-Username": self.username, "X-Opsview-Token": self._token})
        return send_json(
            self._transport,
            method,
            self.base_url + path,
            action=action,
            headers=headers,
            query=query,
            body=body,
            timeout=self._timeout,
        )


def api_error(answer: Response, *, action: str, method: str, path: str) -> ApiError:
    """Opsview's ``{"message", "detail"}`` (or text, or nothing) as one readable line."""
    try:
        body = answer.json()
    except ApiError:
        body = None
    body = body if isinstance(body, dict) else {}
    messages = body.get("messages")
    message = str(body.get("message") or "; ".join(_texts(messages)) or f"HTTP {answer.status}")
    parts = [f"Failed to {action}: {answer.status} {message}"]
    detail = " ".join(str(body.get("detail") or "").split())
    if detail and detail != message:
        parts.append(f"- {detail}")
    hint = _STATUS_HINTS.get(answer.status)
    if hint:
        parts.append(f"- {hint}")
    cls = {401: AuthError, 403: AuthError, 404: NotFoundError, 409: ConflictError}.get(answer.status, ApiError)
    return cls(" ".join(parts), status=answer.status, method=method, path=path, title=message, detail=detail)


def _texts(messages: Any) -> list:
    """Reload messages are strings or ``{"detail", "monitoringserver", "severity"}``."""
    if not isinstance(messages, list):
        return []
    return [str(m.get("detail") if isinstance(m, Mapping) else m) for m in messages]


def ref_id(ref: Any) -> str | None:
    """The id at the end of a reference: ``{"ref": "/rest/config/hostgroup/2"}`` -> ``"2"``."""
    text = ref.get("ref") if isinstance(ref, Mapping) else None
    return text.rstrip("/").rsplit("/", 1)[-1] if isinstance(text, str) and text else None
