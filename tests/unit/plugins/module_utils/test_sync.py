from __future__ import annotations

import itertools

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    ConflictError,
    TransportError,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Outcome,
    Subject,
    changed_keys,
    differs,
    leaf_changes,
    overlay,
    plan_entry,
    sync,
)


class FakeResource:
    def __init__(self, current, *, exact=frozenset()):
        self.current = current
        self.exact = exact
        self.calls = []

    def read(self):
        self.calls.append("read")
        return self.current

    def create(self, desired):
        self.calls.append("create")
        return {**desired, "id": 1}

    def update(self, current, desired):
        self.calls.append("update")
        return {**overlay(current, desired), "id": 1}

    def delete(self, current):
        self.calls.append("delete")


CURRENT = {"name": "a", "attributes": {"x": 1, "y": 2}}
SAME = {"name": "a", "attributes": {"x": 1}}
OTHER = {"name": "a", "attributes": {"x": 9}}


@pytest.mark.parametrize(
    "state, exists, differ, check_mode",
    list(itertools.product(["present", "absent"], [True, False], [True, False], [True, False])),
)
def test_sync_matrix(state, exists, differ, check_mode):
    resource = FakeResource(dict(CURRENT) if exists else None)
    desired = OTHER if differ else SAME
    outcome = sync(resource, state, desired, check_mode=check_mode)

    writes = [c for c in resource.calls if c != "read"]
    if check_mode:
        assert writes == []
    if state == "absent":
        assert outcome.changed is exists
        assert outcome.after is None
        assert outcome.before == (CURRENT if exists else None)
        assert writes == (["delete"] if exists and not check_mode else [])
    elif not exists:
        assert outcome.changed is True
        assert outcome.before is None
        assert outcome.after == (desired if check_mode else {**desired, "id": 1})
        assert writes == ([] if check_mode else ["create"])
    elif differ:
        assert outcome.changed is True
        assert outcome.after["attributes"] == {"x": 9, "y": 2}
        assert writes == ([] if check_mode else ["update"])
    else:
        assert outcome.changed is False
        assert outcome.before == outcome.after == CURRENT
        assert writes == []


@pytest.mark.parametrize(
    "current, desired, exact, expected",
    [
        ({"a": 1, "b": 2}, {"a": 1}, frozenset(), False),
        ({"a": 1, "b": 2}, {"a": 2}, frozenset(), True),
        ({"a": 1}, {"c": None}, frozenset(), True),  # a declared key missing is a difference, even for None
        ({"attributes": {"x": 1, "y": 2}}, {"attributes": {"x": 1}}, frozenset(), False),
        ({"attributes": {"x": 1, "y": 2}}, {"attributes": {"x": 1}}, frozenset({"attributes"}), True),
        ({"attributes": {"x": 1}}, {"attributes": {"x": 1}}, frozenset({"attributes"}), False),
        ({"attributes": {"labels": {"a": "1", "b": "2"}}}, {"attributes": {"labels": {"a": "1"}}}, frozenset(), False),
        (
            {"attributes": {"labels": {"a": "1", "b": "2"}}},
            {"attributes": {"labels": {"a": "1"}}},
            frozenset({"attributes"}),
            True,  # exact applies to nested dicts too
        ),
        ({"attributes": {"parents": ["a", "b"]}}, {"attributes": {"parents": ["b", "a"]}}, frozenset(), True),
        ({"attributes": "x"}, {"attributes": {"x": 1}}, frozenset(), True),
        ({}, {}, frozenset(), False),
    ],
)
def test_differs(current, desired, exact, expected):
    assert differs(current, desired, exact=exact) is expected


def test_overlay_merges_nested_dicts_unless_exact():
    current = {"attributes": {"labels": {"a": "1", "b": "2"}, "alias": "x"}, "folder": "/"}
    desired = {"attributes": {"labels": {"a": "9"}}}
    assert overlay(current, desired) == {"attributes": {"labels": {"a": "9", "b": "2"}, "alias": "x"}, "folder": "/"}
    assert overlay(current, desired, exact=frozenset({"attributes"})) == {
        "attributes": {"labels": {"a": "9"}},
        "folder": "/",
    }


def test_changed_keys_sends_merged_values_of_changed_keys_only():
    current = {"alias": "x", "labels": {"a": "1", "b": "2"}, "ipaddress": "192.0.2.1"}
    desired = {"alias": "x", "labels": {"a": "9"}, "site": "remote1"}
    assert changed_keys(current, desired) == {"labels": {"a": "9", "b": "2"}, "site": "remote1"}


def test_outcome_result_with_and_without_diff():
    outcome = Outcome(True, None, {"name": "a"}, {"created_folders": []})
    assert outcome.result("host", diff=False) == {
        "changed": True,
        "host": {"name": "a"},
        "created_folders": [],
        "plan": [],
    }
    assert outcome.result("host", diff=True)["diff"] == {"before": {}, "after": {"name": "a"}}


HOST = Subject("checkmk", "host", "a")


def test_plan_entry_of_a_hand_made_outcome_follows_before_and_after():
    assert Outcome(True, None, {"name": "a"}).result("host", diff=False, subject=HOST)["plan"] == [
        {
            "backend": "checkmk",
            "type": "host",
            "name": "a",
            "action": "add",
            "changes": {"name": {"before": None, "after": "a"}},
        }
    ]
    removed = Outcome(True, {"name": "a"}, None).entry(HOST)
    assert (removed["action"], removed["changes"]) == ("remove", {})
    assert Outcome(False, {"name": "a"}, {"name": "a"}).entry(HOST)["action"] == "none"
    ran = Outcome(True, {"n": 3}, {"n": 0}, action="run").entry(HOST)
    assert (ran["action"], ran["changes"]) == ("run", {"n": {"before": 3, "after": 0}})


def test_an_outcome_about_several_objects_returns_its_own_entries():
    entries = (plan_entry(HOST, "none"), plan_entry(Subject("checkmk", "host", "b"), "remove"))
    assert Outcome(True, {}, {}, plan=entries).result("hosts", diff=False, subject=HOST)["plan"] == list(entries)
    assert "hosts" not in Outcome(True, {}, {}, plan=entries).result(None, diff=False)


def test_plan_entry_refuses_an_unknown_action_and_keeps_no_changes_for_remove_and_none():
    with pytest.raises(ValueError, match="unknown plan action 'update'"):
        plan_entry(HOST, "update")
    assert plan_entry(HOST, "none", {"x": {"before": 1, "after": 2}})["changes"] == {}
    assert plan_entry(HOST, "remove", {"x": {"before": 1, "after": None}})["changes"] == {}


def test_leaf_changes_by_dotted_path():
    before = {"attributes": {"alias": "A", "ip": "1", "labels": {"a": "b"}}, "tags": ["x"]}
    after = {"attributes": {"alias": "B", "ip": "1", "new": {"deep": 1}}, "tags": ["x", "y"]}
    assert leaf_changes(before, after) == {
        "attributes.alias": {"before": "A", "after": "B"},
        "attributes.labels.a": {"before": "b", "after": None},
        "attributes.new.deep": {"before": None, "after": 1},
        "tags": {"before": ["x"], "after": ["x", "y"]},
    }
    assert leaf_changes(None, {"a": {"b": 1}}) == {"a.b": {"before": None, "after": 1}}
    assert leaf_changes({"a": "text"}, {"a": {"b": 1}}) == {"a": {"before": "text", "after": {"b": 1}}}
    assert leaf_changes({"a": {}}, {"a": None}) == {}
    assert leaf_changes(before, before) == {}


@pytest.mark.parametrize("check_mode", [True, False])
def test_sync_plans_the_same_in_check_mode_and_when_applied(check_mode):
    resource = FakeResource({"name": "a", "attributes": {"alias": "A", "site": "s"}})
    outcome = sync(resource, "present", {"attributes": {"alias": "B"}}, check_mode=check_mode)
    assert outcome.entry(HOST)["action"] == "change"
    assert outcome.changes == {"attributes.alias": {"before": "A", "after": "B"}}
    assert sync(FakeResource(None), "present", {"name": "a"}, check_mode=check_mode).entry(HOST)["changes"] == {
        "name": {"before": None, "after": "a"}
    }
    gone = sync(FakeResource({"name": "a"}), "absent", {}, check_mode=check_mode)
    assert (gone.action, gone.changes) == ("remove", {})
    same = sync(FakeResource({"name": "a"}), "present", {"name": "a"}, check_mode=check_mode)
    assert (same.action, same.changes) == ("none", {})
    assert sync(FakeResource(None), "absent", {}, check_mode=check_mode).action == "none"


class FlakyResource(FakeResource):
    """Its writes fail with the given errors, in order; `lands` says whether a failed write happened anyway."""

    def __init__(self, current, errors, *, lands):
        super().__init__(current)
        self.errors = list(errors)
        self.lands = lands

    def _fail(self, result):
        if self.errors:
            if self.lands:
                self.current = result
            raise self.errors.pop(0)
        self.current = result
        return result

    def create(self, desired):
        self.calls.append("create")
        return self._fail({**desired, "id": 1})

    def update(self, current, desired):
        self.calls.append("update")
        return self._fail(overlay(current, desired))

    def delete(self, current):
        self.calls.append("delete")
        self._fail(None)


LOST_ANSWER = TransportError("Failed to create: the connection was reset")
PROXY_ERROR = ApiError("Failed to create: 502 Bad Gateway", status=502)
STALE = ConflictError("Failed to update: 412 Precondition failed", status=412)


@pytest.mark.parametrize("error", [LOST_ANSWER, PROXY_ERROR])
def test_a_create_whose_answer_was_lost_is_read_again_not_sent_again(error):
    resource = FlakyResource(None, [error], lands=True)
    outcome = sync(resource, "present", SAME, check_mode=False)
    assert resource.calls == ["read", "create", "read"]
    assert (outcome.changed, outcome.before, outcome.after) == (True, None, {**SAME, "id": 1})


def test_a_create_that_did_not_land_is_sent_again_after_reading():
    resource = FlakyResource(None, [PROXY_ERROR], lands=False)
    outcome = sync(resource, "present", SAME, check_mode=False)
    assert resource.calls == ["read", "create", "read", "create"]
    assert outcome.changed is True


def test_a_stale_update_is_decided_again_on_the_new_read():
    resource = FlakyResource(dict(CURRENT), [STALE], lands=False)
    outcome = sync(resource, "present", OTHER, check_mode=False)
    assert resource.calls == ["read", "update", "read", "update"]
    assert outcome.changed is True
    assert outcome.before == CURRENT


def test_a_delete_whose_answer_was_lost_counts_as_done():
    resource = FlakyResource(dict(CURRENT), [LOST_ANSWER], lands=True)
    outcome = sync(resource, "absent", {}, check_mode=False)
    assert resource.calls == ["read", "delete", "read"]
    assert (outcome.changed, outcome.before, outcome.after) == (True, CURRENT, None)


def test_rereading_is_bounded():
    resource = FlakyResource(None, [PROXY_ERROR] * 5, lands=False)
    with pytest.raises(ApiError, match="502"):
        sync(resource, "present", SAME, check_mode=False, attempts=3)
    assert resource.calls.count("create") == 3


def test_errors_that_a_new_read_cannot_settle_are_raised_at_once():
    bad_request = ApiError("Failed to create: 400 Bad Request", status=400)
    resource = FlakyResource(None, [bad_request], lands=False)
    with pytest.raises(ApiError, match="400"):
        sync(resource, "present", SAME, check_mode=False)
    assert resource.calls == ["read", "create"]
