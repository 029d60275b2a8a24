"""The hypervisor hooks in hooks/, run end to end as the hypervisors run them: the same arguments, the domain XML
on stdin for libvirt, the bare environment libvirt gives its hooks (LC_ALL=C, a system PATH), and the settings
in an environment file. Their effect is checked in the simulator's state, for Checkmk (the default), for Opsview
(LIGHTHOUSE_BACKEND=opsview), through its API for openITCOCKPIT (LIGHTHOUSE_BACKEND=openitcockpit), and for Sensu
classic (LIGHTHOUSE_BACKEND=sensu); bad input
and a monitoring server that is down must change nothing and still exit 0; the secret must show nowhere; in
background mode the hook must return at once."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO, oitc_api

PROXMOX = REPO / "hooks" / "proxmox" / "lighthouse-monitoring"
LIBVIRT = REPO / "hooks" / "libvirt" / "qemu"
PROXMOX_VM, VMID = "vm7.example.com", "107"
LIBVIRT_VM = "vm8.example.com"
ADDRESS = "192.0.2.77"
SERVICES = {"services": [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]}
SECRETS = (
    "CHECKMK_API_SECRET",
    "CHECKMK_VAR_AUTOMATION_SECRET",
    "OPSVIEW_PASSWORD",
    "OPSVIEW_TOKEN",
    "OITC_API_KEY",
    "SENSU_API_PASSWORD",
)
MAINTENANCE = "Maintenance by the VM lifecycle (lighthouse.monitoring)"
# libvirt runs its hooks with this environment (docs/hooks.rst of libvirt), HOME aside.
HYPERVISOR_ENV = {"LC_ALL": "C", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
COLLECTIONS = os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".cache" / "collections"))


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def domain_xml(name: str) -> str:
    return (
        f"<domain type='kvm'><name>{name}</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
        "<memory unit='KiB'>1048576</memory><os><type arch='x86_64'>hvm</type></os></domain>\n"
    )


class Hooks:
    """Settings file, fakes and log of the hooks, in tmp_path; runs a hook the way its hypervisor does. ``backend``:
    the settings the simulator's backend needs besides its connection."""

    def __init__(self, tmp: Path, simulator, **backend: str) -> None:
        self.tmp, self.simulator, self.backend = tmp, simulator, backend
        self.secret = simulator.backend.secret
        self.log_file = tmp / "hook.log"
        self.leaks = tmp / "helpers-saw-the-secret"
        # qm as on a Proxmox node, for one VM; the helpers note it if they ever get a secret.
        secrets = "".join(f"${{{name}:-}}" for name in SECRETS)
        leak_check = f'[ -z "{secrets}" ] || echo "$0" >>{shlex.quote(str(self.leaks))}\n'
        self.qm = executable(
            tmp / "qm",
            "#!/bin/sh\n" + leak_check + f'if [ "$1 $2" = "config {VMID}" ]; then\n'
            f"  printf 'boot: order=scsi0\\nmemory: 2048\\nname: {PROXMOX_VM}\\nostype: l26\\n'\n"
            "else\n  echo \"Configuration file 'nodes/pve1/qemu-server/$2.conf' does not exist\" >&2; exit 2\nfi\n",
        )
        self.address = executable(tmp / "address", "#!/bin/sh\n" + leak_check + f'echo "{ADDRESS} STREAM $1"\n')
        self.settings()

    def settings(self, **overrides: str) -> Path:
        values = {
            **self.simulator.env,
            **self.backend,
            "LIGHTHOUSE_FOLDER": "/vms",
            "LIGHTHOUSE_SITE": "remote1",
            "LIGHTHOUSE_ADDRESS_COMMAND": str(self.address),
            "ANSIBLE_PLAYBOOK": shutil.which("ansible-playbook"),
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
            "LIGHTHOUSE_LOG": str(self.log_file),
            "LIGHTHOUSE_BACKGROUND": "0",
            "LIGHTHOUSE_STATE_DIR": str(self.tmp / "state"),
            "LIGHTHOUSE_QM": str(self.qm),
            "LIGHTHOUSE_PCT": str(self.tmp / "no-pct-here"),
            **overrides,
        }
        self.env_file = self.tmp / "hook.env"
        self.env_file.write_text("".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items()))
        self.env_file.chmod(0o600)
        return self.env_file

    def run(self, script: Path, *args: str, xml: str | None = None, timeout: float = 300):
        env = {
            **HYPERVISOR_ENV,
            "HOME": os.environ.get("HOME", str(self.tmp)),
            "LIGHTHOUSE_HOOK_ENV": str(self.env_file),
        }
        done = subprocess.run(
            [str(script), *args],
            input=xml,
            stdin=None if xml is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
        assert self.secret not in done.stdout + done.stderr
        return done

    def log(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else ""

    def assert_no_leak(self) -> None:
        assert self.secret not in self.log()
        assert not self.leaks.exists(), self.leaks.read_text()


@pytest.fixture
def hooks(tmp_path, simulator):
    simulator.control("reset", method="POST")
    yield Hooks(tmp_path, simulator, CHECKMK_TIMEOUT="10")


def downtimes(state, host):
    return {
        site: [d["comment"] for d in entries if d["host_name"] == host] for site, entries in state["downtimes"].items()
    }


def assert_registered(state, host):
    assert state["hosts"][host]["folder"] == "~vms"
    assert state["hosts"][host]["attributes"]["ipaddress"] == ADDRESS
    assert state["activated_hosts"] == {host: "remote1"} and len(state["activations"]) == 1
    assert [s["service_name"] for s in state["discovery"][host]["services"]] == ["CPU load"]


def test_proxmox_hookscript_through_a_vms_life(hooks, simulator):
    simulator.control(f"discoverable/{PROXMOX_VM}", method="PUT", body=SERVICES)

    pre_start = hooks.run(PROXMOX, VMID, "pre-start")
    assert pre_start.returncode == 0 and pre_start.stdout == ""
    assert simulator.control("state")["requests"] == []
    assert f"proxmox {VMID}: pre-start: nothing to do" in hooks.log()

    started = hooks.run(PROXMOX, VMID, "post-start")
    assert started.returncode == 0, hooks.log()
    assert_registered(simulator.control("state"), PROXMOX_VM)
    assert f"proxmox {VMID} ({PROXMOX_VM}): started: done" in hooks.log()

    requests = len(simulator.control("state")["requests"])
    assert hooks.run(PROXMOX, VMID, "pre-stop").returncode == 0
    assert len(simulator.control("state")["requests"]) == requests

    stopped = hooks.run(PROXMOX, VMID, "post-stop")
    assert stopped.returncode == 0, hooks.log()
    maintenance = ["Maintenance by the VM lifecycle (lighthouse.monitoring)"]
    assert downtimes(simulator.control("state"), PROXMOX_VM) == {"cmk": [], "remote1": maintenance}

    again = hooks.run(PROXMOX, VMID, "post-start")
    assert again.returncode == 0, hooks.log()
    state = simulator.control("state")
    assert downtimes(state, PROXMOX_VM) == {"cmk": [], "remote1": []} and len(state["activations"]) == 1

    deleted = hooks.run(PROXMOX, VMID, "deleted")  # by hand, before `qm destroy`
    assert deleted.returncode == 0, hooks.log()
    state = simulator.control("state")
    assert state["hosts"] == {} and state["activated_hosts"] == {} and len(state["activations"]) == 2
    assert f"proxmox {VMID} ({PROXMOX_VM}): deleted: done" in hooks.log()
    hooks.assert_no_leak()


def test_libvirt_hook_through_a_guests_life(hooks, simulator):
    simulator.control(f"discoverable/{LIBVIRT_VM}", method="PUT", body=SERVICES)
    xml = domain_xml(LIBVIRT_VM)

    def libvirt(*args):
        done = hooks.run(LIBVIRT, LIBVIRT_VM, *args, xml=xml)
        # libvirt takes a qemu hook's output as the new domain XML (migrate, restore): there must be none.
        assert done.returncode == 0 and done.stdout == "", hooks.log()
        return simulator.control("state")

    for operation in (["prepare", "begin", "-"], ["start", "begin", "-"], ["migrate", "begin", "-"]):
        assert libvirt(*operation)["requests"] == []
    assert f"libvirt {LIBVIRT_VM}: prepare begin: nothing to do" in hooks.log()

    assert_registered(libvirt("started", "begin", "-"), LIBVIRT_VM)

    requests = len(simulator.control("state")["requests"])
    assert len(libvirt("stopped", "end", "-")["requests"]) == requests
    state = libvirt("release", "end", "shutdown")
    maintenance = ["Maintenance by the VM lifecycle (lighthouse.monitoring)"]
    assert downtimes(state, LIBVIRT_VM) == {"cmk": [], "remote1": maintenance}

    # A guest that migrated away still runs, on another host: no downtime for it (libvirt 10.5.0 and later).
    requests = len(simulator.control("state")["requests"])
    assert len(libvirt("release", "end", "migrated")["requests"]) == requests
    assert "release (migrated): the guest runs on another host now" in hooks.log()

    state = libvirt("started", "begin", "-")
    assert downtimes(state, LIBVIRT_VM) == {"cmk": [], "remote1": []} and len(state["activations"]) == 1

    deleted = hooks.run(LIBVIRT, LIBVIRT_VM, "deleted")  # by hand, after `virsh undefine`
    assert deleted.returncode == 0 and deleted.stdout == "", hooks.log()
    state = simulator.control("state")
    assert state["hosts"] == {} and state["activated_hosts"] == {} and len(state["activations"]) == 2
    hooks.assert_no_leak()


@pytest.mark.parametrize(
    ("script", "args", "logged"),
    [
        (PROXMOX, [], "proxmox: called with 0 argument(s)"),
        (PROXMOX, [VMID, "post-migrate"], f"proxmox {VMID}: unknown phase 'post-migrate'"),
        (PROXMOX, [VMID, "post-start", "x", "y"], "proxmox: called with 4 argument(s)"),
        (PROXMOX, ["vm7", "post-start"], "proxmox: called with 2 argument(s)"),
        (PROXMOX, [VMID, "deleted", "{{ lookup('pipe', 'id') }}"], "is not a valid host name"),
        (PROXMOX, ["999", "post-start"], "proxmox 999: started: the VM's name could not be found"),
        (LIBVIRT, [], "libvirt: called with 0 argument(s)"),
        (LIBVIRT, [LIBVIRT_VM, "started", "begin"], "libvirt: called with 3 argument(s)"),
        (LIBVIRT, [LIBVIRT_VM, "suspended", "begin", "-"], f"libvirt {LIBVIRT_VM}: unknown operation 'suspended'"),
        (LIBVIRT, [LIBVIRT_VM, "rebooted"], f"libvirt {LIBVIRT_VM}: unknown event 'rebooted'"),
        (LIBVIRT, ["my guest", "started", "begin", "-"], "libvirt 'my guest': not a valid host name"),
    ],
)
def test_bad_input_changes_nothing(hooks, simulator, script, args, logged):
    done = hooks.run(script, *args, xml=domain_xml("x") if script == LIBVIRT else None)
    assert done.returncode == 0 and done.stdout == ""
    assert logged in hooks.log()
    assert simulator.control("state")["requests"] == []
    hooks.assert_no_leak()


def test_settings_file_that_others_can_write_is_not_read(hooks, simulator):
    hooks.env_file.chmod(0o620)
    done = hooks.run(PROXMOX, VMID, "post-start")
    # Not read, so no LIGHTHOUSE_LOG either: the message goes to syslog, or to stderr where there is none.
    assert done.returncode == 0 and done.stdout == ""
    assert simulator.control("state")["requests"] == []
    assert not hooks.log_file.exists()


def closed_url() -> str:
    """The URL of a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_monitoring_down_is_logged_and_the_hook_still_exits_0(hooks, simulator):
    closed = closed_url()
    hooks.settings(CHECKMK_SERVER_URL=closed, CHECKMK_TIMEOUT="2")
    for script, args, xml in ((PROXMOX, [VMID, "post-start"], None), (LIBVIRT, [LIBVIRT_VM, "deleted"], None)):
        done = hooks.run(script, *args, xml=xml)
        assert done.returncode == 0 and done.stdout == ""
    log = hooks.log()
    assert f"proxmox {VMID} ({PROXMOX_VM}): started: the playbook failed" in log
    assert f"libvirt {LIBVIRT_VM}: deleted: the playbook failed" in log
    assert f"cannot connect to {closed}" in log
    state = simulator.control("state")
    assert state["hosts"] == {} and state["requests"] == []
    hooks.assert_no_leak()


def fake_playbook(hooks, seconds: float) -> Path:
    """An ansible-playbook that takes its time; it notes its pid and arguments, and whether it got the secret."""
    calls = hooks.tmp / "calls"
    return executable(
        hooks.tmp / "slow-playbook",
        "#!/bin/sh\n"
        f'echo "$$ ${{CHECKMK_API_SECRET:+secret-in-environment}} $*" >>{calls}\n'
        f"sleep {seconds}\n"
        "echo 'localhost                  : ok=1    changed=0    unreachable=0    failed=0'\n",
    )


def wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_libvirt_hook_in_background_returns_at_once(hooks, simulator):
    hooks.settings(LIGHTHOUSE_BACKGROUND="1", ANSIBLE_PLAYBOOK=str(fake_playbook(hooks, 60)))
    begin = time.monotonic()
    done = hooks.run(LIBVIRT, LIBVIRT_VM, "started", "begin", "-", xml=domain_xml(LIBVIRT_VM))
    assert time.monotonic() - begin < 1
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""

    calls = hooks.tmp / "calls"
    wait_for(calls.exists)
    pid, secret, arguments = calls.read_text().split(" ", 2)
    assert secret == "secret-in-environment" and hooks.secret not in arguments  # environment only, never argv
    assert f'"vm_name": "{LIBVIRT_VM}", "vm_event": "started", "monitoring_backend": "checkmk"' in arguments
    assert os.getsid(int(pid)) != os.getsid(0)  # a session of its own: gone from libvirt's sight
    assert "queued, the playbook runs in the background" in hooks.log()

    os.killpg(os.getpgid(int(pid)), signal.SIGTERM)  # timeout's process group: the fake and its sleep
    wait_for(lambda: "started: the playbook failed" in hooks.log())
    hooks.assert_no_leak()


def test_a_slow_playbook_is_stopped_after_the_timeout(hooks):
    hooks.settings(LIGHTHOUSE_TIMEOUT="1", ANSIBLE_PLAYBOOK=str(fake_playbook(hooks, 60)))
    begin = time.monotonic()
    done = hooks.run(PROXMOX, VMID, "post-start", timeout=30)
    assert done.returncode == 0 and time.monotonic() - begin < 10
    assert f"proxmox {VMID} ({PROXMOX_VM}): started: stopped after LIGHTHOUSE_TIMEOUT=1 s" in hooks.log()


def test_of_the_events_waiting_only_the_latest_runs(hooks):
    hooks.settings(LIGHTHOUSE_BACKGROUND="1", ANSIBLE_PLAYBOOK=str(fake_playbook(hooks, 1)))
    xml = domain_xml(LIBVIRT_VM)
    for args in (["started", "begin", "-"], ["release", "end", "shutdown"], ["started", "begin", "-"]):
        assert hooks.run(LIBVIRT, LIBVIRT_VM, *args, xml=xml).returncode == 0

    def finished():
        return len(re.findall(r": (started|stopped): (done|skipped)", hooks.log())) == 3

    wait_for(finished, 20)
    events = re.findall(r'"vm_event": "(\w+)"', (hooks.tmp / "calls").read_text())
    assert events[-1] == "started" and len(events) < 3, hooks.log()
    assert "skipped, a later event of this VM replaces it" in hooks.log()


def test_a_backend_the_hooks_do_not_know_is_logged_and_changes_nothing(hooks, simulator):
    hooks.settings(LIGHTHOUSE_BACKEND="nagios")
    done = hooks.run(PROXMOX, VMID, "post-start")
    assert done.returncode == 0 and done.stdout == ""
    assert "LIGHTHOUSE_BACKEND=nagios is none of checkmk, opsview, openitcockpit, sensu: nothing done" in hooks.log()
    assert simulator.control("state")["requests"] == []
    hooks.assert_no_leak()


# --- Opsview: LIGHTHOUSE_BACKEND=opsview, the connection from OPSVIEW_* ------------------------------------------

OPSVIEW_GROUP = "Opsview/Hypervisors/pve1"


@pytest.fixture
def opsview_hooks(tmp_path, opsview_simulator):
    opsview_simulator.control("reset", method="POST")
    yield Hooks(
        tmp_path,
        opsview_simulator,
        LIGHTHOUSE_BACKEND="opsview",
        OPSVIEW_TIMEOUT="10",
        LIGHTHOUSE_HOSTGROUP=OPSVIEW_GROUP,
        LIGHTHOUSE_TEMPLATES="OS - Unix Base, Network - Base",
    )


def opsview_host(state, name):
    found = [h for h in state["hosts"] if h["name"] == name]
    return found[0] if found else None


def opsview_downtimes(state, name):
    return {d["comment"] for d in state["downtimes"] if d["hostname"] == name}


def run_ended(hooks, who: str, event: str) -> bool:
    return re.search(rf"{re.escape(who)}: {event}: (done|the playbook failed|stopped after)", hooks.log()) is not None


def assert_in_opsview(state, name, reloads=1):
    host = opsview_host(state, name)
    assert host["ip"] == ADDRESS and host["hostgroup"]["name"] == "pve1"
    assert [t["name"] for t in host["hosttemplates"]] == ["OS - Unix Base", "Network - Base"]
    (group,) = [g for g in state["hostgroups"] if g["matpath"] == "Opsview,Hypervisors,pve1,"]
    assert [h["name"] for h in group["hosts"]] == [name]
    assert name in state["monitored"] and state["configuration_status"] == "uptodate"
    assert [r["succeeded"] for r in state["reloads"]] == [True] * reloads


def test_proxmox_hookscript_with_opsview(opsview_hooks, opsview_simulator):
    hooks, sim = opsview_hooks, opsview_simulator
    started = hooks.run(PROXMOX, VMID, "post-start")
    assert started.returncode == 0 and started.stdout == "", hooks.log()
    assert_in_opsview(sim.control("state"), PROXMOX_VM)
    who = f"proxmox {VMID} ({PROXMOX_VM})"
    assert f"{who}: started: running lighthouse.monitoring.vm_lifecycle (opsview)" in hooks.log()
    assert f"{who}: started: done" in hooks.log()

    stopped = hooks.run(PROXMOX, VMID, "post-stop")
    assert stopped.returncode == 0, hooks.log()
    assert opsview_downtimes(sim.control("state"), PROXMOX_VM) == {f"Host '{PROXMOX_VM}': {MAINTENANCE}"}

    again = hooks.run(PROXMOX, VMID, "post-start")
    assert again.returncode == 0, hooks.log()
    state = sim.control("state")
    assert opsview_downtimes(state, PROXMOX_VM) == set()
    assert_in_opsview(state, PROXMOX_VM)  # nothing changed, nothing reloaded

    deleted = hooks.run(PROXMOX, VMID, "deleted")  # by hand, before `qm destroy`
    assert deleted.returncode == 0, hooks.log()
    state = sim.control("state")
    assert opsview_host(state, PROXMOX_VM) is None and PROXMOX_VM not in state["monitored"]
    assert [r["succeeded"] for r in state["reloads"]] == [True, True]
    assert f"proxmox {VMID} ({PROXMOX_VM}): deleted: done" in hooks.log()
    hooks.assert_no_leak()


# --- openITCOCKPIT: LIGHTHOUSE_BACKEND=openitcockpit, the connection from OITC_* -----------------------------------
# The simulator has the host template "Linux server" and the satellite branch-satellite (harness.OPENITCOCKPIT).

OITC_CONTAINER = "/root/Hypervisors/pve1"


@pytest.fixture
def oitc_hooks(tmp_path, openitcockpit_simulator):
    openitcockpit_simulator.control("reset", method="POST")
    group = {"Hostgroup": {"container": {"name": "vms", "parent_id": 1}}}
    oitc_api(openitcockpit_simulator, "/hostgroups/add.json", group)
    openitcockpit_simulator.control("request_counts", method="DELETE")  # the hooks' requests only
    yield Hooks(
        tmp_path,
        openitcockpit_simulator,
        LIGHTHOUSE_BACKEND="openitcockpit",
        OITC_TIMEOUT="10",
        LIGHTHOUSE_CONTAINER=OITC_CONTAINER,
        LIGHTHOUSE_HOST_TEMPLATE="Linux server",
        LIGHTHOUSE_HOST_GROUPS="vms",
        LIGHTHOUSE_SATELLITE="branch-satellite",
    )


def oitc_host(simulator, name):
    """The host as the list of monitored hosts shows it, with its container's path; {} for a host that is not
    monitored, None for none."""
    found = oitc_api(simulator, f"/hosts/loadHostsByString.json?angular=true&filter[Hosts.name]={quote(name)}")
    if name not in [h["value"] for h in found["hosts"]]:
        return None
    listed = oitc_api(simulator, f"/hosts/index.json?angular=true&filter[Hosts.name]={quote(name)}")["all_hosts"]
    monitored = [h["Host"] for h in listed if h["Host"]["hostname"] == name]
    if not monitored:
        return {}
    containers = oitc_api(simulator, "/containers/loadContainersForAngular.json?angular=true")["containers"]
    return {**monitored[0], "container": {c["key"]: c["value"] for c in containers}[monitored[0]["containerId"]]}


def oitc_downtimes(simulator, name):
    """The comments of the downtimes (not cancelled) of the host and of its services."""
    query = "angular=true&scroll=false&limit=1000&filter[{}.was_cancelled]=0"
    hosts = oitc_api(simulator, "/downtimes/host.json?" + query.format("DowntimeHosts"))["all_host_downtimes"]
    services = oitc_api(simulator, "/downtimes/service.json?" + query.format("DowntimeServices"))
    listed = [d["DowntimeHost"] for d in hosts if d["Host"]["hostname"] == name]
    listed += [d["DowntimeService"] for d in services["all_service_downtimes"] if d["Host"]["hostname"] == name]
    return {d["commentData"] for d in listed}, len(listed)


def oitc_exports(simulator):
    """How many exports ("Refresh monitoring configuration") succeeded, from the changelog."""
    changes = oitc_api(simulator, "/changelogs/index.json?angular=true&limit=1000")["all_changes"]
    return sum(c["name"] == "Refresh of monitoring configuration finished successfully" for c in changes)


def assert_in_openitcockpit(simulator, name, exports=1):
    host = oitc_host(simulator, name)
    assert host["address"] == ADDRESS and host["container"] == OITC_CONTAINER
    assert host["satelliteName"] == "branch-satellite"
    assert oitc_exports(simulator) == exports


def test_proxmox_hookscript_with_openitcockpit(oitc_hooks, openitcockpit_simulator):
    hooks, sim = oitc_hooks, openitcockpit_simulator
    started = hooks.run(PROXMOX, VMID, "post-start")
    assert started.returncode == 0 and started.stdout == "", hooks.log()
    assert_in_openitcockpit(sim, PROXMOX_VM)
    who = f"proxmox {VMID} ({PROXMOX_VM})"
    assert f"{who}: started: running lighthouse.monitoring.vm_lifecycle (openitcockpit)" in hooks.log()
    assert f"{who}: started: done" in hooks.log()

    stopped = hooks.run(PROXMOX, VMID, "post-stop")
    assert stopped.returncode == 0, hooks.log()
    comments, count = oitc_downtimes(sim, PROXMOX_VM)
    assert comments == {MAINTENANCE} and count > 1  # the host's and its services'

    again = hooks.run(PROXMOX, VMID, "post-start")
    assert again.returncode == 0, hooks.log()
    assert oitc_downtimes(sim, PROXMOX_VM) == (set(), 0)
    assert_in_openitcockpit(sim, PROXMOX_VM)  # nothing changed, nothing exported

    deleted = hooks.run(PROXMOX, VMID, "deleted")  # by hand, before `qm destroy`
    assert deleted.returncode == 0, hooks.log()
    assert oitc_host(sim, PROXMOX_VM) is None and oitc_exports(sim) == 2
    assert f"proxmox {VMID} ({PROXMOX_VM}): deleted: done" in hooks.log()
    hooks.assert_no_leak()


# --- Sensu classic: LIGHTHOUSE_BACKEND=sensu, the connection from SENSU_* ------------------------------------------
# The simulator starts without checks: the fixture gives it a configuration directory with check_ping.

SENSU_CHECKS = {"checks": {"check_ping": {"command": "check-ping.rb", "subscribers": ["linux"], "interval": 60}}}


@pytest.fixture
def sensu_hooks(tmp_path, sensu_simulator):
    sensu_simulator.control("reset", method="POST")
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    (conf_d / "checks.json").write_text(json.dumps(SENSU_CHECKS))
    assert sensu_simulator.control("reload", method="POST", body={"conf_dir": str(conf_d)})["checks"] == ["check_ping"]
    sensu_simulator.control("request_counts", method="DELETE")  # the hooks' requests only
    yield Hooks(
        tmp_path,
        sensu_simulator,
        LIGHTHOUSE_BACKEND="sensu",
        SENSU_TIMEOUT="10",
        LIGHTHOUSE_SUBSCRIPTIONS="linux, vms",
        LIGHTHOUSE_REQUEST_CHECKS="check_ping",
    )


def sensu_client(state, name):
    found = [c for c in state["clients"] if c["name"] == name]
    return found[0] if found else None


def sensu_silences(state, name):
    """The reasons of the silences of the client's own subscription, by id."""
    return {s["id"]: s["reason"] for s in state["silenced"] if s["subscription"] == f"client:{name}"}


def sensu_requested(state, name):
    """The checks requested of the client alone, in order."""
    return [r["check"] for r in state["check_requests"] if r["subscribers"] == [f"client:{name}"]]


def assert_in_sensu(state, name, requests=1):
    client = sensu_client(state, name)
    assert client["address"] == ADDRESS and client["subscriptions"] == ["linux", "vms", f"client:{name}"]
    assert sensu_requested(state, name) == ["check_ping"] * requests


def test_proxmox_hookscript_with_sensu(sensu_hooks, sensu_simulator):
    hooks, sim = sensu_hooks, sensu_simulator
    started = hooks.run(PROXMOX, VMID, "post-start")
    assert started.returncode == 0 and started.stdout == "", hooks.log()
    assert_in_sensu(sim.control("state"), PROXMOX_VM)
    who = f"proxmox {VMID} ({PROXMOX_VM})"
    assert f"{who}: started: running lighthouse.monitoring.vm_lifecycle (sensu)" in hooks.log()
    assert f"{who}: started: done" in hooks.log()

    stopped = hooks.run(PROXMOX, VMID, "post-stop")
    assert stopped.returncode == 0, hooks.log()
    assert sensu_silences(sim.control("state"), PROXMOX_VM) == {f"client:{PROXMOX_VM}:*": MAINTENANCE}

    again = hooks.run(PROXMOX, VMID, "post-start")
    assert again.returncode == 0, hooks.log()
    state = sim.control("state")
    assert sensu_silences(state, PROXMOX_VM) == {}
    assert_in_sensu(state, PROXMOX_VM)  # the client as it was: no check requested again

    deleted = hooks.run(PROXMOX, VMID, "deleted")  # by hand, before `qm destroy`
    assert deleted.returncode == 0, hooks.log()
    state = sim.control("state")
    assert sensu_client(state, PROXMOX_VM) is None and state["silenced"] == [] and state["pending"] == []
    assert f"proxmox {VMID} ({PROXMOX_VM}): deleted: done" in hooks.log()
    hooks.assert_no_leak()


def test_the_sensu_password_is_masked_in_the_log(sensu_hooks, sensu_simulator):
    """A log line that would hold the password shows ******** instead (here: a guest named like it)."""
    password = sensu_hooks.secret
    done = sensu_hooks.run(LIBVIRT, password, "rebooted")
    assert done.returncode == 0 and done.stdout == ""
    assert "libvirt ********: unknown event 'rebooted'" in sensu_hooks.log(), sensu_hooks.log()
    assert sensu_simulator.control("request_counts") == {}
    sensu_hooks.assert_no_leak()


# --- Every other backend down: the hooks fixture, the simulator fixture, the URL and timeout variables -------------
DOWN = {
    "opsview": ("opsview_hooks", "opsview_simulator", "OPSVIEW_URL", "OPSVIEW_TIMEOUT"),
    "openitcockpit": ("oitc_hooks", "openitcockpit_simulator", "OITC_URL", "OITC_TIMEOUT"),
    "sensu": ("sensu_hooks", "sensu_simulator", "SENSU_API_URL", "SENSU_TIMEOUT"),
}


@pytest.mark.parametrize("backend", sorted(DOWN))
def test_a_backend_down_is_logged_and_the_hook_still_exits_0(backend, request):
    hooks_fixture, simulator_fixture, url, timeout = DOWN[backend]
    hooks, sim = request.getfixturevalue(hooks_fixture), request.getfixturevalue(simulator_fixture)
    closed = closed_url()
    hooks.settings(**{url: closed, timeout: "2"})
    done = hooks.run(PROXMOX, VMID, "post-start")
    assert done.returncode == 0 and done.stdout == ""
    log = hooks.log()
    assert f"proxmox {VMID} ({PROXMOX_VM}): started: the playbook failed" in log
    assert f"cannot connect to {closed}" in log
    assert sim.control("state")["requests"] == []
    hooks.assert_no_leak()


# --- Every other backend, detached: the hooks fixture, the simulator fixture, what a registered VM looks like -----
BACKGROUND = {
    "opsview": ("opsview_hooks", "opsview_simulator", lambda sim, name: assert_in_opsview(sim.control("state"), name)),
    "openitcockpit": ("oitc_hooks", "openitcockpit_simulator", assert_in_openitcockpit),
    "sensu": ("sensu_hooks", "sensu_simulator", lambda sim, name: assert_in_sensu(sim.control("state"), name)),
}


@pytest.mark.parametrize("backend", sorted(BACKGROUND))
def test_libvirt_hook_in_background_gets_the_backends_connection(backend, request):
    """Detached runs get the backend's connection variables too (the other events are the Proxmox tests')."""
    hooks_fixture, simulator_fixture, registered = BACKGROUND[backend]
    hooks, sim = request.getfixturevalue(hooks_fixture), request.getfixturevalue(simulator_fixture)
    hooks.settings(LIGHTHOUSE_BACKGROUND="1")
    begin = time.monotonic()
    done = hooks.run(LIBVIRT, LIBVIRT_VM, "started", "begin", "-", xml=domain_xml(LIBVIRT_VM))
    assert done.returncode == 0 and done.stdout == "" and time.monotonic() - begin < 1
    wait_for(lambda: run_ended(hooks, f"libvirt {LIBVIRT_VM}", "started"), 120)
    assert f"libvirt {LIBVIRT_VM}: started: done" in hooks.log(), hooks.log()
    registered(sim, LIBVIRT_VM)
    hooks.assert_no_leak()
