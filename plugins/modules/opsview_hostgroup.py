#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: opsview_hostgroup
short_description: Create and remove Opsview host groups by path, parents included
version_added: 0.2.0
description:
  - Makes sure a host group exists at a path such as C(Opsview/Linux/Web), creating the groups that are missing
    from the top down, like C(mkdir -p); or removes the last group of the path.
  - Opsview host group names are unique only among siblings, so a group is found by its whole path and written by
    its id. Hosts can only be in leaf groups, and a group that has hosts cannot get child groups; the module
    refuses such a path before sending anything.
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
    details: Lists the host groups and reports the groups that would be created or removed; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  path:
    description:
      - The group's path, its names from the top group down, separated by C(/), for example V(Opsview/Linux/Web).
        The first name is the top group (V(Opsview) unless it was renamed).
      - Names are letters, digits, spaces and C(. + - _), starting with a letter or digit.
    type: str
    required: true
  state:
    description:
      - V(present) creates the group and the missing groups above it; V(absent) removes the last group of the path,
        which must have neither child groups nor hosts (Opsview would move its children up).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Names that contain C(/) cannot be addressed by a path; rename them in Opsview first.
seealso:
  - module: lighthouse.monitoring.opsview_host
  - module: lighthouse.monitoring.opsview_reload
"""

EXAMPLES = r"""
- name: Host groups for the web servers, parents included
  lighthouse.monitoring.opsview_hostgroup:
    server_url: https://opsview.example.com
    username: automation
    password: "{{ vault_opsview_password }}"
    path: Opsview/Linux/Web
  delegate_to: localhost

- name: Remove an empty host group
  lighthouse.monitoring.opsview_hostgroup:
    path: Opsview/Linux/Old
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
hostgroup:
  description: The group at the path after the task (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample: {"path": "Opsview/Linux/Web", "name": "Web", "id": "12", "is_leaf": true, "hosts": 0}
created:
  description: The paths of the groups created (or that check mode would create), from the top down.
  returned: always
  type: list
  elements: str
  sample: ["Opsview/Linux", "Opsview/Linux/Web"]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(opsview).
    - C(type) is V(hostgroup) and C(name) the group's path; with O(state=present), one V(add) entry for each group
      created, the parents first (C(changes) has its C(path)), else one entry for the path's group.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: opsview
      type: hostgroup
      name: Opsview/Linux
      action: add
      changes:
        path: {before: null, after: Opsview/Linux}
    - backend: opsview
      type: hostgroup
      name: Opsview/Linux/Web
      action: add
      changes:
        path: {before: null, after: Opsview/Linux/Web}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import HostGroups


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            path=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        groups = HostGroups(OpsviewClient.from_params(p), p["path"])
        outcome = groups.apply(p["state"], check_mode=module.check_mode)
    module.exit_json(**outcome.result("hostgroup", diff=module._diff))


if __name__ == "__main__":
    main()
