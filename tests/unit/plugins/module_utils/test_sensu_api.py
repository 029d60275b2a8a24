"""The Sensu classic API client (basic auth, names, errors in one line), and the fake of the API that every Sensu unit
test uses: answers per (method, path), or else from a small Sensu server (clients and silences kept as Sensu's
routes keep them: lib/sensu/api/routes/{clients,silenced,checks,request}.rb), every request recorded, no network."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    NotFoundError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import (
    NAME,
    SUBSCRIPTION,
    SensuApi,
    segment,
    valid_name,
)

BASE = "http://sensu.example:4567"
USER = "admin"
PASSWORD = "pa55-sensu-w0rd"
ISSUED = 1767225600
# Sensu's defaults (lib/sensu/utilities.rb, redact_sensitive), written out again: the fake is the oracle.
REDACT = (
    "password passwd pass api_key api_token access_key secret_key private_key secret routing_key access_token_read "
    "access_token_write access_token_path webhook_url nickserv_password channel_password community keystore_password "
    "truststore_password proxy_password access_key_id secret_access_key"
).split()
CLIENT_NAME = re.compile(r"\A[\w.-]+\Z", re.ASCII)


def answer(status: int = 200, body: object = None) -> Response:
    """A JSON answer; without a body, the empty answer Sensu gives to most errors (and to 201/204)."""
    if body is None:
        return Response(status, {"Content-Length": "0"}, b"")
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def redacted(obj: Any, keys: list[str]) -> Any:
    """Sensu's redact_sensitive: the values of ``keys`` in hashes, at any depth, arrays included."""
    if isinstance(obj, dict):
        return {k: "REDACTED" if k in keys else redacted(v, keys) for k, v in obj.items()}
    if isinstance(obj, list):
        return [redacted(item, keys) for item in obj]
    return obj


class Fake:
    """Records requests; ``routes[(method, path)]`` is a list of answers (the last one repeats), each a Response or
    a callable taking the call. A request without a route goes to ``server`` when there is one."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.routes: dict = {}
        self.server: SensuServer | None = None

    def on(self, method: str, path: str, *answers: object) -> None:
        self.routes[(method, path)] = list(answers)

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        assert url.startswith(f"{BASE}/"), url
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query)
        call = {
            "method": method,
            "path": parts.path,
            "url": url,
            "query": dict(pairs),
            "headers": dict(headers),
            "body": json.loads(body) if body else None,
        }
        self.calls.append(call)
        found = self.routes.get((method, parts.path))
        if found is None:
            assert self.server is not None, f"unexpected {method} {parts.path}"
            return self.server.handle(call)
        item = found.pop(0) if len(found) > 1 else found[0]
        return item(call) if callable(item) else item

    def writes(self) -> list[dict]:
        return [c for c in self.calls if c["method"] != "GET"]

    def paths(self) -> list[str]:
        return [f"{c['method']} {c['path']}" for c in self.calls]


class SensuServer:
    """Clients, silences and checks as Sensu's API keeps them. ``clients`` hold what was posted (unredacted);
    ``silences`` map an id to its entry and its TTL (``expire``: the seconds left, -1 without); ``deleting``: how many
    more GETs still find a client after its DELETE (Sensu resolves its events first)."""

    def __init__(self, fake: Fake, *, delete_delay: int = 0) -> None:
        fake.server = self
        self.clients: dict[str, dict] = {}
        self.silences: dict[str, dict] = {}
        self.checks: dict[str, dict] = {}
        self.deleting: dict[str, int] = {}
        self.delete_delay = delete_delay

    def handle(self, call: dict) -> Response:
        method, path = call["method"], unquote(call["path"])
        if path.startswith("/clients/") and method in ("GET", "DELETE"):
            name = path[len("/clients/") :]
            return self.get_client(name) if method == "GET" else self.delete_client(name)
        if (method, path) == ("POST", "/clients"):
            return self.post_client(call["body"])
        if (method, path) == ("GET", "/silenced"):
            return answer(200, [dict(entry) for entry in self.silences.values()])
        if method == "GET" and path.startswith("/silenced/ids/"):
            return self.get_silenced_id(path[len("/silenced/ids/") :])
        if (method, path) == ("POST", "/silenced"):
            return self.post_silenced(call["body"])
        if (method, path) == ("POST", "/silenced/clear"):
            return answer(204) if self.silences.pop(call["body"]["id"], None) else answer(404)
        if method == "GET" and path.startswith("/checks/"):
            check = self.checks.get(path[len("/checks/") :])
            return answer(404) if check is None else answer(200, check)
        if (method, path) == ("POST", "/request"):
            return answer(202, {"issued": ISSUED}) if call["body"]["check"] in self.checks else answer(404)
        raise AssertionError(f"unexpected {method} {path}")

    # --- clients

    def client(self, name: str, **attributes: Any) -> dict:
        """Store a client as a POST would have left it."""
        stored = {"name": name, "keepalives": False, **attributes, "version": "1.9.0", "timestamp": ISSUED}
        stored["subscriptions"] = list(dict.fromkeys([*stored.get("subscriptions", []), f"client:{name}"]))
        self.clients[name] = stored
        return stored

    def get_client(self, name: str) -> Response:
        stored = self.clients.get(name)
        if stored is None:
            return answer(404)
        if name in self.deleting:
            if self.deleting[name] <= 0:
                del self.clients[name], self.deleting[name]
                return answer(404)
            self.deleting[name] -= 1
        keys = stored.get("redact") if isinstance(stored.get("redact"), list) else REDACT
        return answer(200, redacted(stored, keys))

    def post_client(self, body: Any) -> Response:
        if not isinstance(body, dict) or not CLIENT_NAME.match(str(body.get("name"))):
            return answer(400)
        if not isinstance(body.get("address"), str):
            return answer(400)
        subscriptions = body.get("subscriptions", [])
        if not isinstance(subscriptions, list) or not all(isinstance(s, str) for s in subscriptions):
            return answer(400)
        self.client(body["name"], **{k: v for k, v in body.items() if k != "name"})
        return answer(201, {"name": body["name"]})

    def delete_client(self, name: str) -> Response:
        if name not in self.clients:
            return answer(404)
        if self.delete_delay:
            self.deleting[name] = self.delete_delay
        else:
            del self.clients[name]
        return answer(202, {"issued": ISSUED})

    # --- silences

    def silence(self, subscription: str | None = None, check: str | None = None, *, expire: int = -1, **info: Any):
        """Store a silence as a POST would have left it, with ``expire`` seconds left."""
        silence_id = f"{subscription or '*'}:{check or '*'}"
        entry = {
            "id": silence_id,
            "subscription": subscription,
            "check": check,
            "reason": None,
            "creator": None,
            "begin": None,
            "expire_on_resolve": False,
            "timestamp": ISSUED,
            **info,
            "expire": expire,
        }
        self.silences.pop(silence_id, None)  # set again: last in the registry
        self.silences[silence_id] = entry
        return entry

    def post_silenced(self, body: Any) -> Response:
        if not isinstance(body, dict) or not (body.get("subscription") or body.get("check")):
            return answer(400)
        expire = body.get("expire")
        if expire is not None and (isinstance(expire, bool) or not isinstance(expire, int)):
            return answer(400)
        info = {k: body.get(k) for k in ("reason", "creator", "begin")}
        self.silence(
            body.get("subscription"),
            body.get("check"),
            expire=-1 if expire is None else expire,
            expire_on_resolve=body.get("expire_on_resolve", False),
            **info,
        )
        return answer(201)

    def get_silenced_id(self, silence_id: str) -> Response:
        """Sensu 1.x: the keys that END with the id asked for (as a regular expression, only '*' escaped), the last."""
        pattern = re.compile(silence_id.replace("*", r"\*") + "$")
        found = [e for key, e in self.silences.items() if pattern.search(f"silence:{key}")]
        return answer(200, dict(found[-1])) if found else answer(404)


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def api(fake: Fake) -> SensuApi:
    return SensuApi(f"{BASE}/", transport=fake, timeout=5)


# --- authentication -----------------------------------------------------------------------------------------------


def test_no_authorization_header_without_a_username(api, fake):
    fake.on("GET", "/info", answer(200, {"sensu": {"version": "1.9.0"}}))
    assert api.request("GET", "/info", action="read the info") == {"sensu": {"version": "1.9.0"}}
    (call,) = fake.calls
    assert "Authorization" not in call["headers"]
    assert call["headers"]["User-Agent"] == "lighthouse.monitoring" and call["headers"]["Accept"] == "application/json"
    assert call["url"] == f"{BASE}/info"


def test_basic_auth_with_username_and_password(fake):
    fake.on("POST", "/clients", answer(201, {"name": "web01"}))
    api = SensuApi(BASE, transport=fake, username=USER, password=PASSWORD)
    api.request("POST", "/clients", action="create", body={"name": "web01"}, ok=(201,))
    (call,) = fake.calls
    assert call["headers"]["Authorization"] == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert call["headers"]["Content-Type"] == "application/json" and call["body"] == {"name": "web01"}


@pytest.mark.parametrize("username, password", [(USER, None), (USER, ""), (None, PASSWORD), ("", PASSWORD)])
def test_username_and_password_go_together(fake, username, password):
    with pytest.raises(ValidationError, match="username and password go together: set both or neither"):
        SensuApi(BASE, transport=fake, username=username, password=password)
    assert fake.calls == []


@pytest.mark.parametrize("username, password", [("ad:min", PASSWORD), (USER, f"{PASSWORD}:x"), (USER, "sec:ret-value")])
def test_a_colon_in_the_credentials_is_refused_without_showing_them(fake, username, password):
    with pytest.raises(ValidationError) as error:
        SensuApi(BASE, transport=fake, username=username, password=password)
    message = str(error.value)
    assert "cannot contain ':'" in message and "splits the credentials at every ':'" in message
    assert password not in message and PASSWORD not in message and "\n" not in message


def test_a_control_character_in_the_password_is_refused_without_showing_it(fake):
    with pytest.raises(ValidationError) as error:
        SensuApi(BASE, transport=fake, username=USER, password=f"{PASSWORD}\n")
    assert "password contains a line break" in str(error.value) and PASSWORD not in str(error.value)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_timeout_must_be_a_positive_number(fake, timeout):
    with pytest.raises(ValidationError, match="timeout must be a positive number of seconds"):
        SensuApi(BASE, transport=fake, timeout=timeout)


def test_from_params_builds_the_client_from_the_connection_options(fake):
    params = {"server_url": f"{BASE}/", "username": USER, "password": PASSWORD, "validate_certs": True, "timeout": 7}
    api = SensuApi.from_params(params, transport=fake)
    assert api.base_url == BASE and api.timeout == 7
    fake.on("GET", "/clients/web01", answer(404))
    assert api.get("/clients/web01", action="read") is None
    assert fake.calls[0]["headers"]["Authorization"].startswith("Basic ")


def test_server_url_is_required(fake):
    params = {"server_url": None, "validate_certs": True, "timeout": 30}
    with pytest.raises(ValidationError, match="the connection option server_url is required"):
        SensuApi.from_params(params, transport=fake)


# --- errors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, body, kind, message",
    [
        (400, None, ApiError, "400 Bad Request (Sensu says no more: a value it does not accept)"),
        (
            401,
            None,
            AuthError,
            "401 Unauthorized - check username and password (the API's api.user and api.password)",
        ),
        (404, None, NotFoundError, "404 Not Found"),
        (405, None, ApiError, "405 Method Not Allowed"),
        (412, None, ApiError, "412 Precondition Failed"),
        (500, {"error": "not connected to redis"}, ApiError, "500 not connected to redis"),
        (500, {"error": "not connected to transport"}, ApiError, "500 not connected to transport"),
        (500, None, ApiError, "500 Internal Server Error"),
        (503, "<html>\n<body>Service Unavailable</body>\n</html>", ApiError, "503 Service Unavailable"),
    ],
)
def test_errors_are_one_line_naming_the_action(fake, status, body, kind, message):
    raw = Response(status, {}, body.encode()) if isinstance(body, str) else answer(status, body)
    fake.on("POST", "/clients", raw)
    api = SensuApi(BASE, transport=fake, username=USER, password=PASSWORD)
    with pytest.raises(kind) as error:
        api.request("POST", "/clients", action="create Sensu client 'web01'", body={"name": "web01"}, ok=(201,))
    assert str(error.value) == f"Failed to create Sensu client 'web01': {message}"
    assert error.value.status == status
    assert error.value.details == {
        "status": status,
        "method": "POST",
        "path": "/clients",
        "title": message.split(" ", 1)[1].split(" - ")[0],
    }
    assert PASSWORD not in str(error.value) and PASSWORD not in repr(error.value.details)
    if kind is ApiError:
        assert not isinstance(error.value, (AuthError, NotFoundError))


def test_get_answers_none_for_404_and_raises_for_other_errors(api, fake):
    fake.on("GET", "/clients/web01", answer(200, {"name": "web01"}))
    fake.on("GET", "/clients/web02", answer(404))
    fake.on("GET", "/clients/web03", answer(500, {"error": "not connected to redis"}))
    assert api.get("/clients/web01", action="read") == {"name": "web01"}
    assert api.get("/clients/web02", action="read") is None
    with pytest.raises(ApiError, match="^Failed to read Sensu client 'web03': 500 not connected to redis$"):
        api.get("/clients/web03", action="read Sensu client 'web03'")


def test_a_lost_connection_names_the_action(api, fake):
    def refused(call: dict) -> Response:
        raise TransportError("cannot connect to http://sensu.example:4567 (Connection refused)")

    fake.on("GET", "/clients/web01", refused)
    with pytest.raises(TransportError) as error:
        api.get("/clients/web01", action="read Sensu client 'web01'")
    assert str(error.value) == (
        "Failed to read Sensu client 'web01': cannot connect to http://sensu.example:4567 (Connection refused)"
    )


def test_a_value_that_cannot_be_sent_is_refused_before_sending(api, fake):
    with pytest.raises(ValidationError, match="^Cannot create Sensu client 'web01': a value cannot be sent"):
        api.request("POST", "/clients", action="create Sensu client 'web01'", body={"weight": float("nan")})
    assert fake.calls == []


# --- names --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, pattern",
    [
        ("client", "web01", NAME),
        ("client", "web-01.example_2", NAME),
        ("check", "check_ntp", NAME),
        ("subscription", "linux", SUBSCRIPTION),
        ("subscription", "client:web01", SUBSCRIPTION),
        ("subscription", "roundrobin:web", SUBSCRIPTION),
    ],
)
def test_valid_names(kind, value, pattern):
    assert valid_name(kind, value, purpose="test", pattern=pattern) == value


@pytest.mark.parametrize(
    "kind, value, pattern",
    [
        ("client", "wéb", NAME),  # Ruby's \w is ASCII
        ("client", "web01\n", NAME),  # \z: not before a final line break
        ("client", "web 01", NAME),
        ("client", "web:01", NAME),  # ':' only for subscriptions
        ("client", "web/01", NAME),
        ("client", "", NAME),
        ("client", None, NAME),
        ("client", 42, NAME),
        ("check", "check:ntp", NAME),
        ("check", "check*", NAME),
        ("subscription", "wéb", SUBSCRIPTION),
        ("subscription", "client:web 01", SUBSCRIPTION),
        ("subscription", "*", SUBSCRIPTION),
        ("subscription", "", SUBSCRIPTION),
    ],
)
def test_invalid_names(kind, value, pattern):
    with pytest.raises(ValidationError) as error:
        valid_name(kind, value, purpose="manage a thing", pattern=pattern)
    extra = " and ':'" if pattern is SUBSCRIPTION else ""
    assert str(error.value) == " ".join(
        f"Cannot manage a thing: {value!r} is not a valid Sensu {kind} name "
        f"(only letters, digits, '_', '.', '-'{extra})".split()
    )


@pytest.mark.parametrize(
    "value, path",
    [
        ("client:web01:*", "client:web01:*"),
        ("*:check_ntp", "*:check_ntp"),
        ("web-01.example_2", "web-01.example_2"),
        ("a b/c?d#e%", "a%20b%2Fc%3Fd%23e%25"),
    ],
)
def test_segment_keeps_colon_and_star(value, path):
    assert segment(value) == path
