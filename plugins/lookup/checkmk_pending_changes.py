# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: checkmk_pending_changes
short_description: The changes waiting for activation on a Checkmk site, and who made them
version_added: 0.2.0
description:
  - Reads the pending changes of the site with one request to the REST API, oldest first, as Checkmk lists them.
  - Takes no terms.
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk.plugin
options:
  user:
    description:
      - Only the changes made by this user (for example the automation user of a pipeline, or a colleague).
    type: str
notes:
  - The connection options are the modules' ones, with the same environment variables (E(CHECKMK_SERVER_URL), ...);
    pass them as keyword arguments to override the environment.
  - M(lighthouse.monitoring.checkmk_activation) activates them; it activates only when there is something to
    activate.
seealso:
  - module: lighthouse.monitoring.checkmk_activation
"""

EXAMPLES = r"""
- name: Refuse to activate when a colleague has changes waiting
  ansible.builtin.assert:
    that: others | length == 0
    fail_msg: "Changes of {{ others | map(attribute='user_id') | unique | join(', ') }} are waiting for activation"
  vars:
    others: "{{ query('lighthouse.monitoring.checkmk_pending_changes') | rejectattr('user_id', 'eq', 'automation') }}"

- name: What the pipeline's own user has pending
  ansible.builtin.debug:
    msg: "{{ query('lighthouse.monitoring.checkmk_pending_changes', user='automation') | map(attribute='text') }}"
"""

RETURN = r"""
_raw:
  description: One entry per pending change.
  type: list
  elements: dict
  contains:
    id:
      description: The change's ID.
      type: str
    user_id:
      description: Who made the change (V(null) for changes Checkmk made itself).
      type: str
    action_name:
      description: What kind of change it is, for example V(create-host) or V(edit-folder).
      type: str
    text:
      description: Checkmk's description of the change.
      type: str
    time:
      description: When the change was made (ISO 8601).
      type: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import connection_options, one_line

KEYS = ("id", "user_id", "action_name", "text", "time")


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if terms:
            raise AnsibleLookupError("it takes no terms, only options (for example user=...)")
        user = self.get_option("user")
        with one_line(AnsibleLookupError):
            client = CheckmkClient.from_params(connection_options(self, CONNECTION))
            changes, _etag = client.pending_changes()
        return [
            {key: change.get(key) for key in KEYS}
            for change in changes
            if isinstance(change, dict) and (user is None or change.get("user_id") == user)
        ]
