"""Renaming a host (contract 2.2 and item 12 of its quirks): each version's endpoints against its OpenAPI document,
the checks in Checkmk's order, the background job, and what follows the new name."""

from __future__ import annotations

from checkmk_contract import Contract

HOSTS = "/domain-types/host_config/collections/all"
ACTIVATE = "/domain-types/activation_run/actions/activate-changes/invoke"
WAIT = "/domain-types/host_config/actions/wait-for-completion/invoke"
ANY = {"If-Match": "*"}


def rename_path(host: str) -> str:
    return f"/objects/host_config/{host}/actions/rename/invoke"


def activate(c: Contract) -> None:
    body = {"redirect": False, "sites": [], "force_foreign_changes": True}
    c.expect("POST", ACTIVATE, 200, body=body, headers=ANY)
    c.clock.advance(60)
    c.state.settle()


def wait_method(version: str) -> str:
    return "POST" if version == "2.3" else "GET"


def test_rename_validates_against_each_version_and_checks_in_checkmks_order(version: str) -> None:
    c = Contract(version)
    for name in ("web01", "web02"):
        c.expect("POST", HOSTS, 200, body={"host_name": name, "folder": "/"})
    etag = c.expect("GET", "/objects/host_config/web01", 200).headers["ETag"]
    c.expect("PUT", rename_path("nope"), 404, body={"new_name": "x"}, headers={"If-Match": etag})
    exists = c.expect("PUT", rename_path("web01"), 400, body={"new_name": "web02"}, headers={"If-Match": etag})
    assert exists.json["fields"] == {"new_name": ["Host 'web02' already exists."]}
    c.expect("PUT", rename_path("web01"), 428, body={"new_name": "web03"}, spec_rejects=True)
    pending = c.expect("PUT", rename_path("web01"), 409, body={"new_name": "web03"}, headers={"If-Match": etag})
    assert pending.json["title"] == "Pending changes are present"
    activate(c)
    wait = wait_method(version)
    c.expect(wait, WAIT, 404)  # no rename job ever ran
    started = c.expect("PUT", rename_path("web01"), 302 if version == "2.3" else 303, body={"new_name": "web03"},
                       headers={"If-Match": etag})  # fmt: skip
    assert started.headers["Location"] == f"/cmk/check_mk/api/1.0{WAIT}"
    running = c.expect("PUT", rename_path("web02"), 409, body={"new_name": "web04"}, headers={"If-Match": "*"})
    assert running.json["title"] == "Conflict"
    assert c.expect(wait, WAIT, 302).headers["Location"] == f"/cmk/check_mk/api/1.0{WAIT}"
    c.clock.advance(60)
    c.expect(wait, WAIT, 204)
    assert sorted(c.state.hosts) == ["web02", "web03"]
    (change,) = [change for change in c.state.changes if change.action_name == "rename-host"]
    assert change.text == "Renamed host web01 into web03" and change.user_id == "automation"


def test_the_wait_endpoint_takes_post_in_2_3_and_get_later() -> None:
    """Contract quirk 12: a client that follows 2.3's 302 with GET gets 405; 2.4 answers 303 to a GET."""
    old, new = Contract("2.3"), Contract("2.4")
    assert old.send("GET", WAIT)[0].status_code == 405
    assert new.send("POST", WAIT)[0].status_code == 405


def test_downtimes_and_services_follow_the_new_name() -> None:
    c = Contract("2.4", agent_services=(("cpu_loads", None, "CPU load"),))
    c.expect("POST", HOSTS, 200, body={"host_name": "web01", "folder": "/"})
    start = "/domain-types/service_discovery_run/actions/start/invoke"
    c.expect("POST", start, 200, body={"host_name": "web01", "mode": "fix_all"})
    activate(c)
    c.control("POST", "/downtimes/cmk", {"host_name": "web01", "comment": "kept"}, status=201)
    c.expect("PUT", rename_path("web01"), 303, body={"new_name": "web99"}, headers=ANY)
    c.clock.advance(60)
    c.expect("GET", WAIT, 204)
    assert c.state.monitored_services("web99") == ["CPU load"]  # the autochecks at once
    assert [d.host_name for d in c.state.all_downtimes(["cmk"])] == ["web01"]  # the core: the old name until ...
    activate(c)
    assert [d.host_name for d in c.state.all_downtimes(["cmk"])] == ["web99"]  # ... the rename is activated
    assert c.state.monitoring_site("web99") == "cmk" and c.state.monitoring_site("web01") is None
