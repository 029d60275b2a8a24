# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The openITCOCKPIT JSON API client: the API key, the ``.json`` URLs, errors in one line.

openITCOCKPIT (a CakePHP application) serves its API at the same URLs as its web interface, with the ``.json``
extension and ``angular=true`` in the query. A user's API key goes in every request
(``Authorization: X-OITC-API <key>``); there is no session. Answers: 200 for every success, 400
``{"error": {"<field>": {"<rule>": "<message>"}}}`` for invalid input, 401 with an empty body for a wrong key,
403 ``{"status": 403, "statusText": "Forbidden"}`` without rights on a container, and CakePHP's
``{"message", "url", "code"}`` for the rest. The key never appears in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Optional

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    MonitoringError,
    NotFoundError,
    WaitTimeout,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import (
    RequestsTransport,
    Response,
    TlsOptions,
    Transport,
    check_connection,
    send_json,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

USER_AGENT = "lighthouse.monitoring"
Body = Optional[Any]
Query = Optional[Mapping[str, Any]]


def subject(kind: str, name: str) -> Subject:
    """What a plan entry of this backend is about: ``subject("host", "web01")``."""
    return Subject("openitcockpit", kind, name)


_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 500: "Server Error"}
_STATUS_HINTS = {
    401: "check api_key (openITCOCKPIT answers 401 to a key it does not know)",
    403: "the API key's user lacks rights on the container this needs",
}


class OitcClient:
    """One openITCOCKPIT server's JSON API. Library code: it raises, it never reports."""

    def __init__(self, server_url: str, api_key: str, *, transport: Transport, timeout: float = 30) -> None:
        check_connection({"server_url": server_url, "api_key": api_key.strip()}, timeout, {"api_key": api_key})
        self.base_url = server_url.rstrip("/")
        self._api_key = api_key
        self._transport = transport
        self._timeout = timeout
        self.sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_params(cls, params: Mapping[str, Any], transport: Transport | None = None) -> OitcClient:
        """Build the client from a module's connection options."""
        tls = TlsOptions(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))
        return cls(
            params["server_url"] or "",
            params["api_key"] or "",
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
        """Send one request to ``path`` (``/hosts/index``: the ``.json`` is added, and ``angular=true``); the
        decoded answer. Any status outside ``ok`` raises an error naming ``action``."""
        answer = send_json(
            self._transport,
            method,
            f"{self.base_url}{path}.json",
            action=action,
            headers={"User-Agent": USER_AGENT, "Authorization": f"X-OITC-API {self._api_key}"},
            query={"angular": "true", **(query or {})},
            body=body,
            timeout=self._timeout,
        )
        if answer.status not in ok:
            raise api_error(answer, action=action, method=method, path=path)
        return answer.json()

    def landed(self, error: MonitoringError, found: Callable[[], bool], *, what: str) -> bool:
        """After a write that timed out: whether it lands after all, watched with ``found`` for twice the time one
        answer may take. openITCOCKPIT keeps no name unique, so a create sent again too early is a duplicate."""
        if not error.details.get("timed_out"):
            return found()
        try:
            poll(found, deadline=Deadline(2 * self._timeout), what=what, sleep=self.sleep)
        except WaitTimeout:
            return False
        return True

    def get(self, path: str, *, action: str, query: Query = None) -> Any | None:
        """GET an object, or None when it does not exist (404)."""
        answer = self.request("GET", path, action=action, query=query, ok=(200, 404))
        return None if not isinstance(answer, Mapping) or answer.get("code") == 404 else answer


def api_error(answer: Response, *, action: str, method: str, path: str) -> ApiError:
    """openITCOCKPIT's error bodies (validation errors, CakePHP's ``message``, 403's ``statusText``, an empty
    401) as one readable line."""
    try:
        body = answer.json()
    except ApiError:
        body = None
    body = body if isinstance(body, Mapping) else {}
    fields = validation_messages(body.get("error"))
    message = fields or str(
        body.get("message") or body.get("statusText") or _REASONS.get(answer.status, f"HTTP {answer.status}")
    )
    parts = [f"Failed to {action}: {answer.status} {message}"]
    hint = _STATUS_HINTS.get(answer.status)
    if hint:
        parts.append(f"- {hint}")
    cls = {401: AuthError, 403: AuthError, 404: NotFoundError}.get(answer.status, ApiError)
    return cls(" ".join(parts), status=answer.status, method=method, path=path, title=message)


def validation_messages(errors: Any, field: str = "") -> str:
    """``{"name": {"_empty": "This field cannot be left empty"}}`` -> ``name: This field cannot be left empty``;
    an associated object's errors with a dotted name (``container.name: ...``)."""
    if not isinstance(errors, Mapping):
        text = "" if errors is None else str(errors)
        return f"{field}: {text}" if field and text else text
    parts = []
    for key, value in errors.items():
        name = f"{field}.{key}" if field else str(key)
        if isinstance(value, Mapping) and all(isinstance(v, Mapping) for v in value.values()):
            parts.append(validation_messages(value, name))
        elif isinstance(value, Mapping):  # the field's rules and their messages
            parts.append(f"{name}: {'; '.join(str(v) for v in value.values() if not isinstance(v, Mapping))}")
        else:
            parts.append(f"{name}: {value}")
    return "; ".join(part for part in parts if part)
