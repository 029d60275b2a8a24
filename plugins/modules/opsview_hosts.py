#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: opsview_hosts
short_description: Manage many Opsview hosts in one task, with a few requests
version_added: 0.2.0
description:
  - Creates, updates or removes many Opsview hosts at once. The hosts are read with one listing and written in one
    transaction per O(batch_size) hosts (Opsview writes such a list whole or not at all); removed hosts go many
    per request.
  - Each host is compared and written as M(lighthouse.monitoring.opsview_host) does for one, with the same merge
    and purge rules; unchanged hosts are not written.
  - A run with nothing to change reads only the list of hosts (and logs in); the host groups are read only when
    something is to be written.
  - The change takes effect when Opsview reloads, see M(lighthouse.monitoring.opsview_reload).
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.opsview
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_opsview
attributes:
  check_mode:
    support: full
    details: Reads the hosts and reports what would change; sends only GET requests.
  diff_mode:
    support: full
    details: The diff has the hosts that change, by name, before and after.
  idempotent:
    support: full
options:
  hosts:
    description:
      - The hosts, each with the options of M(lighthouse.monitoring.opsview_host). Each name may appear once.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The host's name.
        type: str
        required: true
      ip:
        description: Its address, an IP address or a DNS name. Required for a new host.
        type: str
      alias:
        description: A description.
        type: str
      hostgroup:
        description: The path of its leaf host group, for example V(Opsview/Linux/Web). Required for a new host.
        type: str
      monitored_by:
        description: The monitoring cluster that monitors it.
        type: str
      templates:
        description: Host templates.
        type: list
        elements: str
      keywords:
        description: Keywords (hashtags).
        type: list
        elements: str
      parents:
        description: Parent hosts.
        type: list
        elements: str
      variables:
        description: Host variables, as for M(lighthouse.monitoring.opsview_host).
        type: dict
  state:
    description:
      - V(present) creates and updates the hosts, V(absent) removes those that exist.
    type: str
    choices: [present, absent]
    default: present
  purge_templates:
    description: Remove each host's templates that it does not declare (for hosts that declare O(hosts[].templates)).
    type: bool
    default: false
  purge_keywords:
    description: Remove each host's keywords that it does not declare.
    type: bool
    default: false
  purge_parents:
    description: Remove each host's parents that it does not declare.
    type: bool
    default: false
  purge_variables:
    description: Remove each host's variables that it does not declare.
    type: bool
    default: false
  batch_size:
    description:
      - How many hosts one transaction writes. A batch that Opsview refuses is written not at all, and the task
        fails naming the host that was refused; earlier batches stay written.
    type: int
    default: 1000
seealso:
  - module: lighthouse.monitoring.opsview_host
"""

EXAMPLES = r"""
- name: The web farm, in one transaction
  lighthouse.monitoring.opsview_hosts:
    hosts:
      - name: web01
        ip: 192.0.2.11
        hostgroup: Opsview/Linux/Web
        templates: [OS - Unix Base]
      - name: web02
        ip: 192.0.2.12
        hostgroup: Opsview/Linux/Web
        templates: [OS - Unix Base]
  delegate_to: localhost
  notify: opsview reload

- name: Remove hosts
  lighthouse.monitoring.opsview_hosts:
    hosts:
      - name: web01
      - name: web02
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
hosts:
  description: The names of the hosts, by what happened to them (or would, in check mode).
  returned: always
  type: dict
  contains:
    created:
      description: Hosts created.
      type: list
      elements: str
    updated:
      description: Hosts updated.
      type: list
      elements: str
    removed:
      description: Hosts removed.
      type: list
      elements: str
    unchanged:
      description: Hosts left as they were.
      type: list
      elements: str
  sample: {"created": ["web03"], "updated": ["web01"], "removed": [], "unchanged": ["web02"]}
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(opsview).
    - One entry of C(type) V(host) per declared host, in the order of O(hosts).
  returned: always
  type: list
  elements: dict
  sample:
    - backend: opsview
      type: host
      name: web03
      action: add
      changes:
        name: {before: null, after: web03}
        ip: {before: null, after: 192.0.2.13}
        hostgroup: {before: null, after: Opsview/Linux/Web}
    - {backend: opsview, type: host, name: web02, action: none, changes: {}}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hosts import BulkHosts, Inventory


def main() -> None:
    host = dict(
        name=dict(type="str", required=True),
        ip=dict(type="str"),
        alias=dict(type="str"),
        hostgroup=dict(type="str"),
        monitored_by=dict(type="str"),
        templates=dict(type="list", elements="str"),
        keywords=dict(type="list", elements="str", no_log=False),
        parents=dict(type="list", elements="str"),
        variables=dict(type="dict"),
    )
    module = new_module(
        dict(
            connection_spec(),
            hosts=dict(type="list", elements="dict", required=True, options=host),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge_templates=dict(type="bool", default=False),
            purge_keywords=dict(type="bool", default=False),
            purge_parents=dict(type="bool", default=False),
            purge_variables=dict(type="bool", default=False),
            batch_size=dict(type="int", default=1000),
        )
    )
    p = module.params
    with api_errors(module):
        inventory = Inventory.from_params(p)
        outcome = BulkHosts(OpsviewClient.from_params(p), inventory).apply(check_mode=module.check_mode)
    module.exit_json(**outcome.result(None, diff=module._diff))


if __name__ == "__main__":
    main()
