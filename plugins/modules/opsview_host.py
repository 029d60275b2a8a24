#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: opsview_host
short_description: Manage an Opsview host - address, host group, templates, variables, hashtags, parents
version_added: 0.2.0
description:
  - Creates, updates or removes one Opsview host, found by its name.
  - Only what the task declares is compared and written. O(templates), O(keywords) and O(parents) are merged by
    default (the declared ones are added, others stay); the C(purge_*) options make them exact. O(variables) are
    merged by name; O(purge_variables) removes the undeclared ones.
  - The change takes effect when Opsview reloads, see M(lighthouse.monitoring.opsview_reload) and the handler role
    C(lighthouse.monitoring.opsview_changes).
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.opsview
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_opsview
attributes:
  check_mode:
    support: full
    details: Reads the host and reports what would change; sends only GET requests.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - The host's name in Opsview. Letters, digits, C(.), C(-) and C(_), at most 64 characters.
    type: str
    required: true
  ip:
    description:
      - The address Opsview checks, an IPv4 or IPv6 address or a DNS name. Required to create a host.
    type: str
  alias:
    description:
      - A description of the host.
    type: str
  hostgroup:
    description:
      - The path of the host's host group, for example V(Opsview/Linux/Web). It must exist and be a leaf group
        (create it with M(lighthouse.monitoring.opsview_hostgroup)). Required to create a host.
    type: str
  monitored_by:
    description:
      - The monitoring cluster that monitors the host; Opsview's default is V(Master Monitoring Server).
    type: str
  templates:
    description:
      - Host templates (their service checks are applied to the host), for example V(OS - Unix Base).
      - New ones are added after the host's current templates.
    type: list
    elements: str
  purge_templates:
    description:
      - Remove the templates that are not in O(templates).
    type: bool
    default: false
  keywords:
    description:
      - Keywords (called hashtags in the Opsview UI).
    type: list
    elements: str
  purge_keywords:
    description:
      - Remove the keywords that are not in O(keywords).
    type: bool
    default: false
  parents:
    description:
      - Parent hosts (the hosts this host is reached through).
    type: list
    elements: str
  purge_parents:
    description:
      - Remove the parents that are not in O(parents).
    type: bool
    default: false
  variables:
    description:
      - Host variables (Opsview's host attributes), by name (upper-case letters, digits and C(_)). A value is a
        string, or a mapping with C(value) and C(arg1) to C(arg4); a list gives a variable several values, as for
        C(DISK).
    type: dict
  purge_variables:
    description:
      - Remove the variables that are not in O(variables), and the arguments not declared.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the host; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lighthouse.monitoring.opsview_hostgroup
  - module: lighthouse.monitoring.opsview_reload
"""

EXAMPLES = r"""
- name: A web server in Opsview, reloaded once at the end of the play
  lighthouse.monitoring.opsview_host:
    server_url: https://opsview.example.com
    username: automation
    password: "{{ vault_opsview_password }}"
    name: web01
    ip: 192.0.2.10
    hostgroup: Opsview/Linux/Web
    templates:
      - OS - Unix Base
    keywords:
      - webfarm
    variables:
      DISK:
        - /
        - /var
  delegate_to: localhost
  notify: opsview reload

- name: Exactly these templates, nothing else
  lighthouse.monitoring.opsview_host:
    name: web01
    templates:
      - OS - Unix Base
      - Network - Base
    purge_templates: true
  delegate_to: localhost

- name: Remove a host
  lighthouse.monitoring.opsview_host:
    name: web01
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
host:
  description: The host after the task (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample:
    name: web01
    id: "23"
    ip: 192.0.2.10
    alias: ""
    hostgroup: Opsview/Linux/Web
    monitored_by: Master Monitoring Server
    templates: ["OS - Unix Base"]
    keywords: ["webfarm"]
    parents: []
    variables: {"DISK": [{"value": "/"}, {"value": "/var"}]}
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(opsview).
    - C(type) is V(host) and C(name) the host's name.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: opsview
      type: host
      name: web01
      action: change
      changes:
        ip:
          before: 192.0.2.10
          after: 192.0.2.11
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.host import (
    HostResource,
    desired_host,
    subject,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync

PURGES = {"purge_templates": "templates", "purge_keywords": "keywords", "purge_parents": "parents"}


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            name=dict(type="str", required=True),
            ip=dict(type="str"),
            alias=dict(type="str"),
            hostgroup=dict(type="str"),
            monitored_by=dict(type="str"),
            templates=dict(type="list", elements="str"),
            purge_templates=dict(type="bool", default=False),
            keywords=dict(type="list", elements="str", no_log=False),
            purge_keywords=dict(type="bool", default=False),
            parents=dict(type="list", elements="str"),
            purge_parents=dict(type="bool", default=False),
            variables=dict(type="dict"),
            purge_variables=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        desired = desired_host(p)
        purge = {key for option, key in {**PURGES, "purge_variables": "variables"}.items() if p[option]}
        declared = desired if p["state"] == "present" else None
        resource = HostResource(
            OpsviewClient.from_params(p), desired["name"], purge=frozenset(purge), declared=declared
        )
        outcome = sync(resource, p["state"], desired, check_mode=module.check_mode)
    module.exit_json(**outcome.result("host", diff=module._diff, subject=subject(desired["name"])))


if __name__ == "__main__":
    main()
