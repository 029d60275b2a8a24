from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
    flatten_fields,
    object_path,
    release,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    ConflictError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import encode_query
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import SECRET, problem, reply

PENDING = "/domain-types/activation_run/collections/pending_changes"


def test_requests_carry_auth_accept_and_base_url(client, fake):
    fake.on("GET", "/objects/host_config/web1", reply(200, {"id": "web1"}, '"abc"'))
    body, etag = client.get("/objects/host_config/web1", action="read host 'web1'")
    assert (body, etag) == ({"id": "web1"}, '"abc"')
    call = fake.calls[-1]
    assert call.headers["Authorization"] == f"Bearer automation {SECRET}"
    assert call.headers["Accept"] == "application/json"
    assert "Content-Type" not in call.headers and "If-Match" not in call.headers


def test_get_returns_none_for_404(client, fake):
    fake.on("GET", "/objects/host_config/nope", problem(404, "Not Found", "Host not found: 'nope'"))
    assert client.get("/objects/host_config/nope", action="read host 'nope'") == (None, None)


def test_write_sends_json_if_match_and_returns_new_etag(client, fake):
    fake.on("PUT", "/objects/host_config/web1", reply(200, {"id": "web1"}, '"new"'))
    body, etag = client.write(
        "PUT",
        "/objects/host_config/web1",
        {"update_attributes": {"alias": "x"}},
        etag='"old"',
        action="update host 'web1'",
    )
    assert etag == '"new"'
    call = fake.writes()[0]
    assert call.headers["If-Match"] == '"old"'
    assert call.headers["Content-Type"] == "application/json"
    assert call.body == {"update_attributes": {"alias": "x"}}


def test_problem_json_is_rendered_on_one_line_with_fields(client, fake):
    fields = {"attributes": {"site": ["The site 'nope' should exist but it doesn't."]}}
    fake.on(
        "POST",
        "/domain-types/host_config/collections/all",
        problem(400, "Bad Request", "These fields have problems: attributes", fields=fields),
    )
    with pytest.raises(ApiError) as err:
        client.write("POST", "/domain-types/host_config/collections/all", {}, action="create host 'web1'")
    message = str(err.value)
    assert message == (
        "Failed to create host 'web1': 400 Bad Request - These fields have problems: attributes "
        "(attributes.site: The site 'nope' should exist but it doesn't.)"
    )
    assert "\n" not in message
    assert err.value.details["fields"] == fields


@pytest.mark.parametrize(
    "status, cls, hint",
    [
        (401, AuthError, "api_user and api_secret"),
        (412, ConflictError, "ETag"),
        (428, ConflictError, "If-Match"),
        (500, ApiError, ""),
    ],
)
def test_status_maps_to_error_class(client, fake, status, cls, hint):
    fake.on("PUT", "/objects/folder_config/~a", problem(status, "Some title", "Some detail"))
    with pytest.raises(cls) as err:
        client.write("PUT", "/objects/folder_config/~a", {}, etag='"x"', action="update folder '/a'")
    assert str(err.value).startswith(f"Failed to update folder '/a': {status} Some title - Some detail")
    assert hint in str(err.value)
    assert SECRET not in str(err.value) and SECRET not in repr(err.value.details)


def test_non_json_error_body_still_gives_a_message(client, fake):
    from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response

    fake.on("GET", "/version", Response(502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>"))
    with pytest.raises(ApiError, match=r"^Failed to read the version: 502 HTTP 502$"):
        client.request("GET", "/version", action="read the version")


def test_transport_errors_name_the_action(fake):
    class Broken:
        def request(self, *args, **kwargs):
            raise TransportError("cannot connect to https://cmk.example (Connection refused)")

    client = CheckmkClient("https://cmk.example", "central", "automation", SECRET, transport=Broken())
    with pytest.raises(TransportError, match=r"^Failed to read host 'a': cannot connect to https://cmk.example"):
        client.get("/objects/host_config/a", action="read host 'a'")


@pytest.mark.parametrize("missing", ["server_url", "site", "api_user", "api_secret"])
def test_missing_connection_option_is_a_validation_error(fake, missing):
    args = {"server_url": "https://x", "site": "s", "user": "u", "secret": "p"}
    key = {"api_user": "user", "api_secret": "secret"}.get(missing, missing)
    args[key] = ""
    with pytest.raises(ValidationError, match=missing):
        CheckmkClient(args["server_url"], args["site"], args["user"], args["secret"], transport=fake)


def test_recorded_changes_are_the_new_changes_of_this_user(client, fake):
    old = {"id": "1", "user_id": "automation", "action_name": "edit-host", "text": "", "time": ""}
    mine = {"id": "2", "user_id": "automation", "action_name": "create-host", "text": "", "time": ""}
    theirs = {"id": "3", "user_id": "alice", "action_name": "edit-host", "text": "", "time": ""}
    fake.on("GET", PENDING, reply(200, {"value": [old]}, '"a"'), reply(200, {"value": [old, mine, theirs]}, '"b"'))
    fake.on("DELETE", "/objects/host_config/a", reply(204))
    assert client.recorded_changes() == []  # nothing written: not even read
    assert fake.calls == []
    client.write("DELETE", "/objects/host_config/a", action="delete host 'a'")
    assert client.recorded_changes() == [mine]
    assert [c.method for c in fake.calls] == ["GET", "DELETE", "GET"]


def test_query_encoding():
    assert encode_query({"hostnames": ["a", "b"], "effective_attributes": True}) == (
        "hostnames=a&hostnames=b&effective_attributes=true"
    )
    assert encode_query({"query": {"op": "=", "left": "name", "right": "a&b"}}) == (
        "query=%7B%22op%22%3A+%22%3D%22%2C+%22left%22%3A+%22name%22%2C+%22right%22%3A+%22a%26b%22%7D"
    )


def test_object_path_quotes_the_id():
    assert object_path("folder_config", "~a~b") == "/objects/folder_config/~a~b"
    assert object_path("host_config", "a/b", "actions", "move", "invoke") == (
        "/objects/host_config/a%2Fb/actions/move/invoke"
    )


def test_flatten_fields_nested():
    assert flatten_fields({"entries": {"0": {"host_name": ["bad"]}}, "_schema": ["one", "two"]}) == (
        "entries.0.host_name: bad; _schema: one two"
    )


@pytest.mark.parametrize(
    "secret, reason",
    [
        (SECRET + "\n", "line break"),  # from a file or a vault; requests would quote the whole header
        (SECRET + "\t", "control character"),
        (SECRET + "\u2603", "Latin-1"),
    ],
)
def test_a_secret_that_cannot_go_into_a_header_is_refused_without_showing_it(fake, secret, reason):
    with pytest.raises(ValidationError, match=reason) as refused:
        CheckmkClient("https://cmk.example", "central", "automation", secret, transport=fake)
    assert SECRET not in str(refused.value) and fake.calls == []


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_timeouts_must_be_positive_and_finite(fake, timeout):
    with pytest.raises(ValidationError, match="timeout"):
        CheckmkClient("https://cmk.example", "central", "automation", SECRET, transport=fake, timeout=timeout)


@pytest.mark.parametrize("site", ["/", "//"])
def test_a_site_of_slashes_is_no_site(fake, site):
    with pytest.raises(ValidationError, match="site is required"):
        CheckmkClient("https://cmk.example", site, "automation", SECRET, transport=fake)


def test_values_json_cannot_carry_are_refused_before_sending(client, fake):
    with pytest.raises(ValidationError, match="Cannot update host 'web1': a value cannot be sent"):
        client.write(
            "PUT", "/objects/host_config/web1", {"attributes": {"x": float("nan")}}, action="update host 'web1'"
        )
    assert fake.writes() == []


@pytest.mark.parametrize(
    "header, expected",
    [
        ("2.4.0p18", (2, 4)),
        ("2.3.0p41.cee", (2, 3)),
        ("2.5.0b1", (2, 5)),
        ("2.10.0", (2, 10)),
        ("", None),
        (None, None),
    ],
)
def test_release_reads_major_and_minor(header, expected):
    assert release(header) == expected


def test_the_client_learns_the_release_from_any_answer_and_keeps_it(client, fake):
    assert client.release is None
    fake.on("GET", "/objects/host_config/web1", reply(200, {"id": "web1"}, version="2.3.0p41"))
    fake.on("GET", "/objects/host_config/nope", problem(404, "Not Found"))  # a 401 or a proxy's answer has none
    client.get("/objects/host_config/web1", action="read host 'web1'")
    client.get("/objects/host_config/nope", action="read host 'nope'")
    assert client.release == (2, 3)
