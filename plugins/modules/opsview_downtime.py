#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: opsview_downtime
short_description: Set and remove Opsview downtimes for hosts, services or a host group, verified
version_added: 0.2.0
description:
  - Sets or removes a downtime for hosts (with their services), for services of hosts, or for a host group (its
    hosts and their services when it is set).
  - A downtime is identified by its object and its O(comment); Opsview stores the comment after the object's name
    (C(Host 'web01') and a colon). With O(state=present), a downtime with the same identity and window is left
    alone; one with another window is replaced (the new one is set before the old one is removed).
    With O(state=absent), exactly the downtimes with that identity are removed.
  - Opsview answers a downtime command before its core has processed it. So after each change the module lists the
    downtimes until the change is visible, for at most O(verify_timeout) seconds; otherwise the task fails, saying so.
  - Downtimes exist only for monitored hosts, that is hosts that a reload has applied.
  - Hosts of remote monitoring clusters need nothing else - Opsview sends the downtime to the cluster that
    monitors the host.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.opsview
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_opsview
attributes:
  check_mode:
    support: full
    details: Lists the downtimes and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
    details: >-
      Relative times are resolved when a downtime is set; running the task again keeps that downtime while it has
      not ended (see O(start_time)).
options:
  host_name:
    description:
      - The host. Exactly one of O(host_name), O(host_names) and O(hostgroup) is required.
    type: str
  host_names:
    description:
      - Several hosts, each getting (or losing) the same downtime, set with one request.
    type: list
    elements: str
  service_descriptions:
    description:
      - Downtimes for these services of each host instead of for the hosts.
    type: list
    elements: str
  hostgroup:
    description:
      - A host group's path, for example V(Opsview/Linux/Web); the downtime covers the hosts in its leaf groups
        when it is set (hosts added later are not covered).
    type: str
  comment:
    description:
      - The downtime's comment; with its object it identifies the downtime. Opsview removes C(<), C(>), C(;) and line
        breaks from comments, so they are refused.
    type: str
    required: true
  start_time:
    description:
      - When the downtime starts, ISO 8601 with a time zone or relative to the moment the task runs (V(now),
        V(+30m), V(+2h), V(+1d)), as in M(lighthouse.monitoring.checkmk_downtime). At most an hour in the past.
    type: str
    default: now
  end_time:
    description:
      - When the downtime ends, in the forms of O(start_time). Required with O(state=present).
    type: str
  state:
    description:
      - V(present) sets the downtime, V(absent) removes the downtimes with this identity, whatever their window.
    type: str
    choices: [present, absent]
    default: present
  verify_timeout:
    description:
      - Seconds to wait, after each change, until the change is visible in the list of downtimes.
    type: float
    default: 10
notes:
  - The user's role needs C(DOWNTIMESOME).
  - Removing host downtimes costs one request per host (Opsview finds a downtime by the comment it stored for that
    host); for many hosts, a host group downtime is one.
seealso:
  - module: lighthouse.monitoring.opsview_host
  - module: lighthouse.monitoring.checkmk_downtime
"""

EXAMPLES = r"""
- name: Put a host into maintenance for two hours
  lighthouse.monitoring.opsview_downtime:
    server_url: https://opsview.example.com
    username: automation
    password: "{{ vault_opsview_password }}"
    host_name: web01
    comment: VM stopped by the hypervisor
    end_time: +2h
  delegate_to: localhost

- name: Downtime for two services during a planned window
  lighthouse.monitoring.opsview_downtime:
    host_name: db01
    service_descriptions:
      - MySQL
      - Disk
    comment: Database upgrade CHG-1234
    start_time: "2026-12-24T22:00:00+01:00"
    end_time: "2026-12-25T02:00:00+01:00"
  delegate_to: localhost

- name: The whole web farm, by its host group
  lighthouse.monitoring.opsview_downtime:
    hostgroup: Opsview/Linux/Web
    comment: Network maintenance
    end_time: +1h
  delegate_to: localhost

- name: Remove the maintenance downtime again
  lighthouse.monitoring.opsview_downtime:
    host_name: web01
    comment: VM stopped by the hypervisor
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
downtimes:
  description: The declared downtimes after the task (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
  sample:
    - host_name: web01
      comment: VM stopped by the hypervisor
      start_time: "2026-12-01T10:00:00+00:00"
      end_time: "2026-12-01T12:00:00+00:00"
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(opsview).
    - One entry of C(type) V(downtime) per host, service of a host, or host group, named C(web01 (comment)),
      C(web01/Disk (comment)) or C(Opsview/Linux/Web (comment)); a downtime replaced by one with another window is a
      V(change) of the window's values that differ (C(start_time), C(end_time)).
  returned: always
  type: list
  elements: dict
  sample:
    - backend: opsview
      type: downtime
      name: web01 (VM stopped by the hypervisor)
      action: add
      changes:
        host_name: {before: null, after: web01}
        comment: {before: null, after: VM stopped by the hypervisor}
        start_time: {before: null, after: "2026-12-01T10:00:00+00:00"}
        end_time: {before: null, after: "2026-12-01T12:00:00+00:00"}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.downtime import DowntimeRequest, Downtimes
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import utc_now


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            host_name=dict(type="str"),
            host_names=dict(type="list", elements="str"),
            service_descriptions=dict(type="list", elements="str"),
            hostgroup=dict(type="str"),
            comment=dict(type="str", required=True),
            start_time=dict(type="str", default="now"),
            end_time=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            verify_timeout=dict(type="float", default=10),
        ),
        mutually_exclusive=[("host_name", "host_names", "hostgroup")],
        required_one_of=[("host_name", "host_names", "hostgroup")],
    )
    p = module.params
    with api_errors(module):
        request = DowntimeRequest.from_params(p, now=utc_now())
        downtimes = Downtimes(OpsviewClient.from_params(p), request, verify_timeout=p["verify_timeout"])
        outcome = downtimes.apply(check_mode=module.check_mode)
    result = outcome.result("downtimes", diff=module._diff)
    result["downtimes"] = (outcome.after or {}).get("downtimes", [])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
