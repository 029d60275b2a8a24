#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_activation
short_description: Activate pending changes in Checkmk, exactly those that were read
version_added: 0.1.0
description:
  - Reads Checkmk's pending changes and activates them with the ETag that came with them (C(If-Match)), so the
    activation covers exactly the changes that were read, never changes that appeared in between.
  - Nothing pending means nothing to do; the task reports C(changed=false) and sends nothing.
  - If changes appear between reading and activating, the module reads them again and retries, a few times.
    If another activation is running, it waits for it first.
  - Usually called by the C(checkmk activate changes) handler of the role C(lighthouse.monitoring.checkmk_changes),
    which the tasks of the other C(checkmk_*) modules notify.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
    details: Reports the pending changes that would be activated.
  diff_mode:
    support: full
    details: The diff lists the pending changes before and the activation after.
  idempotent:
    support: full
options:
  sites:
    description:
      - The sites to activate. By default all sites that have pending changes.
    type: list
    elements: str
    default: []
  force_foreign_changes:
    description:
      - Also activate changes made by other users.
      - If V(false) and other users' changes are pending, the task fails and names whose changes they are.
    type: bool
    default: false
  wait:
    description:
      - Wait until the activation has finished.
    type: bool
    default: true
  timeout:
    description:
      - Seconds the task may take in all, waiting for a running activation and for its own; also the limit for
        each request.
      - If not set, the environment variable E(CHECKMK_TIMEOUT) is used.
    type: float
    default: 300
seealso:
  - module: lighthouse.monitoring.checkmk_host
  - module: lighthouse.monitoring.checkmk_folder
"""

EXAMPLES = r"""
- name: Activate the changes made so far
  lighthouse.monitoring.checkmk_activation:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
  delegate_to: localhost

- name: Activate on the central site only, including changes of other users
  lighthouse.monitoring.checkmk_activation:
    sites:
      - central
    force_foreign_changes: true
  delegate_to: localhost
"""

RETURN = r"""
activation:
  description:
    - The activation started by the task; V(null) when nothing was pending.
    - In check mode, the changes that would be activated, with V(null) as id.
  returned: always
  type: dict
  contains:
    id:
      description: The activation's id.
      type: str
      sample: 84b18e42-355e-4f13-80b6-404bd8f21149
    sites:
      description: The sites activated.
      type: list
      elements: str
      sample: [central, remote1]
    is_running:
      description: Whether the activation was still running when the task ended (only with O(wait=false)).
      type: bool
      sample: false
    time_started:
      description: When the activation started.
      type: str
      sample: "2026-11-22T10:00:00+00:00"
    changes:
      description: The changes activated.
      type: list
      elements: dict
      sample: [{"id": "5e7b...", "action_name": "create-host", "text": "Created new host web01.",
                "user_id": "automation", "time": "2026-11-22T09:59:00+00:00"}]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(activation), named by the sites (or V(all sites)), action V(run) with C(pending_changes) from
      their count to 0, or V(none) when nothing is pending.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: activation
      name: all sites
      action: run
      changes:
        pending_changes:
          before: 3
          after: 0
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec, env
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.activation import Activation, activate
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            sites=dict(type="list", elements="str", default=[]),
            force_foreign_changes=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            timeout=dict(type="float", default=300, fallback=env("CHECKMK_TIMEOUT")),
        )
    )
    p = module.params
    with api_errors(module):
        request = Activation(p["sites"], p["force_foreign_changes"], p["wait"], p["timeout"])
        outcome = activate(CheckmkClient.from_params(p), request, check_mode=module.check_mode)
    module.exit_json(**outcome.result("activation", diff=module._diff))


if __name__ == "__main__":
    main()
