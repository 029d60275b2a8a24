"""Renaming a host: which earlier name applies, the checks before anything is sent, the job and its wait."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import ForeignChangesError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.rename import WAIT, earlier_name, rename
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ConflictError, ValidationError
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

PENDING = "/domain-types/activation_run/collections/pending_changes"
ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
RENAME = "/objects/host_config/old1/actions/rename/invoke"


def host(name):
    return reply(200, {"id": name, "extensions": {"folder": "/", "attributes": {}}}, f'"etag-{name}"')


def missing():
    return problem(404, "Not Found", "Host not found")


def never_sleep(_seconds):
    pass


@pytest.mark.parametrize(
    "existing, expected",
    [
        ({"new1"}, None),  # already renamed
        (set(), None),  # neither: the task creates the host
        ({"old1"}, "old1"),
        ({"old2"}, "old2"),
    ],
)
def test_the_earlier_name_that_exists_when_the_name_does_not(client, fake, existing, expected):
    for name in ("new1", "old1", "old2"):
        fake.on("GET", f"/objects/host_config/{name}", host(name) if name in existing else missing())
    assert earlier_name(client, "new1", ["old1", "old2"]) == expected
    assert fake.writes() == []


@pytest.mark.parametrize(
    "existing, renamed_from, message",
    [
        ({"new1", "old1"}, ["old1"], "Cannot rename host 'old1' to 'new1': both exist"),
        ({"old1", "old2"}, ["old1", "old2"], "several of its earlier names exist: old1, old2"),
        (set(), ["new1"], "renamed_from of host 'new1' cannot name the host itself"),
        (set(), ["old1", "old1"], "names a host twice"),
        (set(), ["bad name"], "Invalid host name 'bad name'"),
    ],
)
def test_what_cannot_be_renamed_is_one_line_and_nothing_is_written(client, fake, existing, renamed_from, message):
    for name in ("new1", "old1", "old2"):
        fake.on("GET", f"/objects/host_config/{name}", host(name) if name in existing else missing())
    with pytest.raises(ValidationError, match=message):
        earlier_name(client, "new1", renamed_from)
    assert fake.writes() == []


@pytest.mark.parametrize("status, method", [(302, "POST"), (303, "GET")], ids=["2.3", "2.4"])
def test_rename_sends_the_etag_it_read_and_waits_for_the_job(client, fake, status, method):
    fake.on("GET", "/objects/host_config/old1", host("old1"))
    fake.on("PUT", RENAME, reply(status))
    fake.on(method, WAIT, reply(302), reply(204))
    rename(client, "old1", "new1", activate_first=False, timeout=5, sleep=never_sleep)
    put = next(c for c in fake.calls if c.method == "PUT")
    assert put.body == {"new_name": "new1"} and put.headers["If-Match"] == '"etag-old1"'
    assert [c.method for c in fake.calls if c.path == WAIT] == [method, method]


def test_pending_changes_stop_the_rename_with_one_line_that_says_what_to_do(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [{"id": "1", "user_id": "automation"}]}, '"e1"'))
    with pytest.raises(
        ConflictError, match=r"no change is pending, and 1 are \(automation \(1\)\); activate them first"
    ):
        rename(client, "old1", "new1", activate_first=False, timeout=5)
    assert fake.writes() == []


def test_activate_first_activates_the_users_own_changes_then_renames(client, fake):
    pending = {"value": [{"id": "1", "user_id": "automation"}]}
    fake.on("GET", PENDING, reply(200, pending, '"e1"'), reply(200, pending, '"e1"'), reply(200, {"value": []}, '"e2"'))
    run = {"id": "run1", "extensions": {"sites": ["cmk"], "is_running": True, "changes": []}}
    fake.on("POST", ACTIVATE, reply(200, run))
    fake.on("GET", "/objects/activation_run/run1/actions/wait-for-completion/invoke", reply(204))
    fake.on("GET", "/objects/host_config/old1", host("old1"))
    fake.on("PUT", RENAME, reply(303))
    fake.on("GET", WAIT, reply(204))
    rename(client, "old1", "new1", activate_first=True, timeout=5, sleep=never_sleep)
    assert [c.path for c in fake.writes()] == [ACTIVATE, RENAME]


def test_activate_first_never_activates_other_users_changes(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [{"id": "1", "user_id": "alice"}]}, '"e1"'))
    with pytest.raises(ForeignChangesError, match="alice"):
        rename(client, "old1", "new1", activate_first=True, timeout=5)
    assert fake.writes() == []
