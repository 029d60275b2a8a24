from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import (
    ACTIVATE,
    RUNNING,
    Activation,
    ForeignChangesError,
    activate,
    owners,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ConflictError, WaitTimeout
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import problem, reply

PENDING = "/domain-types/activation_run/collections/pending_changes"
WAIT = "/objects/activation_run/run1/actions/wait-for-completion/invoke"


def change(ident, user="automation"):
    return {"id": ident, "user_id": user, "action_name": "edit-host", "text": f"change {ident}", "time": "t"}


def run_body(changes, running=True):
    extensions = {"sites": ["cmk"], "is_running": running, "force_foreign_changes": False, "time_started": "t0"}
    return {"id": "run1", "extensions": {**extensions, "changes": changes}}


def no_sleep(_seconds):
    pass


def test_nothing_pending_sends_nothing(client, fake):
    outcome = activate(client, Activation(), check_mode=False)
    assert outcome.changed is False and outcome.after is None
    assert fake.writes() == []


def test_check_mode_reports_the_changes_and_sends_only_gets(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    outcome = activate(client, Activation(), check_mode=True)
    assert outcome.changed and outcome.after["changes"] == [change("1")] and outcome.after["id"] is None
    assert outcome.result("activation", diff=True)["diff"]["before"] == {"pending_changes": [change("1")]}
    assert fake.writes() == []


def test_activates_with_the_etag_it_read_and_waits_by_polling(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    fake.on("POST", ACTIVATE, reply(200, run_body([change("1")])))
    fake.on("GET", WAIT, reply(302), reply(302), reply(204))
    sleeps = []
    outcome = activate(client, Activation(sites=["cmk"]), check_mode=False, sleep=sleeps.append)
    post = fake.writes()[0]
    assert post.headers["If-Match"] == '"e1"'
    assert post.body == {"redirect": False, "sites": ["cmk"], "force_foreign_changes": False}
    assert outcome.changed and outcome.after["id"] == "run1" and outcome.after["is_running"] is False
    assert outcome.after["changes"] == [change("1")]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]  # polled with a growing interval, no fixed sleep


def test_412_reads_again_and_activates_what_it_then_saw(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'),
            reply(200, {"value": [change("1"), change("2")]}, '"e2"'))  # fmt: skip
    fake.on("POST", ACTIVATE, problem(412, "Precondition failed"), reply(200, run_body([change("1"), change("2")])))
    outcome = activate(client, Activation(wait=False), check_mode=False)
    assert [c.headers["If-Match"] for c in fake.writes()] == ['"e1"', '"e2"']
    assert [c["id"] for c in outcome.after["changes"]] == ["1", "2"]


def test_412_forever_gives_up(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    fake.on("POST", ACTIVATE, problem(412, "Precondition failed"))
    with pytest.raises(ConflictError, match="changed 5 times"):
        activate(client, Activation(), check_mode=False)


def test_423_waits_for_the_running_activation(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    fake.on("POST", ACTIVATE, problem(423, "The operation has failed.", "There is an activation already running."),
            reply(200, run_body([change("1")])))  # fmt: skip
    running = {"value": [{"id": "other", "extensions": {"is_running": True}}]}
    fake.on("GET", RUNNING, reply(200, running), reply(200, {"value": []}))
    outcome = activate(client, Activation(wait=False), check_mode=False, sleep=no_sleep)
    assert outcome.changed and len(fake.writes()) == 2


def test_422_means_nothing_to_do(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    fake.on("POST", ACTIVATE, problem(422, "The operation has failed.", "Currently there are no changes to activate."))
    assert activate(client, Activation(), check_mode=False).changed is False


def test_foreign_changes_fail_before_anything_is_sent_unless_forced(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1"), change("2", "alice"), change("3", "alice")]}, '"e"'))
    with pytest.raises(ForeignChangesError, match=r"2 pending change\(s\) of other users: alice \(2\)"):
        activate(client, Activation(), check_mode=True)
    assert fake.writes() == []
    fake.on("POST", ACTIVATE, reply(200, run_body([])))
    assert activate(client, Activation(force_foreign_changes=True, wait=False), check_mode=False).changed
    assert fake.writes()[0].body["force_foreign_changes"] is True


def test_changes_without_a_user_are_not_foreign(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1"), change("2", None)]}, '"e"'))
    outcome = activate(client, Activation(), check_mode=True)
    assert outcome.changed and [c["id"] for c in outcome.after["changes"]] == ["1", "2"]


def test_waiting_is_bounded(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'))
    fake.on("POST", ACTIVATE, reply(200, run_body([change("1")])))
    fake.on("GET", WAIT, reply(302))
    with pytest.raises(WaitTimeout, match="Activation run1 did not finish within 0.05 seconds"):
        activate(client, Activation(timeout=0.05), check_mode=False)


def test_owners():
    assert owners([change("1", "bob"), change("2", None), change("3", "bob")]) == "(no user) (1), bob (2)"


def test_an_activation_whose_answer_was_lost_is_not_started_twice(client, fake):
    fake.on("GET", PENDING, reply(200, {"value": [change("1")]}, '"e1"'), reply(200, {"value": []}, '"e2"'))
    fake.on("POST", ACTIVATE, problem(502, "Bad Gateway"))
    fake.on("GET", RUNNING, reply(200, {"value": []}))
    outcome = activate(client, Activation(), check_mode=False, sleep=no_sleep)
    assert [c.path for c in fake.writes()] == [ACTIVATE]
    assert outcome.changed and outcome.before == {"pending_changes": [change("1")]}
