#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: openitcockpit_container
short_description: Manage an openITCOCKPIT container (tenant, location or node) by its path, like mkdir -p
version_added: 0.2.0
description:
  - Creates or removes a container of openITCOCKPIT's tree, the analogue of a folder, found by its path as
    openITCOCKPIT shows it, for example V(/root/ACME/Berlin) (the V(/root) in front may be left out).
  - A container directly below root is a tenant; deeper ones are nodes, or a location with O(type=location).
    Missing parents are created too, as nodes (a missing top one as a tenant).
  - openITCOCKPIT allows several containers with the same name, even side by side; a path that several containers
    share is refused.
  - openITCOCKPIT removes only empty containers (no hosts, templates, host groups or containers in them); the task
    fails with its message otherwise.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.openitcockpit
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_openitcockpit
attributes:
  check_mode:
    support: full
    details: Reads the containers and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  path:
    description:
      - The container's path from root, names separated by C(/), for example V(/root/ACME/Berlin) or V(ACME/Berlin).
    type: str
    required: true
  type:
    description:
      - What a container below a tenant is created as. A container's type cannot change once it exists.
    type: str
    choices: [node, location]
    default: node
  state:
    description:
      - V(present) creates the container (and its missing parents); V(absent) removes it when it is empty.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The API key's user needs write rights on the parent container.
seealso:
  - module: lighthouse.monitoring.openitcockpit_host
"""

EXAMPLES = r"""
- name: A tenant with a node for the web servers
  lighthouse.monitoring.openitcockpit_container:
    server_url: https://oitc.example.com
    api_key: "{{ vault_oitc_api_key }}"
    path: /root/ACME/Web
  delegate_to: localhost

- name: A location below the tenant
  lighthouse.monitoring.openitcockpit_container:
    path: ACME/Berlin
    type: location
  delegate_to: localhost

- name: Remove an empty node
  lighthouse.monitoring.openitcockpit_container:
    path: /root/ACME/Old
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
container:
  description: The container at the path after the task (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample: {"path": "/root/ACME/Web", "name": "Web", "id": 12, "type": "node"}
created:
  description: The paths of the containers created (or that check mode would create), from the top down.
  returned: always
  type: list
  elements: str
  sample: ["/root/ACME", "/root/ACME/Web"]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(openitcockpit).
    - C(type) is V(container), named by the container's full path (V(/root/ACME/Web)). When the container is created,
      one V(container) entry of action V(add) comes first for each missing parent the task creates (from the top
      down), then the container's own; an V(add) has the declared C(path), C(name) and C(type) (V(tenant),
      V(location) or V(node)) as its changes. A container that exists is V(none); a removed one V(remove), with no
      changes.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: openitcockpit
      type: container
      name: /root/ACME
      action: add
      changes:
        path: {before: null, after: /root/ACME}
        name: {before: null, after: ACME}
        type: {before: null, after: tenant}
    - backend: openitcockpit
      type: container
      name: /root/ACME/Web
      action: add
      changes:
        path: {before: null, after: /root/ACME/Web}
        name: {before: null, after: Web}
        type: {before: null, after: node}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.container import Containers


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            path=dict(type="str", required=True),
            type=dict(type="str", choices=["node", "location"], default="node"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        containers = Containers(OitcClient.from_params(p), p["path"], kind=p["type"])
        outcome = containers.apply(p["state"], check_mode=module.check_mode)
    module.exit_json(**outcome.result("container", diff=module._diff))


if __name__ == "__main__":
    main()
