"""The handler role: a play that registers folders and hosts and discovers services notifies
`checkmk activate changes`; exactly one activation runs per play, and a second run activates nothing."""

from __future__ import annotations

import json
import urllib.request

from ansible_collections.lighthouse.monitoring.tests.integration.harness import run_playbook

PLAY = """\
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - lighthouse.monitoring.checkmk_changes
  module_defaults:
    group/lighthouse.monitoring.checkmk:
      server_url: "{{ lookup('ansible.builtin.env', 'CHECKMK_SERVER_URL') }}"
      site: "{{ lookup('ansible.builtin.env', 'CHECKMK_SITE') }}"
      api_user: "{{ lookup('ansible.builtin.env', 'CHECKMK_API_USER') }}"
      api_secret: "{{ lookup('ansible.builtin.env', 'CHECKMK_API_SECRET') }}"
  tasks:
    - name: Declare the folder
      lighthouse.monitoring.checkmk_folder:
        path: /shop
      notify: checkmk activate changes

    - name: Declare the hosts
      lighthouse.monitoring.checkmk_host:
        name: "{{ item }}"
        folder: /shop
      loop: [web01, web02]
      notify: checkmk activate changes

    - name: Discover their services
      lighthouse.monitoring.checkmk_discovery:
        host_names: [web01, web02]
        mode: fix_all
      notify: checkmk activate changes
"""

SERVICES = {"services": [{"check_plugin_name": "cpu_loads", "service_item": None, "service_name": "CPU load"}]}


def put(url: str, body: dict) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - loopback only


def test_one_activation_per_play_and_none_when_nothing_changed(simulator, tmp_path):
    simulator.control("reset", method="POST")
    for host in ("web01", "web02"):
        put(f"{simulator.url}/_simulator/discoverable/{host}", SERVICES)
    play = tmp_path / "play.yml"
    play.write_text(PLAY)

    first = run_playbook(play, simulator.env)
    assert first.rc == 0, first.output[-5000:]
    assert "RUNNING HANDLER [lighthouse.monitoring.checkmk_changes : Activate pending Checkmk changes]" in first.output
    state = simulator.control("state")
    assert len(state["activations"]) == 1
    assert state["pending_changes"] == []
    assert sorted(state["activated_hosts"]) == ["web01", "web02"]

    second = run_playbook(play, simulator.env)
    assert second.rc == 0, second.output[-5000:]
    assert "RUNNING HANDLER" not in second.output
    assert "changed=0" in second.output
    assert len(simulator.control("state")["activations"]) == 1
