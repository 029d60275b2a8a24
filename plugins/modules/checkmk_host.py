#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_host
short_description: Manage hosts in Checkmk
version_added: 0.1.0
description:
  - Create, update, move or delete a host in Checkmk's setup through the REST API.
  - The module reads the host, compares it with the task and changes only what differs. Every change is recorded
    by Checkmk as a pending change; activate them with M(lighthouse.monitoring.checkmk_activation) or the
    C(checkmk activate changes) handler.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - The host name.
      - Letters, digits, V(-), V(_) and V(.), starting with a letter, digit or V(_).
    type: str
    required: true
  folder:
    description:
      - The folder of the host, for example V(/linux/web) (V(~linux~web) and V(linux/web) are accepted too).
      - A host in another folder is moved there. Missing folders are created, like C(mkdir -p).
      - If not set, a new host is created in the root folder V(/) and an existing host stays where it is.
    type: str
  attributes:
    description:
      - Host attributes, for example C(ipaddress), C(alias), C(site), C(tag_agent), C(labels) or C(parents).
      - By default only the attributes listed are managed, others are left alone, and C(labels) are merged with the
        host's labels. See O(purge_attributes).
      - The attribute C(site) sets the site that monitors the host in distributed monitoring.
    type: dict
    default: {}
  purge_attributes:
    description:
      - Make O(attributes) the host's complete set of attributes, removing the attributes (and labels) not listed.
      - Attributes inherited from folders are not affected.
      - The nodes of a cluster host are kept, also on Checkmk 2.3 and 2.4, where replacing a cluster's attributes
        would drop them (the module merges and removes attributes there instead, in two requests).
    type: bool
    default: false
  nodes:
    description:
      - Make the host a cluster host of these nodes, for example the hosts of a database cluster; Checkmk shows the
        services that the nodes share on the cluster host.
      - A new host is created as a cluster host. An existing cluster host gets exactly these nodes, in this order.
      - Each node must be a host that exists and is not a cluster host itself; no node may be named twice or be the
        cluster host itself. Unknown nodes and cluster hosts among the nodes fail the task, in check mode too, before
        anything is written (the nodes are read when they are to change).
      - If not set, a new host is a plain host and the nodes of an existing cluster host are left as they are. An
        existing host that is not a cluster host cannot become one (Checkmk has no such operation); remove it first.
      - An empty list is an error.
    type: list
    elements: str
    version_added: 0.1.0
  state:
    description:
      - Whether the host should exist.
    type: str
    choices: [present, absent]
    default: present
  renamed_from:
    description:
      - Earlier names of the host. When no host is called O(name) but one of these exists, the module renames it to
        O(name) (Checkmk's rename, which also renames the host in the monitoring history and follows it with its
        services and downtimes once activated), then applies the rest of the task. Check mode predicts the rename.
      - If O(name) and an earlier name both exist, the task fails and names both.
      - Checkmk renames only when no change is pending on any site; see O(activate_before_rename).
      - Used with O(state=present) only.
    type: list
    elements: str
    default: []
  activate_before_rename:
    description:
      - When a rename is due and changes are pending, activate them first (as
        M(lighthouse.monitoring.checkmk_activation) does, so only the automation user's own changes; other users'
        changes make the task fail, naming them). When V(false), pending changes make the task fail with a message
        that says so.
      - The rename itself is recorded as a pending change; activate it afterwards (the C(checkmk activate changes)
        handler).
    type: bool
    default: false
seealso:
  - module: lighthouse.monitoring.checkmk_folder
"""

EXAMPLES = r"""
- name: Register a web server
  lighthouse.monitoring.checkmk_host:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
    name: web01.example.com
    folder: /linux/web
    attributes:
      ipaddress: 192.0.2.10
      alias: Web server 1
      tag_criticality: prod
      labels:
        role: web
  delegate_to: localhost

- name: Set the connection once, for every checkmk_* task in the block
  module_defaults:
    group/lighthouse.monitoring.checkmk:
      server_url: https://monitoring.example.com
      site: central
      api_user: automation
      api_secret: "{{ vault_checkmk_secret }}"
  delegate_to: localhost
  block:
    - name: Let a remote site monitor the host
      lighthouse.monitoring.checkmk_host:
        name: web01.example.com
        attributes:
          site: remote1
          labels:
            env: production

    - name: Move the host to another folder
      lighthouse.monitoring.checkmk_host:
        name: web01.example.com
        folder: /linux/frontends

    - name: Group two database servers into a cluster host
      lighthouse.monitoring.checkmk_host:
        name: db.example.com
        folder: /linux/db
        attributes:
          ipaddress: 192.0.2.20
        nodes:
          - db01.example.com
          - db02.example.com

    - name: Make the listed attributes the host's only attributes
      lighthouse.monitoring.checkmk_host:
        name: web01.example.com
        folder: /linux/web
        attributes:
          ipaddress: 192.0.2.11
        purge_attributes: true

    - name: Rename the host (nothing happens once it has the new name)
      lighthouse.monitoring.checkmk_host:
        name: www01.example.com
        renamed_from: [web01.example.com]
        activate_before_rename: true

    - name: Remove the host
      lighthouse.monitoring.checkmk_host:
        name: www01.example.com
        state: absent
"""

RETURN = r"""
host:
  description: The host after the task (in check mode, as it would be); V(null) when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: The host name.
      type: str
      sample: web01.example.com
    folder:
      description: The host's folder.
      type: str
      sample: /linux/web
    attributes:
      description: The host's own attributes, without server-managed meta data.
      type: dict
      sample: {"ipaddress": "192.0.2.10", "labels": {"role": "web"}}
    nodes:
      description: The nodes of a cluster host.
      returned: when the host is a cluster host
      type: list
      elements: str
      sample: ["db01.example.com", "db02.example.com"]
      version_added: 0.1.0
renamed_from:
  description: The earlier name of a host that the task renamed (in check mode, would rename).
  returned: when the host was renamed
  type: str
  sample: web01.example.com
created_folders:
  description: Folders that were created (in check mode, would be) because the host's folder was missing.
  returned: always
  type: list
  elements: str
  sample: ["/linux", "/linux/web"]
pending_changes:
  description:
    - The pending changes that this task recorded in Checkmk, to be activated. Empty in check mode.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "5e7b...", "action_name": "create-host", "text": "Created new host web01.example.com.",
            "user_id": "automation", "time": "2026-11-22T10:00:00+00:00"}]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(host), and before it one V(folder) entry (action V(add)) for each folder the task creates; a
      renamed host is a V(change) of C(name).
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: host
      name: web01.example.com
      action: change
      changes:
        attributes.alias:
          before: Web
          after: Web server
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import with_folders
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.host import desired_host
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.rename import renamed_host, with_rename
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            name=dict(type="str", required=True),
            folder=dict(type="str"),
            attributes=dict(type="dict", default={}),
            purge_attributes=dict(type="bool", default=False),
            nodes=dict(type="list", elements="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            renamed_from=dict(type="list", elements="str", default=[]),
            activate_before_rename=dict(type="bool", default=False),
        )
    )
    p = module.params
    with api_errors(module):
        client = CheckmkClient.from_params(p)
        desired = desired_host(p)
        folder, nodes = (p["folder"], desired.get("nodes")) if p["state"] == "present" else (None, None)
        resource, earlier = renamed_host(
            client, p, check_mode=module.check_mode, folder=folder, purge=p["purge_attributes"], nodes=nodes
        )
        outcome = with_rename(sync(resource, p["state"], desired, check_mode=module.check_mode), earlier)
        outcome = with_folders(outcome, subject("host", resource.name), resource.created_folders)
        extra = dict(created_folders=resource.created_folders, pending_changes=client.recorded_changes())
    module.exit_json(**outcome.result("host", diff=module._diff), **extra)


if __name__ == "__main__":
    main()
