"""Service discovery (contract section 5): every endpoint against each version's OpenAPI document, and the
behaviour around it: phases, what each mode and bulk option changes, the pending changes, the jobs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from checkmk_contract import API, Contract

START = "/domain-types/service_discovery_run/actions/start/invoke"
BULK = "/domain-types/discovery_run/actions/bulk-discovery-start/invoke"
HOSTS = "/domain-types/host_config/collections/all"
PENDING = "/domain-types/activation_run/collections/pending_changes"
RESULT = "/objects/service_discovery/{}"
RUN = "/objects/service_discovery_run/{}"
WAIT = "/objects/service_discovery_run/{}/actions/wait-for-completion/invoke"
CPU = {"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}
ROOT_FS = {"check_plugin_name": "df", "service_item": "/", "service_name": "Filesystem /"}
BOOT_FS = {"check_plugin_name": "df", "service_item": "/boot", "service_name": "Filesystem /boot"}
VANISHED = {"CPU load": "vanished", "Filesystem /": "vanished"}
ALL_OPTIONS = {
    "monitor_undecided_services": True,
    "remove_vanished_services": True,
    "update_service_labels": True,
    "update_host_labels": True,
}


def site_with_hosts(version: str, *names: str, **services: list[dict[str, Any]]) -> Contract:
    c = Contract(version)
    for name in names:
        c.expect("POST", HOSTS, 200, body={"host_name": name, "folder": "/"})
        offer(c, name, services.get(name, [CPU, ROOT_FS]), {"os": "linux"})
    return c


def offer(c: Contract, host: str, services: list[dict[str, Any]], labels: dict[str, str] | None = None) -> None:
    c.control("PUT", f"/discoverable/{host}", {"services": services, "host_labels": labels or {}})


def discover(c: Contract, host: str, mode: str, status: int = 200) -> Any:
    return c.expect("POST", START, status, body={"host_name": host, "mode": mode})


def phases(c: Contract, host: str = "web01") -> dict[str, str]:
    check_table = c.expect("GET", RESULT.format(host), 200).json["extensions"]["check_table"]
    return {entry["id"]: entry["value"] for entry in check_table.values()}


def changes(c: Contract) -> list[tuple[str, str]]:
    return [(change["action_name"], change["text"]) for change in c.expect("GET", PENDING, 200).json["value"]]


def test_discovery_scenario_validates_against_each_version(version: str) -> None:
    c = site_with_hosts(version, "web01", "db01")
    redirect = 302 if version == "2.3" else 303

    result = c.expect("GET", RESULT.format("web01"), 200).json
    assert (result["id"], result["title"]) == ("service_discovery-web01", "Service discovery result of host web01")
    assert list(result["extensions"]) == ["check_table", "host_labels", "vanished_labels", "changed_labels"]
    assert result["extensions"]["host_labels"] == {"os": {"value": "linux"}}
    cpu = result["extensions"]["check_table"]["cpu_loads-None"]
    assert (cpu["id"], cpu["value"], cpu["title"]) == ("CPU load", "undecided", "The service is currently 'undecided'")
    assert cpu["extensions"]["service_phase"] == "undecided"
    assert ("service_item" in cpu["extensions"]) == (version != "2.5")  # 2.5's schema has no null for it
    assert [link["body_params"]["target_phase"] for link in cpu["links"]] == ["monitored", "undecided", "ignored"]

    never = c.expect("GET", RUN.format("web01"), 200).json
    assert (never["id"], never["extensions"]["state"], never["extensions"]["active"]) == (
        "service_discovery-web01",
        "initialized",
        False,
    )
    assert c.expect("GET", WAIT.format("web01"), 404).json == {
        "title": "The requested service discovery job was not found",
        "status": 404,
        "detail": "Could not find a service discovery for host web01",
    }

    for mode in ["new", "remove", "fix_all", "only_host_labels", "only_service_labels"]:
        assert discover(c, "web01", mode).json["domainType"] == "service_discovery"
    assert set(phases(c).values()) == {"monitored"}
    c.expect("POST", START, 400, body={"host_name": "web01", "mode": "nope"}, spec_rejects=True)
    unknown = c.expect("POST", START, 400, body={"host_name": "nohost"})
    assert unknown.json["fields"] == {"host_name": ["Host not found: 'nohost'"]}
    c.expect("POST", START, 400, body={"host_name": "a b"}, spec_rejects=True)
    c.expect("POST", START, 400, body={"host_name": "web01", "extra": 1}, spec_rejects=version == "2.5")
    for template in [RESULT, RUN, WAIT]:
        assert c.expect("GET", template.format("nohost"), 404).json["fields"] == {
            "host_name": ["Host not found: 'nohost'"]
        }

    started = discover(c, "web01", "refresh", redirect)
    assert started.headers["Location"] == f"{API}{WAIT.format('web01')}" and started.data == b""
    busy = discover(c, "web01", "fix_all", 409)
    assert busy.json == {
        "title": "Conflict",
        "status": 409,
        "detail": "A service discovery background job is currently running",
    }
    assert c.expect("GET", RUN.format("web01"), 200).json["extensions"]["state"] == "running"
    assert c.expect("GET", WAIT.format("web01"), 302).headers["Location"] == f"{API}{WAIT.format('web01')}"
    c.clock.advance(0.3)
    c.expect("GET", WAIT.format("web01"), 204)
    finished = c.expect("GET", RUN.format("web01"), 200).json
    assert finished["title"] == "Service discovery background job service_discovery-web01 is finished"
    discover(c, "web01", "tabula_rasa", redirect)

    # Bulk discovery: 2.3 answers the job, 2.4+ redirect to the background job.
    if version == "2.3":
        job = c.expect("POST", BULK, 200, body={"hostnames": ["web01", "db01"], "mode": "fix_all"}).json
        assert (job["id"], job["title"], job["extensions"]["state"]) == (
            "bulk_discovery",
            "Background job bulk_discovery is active",
            "running",
        )
        busy = c.expect("POST", BULK, 409, body={"hostnames": ["db01"], "options": ALL_OPTIONS})
        assert busy.json["detail"] == "A bulk discovery job is already active"
        c.clock.advance(0.3)
        status = c.expect("GET", "/objects/discovery_run/bulk_discovery", 200).json
        assert (status["extensions"]["active"], status["extensions"]["state"]) == (False, "finished")
        c.expect("GET", "/objects/discovery_run/nope", 404)
        c.expect("POST", BULK, 200, body={"hostnames": ["db01"]})  # mode `new` by default
        c.expect("GET", "/objects/background_job/bulk_discovery", 404, undeclared="routing", spec_rejects=True)
    else:
        options = {**ALL_OPTIONS, "update_service_parameters": True}
        started = c.expect("POST", BULK, 303, body={"hostnames": ["web01", "db01"], "options": options})
        job_id = started.headers["Location"].rpartition("/")[2]
        if version == "2.4":
            assert job_id == "bulk_discovery"
            c.expect("POST", BULK, 409, body={"hostnames": ["db01"], "options": {}}, undeclared="bulk_conflict")
        else:  # 2.5: a job of its own for each request, queued behind the active one
            assert re.fullmatch(r"bulk_discovery-[0-9a-f-]{36}", job_id), job_id
            queued = c.expect("POST", BULK, 303, body={"hostnames": ["db01"], "options": {}})
            queued_id = queued.headers["Location"].rpartition("/")[2]
            assert queued_id not in ("bulk_discovery", job_id)
        job = c.expect("GET", f"/objects/background_job/{job_id}", 200).json
        assert (job["title"], job["extensions"]["active"], job["extensions"]["site_id"]) == (
            f"Background job {job_id} is active",
            True,
            "cmk",
        )
        c.clock.advance(0.3)
        assert c.expect("GET", f"/objects/background_job/{job_id}", 200).json["extensions"]["status"] == {
            "state": "finished",
            "log_info": {"JobProgressUpdate": [], "JobResult": [], "JobException": []},
        }
        if version == "2.5":  # the queued job began when the first ended, and runs as long
            assert c.expect("GET", f"/objects/background_job/{queued_id}", 200).json["extensions"]["active"] is True
            c.clock.advance(0.3)
            assert c.expect("GET", f"/objects/background_job/{queued_id}", 200).json["extensions"]["active"] is False
        c.expect("GET", "/objects/background_job/service_discovery-web01", 200, query={"site_id": "cmk"})
        missing = c.expect("GET", "/objects/background_job/nope", 404).json
        assert missing["detail"] == "Could not find a background job with the ID 'nope' on site cmk"
        c.expect("POST", BULK, 400, body={"hostnames": ["db01"]}, spec_rejects=True)
        no_mode = {"hostnames": ["db01"], "mode": "new", "options": {}}
        assert c.expect("POST", BULK, 400, body=no_mode, spec_rejects=version == "2.5").json["fields"] == {
            "mode": ["Unknown field."]
        }
        c.expect("GET", "/objects/discovery_run/bulk_discovery", 404, undeclared="routing", spec_rejects=True)
    bad = c.expect("POST", BULK, 400, body={"hostnames": ["db01", "nohost"], "options": {}})
    assert bad.json["fields"] == {"hostnames": {"1": ["Host not found: 'nohost'"]}}
    c.expect("POST", BULK, 400, body={"hostnames": ["db01"], "options": {"nope": True}}, spec_rejects=version == "2.5")


def test_phases_and_what_each_mode_changes() -> None:
    c = site_with_hosts("2.4", "web01")
    assert phases(c) == {"CPU load": "undecided", "Filesystem /": "undecided"}
    discover(c, "web01", "only_host_labels")
    assert phases(c) == {"CPU load": "undecided", "Filesystem /": "undecided"}
    discover(c, "web01", "new")
    assert phases(c) == {"CPU load": "monitored", "Filesystem /": "monitored"}

    labelled_cpu = {**CPU, "service_labels": {"cpu": "many"}}
    offer(c, "web01", [labelled_cpu, BOOT_FS], {"os": "bsd", "new": "yes"})
    assert phases(c) == {
        "CPU load": "changed",
        "Filesystem /boot": "undecided",
        "Filesystem /": "vanished",
    }
    result = c.expect("GET", RESULT.format("web01"), 200).json["extensions"]
    assert (result["host_labels"], result["changed_labels"], result["vanished_labels"]) == (
        {"os": {"value": "bsd"}, "new": {"value": "yes"}},
        {"os": {"value": "bsd"}},
        {},
    )
    assert discover(c, "web01", "remove").json["extensions"]["check_table"].keys() == {"cpu_loads-None", "df-/boot"}
    discover(c, "web01", "only_service_labels")
    assert phases(c) == {"CPU load": "monitored", "Filesystem /boot": "undecided"}
    discover(c, "web01", "refresh", 303)  # a rescan changes nothing persistent
    c.clock.advance(1)
    assert phases(c) == {"CPU load": "monitored", "Filesystem /boot": "undecided"}
    discover(c, "web01", "fix_all")
    assert phases(c) == {"CPU load": "monitored", "Filesystem /boot": "monitored"}
    assert c.control("GET", "/state")["discovery"]["web01"]["host_labels"] == {"os": "bsd", "new": "yes"}

    offer(c, "web01", [ROOT_FS], {})
    discover(c, "web01", "tabula_rasa", 303)
    assert phases(c) == {"Filesystem /": "undecided", "CPU load": "vanished", "Filesystem /boot": "vanished"}
    c.clock.advance(0.3)
    assert phases(c) == {"Filesystem /": "monitored"}
    assert c.control("GET", "/state")["discovery"]["web01"] == {
        "discoverable": {"services": [{**ROOT_FS, "service_labels": {}}], "host_labels": {}},
        "services": [{**ROOT_FS, "service_labels": {}}],
        "host_labels": {},
    }


def test_discovery_records_pending_changes_only_for_what_changed() -> None:
    c = site_with_hosts("2.4", "web01")
    c.expect(
        "PUT", "/objects/host_config/web01", 200, body={"attributes": {"site": "remote1"}}, headers={"If-Match": "*"}
    )
    before = len(changes(c))
    discover(c, "web01", "fix_all")
    assert changes(c)[before:] == [
        ("update-host-labels", "Updated discovered host labels of 'web01' with 1 labels"),
        ("set-autochecks", "Saved check configuration of host 'web01' with 2 services"),
    ]
    assert c.control("GET", "/state")["pending_changes"][-1]["sites"] == ["remote1"]
    for mode in ["fix_all", "new", "remove", "only_host_labels", "only_service_labels"]:
        discover(c, "web01", mode)
    discover(c, "web01", "refresh", 303)
    c.clock.advance(1)
    assert len(changes(c)) == before + 2
    offer(c, "web01", [CPU], {"os": "linux"})
    discover(c, "web01", "remove")
    assert changes(c)[-1] == ("set-autochecks", "Saved check configuration of host 'web01' with 1 services")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"options": {"monitor_undecided_services": True}}, {**VANISHED, "Filesystem /boot": "monitored"}),
        ({"options": {"remove_vanished_services": True}}, {"Filesystem /boot": "undecided"}),
        ({"mode": "new"}, {**VANISHED, "Filesystem /boot": "monitored"}),
        ({"mode": "tabula_rasa"}, {"Filesystem /boot": "monitored"}),
        ({"mode": "fix_all", "options": {"update_host_labels": True}}, None),  # options take precedence
    ],
)
def test_bulk_discovery_of_2_3_applies_when_it_finishes(body: dict[str, Any], expected: dict[str, str] | None) -> None:
    c = site_with_hosts("2.3", "web01", "db01")
    discover(c, "web01", "new")
    offer(c, "web01", [BOOT_FS], {"role": "web"})
    before = phases(c)
    c.expect("POST", BULK, 200, body={"hostnames": ["web01", "db01"], **body})
    assert phases(c) == before
    c.clock.advance(0.3)
    assert phases(c) == (expected or before)
    if expected is None:
        assert c.control("GET", "/state")["discovery"]["web01"]["host_labels"] == {"role": "web"}


def test_bulk_discovery_of_2_4_records_changes_per_host() -> None:
    c = site_with_hosts("2.4", "web01", "db01", db01=[CPU])
    c.expect("POST", BULK, 303, body={"hostnames": ["web01", "db01", "web01"], "options": ALL_OPTIONS})
    c.expect("DELETE", "/objects/host_config/db01", 204)  # deleted while the job runs: skipped
    c.clock.advance(0.3)
    assert [change for change in changes(c) if change[0] != "create-host" and change[0] != "delete-host"] == [
        ("update-host-labels", "Updated discovered host labels of 'web01' with 1 labels"),
        ("set-autochecks", "Saved check configuration of host 'web01' with 2 services"),
    ]
    jobs = c.control("GET", "/state")["discovery_jobs"]
    assert [(job["id"], job["hosts"], job["is_running"]) for job in jobs] == [
        ("bulk_discovery", ["web01", "db01"], False)
    ]
    db01 = c.control("GET", "/state")["discovery"]["db01"]
    assert (db01["services"], len(db01["discoverable"]["services"])) == ([], 1)  # the machine still offers


def test_discoverable_control_endpoint() -> None:
    c = site_with_hosts("2.4", "web01")
    c.control("PUT", "/discoverable/later", {"services": [CPU]})  # before the host exists
    c.expect("POST", HOSTS, 200, body={"host_name": "later", "folder": "/"})
    assert phases(c, "later") == {"CPU load": "undecided"}
    c.control("PUT", "/discoverable/web01", {"services": [{"check_plugin_name": "x"}]}, status=400)
    c.control("PUT", "/discoverable/web01", {"host_labels": {"a": 1}}, status=400)
    answer = c.control("PUT", "/discoverable/web01", {})
    assert answer["discoverable"] == {"services": [], "host_labels": {}}
    assert phases(c) == {}


def test_agent_services_are_offered_until_set_otherwise() -> None:
    c = Contract("2.4", agent_services=(("cpu_loads", None, "CPU load"), ("df", "/", "Filesystem /")))
    c.expect("POST", HOSTS, 200, body={"host_name": "web01", "folder": "/"})
    assert phases(c) == {"CPU load": "undecided", "Filesystem /": "undecided"}
    assert "web01" not in c.control("GET", "/state")["discovery"]  # reading keeps no state
    discover(c, "web01", "new")
    assert phases(c) == {"CPU load": "monitored", "Filesystem /": "monitored"}
    offer(c, "web01", [CPU])
    assert phases(c) == {"CPU load": "monitored", "Filesystem /": "vanished"}
