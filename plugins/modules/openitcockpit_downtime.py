#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: openitcockpit_downtime
short_description: Set and remove openITCOCKPIT downtimes for hosts, hosts with their services, or services, verified
version_added: 0.2.0
description:
  - Sets or removes a downtime for hosts, for hosts and all their services (O(include_services)), or for services
    of hosts.
  - A downtime is identified by its object and its O(comment). With O(state=present), a downtime with the same
    identity and window is left alone; one with another window is replaced (the new one is set before the old one
    is removed). With O(state=absent), exactly the downtimes with that identity are removed.
  - openITCOCKPIT answers a downtime command before its monitoring core has the downtime. So after each change the
    module lists the downtimes until the change is visible, for at most O(verify_timeout) seconds; otherwise the
    task fails, saying so.
  - Downtimes exist only for monitored hosts and services, that is those an export has put into monitoring
    (M(lighthouse.monitoring.openitcockpit_export)); others are refused before anything is sent.
  - Hosts monitored by satellites need nothing else - openITCOCKPIT forwards the downtime to the satellite.
  - openITCOCKPIT schedules downtimes to the minute and reads times in the API user's time zone; the module
    converts, so times are given and returned as absolute times.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.openitcockpit
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_openitcockpit
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
      - The host. Exactly one of O(host_name) and O(host_names) is required.
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
  include_services:
    description:
      - Set the host downtime together with downtimes for all of the host's services (openITCOCKPIT's
        "host and services" downtime), and remove them together.
    type: bool
    default: false
  comment:
    description:
      - The downtime's comment, at most 255 characters; with its object it identifies the downtime.
    type: str
    required: true
  start_time:
    description:
      - When the downtime starts, ISO 8601 with a time zone or relative to the moment the task runs (V(now),
        V(+30m), V(+2h), V(+1d)), as in M(lighthouse.monitoring.checkmk_downtime). Seconds are dropped.
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
    default: 30
notes:
  - The monitoring core removes a host downtime by host, start and comment, and with it the downtimes of the host's
    services that have the same start and comment. Without O(include_services) the module sets those again; with it
    they belong to the downtime and go too.
seealso:
  - module: lighthouse.monitoring.openitcockpit_host
  - module: lighthouse.monitoring.checkmk_downtime
"""

EXAMPLES = r"""
- name: Put a host and its services into maintenance for two hours
  lighthouse.monitoring.openitcockpit_downtime:
    server_url: https://oitc.example.com
    api_key: "{{ vault_oitc_api_key }}"
    host_name: web01
    include_services: true
    comment: VM stopped by the hypervisor
    end_time: +2h
  delegate_to: localhost

- name: Downtime for two services during a planned window
  lighthouse.monitoring.openitcockpit_downtime:
    host_name: db01
    service_descriptions:
      - MySQL
      - Disk usage
    comment: Database upgrade CHG-1234
    start_time: "2026-12-24T22:00:00+01:00"
    end_time: "2026-12-25T02:00:00+01:00"
  delegate_to: localhost

- name: Remove the maintenance downtime again
  lighthouse.monitoring.openitcockpit_downtime:
    host_name: web01
    include_services: true
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
      include_services: true
      comment: VM stopped by the hypervisor
      start_time: "2026-12-01T10:00:00+00:00"
      end_time: "2026-12-01T12:00:00+00:00"
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(openitcockpit).
    - One entry of C(type) V(downtime) per host, or per service of a host, named V(<host> (<comment>\)) or
      V(<host>/<service> (<comment>\)). V(add) when the object has no downtime with the comment, with every
      declared value as changes (C(host_name), C(service_description) or C(include_services), C(comment),
      C(start_time), C(end_time)); V(change) when a downtime with another window is replaced, with the values of
      the window that differ (C(start_time), C(end_time); C(before) a list when several are listed); V(none) when
      the declared window is listed; V(remove) with O(state=absent).
  returned: always
  type: list
  elements: dict
  sample:
    - backend: openitcockpit
      type: downtime
      name: web01 (VM stopped by the hypervisor)
      action: add
      changes:
        host_name: {before: null, after: web01}
        include_services: {before: null, after: true}
        comment: {before: null, after: VM stopped by the hypervisor}
        start_time: {before: null, after: "2026-12-01T10:00:00+00:00"}
        end_time: {before: null, after: "2026-12-01T12:00:00+00:00"}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.downtime import (
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import utc_now


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            host_name=dict(type="str"),
            host_names=dict(type="list", elements="str"),
            service_descriptions=dict(type="list", elements="str"),
            include_services=dict(type="bool", default=False),
            comment=dict(type="str", required=True),
            start_time=dict(type="str", default="now"),
            end_time=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            verify_timeout=dict(type="float", default=30),
        ),
        mutually_exclusive=[("host_name", "host_names"), ("include_services", "service_descriptions")],
        required_one_of=[("host_name", "host_names")],
    )
    p = module.params
    with api_errors(module):
        request = DowntimeRequest.from_params(p, now=utc_now())
        downtimes = Downtimes(OitcClient.from_params(p), request, verify_timeout=p["verify_timeout"])
        outcome = downtimes.apply(check_mode=module.check_mode)
    result = outcome.result("downtimes", diff=module._diff)
    result["downtimes"] = (outcome.after or {}).get("downtimes", [])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
