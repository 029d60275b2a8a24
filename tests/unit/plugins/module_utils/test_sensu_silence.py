"""Sensu silences: the declared model, ``expire`` as the duration a silence satisfies, reading one id despite the
suffix match of ``GET /silenced/ids/:id``, and setting and clearing through the sync engine against the fake Sensu
API (test_sensu_api.py)."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.silence import (
    MAX_EXPIRE,
    SilenceResource,
    desired_silence,
    model_of,
    silence_id,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, sync
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_sensu_api import (
    BASE,
    ISSUED,
    Fake,
    SensuServer,
    answer,
)

HOST = "client:web01:*"


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def server(fake: Fake) -> SensuServer:
    return SensuServer(fake)


@pytest.fixture
def api(fake: Fake) -> SensuApi:
    return SensuApi(BASE, transport=fake, timeout=5)


def apply(api: SensuApi, *, state: str = "present", check_mode: bool = False, **options) -> Outcome:  # noqa: ANN003
    """What sensu_silence does (expire_on_resolve defaults to false there)."""
    desired = desired_silence(**{"expire_on_resolve": False, **options})
    resource = SilenceResource(api, desired["id"], declared_expire=options.get("expire"))
    return sync(resource, state, desired, check_mode=check_mode)


def posted(fake: Fake, path: str = "/silenced") -> list[dict]:
    return [c["body"] for c in fake.writes() if c["path"] == path]


# --- the declared model -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        (
            {"client": "web01", "subscription": "linux"},
            "Cannot silence client 'web01' and subscription 'linux' at once: client is short for subscription "
            "client:web01; give one of them",
        ),
        ({}, "Cannot set a Sensu silence without a client, a subscription or a check: give one"),
        ({"reason": "why"}, "without a client, a subscription or a check"),
        ({"client": "wéb01"}, "Cannot silence a Sensu client: 'wéb01' is not a valid Sensu client name"),
        ({"client": "web:01"}, "'web:01' is not a valid Sensu client name"),
        ({"subscription": "lin ux"}, "Cannot set silence 'lin ux:*': 'lin ux' is not a valid Sensu subscription"),
        ({"subscription": "*"}, "'*' is not a valid Sensu subscription name"),
        ({"check": "check:ntp"}, "Cannot set silence '*:check:ntp': 'check:ntp' is not a valid Sensu check name"),
        ({"client": "web01", "check": "check ntp"}, "'check ntp' is not a valid Sensu check name"),
    ],
)
def test_bad_silence_declarations(options, message):
    with pytest.raises(ValidationError) as error:
        desired_silence(**options)
    assert message in str(error.value)


@pytest.mark.parametrize("expire", [0, -1, True, False, MAX_EXPIRE + 1, 2**63, 1.5, "3600"])
def test_expire_must_be_a_positive_number_of_seconds(expire):
    with pytest.raises(ValidationError) as error:
        desired_silence(client="web01", expire=expire)
    assert str(error.value) == (
        f"Cannot silence 'client:web01:*': expire must be a positive number of seconds (at most {MAX_EXPIRE}), "
        f"not {expire!r}; leave it out for a silence that does not expire"
    )


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"client": "web01"}, "client:web01:*"),
        ({"subscription": "client:web01"}, "client:web01:*"),
        ({"client": "web01", "check": "check_disk"}, "client:web01:check_disk"),
        ({"check": "check_ntp"}, "*:check_ntp"),
        ({"subscription": "sub", "check": "check"}, "sub:check"),
        ({"subscription": "roundrobin:web"}, "roundrobin:web:*"),
    ],
)
def test_silence_ids(options, expected):
    assert desired_silence(**options)["id"] == expected


def test_the_declared_model():
    assert desired_silence(client="web01") == {
        "id": HOST,
        "subscription": "client:web01",
        "check": None,
        "expire": None,
    }
    assert desired_silence(
        check="check_ntp", reason="patching", creator="ansible", expire=MAX_EXPIRE, expire_on_resolve=True
    ) == {
        "id": "*:check_ntp",
        "subscription": None,
        "check": "check_ntp",
        "reason": "patching",
        "creator": "ansible",
        "expire_on_resolve": True,
        "expire": MAX_EXPIRE,
    }
    assert silence_id(None, None) == "*:*"


@pytest.mark.parametrize(
    "left, declared, expire, expires_in",
    [
        (3500, 3600, 3600, 3500),  # its clock is running: it satisfies the declared duration
        (3600, 3600, 3600, 3600),
        (1, 3600, 3600, 1),
        (7000, 3600, 7000, 7000),  # more time left than declared: set again
        (-1, 3600, None, None),  # does not expire: set again
        (3500, None, 3500, 3500),  # expires, but declared not to
        (-1, None, None, None),
        (None, None, None, None),
        (True, 3600, None, None),
    ],
)
def test_expire_is_the_duration_a_silence_satisfies(left, declared, expire, expires_in):
    entry = {"id": HOST, "subscription": "client:web01", "check": None, "reason": "r", "expire": left}
    model = model_of(entry, declared)
    assert model["expire"] == expire and model["expires_in"] == expires_in
    assert model == {
        "id": HOST,
        "subscription": "client:web01",
        "check": None,
        "reason": "r",
        "creator": None,
        "expire_on_resolve": False,
        "begin": None,
        "expire": expire,
        "expires_in": expires_in,
    }


# --- read ---------------------------------------------------------------------------------------------------------


def test_read_asks_for_the_id_with_colon_and_star_as_they_are(api, fake, server):
    server.silence("client:web01", reason="patching", expire=3000)
    found = SilenceResource(api, HOST, declared_expire=3600).read()
    assert fake.paths() == [f"GET /silenced/ids/{HOST}"]
    assert found["id"] == HOST and found["expire"] == 3600 and found["expires_in"] == 3000


def test_read_when_the_id_route_answers_another_silence_reads_the_whole_registry(api, fake, server):
    server.silence("client:web01", reason="ours")
    server.silence("xclient:web01", reason="another")  # also ends in client:web01:*, and listed last
    assert server.get_silenced_id(HOST).json()["id"] == "xclient:web01:*"  # the quirk
    found = SilenceResource(api, HOST).read()
    assert fake.paths() == [f"GET /silenced/ids/{HOST}", "GET /silenced"]
    assert found["id"] == HOST and found["reason"] == "ours"


def test_read_when_only_another_silence_ends_with_the_id(api, fake, server):
    server.silence("xclient:web01", reason="another")
    assert SilenceResource(api, HOST).read() is None
    assert fake.paths() == [f"GET /silenced/ids/{HOST}", "GET /silenced"]


def test_read_of_a_silence_that_is_not_there(api, fake, server):
    assert SilenceResource(api, "*:check_ntp").read() is None
    assert fake.paths() == ["GET /silenced/ids/*:check_ntp"]


# --- set, set again, clear ----------------------------------------------------------------------------------------


def test_a_new_silence_is_posted_and_read_back(api, fake, server):
    outcome = apply(api, client="web01", reason="kernel update", creator="ansible", expire=7200)
    assert posted(fake) == [
        {
            "subscription": "client:web01",
            "reason": "kernel update",
            "creator": "ansible",
            "expire_on_resolve": False,
            "expire": 7200,
        }
    ]
    assert outcome.changed and outcome.before is None
    assert outcome.after == {
        "id": HOST,
        "subscription": "client:web01",
        "check": None,
        "reason": "kernel update",
        "creator": "ansible",
        "expire_on_resolve": False,
        "begin": None,
        "expire": 7200,
        "expires_in": 7200,
    }
    server.silences[HOST]["expire"] = 7100  # its clock runs
    again = apply(api, client="web01", reason="kernel update", creator="ansible", expire=7200)
    assert not again.changed and again.after["expires_in"] == 7100 and len(fake.writes()) == 1


def test_a_check_everywhere_is_posted_without_a_subscription(api, fake, server):
    outcome = apply(api, check="check_ntp", expire_on_resolve=True)
    assert posted(fake) == [{"check": "check_ntp", "expire_on_resolve": True}]
    assert outcome.after["id"] == "*:check_ntp" and outcome.after["expire"] is None
    assert server.silences["*:check_ntp"]["expire"] == -1


def test_check_mode_reads_only(api, fake, server):
    outcome = apply(api, client="web01", expire=3600, check_mode=True)
    assert outcome.changed and outcome.after["id"] == HOST
    server.silence("client:web01", expire=-1)
    assert apply(api, client="web01", expire=3600, check_mode=True).changed
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


def test_setting_again_posts_the_whole_silence(api, fake, server):
    server.silence("client:web01", "check_disk", reason="old", creator="alice", expire=3000)
    outcome = apply(api, client="web01", check="check_disk", reason="new", expire=3600)
    assert posted(fake) == [
        {
            "subscription": "client:web01",
            "check": "check_disk",
            "reason": "new",
            "creator": "alice",  # not declared: sent as it is
            "expire_on_resolve": False,
            "expire": 3600,
        }
    ]
    assert outcome.changed and outcome.before["reason"] == "old" and outcome.after["reason"] == "new"
    assert outcome.after["creator"] == "alice" and outcome.after["expires_in"] == 3600


@pytest.mark.parametrize("left", [7200, -1])
def test_a_silence_that_expires_later_than_declared_is_set_again(api, fake, server, left):
    server.silence("client:web01", expire=left)
    outcome = apply(api, client="web01", expire=3600)
    assert outcome.changed and posted(fake)[0]["expire"] == 3600
    assert server.silences[HOST]["expire"] == 3600


def test_a_silence_that_expires_but_is_declared_not_to_is_set_again_without_expire(api, fake, server):
    server.silence("client:web01", expire=3000, reason="r")
    outcome = apply(api, client="web01")
    assert posted(fake) == [{"subscription": "client:web01", "reason": "r", "expire_on_resolve": False}]
    assert outcome.changed and outcome.after["expire"] is None and server.silences[HOST]["expire"] == -1


def test_clear_posts_the_id_and_leaves_the_other_silences_alone(api, fake, server):
    server.silence("client:web01")
    server.silence("client:web01", "check_disk")
    server.silence("xclient:web01")
    outcome = apply(api, client="web01", state="absent")
    assert posted(fake, "/silenced/clear") == [{"id": HOST}] and len(fake.writes()) == 1
    assert outcome.changed and outcome.after is None and outcome.before["id"] == HOST
    assert list(server.silences) == ["client:web01:check_disk", "xclient:web01:*"]
    assert not apply(api, client="web01", state="absent").changed and len(fake.writes()) == 1


def test_clear_in_check_mode_reads_only(api, fake, server):
    server.silence("client:web01")
    assert apply(api, client="web01", state="absent", check_mode=True).changed
    assert fake.writes() == [] and HOST in server.silences


def test_a_silence_cleared_meanwhile_is_settled_by_reading_again(api, fake, server):
    server.silence("client:web01")
    fake.on("POST", "/silenced/clear", lambda call: (server.silences.clear(), answer(404))[1])
    outcome = apply(api, client="web01", state="absent")
    assert outcome.changed and outcome.after is None
    assert fake.paths() == [f"GET /silenced/ids/{HOST}", "POST /silenced/clear", f"GET /silenced/ids/{HOST}"]


def test_a_lost_answer_is_settled_by_reading_again(api, fake, server):
    def lost(call: dict) -> Response:
        server.handle(call)  # it landed
        raise TransportError(f"{BASE} did not answer within 5 seconds", timed_out=True)

    fake.on("POST", "/silenced", lost, server.handle)
    outcome = apply(api, client="web01", reason="patching", expire=3600)
    assert posted(fake) == [
        {"subscription": "client:web01", "reason": "patching", "expire_on_resolve": False, "expire": 3600}
    ]
    assert fake.paths() == [f"GET /silenced/ids/{HOST}", "POST /silenced", f"GET /silenced/ids/{HOST}"]
    assert outcome.changed and outcome.before is None and outcome.after["reason"] == "patching"
    assert list(server.silences) == [HOST]


def test_a_lost_request_is_sent_again_after_reading_again(api, fake, server):
    def dropped(call: dict) -> Response:
        raise TransportError(f"cannot connect to {BASE} (Connection reset by peer)")

    fake.on("POST", "/silenced", dropped, server.handle)
    outcome = apply(api, client="web01", reason="patching")
    bodies = posted(fake)
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same whole silence: no harm in setting it twice
    assert outcome.changed and outcome.after["reason"] == "patching" and list(server.silences) == [HOST]


def test_a_silence_accepted_but_not_listed_is_an_error(api, fake, server):
    fake.on("POST", "/silenced", answer(201))
    with pytest.raises(ValidationError, match="Sensu accepted silence 'client:web01:\\*' but does not list it"):
        apply(api, client="web01")


def test_a_rejected_silence_fails_in_one_line(api, fake, server):
    fake.on("POST", "/silenced", answer(400))
    with pytest.raises(ApiError) as error:
        apply(api, client="web01")
    assert str(error.value) == (
        "Failed to set Sensu silence 'client:web01:*': 400 Bad Request (Sensu says no more: a value it does not accept)"
    )
    assert len(fake.writes()) == 1


def test_the_console_answers_200_without_a_body(api, fake, server):
    fake.on("POST", "/silenced", lambda call: (server.handle(call), Response(200, {}, b""))[1])
    assert apply(api, client="web01").changed
    assert server.silences[HOST]["timestamp"] == ISSUED
