#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: sensu_check
short_description: Manage a Sensu classic check definition as a file in the server's configuration directory
version_added: 0.2.0
description:
  - Writes or removes one check definition of Sensu Core 1.x or Sensu Enterprise (not Sensu Go). Sensu classic has
    no API to define checks; it reads them from JSON files in its configuration directory, at start and (Sensu
    Enterprise) on a reload. Run this module on the Sensu server, and notify the handler of the role
    C(lighthouse.monitoring.sensu_changes), which reloads Sensu once per play.
  - Each check is a file of its own, C(<conf_dir>/check_<name>.json), holding the check below C(checks) in
    one canonical form (sorted keys, indented); the same declaration always gives the same file. The definition is
    compared as a whole, by content; a file whose definition is as declared is left as it is.
  - The definition is checked with the rules of Sensu's own validator before anything is written (a name of
    letters, digits, V(_), V(.), V(-); O(command) or O(extension); O(interval) unless O(cron) or O(publish=false);
    O(subscribers) unless O(standalone); and the types of the other options).
  - Other files of the directory that define the same check (Sensu merges them into this one) or that are not valid
    JSON (Sensu would not load its configuration) are reported as warnings.
  - This module takes no connection options and is not in the C(sensu) action group.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details: Reads the file and reports what would change; writes nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  name:
    description:
      - The check's name (letters, digits, V(_), V(.), V(-)).
    type: str
    required: true
  conf_dir:
    description:
      - Sensu's configuration directory. It must exist; Sensu reads every C(*.json) file below it.
    type: path
    default: /etc/sensu/conf.d
  command:
    description:
      - The command the clients run. Either this or O(extension).
    type: str
  extension:
    description:
      - The name of a Sensu check extension to run instead of a command.
    type: str
  subscribers:
    description:
      - The subscriptions whose clients run the check. Required unless O(standalone).
    type: list
    elements: str
  interval:
    description:
      - Seconds between two runs. Required unless O(cron) is given or O(publish=false).
    type: int
  cron:
    description:
      - When to run, in cron syntax, instead of O(interval).
    type: str
  standalone:
    description:
      - Whether the clients schedule the check themselves (from their own configuration) instead of the server.
    type: bool
  publish:
    description:
      - Whether the server schedules the check; V(false) for a check that runs only when requested (see
        M(lighthouse.monitoring.sensu_check_request)).
    type: bool
  handlers:
    description:
      - The handlers of the check's events.
    type: list
    elements: str
  timeout:
    description:
      - Seconds the command may run.
    type: int
  ttl:
    description:
      - Seconds after which a missing result raises an event.
    type: int
  ttl_status:
    description:
      - The status of that event (1 warning, 2 critical).
    type: int
  low_flap_threshold:
    description:
      - Flap detection's low threshold (percent).
    type: int
  high_flap_threshold:
    description:
      - Flap detection's high threshold (percent).
    type: int
  source:
    description:
      - The client the results are for (a proxy client), instead of the client that runs the check.
    type: str
  custom:
    description:
      - Any other attributes of the definition, for example C(occurrences) and C(refresh) for the handlers'
        filters, or C(subdue), C(proxy_requests), C(aggregates), C(hooks), C(type). Named as in the former
        C(community.general.sensu_check).
    type: dict
  backup:
    description:
      - Keep a copy of a file that is replaced or removed, with a timestamp in its name. Sensu reads only C(*.json)
        files, so the copy is not loaded.
    type: bool
    default: false
  state:
    description:
      - V(present) writes the check's file; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The file takes effect when Sensu reloads (Sensu Enterprise) or restarts (sensu-server and sensu-api of Sensu
    Core); until then the API neither lists nor runs the check.
seealso:
  - module: lighthouse.monitoring.sensu_check_request
"""

EXAMPLES = r"""
- name: A check of every web server
  lighthouse.monitoring.sensu_check:
    name: check_http
    command: check-http.rb -u http://localhost/health
    subscribers: [web]
    interval: 60
    handlers: [mail]
    custom:
      occurrences: 3
    owner: sensu
    group: sensu
    mode: "0640"
  become: true
  notify: sensu reload

- name: A check that runs only on request
  lighthouse.monitoring.sensu_check:
    name: check_ping
    command: "check-ping.rb -h :::address:::"
    subscribers: [linux]
    publish: false
  become: true
  notify: sensu reload
"""

RETURN = r"""
check:
  description: The check after the task (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  sample:
    name: check_http
    path: /etc/sensu/conf.d/check_check_http.json
    definition: {"command": "check-http.rb -u http://localhost/health", "interval": 60, "subscribers": ["web"]}
backup_file:
  description: The copy of the file replaced or removed, with O(backup).
  returned: when a file was replaced or removed with O(backup)
  type: str
  sample: /etc/sensu/conf.d/check_check_http.json.12345.2026-12-02@10:00:00~
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(sensu).
    - One entry, C(type) V(check) and C(name) the check's name. Its changes are the definition's values that differ,
      by dotted path within the definition (C(interval), C(proxy_requests.splay)), and the file's attributes that
      change (C(file.mode), C(file.owner), ...), both from the file as first read; a new file (V(add)) has every
      value of the definition and the declared file attributes. A change of the file's attributes alone is a
      V(change) too; V(remove) and V(none) have no changes.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: sensu
      type: check
      name: check_http
      action: change
      changes:
        interval: {before: 30, after: 60}
        file.mode: {before: "0644", after: "0640"}
"""

from collections.abc import Callable

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import first_line
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check import (
    OPTIONS,
    CheckFile,
    FileOps,
    check_definition,
    check_entry,
    declared_file_options,
    file_changes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync

TYPES = {"subscribers": "list", "handlers": "list", "standalone": "bool", "publish": "bool"}
INTEGERS = ("interval", "timeout", "ttl", "ttl_status", "low_flap_threshold", "high_flap_threshold")


def option_spec(name: str) -> dict:
    kind = "int" if name in INTEGERS else TYPES.get(name, "str")
    return dict(type=kind, elements="str") if kind == "list" else dict(type=kind)


def atomic_move(module: AnsibleModule) -> Callable[[str, str], None]:
    """Ansible's atomic move (it keeps a replaced file's owner, mode and SELinux context); it raises a plain
    Exception when it cannot replace the file."""

    def move(source: str, destination: str) -> None:
        try:
            module.atomic_move(source, destination)
        except Exception as exc:  # noqa: BLE001 - atomic_move raises nothing more specific
            raise MonitoringError(f"Cannot write Sensu check file {destination!r}: {first_line(exc)}") from None

    return move


def main() -> None:
    module = new_module(
        dict(
            name=dict(type="str", required=True),
            conf_dir=dict(type="path", default="/etc/sensu/conf.d"),
            custom=dict(type="dict"),
            backup=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            **{option: option_spec(option) for option in OPTIONS},
        ),
        add_file_common_args=True,
    )
    p = module.params
    warnings: list[str] = []
    with api_errors(module):
        ops = FileOps(backup=module.backup_local if p["backup"] else None, move=atomic_move(module))
        resource = CheckFile(p["conf_dir"], p["name"], ops=ops)
        desired = {"name": p["name"], "path": resource.path}
        if p["state"] == "present":
            desired["definition"] = check_definition(p["name"], p, p["custom"])
        outcome = sync(resource, p["state"], desired, check_mode=module.check_mode)
        warnings = resource.others()
    for warning in warnings:
        module.warn(warning)
    result = outcome.result("check", diff=module._diff)
    files: dict = {}
    if p["state"] == "present" and outcome.after is not None and (not module.check_mode or outcome.before):
        file_args = module.load_file_common_arguments(p, path=resource.path)
        found: dict = {}
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"], diff=found)
        files = file_changes(found)
    if p["state"] == "present" and outcome.before is None:  # a new file: as declared (check mode has no file)
        files = declared_file_options(p)
    result["plan"] = [check_entry(p["name"], outcome, changed=result["changed"], files=files)]
    if ops.backups:
        result["backup_file"] = ops.backups[-1]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
