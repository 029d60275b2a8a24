#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_downtime
short_description: Set and remove Checkmk downtimes that really hold, also for hosts of remote sites
version_added: 0.1.0
description:
  - Sets or removes host downtimes, or service downtimes of a host, on the site that monitors the host (its
    C(site) attribute, inherited from its folders, or the central site).
  - A downtime is identified by its host, its service (none for a host downtime) and its O(comment). With
    O(state=present), a downtime with the same identity and window is left alone; one with another window is
    replaced (the new one is set before the old one is removed, so the host is never without a downtime).
    With O(state=absent), exactly the downtimes with that identity are removed, on whichever site they are, by a
    query that names each by its id and identity, so a downtime that another user gave another comment since the
    task listed it (it is theirs now) stays.
  - Checkmk answers 204 when it has sent a downtime command to the monitoring core, not when the core applied it.
    So after each change the module lists the downtimes until the change is visible on the host's site, for at
    most O(verify_timeout) seconds; if it never shows, the task fails, saying so. With O(site_urls), the command
    is then sent to the monitoring site's own REST API, as a workaround for releases that drop commands for
    hosts of remote sites.
  - Downtimes are not configuration, so they need no activation and record no pending changes. The host must be
    monitored, that is, its creation must have been activated.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
    details: Reads the hosts and their downtimes and reports what would change; sends only GET requests.
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
      - Several hosts, each getting (or losing) the same downtime, for instance all VMs of a hypervisor node.
      - However many they are, the task needs a handful of requests - one listing of the hosts (for their
        monitoring sites), one listing of the downtimes with this comment, and per monitoring site one command
        (C(host_by_query) or C(service_by_query) with the exact names) and its verification.
      - Each name may appear once. With O(state=present), all hosts must exist; otherwise the task fails before
        anything is sent, naming some of those that do not and how many they are.
    type: list
    elements: str
  service_descriptions:
    description:
      - Service downtimes for these services of each host instead of a host downtime.
    type: list
    elements: str
  comment:
    description:
      - The downtime's comment. With the host and the service it identifies the downtime.
    type: str
    required: true
  start_time:
    description:
      - When the downtime starts, ISO 8601 with a time zone (V(2026-12-24T18:00:00+01:00), V(2026-12-24T17:00:00Z))
        or relative to the moment the task runs, V(now) or V(+<n><unit>) with unit V(s), V(m), V(h), V(d) or V(w)
        (V(+30m), V(+2h), V(+1d)).
      - A relative time describes a downtime to set. An existing downtime with the same identity that has not ended
        counts as the declared one when its absolute times match and, if both times are relative, its length
        matches (within a minute); so a second run, or a hook called twice, keeps it.
      - Only used with O(state=present).
    type: str
    default: now
  end_time:
    description:
      - When the downtime ends, in the forms of O(start_time). Required with O(state=present).
    type: str
  duration:
    description:
      - Minutes. V(0) makes a fixed downtime. More makes it flexible, as in Checkmk - it starts when the host or
        service goes down within the window, and lasts this long.
    type: int
    default: 0
  recur:
    description:
      - How the downtime repeats. Other values than V(fixed) need a commercial Checkmk edition.
    type: str
    choices: [fixed, hour, day, week, second_week, fourth_week, weekday_start, weekday_end, day_of_month]
    default: fixed
  state:
    description:
      - V(present) sets the downtime, V(absent) removes the downtimes with this identity, whatever their window.
    type: str
    choices: [present, absent]
    default: present
  verify_timeout:
    description:
      - Seconds to wait, after each change, until the change is visible in the list of downtimes of the host's site.
    type: float
    default: 5
  site_urls:
    description:
      - Site id to the URL of that site's own REST API (V(https://remote1.example.com), or the full
        V(https://remote1.example.com/remote1/check_mk/api/1.0)).
      - When a change for hosts monitored by that site does not become visible after the central site accepted it,
        it is sent there and verified there, for those hosts only. The same O(api_user) and O(api_secret) are used.
    type: dict
notes:
  - The connection options address the central site; O(site_urls) is only needed for the workaround above.
seealso:
  - module: lighthouse.monitoring.checkmk_host
  - name: Scheduled downtimes, in the Checkmk user guide
    description: What fixed, flexible and recurring downtimes are.
    link: https://docs.checkmk.com/latest/en/basics_downtimes.html
"""

EXAMPLES = r"""
- name: Put a host into maintenance for two hours
  lighthouse.monitoring.checkmk_downtime:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
    host_name: web01.example.com
    comment: VM stopped by the hypervisor
    end_time: +2h
  delegate_to: localhost

- name: Downtime for two services during a planned window (Berlin time)
  lighthouse.monitoring.checkmk_downtime:
    host_name: db01.example.com
    service_descriptions:
      - MySQL Connections
      - Filesystem /var/lib/mysql
    comment: Database upgrade CHG-1234
    start_time: "2026-12-24T22:00:00+01:00"
    end_time: "2026-12-25T02:00:00+01:00"
  delegate_to: localhost

- name: Remove the maintenance downtime again
  lighthouse.monitoring.checkmk_downtime:
    host_name: web01.example.com
    comment: VM stopped by the hypervisor
    state: absent
  delegate_to: localhost

- name: All VMs of a hypervisor node into one downtime, a handful of requests however many they are
  lighthouse.monitoring.checkmk_downtime:
    host_names: "{{ node1_vms }}"
    comment: Hypervisor node1 maintenance
    end_time: +2h
  delegate_to: localhost

- name: A host of a remote site, with the remote site's API as the fallback
  lighthouse.monitoring.checkmk_downtime:
    host_name: branch-router.example.com
    comment: Line maintenance by the provider
    end_time: +4h
    site_urls:
      branch1: https://branch1.example.com
  delegate_to: localhost
"""

RETURN = r"""
downtimes:
  description:
    - The declared downtimes after the task (in check mode, as they would be), each with the site that holds it
      and its id there (V(null) for one that check mode would create).
  returned: always
  type: list
  elements: dict
  sample:
    - site_id: remote1
      id: "4"
      host_name: web01.example.com
      comment: VM stopped by the hypervisor
      start_time: "2026-12-01T10:00:00+00:00"
      end_time: "2026-12-01T12:00:00+00:00"
      recurring: false
      duration: 0
fallbacks:
  description:
    - The commands that had to be sent to a monitoring site's own API (see O(site_urls)), one per site and command,
      each with the hosts it was for.
  returned: always
  type: list
  elements: dict
  sample: [{"site_id": "remote1", "host_names": ["web01.example.com"], "action": "set the downtime ..."}]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(downtime), one per host (and service), named V(<host> (<comment>\)) or
      V(<host>/<service> (<comment>\)); a downtime replaced by one with another window is a V(change) of its
      window.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: downtime
      name: web01.example.com (VM stopped by the hypervisor)
      action: remove
      changes: {}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.downtime import (
    RECURS,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import utc_now


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            host_name=dict(type="str"),
            host_names=dict(type="list", elements="str"),
            service_descriptions=dict(type="list", elements="str"),
            comment=dict(type="str", required=True),
            start_time=dict(type="str", default="now"),
            end_time=dict(type="str"),
            duration=dict(type="int", default=0),
            recur=dict(type="str", choices=list(RECURS), default="fixed"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            verify_timeout=dict(type="float", default=5),
            site_urls=dict(type="dict"),
        ),
        mutually_exclusive=[("host_name", "host_names")],
        required_one_of=[("host_name", "host_names")],
    )
    p = module.params
    with api_errors(module):
        request = DowntimeRequest.from_params(p, now=utc_now())
        downtimes = Downtimes(
            CheckmkClient.from_params(p), request, site_urls=p["site_urls"], verify_timeout=p["verify_timeout"]
        )
        outcome = downtimes.apply(check_mode=module.check_mode)
    for fallback in downtimes.fallbacks:
        module.warn(
            f"Site '{fallback['site_id']}' did not apply a command sent to the central site: {fallback['action']}"
            " went through that site's own API instead"
        )
    result = outcome.result("downtimes", diff=module._diff)
    # The diff compares {"downtimes": [...]} (Ansible's callbacks want dicts there); the result gives the list.
    result["downtimes"] = outcome.after["downtimes"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
