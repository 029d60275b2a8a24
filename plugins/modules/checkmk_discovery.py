#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_discovery
short_description: Discover the services of Checkmk hosts
version_added: 0.1.0
description:
  - Runs Checkmk's service discovery for one host, or for many hosts at once through the bulk discovery endpoint,
    and waits until it has finished.
  - The task is C(changed) when a host's monitored services or host labels differ afterwards, which the module
    finds by reading the services before and after; a discovery that finds nothing new changes nothing.
  - When a discovery of the host, or another bulk discovery, is running, the task waits for it; so it does when the
    answer to its start was lost (a dropped connection, a 502 from a proxy). Then it checks first; when the hosts'
    services show nothing left for the mode, that discovery did the work and none is started; otherwise it starts
    its own (V(refresh) and V(tabula_rasa), whose work cannot be seen, always start again). At most three starts.
  - Changes are recorded by Checkmk as pending changes; notify the C(checkmk activate changes) handler of the role
    C(lighthouse.monitoring.checkmk_changes) to activate them.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
    details: >-
      Predicts the result from the discovery preview (undecided and vanished services); sends only GET requests. A host
      that does not exist yet (an earlier task of the same check-mode run would create it) counts as changed, its
      services unknown: its plan entry is V(add) with the mode.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  host_name:
    description:
      - The host whose services to discover.
      - Exactly one of O(host_name) and O(host_names) is required.
    type: str
  host_names:
    description:
      - Hosts whose services to discover together, through the bulk discovery endpoint.
    type: list
    elements: str
  mode:
    description:
      - V(new) and V(monitor_undecided_services) monitor the undecided services (and, V(new), add new host labels).
      - V(remove) removes the vanished services.
      - V(fix_all) does both and updates host labels; V(tabula_rasa) removes all services and finds them again.
      - V(refresh) scans the hosts again without changing what is monitored (for a single host).
      - V(only_host_labels) and V(only_service_labels) update labels only.
    type: str
    choices: [fix_all, monitor_undecided_services, new, only_host_labels, only_service_labels, refresh, remove,
              tabula_rasa]
    default: new
  timeout:
    description:
      - Seconds the task may wait for the discovery to finish; also the limit for each request.
      - If not set, the environment variable E(CHECKMK_TIMEOUT) is used.
    type: float
    default: 300
seealso:
  - module: lighthouse.monitoring.checkmk_host
  - module: lighthouse.monitoring.checkmk_activation
"""

EXAMPLES = r"""
- name: Monitor the services found on a new host
  lighthouse.monitoring.checkmk_discovery:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
    host_name: web01.example.com
  delegate_to: localhost
  notify: checkmk activate changes

- name: Accept all changes of the services of a whole cluster, in one bulk discovery
  lighthouse.monitoring.checkmk_discovery:
    host_names:
      - node01.example.com
      - node02.example.com
      - node03.example.com
    mode: fix_all
  delegate_to: localhost
  notify: checkmk activate changes
"""

RETURN = r"""
services:
  description: The monitored services of each host after the task (in check mode, as they would be).
  returned: always
  type: dict
  sample: {"web01.example.com": ["CPU load", "Memory", "Filesystem /"]}
discovery:
  description: Per host, the services that were added and removed, and whether the host labels changed.
  returned: always
  type: dict
  sample: {"web01.example.com": {"added": ["Filesystem /"], "removed": [], "host_labels_changed": false}}
pending_changes:
  description: The pending changes that this task recorded in Checkmk, to be activated. Empty in check mode.
  returned: always
  type: list
  elements: dict
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(services), one per host (named by the host), with each service added (V(null) to V(monitored)) or
      removed (the reverse) by its description, and C(host_labels) when they are updated.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: services
      name: web01.example.com
      action: change
      changes:
        Filesystem /:
          before: null
          after: monitored
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec, env
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.discovery import MODES, discover
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            host_name=dict(type="str"),
            host_names=dict(type="list", elements="str"),
            mode=dict(type="str", choices=MODES, default="new"),
            timeout=dict(type="float", default=300, fallback=env("CHECKMK_TIMEOUT")),
        ),
        mutually_exclusive=[("host_name", "host_names")],
        required_one_of=[("host_name", "host_names")],
    )
    p = module.params
    with api_errors(module):
        client = CheckmkClient.from_params(p)
        hosts = [p["host_name"]] if p["host_name"] else list(dict.fromkeys(p["host_names"]))  # each host once
        bulk = p["host_names"] is not None
        outcome = discover(client, hosts, p["mode"], bulk=bulk, check_mode=module.check_mode, timeout=p["timeout"])
        extra = dict(pending_changes=client.recorded_changes())
    module.exit_json(**outcome.result("services", diff=module._diff), **extra)


if __name__ == "__main__":
    main()
