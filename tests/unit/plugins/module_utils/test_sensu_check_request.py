"""Check requests (``POST /request``) against the fake Sensu API (test_sensu_api.py): an action, never repeated;
check mode only reads the check."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check_request import request_check
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_sensu_api import (
    BASE,
    ISSUED,
    Fake,
    SensuServer,
    answer,
)

UNKNOWN = (
    "Cannot request check 'check_ping': Sensu has no such check (its API loads check definitions at start and on a "
    "reload: was the server reloaded after the check was written?)"
)
CHECK = {"name": "check_ping", "command": "check-ping.rb", "subscribers": ["linux"], "interval": 60}


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def server(fake: Fake) -> SensuServer:
    return SensuServer(fake)


@pytest.fixture
def api(fake: Fake) -> SensuApi:
    return SensuApi(BASE, transport=fake, timeout=5)


def test_check_mode_only_reads_the_check(api, fake, server):
    server.checks["check_ping"] = CHECK
    outcome = request_check(
        api, "check_ping", subscribers=["client:web01"], reason="registered", creator="ansible", check_mode=True
    )
    assert fake.paths() == ["GET /checks/check_ping"]
    assert outcome.changed and outcome.before is None
    assert outcome.after == {
        "check": "check_ping",
        "subscribers": ["client:web01"],
        "reason": "registered",
        "creator": "ansible",
    }


def test_check_mode_fails_for_an_unknown_check(api, fake, server):
    with pytest.raises(ValidationError) as error:
        request_check(api, "check_ping", check_mode=True)
    assert str(error.value) == UNKNOWN
    assert fake.paths() == ["GET /checks/check_ping"]


def test_the_request_is_posted_once_and_returns_issued(api, fake, server):
    server.checks["check_ping"] = CHECK
    outcome = request_check(api, "check_ping", subscribers=["client:web01", "linux"], check_mode=False)
    assert fake.paths() == ["POST /request"]
    assert fake.calls[0]["body"] == {"check": "check_ping", "subscribers": ["client:web01", "linux"]}
    assert outcome.changed and outcome.after == {
        "check": "check_ping",
        "subscribers": ["client:web01", "linux"],
        "issued": ISSUED,
    }


def test_the_checks_own_subscribers_when_none_are_given(api, fake, server):
    server.checks["check_ping"] = CHECK
    outcome = request_check(api, "check_ping", reason="why", check_mode=False)
    assert fake.calls[0]["body"] == {"check": "check_ping", "reason": "why"}
    assert outcome.after == {"check": "check_ping", "reason": "why", "issued": ISSUED}


def test_an_unknown_check_fails_with_the_same_message(api, fake, server):
    with pytest.raises(ValidationError) as error:
        request_check(api, "check_ping", check_mode=False)
    assert str(error.value) == UNKNOWN
    assert fake.paths() == ["POST /request"]


def test_an_answer_without_a_body_has_no_issued(api, fake):
    fake.on("POST", "/request", answer(200))
    assert request_check(api, "check_ping", check_mode=False).after == {"check": "check_ping", "issued": None}


def test_a_server_error_is_not_repeated(api, fake):
    fake.on("POST", "/request", answer(500, {"error": "not connected to transport"}))
    with pytest.raises(ApiError) as error:
        request_check(api, "check_ping", check_mode=False)
    assert str(error.value) == "Failed to request Sensu check 'check_ping': 500 not connected to transport"
    assert len(fake.calls) == 1


def test_a_lost_answer_is_not_repeated_and_says_the_request_may_have_reached_sensu(api, fake):
    fake.on("POST", "/request", answer(502))
    with pytest.raises(ApiError) as error:
        request_check(api, "check_ping", check_mode=False)
    assert str(error.value) == (
        "Failed to request Sensu check 'check_ping': 502 Bad Gateway (the request may have reached Sensu all the "
        "same; it is not sent again)"
    )
    assert len(fake.calls) == 1 and error.value.status == 502


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "check, subscribers, message",
    [
        ("check_ping", [], "Cannot request check 'check_ping': subscribers is empty (nobody would run it)"),
        ("check_ping", ["linux", "lin ux"], "'lin ux' is not a valid Sensu subscription name"),
        ("check ping", None, "Cannot request a Sensu check: 'check ping' is not a valid Sensu check name"),
        ("check:ping", None, "'check:ping' is not a valid Sensu check name"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_sent(api, fake, check_mode, check, subscribers, message):
    with pytest.raises(ValidationError) as error:
        request_check(api, check, subscribers=subscribers, check_mode=check_mode)
    assert message in str(error.value)
    assert fake.calls == []
