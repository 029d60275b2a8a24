"""playbooks/node_maintenance.yml against the simulator: the VMs of a hypervisor node, half of them monitored by the
remote site, go into one maintenance downtime and come out of it; each step as a dry run first and twice for real
(the second changes nothing); a VM not in the list keeps out of it; input the playbook cannot use changes nothing."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO, run_playbook, write_play

PLAYBOOK = REPO / "playbooks" / "node_maintenance.yml"
COMMENT = "Maintenance of the hypervisor node (lighthouse.monitoring)"
HOSTS = [f"vm{n}" for n in range(1, 31)]
SITES = {host: "remote1" if n % 2 == 0 else "cmk" for n, host in enumerate(HOSTS, start=1)}
NODE_VMS = [host for host in HOSTS if host != "vm10"]  # vm1 is in the list, vm10 is not
MINUTE = timedelta(minutes=1)

SET_UP = """\
    - name: Register the VMs
      lighthouse.monitoring.checkmk_hosts:
        hosts: {hosts}

    - name: Activate, so that they are monitored
      lighthouse.monitoring.checkmk_activation:
"""


def set_up(simulator, tmp_path):
    simulator.control("reset", method="POST")
    hosts = [
        {"name": h, "attributes": {"site": "remote1"}} if s == "remote1" else {"name": h} for h, s in SITES.items()
    ]
    play = write_play(tmp_path / "set_up.yml", tasks=SET_UP.format(hosts=json.dumps(hosts)))
    run = run_playbook(play, simulator.env)
    assert run.rc == 0, run.output[-4000:]
    assert simulator.control("state")["activated_hosts"] == SITES


def maintenance(simulator, *args):
    run = run_playbook(PLAYBOOK, simulator.env, *args)
    changed = [int(n) for n in re.findall(r"\schanged=(\d+)", run.output)]
    return run, sum(changed)


def downtimes(simulator):
    """Each host's downtimes as (site, comment, minutes from start to end)."""
    found = {}
    for site, entries in simulator.control("state")["downtimes"].items():
        for downtime in entries:
            window = datetime.fromisoformat(downtime["end_time"]) - datetime.fromisoformat(downtime["start_time"])
            found.setdefault(downtime["host_name"], []).append((site, downtime["comment"], window // MINUTE))
    return found


def test_one_downtime_for_the_node_and_away_again(simulator, tmp_path):
    set_up(simulator, tmp_path)
    as_json = ["-e", json.dumps({"node_vms": NODE_VMS})]
    vars_file = tmp_path / "vms.yml"
    vars_file.write_text("node_vms:\n" + "".join(f"  - {vm}\n" for vm in NODE_VMS))
    from_file = ["-e", f"@{vars_file}"]

    dry, changed = maintenance(simulator, *as_json, "--check")
    assert dry.rc == 0 and changed == 1, dry.output[-4000:]
    assert simulator.control("state")["downtimes"] == {"cmk": [], "remote1": []}

    applied, changed = maintenance(simulator, *from_file)
    assert applied.rc == 0 and changed == 1, applied.output[-4000:]
    assert downtimes(simulator) == {vm: [(SITES[vm], COMMENT, 120)] for vm in NODE_VMS}  # none for vm10
    again, changed = maintenance(simulator, *as_json)
    assert again.rc == 0 and changed == 0, again.output[-4000:]
    assert downtimes(simulator) == {vm: [(SITES[vm], COMMENT, 120)] for vm in NODE_VMS}

    absent = [*as_json, "-e", "node_maintenance_state=absent"]
    dry, changed = maintenance(simulator, *absent, "--check")
    assert dry.rc == 0 and changed == 1, dry.output[-4000:]
    assert len(downtimes(simulator)) == len(NODE_VMS)
    removed, changed = maintenance(simulator, *absent)
    assert removed.rc == 0 and changed == 1, removed.output[-4000:]
    assert simulator.control("state")["downtimes"] == {"cmk": [], "remote1": []}
    again, changed = maintenance(simulator, *absent)
    assert again.rc == 0 and changed == 0, again.output[-4000:]


def test_input_it_cannot_use_changes_nothing(simulator):
    simulator.control("reset", method="POST")
    cases = {
        "empty list": (["-e", '{"node_vms": []}'], "got node_vms=[] node_maintenance_state=present"),
        "not a list": (["-e", "node_vms=vm1,vm2"], 'got node_vms="vm1,vm2"'),
        "missing": ([], 'got node_vms="(missing)"'),
        "bad state": (["-e", '{"node_vms": ["vm1"]}', "-e", "node_maintenance_state=off"], "state=off"),
    }
    for case, (args, got) in cases.items():
        run = run_playbook(PLAYBOOK, simulator.env, *args)
        failed = [line for line in run.output.splitlines() if line.startswith("fatal: [localhost]: FAILED! => ")]
        assert run.rc != 0 and len(failed) == 1, f"{case}: {run.output[-4000:]}"
        msg = json.loads(failed[0].split(" => ", 1)[1])["msg"]
        assert msg.startswith("node_maintenance needs") and got in msg and "\n" not in msg, f"{case}: {msg}"
    assert simulator.control("state")["requests"] == []
