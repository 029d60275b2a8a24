"""The simulator's fault rules (README "Faults"): what each kind does to the requests it matches."""

from __future__ import annotations

import time

import pytest
import requests

from ansible_collections.lighthouse.monitoring.tests.simulators.checkmk.config import SimulatorConfig
from ansible_collections.lighthouse.monitoring.tests.simulators.checkmk.server import serve

NEEDS_OPENAPI = False  # the fault rules are the simulator's own: these tests run on any clone
HEADERS = {"Authorization": "Bearer automation secret", "Accept": "application/json"}
FOLDERS = "/domain-types/folder_config/collections/all"


@pytest.fixture(scope="module")
def sim():
    with serve(SimulatorConfig(users={"automation": "secret"})) as running:
        yield running


@pytest.fixture
def api(sim):
    requests.post(f"{sim.server_url}/_simulator/reset", timeout=5)

    def call(method, path, **kwargs):
        return requests.request(method, sim.url + path, headers={**HEADERS, **kwargs.pop("headers", {})}, **kwargs)

    return call


def rules(sim, *given):
    answer = requests.post(f"{sim.server_url}/_simulator/faults/rules", json={"rules": list(given)}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def folders(sim):
    return sorted(requests.get(f"{sim.server_url}/_simulator/state", timeout=5).json()["folders"])


def test_errors_every_nth_matching_request_at_most_count_times(sim, api):
    rules(sim, {"kind": "error", "status": 502, "methods": ["GET"], "every": 2, "count": 2})
    statuses = [api("GET", FOLDERS, timeout=5).status_code for _n in range(6)]
    assert statuses == [200, 502, 200, 502, 200, 200]
    assert api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5).status_code == 200
    lifted = requests.delete(f"{sim.server_url}/_simulator/faults", timeout=5).json()
    assert lifted["injected"] == 2 and lifted["rules"][0]["seen"] == 4
    assert requests.get(f"{sim.server_url}/_simulator/faults/rules", timeout=5).json() == {"rules": [], "injected": 0}


def test_an_error_after_processing_keeps_the_effect(sim, api):
    rules(sim, {"kind": "error", "status": 500, "after": True, "methods": ["POST"]})
    answer = api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5)
    assert answer.status_code == 500 and answer.json()["title"] == "Internal Server Error"
    assert folders(sim) == ["~", "~a"]


@pytest.mark.parametrize("after, created", [(False, ["~"]), (True, ["~", "~a"])])
def test_dropped_connections(sim, api, after, created):
    rules(sim, {"kind": "drop", "after": after, "methods": ["POST"], "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5)
    assert folders(sim) == created


def test_latency_beyond_the_timeout_is_processed_all_the_same(sim, api):
    rules(sim, {"kind": "latency", "seconds": 0.6, "methods": ["POST"], "path": "folder_config"})
    with pytest.raises(requests.exceptions.Timeout):
        api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=0.2)
    time.sleep(0.8)
    assert folders(sim) == ["~", "~a"]


def test_a_race_makes_the_if_match_stale_and_records_the_colleagues_change(sim, api):
    api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5)
    etag = api("GET", "/objects/folder_config/~a", timeout=5).headers["ETag"]
    rules(sim, {"kind": "race", "methods": ["PUT"], "attributes": {"tag_networking": "dmz"}, "count": 1})
    answer = api("PUT", "/objects/folder_config/~a", json={"title": "b"}, headers={"If-Match": etag}, timeout=5)
    assert answer.status_code == 412
    state = requests.get(f"{sim.server_url}/_simulator/state", timeout=5).json()
    assert state["folders"]["~a"]["attributes"]["tag_networking"] == "dmz"
    assert [c["user_id"] for c in state["pending_changes"]] == ["automation", "colleague"]
    assert state["fault_rules"]["rules"][0]["targets"] == ["folder ~a"]


def test_a_race_can_give_a_folder_another_title(sim, api):
    api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5)
    etag = api("GET", "/objects/folder_config/~a", timeout=5).headers["ETag"]
    rules(sim, {"kind": "race", "methods": ["PUT"], "title": "Theirs", "count": 1})
    answer = api("PUT", "/objects/folder_config/~a", json={"title": "b"}, headers={"If-Match": etag}, timeout=5)
    assert answer.status_code == 412
    assert requests.get(f"{sim.server_url}/_simulator/state", timeout=5).json()["folders"]["~a"]["title"] == "Theirs"


def test_a_race_can_take_over_a_hosts_downtimes(sim, api):
    """Downtimes have no ETag: the colleague gives them another comment, and a command that names the downtime by
    its old comment no longer finds it."""
    api("POST", "/domain-types/host_config/collections/all", json={"host_name": "web01", "folder": "~"}, timeout=5)
    sim.state.activated_hosts["web01"] = sim.config.site
    ours = {"host_name": "web01", "comment": "ours"}
    assert requests.post(f"{sim.server_url}/_simulator/downtimes/cmk", json=ours, timeout=5).status_code == 201
    rules(sim, {"kind": "race", "path": "downtime/actions/delete", "host_name": "web01", "comment": "Theirs"})
    query = {"op": "and", "expr": [{"op": "=", "left": "comment", "right": "ours"}]}
    delete = "/domain-types/downtime/actions/delete/invoke"
    assert api("POST", delete, json={"delete_type": "query", "query": query}, timeout=5).status_code == 204
    state = requests.get(f"{sim.server_url}/_simulator/state", timeout=5).json()
    assert [(d["comment"], d["author"]) for d in state["downtimes"]["cmk"]] == [("Theirs", "colleague")]
    assert state["fault_rules"]["rules"][0]["targets"] == ["downtime cmk 1"]


def test_another_users_activation_starts_right_before_the_request(sim, api):
    api("POST", FOLDERS, json={"name": "a", "title": "a", "parent": "~"}, timeout=5)
    rules(sim, {"kind": "activation", "path": "activate-changes", "seconds": 5, "user_id": "alice"})
    body = {"redirect": False, "sites": [], "force_foreign_changes": False}
    answer = api(
        "POST",
        "/domain-types/activation_run/actions/activate-changes/invoke",
        json=body,
        headers={"If-Match": "*"},
        timeout=5,
    )
    assert answer.status_code == 423


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"kind": "flood"},
        {"kind": "error", "status": 404},
        {"kind": "latency", "seconds": -1},
        {"kind": "error", "every": 0},
        {"kind": "drop", "path": "("},
        {"kind": "drop", "methods": ["PATCH"]},
        {"kind": "race", "attributes": []},
        {"kind": "drop", "nope": 1},
    ],
)
def test_bad_rules_are_refused(sim, rule):
    answer = requests.post(f"{sim.server_url}/_simulator/faults/rules", json={"rules": [rule]}, timeout=5)
    assert answer.status_code == 400
