#!/usr/bin/python
# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: checkmk_folder
short_description: Manage folders in Checkmk
version_added: 0.1.0
description:
  - Create, update or delete a folder in Checkmk's setup through the REST API.
  - Folder attributes (for example C(site), C(tag_*) or C(labels)) are inherited by the hosts and folders below.
  - The module reads the folder, compares it with the task and changes only what differs. Every change is recorded
    by Checkmk as a pending change, to be activated with M(lighthouse.monitoring.checkmk_activation) or the
    C(checkmk activate changes) handler.
author:
  - Lighthouse Monitoring maintainers (@lighthouse-monitoring)
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk
  - lighthouse.monitoring.attributes
  - lighthouse.monitoring.attributes.actiongroup_checkmk
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  path:
    description:
      - The folder's path, for example V(/linux/web). V(~linux~web), V(linux/web/) and V(\\linux\\web) mean the same.
      - Each part may contain letters, digits, V(-) and V(_); it is the folder's name on disk and in URLs.
      - Missing parent folders are created, like C(mkdir -p).
      - The root folder V(/) exists always; its title and attributes can be managed, it cannot be deleted.
    type: str
    required: true
  title:
    description:
      - The title shown in the user interface.
      - If not set, a new folder gets its name as title and the title of an existing folder is left alone.
    type: str
  attributes:
    description:
      - Folder attributes. By default only the attributes listed are managed and C(labels) are merged with the
        folder's labels. See O(purge_attributes).
    type: dict
    default: {}
  purge_attributes:
    description:
      - Make O(attributes) the folder's complete set of attributes, removing the attributes (and labels) not listed.
    type: bool
    default: false
  recursive:
    description:
      - With O(state=absent), also delete the hosts and folders inside the folder.
      - If V(false), deleting a folder that is not empty fails and nothing is deleted.
    type: bool
    default: false
  state:
    description:
      - Whether the folder should exist.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: lighthouse.monitoring.checkmk_host
"""

EXAMPLES = r"""
- name: Create a folder for web servers, monitored by a remote site
  lighthouse.monitoring.checkmk_folder:
    server_url: https://monitoring.example.com
    site: central
    api_user: automation
    api_secret: "{{ vault_checkmk_secret }}"
    path: /linux/web
    title: Web servers
    attributes:
      site: remote1
      tag_criticality: prod
      labels:
        team: web
  delegate_to: localhost

- name: Make the listed attributes the folder's only attributes
  lighthouse.monitoring.checkmk_folder:
    path: /linux/web
    attributes:
      tag_criticality: test
    purge_attributes: true
  delegate_to: localhost

- name: Delete the folder, which must be empty
  lighthouse.monitoring.checkmk_folder:
    path: /linux/web
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
folder:
  description: The folder after the task (in check mode, as it would be); V(null) when it is absent.
  returned: always
  type: dict
  contains:
    path:
      description: The folder's path.
      type: str
      sample: /linux/web
    title:
      description: The folder's title.
      type: str
      sample: Web servers
    attributes:
      description: The folder's own attributes, without server-managed meta data.
      type: dict
      sample: {"site": "remote1", "labels": {"team": "web"}}
created_folders:
  description: Parent folders that were created (in check mode, would be) because they were missing.
  returned: always
  type: list
  elements: str
  sample: ["/linux"]
pending_changes:
  description: The pending changes that this task recorded in Checkmk, to be activated. Empty in check mode.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "9a1c...", "action_name": "new-folder", "text": "Created new folder web",
            "user_id": "automation", "time": "2026-11-22T10:00:00+00:00"}]
plan:
  description:
    - What the task did (in check mode, would do), object by object, in the shape the notes describe (the same in
      every module of the collection), with C(backend) V(checkmk).
    - C(type) is V(folder), and before it one V(folder) entry (action V(add)) for each parent folder the task
      creates.
  returned: always
  type: list
  elements: dict
  sample:
    - backend: checkmk
      type: folder
      name: /linux/web
      action: change
      changes:
        attributes.labels.env:
          before: test
          after: prod
"""

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import connection_spec
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient, subject
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.folder import (
    FolderResource,
    desired_folder,
    with_folders,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._module import api_errors, new_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import sync


def main() -> None:
    module = new_module(
        dict(
            connection_spec(),
            path=dict(type="str", required=True),
            title=dict(type="str"),
            attributes=dict(type="dict", default={}),
            purge_attributes=dict(type="bool", default=False),
            recursive=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
    )
    p = module.params
    with api_errors(module):
        client = CheckmkClient.from_params(p)
        desired = desired_folder(p)
        resource = FolderResource(
            client, p["path"], present=p["state"] == "present", purge=p["purge_attributes"], recursive=p["recursive"]
        )
        outcome = sync(resource, p["state"], desired, check_mode=module.check_mode)
        outcome = with_folders(outcome, subject("folder", resource.path), resource.created_folders)
        extra = dict(created_folders=resource.created_folders, pending_changes=client.recorded_changes())
    module.exit_json(**outcome.result("folder", diff=module._diff), **extra)


if __name__ == "__main__":
    main()
