# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: checkmk
short_description: The hosts monitored by Checkmk as Ansible inventory
version_added: 0.2.0
description:
  - Reads every host of a Checkmk site's Setup with one request to the REST API (effective attributes, as the hosts
    inherit them from their folders) and adds them to the inventory, grouped by folder, monitoring site, labels and
    host tags.
  - Host variables are C(checkmk_folder), C(checkmk_site), C(checkmk_labels), C(checkmk_tags) (tag group -> tag),
    C(checkmk_attributes) (the other effective attributes that have a value; Checkmk shows an attribute nobody set as
    empty) and, for cluster hosts, C(checkmk_cluster_nodes); C(ansible_host) is the host's IP address (C(ipaddress),
    else C(ipv6address)) where it has one.
  - Attributes that hold credentials (C(snmp_community), C(management_snmp_community),
    C(management_ipmi_credentials)) and Checkmk's C(meta_data) are never host variables, nor cached.
extends_documentation_fragment:
  - lighthouse.monitoring.checkmk.plugin
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - lighthouse.monitoring.inventory
options:
  plugin:
    description: The name of this plugin; it makes a YAML file an inventory source of this plugin.
    type: str
    required: true
    choices: [lighthouse.monitoring.checkmk]
  group_by:
    description:
      - Which groups to build.
      - V(folder) - C(folder_<path>) for each folder, nested as the folders are (C(folder_linux_web) is a child of
        C(folder_linux)); hosts in the main folder are in no folder group.
      - V(site) - C(site_<site>), the site that monitors the host.
      - V(labels) - C(label_<key>_<value>) for each host label.
      - V(tags) - C(tag_<group>_<tag>) for each host tag (C(tag_criticality_prod)).
    type: list
    elements: str
    choices: [folder, site, labels, tags]
    default: [folder, site, labels, tags]
  host_vars:
    description:
      - Which C(checkmk_*) host variables to set - V(folder), V(site), V(labels), V(tags), V(attributes) (see above).
        C(ansible_host) and, for cluster hosts, C(checkmk_cluster_nodes) are always set.
      - With many hosts, leave out what the playbooks do not use - Ansible (ansible-core 2.19) takes about half a
        second per 10,000 hosts for each variable whose value is a dictionary (labels, tags, attributes).
    type: list
    elements: str
    choices: [folder, site, labels, tags, attributes]
    default: [folder, site, labels, tags, attributes]
  folder:
    description:
      - Only the hosts in this folder and its subfolders, for example V(/linux/web).
    type: str
  sites:
    description:
      - Only the hosts monitored by one of these sites.
    type: list
    elements: str
  labels:
    description:
      - Only the hosts that have all of these labels, with these values.
    type: dict
notes:
  - The connection options can be set in the file or through the environment variables of the modules
    (E(CHECKMK_SERVER_URL), E(CHECKMK_SITE), E(CHECKMK_API_USER), E(CHECKMK_API_SECRET), ...). Encrypt the secret
    with Ansible Vault when it is in the file.
seealso:
  - plugin: lighthouse.monitoring.checkmk_host
    plugin_type: lookup
  - module: lighthouse.monitoring.checkmk_hosts
"""

EXAMPLES = r"""
# prod.checkmk.yml: every monitored host, grouped by folder, site, labels and tags.
plugin: lighthouse.monitoring.checkmk
server_url: https://monitoring.example.com
site: mysite
api_user: automation
# api_secret from CHECKMK_API_SECRET in the environment, or here encrypted with ansible-vault encrypt_string

---
# web.checkmk.yml: only the Linux web servers of one site, and a group per operating system label.
plugin: lighthouse.monitoring.checkmk
folder: /linux/web
sites: [mysite]
labels:
  env: prod
group_by: [folder, tags]
keyed_groups:
  - key: checkmk_labels.os | default('unknown')
    prefix: os
compose:
  ansible_user: "'admin' if checkmk_tags.criticality == 'prod' else 'ansible'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600

# Use:  ansible-inventory -i web.checkmk.yml --graph
#       ansible-playbook -i prod.checkmk.yml patch.yml --limit folder_linux_web
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import (
    CheckmkClient,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.inventory import (
    read_hosts,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import (
    connection_options,
)
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import (
    GroupPath,
    MonitoringInventory,
    group_name,
)


class InventoryModule(MonitoringInventory):
    NAME = "lighthouse.monitoring.checkmk"
    BACKEND = "Checkmk"

    def read(self) -> list[dict[str, Any]]:
        return read_hosts(CheckmkClient.from_params(connection_options(self, CONNECTION)))

    def check_filters(self) -> None:
        folder = self.get_option("folder")
        if folder is not None and not str(folder).startswith("/"):
            raise ValidationError(f"the filter folder must be a folder path such as /linux/web, not {folder!r}")
        for key, value in (self.get_option("labels") or {}).items():
            if not isinstance(value, (str, int, float, bool)):
                raise ValidationError(f"the filter labels must map each label to one value, not {key}: {value!r}")

    def keep(self, host: Mapping[str, Any]) -> bool:
        folder = (self.get_option("folder") or "/").rstrip("/")
        if folder and host["folder"] != folder and not host["folder"].startswith(folder + "/"):
            return False
        sites = self.get_option("sites")
        if sites and host["site"] not in sites:
            return False
        labels = self.get_option("labels") or {}
        return all(host["labels"].get(key) == _label_value(value) for key, value in labels.items())

    def host_vars(self, host: Mapping[str, Any]) -> dict[str, Any]:
        variables = {f"checkmk_{fact}": host[fact] for fact in self.get_option("host_vars")}
        if host["cluster_nodes"] is not None:
            variables["checkmk_cluster_nodes"] = host["cluster_nodes"]
        if host["address"]:
            variables["ansible_host"] = host["address"]
        return variables

    def groups(self, host: Mapping[str, Any]) -> Iterable[GroupPath]:
        wanted = set(self.get_option("group_by"))
        if "folder" in wanted:
            segments = [s for s in host["folder"].split("/") if s]
            if segments:
                yield [group_name("folder", *segments[:depth]) for depth in range(1, len(segments) + 1)]
        if "site" in wanted and host["site"]:
            yield [group_name("site", host["site"])]
        if "labels" in wanted:
            yield from ([group_name("label", key, value)] for key, value in host["labels"].items())
        if "tags" in wanted:
            yield from ([group_name("tag", key, value)] for key, value in host["tags"].items())


def _label_value(value: Any) -> str:
    """A label value as Checkmk keeps it (text): YAML's ``true`` is ``"true"``."""
    return str(value).lower() if isinstance(value, bool) else str(value)
