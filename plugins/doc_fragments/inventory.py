# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # What every inventory plugin of the collection shares (plugins/plugin_utils/_inventory.py).
    # A fragment must declare options: it has none of its own (each plugin's differ).
    DOCUMENTATION = r"""
options: {}
notes:
  - The inventory source is a YAML file whose name ends with the plugin's short name and C(.yml) or C(.yaml), for
    example C(prod.checkmk.yml), with O(plugin) set to the plugin's name.
  - Group names are made of the parts the plugin's O(group_by) describes, joined with C(_); any character Ansible
    does not allow in a group name becomes C(_) (C(web server) -> C(web_server)).
  - With O(cache=true), only the hosts are cached, never the connection options; the filters apply to the cached
    hosts, so changing a filter needs no new request.
  - A source that cannot be read (server unreachable, wrong credentials, a filter that cannot match as written) gives
    one line that names the source and the cause. Ansible then only warns and goes on without those hosts; set
    C(unparsed_is_failed = true) in the C([inventory]) section of C(ansible.cfg) (E(ANSIBLE_INVENTORY_UNPARSED_FAILED))
    to make it fail.
"""
