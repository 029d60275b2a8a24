#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: sensu_check_request
short_description: Ask Sensu classic to run a check now
version_added: 0.2.0
description:
  - Asks the subscribers of a check of Sensu Core 1.x or Sensu Enterprise (not Sensu Go) to run it now, through
    the API's C(/request), for example right after a host was registered, instead of waiting for the check's
    interval. Useful with checks defined with C(publish=false), which run only when requested.
  - A request is an action, not a state. Every request sent reports C(changed); check mode sends none.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.sensu
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_sensu
attributes:
  check_mode:
    support: full
    details:
      - Sends no request; reads the check (C(GET /checks/<check>)) and fails when Sensu has none. That listing holds
        the subscription checks only, so a standalone check fails in check mode.
  diff_mode:
    support: none
  idempotent:
    support: none
    details: Every run sends a request, which the check's subscribers carry out.
options:
  check:
    description:
      - The check's name. Sensu knows the checks of its configuration files as it loaded them at its last start or
        reload.
    type: str
    required: true
  subscribers:
    description:
      - The subscriptions to ask instead of the check's own subscribers, for example V([client:web01]) for one
        client.
    type: list
    elements: str
  reason:
    description:
      - Why, added to the check's results (C(api_requested)).
    type: str
  creator:
    description:
      - Who asked, added to the check's results (C(api_requested)).
    type: str
seealso:
  - module: lighthouse.monitoring.sensu_check
  - module: lighthouse.monitoring.sensu_client
"""

EXAMPLES = r"""
- name: Check the new host at once
  lighthouse.monitoring.sensu_check_request:
    server_url: http://sensu.example.com:4567
    check: check_ping
    subscribers: ["client:web01"]
    reason: host registered
    creator: ansible
  delegate_to: localhost
"""

RETURN = r"""
request:
  description: The request sent (in check mode, the one that would be sent), with C(issued), Sensu's time of it.
  returned: always
  type: dict
  sample: {"check": "check_ping", "subscribers": ["client:web01"], "reason": "host registered", "issued": 1767225600}
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(sensu).
    - One entry of C(type) V(check request), named V(<check> on <subscribers>) (the subscribers joined by
      V(, )) when O(subscribers) is given, else by the check's name; action V(run) (in check mode too), with the
      request's values as its changes (C(check), C(subscribers), C(reason), C(creator); not C(issued)), each from
      null.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: sensu
      type: check request
      name: "check_ping on client:web01"
      action: run
      changes:
        check: {before: null, after: check_ping}
        subscribers: {before: null, after: ["client:web01"]}
        reason: {before: null, after: host registered}
        creator: {before: null, after: ansible}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check_request import request_check
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Subject


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            check=dict(type="str", required=True),
            subscribers=dict(type="list", elements="str"),
            reason=dict(type="str"),
            creator=dict(type="str"),
        )
    )
    p = module.params
    with api_errors(module):
        outcome = request_check(
            SensuApi.from_params(p),
            p["check"],
            subscribers=p["subscribers"],
            reason=p["reason"],
            creator=p["creator"],
            check_mode=module.check_mode,
        )
    # Two requests of one check for different subscribers are two operations in the plan.
    name = f"{p['check']} on {', '.join(p['subscribers'])}" if p["subscribers"] else p["check"]
    module.exit_json(**outcome.result("request", diff=False, subject=Subject("sensu", "check request", name)))


if __name__ == "__main__":
    main()
