"""playbooks/vm_lifecycle.yml through the monitored_host role: each VM event against the simulator, its effect
checked in the simulator's state, each event run twice (the second changes nothing), --check as a dry run, and
events the playbook does not understand."""

from __future__ import annotations

import re

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO, run_playbook

PLAYBOOK = REPO / "playbooks" / "vm_lifecycle.yml"
VM = "vm1.example.com"
SERVICES = {"services": [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]}


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
