from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import (
    BULK_START,
    START,
    START_ATTEMPTS,
    Services,
    discover,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import BASE, problem, reply


def preview(host, labels=None, **phases):
    """A discovery result: phases given as monitored=[...], undecided=[...], vanished=[...]."""
    table = {}
    for phase, names in phases.items():
        for name in names:
            table[f"plugin-{name}"] = {
                "id": name,
                "value": phase,
                "extensions": {"host_name": host, "service_name": name, "service_phase": phase},
            }
    return {"id": f"service_discovery-{host}", "extensions": {"check_table": table, "host_labels": labels or {}}}


def no_sleep(_seconds):
    pass


def run(client, hosts, mode, *, bulk=False, check_mode=False):
    return discover(client, hosts, mode, bulk=bulk, check_mode=check_mode, timeout=5, sleep=no_sleep)


@pytest.mark.parametrize(
    "mode, monitored",
    [
        ("new", ["a", "b", "u"]),
        ("monitor_undecided_services", ["a", "b", "u"]),
        ("remove", ["a"]),
        ("fix_all", ["a", "u"]),
        ("tabula_rasa", ["a", "u"]),
        ("refresh", ["a", "b"]),
        ("only_host_labels", ["a", "b"]),
    ],
)
def test_check_mode_predicts_from_the_preview_and_sends_only_gets(client, fake, mode, monitored):
    fake.on(
        "GET",
        "/objects/service_discovery/web1",
        reply(200, preview("web1", monitored=["a"], undecided=["u"], vanished=["b"])),
    )
    outcome = run(client, ["web1"], mode, check_mode=True)
    assert outcome.after == {"web1": monitored}
    assert outcome.changed is (monitored != ["a", "b"])
    assert fake.writes() == []


def test_synchronous_mode_changed_from_before_and_after(client, fake):
    fake.on(
        "GET",
        "/objects/service_discovery/web1",
        reply(200, preview("web1", monitored=["a"], undecided=["u"])),
        reply(200, preview("web1", monitored=["a", "u"])),
    )
    fake.on("POST", START, reply(200, preview("web1", monitored=["a", "u"])))
    outcome = run(client, ["web1"], "new")
    assert fake.writes()[0].body == {"host_name": "web1", "mode": "new"}
    assert outcome.changed and outcome.extra["discovery"] == {
        "web1": {"added": ["u"], "removed": [], "host_labels_changed": False}
    }


def test_nothing_new_is_not_changed_even_though_the_server_answered_200(client, fake):
    fake.on("GET", "/objects/service_discovery/web1", reply(200, preview("web1", monitored=["a"])))
    fake.on("POST", START, reply(200, preview("web1", monitored=["a"])))
    assert run(client, ["web1"], "fix_all").changed is False


def test_background_job_is_waited_for_and_running_job_first(client, fake):
    wait = "/objects/service_discovery_run/web1/actions/wait-for-completion/invoke"
    fake.on(
        "GET",
        "/objects/service_discovery/web1",
        reply(200, preview("web1", monitored=["a"])),
        reply(200, preview("web1", monitored=["b"])),
    )
    fake.on(
        "POST", START, problem(409, "Conflict", "A service discovery background job is currently running"), reply(303)
    )
    fake.on("GET", wait, reply(302), reply(204), reply(302), reply(204))
    outcome = run(client, ["web1"], "tabula_rasa")
    assert [c.method for c in fake.calls if c.path == START] == ["POST", "POST"]
    assert [c.path for c in fake.calls].count(wait) == 4
    assert outcome.extra["discovery"]["web1"] == {"added": ["b"], "removed": ["a"], "host_labels_changed": False}


@pytest.mark.parametrize("version", ["2.3", "2.4"])
def test_bulk_discovery_waits_for_the_job(client, fake, version):
    for host in ("n1", "n2"):
        fake.on(
            "GET",
            f"/objects/service_discovery/{host}",
            reply(200, preview(host, undecided=["u"])),
            reply(200, preview(host, monitored=["u"])),
        )
    if version == "2.3":
        fake.on("POST", BULK_START, reply(200, {"id": "bulk_discovery", "extensions": {"active": True}}))
        status = "/objects/discovery_run/bulk_discovery"
    else:
        location = "/central/check_mk/api/1.0/objects/background_job/job-7"
        fake.on("POST", BULK_START, _redirect(location))
        status = "/objects/background_job/job-7"
    fake.on("GET", status, reply(200, {"extensions": {"active": True}}), reply(200, {"extensions": {"active": False}}))
    outcome = run(client, ["n1", "n2"], "fix_all", bulk=True)
    assert fake.writes()[0].body == {
        "hostnames": ["n1", "n2"],
        "options": {
            "monitor_undecided_services": True,
            "remove_vanished_services": True,
            "update_host_labels": True,
            "update_service_labels": False,
        },
    }
    assert outcome.changed and outcome.after == {"n1": ["u"], "n2": ["u"]}


def _redirect(location):
    from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response

    return Response(303, {"Location": location})


def test_location_may_be_absolute(client, fake):
    fake.on("GET", "/objects/service_discovery/n1", reply(200, preview("n1")))
    fake.on("POST", BULK_START, _redirect(f"{BASE}/objects/background_job/j1"))
    fake.on("GET", "/objects/background_job/j1", reply(200, {"extensions": {"active": False}}))
    assert run(client, ["n1"], "new", bulk=True).changed is False


def test_unknown_host_and_bad_arguments(client, fake):
    fake.on("GET", "/objects/service_discovery/nope", problem(404, "Not Found"))
    with pytest.raises(ValidationError, match="host 'nope': the host does not exist"):
        run(client, ["nope"], "new")
    with pytest.raises(ValidationError, match="Unknown discovery mode"):
        run(client, ["web1"], "everything")
    with pytest.raises(ValidationError, match="Invalid host name"):
        run(client, ["bad host"], "new")
    assert fake.writes() == []


def test_services_ignore_other_phases_and_read_labels():
    services = Services.from_api(preview("h", {"os": "linux"}, monitored=["a"], ignored=["i"]))
    assert services.monitored == frozenset({"a"}) and services.host_labels == (("os", "linux"),)


def test_changed_services_are_monitored_and_label_drift_is_predicted():
    body = preview("h", {"os": "linux"}, monitored=["a"], changed=["c"], vanished=["v"])
    body["extensions"]["vanished_labels"] = {"old": {"value": "x"}}
    services = Services.from_api(body)
    assert services.monitored == frozenset({"a", "c", "v"})
    assert services.label_drift == (("old", "x"),)
    assert services.predicted("only_host_labels").label_drift == ()
    assert services.predicted("new").label_drift == (("old", "x"),)


def test_check_mode_reports_a_host_label_update_as_a_change(client, fake):
    body = preview("web1", {"os": "linux"}, monitored=["a"])
    body["extensions"]["changed_labels"] = {"os": "windows"}
    fake.on("GET", "/objects/service_discovery/web1", reply(200, body))
    outcome = run(client, ["web1"], "only_host_labels", check_mode=True)
    assert outcome.changed is True
    assert outcome.extra["discovery"]["web1"]["host_labels_changed"] is True
    assert run(client, ["web1"], "new", check_mode=True).changed is False


# --- A start whose answer is lost, or that finds a discovery running ---------------------------------------------

WAIT = "/objects/service_discovery_run/web1/actions/wait-for-completion/invoke"


def dropped(_call):
    raise TransportError("cannot connect to https://cmk.example (Remote end closed connection without response)")


def lost(_call):
    return problem(502, "Bad Gateway")


def services_before_and_after(fake, host, before, after, version="2.4.0p18", *, between=None):
    """The host's previews: ``before``, then ``between`` (what a check after a lost start sees), then ``after``."""
    replies = [reply(200, before, version=version), *([reply(200, between)] if between else []), reply(200, after)]
    fake.on("GET", f"/objects/service_discovery/{host}", *replies)


@pytest.mark.parametrize("failure", [dropped, lost], ids=["dropped", "502"])
def test_a_lost_start_waits_for_the_hosts_job_then_starts_again(client, fake, failure):
    services_before_and_after(fake, "web1", preview("web1", undecided=["u"]), preview("web1", monitored=["u"]))
    fake.on("POST", START, failure, reply(303))
    fake.on("GET", WAIT, reply(302), reply(204), reply(204))  # the lost start's job runs, then ours is over
    outcome = run(client, ["web1"], "tabula_rasa")
    assert [c.path for c in fake.writes()] == [START, START]
    assert [c.path for c in fake.calls if c.path == WAIT] == [WAIT, WAIT, WAIT]
    assert outcome.changed and outcome.after == {"web1": ["u"]}


def test_a_lost_start_of_a_host_with_no_job_starts_again_at_once(client, fake):
    undecided, monitored = preview("web1", undecided=["u"]), preview("web1", monitored=["u"])
    services_before_and_after(fake, "web1", undecided, monitored, between=undecided)  # the lost start did nothing
    fake.on("POST", START, lost, reply(200, preview("web1", monitored=["u"])))
    fake.on("GET", WAIT, problem(404, "The requested service discovery job was not found"))
    assert run(client, ["web1"], "new").changed
    assert len(fake.writes()) == 2


@pytest.mark.parametrize("mode", ["new", "fix_all", "remove", "only_host_labels", "only_service_labels"])
def test_a_lost_start_that_did_the_work_is_not_started_again(client, fake, mode):
    """Check first, then act: after waiting for the job the lost start began, the preview shows nothing left."""
    before = preview("web1", undecided=["u"], vanished=["v"], changed=["c"])
    done = preview("web1", monitored=["u", "c"])
    services_before_and_after(fake, "web1", before, done, between=done)
    fake.on("POST", START, lost)
    fake.on("GET", WAIT, reply(302), reply(204))
    outcome = run(client, ["web1"], mode)
    assert [c.path for c in fake.writes()] == [START]
    assert outcome.changed


def test_a_lost_start_of_a_rescan_is_started_again_without_a_check(client, fake):
    """A refresh's work does not show in the preview: it is started again after the lost one, as before."""
    services_before_and_after(fake, "web1", preview("web1", monitored=["u"]), preview("web1", monitored=["u"]))
    fake.on("POST", START, lost, reply(303))
    fake.on("GET", WAIT, reply(204))
    run(client, ["web1"], "refresh")
    assert [c.path for c in fake.writes()] == [START, START]
    assert [c.path for c in fake.calls].count("/objects/service_discovery/web1") == 2  # before and after only


@pytest.mark.parametrize(
    "version, first",
    [
        ("2.3.0p41", problem(409, "Conflict", "A bulk discovery job is already active")),
        ("2.4.0p18", lost),
        ("2.4.0p18", problem(409, "Conflict", "Background Job bulk_discovery already running")),
        ("2.5.0b1", dropped),
        (None, dropped),  # a server that does not say its version is taken for the newest
    ],
)
def test_a_lost_bulk_start_or_a_running_bulk_job_is_waited_for_then_ours_starts(client, fake, version, first):
    for host in ("n1", "n2"):
        before, after = preview(host, undecided=["u"]), preview(host, monitored=["u"])
        # The check after the wait reads n1, finds work left, and so reads no further.
        services_before_and_after(fake, host, before, after, version=version, between=before if host == "n1" else None)
    shared_job = {"2.3.0p41": "discovery_run", "2.4.0p18": "background_job"}.get(version)
    if shared_job:  # 2.3 and 2.4 run one bulk job at a time: the running one is waited for
        running, over = reply(200, {"extensions": {"active": True}}), reply(200, {"extensions": {"active": False}})
        fake.on("GET", f"/objects/{shared_job}/bulk_discovery", running, over, over)
    if version == "2.3.0p41":
        ours = reply(200, {"id": "bulk_discovery", "extensions": {"active": False}})
    else:  # 2.5: a job of its own, queued behind any running one: nothing else to wait for
        job = "bulk_discovery" if shared_job else "bulk_discovery-4f1c"
        ours = _redirect(f"/central/check_mk/api/1.0/objects/background_job/{job}")
        if not shared_job:
            fake.on("GET", f"/objects/background_job/{job}", reply(200, {"extensions": {"active": False}}))
    fake.on("POST", BULK_START, first, ours)
    outcome = run(client, ["n1", "n2"], "fix_all", bulk=True)
    assert [c.path for c in fake.writes()] == [BULK_START, BULK_START]
    assert outcome.changed and outcome.after == {"n1": ["u"], "n2": ["u"]}
    if shared_job:  # waited until the running job was over before starting ours
        polls = [i for i, c in enumerate(fake.calls) if c.path == f"/objects/{shared_job}/bulk_discovery"]
        second_start = [i for i, c in enumerate(fake.calls) if c.path == BULK_START][1]
        assert len(polls) >= 2 and polls[1] < second_start


def test_starts_are_bounded_and_the_last_failure_is_one_line(client, fake):
    fake.on("GET", "/objects/service_discovery/n1", reply(200, preview("n1", undecided=["u"]), version="2.4.0p18"))
    fake.on("GET", "/objects/background_job/bulk_discovery", reply(200, {"extensions": {"active": False}}))
    fake.on("POST", BULK_START, lost)
    with pytest.raises(ApiError, match=r"^Failed to start the bulk discovery of 1 hosts \(mode new\): 502 Bad Gateway"):
        run(client, ["n1"], "new", bulk=True)
    assert len(fake.writes()) == START_ATTEMPTS


def test_a_refused_start_is_not_sent_again(client, fake):
    fake.on("GET", "/objects/service_discovery/n1", reply(200, preview("n1", undecided=["u"])))
    fake.on("POST", BULK_START, problem(400, "Bad Request", "These fields have problems: hostnames"))
    with pytest.raises(ApiError, match="400"):
        run(client, ["n1"], "new", bulk=True)
    assert len(fake.writes()) == 1
