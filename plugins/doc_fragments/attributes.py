# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Standard attributes; modules state their support level in their own attributes block.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
notes:
  - >-
    Every module of this collection returns the key C(plan) - a list with one entry per object the task is about, the
    same in check mode as when applied - each with C(backend) (C(checkmk), C(opsview), C(openitcockpit), C(sensu)),
    C(type) (for example C(host), C(folder), C(downtime), C(activation)), C(name), C(action) (C(add), C(change),
    C(remove), C(run) for an operation such as an activation, a reload or an export, or C(none)) and C(changes), the
    values that differ by dotted path (for example C(attributes.alias)), each with C(before) and C(after). The callback
    plugin P(lighthouse.monitoring.plan#callback) prints these entries as a plan at the end of a run.
"""

    ACTIONGROUP_CHECKMK = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/lighthouse.monitoring.checkmk) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lighthouse.monitoring.checkmk
"""

    ACTIONGROUP_OPSVIEW = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/lighthouse.monitoring.opsview) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lighthouse.monitoring.opsview
"""

    ACTIONGROUP_OPENITCOCKPIT = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/lighthouse.monitoring.openitcockpit) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lighthouse.monitoring.openitcockpit
"""

    ACTIONGROUP_SENSU = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/lighthouse.monitoring.sensu) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - lighthouse.monitoring.sensu
"""
