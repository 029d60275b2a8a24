"""playbooks/vm_lifecycle.yml through the monitored_host role: each VM event against the simulator, its effect
checked in the simulator's state, each event run twice (the second changes nothing), --check as a dry run, and
events the playbook does not understand."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO, oitc_api, run_playbook

PLAYBOOK = REPO / "playbooks" / "vm_lifecycle.yml"
VM = "vm1.example.com"
SERVICES = {"services": [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]}
MAINTENANCE = "Maintenance by the VM lifecycle (lighthouse.monitoring)"


def event(simulator, name, *args):
    vm = ["-e", f"vm_name={VM}", "-e", "vm_address=192.0.2.41", "-e", "vm_folder=/vms", "-e", "vm_site=remote1"]
    run = run_playbook(PLAYBOOK, simulator.env, *vm, "-e", f"vm_event={name}", *args)
    changed = [int(n) for n in re.findall(r"\schanged=(\d+)", run.output)]
    return run, sum(changed)


def downtimes(state):
    return [d for site in state["downtimes"].values() for d in site if d["host_name"] == VM]


def test_each_event_twice_and_as_a_dry_run(simulator):
    simulator.control("reset", method="POST")
    simulator.control(f"discoverable/{VM}", method="PUT", body=SERVICES)

    dry, changed = event(simulator, "created", "--check")
    assert dry.rc == 0 and changed > 0, dry.output[-4000:]
    assert simulator.control("state")["hosts"] == {}

    created, changed = event(simulator, "created")
    assert created.rc == 0 and changed > 0, created.output[-4000:]
    state = simulator.control("state")
    assert state["hosts"][VM]["attributes"]["ipaddress"] == "192.0.2.41"
    assert state["hosts"][VM]["folder"] == "~vms"
    assert state["activated_hosts"] == {VM: "remote1"} and len(state["activations"]) == 1
    assert [s["service_name"] for s in state["discovery"][VM]["services"]] == ["CPU load"]
    again, changed = event(simulator, "created")
    assert again.rc == 0 and changed == 0, again.output[-4000:]

    stopped, changed = event(simulator, "stopped")
    assert stopped.rc == 0 and changed == 1, stopped.output[-4000:]
    (downtime,) = downtimes(simulator.control("state"))
    assert downtime["comment"] == "Maintenance by the VM lifecycle (lighthouse.monitoring)"
    assert "remote1" in [site for site, entries in simulator.control("state")["downtimes"].items() if entries]
    assert event(simulator, "stopped")[1] == 0

    dry, changed = event(simulator, "started", "--check")
    assert dry.rc == 0 and changed == 1 and len(downtimes(simulator.control("state"))) == 1, dry.output[-4000:]
    started, changed = event(simulator, "started")
    assert started.rc == 0 and changed == 1, started.output[-4000:]
    state = simulator.control("state")
    assert downtimes(state) == [] and len(state["activations"]) == 1  # nothing new to activate
    assert event(simulator, "started")[1] == 0

    deleted, changed = event(simulator, "deleted")
    assert deleted.rc == 0 and changed > 0, deleted.output[-4000:]
    state = simulator.control("state")
    assert VM not in state["hosts"] and state["activated_hosts"] == {} and len(state["activations"]) == 2
    assert event(simulator, "deleted")[1] == 0


def test_events_it_does_not_understand_change_nothing(simulator):
    simulator.control("reset", method="POST")
    unknown, _changed = event(simulator, "rebooted")
    assert unknown.rc != 0 and "vm_event=rebooted" in unknown.output
    missing = run_playbook(PLAYBOOK, simulator.env, "-e", "vm_event=created")
    assert missing.rc != 0 and "vm_name=(missing)" in missing.output
    state = simulator.control("state")
    assert state["hosts"] == {} and state["requests"] == []


# --- Opsview (-e monitoring_backend=opsview) -------------------------------------------------------------------

OPSVIEW_GROUP = "Opsview/Hypervisors/VMs"


def opsview_event(simulator, name, *args, address="192.0.2.42"):
    vm = ["-e", "monitoring_backend=opsview", "-e", f"vm_name={VM}", "-e", f"vm_hostgroup={OPSVIEW_GROUP}"]
    vm += ["-e", '{"vm_templates": ["OS - Unix Base", "Network - Base"]}']
    vm += ["-e", f"vm_address={address}"] if address else []
    run = run_playbook(PLAYBOOK, simulator.env, *vm, "-e", f"vm_event={name}", *args)
    return run, sum(int(n) for n in re.findall(r"\schanged=(\d+)", run.output))


def opsview_host(state):
    found = [h for h in state["hosts"] if h["name"] == VM]
    return found[0] if found else None


def opsview_downtimes(state):
    return [d for d in state["downtimes"] if d["hostname"] == VM]


def reloads(state):
    return [r for r in state["reloads"] if r["succeeded"]]


def test_opsview_each_event_twice_and_as_a_dry_run(opsview_simulator):
    sim = opsview_simulator
    sim.control("reset", method="POST")

    dry, changed = opsview_event(sim, "created", "--check")
    assert dry.rc == 0 and changed > 0, dry.output[-4000:]
    state = sim.control("state")
    assert opsview_host(state) is None and state["reloads"] == [] and state["configuration_status"] == "uptodate"
    assert [g["name"] for g in state["hostgroups"]] == ["Opsview", "Monitoring Servers"]

    created, changed = opsview_event(sim, "created")
    assert created.rc == 0 and changed == 3, created.output[-4000:]  # the host group, the host, the reload
    state = sim.control("state")
    host = opsview_host(state)
    assert host["ip"] == "192.0.2.42" and host["hostgroup"]["name"] == "VMs"
    assert [t["name"] for t in host["hosttemplates"]] == ["OS - Unix Base", "Network - Base"]
    (group,) = [g for g in state["hostgroups"] if g["matpath"] == "Opsview,Hypervisors,VMs,"]
    assert [h["name"] for h in group["hosts"]] == [VM]
    assert VM in state["monitored"] and state["configuration_status"] == "uptodate" and len(reloads(state)) == 1
    again, changed = opsview_event(sim, "created")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert len(sim.control("state")["reloads"]) == 1  # nothing pending, no reload

    stopped, changed = opsview_event(sim, "stopped")
    assert stopped.rc == 0 and changed == 1, stopped.output[-4000:]
    downtimes = opsview_downtimes(sim.control("state"))
    assert downtimes and {d["comment"] for d in downtimes} == {
        f"Host '{VM}': Maintenance by the VM lifecycle (lighthouse.monitoring)"
    }
    assert opsview_event(sim, "stopped")[1] == 0

    dry, changed = opsview_event(sim, "started", "--check")
    assert dry.rc == 0 and changed == 1 and opsview_downtimes(sim.control("state")) == downtimes, dry.output[-4000:]
    started, changed = opsview_event(sim, "started")
    assert started.rc == 0 and changed == 1, started.output[-4000:]
    state = sim.control("state")
    assert opsview_downtimes(state) == [] and len(state["reloads"]) == 1  # nothing to reload
    assert opsview_event(sim, "started")[1] == 0

    # Deleted with a maintenance downtime: it goes first, then the host, then a reload.
    assert opsview_event(sim, "stopped")[1] == 1
    dry, changed = opsview_event(sim, "deleted", "--check")
    assert dry.rc == 0 and changed == 2, dry.output[-4000:]
    state = sim.control("state")
    assert opsview_host(state) is not None and len(opsview_downtimes(state)) > 0
    deleted, changed = opsview_event(sim, "deleted")
    assert deleted.rc == 0 and changed == 3, deleted.output[-4000:]
    state = sim.control("state")
    assert opsview_host(state) is None and opsview_downtimes(state) == []
    assert VM not in state["monitored"] and state["configuration_status"] == "uptodate" and len(reloads(state)) == 2
    assert any(g["matpath"] == "Opsview,Hypervisors,VMs," for g in state["hostgroups"])  # shared: it stays
    assert opsview_event(sim, "deleted")[1] == 0
    assert len(sim.control("state")["reloads"]) == 2


def test_opsview_without_an_address(opsview_simulator):
    """A new host gets its name as address (Opsview resolves it); an existing one keeps the address it has."""
    sim = opsview_simulator
    sim.control("reset", method="POST")
    created, _changed = opsview_event(sim, "created", address="")
    assert created.rc == 0, created.output[-4000:]
    assert opsview_host(sim.control("state"))["ip"] == VM

    assert opsview_event(sim, "started", address="192.0.2.43")[1] == 2  # the address, the reload
    again, changed = opsview_event(sim, "started", address="")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert opsview_host(sim.control("state"))["ip"] == "192.0.2.43"


def test_opsview_backend_it_does_not_know_changes_nothing(opsview_simulator):
    sim = opsview_simulator
    sim.control("reset", method="POST")
    vm = ["-e", "monitoring_backend=nagios", "-e", f"vm_name={VM}", "-e", "vm_event=created"]
    unknown = run_playbook(PLAYBOOK, sim.env, *vm)
    assert unknown.rc != 0 and "nagios" in unknown.output and "checkmk, opsview, openitcockpit, sensu" in unknown.output
    assert sim.control("state")["requests"] == []


# --- openITCOCKPIT (-e monitoring_backend=openitcockpit) -------------------------------------------------------
# The simulator has the host template "Linux server" and the satellite branch-satellite (harness.OPENITCOCKPIT).

OITC_CONTAINER = "/root/Hypervisors/VMs"


def oitc_event(simulator, name, *args, address="192.0.2.44", groups="vms"):
    vm = ["-e", "monitoring_backend=openitcockpit", "-e", f"vm_name={VM}", "-e", f"vm_container={OITC_CONTAINER}"]
    vm += ["-e", '{"vm_host_template": "Linux server"}', "-e", "vm_satellite=branch-satellite"]
    vm += ["-e", f"vm_host_groups={groups}"]
    vm += ["-e", f"vm_address={address}"] if address else []
    run = run_playbook(PLAYBOOK, simulator.env, *vm, "-e", f"vm_event={name}", *args)
    return run, sum(int(n) for n in re.findall(r"\schanged=(\d+)", run.output))


def oitc_host(simulator):
    """The host as the edit form has it, with its container's path and whether the monitoring core runs it (the
    host list); None when there is none."""
    found = oitc_api(simulator, f"/hosts/loadHostsByString.json?angular=true&filter[Hosts.name]={quote(VM)}")
    (host_id,) = [h["key"] for h in found["hosts"] if h["value"] == VM] or [None]
    if host_id is None:
        return None
    host = oitc_api(simulator, f"/hosts/edit/{host_id}.json?angular=true")["host"]["Host"]
    containers = oitc_api(simulator, "/containers/loadContainersForAngular.json?angular=true")["containers"]
    listed = oitc_api(simulator, f"/hosts/index.json?angular=true&filter[Hosts.name]={quote(VM)}")["all_hosts"]
    monitored = [h["Host"] for h in listed if h["Host"]["hostname"] == VM]
    return {
        **host,
        "container": {c["key"]: c["value"] for c in containers}[host["container_id"]],
        "satellite": monitored[0]["satelliteName"] if monitored else None,
        "monitored": bool(monitored),
    }


def oitc_downtimes(simulator):
    """The comments of the downtimes (not cancelled) of the host and of its services."""
    query = "angular=true&scroll=false&limit=1000&filter[{}.was_cancelled]=0"
    hosts = oitc_api(simulator, "/downtimes/host.json?" + query.format("DowntimeHosts"))["all_host_downtimes"]
    services = oitc_api(simulator, "/downtimes/service.json?" + query.format("DowntimeServices"))
    return {
        "host": [d["DowntimeHost"]["commentData"] for d in hosts if d["Host"]["hostname"] == VM],
        "services": [
            d["DowntimeService"]["commentData"]
            for d in services["all_service_downtimes"]
            if d["Host"]["hostname"] == VM
        ],
    }


def exports(simulator):
    """The successful exports ("Refresh monitoring configuration"), from the changelog."""
    changes = oitc_api(simulator, "/changelogs/index.json?angular=true&limit=1000")["all_changes"]
    return [c for c in changes if c["name"] == "Refresh of monitoring configuration finished successfully"]


def test_openitcockpit_each_event_twice_and_as_a_dry_run(openitcockpit_simulator):
    sim = openitcockpit_simulator
    sim.control("reset", method="POST")
    group = oitc_api(sim, "/hostgroups/add.json", {"Hostgroup": {"container": {"name": "vms", "parent_id": 1}}})

    dry, changed = oitc_event(sim, "created", "--check")
    assert dry.rc == 0 and changed > 0, dry.output[-4000:]
    assert oitc_host(sim) is None and exports(sim) == []

    created, changed = oitc_event(sim, "created")
    assert created.rc == 0 and changed == 3, created.output[-4000:]  # the container, the host, the export
    host = oitc_host(sim)
    assert host["address"] == "192.0.2.44" and host["container"] == OITC_CONTAINER
    assert host["hostgroups"]["_ids"] == [group["id"]] and host["satellite"] == "branch-satellite"
    assert host["monitored"] and len(exports(sim)) == 1
    again, changed = oitc_event(sim, "created")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert len(exports(sim)) == 1  # nothing changed, no export

    stopped, changed = oitc_event(sim, "stopped")
    assert stopped.rc == 0 and changed == 1, stopped.output[-4000:]
    downtimes = oitc_downtimes(sim)
    assert downtimes["host"] == [MAINTENANCE] and set(downtimes["services"]) == {MAINTENANCE}
    assert oitc_event(sim, "stopped")[1] == 0

    dry, changed = oitc_event(sim, "started", "--check")
    assert dry.rc == 0 and changed == 1 and oitc_downtimes(sim) == downtimes, dry.output[-4000:]
    started, changed = oitc_event(sim, "started")
    assert started.rc == 0 and changed == 1, started.output[-4000:]
    assert oitc_downtimes(sim) == {"host": [], "services": []} and len(exports(sim)) == 1  # nothing to export
    assert oitc_event(sim, "started")[1] == 0

    # Deleted with a maintenance downtime: it goes first, then the host, then an export.
    assert oitc_event(sim, "stopped")[1] == 1
    dry, changed = oitc_event(sim, "deleted", "--check")
    assert dry.rc == 0 and changed == 2, dry.output[-4000:]
    assert oitc_host(sim) is not None and oitc_downtimes(sim)["host"] == [MAINTENANCE]
    deleted, changed = oitc_event(sim, "deleted")
    assert deleted.rc == 0 and changed == 3, deleted.output[-4000:]
    assert oitc_host(sim) is None and oitc_downtimes(sim) == {"host": [], "services": []}
    assert len(exports(sim)) == 2
    containers = oitc_api(sim, "/containers/loadContainersForAngular.json?angular=true")["containers"]
    assert OITC_CONTAINER in [c["value"] for c in containers]  # shared: it stays
    assert oitc_event(sim, "deleted")[1] == 0
    assert len(exports(sim)) == 2


def test_openitcockpit_without_an_address(openitcockpit_simulator):
    """A new host gets its name as address; an existing one keeps the address it has."""
    sim = openitcockpit_simulator
    sim.control("reset", method="POST")
    oitc_api(sim, "/hostgroups/add.json", {"Hostgroup": {"container": {"name": "vms", "parent_id": 1}}})
    created, _changed = oitc_event(sim, "created", address="")
    assert created.rc == 0, created.output[-4000:]
    assert oitc_host(sim)["address"] == VM

    assert oitc_event(sim, "started", address="192.0.2.45")[1] == 2  # the address, the export
    again, changed = oitc_event(sim, "started", address="")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert oitc_host(sim)["address"] == "192.0.2.45"


# --- Sensu classic (-e monitoring_backend=sensu) ---------------------------------------------------------------
# The simulator starts without checks: each test gives it a configuration directory with the checks to request.

SENSU_CHECKS = {
    "checks": {
        "check_ping": {"command": "check-ping.rb -h :::address:::", "subscribers": ["linux"], "interval": 60},
        "check_disk": {"command": "check-disk.rb", "subscribers": ["linux"], "publish": False},
    }
}
SILENCE = f"client:{VM}:*"
WEEK = 7 * 86400


def sensu_reset(simulator, tmp_path):
    """A fresh server that knows SENSU_CHECKS, with an empty request log."""
    simulator.control("reset", method="POST")
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    (conf_d / "checks.json").write_text(json.dumps(SENSU_CHECKS))
    loaded = simulator.control("reload", method="POST", body={"conf_dir": str(conf_d)})
    assert sorted(loaded["checks"]) == sorted(SENSU_CHECKS["checks"]), loaded
    simulator.control("request_counts", method="DELETE")


def sensu_event(simulator, name, *args, address="192.0.2.46", subscriptions="linux, web"):
    vm = ["-e", "monitoring_backend=sensu", "-e", f"vm_name={VM}"]
    vm += ["-e", json.dumps({"vm_subscriptions": subscriptions, "vm_request_checks": ["check_ping", "check_disk"]})]
    vm += ["-e", f"vm_address={address}"] if address else []
    run = run_playbook(PLAYBOOK, simulator.env, *vm, "-e", f"vm_event={name}", *args)
    return run, sum(int(n) for n in re.findall(r"\schanged=(\d+)", run.output))


def sensu_client(state):
    found = [c for c in state["clients"] if c["name"] == VM]
    return found[0] if found else None


def sensu_requested(state):
    """The checks requested of the VM's client, in order, each as (check, reason)."""
    return [
        (r["check"], r["api_requested"]["reason"])
        for r in state["check_requests"]
        if r["subscribers"] == [f"client:{VM}"] and r["clients"] == [VM]
    ]


def only_gets(simulator):
    """Nothing but GET requests since the log was cleared; the log starts afresh."""
    counts = simulator.control("request_counts")
    simulator.control("request_counts", method="DELETE")
    return [route for route in counts if not route.startswith("GET ")] == [] and counts != {}


def test_sensu_each_event_twice_and_as_a_dry_run(sensu_simulator, tmp_path):
    sim = sensu_simulator
    sensu_reset(sim, tmp_path)
    registered = f"{VM} registered or changed"

    dry, changed = sensu_event(sim, "created", "--check")
    assert dry.rc == 0 and changed == 2, dry.output[-4000:]  # the client, the requests
    state = sim.control("state")
    assert state["clients"] == [] and state["check_requests"] == [] and only_gets(sim)

    created, changed = sensu_event(sim, "created")
    assert created.rc == 0 and changed == 2, created.output[-4000:]
    state = sim.control("state")
    client = sensu_client(state)
    assert client["address"] == "192.0.2.46" and client["keepalives"] is False
    assert client["subscriptions"] == ["linux", "web", f"client:{VM}"]
    assert sensu_requested(state) == [("check_ping", registered), ("check_disk", registered)]
    results = {(r["key"], r["check"]["api_requested"]["creator"]) for r in state["results"]}
    assert results == {(f"{VM}:check_ping", "lighthouse.monitoring"), (f"{VM}:check_disk", "lighthouse.monitoring")}
    assert state["silenced"] == []
    again, changed = sensu_event(sim, "created")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert len(sim.control("state")["check_requests"]) == 2  # the client as declared: no request

    stopped, changed = sensu_event(sim, "stopped")
    assert stopped.rc == 0 and changed == 1, stopped.output[-4000:]
    (silence,) = sim.control("state")["silenced"]
    assert silence["id"] == SILENCE and silence["reason"] == MAINTENANCE
    assert silence["creator"] == "lighthouse.monitoring" and WEEK - 120 < silence["expire"] <= WEEK
    assert sensu_event(sim, "stopped")[1] == 0
    assert [s["id"] for s in sim.control("state")["silenced"]] == [SILENCE]

    sim.control("request_counts", method="DELETE")
    dry, changed = sensu_event(sim, "started", "--check")
    assert dry.rc == 0 and changed == 1, dry.output[-4000:]
    assert [s["id"] for s in sim.control("state")["silenced"]] == [SILENCE] and only_gets(sim)
    started, changed = sensu_event(sim, "started")
    assert started.rc == 0 and changed == 1, started.output[-4000:]
    state = sim.control("state")
    assert state["silenced"] == [] and len(state["check_requests"]) == 2  # nothing requested again
    assert sensu_event(sim, "started")[1] == 0

    # Deleted while silenced: the silence goes first, then the client, which Sensu removes a moment later.
    assert sensu_event(sim, "stopped")[1] == 1
    sim.control("request_counts", method="DELETE")
    dry, changed = sensu_event(sim, "deleted", "--check")
    assert dry.rc == 0 and changed == 2, dry.output[-4000:]
    state = sim.control("state")
    assert sensu_client(state) is not None and [s["id"] for s in state["silenced"]] == [SILENCE] and only_gets(sim)
    deleted, changed = sensu_event(sim, "deleted")
    assert deleted.rc == 0 and changed == 2, deleted.output[-4000:]
    state = sim.control("state")
    assert state["clients"] == [] and state["silenced"] == [] and state["pending"] == []
    # The removal waited for the client to be gone: the module read it again until Sensu answered 404.
    client_path = f"/clients/{VM}"
    after = [(r["method"], r["status"]) for r in state["requests"] if r["path"] == client_path]
    assert ("DELETE", 202) in after and after[-1] == ("GET", 404), after
    assert sensu_event(sim, "deleted")[1] == 0


def test_sensu_without_an_address(sensu_simulator, tmp_path):
    """A new client gets its name as address; an existing one keeps the address it has. A changed client has its
    checks requested again; subscriptions as a list work as names separated by commas do."""
    sim = sensu_simulator
    sensu_reset(sim, tmp_path)
    created, changed = sensu_event(sim, "created", address="", subscriptions=["linux"])
    assert created.rc == 0 and changed == 2, created.output[-4000:]
    state = sim.control("state")
    assert sensu_client(state)["address"] == VM and sensu_client(state)["subscriptions"] == ["linux", f"client:{VM}"]

    assert sensu_event(sim, "started", address="192.0.2.47")[1] == 2  # the address and a subscription, the requests
    assert len(sim.control("state")["check_requests"]) == 4
    again, changed = sensu_event(sim, "started", address="")
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    state = sim.control("state")
    assert sensu_client(state)["address"] == "192.0.2.47" and len(state["check_requests"]) == 4


def test_sensu_check_it_does_not_know_fails_in_one_line(sensu_simulator, tmp_path):
    sim = sensu_simulator
    sensu_reset(sim, tmp_path)
    vm = ["-e", "monitoring_backend=sensu", "-e", f"vm_name={VM}", "-e", "vm_event=created"]
    unknown = run_playbook(PLAYBOOK, sim.env, *vm, "-e", "vm_request_checks=check_nothing")
    assert unknown.rc != 0 and "Cannot request check 'check_nothing': Sensu has no such check" in unknown.output
    assert sim.control("state")["check_requests"] == []
