#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_hosts
short_description: Manage many Checkmk hosts in one task, through the bulk endpoints
version_added: 0.1.0
description:
  - Declares a whole list of hosts at once. The module reads all hosts with one request, compares each declared
    host with it as M(lighthouse.monitoring.checkmk_host) does, and writes only the differences, with Checkmk's
    bulk-create, bulk-update and bulk-delete endpoints in batches of O(batch_size), and the move endpoint for hosts
    whose folder changed. Missing folders are created first.
  - A second run with nothing to change sends a single request.
  - When some hosts of a batch fail, Checkmk keeps the others; the task then fails, naming each failed host and the
    reason, and returns what was written. Running it again (after fixing the input) converges.
  - Every change is recorded by Checkmk as a pending change; notify the C(checkmk activate changes) handler of the
    role C(lighthouse.monitoring.checkmk_changes) to activate them.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
    details: Reads the hosts (and, when hosts would go to other folders, the folders) and reports what would change.
  diff_mode:
    support: full
    details: The diff shows the hosts that change, before and after.
  idempotent:
    support: full
options:
  hosts:
    description:
      - The hosts. Each name may appear once.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The host name.
        type: str
        required: true
      folder:
        description:
          - The folder, as a path (V(/linux/web)). A host that exists elsewhere is moved there.
          - If not given, a new host goes to the root folder and an existing one stays where it is.
        type: str
      attributes:
        description: Host attributes, as for M(lighthouse.monitoring.checkmk_host).
        type: dict
        default: {}
      nodes:
        description:
          - Make the host a cluster host of these nodes, as O(lighthouse.monitoring.checkmk_host#module:nodes) does.
          - A node may be a host that this task creates. New cluster hosts are created one by one after the plain
            hosts, and nodes are changed per cluster host (no bulk endpoint knows nodes).
          - Unknown nodes, cluster hosts among the nodes, and nodes for an existing host that is not a cluster host
            fail the task before anything is written. If not set, the nodes of an existing cluster host are left as
            they are. An empty list is an error.
        type: list
        elements: str
        version_added: 0.1.0
  state:
    description:
      - V(present) creates and updates the hosts, V(absent) removes those that exist.
    type: str
    choices: [present, absent]
    default: present
  purge_attributes:
    description:
      - Replace each host's attributes with the declared ones instead of merging them.
      - The nodes of cluster hosts are kept (on Checkmk 2.3 and 2.4 by merging and removing attributes instead).
    type: bool
    default: false
  exclusive_folder:
    description:
      - Remove the hosts in this folder (and, with O(recursive), below it) that O(hosts) does not declare.
        Nothing outside the folder is ever touched. Check mode and diff mode show exactly which hosts would go.
      - For the root folder V(/), O(recursive=false) must be given explicitly.
    type: str
  recursive:
    description:
      - With O(exclusive_folder), include the hosts of its subfolders.
    type: bool
  batch_size:
    description:
      - How many hosts go into one bulk request.
    type: int
    default: 500
notes:
  - For one host, M(lighthouse.monitoring.checkmk_host) returns the host object and is as fast.
seealso:
  - module: lighthouse.monitoring.checkmk_host
"""

EXAMPLES = r"""
- name: Register a whole cluster in one task
  lighthouse.monitoring.checkmk_hosts:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
    hosts:
      - name: node01.example.com
        folder: /clusters/k8s
        attributes:
          ipaddress: 192.0.2.31
      - name: node02.example.com
        folder: /clusters/k8s
        attributes:
          ipaddress: 192.0.2.32
  delegate_to: localhost
  notify: checkmk activate changes

- name: Two database servers and their cluster host, in one task
  lighthouse.monitoring.checkmk_hosts:
    hosts:
      - name: db01.example.com
        folder: /clusters/db
      - name: db02.example.com
        folder: /clusters/db
      - name: db.example.com
        folder: /clusters/db
        nodes: [db01.example.com, db02.example.com]
  delegate_to: localhost
  notify: checkmk activate changes

- name: The folder holds exactly the hypervisor's VMs, from the inventory
  lighthouse.monitoring.checkmk_hosts:
    hosts: "{{ groups['vms'] | map('community.general.dict_kv', 'name') | list }}"
    exclusive_folder: /vms
    recursive: false
  delegate_to: localhost
  notify: checkmk activate changes
"""

RETURN = r"""
hosts:
  description:
    - The hosts by outcome. C(failed) maps each host that failed to the reason; C(created_folders) lists the
      folders created for the hosts.
  returned: always
  type: dict
  sample:
    created: [node01.example.com]
    updated: []
    moved: []
    removed: [old01.example.com]
    unchanged: [node02.example.com]
    failed: {}
    created_folders: [/clusters, /clusters/k8s]
pending_changes:
  description: The pending changes that this task recorded in Checkmk, to be activated. Empty in check mode.
  returned: always
  type: list
  elements: dict
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(host), one per declared host and per host that O(exclusive_folder) removes, after one V(folder)
      entry (action V(add)) for each folder the task creates.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: host
      name: node01.example.com
      action: add
      changes:
        name:
          before: null
          after: node01.example.com
        folder:
          before: null
          after: /clusters/k8s
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.hosts import (
    BulkHosts,
    Inventory,
    failure_message,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            hosts=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    name=dict(type="str", required=True),
                    folder=dict(type="str"),
                    attributes=dict(type="dict", default={}),
                    nodes=dict(type="list", elements="str"),
                ),
            ),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge_attributes=dict(type="bool", default=False),
            exclusive_folder=dict(type="str"),
            recursive=dict(type="bool"),
            batch_size=dict(type="int", default=500),
        )
    )
    p = module.params
    with api_errors(module):
        client = CheckmkClient.from_params(p)
        bulk = BulkHosts(client, Inventory.from_params(p))
        outcome = bulk.apply(check_mode=module.check_mode)
        result = dict(outcome.result("hosts", diff=module._diff), pending_changes=client.recorded_changes())
    result["hosts"] = result.pop("results")  # the hosts by outcome, not the (large) map of changed hosts
    if bulk.failed:
        module.fail_json(msg=failure_message(bulk.failed, len(p["hosts"])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
