#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: sensu_client
short_description: Manage a Sensu classic client (a monitored host) through the API
version_added: 0.2.0
description:
  - Creates, updates or removes one client of Sensu Core 1.x or Sensu Enterprise (not Sensu Go) through its API,
    found by its name. A client created through the API is a proxy client, for a host that runs no
    C(sensu-client) of its own (a switch, a VM monitored from outside).
  - A host that runs C(sensu-client) registers itself, and each of its keepalives replaces the client with the
    definition of its own configuration; manage such a client in that configuration, not with this module.
  - Only what the task declares is compared and written. O(subscriptions) are merged by default (the declared ones
    are added, others stay); O(purge_subscriptions) makes them exact. O(attributes) are merged by key;
    O(purge_attributes) removes the undeclared ones.
  - Sensu replaces a client whole when it is written, so an update reads the client, lays the declared changes
    over it and sends it back whole.
  - Sensu adds the subscription C(client:<name>) to every client itself; it is neither shown nor compared.
  - Keepalive thresholds and handlers (the C(keepalive) attribute) cannot be written through the API of Sensu 1.x,
    whose client validator checks them with check validations the API lacks, so that every such write fails with a
    server error. They are shown, and a client that has them is not updated (refused with that reason).
  - Sensu never shows the values of sensitive attributes (C(password), C(api_key), C(secret) and more, or those
    the client's C(redact) names); they read as C(REDACTED). Declare them in O(secret_attributes), written when the
    client is created or changed, never compared, never shown. An update that would have to send an undeclared one
    back is refused, since its value would be lost.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.sensu
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_sensu
attributes:
  check_mode:
    support: full
    details: Reads the client and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - The client's name, as Sensu allows it (letters, digits, V(_), V(.), V(-)).
    type: str
    required: true
  address:
    description:
      - The client's address (a host name or an IP address). Sensu needs one for a new client.
    type: str
  subscriptions:
    description:
      - Subscriptions of the client; the checks of these subscriptions run for it.
    type: list
    elements: str
  purge_subscriptions:
    description:
      - Remove the subscriptions not listed in O(subscriptions) (except V(client:<name>)).
    type: bool
    default: false
  keepalives:
    description:
      - Whether Sensu expects keepalives from the client and raises an event when they stop. Sensu sets V(false)
        for a client created through the API unless told otherwise.
    type: bool
  attributes:
    description:
      - Any other attributes of the client, custom ones such as V(environment) and Sensu's own such as
        V(safe_mode) or V(redact). Merged by key, unless O(purge_attributes).
    type: dict
  secret_attributes:
    description:
      - Attributes whose values Sensu hides (C(password), C(api_key), C(secret), ... or those the client's C(redact)
        lists), for example C(snmp_community) when C(redact) names it. Kept out of logs and output.
      - Their values cannot be read back, so they are written when the client is created or something else of it
        changes, and never compared; a changed value alone changes nothing.
      - An attribute of O(attributes) that Sensu hides is refused; declare it here.
    type: dict
  purge_attributes:
    description:
      - Remove the client's attributes that O(attributes) and O(secret_attributes) do not list.
    type: bool
    default: false
  invalidate:
    description:
      - With O(state=absent), invalidate the client while Sensu removes it, so that a running C(sensu-client) cannot
        register it again in the meantime.
      - Sensu drops the invalidation together with the client unless O(invalidate_expire) says how long it lasts
        after; without it, the next keepalive of a running C(sensu-client) registers the client again.
    type: bool
    default: false
  invalidate_expire:
    description:
      - With O(invalidate), the seconds the invalidation lasts after the client is removed, during which a running
        C(sensu-client) cannot register it again. Requires O(invalidate).
    type: int
  wait_timeout:
    description:
      - Seconds to wait, with O(state=absent), until the client is gone. Sensu answers a removal at once and
        carries it out after resolving the client's events (a few seconds at most).
    type: float
    default: 30
  state:
    description:
      - V(present) creates or updates the client; V(absent) removes it and waits until it is gone.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lighthouse.monitoring.sensu_silence
  - module: lighthouse.monitoring.sensu_check_request
"""

EXAMPLES = r"""
- name: A proxy client for a switch
  lighthouse.monitoring.sensu_client:
    server_url: http://sensu.example.com:4567
    name: switch01
    address: 192.0.2.10
    subscriptions: [network, snmp]
    attributes:
      environment: production
  delegate_to: localhost

- name: Exactly these subscriptions, and a secret the checks use
  lighthouse.monitoring.sensu_client:
    name: db01
    address: db01.example.com
    subscriptions: [linux, postgres]
    purge_subscriptions: true
    secret_attributes:
      password: "{{ vault_db01_monitoring_password }}"
  delegate_to: localhost

- name: Remove a client for good
  lighthouse.monitoring.sensu_client:
    name: web01
    state: absent
    invalidate: true
    invalidate_expire: 3600
  delegate_to: localhost
"""

RETURN = r"""
client:
  description:
    - The client after the task (in check mode, as it would be); null when absent. Sensitive values read
      V(REDACTED).
  returned: always
  type: dict
  sample:
    name: switch01
    address: 192.0.2.10
    subscriptions: [network, snmp]
    keepalives: false
    keepalive: {}
    attributes: {environment: production}
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(sensu).
    - One entry, C(type) V(client) and C(name) the client's name. A new client (V(add)) has every declared value as
      its changes (C(name), C(address), C(subscriptions), C(keepalives), C(attributes.<key>)); a V(change) has the
      values that differ (C(subscriptions) as a whole list, C(attributes) key by key, as C(attributes.environment));
      secret attributes read V(REDACTED) there; V(remove) and V(none) have none.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: sensu
      type: client
      name: switch01
      action: change
      changes:
        subscriptions: {before: ["network"], after: ["network", "snmp"]}
        attributes.environment: {before: staging, after: production}
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import ClientResource, desired_client
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Subject, sync

PURGES = {"purge_subscriptions": "subscriptions", "purge_attributes": "attributes"}


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            name=dict(type="str", required=True),
            address=dict(type="str"),
            subscriptions=dict(type="list", elements="str"),
            purge_subscriptions=dict(type="bool", default=False),
            keepalives=dict(type="bool"),
            attributes=dict(type="dict"),
            secret_attributes=dict(type="dict", no_log=True),
            purge_attributes=dict(type="bool", default=False),
            invalidate=dict(type="bool", default=False),
            invalidate_expire=dict(type="int"),
            wait_timeout=dict(type="float", default=30),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
    )
    p = module.params
    with api_errors(module):
        options = {k: p[k] for k in ("address", "subscriptions", "keepalives", "attributes")}
        present = p["state"] == "present"
        declared = desired_client(p["name"], **options, secret_attributes=p["secret_attributes"]) if present else {}
        resource = ClientResource(
            SensuApi.from_params(p),
            p["name"],
            purge=frozenset(key for option, key in PURGES.items() if p[option]),
            secret=p["secret_attributes"],
            plain=p["attributes"],
            invalidate=p["invalidate"],
            invalidate_expire=p["invalidate_expire"],
            wait_timeout=p["wait_timeout"],
            require_address=present and p["address"] is None,
        )
        outcome = sync(resource, p["state"], declared or {"name": p["name"]}, check_mode=module.check_mode)
    module.exit_json(**outcome.result("client", diff=module._diff, subject=Subject("sensu", "client", p["name"])))


if __name__ == "__main__":
    main()
