"""Hostile input: property-based tests of every checkmk_* module's argument handling and model mapping.

For any arguments the library either raises a MonitoringError with a one-line message (a ValidationError before
anything is written), or sends requests that carry the input exactly: path segments that decode to the name, query
strings that decode to the values, JSON bodies that load to the declared values. Never another exception.

The parameters are what AnsibleModule hands a module's main(): the module's own argument spec (captured from its
main()) applied to generated arguments, with Ansible's defaults and type conversions. The library is then driven as
main() drives it, against ``Server``: an in-memory Checkmk that records every request raw, answers 404 for what it
does not hold and applies writes, so that a second run can show that the first one wrote exactly the declared state.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import string
from collections.abc import Callable
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk import _client
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import Activation, activate
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import MODES, discover
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.downtime import (
    RECURS,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
    normalize_path,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import (
    HostResource,
    desired_host,
    validate_host_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import BulkHosts, Inventory
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import parse_time
from ansible_collections.lighthouse.monitoring.plugins.modules import (
    checkmk_activation,
    checkmk_discovery,
    checkmk_downtime,
    checkmk_folder,
    checkmk_host,
    checkmk_hosts,
)
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import (
    SECRET,
    downtime_matches,
    exact_downtime_queries,
    livestatus_matches,
    problem,
    query_values,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.module_runs import module_args

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
USER = "automation"
CONNECTION = {"server_url": "https://cmk.example", "site": "central", "api_user": USER, "api_secret": SECRET}
META = {"created_at": "2026-01-01T00:00:00+00:00", "created_by": USER}
# Characters a URL path or query may carry unencoded (RFC 3986 unreserved, sub-delims, ':', '@', '%', '/').
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
LONG = 500  # hypothesis' text is short; some nasty cases are long
# Hypothesis keeps failing examples (replayed first by the next run) and its caches in .cache/, with the other local
# artefacts: out of git and of the collection artifact, and `make clean` removes them.
set_hypothesis_home_dir(Path(__file__).resolve().parents[4] / ".cache" / "hypothesis")
# `make test` is reproducible: every run tries the same examples (derandomize), so CI fails only on a change.
# `make fuzz` explores: new random examples, ten times as many; a failure it finds is kept in .cache/hypothesis,
# replayed first by the next run, and belongs in an @example below once fixed.
EXPLORE = os.environ.get("LIGHTHOUSE_FUZZ") == "1"
# No deadline: the first example of a test warms up imports and caches.
PROPERTY = settings(deadline=None, derandomize=not EXPLORE)


def examples(count: int) -> int:
    """How many examples a property tries: ``count`` in ``make test``, ten times as many in ``make fuzz``."""
    return count * 10 if EXPLORE else count


# --- Strategies ------------------------------------------------------------------------------------------------

NASTY = (
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "a\nb",
    "a\rb",
    "trailing\n",
    "\x00",
    "a\x00b",
    "\x7f",
    "\x1b[31mred",
    "'",
    '"',
    "\\",
    "\\\\",
    '\\"',
    "\\n",
    "\\u0000",
    "it's",
    'say "hi"',
    "'; DROP TABLE hosts; --",
    "{}",
    "[]",
    "null",
    "true",
    "0",
    "-1",
    "1e999",
    "NaN",
    '{"a": 1}',
    '{"attributes": {"site": "evil"}}',
    '["x", {"y": null}]',
    "%",
    "%25",
    "%2F",
    "%2f",
    "%00",
    "%zz",
    "a%2Fb",
    "?",
    "#",
    "&",
    "=",
    "+",
    " + ",
    "a=b&c=d",
    "?x=1#frag",
    "/",
    "//",
    ".",
    "..",
    "../..",
    "~",
    "~~",
    "a/b",
    "a~b",
    "a\\b",
    "é",
    "wéb",
    "ｗｅｂ",  # fullwidth
    "٣",  # Arabic-Indic digit three
    "²",
    "Ⅷ",
    "ß",
    "İ",
    "\u200b",  # zero width space
    "\u202e",  # right-to-left override
    "\ufeff",  # byte order mark
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\x85",  # next line
    "\x0b",
    "\x0c",
    "\u3000",
    "😀",
    "👩‍💻",
    "日本語",
    "\ud800",  # a lone surrogate: module arguments can carry one (JSON "\ud800")
    "a\udfffb",
    "${jndi:ldap://x/a}",
    "{{ lookup('env', 'HOME') }}",
    "<script>alert(1)</script>",
    "$(id)",
    "`id`",
    "*",
    "a" * 253,
    "a" * 254,
    "x" * LONG,
)


def combine(*parts: str) -> str:
    return "".join(parts)


def surrogate_free(value: Any) -> bool:
    return not any("\ud800" <= c <= "\udfff" for c in json.dumps(value, ensure_ascii=False))


nasty = st.sampled_from(NASTY)
text = st.one_of(nasty, st.text(max_size=12), st.builds(combine, nasty, st.text(max_size=6), nasty))


def mostly(usual: st.SearchStrategy, hostile: st.SearchStrategy, weight: int = 5) -> st.SearchStrategy:
    """``usual`` ``weight`` times as often as ``hostile``: where one task has several validated options, each one
    is hostile now and then, so that the accepted path is reached as often as the rejected one. (A failing example
    shrinks towards ``usual``.)"""
    return st.integers(0, weight).flatmap(lambda pick: hostile if pick == weight else usual)


VALID_HOST = st.from_regex(r"[0-9a-zA-Z_][-0-9a-zA-Z_.]{0,20}", fullmatch=True)
host_names = mostly(
    VALID_HOST, st.one_of(text, st.builds(combine, VALID_HOST, text), st.builds(combine, text, VALID_HOST)), 1
)
# A text that a validated free-text option accepts (not blank, no line break), with nasty parts around it.
nonblank = st.builds(
    combine, text, st.sampled_from(["x", "VM stopped", "é", "'", '"', "\\", "{}", "%2F"]), text
).filter(lambda value: "\n" not in value and "\r" not in value)

segment = mostly(
    st.one_of(st.from_regex(r"[-\w]{1,8}", fullmatch=True), st.sampled_from(["a", "web", "x-1", "_"])), text
)
separator = st.sampled_from(["/", "~", "\\"])


@st.composite
def folder_paths(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(text)
    sep = draw(separator)
    path = sep.join(draw(st.lists(segment, max_size=4)))
    return draw(st.sampled_from(["", sep, " "])) + path + draw(st.sampled_from(["", sep, " "]))


valid_folders = st.lists(st.from_regex(r"[-\w]{1,6}", fullmatch=True), max_size=3).map(lambda s: "/" + "/".join(s))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=6,
)
labels = st.dictionaries(text, text, max_size=4)
# meta_data is server-managed: the model leaves it out, so it is not a declarable attribute.
attribute_keys = st.one_of(st.sampled_from(["alias", "ipaddress", "site", "tag_agent", "parents"]), text).filter(
    lambda key: key != "meta_data"
)
attributes = st.builds(
    lambda plain, with_labels: {**plain, **({"labels": with_labels} if with_labels is not None else {})},
    st.dictionaries(attribute_keys, json_values, max_size=4),
    st.none() | labels,
)

offsets = st.builds(timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23)))
TIMES = (
    "now",
    " now ",
    "NOW",
    "+0s",
    "+90s",
    "+30m",
    "+2h",
    "+1d",
    "+1w",
    "+٣m",
    "+²m",
    "+-1m",
    "-30m",
    "+30",
    "+30M",
    "+ 30m",
    "+30m\n",
    "+1.5h",
    "+9999999d",
    "+99999999999999999999w",
    "+" + "9" * 5000 + "m",
    "2026-12-24T18:00:00+01:00",
    "2026-12-24T18:00:00Z",
    "2026-12-24T18:00:00z",
    "2026-12-24T18:00:00",
    "2026-12-24",
    "2026-12-24T18:00:00+24:00",
    "2026-12-24T18:00:00+23:59",
    "2026-12-24T18:00:00-23:59:59.999999",
    "20261224T180000+0100",
    "2026-W52-4T18:00+01:00",
    "2026-12-01T10:00:00.400000+00:00",
    "2026-12-01T10:00:00.900000Z",
    "2026-12-01T10:00:01Z",
    "2026-12-01T10:00:01.500000Z",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+01:00",
    "2026-12-24T18:00:00+01:00\n",
    '{"at": "now"}',
)
times = st.one_of(
    st.sampled_from(TIMES),
    st.builds("+{}{}".format, st.integers(0, 500) | st.integers(0, 10**14), st.sampled_from("smhdw")),
    st.datetimes(timezones=st.none() | offsets).map(datetime.isoformat),
    st.datetimes(
        min_value=datetime(2026, 11, 30), max_value=datetime(2026, 12, 3), timezones=offsets | st.just(UTC)
    ).map(lambda moment: moment.isoformat().replace("+00:00", "Z")),
    text,
)
# Times after NOW + 5m: valid end times
future = st.one_of(
    st.sampled_from(
        ["+2h", "+1d", "+1w", "+٣h", "2026-12-24T18:00:00+01:00", "2026-12-24T17:00:00Z", "9999-12-31T00:00Z"]
    ),
    st.builds("+{}{}".format, st.integers(6, 10**5), st.sampled_from("mhdw")),
    st.datetimes(min_value=datetime(2026, 12, 1, 10, 6), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)).map(
        datetime.isoformat
    ),
)


# --- Oracles: the documented rules, written independently of the library -----------------------------------------


def valid_host_name(name: str) -> bool:
    """At most 253 ASCII letters, digits, '-', '_' and '.', starting with a letter, digit or '_'."""
    head = string.ascii_letters + string.digits + "_"
    return 0 < len(name) <= 253 and name[0] in head and all(c in head + "-." for c in name)


def segments(path: str) -> list[str]:
    return [s for s in re.split(r"[~/\\]", path.strip()) if s]


def valid_path(path: str) -> bool:
    """Parts of letters, digits (any script, as Checkmk's folder names), '-' and '_', split at / ~ or \\."""
    return all(all(c.isalnum() or c in "-_" for c in s) for s in segments(path))


def canonical(path: str) -> str:
    return "/" + "/".join(segments(path))


def tilde(path: str) -> str:
    return "~" + "~".join(segments(path))


def untilde(ident: str) -> str:
    return "/" + "/".join(s for s in ident.split("~") if s)


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def merged(current: Any, declared: Any) -> Any:
    """``declared`` laid over ``current``: dicts merged key by key, anything else replaced."""
    if isinstance(current, dict) and isinstance(declared, dict):
        return {**current, **{k: merged(current.get(k), v) for k, v in declared.items()}}
    return declared


def exactly(value: Any) -> str:
    """A value's JSON with its types: True and 1, or 1 and 1.0, are not the same here."""
    return json.dumps(value, sort_keys=True)


_RELATIVE = re.compile(r"\+([0-9]+)([smhdw])")  # the digits 0-9: "+٣m" is not a time
MAX_RELATIVE = timedelta(days=365_250)  # relative times: at most 1000 years ahead


def expected_time(value: str) -> datetime | None:
    """The moment a time option means (None: not a time): now, +<n><unit>, or ISO 8601 with a zone."""
    value = value.strip()
    if value == "now":
        return NOW
    relative = _RELATIVE.fullmatch(value)
    if relative:
        digits, unit = relative.groups()
        if len(digits) > 20:
            return None
        seconds = int(digits) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
        return NOW + timedelta(seconds=seconds) if seconds <= MAX_RELATIVE.total_seconds() else None
    try:
        at = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in ("z", "Z") else value)
        return at.astimezone(UTC) if at.utcoffset() is not None else None
    except (ValueError, OverflowError):
        return None


# --- Checks --------------------------------------------------------------------------------------------------


def names_a_downtime(hosts: list[str], services: list[str], comment: str) -> bool:
    """Whether hosts, services and a comment name downtimes: valid host names, no blank service, a one-line comment."""
    return bool(
        hosts
        and all(valid_host_name(h) for h in hosts)
        and all(s.strip() for s in services)
        and comment.strip()
        and "\n" not in comment
        and "\r" not in comment
        and len(set(hosts)) == len(hosts)
        and len(set(services)) == len(services)
    )


def one_line(exc: BaseException) -> None:
    """The error is a MonitoringError whose message is one line, as a failed task shows it."""
    assert isinstance(exc, MonitoringError), repr(exc)
    message = str(exc)
    assert message and message == message.strip() and len(message.splitlines()) == 1, repr(message)


@contextmanager
def clean(server: Server) -> Any:
    """Run library code: a MonitoringError is checked (one line; a ValidationError wrote nothing) and recorded in
    ``server.error``; any other exception fails the test."""
    try:
        yield
    except MonitoringError as exc:
        one_line(exc)
        if isinstance(exc, ValidationError):
            assert server.writes() == [], f"{exc} after writing {server.writes()}"
        server.error = exc
        event("rejected: " + re.sub(r"'.*", "", str(exc))[:40])
    else:
        event("accepted, written" if server.writes() else "accepted, nothing written")


# --- The modules' arguments as AnsibleModule hands them over -----------------------------------------------------


class _Captured(Exception):
    def __init__(self, argument_spec: dict, kwargs: dict) -> None:
        super().__init__("captured")
        self.argument_spec, self.kwargs = argument_spec, kwargs


def _validator(module: Any) -> ArgumentSpecValidator:
    """The module's argument spec and constraints, taken from its main()."""

    def new_module(argument_spec: dict, **kwargs: Any) -> None:
        raise _Captured(argument_spec, kwargs)

    with mock.patch.object(module, "new_module", new_module), pytest.raises(_Captured) as captured:
        module.main()
    return ArgumentSpecValidator(captured.value.argument_spec, **captured.value.kwargs)


VALIDATORS = {
    module: _validator(module)
    for module in (checkmk_activation, checkmk_discovery, checkmk_downtime, checkmk_folder, checkmk_host, checkmk_hosts)
}


def module_params(module: Any, args: dict[str, Any]) -> dict[str, Any]:
    """The params main() gets for ``args`` (defaults, conversions); arguments that Ansible itself rejects never
    reach the library, so they are skipped."""
    result = VALIDATORS[module].validate({**CONNECTION, **{k: v for k, v in args.items() if v is not None}})
    assume(not result.error_messages)
    return result.validated_parameters


# --- An in-memory Checkmk that records every request raw ---------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    site: str
    path: tuple[str, ...]  # the decoded segments below the API root
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


def _strict_constant(name: str) -> Any:
    raise AssertionError(f"the request body is not JSON: it contains {name}")


@dataclass
class Server:
    """Reads of objects it does not hold answer 404; writes are applied and answered as Checkmk does.

    Each host, each folder and the pending changes have an ETag that is a hash of their JSON, so it changes exactly
    when they do; a write to one of them (and an activation) without If-Match is answered 428, with any other value
    than the current ETag ("*" included) 412."""

    hosts: dict = field(default_factory=dict)  # name -> {"folder": path, "attributes": {...}}
    folders: dict = field(default_factory=lambda: {"/": {"title": "Main", "attributes": {}}})
    downtimes: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    services: dict = field(default_factory=dict)  # host -> {"monitored": [...], "undecided": [...]}
    calls: list = field(default_factory=list)
    error: MonitoringError | None = None
    _counter: int = 0

    # the transport

    def request(self, method: str, url: str, *, headers: Any, body: bytes | None, timeout: float) -> Any:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.fragment) == ("https", "cmk.example", ""), url
        assert URL_CHARS.fullmatch(parts.path) and URL_CHARS.fullmatch(parts.query), f"not URL-encoded: {url!r}"
        site, api, rest = parts.path[1:].partition("/check_mk/api/1.0/")
        assert api, url
        path = tuple(unquote(s, errors="strict") for s in rest.split("/"))
        pairs = (
            parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True, errors="strict") if parts.query else []
        )
        query: dict[str, list[str]] = {}
        for key, value in pairs:
            query.setdefault(key, []).append(value)
        data = None
        if body is not None:
            assert headers["Content-Type"] == "application/json"
            data = json.loads(body.decode("ascii"), parse_constant=_strict_constant)
        call = Sent(method, url, unquote(site), path, query, dict(headers), data)
        self.calls.append(call)
        return self.precondition(call) or self.route(call)

    def writes(self) -> list[Sent]:
        return [c for c in self.calls if c.method != "GET"]

    @staticmethod
    def etag(body: Any) -> str:
        """The ETag of an object (or of the pending changes) as it is now: a hash of its JSON."""
        return '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:20] + '"'

    def answer(self, status: int, body: Any = None, *, tagged: bool = False) -> Any:
        """``tagged``: the body is one object (or the pending changes), and the answer carries its ETag."""
        headers = {"Content-Type": "application/json", **({"ETag": self.etag(body)} if tagged else {})}
        return Response(status, headers, json.dumps(body).encode() if body is not None else b"")

    def precondition(self, call: Sent) -> Response | None:
        """428 or 412 for a write that needs If-Match and does not send the current ETag; None otherwise."""
        match (call.method, *call.path):
            case ("PUT", "objects", "host_config", name) | (
                "POST",
                "objects",
                "host_config",
                name,
                "actions",
                "move",
                "invoke",
            ):
                current = self.etag(self.host_body(name))
            case ("PUT", "objects", "folder_config", ident):
                current = self.etag(self.folder_body(untilde(ident)))
            case ("POST", "domain-types", "activation_run", "actions", "activate-changes", "invoke"):
                current = self.etag({"value": self.pending})
            case _:
                return None
        sent = call.headers.get("If-Match")
        if sent is None:
            return problem(428, "Precondition required", "If-Match header required for this operation.")
        if sent != current:
            return problem(412, "Precondition failed", f"ETag {sent} does not match the current {current}.")
        return None

    def route(self, call: Sent) -> Any:
        body = call.body
        match (call.method, *call.path):
            case ("GET", "domain-types", "activation_run", "collections", "pending_changes"):
                return self.answer(200, {"value": self.pending}, tagged=True)
            case ("GET", "objects", "host_config", name):
                return self.answer(200, self.host_body(name), tagged=True) if name in self.hosts else self.answer(404)
            case ("GET", "domain-types", "host_config", "collections", "all"):
                return self.answer(200, {"value": [self.host_body(name) for name in self.hosts]})
            case ("POST", "domain-types", "host_config", "collections", "all"):
                self.add_host(body)
                return self.answer(200, self.host_body(body["host_name"]), tagged=True)
            case ("PUT", "objects", "host_config", name):
                self.edit(self.hosts[name], body)
                return self.answer(200, self.host_body(name), tagged=True)
            case ("POST", "objects", "host_config", name, "actions", "move", "invoke"):
                self.hosts[name]["folder"] = self.folder(body["target_folder"])
                return self.answer(200, self.host_body(name), tagged=True)
            case ("DELETE", "objects", "host_config", name):
                del self.hosts[name]
                return self.answer(204)
            case ("POST", "domain-types", "host_config", "actions", "bulk-create", "invoke"):
                for entry in body["entries"]:
                    self.add_host(entry)
                return self.answer(200, {"value": []})
            case ("PUT", "domain-types", "host_config", "actions", "bulk-update", "invoke"):
                for entry in body["entries"]:
                    self.edit(self.hosts[entry["host_name"]], {k: v for k, v in entry.items() if k != "host_name"})
                return self.answer(200, {"value": []})
            case ("POST", "domain-types", "host_config", "actions", "bulk-delete", "invoke"):
                for name in body["entries"]:
                    del self.hosts[name]
                return self.answer(204)
            case ("GET", "objects", "folder_config", ident):
                path = untilde(ident)
                return (
                    self.answer(200, self.folder_body(path), tagged=True) if path in self.folders else self.answer(404)
                )
            case ("GET", "domain-types", "folder_config", "collections", "all"):
                assert call.query == {"parent": ["~"], "recursive": ["true"]}, call.query
                return self.answer(200, {"value": [self.folder_body(path) for path in self.folders]})
            case ("POST", "domain-types", "folder_config", "collections", "all"):
                path = untilde(body["parent"]).rstrip("/") + "/" + body["name"]
                assert body["name"] and path not in self.folders and parent(path) in self.folders, body
                self.folders[path] = {"title": body["title"], "attributes": body.get("attributes", {})}
                return self.answer(200, self.folder_body(path), tagged=True)
            case ("PUT", "objects", "folder_config", ident):
                found = self.folders[untilde(ident)]
                found["title"] = body.pop("title", found["title"])
                self.edit(found, body)
                return self.answer(200, self.folder_body(untilde(ident)), tagged=True)
            case ("DELETE", "objects", "folder_config", ident):
                assert call.query["delete_mode"] in (["recursive"], ["abort_on_nonempty"]), call.query
                del self.folders[untilde(ident)]
                return self.answer(204)
            case ("GET", "domain-types", "downtime", "collections", "all"):
                return self.answer(200, {"value": [self.downtime_body(d) for d in self.listed(call.query)]})
            case ("POST", "domain-types", "downtime", "collections", kind):
                self.add_downtimes(kind, body)
                return self.answer(204)
            case ("POST", "domain-types", "downtime", "actions", "delete", "invoke"):
                wanted = exact_downtime_queries(body)
                assert all(any(downtime_matches(c, d) for d in self.downtimes) for c in wanted), body
                self.downtimes = [d for d in self.downtimes if not any(downtime_matches(c, d) for c in wanted)]
                return self.answer(204)
            case ("GET", "objects", "service_discovery", name):
                if name not in self.services:
                    return self.answer(404)
                return self.answer(200, self.preview(name))
            case ("POST", "domain-types", "service_discovery_run", "actions", "start", "invoke"):
                self.discovered(body["host_name"])
                return self.answer(200, {"id": "service_discovery_run", "extensions": {"active": False}})
            case ("POST", "domain-types", "discovery_run", "actions", "bulk-discovery-start", "invoke"):
                for name in body["hostnames"]:
                    self.discovered(name)
                return self.answer(200, {"id": "bulk_discovery", "extensions": {"active": False}})
            case ("GET", "objects", "discovery_run", "bulk_discovery"):
                return self.answer(200, {"id": "bulk_discovery", "extensions": {"active": False}})
            case ("POST", "domain-types", "activation_run", "actions", "activate-changes", "invoke"):
                run = {"sites": body["sites"], "is_running": True, "changes": self.pending}
                self.pending = []
                return self.answer(200, {"id": "run-1", "extensions": run})
            case ("GET", "objects", "activation_run", "run-1", "actions", "wait-for-completion", "invoke"):
                return self.answer(204)
        raise AssertionError(f"unexpected request {call.method} {call.path}")

    # Setup

    def host_body(self, name: str) -> dict:
        host = self.hosts[name]
        ext = {"folder": host["folder"], "attributes": {**host["attributes"], "meta_data": META}}
        return {"id": name, "title": name, "extensions": {**ext, "effective_attributes": host["attributes"]}}

    def add_host(self, entry: dict) -> None:
        name, path = entry["host_name"], self.folder(entry["folder"])
        assert name not in self.hosts and path in self.folders, entry
        self.hosts[name] = {"folder": path, "attributes": entry["attributes"]}

    def folder(self, ident: str) -> str:
        path = untilde(ident)
        assert path in self.folders, f"no folder {ident!r}"
        return path

    def folder_body(self, path: str) -> dict:
        found = self.folders[path]
        ext = {"path": path, "attributes": {**found["attributes"], "meta_data": META}}
        return {"id": tilde(path), "title": found["title"], "extensions": ext}

    @staticmethod
    def edit(found: dict, body: dict) -> None:
        """One of the API's three attribute actions, as Checkmk applies it."""
        actions = [k for k in ("attributes", "update_attributes", "remove_attributes") if k in body]
        assert len(actions) <= 1 and set(body) <= {"attributes", "update_attributes", "remove_attributes"}, body
        if "attributes" in body:
            found["attributes"] = body["attributes"]
        elif "update_attributes" in body:
            found["attributes"] = {**found["attributes"], **body["update_attributes"]}
        elif "remove_attributes" in body:
            assert set(body["remove_attributes"]) <= set(found["attributes"]), body
            found["attributes"] = {k: v for k, v in found["attributes"].items() if k not in body["remove_attributes"]}

    # Monitoring

    def listed(self, query: dict[str, list[str]]) -> list:
        """Filtered by the comment (a query), host or service downtimes, and optionally one host and one site."""
        assert {"query", "downtime_type"} <= set(query) <= {"query", "downtime_type", "host_name", "site_id"}, query
        assert all(len(v) == 1 for v in query.values()), query
        comment = json.loads(query["query"][0])
        assert comment["op"] == "=" and comment["left"] == "comment", comment
        host, site = query.get("host_name", [None])[0], query.get("site_id", [None])[0]
        service = query["downtime_type"][0] == "service"
        return [
            d
            for d in self.downtimes
            if d["comment"] == comment["right"]
            and (d["service_description"] is not None) == service
            and host in (None, d["host_name"])
            and site in (None, d["site_id"])
        ]

    def add_downtime(self, site: str, host: str, comment: str, start: str, end: str, **more: Any) -> dict:
        self._counter += 1
        downtime = {"id": str(self._counter), "site_id": site, "host_name": host, "comment": comment}
        downtime.update(start_time=start, end_time=end, recur="fixed", duration=0, service_description=None)
        downtime.update(more)
        self.downtimes.append(downtime)
        return downtime

    def add_downtimes(self, kind: str, body: dict) -> None:
        """One host (``host``, ``service``) or those a query names exactly (``host_by_query``, ``service_by_query``,
        only as this collection writes them: ``or``/``and`` of ``=`` on names)."""
        variant = body["downtime_type"]
        if variant in ("host", "service"):
            assert variant == kind, body
            services = body.get("service_descriptions") if kind == "service" else [None]
            assert services, body
            targets = [(body["host_name"], service) for service in services]
        elif variant == "host_by_query":
            assert kind == "host", body
            targets = [
                (h, None) for h in query_values(body["query"], "name") if livestatus_matches(body["query"], {"name": h})
            ]
        else:
            assert (kind, variant) == ("service", "service_by_query"), body
            pairs = [
                (h, s)
                for h in query_values(body["query"], "host_name")
                for s in query_values(body["query"], "description")
            ]
            targets = [
                (h, s) for h, s in pairs if livestatus_matches(body["query"], {"host_name": h, "description": s})
            ]
        assert targets, body
        for host, service in targets:
            site = (self.hosts[host]["attributes"].get("site") or "central") if host in self.hosts else "central"
            self.add_downtime(
                site,
                host,
                body["comment"],
                body["start_time"],
                body["end_time"],
                recur=body["recur"],
                duration=body["duration"],
                service_description=service,
            )

    @staticmethod
    def downtime_body(downtime: dict) -> dict:
        ext = {k: downtime[k] for k in ("site_id", "host_name", "comment", "start_time", "end_time")}
        ext.update(recurring=downtime["recur"] != "fixed", author=USER)
        if downtime["service_description"] is not None:
            ext["service_description"] = downtime["service_description"]
        mode = {"type": "flexible", "duration_minutes": downtime["duration"]} if downtime["duration"] else {}
        ext["mode"] = mode or {"type": "fixed"}
        return {"id": downtime["id"], "extensions": ext}

    def preview(self, host: str) -> dict:
        table = {}
        for phase, names in self.services[host].items():
            for name in names:
                ext = {"host_name": host, "service_name": name, "service_phase": phase}
                table[f"plugin-{len(table)}"] = {"id": name, "value": phase, "extensions": ext}
        return {"id": f"service_discovery-{host}", "extensions": {"check_table": table, "host_labels": {}}}

    def discovered(self, host: str) -> None:
        services = self.services[host]
        services["monitored"] = services["monitored"] + services.pop("undecided", [])


def client_for(server: Server, params: dict) -> CheckmkClient:
    return CheckmkClient.from_params(params, transport=server)


@dataclass
class Meddling:
    """A transport in front of ``server``: another client's ``meddle(method, url)`` may change the server's state
    just before each request arrives; ``statuses`` are the answers' statuses, one for each of ``server.calls``."""

    server: Server
    meddle: Callable[[str, str], None]
    statuses: list[int] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.meddle(method, url)
        answer = self.server.request(method, url, **kwargs)
        self.statuses.append(answer.status)
        return answer


# --- Host names, folder paths, times -----------------------------------------------------------------------------


@settings(PROPERTY, max_examples=examples(150))
@given(name=host_names)
def test_a_host_name_is_accepted_unchanged_or_rejected_in_one_line(name):
    try:
        assert validate_host_name(name) == name
    except MonitoringError as exc:
        one_line(exc)
        assert not valid_host_name(name)
    else:
        assert valid_host_name(name)


@settings(PROPERTY, max_examples=examples(150))
@given(path=folder_paths())
def test_a_folder_path_is_normalized_or_rejected_in_one_line(path):
    try:
        normalized = normalize_path(path)
    except MonitoringError as exc:
        one_line(exc)
        assert not valid_path(path)
        return
    assert valid_path(path) and normalized == canonical(path)
    assert normalize_path(normalized) == normalized == normalize_path(tilde(path))


@settings(PROPERTY, max_examples=examples(150))
@given(value=times, option=st.sampled_from(["start_time", "end_time"]))
@example(value="+142857143w", option="end_time")  # beyond timedelta: was an OverflowError
@example(value="+9999999d", option="end_time")  # beyond year 9999 from now: was an OverflowError
@example(value="+" + "9" * 5000 + "m", option="end_time")  # more digits than int() reads: was a ValueError
@example(value="9999-12-31T23:59:59-01:00", option="end_time")  # after 9999 in UTC: was an OverflowError
@example(value="0001-01-01T00:30:00+01:00", option="start_time")  # before year 1 in UTC: was an OverflowError
@example(value="+\u0663m", option="start_time")  # an Arabic-Indic 3: int() reads it, Checkmk would not
def test_a_time_is_the_moment_it_names_or_rejected_in_one_line(value, option):
    expected = expected_time(value)
    try:
        spec = parse_time(value, option=option)
    except MonitoringError as exc:
        one_line(exc)
        assert str(exc).startswith(f"Cannot read {option} ")
        assert expected is None, f"{value!r} means {expected}"
        return
    assert expected is not None, f"{value!r} accepted"
    assert spec.resolve(NOW) == expected
    assert spec.resolve(NOW).astimezone(UTC)  # representable in UTC: the downtime is sent in UTC


# --- checkmk_host ------------------------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=examples(100))
@given(
    name=mostly(VALID_HOST, host_names, 3),
    folder=st.none() | folder_paths(),
    attributes=attributes,
    purge=st.booleans(),
    check=st.booleans(),
)
def test_checkmk_host_creates_the_declared_host_exactly(name, folder, attributes, purge, check):
    params = module_params(
        checkmk_host, {"name": name, "folder": folder, "attributes": attributes, "purge_attributes": purge}
    )
    server = Server()
    with clean(server):
        client = client_for(server, params)
        desired = desired_host(params)
        resource = HostResource(client, params["name"], folder=params["folder"], purge=params["purge_attributes"])
        outcome = sync(resource, params["state"], desired, check_mode=check)
    if server.error is not None:
        assert isinstance(server.error, ValidationError) and server.calls == []
        assert not valid_host_name(name) or not valid_path(folder or "")
        return
    assert valid_host_name(name) and valid_path(folder or "")
    path = canonical(folder or "")
    assert server.calls[0].path == ("objects", "host_config", name)
    model = {"name": name, "folder": path, "attributes": attributes}
    assert outcome.changed
    if check:  # check mode predicts the host as declared (without a folder, when none is declared)
        assert server.writes() == []
        assert exactly(outcome.after) == exactly(
            model if folder is not None else {"name": name, "attributes": attributes}
        )
        return
    created_folders = [w.body for w in server.writes() if w.path[1] == "folder_config"]
    parts = segments(path)
    assert created_folders == [
        {"name": part, "title": part, "parent": tilde("/".join(parts[:i]))} for i, part in enumerate(parts)
    ]
    assert exactly(server.writes()[-1].body) == exactly(
        {"host_name": name, "folder": tilde(path), "attributes": attributes}
    )
    assert exactly(server.hosts) == exactly({name: {"folder": path, "attributes": attributes}})
    assert exactly(outcome.after) == exactly(model)


@settings(PROPERTY, max_examples=examples(100))
@given(
    name=VALID_HOST,
    current_folder=valid_folders,
    current=attributes,
    folder=st.none() | valid_folders,
    declared=attributes,
    purge=st.booleans(),
    derive=st.booleans(),
)
@example(  # purge, attributes as they are, another folder: was an attribute update before the move
    name="web1",
    current_folder="/",
    current={"alias": "x"},
    folder="/a",
    declared={"alias": "x"},
    purge=True,
    derive=False,
)
def test_checkmk_host_update_writes_exactly_the_declared_state(
    name, current_folder, current, folder, declared, purge, derive
):
    if derive:  # declare some of what is there, with changes: the merge then has work to do
        declared = {**dict(list(current.items())[::2]), **declared}
    params = module_params(
        checkmk_host, {"name": name, "folder": folder, "attributes": declared, "purge_attributes": purge}
    )
    server = Server(hosts={name: {"folder": current_folder, "attributes": current}})
    for path in (current_folder, folder or "/"):
        while path != "/":
            server.folders.setdefault(path, {"title": path, "attributes": {}})
            path = parent(path)

    def run():
        resource = HostResource(
            client_for(server, params), name, folder=params["folder"], purge=params["purge_attributes"]
        )
        return sync(resource, "present", desired_host(params), check_mode=False)

    with clean(server):
        first = run()
    assert server.error is None
    expected = {"folder": folder or current_folder, "attributes": declared if purge else merged(current, declared)}
    # Python's == (the sync engine's comparison) takes 1 for True and 1.0 for 1: compared with == here too.
    assert server.hosts[name] == expected
    assert first.after == {"name": name, **expected}
    puts = [w for w in server.writes() if w.method == "PUT"]
    assert len(puts) == (expected["attributes"] != current), "an attribute update exactly when they change"
    for write in puts:
        assert write.path == ("objects", "host_config", name) and write.headers["If-Match"]
    server.calls.clear()
    second = run()
    assert not second.changed and server.writes() == []


@settings(PROPERTY, max_examples=examples(70))
@given(name=host_names, exists=st.booleans(), check=st.booleans())
def test_checkmk_host_absent_deletes_the_named_host(name, exists, check):
    params = module_params(checkmk_host, {"name": name, "state": "absent", "folder": "/ignored"})
    server = Server(hosts={name: {"folder": "/", "attributes": {}}} if exists else {})
    with clean(server):
        resource = HostResource(client_for(server, params), params["name"], folder=None)
        outcome = sync(resource, params["state"], desired_host(params), check_mode=check)
    if server.error is not None:
        assert not valid_host_name(name)
        return
    assert valid_host_name(name) and outcome.changed is exists and outcome.after is None
    deletes = [(c.method, c.path) for c in server.writes()]
    assert deletes == ([("DELETE", ("objects", "host_config", name))] if exists and not check else [])


# --- checkmk_folder ----------------------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=examples(100))
@given(
    path=folder_paths(), title=st.none() | text, attributes=attributes, existing=st.integers(0, 3), check=st.booleans()
)
@example(path="a", title="", attributes={}, existing=0, check=False)  # was created with the name as title
def test_checkmk_folder_creates_the_declared_folder_and_its_parents_exactly(path, title, attributes, existing, check):
    params = module_params(checkmk_folder, {"path": path, "title": title, "attributes": attributes})
    server = Server()
    if valid_path(path):  # some of the parents exist
        for i in range(1, min(existing, len(segments(path)))):
            server.folders["/" + "/".join(segments(path)[:i])] = {"title": "old", "attributes": {}}
    before = dict(server.folders)
    with clean(server):
        desired = desired_folder(params)
        resource = FolderResource(client_for(server, params), params["path"], purge=params["purge_attributes"])
        outcome = sync(resource, params["state"], desired, check_mode=check)
    if check:
        assert server.writes() == []
    if server.error is not None:
        assert isinstance(server.error, ValidationError) and server.calls == []
        assert not valid_path(path) or title == ""
        return
    assert valid_path(path)
    normalized = canonical(path)
    assert server.calls[0].path == ("objects", "folder_config", tilde(path))
    name = normalized.rsplit("/", 1)[1]
    want_title = title if title is not None else name if normalized not in before else before[normalized]["title"]
    model = {"path": normalized, "title": want_title, "attributes": attributes}
    if check:
        return
    parts = segments(path)
    creates = [w.body for w in server.writes() if w.method == "POST"]
    missing = [i for i in range(len(parts)) if "/" + "/".join(parts[: i + 1]) not in before]
    assert creates == [
        {
            "name": parts[i],
            "title": parts[i] if i < len(parts) - 1 else want_title,
            "parent": tilde("/".join(parts[:i])),
            **({"attributes": attributes} if i == len(parts) - 1 and attributes else {}),
        }
        for i in missing
    ]
    assert exactly(server.folders[normalized]) == exactly({"title": model["title"], "attributes": model["attributes"]})
    assert exactly(outcome.after) == exactly(model)


@settings(PROPERTY, max_examples=examples(70))
@given(
    path=valid_folders,
    current_title=text.filter(bool),
    current=attributes,
    title=st.none() | text,
    declared=attributes,
    purge=st.booleans(),
)
def test_checkmk_folder_update_writes_exactly_the_declared_state(path, current_title, current, title, declared, purge):
    params = module_params(
        checkmk_folder, {"path": path, "title": title, "attributes": declared, "purge_attributes": purge}
    )
    server = Server()
    walk = path
    while walk != "/":
        server.folders.setdefault(walk, {"title": current_title, "attributes": current})
        walk = parent(walk)
    server.folders[path] = {"title": current_title, "attributes": current}

    def run():
        resource = FolderResource(client_for(server, params), params["path"], purge=params["purge_attributes"])
        return sync(resource, "present", desired_folder(params), check_mode=False)

    with clean(server):
        run()
    if server.error is not None:
        assert title == ""
        return
    expected = {
        "title": current_title if title is None else title,
        "attributes": declared if purge else merged(current, declared),
    }
    assert server.folders[path] == expected
    assert len(server.writes()) == (expected != {"title": current_title, "attributes": current})
    server.calls.clear()
    assert not run().changed and server.writes() == []


@settings(PROPERTY, max_examples=examples(70))
@given(path=folder_paths(), recursive=st.booleans(), exists=st.booleans())
def test_checkmk_folder_absent_deletes_the_named_folder(path, recursive, exists):
    params = module_params(checkmk_folder, {"path": path, "state": "absent", "recursive": recursive})
    server = Server()
    if exists and valid_path(path):
        server.folders[canonical(path)] = {"title": "x", "attributes": {}}
    with clean(server):
        desired = desired_folder(params)
        resource = FolderResource(client_for(server, params), params["path"], present=False, recursive=recursive)
        sync(resource, "absent", desired, check_mode=False)
    if server.error is not None:
        assert not valid_path(path) or canonical(path) == "/"
        return
    deleted = [(c.path, c.query) for c in server.writes()]
    mode = ["recursive" if recursive else "abort_on_nonempty"]
    assert deleted == ([(("objects", "folder_config", tilde(path)), {"delete_mode": mode})] if exists else [])


# --- checkmk_hosts -----------------------------------------------------------------------------------------------


@st.composite
def host_entries(draw: st.DrawFn) -> list:
    names = draw(
        st.lists(mostly(VALID_HOST, host_names, 10), max_size=6, unique=draw(mostly(st.just(True), st.none())))
    )
    folders = mostly(st.none() | valid_folders, folder_paths(), 10)
    return [{"name": name, "folder": draw(folders), "attributes": draw(attributes)} for name in names]


@settings(PROPERTY, max_examples=examples(70), suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=host_entries(),
    existing=st.lists(st.tuples(VALID_HOST, valid_folders, attributes), max_size=5),
    overlap=st.integers(0, 6),
    state=st.sampled_from(["present", "absent"]),
    purge=st.booleans(),
    exclusive=mostly(st.none(), valid_folders | folder_paths(), 3),
    recursive=st.none() | st.booleans(),
    batch_size=mostly(st.integers(1, 4), st.integers(-1, 0), 10),
)
@example(  # purge, attributes as they are: was a bulk update (and changed) on every run
    entries=[{"name": "web1", "folder": None, "attributes": {"alias": "old"}}],
    existing=[],
    overlap=1,
    state="present",
    purge=True,
    exclusive=None,
    recursive=None,
    batch_size=1,
)
def test_checkmk_hosts_writes_exactly_the_declared_hosts(
    entries, existing, overlap, state, purge, exclusive, recursive, batch_size
):
    # the too_slow health check: drawing many nested attribute dicts for a batch of hosts is slow, not wrong
    existing = existing + [(e["name"], "/", {"alias": "old"}) for e in entries[:overlap]]
    args = {"hosts": entries, "state": state, "purge_attributes": purge, "exclusive_folder": exclusive}
    params = module_params(checkmk_hosts, {**args, "recursive": recursive, "batch_size": batch_size})
    server = Server()
    for name, folder, attrs in existing:
        if valid_host_name(name):
            server.hosts[name] = {"folder": folder, "attributes": attrs}
            while folder != "/":
                server.folders.setdefault(folder, {"title": folder, "attributes": {}})
                folder = parent(folder)
    before = json.loads(json.dumps(server.hosts))
    names = [e["name"] for e in params["hosts"]]

    def run():
        return BulkHosts(client_for(server, params), Inventory.from_params(params)).apply(check_mode=False)

    with clean(server):
        first = run()
    if server.error is not None:
        assert (
            not all(valid_host_name(n) for n in names)
            or len(set(names)) < len(names)
            or not all(valid_path(e["folder"] or "") for e in entries)
            or batch_size < 1
            or exclusive is not None
            and (
                not valid_path(exclusive) or state == "absent" or canonical(exclusive) == "/" and recursive is not False
            )
        )
        return
    declared = {e["name"]: e for e in params["hosts"]}
    expected = {}
    for name, host in before.items():  # undeclared hosts: kept unless in the exclusive folder
        owner = exclusive is not None and canonical(exclusive)
        inside = owner and (host["folder"] == owner or recursive and host["folder"].startswith(owner.rstrip("/") + "/"))
        if name not in declared and not inside:
            expected[name] = host
    if state == "present":
        for name, entry in declared.items():
            old = before.get(name, {"folder": "/", "attributes": {}})
            folder = canonical(entry["folder"]) if entry["folder"] is not None else old["folder"]
            attrs = (
                entry["attributes"] if purge or name not in before else merged(old["attributes"], entry["attributes"])
            )
            expected[name] = {"folder": folder, "attributes": attrs}
    assert server.hosts == expected
    assert first.extra["results"]["failed"] == {}
    for write in server.writes():
        if write.path[-2:] == ("bulk-create", "invoke") or write.path[-2:] == ("bulk-update", "invoke"):
            assert 0 < len(write.body["entries"]) <= batch_size
        if write.path[-2:] == ("bulk-create", "invoke"):
            for entry in write.body["entries"]:
                declared_entry = declared[entry["host_name"]]
                assert exactly(entry["attributes"]) == exactly(declared_entry["attributes"])
    server.calls.clear()
    second = run()
    assert not second.changed and server.writes() == []


# --- checkmk_downtime --------------------------------------------------------------------------------------------


@st.composite
def downtime_args(draw: st.DrawFn) -> dict:
    hosts = draw(mostly(st.lists(mostly(VALID_HOST, host_names, 10), min_size=1, max_size=3), st.lists(host_names)))
    args: dict[str, Any] = {"host_name": hosts[0]} if len(hosts) == 1 and draw(st.booleans()) else {"host_names": hosts}
    args["service_descriptions"] = draw(st.none() | st.lists(mostly(nonblank, text, 10), max_size=3))
    args["comment"] = draw(mostly(nonblank, text))
    args["start_time"] = draw(mostly(st.none() | st.sampled_from(["now", "+0s", "+5m"]) | future, times, 2))
    args["end_time"] = draw(mostly(future, st.none() | times, 2))
    args["duration"] = draw(mostly(st.none() | st.integers(0, 10**6), st.integers(-5, -1), 10))
    args["recur"] = draw(st.none() | st.sampled_from(RECURS))
    args["verify_timeout"] = draw(st.sampled_from([None, 0, 0.01, -1, math.nan]))
    return args


def never_sleep(seconds: float) -> None:
    """``Server`` shows every change at once and finishes every job at once: waiting means the change went wrong
    (and failing here keeps a failing example from polling for verify_timeout seconds)."""
    raise AssertionError(f"waited {seconds:g} seconds for a change that does not show")


WINDOW = {"host_name": "web1", "comment": "maintenance", "start_time": "now"}


@settings(PROPERTY, max_examples=examples(150))
# Lone surrogates are left out of the site: encode_query cannot encode them (reported, in _client.py); Checkmk only
# has sites with ids of ASCII letters, digits, '-' and '_'.
@given(
    args=downtime_args(),
    site=st.sampled_from(["", "central", "remote1"]) | text.filter(surrogate_free),
)
# Windows that are only fractions of a second: Checkmk gets whole seconds.
@example(args={**WINDOW, "end_time": "2026-12-01T10:00:00.400000+00:00"}, site="central")
@example(
    args={**WINDOW, "start_time": "2026-12-01T10:00:01.200000Z", "end_time": "2026-12-01T10:00:01.700000Z"}, site=""
)
def test_checkmk_downtime_sets_exactly_the_declared_downtime(args, site):
    params = module_params(checkmk_downtime, args)
    server = Server()
    hosts = [params["host_name"]] if params["host_name"] else list(params["host_names"] or [])
    for name in hosts:
        server.hosts[name] = {"folder": "/", "attributes": {"site": site}}
    with clean(server):
        request = DowntimeRequest.from_params(params, now=NOW)
        downtimes = Downtimes(
            client_for(server, params),
            request,
            site_urls=params["site_urls"],
            verify_timeout=params["verify_timeout"],
            now=lambda: NOW,
            sleep=never_sleep,
        )
        outcome = downtimes.apply(check_mode=False)
    services = list(params["service_descriptions"] or [])
    comment = params["comment"]
    # an empty start_time (a template's default('')) means now, as the option's default
    start, end = expected_time(params["start_time"] or "now"), expected_time(params["end_time"] or "")
    whole = [moment.replace(microsecond=0) if moment else None for moment in (start, end)]
    valid = (
        names_a_downtime(hosts, services, comment)
        and params["duration"] >= 0
        and None not in whole
        and whole[0] < whole[1]
        and whole[1] > NOW
    )
    if server.error is not None:
        assert not valid, f"rejected: {server.error}"
        assert server.writes() == []
        return
    assert valid, "accepted"
    on = site or "central"
    kind = "service" if services else "host"
    reads = [c.query for c in server.calls if c.method == "GET" and c.path[1] == "downtime"]
    listing = {"downtime_type": [kind], **({"host_name": hosts} if len(hosts) == 1 else {})}
    assert [{k: v for k, v in r.items() if k != "query"} for r in reads] == [listing, {**listing, "site_id": [on]}]
    assert all(json.loads(r["query"][0]) == {"op": "=", "left": "comment", "right": comment} for r in reads)
    commands = [w.body for w in server.writes()]
    command = {
        "recur": params["recur"],
        "duration": params["duration"],
        "comment": comment,
        "start_time": whole[0].isoformat(),
        "end_time": whole[1].isoformat(),
    }

    def any_of(column: str, values: list) -> dict:
        equal = [{"op": "=", "left": column, "right": value} for value in values]
        return equal[0] if len(equal) == 1 else {"op": "or", "expr": equal}

    if len(hosts) == 1:
        command.update(
            downtime_type=kind, host_name=hosts[0], **({"service_descriptions": services} if services else {})
        )
    elif services:
        both = [any_of("host_name", hosts), any_of("description", services)]
        command.update(downtime_type="service_by_query", query={"op": "and", "expr": both})
    else:
        command.update(downtime_type="host_by_query", query=any_of("name", hosts))
    assert commands == [command]
    assert outcome.changed
    after = [
        (d["host_name"], d.get("service_description"), d["comment"], d["site_id"]) for d in outcome.after["downtimes"]
    ]
    declared = [
        (name, service, comment, on) for name in dict.fromkeys(hosts) for service in dict.fromkeys(services or [None])
    ]
    assert sorted(after, key=repr) == sorted(declared, key=repr)


@settings(PROPERTY, max_examples=examples(100))
@given(
    args=downtime_args(),
    exists=st.booleans(),
    others=st.lists(st.tuples(st.sampled_from(["central", "remote1"]), text, st.none() | text), max_size=4),
    same=st.lists(st.tuples(st.sampled_from(["central", "remote1"]), st.none() | text), max_size=3),
)
def test_checkmk_downtime_absent_removes_exactly_the_declared_downtimes(args, exists, others, same):
    params = module_params(checkmk_downtime, {**args, "state": "absent"})
    hosts = [params["host_name"]] if params["host_name"] else list(params["host_names"] or [])
    server = Server()
    comment, services = params["comment"], list(params["service_descriptions"] or [])
    start, end = "2026-12-01T09:00:00+00:00", "2026-12-01T12:00:00+00:00"
    for name in hosts:
        if exists:
            server.hosts[name] = {"folder": "/", "attributes": {"site": "remote1"}}
        for site, other, service in others:
            server.add_downtime(site, name, other, start, end, service_description=service)
        for site, service in same:
            server.add_downtime(site, name, comment, start, end, service_description=service)
    # The host's downtimes with its identity go, on whichever site they are.
    kept = [
        d for d in server.downtimes if d["comment"] != comment or d["service_description"] not in (services or [None])
    ]
    with clean(server):
        request = DowntimeRequest.from_params(params, now=NOW)
        Downtimes(client_for(server, params), request, verify_timeout=0, now=lambda: NOW, sleep=never_sleep).apply(
            check_mode=False
        )
    if server.error is not None:
        assert not names_a_downtime(hosts, services, comment)
        return
    assert server.downtimes == kept


# --- checkmk_discovery -------------------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=examples(100))
@given(
    hosts=mostly(st.lists(mostly(VALID_HOST, host_names, 10), min_size=1, max_size=4), st.lists(host_names)),
    single=st.booleans(),
    mode=st.sampled_from(MODES),
    known=mostly(st.just(True), st.just(False)),
    services=st.lists(text, max_size=3),
    check=st.booleans(),
)
def test_checkmk_discovery_sends_the_host_names_exactly(hosts, single, mode, known, services, check):
    args = {"host_name": hosts[0]} if single and hosts else {"host_names": hosts}
    params = module_params(checkmk_discovery, {**args, "mode": mode, "timeout": 5})
    server = Server()
    if known:
        server.services = {name: {"monitored": ["CPU load"], "undecided": list(services)} for name in hosts}
    names = [params["host_name"]] if params["host_name"] else params["host_names"]
    with clean(server):
        bulk = params["host_names"] is not None
        client = client_for(server, params)
        discover(
            client, names, params["mode"], bulk=bulk, check_mode=check, timeout=params["timeout"], sleep=never_sleep
        )
    if server.error is not None:
        assert isinstance(server.error, ValidationError)
        assert not names or not all(valid_host_name(n) for n in names) or not (known or check)
        return
    # Check mode takes a host that does not exist for one an earlier task would create.
    assert names and all(valid_host_name(n) for n in names) and (known or check)
    reads = [c.path for c in server.calls if c.path[:2] == ("objects", "service_discovery")]
    assert reads[: len(names)] == [("objects", "service_discovery", n) for n in names]
    starts = [w.body for w in server.writes()]
    if check:
        assert starts == []
    elif bulk:
        assert [s["hostnames"] for s in starts] == [names]
    else:
        assert starts == [{"host_name": names[0], "mode": "new" if mode == "monitor_undecided_services" else mode}]


def test_checkmk_discovery_reads_and_sends_a_host_named_twice_once() -> None:
    server = Server()
    server.services = {"web1": {"monitored": [], "undecided": ["CPU load"]}}
    result, failed, _caught = run_module(
        checkmk_discovery, {"host_names": ["web1", "web1"], "mode": "new"}, server, check_mode=False
    )
    assert not failed, result
    reads = [c.path for c in server.calls if c.path[:2] == ("objects", "service_discovery")]
    assert reads[:1] == [("objects", "service_discovery", "web1")] and reads.count(reads[0]) == len(reads) >= 1
    assert [w.body["hostnames"] for w in server.writes()] == [["web1"]]


# --- checkmk_activation ------------------------------------------------------------------------------------------


@settings(PROPERTY, max_examples=examples(70))
@given(
    sites=st.lists(text, max_size=3),
    force=st.booleans(),
    wait=st.booleans(),
    timeout=st.sampled_from([300, 0, -1, math.nan, math.inf]),
    users=st.lists(st.none() | st.just(USER) | text, min_size=1, max_size=4),
    check=st.booleans(),
)
def test_checkmk_activation_sends_the_sites_exactly(sites, force, wait, timeout, users, check):
    args = {"sites": sites, "force_foreign_changes": force, "wait": wait, "timeout": timeout}
    params = module_params(checkmk_activation, args)
    changes = [{"id": str(i), "user_id": user, "text": f"change {i}"} for i, user in enumerate(users)]
    server = Server(pending=changes)
    with clean(server):
        request = Activation(params["sites"], params["force_foreign_changes"], params["wait"], params["timeout"])
        outcome = activate(client_for(server, params), request, check_mode=check, sleep=never_sleep)
    foreign = [u for u in users if u and u != USER]
    if not 0 < timeout < math.inf:  # refused before anything is sent
        assert isinstance(server.error, ValidationError) and server.calls == []
        return
    if server.error is not None:
        assert foreign and not force and server.writes() == []
        return
    assert outcome.changed and (force or not foreign)
    posts = server.writes()
    if check:
        assert posts == []
        return
    assert [p.body for p in posts] == [{"redirect": False, "sites": sites, "force_foreign_changes": force}]
    assert posts[0].headers["If-Match"] == Server.etag({"value": changes})


# --- ETags: Server compares If-Match as Checkmk does, and the library reads again on 412 ----------------------------

API = "https://cmk.example/central/check_mk/api/1.0/"
PENDING = "domain-types/activation_run/collections/pending_changes"
GUARDED = {  # a write that needs If-Match: (method, path, body, where the ETag it needs is read)
    "update host": (
        "PUT",
        "objects/host_config/web1",
        {"update_attributes": {"alias": "new"}},
        "objects/host_config/web1",
    ),
    "move host": (
        "POST",
        "objects/host_config/web1/actions/move/invoke",
        {"target_folder": "~a"},
        "objects/host_config/web1",
    ),
    "update folder": ("PUT", "objects/folder_config/~a", {"title": "new"}, "objects/folder_config/~a"),
    "activate": (
        "POST",
        "domain-types/activation_run/actions/activate-changes/invoke",
        {"redirect": False, "sites": [], "force_foreign_changes": False},
        PENDING,
    ),
}


def send(server: Server, method: str, path: str, if_match: str | None = None, body: Any = None) -> Response:
    headers = {"Content-Type": "application/json", **({"If-Match": if_match} if if_match is not None else {})}
    data = json.dumps(body).encode() if body is not None else None
    return server.request(method, API + path, headers=headers, body=data, timeout=1)


@pytest.mark.parametrize("write", GUARDED.values(), ids=GUARDED.keys())
def test_the_server_takes_a_guarded_write_only_with_the_current_etag(write):
    method, path, body, read = write
    server = Server(hosts={"web1": {"folder": "/", "attributes": {}}}, pending=[{"id": "1", "user_id": USER}])
    server.folders["/a"] = {"title": "a", "attributes": {}}

    def state() -> str:
        return json.dumps([server.hosts, server.folders, server.pending], sort_keys=True)

    before, current = state(), send(server, "GET", read).header("ETag")
    refused = {None: 428, "*": 412, '"stale"': 412, current.strip('"'): 412, f"W/{current}": 412}
    for if_match, status in refused.items():
        answer = send(server, method, path, if_match, body)
        title = "Precondition required" if status == 428 else "Precondition failed"
        assert (answer.status, answer.json()["title"]) == (status, title), if_match
    assert state() == before, "a refused write changed nothing"
    assert send(server, method, path, current, body).status == 200
    assert state() != before
    assert send(server, method, path, current, body).status == 412, "the write changed the ETag"


def test_a_host_changed_between_read_and_update_is_read_again_and_keeps_both_changes():
    server = Server(hosts={"web1": {"folder": "/", "attributes": {"alias": "old"}}})
    read = Server.etag(server.host_body("web1"))

    def colleague(method: str, _url: str) -> None:  # edits the host right before the library's first update
        if method == "PUT" and not server.writes():
            server.hosts["web1"]["attributes"]["alias"] = "theirs"

    wire = Meddling(server, colleague)
    params = VALIDATORS[checkmk_host].validate({**CONNECTION, "name": "web1", "attributes": {"ipaddress": "192.0.2.1"}})
    params = params.validated_parameters
    outcome = sync(
        HostResource(CheckmkClient.from_params(params, transport=wire), "web1"),
        "present",
        desired_host(params),
        check_mode=False,
    )
    host = ("objects", "host_config", "web1")
    answered = [(c.method, c.path, status) for c, status in zip(server.calls, wire.statuses, strict=True)]
    assert [a for a in answered if a[1] == host] == [
        ("GET", host, 200),
        ("PUT", host, 412),
        ("GET", host, 200),
        ("PUT", host, 200),
    ]
    puts = [c.headers["If-Match"] for c in server.writes()]
    assert puts[0] == read and puts[1] not in (read, Server.etag(server.host_body("web1")))
    assert server.hosts["web1"] == {"folder": "/", "attributes": {"alias": "theirs", "ipaddress": "192.0.2.1"}}
    assert outcome.changed and outcome.before["attributes"] == {"alias": "old"}
    assert outcome.after["attributes"] == {"alias": "theirs", "ipaddress": "192.0.2.1"}


def test_an_activation_whose_changes_change_before_it_lands_reads_them_again():
    mine = {"id": "1", "user_id": USER, "text": "mine"}
    later = {"id": "2", "user_id": USER, "text": "made between the read and the activation"}
    server = Server(pending=[mine])

    def other_task(method: str, _url: str) -> None:  # another task of ours records a change meanwhile
        if method == "POST" and not server.writes():
            server.pending.append(later)

    wire = Meddling(server, other_task)
    params = VALIDATORS[checkmk_activation].validate(dict(CONNECTION)).validated_parameters
    request = Activation(params["sites"], params["force_foreign_changes"], params["wait"], params["timeout"])
    outcome = activate(CheckmkClient.from_params(params, transport=wire), request, check_mode=False, sleep=never_sleep)
    answered = [(c.method, c.path[-1], status) for c, status in zip(server.calls, wire.statuses, strict=True)]
    assert answered == [
        ("GET", "pending_changes", 200),
        ("POST", "invoke", 412),
        ("GET", "pending_changes", 200),
        ("POST", "invoke", 200),
        ("GET", "invoke", 204),  # wait-for-completion
    ]
    posts = [c.headers["If-Match"] for c in server.writes()]
    assert posts == [Server.etag({"value": [mine]}), Server.etag({"value": [mine, later]})]
    assert outcome.changed and outcome.after["changes"] == [mine, later] and server.pending == []


# --- The connection ----------------------------------------------------------------------------------------------


def header_safe(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return bool(value) and all(32 <= ord(char) != 127 for char in value)


@settings(PROPERTY, max_examples=examples(70))
@given(site=text)
def test_the_site_is_one_path_segment(site):
    # A site that is empty (or only slashes), not Latin-1 (lone surrogates included) or has control characters is
    # refused before anything is sent.
    params = module_params(checkmk_host, {"site": site, "name": "web1"})
    server = Server()
    try:
        client = client_for(server, params)
        HostResource(client, "web1").read()
    except MonitoringError as exc:
        one_line(exc)
        assert not header_safe(site.strip("/")) and server.calls == []
        return
    assert [(c.site, c.path) for c in server.calls] == [(site.strip("/"), ("objects", "host_config", "web1"))]


# --- The modules end to end: exit_json or fail_json with a one-line msg, never a traceback ------------------------


def run_module(module: Any, args: dict, server: Server, *, check_mode: bool) -> tuple[dict, bool, list]:
    caught: list = []
    real = module.api_errors

    @contextmanager
    def api_errors(ansible_module: Any) -> Any:
        with real(ansible_module):
            try:
                yield
            except MonitoringError as exc:
                caught.append(exc)
                raise

    out = io.StringIO()
    args = {**CONNECTION, **args}
    with (
        mock.patch.object(_client, "RequestsTransport", lambda tls: server),
        mock.patch.object(module, "api_errors", api_errors),
        module_args(args, check_mode=check_mode, diff=True),
        redirect_stdout(out),
        pytest.raises(SystemExit) as exit_info,
    ):
        module.main()
    return json.loads(out.getvalue()), exit_info.value.code != 0, caught


@st.composite
def module_runs(draw: st.DrawFn) -> tuple:
    module = draw(st.sampled_from(sorted(VALIDATORS, key=lambda m: m.__name__)))
    if module is checkmk_host:
        args = {"name": draw(host_names), "folder": draw(st.none() | folder_paths()), "attributes": draw(attributes)}
    elif module is checkmk_folder:
        args = {"path": draw(folder_paths()), "title": draw(st.none() | text), "attributes": draw(attributes)}
    elif module is checkmk_hosts:
        args = {"hosts": draw(host_entries()), "exclusive_folder": draw(st.none() | folder_paths())}
    elif module is checkmk_downtime:
        args = draw(downtime_args())
        args["verify_timeout"] = 0  # the module's own clock and sleep: never wait
    elif module is checkmk_discovery:
        args = {"host_names": draw(st.lists(host_names, max_size=3)), "timeout": 1}
    else:
        args = {"sites": draw(st.lists(text, max_size=3))}
    args["state"] = (
        draw(st.sampled_from(["present", "absent"])) if "state" in VALIDATORS[module].argument_spec else None
    )
    return module, {k: v for k, v in args.items() if v is not None}


@settings(PROPERTY, max_examples=examples(80))
@given(run=module_runs(), check=st.booleans())
def test_every_module_exits_or_fails_in_one_line(run, check):
    module, args = run
    # AnsibleModule itself fails on a lone surrogate in a string option (it logs the arguments as UTF-8), before
    # main() runs; the library tests above get them.
    assume(surrogate_free(args))
    server = Server(pending=[{"id": "1", "user_id": USER, "text": "change"}])
    for name in [args["host_name"]] if "host_name" in args else args.get("host_names", []):
        server.services[name] = {"monitored": ["CPU load"]}
        server.hosts[name] = {"folder": "/", "attributes": {}}
    result, failed, caught = run_module(module, args, server, check_mode=check)
    if caught:
        assert failed and result["msg"] == str(caught[0])
        one_line(caught[0])
    if check:
        assert server.writes() == []
