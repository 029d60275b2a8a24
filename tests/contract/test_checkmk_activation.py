"""Activation of changes (contract section 6): every endpoint against each version's OpenAPI document, and the
behaviour around it: which changes a run takes, what it activates, the order of the checks, the control hooks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from checkmk_contract import API, Contract

from tests.simulators.checkmk import SimulatorConfig, create_app
from tests.simulators.checkmk.__main__ import parse_args

ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
PENDING = "/domain-types/activation_run/collections/pending_changes"
RUNNING = "/domain-types/activation_run/collections/running"
HOSTS = "/domain-types/host_config/collections/all"
FOLDERS = "/domain-types/folder_config/collections/all"
ANY = {"If-Match": "*"}
FOREIGN = "There are changes from other users and foreign changes are not allowed in this API call."


def run_path(run_id: str) -> str:
    return f"/objects/activation_run/{run_id}"


def wait_path(run_id: str) -> str:
    return f"{run_path(run_id)}/actions/wait-for-completion/invoke"


def create_host(c: Contract, name: str, folder: str = "/", **attributes: Any) -> None:
    c.expect("POST", HOSTS, 200, body={"host_name": name, "folder": folder, "attributes": attributes})


def activate(c: Contract, status: int = 200, body: Any = None, **request: Any) -> Any:
    request.setdefault("headers", ANY)
    return c.expect("POST", ACTIVATE, status, body={} if body is None else body, **request).json


def pending(c: Contract) -> list[dict[str, Any]]:
    return list(c.expect("GET", PENDING, 200).json["value"])


def test_activation_scenario_validates_against_each_version(version: str) -> None:
    c = Contract(version)
    c.expect("POST", FOLDERS, 200, body={"title": "Remote", "parent": "~", "attributes": {"site": "remote1"}})
    create_host(c, "web01", "~remote")
    etag = c.expect("GET", PENDING, 200).headers["ETag"]

    # Body first, then If-Match (428, 412; a quoted "*" is no wildcard), then the checks of the activation.
    c.expect("POST", ACTIVATE, 400, body={"redirect": "yes"}, spec_rejects=True)
    unknown_field = c.expect("POST", ACTIVATE, 400, body={"nope": 1}, headers=ANY, spec_rejects=version == "2.5")
    assert unknown_field.json["fields"] == {"nope": ["Unknown field."]}
    required = c.expect("POST", ACTIVATE, 428, body={}, spec_rejects=True)
    assert required.json["title"] == "Precondition required"
    for stale in ['"0123"', '"*"']:
        assert (
            c.expect("POST", ACTIVATE, 412, body={}, headers={"If-Match": stale}).json["title"] == "Precondition failed"
        )
    assert activate(c, 400, {"sites": ["nope"]}) == {
        "title": "The operation has failed.",
        "status": 400,
        "detail": "Unknown site nope",
    }

    run = activate(c, headers={"If-Match": etag})
    assert set(run) == {"links", "domainType", "id", "title", "members", "extensions"}
    assert (run["domainType"], run["title"]) == ("activation_run", "Activation status: In progress.")
    assert [link["rel"] for link in run["links"]] == ["self", "urn:com.checkmk:rels/wait-for-completion"]
    assert run["links"][1]["href"] == f"http://localhost{API}{wait_path(run['id'])}"
    extensions = run["extensions"]
    assert set(extensions) == {"sites", "is_running", "force_foreign_changes", "time_started", "changes"}
    assert (extensions["sites"], extensions["is_running"], extensions["force_foreign_changes"]) == (
        ["cmk", "remote1"],
        True,
        False,
    )
    assert [change["action_name"] for change in extensions["changes"]] == ["new-folder", "create-host"]

    shown = c.expect("GET", run_path(run["id"]), 200).json["extensions"]
    if version == "2.3":
        assert "status_per_site" not in shown
    else:
        assert [(status["site"], status["phase"]) for status in shown["status_per_site"]] == [
            ("cmk", "activate"),
            ("remote1", "activate"),
        ]
    waiting = c.expect("GET", wait_path(run["id"]), 302)
    assert waiting.headers["Location"] == f"{API}{wait_path(run['id'])}" and waiting.data == b""
    create_host(c, "web02")
    locked = activate(c, 423)
    assert locked == {
        "title": "The operation has failed.",
        "status": 423,
        "detail": "There is an activation already running.",
    }

    c.clock.advance(0.3)
    assert c.expect("GET", wait_path(run["id"]), 204).data == b""
    done = c.expect("GET", run_path(run["id"]), 200).json
    assert (done["title"], done["extensions"]["is_running"]) == ("Activation status: Complete.", False)
    assert [link["rel"] for link in done["links"]] == ["self"]
    if version != "2.3":
        assert {status["phase"] for status in done["extensions"]["status_per_site"]} == {"done"}

    redirected = c.expect("POST", ACTIVATE, 302 if version == "2.3" else 303, body={"redirect": True}, headers=ANY)
    second = c.state.running_activation()
    assert second is not None and redirected.headers["Location"] == f"{API}{wait_path(second.id)}"
    listed = c.expect("GET", RUNNING, 200).json
    assert [entry["id"] for entry in listed["value"]] == [run["id"], second.id]
    c.clock.advance(0.3)

    nothing = activate(c, 422)
    assert nothing["detail"] == "Currently there are no changes to activate."
    for path in [run_path("nope"), wait_path("nope")]:
        assert c.expect("GET", path, 404).json == {
            "title": "The requested activation was not found",
            "status": 404,
            "detail": "Could not find an activation with id 'nope'.",
        }

    c.control("POST", "/pending_changes", {"user_id": "alice"}, status=201)
    assert activate(c, 401) == {"title": "The operation has failed.", "status": 401, "detail": FOREIGN}
    forced = activate(c, body={"force_foreign_changes": True, "sites": ["cmk"]})
    assert (forced["extensions"]["sites"], forced["extensions"]["force_foreign_changes"]) == (["cmk"], True)


def test_a_run_activates_exactly_the_changes_it_saw() -> None:
    c = Contract("2.4")
    create_host(c, "web01")
    run = activate(c)
    create_host(c, "web02")  # made while the run is going: stays pending
    assert len(pending(c)) == 2
    c.clock.advance(0.29)
    assert len(pending(c)) == 2 and c.state.monitoring_site("web01") is None
    c.clock.advance(0.01)
    assert [change["text"] for change in pending(c)] == ["Created new host web02."]
    recorded = c.control("GET", "/state")["activations"][0]
    assert recorded["changes"] == [change["id"] for change in run["extensions"]["changes"]]
    assert (recorded["user_id"], recorded["is_running"], recorded["finished"] is not None) == (
        "automation",
        False,
        True,
    )
    assert c.state.monitoring_site("web01") == "cmk" and c.state.monitoring_site("web02") is None


def test_activating_some_sites_leaves_changes_pending_for_the_others() -> None:
    c = Contract("2.4")
    c.expect("POST", FOLDERS, 200, body={"title": "Linux", "parent": "~"})  # a change for every site
    create_host(c, "web01", site="remote1")
    run = activate(c, body={"sites": ["cmk"]})
    assert [change["action_name"] for change in run["extensions"]["changes"]] == ["new-folder"]
    c.clock.advance(1)
    state = c.control("GET", "/state")
    assert [(change["action_name"], change["sites"]) for change in state["pending_changes"]] == [
        ("new-folder", ["remote1"]),
        ("create-host", ["remote1"]),
    ]
    assert activate(c, 422, {"sites": ["cmk"]})["detail"] == "Currently there are no changes to activate."
    assert activate(c)["extensions"]["sites"] == ["remote1"]  # all sites with pending changes


def test_the_activated_configuration_follows_the_effective_site() -> None:
    c = Contract("2.4")
    c.expect("POST", FOLDERS, 200, body={"title": "Remote", "parent": "~", "attributes": {"site": "remote1"}})
    create_host(c, "web01", "~remote")
    create_host(c, "web02", "~remote", site="cmk")
    assert c.state.monitoring_site("web01") is None  # created, not activated: not monitored
    activate(c)
    c.clock.advance(1)
    assert c.control("GET", "/state")["activated_hosts"] == {"web01": "remote1", "web02": "cmk"}

    c.expect("PUT", "/objects/folder_config/~remote", 200, body={"attributes": {"site": "cmk"}}, headers=ANY)
    c.expect("DELETE", "/objects/host_config/web02", 204)
    assert c.state.monitoring_site("web01") == "remote1"  # until activated
    activate(c)
    c.clock.advance(1)
    assert c.control("GET", "/state")["activated_hosts"] == {"web01": "cmk"}


def test_a_change_slipped_in_before_activation_makes_the_etag_stale() -> None:
    c = Contract("2.4")
    create_host(c, "web01")
    etag = c.expect("GET", PENDING, 200).headers["ETag"]
    assert c.control("POST", "/hooks/before_activate", {"user_id": "automation", "text": "Sneaky"}, 204) is None
    assert c.control("GET", "/state")["before_activate"] == [{"user_id": "automation", "text": "Sneaky"}]
    stale = activate(c, 412, headers={"If-Match": etag})
    assert stale["detail"].startswith("ETag didn't match.")
    assert [change["text"] for change in pending(c)] == ["Created new host web01.", "Sneaky"]
    fresh = c.expect("GET", PENDING, 200).headers["ETag"]
    assert len(activate(c, headers={"If-Match": fresh})["extensions"]["changes"]) == 2  # the hook fired once


def test_an_activation_of_another_user_locks_activation() -> None:
    c = Contract("2.4")
    create_host(c, "web01")
    run = c.control("POST", "/activations", {"user_id": "alice", "seconds": 2}, status=201)
    assert (run["user_id"], run["sites"], run["is_running"], len(run["changes"])) == ("alice", ["cmk"], True, 1)
    c.control("POST", "/activations", {"user_id": "bob"}, status=409)
    create_host(c, "web02")
    assert activate(c, 423)["detail"] == "There is an activation already running."
    c.clock.advance(2)
    assert activate(c)["extensions"]["changes"][0]["text"] == "Created new host web02."
    c.clock.advance(1)
    idle = c.control("POST", "/activations", {"user_id": "alice"}, status=201)  # nothing pending: activates nothing
    assert (idle["sites"], idle["changes"]) == ([], [])


def test_foreign_changes_need_force() -> None:
    c = Contract("2.4")
    c.control("POST", "/pending_changes", {"user_id": "alice", "sites": ["remote1"]}, status=201)
    create_host(c, "web01")
    assert activate(c, 401)["detail"] == FOREIGN
    assert activate(c, 200, {"sites": ["cmk"]})["extensions"]["sites"] == ["cmk"]  # alice's change is not on cmk
    c.clock.advance(1)
    assert activate(c, 401, {"sites": ["remote1"]})["detail"] == FOREIGN
    assert activate(c, 200, {"force_foreign_changes": True})["extensions"]["force_foreign_changes"] is True


def test_nothing_to_activate() -> None:
    c = Contract("2.4")
    assert activate(c, 422)["detail"] == "Currently there are no changes to activate."
    assert activate(c, 422, {"sites": ["cmk", "remote1"]})["status"] == 422
    assert c.control("GET", "/state")["activations"] == []


def test_timings_are_configurable() -> None:
    c = Contract("2.4", activation_seconds=5, discovery_seconds=7)
    assert c.control("GET", "/state")["config"]["activation_seconds"] == 5
    assert c.control("POST", "/config", {"activation_seconds": 0.5}) == {
        "activation_seconds": 0.5,
        "discovery_seconds": 7,
    }
    c.control("POST", "/config", {"activation_seconds": -1}, status=400)
    c.control("POST", "/config", {"discovery_seconds": "1"}, status=400)
    create_host(c, "web01")
    run = activate(c)
    c.clock.advance(0.5)
    c.expect("GET", wait_path(run["id"]), 204)
    c.control("POST", "/reset", status=204)
    assert c.control("GET", "/state")["config"]["activation_seconds"] == 5  # back to the configured value
    assert parse_args(["--activation-seconds", "2", "--discovery-seconds", "0"]).activation_seconds == 2
    with pytest.raises(SystemExit):
        parse_args(["--activation-seconds", "-1"])
    with pytest.raises(ValueError, match="cannot be negative"):
        SimulatorConfig(discovery_seconds=-1)


def test_runs_finish_in_real_time() -> None:
    client = create_app(SimulatorConfig(activation_seconds=0.05)).test_client()
    headers = {"Accept": "application/json", "Authorization": "Bearer automation test-secret"}
    client.post(f"{API}{HOSTS}", json={"host_name": "web01", "folder": "/"}, headers=headers)
    started = client.post(f"{API}{ACTIVATE}", json={"redirect": True}, headers={**headers, "If-Match": "*"})
    assert started.status_code == 303
    location = started.headers["Location"]
    assert client.get(location, headers=headers).status_code == 302
    deadline = time.monotonic() + 5
    while (answer := client.get(location, headers=headers)).status_code == 302 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert answer.status_code == 204
