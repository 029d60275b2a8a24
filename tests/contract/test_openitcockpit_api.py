"""Behaviour of the openITCOCKPIT simulator's hosts and host templates that the collection's modules rely on, end to
end through the in-process client (testing.py): what the monitored list shows, name look-ups, edits as full
replacements, host template writes, and the changelog rows they leave (`all_changes`)."""

from __future__ import annotations

from typing import Any

import pytest
from openitcockpit_contract import CSRF, A, add_host, export

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.php import natural_key
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False  # no document of ../shared
READ_ONLY = ("id", "uuid", "created", "modified")


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=0, satellites=("sat-east",)))


def monitored(api: ApiClient) -> list[str]:
    return [row["Host"]["name"] for row in api.ok("GET", "/hosts/index.json", query={**A, "limit": 500})["all_hosts"]]


def lookup(api: ApiClient, **query: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.ok("GET", "/hosts/loadHostsByString.json", query={**A, **query})["hosts"]
    return found


def form(api: ApiClient, host_id: int) -> dict[str, Any]:
    """The edit form's host without what a client does not send back."""
    read = api.ok("GET", f"/hosts/edit/{host_id}.json", query=A)["host"]["Host"]
    return {key: value for key, value in read.items() if key not in READ_ONLY}


def changes(api: ApiClient, **filters: Any) -> list[dict[str, Any]]:
    query = {**A, **{f"filter[Changelogs.{key}]": value for key, value in filters.items()}}
    rows: list[dict[str, Any]] = api.ok("GET", "/changelogs/index.json", query=query)["all_changes"]
    return rows


# --- The monitored list and the look-ups ------------------------------------------------------------------


def test_hosts_reach_the_list_with_an_export_only(api: ApiClient) -> None:
    host_id = add_host(api, "web01")
    assert monitored(api) == ["default host"]
    assert [row["Host"]["id"] for row in api.ok("GET", "/hosts/notMonitored.json", query=A)["all_hosts"]] == [host_id]
    export(api)
    assert monitored(api) == ["default host", "web01"]
    assert api.ok("GET", "/hosts/notMonitored.json", query=A)["all_hosts"] == []
    edited = {**form(api, host_id), "name": "web01-renamed"}
    api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": edited}, A)
    assert monitored(api) == ["default host", "web01-renamed"]  # an edit keeps the uuid: still listed, current name
    api.ok("POST", f"/hosts/delete/{host_id}.json")
    assert monitored(api) == ["default host"]  # gone with the configuration row (the INNER JOIN on hosts)


def test_look_ups_match_substrings_capped_at_150(api: ApiClient) -> None:
    """`filter[Hosts.name]` is LIKE %x%; the server takes the first 150 by name (SQL order: case-insensitive,
    not natural), then sorts those naturally; `selected[]` ids come on top of the 150."""
    names = [f"Srv{index}" for index in range(1, 161)]
    ids = {name: add_host(api, name) for name in names}
    add_host(api, "db01")
    found = lookup(api, **{"filter[Hosts.name]": "SRV"})
    first = sorted(names, key=str.casefold)[:150]
    assert [entry["value"] for entry in found] == sorted(first, key=natural_key)
    assert all(entry["key"] == ids[entry["value"]] for entry in found)
    cut = sorted(set(names) - set(first), key=natural_key)[0]
    assert cut == "Srv90"  # a lexically late name falls off although its natural place is early
    selected = lookup(api, **{"filter[Hosts.name]": "srv", "selected[]": ids[cut]})
    assert len(selected) == 151 and cut in [entry["value"] for entry in selected]
    assert [entry["value"] for entry in lookup(api, **{"filter[Hosts.name]": "DB0"})] == ["db01"]


def test_look_ups_leave_out_disabled_hosts_unless_asked(api: ApiClient) -> None:
    host_id = add_host(api, "web01")
    api.ok("POST", f"/hosts/deactivate/{host_id}.json")
    assert lookup(api, **{"filter[Hosts.name]": "web01"}) == []
    assert lookup(api, **{"filter[Hosts.name]": "web01", "includeDisabled": "true"}) == [
        {"key": host_id, "value": "web01"}
    ]


# --- Edits: a full replacement ----------------------------------------------------------------------------


def test_an_edit_resets_what_it_does_not_send(api: ApiClient) -> None:
    group = api.ok("POST", "/hostgroups/add.json", {"Hostgroup": {"container": {"name": "web", "parent_id": 1}}}, A)
    parent = add_host(api, "gw01")
    host_id = add_host(
        api,
        "web01",
        description="Web server",
        notes="rack 4",
        priority=4,
        satellite_id=1,
        usage_flag=8,
        hostgroups={"_ids": [group["id"]]},
        parenthosts={"_ids": [parent]},
        contacts={"_ids": []},
        contactgroups={"_ids": []},
        customvariables=[{"objecttype_id": 256, "name": "RACK", "value": "4"}],
    )
    api.ok("POST", f"/hosts/deactivate/{host_id}.json")
    before = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    assert (before["notes"], before["priority"], before["satellite_id"], before["usage_flag"]) == ("rack 4", 4, 1, 8)
    minimal = {
        "name": "web01",
        "address": "10.0.0.6",
        "container_id": 1,
        "hosttemplate_id": 1,
        "hosts_to_containers_sharing": {"_ids": []},
    }
    assert api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": minimal}, A) == {"id": host_id, **CSRF}
    after = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    reset = ("description", "notes", "priority", "satellite_id", "usage_flag", "own_contacts", "own_customvariables")
    assert {key: after[key] for key in reset} == dict.fromkeys(reset[:3]) | dict.fromkeys(reset[3:], 0)
    assert after["address"] == "10.0.0.6" and after["disabled"] == 1  # keys outside the read list stay
    edit = form(api, host_id)
    assert (edit["hostgroups"], edit["parenthosts"], edit["customvariables"]) == ({"_ids": []}, {"_ids": []}, [])
    assert edit["contacts"] == {"_ids": [1]}  # the template's again


def test_an_edit_without_the_sharing_ids_is_a_500_and_changes_nothing(api: ApiClient) -> None:
    host_id = add_host(api, "web01", notes="rack 4")
    body = {**form(api, host_id), "notes": "rack 5"}
    del body["hosts_to_containers_sharing"]
    refused = api.call("POST", f"/hosts/edit/{host_id}.json", {"Host": body}, A)
    assert refused.status_code == 500 and refused.json["message"] == "An Internal Error Has Occurred."
    assert api.ok("GET", f"/hosts/view/{host_id}.json")["host"]["notes"] == "rack 4"
    assert [row["action"] for row in changes(api, object_id=host_id)] == ["add"]


def test_sending_the_edit_form_back_changes_nothing(api: ApiClient) -> None:
    """The read-modify-write the modules do: values equal to the template's fall back to inherited, as stored."""
    host_id = add_host(api, "web01", notes="rack 4", satellite_id=1)
    stored = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": form(api, host_id)}, A)
    again = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    assert {k: v for k, v in again.items() if k != "modified"} == {k: v for k, v in stored.items() if k != "modified"}
    assert [row["action"] for row in changes(api, object_id=host_id)] == ["add"]  # no change, no row


# --- The changelog of hosts -------------------------------------------------------------------------------


def test_host_writes_leave_changelog_rows(api: ApiClient) -> None:
    host_id = add_host(api, "web01")
    api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": {**form(api, host_id), "description": "Web"}}, A)
    api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": {**form(api, host_id), "satellite_id": 1}}, A)  # untracked
    api.ok("POST", f"/hosts/delete/{host_id}.json")
    rows = changes(api, model="Host", object_id=host_id)
    assert [row["action"] for row in rows] == ["delete", "edit", "add"]  # newest first
    for row in rows:
        assert (row["name"], row["objecttype_id"], row["user"]["firstname"]) == ("web01", 256, "John")
        assert row["recordExists"] is False  # the host is gone
    [edit] = rows[1]["data_unserialized"]  # what changed, of the effective (template-merged) values
    assert (edit["Host"]["before"], edit["Host"]["after"]) == ({"description": "default host"}, {"description": "Web"})
    assert rows[1]["data"].startswith("a:1:{")  # PHP serialized


# --- Host templates ---------------------------------------------------------------------------------------

TEMPLATE = {
    "name": "web servers",
    "priority": 3,
    "container_id": 1,
    "max_check_attempts": 3,
    "notification_interval": 7200,
    "check_interval": 300,
    "retry_interval": 60,
    "check_period_id": 1,
    "command_id": 4,
    "notify_period_id": 1,
    **dict.fromkeys(("notify_on_recovery", "notify_on_down", "notify_on_unreachable"), 1),
    **dict.fromkeys(("notify_on_flapping", "notify_on_downtime", "flap_detection_enabled"), 0),
    **dict.fromkeys(("flap_detection_on_up", "flap_detection_on_down", "flap_detection_on_unreachable"), 0),
    "low_flap_threshold": 0,
    "high_flap_threshold": 0,
    "passive_checks_enabled": 0,
    "event_handler_enabled": 0,
    "active_checks_enabled": 1,
}


def test_a_new_template_needs_every_required_field(api: ApiClient) -> None:
    refused = api.call("POST", "/hosttemplates/add.json", {"Hosttemplate": {"name": "web servers"}}, A)
    assert refused.status_code == 400
    assert set(refused.json["error"]) == set(TEMPLATE) - {"name"}
    assert refused.json["error"]["priority"] == {"_required": "This field is required"}
    silent = {**TEMPLATE, **dict.fromkeys(("notify_on_recovery", "notify_on_down", "notify_on_unreachable"), 0)}
    no_option = api.call("POST", "/hosttemplates/add.json", {"Hosttemplate": silent}, A)
    assert no_option.json["error"]["notify_on_down"] == {"custom": "You must specify at least one notification option."}
    nobody = {**TEMPLATE, "contacts": {"_ids": []}, "contactgroups": {"_ids": []}}
    no_contact = api.call("POST", "/hosttemplates/add.json", {"Hosttemplate": nobody}, A)
    assert no_contact.json["error"] == {
        "contacts": {"custom": "You must specify at least one contact or contact group."},
        "contactgroups": {"custom": "You must specify at least one contact or contact group."},
    }
    flapping = {**TEMPLATE, "flap_detection_enabled": 1}
    no_flap = api.call("POST", "/hosttemplates/add.json", {"Hosttemplate": flapping}, A)
    assert set(no_flap.json["error"]) == {
        "flap_detection_on_up",
        "flap_detection_on_down",
        "flap_detection_on_unreachable",
    }


def test_templates_are_added_patched_and_deleted_when_unused(api: ApiClient) -> None:
    template_id = api.ok("POST", "/hosttemplates/add.json", {"Hosttemplate": TEMPLATE})["id"]  # no angular needed
    listed = api.ok("GET", "/hosttemplates/index.json", query={**A, "filter[Hosttemplates.name]": "web"})
    [row] = [entry["Hosttemplate"] for entry in listed["all_hosttemplates"]]
    assert (row["id"], row["priority"], row["description"], row["host_url"], row["notes"]) == (
        template_id,
        3,
        "",
        None,
        "",
    )
    assert api.ok("POST", f"/hosttemplates/edit/{template_id}.json", {"Hosttemplate": {"priority": 5}}) == CSRF
    assert api.ok("POST", f"/hosttemplates/edit/{template_id}.json", {"Hosttemplate": {"priority": 5}}, A) == {
        "id": template_id,
        **CSRF,
    }
    edit = api.ok("GET", f"/hosttemplates/edit/{template_id}.json", query=A)
    assert (
        edit["hosttemplate"]["Hosttemplate"]["priority"] == 5
        and edit["hosttemplate"]["Hosttemplate"]["check_interval"] == 300
    )
    host_id = add_host(api, "web01", hosttemplate_id=template_id)
    assert api.ok("GET", f"/hosts/edit/{host_id}.json", query=A)["host"]["Host"]["priority"] == 5  # inherited
    refused = api.call("POST", f"/hosttemplates/delete/{template_id}.json")
    assert refused.status_code == 400
    assert refused.json == {
        "success": False,
        "id": str(template_id),
        "message": "Issue while deleting host template",
        "usedBy": [
            {"baseUrl": "#", "state": "HosttemplatesUsedBy", "message": "Used by other objects", "module": "Core"}
        ],
        **CSRF,
    }
    api.ok("POST", f"/hosts/delete/{host_id}.json")
    assert api.call("GET", f"/hosttemplates/delete/{template_id}.json").status_code == 405
    assert api.ok("POST", f"/hosttemplates/delete/{template_id}.json") == {"success": True, **CSRF}
    missing = api.call("POST", f"/hosttemplates/delete/{template_id}.json")
    assert (missing.status_code, missing.json["message"]) == (404, "Host template not found")
    rows = changes(api, model="Hosttemplate", object_id=template_id)
    assert [row["action"] for row in rows] == ["delete", "edit", "add"]


def test_a_template_changes_what_its_hosts_inherit(api: ApiClient) -> None:
    template_id = api.ok("POST", "/hosttemplates/add.json", {"Hosttemplate": TEMPLATE}, A)["id"]
    host_id = add_host(api, "web01", hosttemplate_id=template_id)
    export(api)
    api.ok("POST", f"/hosttemplates/edit/{template_id}.json", {"Hosttemplate": {"description": "Webs"}}, A)
    [row] = api.ok("GET", "/hosts/index.json", query={**A, "filter[Hosts.id]": host_id})["all_hosts"]
    assert row["Host"]["description"] == "Webs"
