#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: openitcockpit_export
short_description: Refresh openITCOCKPIT's monitoring configuration when it changed, and report how it went
version_added: 0.2.0
description:
  - openITCOCKPIT applies configuration changes when it exports them ("Refresh monitoring configuration"). This
    module exports only when configuration changed since the last successful export (C(changed=false) otherwise),
    waits for an export that someone else started, and watches its own export until it ends.
  - openITCOCKPIT keeps no flag for pending changes. The module counts configuration as changed when its changelog
    has entries newer than the start of the last successful export, when hosts exist that are not monitored yet,
    or when no successful export is on record. Changes that openITCOCKPIT does not log (escalations,
    dependencies, macros, system settings) are not seen; O(force) exports regardless.
  - An export that fails fails the task with the task of the export that failed (and the core's verification
    errors); the monitoring core then keeps the previous configuration.
  - With satellites, openITCOCKPIT marks them for synchronization after a successful export; they receive the
    configuration on their own schedule.
  - The handler role C(lighthouse.monitoring.openitcockpit_changes) runs it once at the end of a play.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.openitcockpit
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_openitcockpit
attributes:
  check_mode:
    support: full
    details: Reads the export status and the changelog and reports whether an export would run.
  diff_mode:
    support: full
    details: The diff shows what was pending before and after.
  idempotent:
    support: full
options:
  force:
    description:
      - Export even when no change is known.
    type: bool
    default: false
  create_backup:
    description:
      - Let openITCOCKPIT back up its database and configuration before the export, as its web interface does by
        default. The backup makes an export slower.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, in all, for a running export and for this one to end. An export stuck longer fails the task.
    type: float
    default: 600
seealso:
  - module: lighthouse.monitoring.openitcockpit_host
"""

EXAMPLES = r"""
- name: Refresh the monitoring configuration if anything changed
  lighthouse.monitoring.openitcockpit_export:
    server_url: https://oitc.example.com
    api_key: "{{ vault_oitc_api_key }}"
  delegate_to: localhost

- name: Refresh it in any case, without a backup
  lighthouse.monitoring.openitcockpit_export:
    force: true
    create_backup: false
  delegate_to: localhost
"""

RETURN = r"""
export:
  description: What is pending after the task (in check mode, as it would be).
  returned: always
  type: dict
  sample:
    pending: false
    last_export: "2026-12-01T10:00:00+00:00"
    changes: []
    unmonitored_hosts: 0
exported:
  description: Whether this task ran an export.
  returned: always
  type: bool
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(openitcockpit).
    - One entry, C(type) V(export) and C(name) V(configuration), of action V(run) when an export runs (or would),
      else V(none). Its changes say why, from what was pending at the first read - C(pending_changes) from the
      number of changelog entries since the last export to 0, C(unmonitored_hosts) from their number to 0,
      C(last_export) from null to V(now) when no successful export is on record, C(force) from null to V(true)
      when nothing was pending and O(force) exported all the same.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: openitcockpit
      type: export
      name: configuration
      action: run
      changes:
        pending_changes: {before: 3, after: 0}
        unmonitored_hosts: {before: 1, after: 0}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.export import Export


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            force=dict(type="bool", default=False),
            create_backup=dict(type="bool", default=True),
            wait_timeout=dict(type="float", default=600),
        )
    )
    p = module.params
    with api_errors(module):
        export = Export(
            OitcClient.from_params(p),
            wait_timeout=p["wait_timeout"],
            create_backup=p["create_backup"],
            force=p["force"],
        )
        outcome = export.apply(check_mode=module.check_mode)
    module.exit_json(**outcome.result("export", diff=module._diff))


if __name__ == "__main__":
    main()
