#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: opsview_reload
short_description: Reload Opsview when configuration is pending, and report how it went
version_added: 0.2.0
description:
  - Opsview applies configuration changes when it reloads. This module reloads only when configuration is pending
    (C(changed=false) when it is up to date), waits for a reload that someone else started, and watches its own
    reload until it ends.
  - Warnings of the reload are reported as task warnings; a reload that fails fails the task with Opsview's
    messages.
  - Opsview reloads everything pending, whoever changed it.
  - The handler role C(lighthouse.monitoring.opsview_changes) runs it once at the end of a play.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.opsview
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_opsview
attributes:
  check_mode:
    support: full
    details: Reads the reload status and reports whether a reload would run.
  diff_mode:
    support: full
    details: The diff shows the reload status before and after.
  idempotent:
    support: full
options:
  wait_timeout:
    description:
      - Seconds to wait, in all, for a running reload and for this one to end.
    type: float
    default: 300
notes:
  - The user's role needs C(RELOADACCESS) (and C(RELOADVIEW)).
seealso:
  - module: lighthouse.monitoring.opsview_host
"""

EXAMPLES = r"""
- name: Apply the pending configuration
  lighthouse.monitoring.opsview_reload:
    server_url: https://opsview.example.com
    username: automation
    password: "{{ vault_opsview_password }}"
  delegate_to: localhost
"""

RETURN = r"""
reload:
  description: The reload status after the task (C(GET /rest/reload)).
  returned: always
  type: dict
  sample:
    server_status: "0"
    configuration_status: uptodate
    lastupdated: "1764669600"
    messages: []
reloaded:
  description: Whether this task ran a reload.
  returned: always
  type: bool
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(opsview).
    - One entry, C(type) V(reload) and C(name) V(configuration), of action V(run) when a reload runs (or would),
      in which C(configuration_status) goes from V(pending) to V(uptodate), else V(none).
  returned: always
  type: list
  elements: dict
  sample:
    - backend: opsview
      type: reload
      name: configuration
      action: run
      changes:
        configuration_status: {before: pending, after: uptodate}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.reload import SUBJECT, WARNINGS, Reload


def main() -> None:
    module = new_module(dict(connection_spec(), wait_timeout=dict(type="float", default=300)))
    p = module.params
    with api_errors(module):
        outcome = Reload(OpsviewClient.from_params(p), wait_timeout=p["wait_timeout"]).apply(
            check_mode=module.check_mode
        )
    after = outcome.after or {}
    if outcome.extra.get("reloaded") and after.get("server_status") == WARNINGS:
        for message in after.get("messages", []):
            module.warn(f"Opsview reload: {message.get('monitoringserver') or 'server'}: {message.get('detail')}")
    module.exit_json(**outcome.result("reload", diff=module._diff, subject=SUBJECT))


if __name__ == "__main__":
    main()
