from __future__ import annotations

import itertools

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import (
    Outcome,
    changed_keys,
    differs,
    overlay,
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
    assert outcome.result("host", diff=False) == {"changed": True, "host": {"name": "a"}, "created_folders": []}
    assert outcome.result("host", diff=True)["diff"] == {"before": {}, "after": {"name": "a"}}
