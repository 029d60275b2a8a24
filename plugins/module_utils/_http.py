# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only place that touches the network: one transport on a ``requests.Session``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    TransportError,
    ValidationError,
)

try:
    import requests
    from urllib3.util.retry import Retry

    REQUESTS_IMPORT_ERROR: ImportError | None = None
except ImportError as exc:  # pragma: no cover - depends on the controller's Python
    REQUESTS_IMPORT_ERROR = exc

# Methods that may be sent again after a connection error or a 502/503/504 (RFC 9110 idempotent methods).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = (502, 503, 504)


@dataclass(frozen=True)
class Response:
    """An HTTP answer; any status is data at this layer."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than Python's stack
            snippet = self.body[:80].decode("utf-8", "replace")
            raise ApiError(
                f"the server sent invalid JSON (HTTP {self.status}): {snippet!r}", status=self.status
            ) from exc


class Transport(Protocol):
    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> Response:
        """Send one request and return the answer, whatever its status."""


@dataclass(frozen=True)
class TlsOptions:
    validate_certs: bool = True
    ca_path: str | None = None

    @property
    def verify(self) -> bool | str:
        if not self.validate_certs:
            return False
        return self.ca_path or True


class RequestsTransport:
    """Sends requests through one ``requests.Session`` with bounded retries for idempotent methods."""

    def __init__(self, tls: TlsOptions = TlsOptions(), *, retries: int = 3, backoff: float = 0.5) -> None:
        if REQUESTS_IMPORT_ERROR is not None:
            raise TransportError("the Python library 'requests' is required") from REQUESTS_IMPORT_ERROR
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT_METHODS,
            raise_on_status=False,
            raise_on_redirect=False,
            redirect=0,
        )
        self._session = requests.Session()
        # Passed with every request: a Session's own verify loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the
        # environment, which would silently replace ca_path and even turn validate_certs: false back on.
        self._verify = tls.verify
        adapter = requests.adapters.HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> Response:
        try:
            answer = self._session.request(
                method,
                url,
                headers=dict(headers),
                data=body,
                timeout=timeout,
                allow_redirects=False,
                verify=self._verify,
            )
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                f"TLS verification of {_origin(url)} failed ({_reason(exc)}); "
                "point ca_path at the CA bundle that signed the server certificate, or set validate_certs: false"
            ) from exc
        except requests.exceptions.Timeout as exc:
            # The server may still carry the request out: a write that timed out may land later.
            raise TransportError(f"{_origin(url)} did not answer within {timeout:g} seconds", timed_out=True) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"cannot connect to {_origin(url)} ({_reason(exc)})") from exc
        return Response(answer.status_code, dict(answer.headers), answer.content)


def _origin(url: str) -> str:
    scheme, rest = url.split("://", 1) if "://" in url else ("http", url)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, in one line without object reprs."""
    for _depth in range(10):
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        if inner is None:
            break
        exc = inner
    text = re.sub(r"<[^>]*>:\s*", "", str(exc))
    return " ".join(text.split()) or type(exc).__name__


def check_header_safe(option: str, value: str) -> None:
    """Connection options end up in the URL or in HTTP headers: Latin-1 text without control characters. The
    message never shows the value (it may be the secret)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValidationError(f"the connection option {option} may contain only Latin-1 characters") from None
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValidationError(
            f"the connection option {option} contains a line break or another control character; "
            "check for a trailing newline from a file or a vault"
        )


def check_connection(required: Mapping[str, str], timeout: float, optional: Mapping[str, str] | None = None) -> None:
    """A client's connection options: the required ones set, every one given safe for a header or URL (messages
    never show a value), the timeout a positive number of seconds."""
    for option, value in required.items():
        if not value:
            raise ValidationError(f"the connection option {option} is required")
    for option, value in {**required, **(optional or {})}.items():
        if value:
            check_header_safe(option, value)
    if not 0 < timeout < math.inf:  # also false for NaN
        raise ValidationError(f"the connection option timeout must be a positive number of seconds, not {timeout}")


def first_line(exc: BaseException) -> str:
    """An error's first line, at most 120 characters: for messages that must stay one line."""
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


def encode_query(query: Mapping[str, Any]) -> str:
    """Encode query parameters: booleans as true/false, lists repeated (form, explode), dicts as JSON."""
    pairs = []
    for key, value in query.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, bool):
                item = "true" if item else "false"
            elif isinstance(item, dict):
                item = json.dumps(item)
            pairs.append((key, item))
    return urlencode(pairs)


def send_json(
    transport: Transport,
    method: str,
    url: str,
    *,
    action: str,
    headers: Mapping[str, str],
    query: Mapping[str, Any] | None = None,
    body: Any = None,
    timeout: float,
) -> Response:
    """Send one request with a JSON body (if any) and the query encoded; a value that cannot be sent, or a
    connection that fails, is a one-line error naming ``action``. Every backend's client sends through this."""
    sent = {"Accept": "application/json", **headers}
    data = None
    try:
        if body is not None:
            sent["Content-Type"] = "application/json"
            data = json.dumps(body, allow_nan=False).encode()
        full = url + (f"?{encode_query(query)}" if query else "")
    except ValueError as exc:  # NaN or infinity; text that is no Unicode (lone surrogates: UnicodeEncodeError)
        raise ValidationError(f"Cannot {action}: a value cannot be sent ({first_line(exc)})") from None
    try:
        return transport.request(method, full, headers=sent, body=data, timeout=timeout)
    except TransportError as exc:
        raise TransportError(f"Failed to {action}: {exc}", **exc.details) from exc
