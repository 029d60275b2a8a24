"""The plan of a run (plugin_utils/_plan.py): merging, counting, and the three formats, the JSON against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Subject, leaf_changes, plan_entry
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._plan import Plan, valid_entry

SCHEMA = json.loads((Path(__file__).parents[4] / "schemas" / "plan.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def host(name, action, changes=None, backend="checkmk", kind="host"):
    return plan_entry(Subject(backend, kind, name), action, changes)


def change(before, after):
    return {"before": before, "after": after}


def sample(check_mode=True):
    plan = Plan(check_mode=check_mode)
    plan.add([host("/shop", "none", kind="folder")])
    plan.add(
        [
            host("web01", "change", {"attributes.alias": change("Frontend 1", "Frontend one")}),
            host("web02", "none"),
            host(
                "db01", "add", {"folder": change(None, "/shop/db"), "attributes.ipaddress": change(None, "192.0.2.21")}
            ),
            host("old", "remove"),
        ]
    )
    plan.add([host("all sites", "run", {"pending_changes": change(2, 0)}, kind="activation")])
    return plan


def test_text_lists_changed_objects_by_backend_and_type_and_counts_the_others():
    assert [line for line, _action in sample().text()] == [
        "checkmk folder",
        "  = 1 unchanged",
        "checkmk host",
        "  ~ web01",
        '      attributes.alias: "Frontend 1" -> "Frontend one"',
        "  + db01",
        '      folder: "/shop/db"',
        '      attributes.ipaddress: "192.0.2.21"',
        "  - old",
        "  = 1 unchanged",
        "checkmk activation",
        "  > all sites",
        "      pending_changes: 2 -> 0",
        "Plan: 1 to add, 1 to change, 1 to remove, 1 to run, 2 unchanged.",
    ]


def test_text_lists_unchanged_objects_when_asked_and_says_applied_outside_check_mode():
    lines = [line for line, _action in sample(check_mode=False).text(unchanged=True)]
    assert "  = /shop" in lines and "  = web02" in lines and "  = 1 unchanged" not in lines
    assert lines[-1] == "Applied: 1 added, 1 changed, 1 removed, 1 run, 2 unchanged."


def test_summary_shows_runs_only_where_there_are_some():
    plan = Plan(check_mode=True)
    plan.add([host("a", "add", {"name": change(None, "a")}), host("b", "none")])
    assert plan.summary() == "Plan: 1 to add, 0 to change, 0 to remove, 1 unchanged."
    assert not plan.empty


def test_an_empty_plan_is_empty_and_complete():
    plan = Plan(check_mode=True)
    plan.add([host("a", "none")])
    assert plan.empty and plan.complete
    assert plan.to_json()["empty"] is True
    assert plan.text()[-1] == ("Plan: 0 to add, 0 to change, 0 to remove, 1 unchanged.", None)


def test_json_follows_its_schema():
    document = sample().to_json()
    VALIDATOR.validate(document)
    assert document["summary"] == {
        "add": 1,
        "change": 1,
        "remove": 1,
        "run": 1,
        "none": 2,
        "hidden_tasks": 0,
        "failed_tasks": 0,
    }
    assert [e["name"] for e in document["entries"]] == ["/shop", "web01", "web02", "db01", "old", "all sites"]


def test_the_schema_refuses_what_the_format_does_not_allow():
    document = sample().to_json()
    for broken in (
        {**document, "format_version": "2.0"},
        {**document, "extra": 1},
        {**document, "entries": [{**document["entries"][0], "action": "update"}]},
        {**document, "entries": [host("x", "remove") | {"changes": {"a": change(1, None)}}]},
        {**document, "entries": [host("x", "change") | {"changes": {"a": {"before": 1}}}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(broken)


def test_markdown_is_a_table_of_the_changed_objects():
    assert sample().markdown().splitlines() == [
        "### Plan: 1 to add, 1 to change, 1 to remove, 1 to run, 2 unchanged.",
        "",
        "| Action | Backend | Type | Name | Changes |",
        "| --- | --- | --- | --- | --- |",
        '| ~ change | checkmk | host | `web01` | `attributes.alias`: `"Frontend 1"` → `"Frontend one"` |',
        '| + add | checkmk | host | `db01` | `folder`: `"/shop/db"`<br>`attributes.ipaddress`: `"192.0.2.21"` |',
        "| - remove | checkmk | host | `old` |  |",
        "| > run | checkmk | activation | `all sites` | `pending_changes`: `2` → `0` |",
    ]


def test_markdown_keeps_table_cells_intact():
    plan = Plan(check_mode=True)
    plan.add([host("a|b", "change", {"x`y": change("1|2", "line\nbreak")})])
    row = plan.markdown().splitlines()[-1]
    assert row == '| ~ change | checkmk | host | `a\\|b` | `x\'y`: `"1\\|2"` → `"line\\nbreak"` |'


def test_an_object_reported_by_several_tasks_shows_once():
    plan = Plan(check_mode=True)
    plan.add([host("/shop", "add", {"title": change(None, "Shop")}, kind="folder")])  # created as a parent
    plan.add([host("/shop", "none", kind="folder")])  # declared itself later: as it will be by then
    plan.add([host("a", "none"), host("a", "change", {"x": change(1, 2)}), host("a", "change", {"x": change(2, 3)})])
    plan.add([host("b", "change", {"x": change(1, 2)}), host("b", "change", {"x": change(2, 1)})])
    plan.add([host("c", "add", {"x": change(None, 1)}), host("c", "change", {"x": change(1, 2)})])
    plan.add([host("d", "change", {"x": change(1, 2)}), host("d", "remove")])
    got = {e["name"]: (e["action"], e["changes"]) for e in plan.entries.values()}
    assert got == {
        "/shop": ("add", {"title": change(None, "Shop")}),
        "a": ("change", {"x": change(1, 3)}),
        "b": ("none", {}),
        "c": ("add", {"x": change(None, 2)}),
        "d": ("remove", {}),
    }


def test_entries_of_an_unknown_shape_are_left_out_and_make_the_plan_incomplete():
    plan = Plan(check_mode=True)
    plan.add([{"backend": "checkmk"}, "text", {**host("a", "add"), "action": "create"}, host("b", "none")])
    assert plan.invalid == 3 and not plan.complete
    assert list(plan.entries) == [("checkmk", "host", "b")]
    assert "3 plan entrie(s) of an unknown shape were left out." in plan.notes()


def test_failed_and_hidden_tasks_are_said():
    plan = Plan(check_mode=True, hidden=1, failed=2)
    assert plan.notes() == [
        "2 task(s) failed: the plan may be incomplete.",
        "1 task(s) hid their result (no_log): their objects are not in the plan.",
    ]
    assert plan.to_json()["complete"] is False
    VALIDATOR.validate(plan.to_json())


models = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(st.text(max_size=3), models, max_size=4), st.dictionaries(st.text(max_size=3), models, max_size=4)
)
def test_any_module_entry_is_valid_and_follows_the_schema(before, after):
    """Whatever a module's models hold, the entries built from them are of the one shape and the plan validates."""
    plan = Plan(check_mode=True)
    for name, action in (("a", "add"), ("c", "change"), ("r", "remove"), ("u", "run"), ("n", "none")):
        entry = host(name, action, leaf_changes(None if action == "add" else before, after))
        assert valid_entry(entry)
        plan.add([entry])
    VALIDATOR.validate(json.loads(json.dumps(plan.to_json())))
