#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: sensu_silence
short_description: Set or clear a Sensu classic silence (the downtime of Sensu) through the API
version_added: 0.2.0
description:
  - Sets or clears one entry of the silenced registry of Sensu Core 1.x or Sensu Enterprise (not Sensu Go), for a
    client (host downtime), a check on a client (service downtime), a subscription, a check everywhere, or a check
    on a subscription.
  - A silence mutes the handlers of matching events (no notifications); checks still run and events are still
    created.
  - Sensu keeps one silence per id, C(<subscription or *>:<check or *>), for example V(client:web01:*) or
    V(client:web01:check_http). The id is the silence's identity here. Setting a silence again replaces it; clearing
    one clears that id alone and never touches the other silences of the same subscription or check.
  - An existing silence counts as declared when its reason, creator and O(expire_on_resolve) are as declared and it
    expires no later than O(expire) allows (a silence set with O(expire) has at most that much time left). Another
    expiry sets it again, which starts its time again.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.sensu
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_sensu
attributes:
  check_mode:
    support: full
    details: Reads the silence and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  client:
    description:
      - The client to silence, short for O(subscription=client:<client>). Mutually exclusive with O(subscription).
    type: str
  subscription:
    description:
      - The subscription to silence (letters, digits, V(_), V(.), V(-), V(:)).
    type: str
  check:
    description:
      - The check to silence, on O(client) or O(subscription) when given, else on every client.
    type: str
  reason:
    description:
      - Why, shown in Sensu's dashboards.
    type: str
  creator:
    description:
      - Who set the silence, shown in Sensu's dashboards.
    type: str
  expire:
    description:
      - Seconds until Sensu removes the silence by itself. Without it, the silence stays until it is cleared.
      - A positive number; Sensu would remove a silence at once for 0 or less.
    type: int
  expire_on_resolve:
    description:
      - Remove the silence by itself when the silenced check's event resolves.
    type: bool
    default: false
  state:
    description:
      - V(present) sets the silence; V(absent) clears it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lighthouse.monitoring.sensu_client
"""

EXAMPLES = r"""
- name: Silence a host for its maintenance (two hours at most)
  lighthouse.monitoring.sensu_silence:
    server_url: http://sensu.example.com:4567
    client: web01
    reason: kernel update
    creator: ansible
    expire: 7200
  delegate_to: localhost

- name: Silence one check of a host until it is OK again
  lighthouse.monitoring.sensu_silence:
    client: web01
    check: check_disk
    expire_on_resolve: true
  delegate_to: localhost

- name: Maintenance over; the host's other silences stay
  lighthouse.monitoring.sensu_silence:
    client: web01
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
silence:
  description:
    - The silence after the task (in check mode, as it would be); null when absent.
    - C(expire) is the duration the silence satisfies (see the description); C(expires_in) the seconds it has left,
      null when it does not expire.
  returned: always
  type: dict
  sample:
    id: "client:web01:*"
    subscription: client:web01
    check: null
    reason: kernel update
    creator: ansible
    expire_on_resolve: false
    begin: null
    expire: 7200
    expires_in: 7170
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(sensu).
    - One entry, C(type) V(silence) and C(name) the silence's id (V(<subscription or *>:<check or *>), as
      V(client:web01:*)). A new silence (V(add)) has the declared values that are set as its changes (C(id),
      C(subscription), C(check), C(reason), C(creator), C(expire_on_resolve), C(expire)); a silence set again
      (V(change)) the values that differ; V(remove) and V(none) have none.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: sensu
      type: silence
      name: "client:web01:*"
      action: add
      changes:
        id: {before: null, after: "client:web01:*"}
        subscription: {before: null, after: "client:web01"}
        reason: {before: null, after: kernel update}
        creator: {before: null, after: ansible}
        expire_on_resolve: {before: null, after: false}
        expire: {before: null, after: 7200}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.silence import (
    SilenceResource,
    desired_silence,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Subject, sync


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            client=dict(type="str"),
            subscription=dict(type="str"),
            check=dict(type="str"),
            reason=dict(type="str"),
            creator=dict(type="str"),
            expire=dict(type="int"),
            expire_on_resolve=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        desired = desired_silence(
            **{k: p[k] for k in ("client", "subscription", "check", "reason", "creator")},
            expire=p["expire"],
            expire_on_resolve=p["expire_on_resolve"],
        )
        resource = SilenceResource(SensuApi.from_params(p), desired["id"], declared_expire=p["expire"])
        outcome = sync(resource, p["state"], desired, check_mode=module.check_mode)
    module.exit_json(**outcome.result("silence", diff=module._diff, subject=Subject("sensu", "silence", desired["id"])))


if __name__ == "__main__":
    main()
