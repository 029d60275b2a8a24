# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Checkmk REST API client: base URL, authentication, ETags, problem+json errors, pending changes."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any, Optional
from urllib.parse import quote

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
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

API_PATH = "check_mk/api/1.0"
USER_AGENT = "lighthouse.monitoring"
_RELEASE = re.compile(r"([0-9]+)\.([0-9]+)\.")
PENDING_CHANGES = "/domain-types/activation_run/collections/pending_changes"

Body = Optional[Any]
Query = Optional[Mapping[str, Any]]

_STATUS_HINTS = {
    401: "check api_user and api_secret (the automation user's secret)",
    403: "the user lacks a permission for this operation",
    412: "the object changed since it was read (ETag mismatch); run the task again",
    428: "the server requires If-Match for this operation",
}


class CheckmkClient:
    """One Checkmk site's REST API. Library code: it raises, it never reports."""

    def __init__(
        self, server_url: str, site: str, user: str, secret: str, *, transport: Transport, timeout: float = 30
    ) -> None:
        site = site.strip("/")
        check_connection({"server_url": server_url, "site": site, "api_user": user, "api_secret": secret}, timeout)
        self.base_url = f"{server_url.rstrip('/')}/{quote(site, safe='')}/{API_PATH}"
        self.site = site
        self.user = user
        self._auth = f"Bearer {user} {secret}"
        self._transport = transport
        self._timeout = timeout
        self._baseline: frozenset | None = None
        self._version: str | None = None  # X-Checkmk-Version of the latest answer that had one

    @property
    def release(self) -> tuple[int, int] | None:
        """The server's major and minor version, once it has answered (None before, or if it does not say)."""
        return release(self._version)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], transport: Transport | None = None) -> CheckmkClient:
        """Build the client from a module's connection options."""
        tls = TlsOptions(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"))
        return cls(
            params["server_url"] or "",
            params["site"] or "",
            params["api_user"] or "",
            params["api_secret"] or "",
            transport=transport or RequestsTransport(tls),
            timeout=params["timeout"],
        )

    def at(self, url: str, site: str) -> CheckmkClient:
        """The same user, secret and transport, speaking to another site's API: ``url`` is that site's server
        URL (``https://remote.example``) or its API URL (``https://remote.example/<site>/check_mk/api/1.0``)."""
        server_url = url.rstrip("/")
        suffix = f"/{quote(site, safe='')}/{API_PATH}"
        if server_url.endswith(suffix):
            server_url = server_url[: -len(suffix)]
        other = copy.copy(self)
        other.base_url = f"{server_url}{suffix}"
        other.site = site
        other._baseline = None
        return other

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        query: Query = None,
        body: Body = None,
        etag: str | None = None,
        ok: Iterable[int] = (200, 204),
        setup: bool = True,
    ) -> Response:
        """Send one request; any status outside ``ok`` raises an error that names ``action``. A write to Setup
        (``setup``) may record pending changes: the first one reads them, as the baseline of ``recorded_changes``;
        monitoring commands such as downtimes record none."""
        if method != "GET" and setup:
            self._remember_pending_changes()
        return self._send(method, path, action=action, query=query, body=body, etag=etag, ok=ok)

    def get(self, path: str, *, action: str, query: Query = None) -> tuple[Any | None, str | None]:
        """GET an object: (body, ETag), or (None, None) when it does not exist."""
        answer = self.request("GET", path, action=action, query=query, ok=(200, 404))
        if answer.status == 404:
            return None, None
        return answer.json(), answer.header("ETag")

    def write(
        self, method: str, path: str, body: Body = None, *, action: str, etag: str | None = None, query: Query = None
    ) -> tuple[Any | None, str | None]:
        """A write (POST/PUT/DELETE): the decoded body, if any, and the object's new ETag, if sent."""
        answer = self.request(method, path, action=action, body=body, etag=etag, query=query)
        return answer.json(), answer.header("ETag")

    def pending_changes(self) -> tuple[list, str | None]:
        """The site's pending changes and their ETag; the first read is also the baseline of
        ``recorded_changes``."""
        answer = self._send("GET", PENDING_CHANGES, action="read the pending changes", ok=(200,))
        changes = (answer.json() or {}).get("value", [])
        if self._baseline is None:
            self._baseline = frozenset(c.get("id") for c in changes)
        return changes, answer.header("ETag")

    def recorded_changes(self) -> list:
        """The pending changes that this client's writes recorded (empty when nothing was written)."""
        if self._baseline is None:
            return []
        changes, _etag = self.pending_changes()
        return [c for c in changes if c.get("id") not in self._baseline and c.get("user_id") == self.user]

    def _remember_pending_changes(self) -> None:
        if self._baseline is None:
            self.pending_changes()

    def _send(
        self,
        method: str,
        path: str,
        *,
        action: str,
        query: Query = None,
        body: Body = None,
        etag: str | None = None,
        ok: Iterable[int] = (200, 204),
    ) -> Response:
        headers = {"Authorization": self._auth, "User-Agent": USER_AGENT}
        if etag is not None:
            headers["If-Match"] = etag
        url = self.base_url + path
        answer = send_json(
            self._transport, method, url, action=action, headers=headers, query=query, body=body, timeout=self._timeout
        )
        self._version = answer.header("X-Checkmk-Version") or self._version
        if answer.status not in ok:
            raise api_error(answer, action=action, method=method, path=path)
        return answer


def release(version: str | None) -> tuple[int, int] | None:
    """Major and minor of a Checkmk version (``2.4.0p18`` -> (2, 4)), as X-Checkmk-Version tells it."""
    match = _RELEASE.match(version or "")
    return (int(match[1]), int(match[2])) if match else None


def subject(kind: str, name: str) -> Subject:
    """What a plan entry of this backend is about: ``subject("host", "web1")``."""
    return Subject("checkmk", kind, name)


def object_path(domain_type: str, ident: str, *suffix: str) -> str:
    """``/objects/<type>/<id>[/suffix...]`` with the id quoted as one path segment."""
    return "/".join([f"/objects/{domain_type}", quote(ident, safe="~"), *suffix])


def api_error(answer: Response, *, action: str, method: str, path: str) -> ApiError:
    """Turn an error answer (problem+json where the server sent one) into one readable line."""
    try:
        problem = answer.json()
    except ApiError:
        problem = None
    problem = problem if isinstance(problem, dict) else {}
    title = str(problem.get("title") or f"HTTP {answer.status}")
    parts = [f"Failed to {action}: {answer.status} {title}"]
    detail = str(problem.get("detail") or "")
    if detail and detail != title:
        parts.append(f"- {detail}")
    fields = flatten_fields(problem.get("fields"))
    if fields:
        parts.append(f"({fields})")
    hint = _STATUS_HINTS.get(answer.status)
    if hint:
        parts.append(f"- {hint}")
    cls = {401: AuthError, 403: AuthError, 404: NotFoundError, 409: ConflictError, 412: ConflictError}.get(
        answer.status, ConflictError if answer.status == 428 else ApiError
    )
    details = {"method": method, "path": path, "title": title, "detail": detail, "fields": problem.get("fields")}
    if problem.get("ext") is not None:
        details["ext"] = problem["ext"]
    return cls(" ".join(parts), status=answer.status, **details)


def flatten_fields(fields: Any, prefix: str = "") -> str:
    """``{"attributes": {"site": ["bad"]}}`` -> ``attributes.site: bad``."""
    if isinstance(fields, dict):
        parts = [flatten_fields(value, f"{prefix}.{key}" if prefix else str(key)) for key, value in fields.items()]
        return "; ".join(p for p in parts if p)
    if isinstance(fields, list):
        messages = [flatten_fields(item, prefix) if isinstance(item, (dict, list)) else str(item) for item in fields]
        text = " ".join(m for m in messages if m)
        return f"{prefix}: {text}" if prefix and not all(isinstance(i, (dict, list)) for i in fields) else text
    return f"{prefix}: {fields}" if fields not in (None, "") else ""
