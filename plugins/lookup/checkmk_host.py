# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: checkmk_host
short_description: A Checkmk host's folder, site, effective attributes, labels and tags
version_added: 0.2.0
description:
  - Reads each named host from the Checkmk REST API with its effective attributes (as it inherits them from its
    folders), one request per host.
  - Returns, per host, what the inventory plugin P(lighthouse.monitoring.checkmk#inventory) sets as host variables,
    without the C(checkmk_) prefix.
  - A host that Checkmk does not have is an error; with C(errors='ignore') the lookup returns nothing for it.
  - Attributes that hold credentials (C(snmp_community), C(management_snmp_community),
    C(management_ipmi_credentials)) and C(meta_data) are left out.
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk.plugin
options:
  _terms:
    description: Names of the hosts.
    type: list
    elements: str
    required: true
notes:
  - The connection options are the modules' ones, with the same environment variables (E(CHECKMK_SERVER_URL), ...);
    pass them as keyword arguments to override the environment.
  - Lookups run on the controller.
seealso:
  - plugin: lighthouse.monitoring.checkmk
    plugin_type: inventory
  - module: lighthouse.monitoring.checkmk_host
"""

EXAMPLES = r"""
- name: Where a host is monitored, and its maintenance window, which a label tells
  ansible.builtin.debug:
    msg: "{{ web01.site }}, {{ web01.folder }}, window {{ web01.labels.window | default('none') }}"
  vars:
    web01: "{{ lookup('lighthouse.monitoring.checkmk_host', 'web01') }}"

- name: Several hosts at once, with the connection given here
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.address }}"
  loop: "{{ query('lighthouse.monitoring.checkmk_host', 'web01', 'web02', server_url=url, site='mysite',
                   api_user='automation', api_secret=vaulted_secret) }}"

- name: Whether a host is monitored at all
  ansible.builtin.set_fact:
    monitored: "{{ lookup('lighthouse.monitoring.checkmk_host', inventory_hostname, errors='ignore') is not none }}"
"""

RETURN = r"""
_raw:
  description: One entry per host named.
  type: list
  elements: dict
  contains:
    name:
      description: The host name.
      type: str
    folder:
      description: The host's folder path, V(/) for the main folder.
      type: str
    site:
      description: The site that monitors the host.
      type: str
    attributes:
      description: The other effective attributes that have a value (Checkmk shows an attribute nobody set as empty).
      type: dict
    labels:
      description: The host labels.
      type: dict
    tags:
      description: The host tags, tag group -> tag ID.
      type: dict
    address:
      description: The IP address (C(ipaddress), else C(ipv6address)), or V(null).
      type: str
    cluster_nodes:
      description: The nodes of a cluster host; V(null) for other hosts.
      type: list
      elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.inventory import read_host
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import connection_options, one_line


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        hosts = []
        with one_line(AnsibleLookupError):
            client = CheckmkClient.from_params(connection_options(self, CONNECTION))
            for name in terms:
                host = read_host(client, str(name))
                if host is None:
                    raise AnsibleLookupError(f"Checkmk has no host {name!r}")
                hosts.append(host)
        return hosts
