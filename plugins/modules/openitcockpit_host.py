#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: openitcockpit_host
short_description: Manage an openITCOCKPIT host - address, container, host template, host groups, satellite
version_added: 0.2.0
description:
  - Creates, updates or removes one openITCOCKPIT host, found by its exact name.
  - Only what the task declares is compared and written. O(host_groups) are merged by default (the declared ones
    are added, others stay); O(purge_host_groups) makes them exact.
  - openITCOCKPIT does not keep host names unique; a name that several hosts have is refused rather than guessed.
  - The host template, the host groups and the satellite must exist; the container may be created by an earlier
    task (M(lighthouse.monitoring.openitcockpit_container)).
  - A new or changed host is monitored once openITCOCKPIT has refreshed its monitoring configuration, see
    M(lighthouse.monitoring.openitcockpit_export) and the handler role C(lighthouse.monitoring.openitcockpit_changes).
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.openitcockpit
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_openitcockpit
attributes:
  check_mode:
    support: full
    details: Reads the host and what it refers to, and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - The host's name in openITCOCKPIT.
    type: str
    required: true
  address:
    description:
      - The address openITCOCKPIT checks, an IP address or a DNS name. Required to create a host.
    type: str
  description:
    description:
      - A description of the host.
    type: str
  container:
    description:
      - The path of the host's container, for example V(/root/ACME/Web) (the V(/root) may be left out). Required to
        create a host.
    type: str
  host_template:
    description:
      - The name of the host template. Required to create a host. Values the host does not set are inherited from it.
    type: str
  host_groups:
    description:
      - Names of host groups the host is in.
      - openITCOCKPIT shows a host without host groups of its own in those of its template.
    type: list
    elements: str
  purge_host_groups:
    description:
      - Remove the host from the host groups that are not in O(host_groups).
    type: bool
    default: false
  satellite:
    description:
      - The name of the satellite that monitors the host, or the master system's name (V(Mastersystem) unless
        renamed). Needs openITCOCKPIT's DistributeModule.
    type: str
  state:
    description:
      - V(present) creates or updates the host; V(absent) removes it (and its services).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lighthouse.monitoring.openitcockpit_container
  - module: lighthouse.monitoring.openitcockpit_export
"""

EXAMPLES = r"""
- name: A web server in openITCOCKPIT, monitoring refreshed once at the end of the play
  lighthouse.monitoring.openitcockpit_host:
    server_url: https://oitc.example.com
    api_key: "{{ vault_oitc_api_key }}"
    name: web01
    address: 192.0.2.10
    container: /root/ACME/Web
    host_template: default host
    host_groups:
      - webservers
  delegate_to: localhost
  notify: openitcockpit export

- name: Exactly these host groups, nothing else
  lighthouse.monitoring.openitcockpit_host:
    name: web01
    host_groups:
      - webservers
      - production
    purge_host_groups: true
  delegate_to: localhost

- name: A host monitored by a satellite
  lighthouse.monitoring.openitcockpit_host:
    name: branch-router
    address: 198.51.100.1
    container: /root/ACME/Branch
    host_template: default host
    satellite: branch-satellite
  delegate_to: localhost

- name: Remove a host
  lighthouse.monitoring.openitcockpit_host:
    name: web01
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
host:
  description: The host after the task (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample:
    name: web01
    id: 42
    uuid: c36b8048-93ce-4385-ac19-ab5c90574b77
    address: 192.0.2.10
    description: ""
    container: /root/ACME/Web
    host_template: default host
    host_groups: ["webservers"]
    satellite: Mastersystem
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(openitcockpit).
    - One entry, C(type) V(host) and C(name) the host's name. A new host (V(add)) has every declared value as its
      changes (C(name), C(address), C(description), C(container), C(host_template), C(host_groups), C(satellite));
      a V(change) has the values that differ (C(host_groups) as a whole list, with the host's other groups kept
      unless O(purge_host_groups)); V(remove) and V(none) have none.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: openitcockpit
      type: host
      name: web01
      action: change
      changes:
        address: {before: 192.0.2.10, after: 192.0.2.11}
        host_groups: {before: ["linux"], after: ["linux", "webservers"]}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.host import (
    HostResource,
    desired_host,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            name=dict(type="str", required=True),
            address=dict(type="str"),
            description=dict(type="str"),
            container=dict(type="str"),
            host_template=dict(type="str"),
            host_groups=dict(type="list", elements="str"),
            purge_host_groups=dict(type="bool", default=False),
            satellite=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        desired = desired_host(p)
        purge = frozenset({"host_groups"} if p["purge_host_groups"] else set())
        declared = desired if p["state"] == "present" else None
        resource = HostResource(OitcClient.from_params(p), desired["name"], purge=purge, declared=declared)
        outcome = sync(resource, p["state"], desired, check_mode=module.check_mode)
    module.exit_json(**outcome.result("host", diff=module._diff, subject=subject("host", desired["name"])))


if __name__ == "__main__":
    main()
