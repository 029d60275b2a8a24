# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: opsview
short_description: The hosts monitored by Opsview as Ansible inventory
version_added: 0.2.0
description:
  - Reads every host of an Opsview server's configuration through the REST API and adds them to the inventory,
    grouped by host group (nested as the host groups are), hashtags (keywords), monitoring cluster and host
    templates.
  - Three requests whatever the number of hosts - the login, the hosts (one listing with C(rows=all)) and the host
    groups (for the paths of the groups, which the hosts name by name only); two with a session token.
  - Host variables are C(opsview_hostgroup) (the path of the host's group, C(Opsview/Linux/Web)),
    C(opsview_monitored_by) (the monitoring cluster), C(opsview_keywords) (hashtags), C(opsview_templates),
    C(opsview_parents), C(opsview_alias), C(opsview_id) and C(opsview_variables), the names of the host's
    variables; C(ansible_host) is the host's address (C(ip), an IP address or a DNS name) where it has one.
  - The values and arguments of variables are never host variables, nor cached - Opsview keeps credentials in
    them, and its listing does not say which are secure. Neither are SNMP settings or anything else of the host.
extends_documentation_fragment:
  - lighthouse.monitoring.opsview.plugin
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - lighthouse.monitoring.inventory
options:
  plugin:
    description: The name of this plugin; it makes a YAML file an inventory source of this plugin.
    type: str
    required: true
    choices: [lighthouse.monitoring.opsview]
  group_by:
    description:
      - Which groups to build.
      - V(hostgroup) - C(hostgroup_<path>) for each host group below the top one, nested as the host groups are
        (C(hostgroup_Linux_Web) for C(Opsview/Linux/Web) is a child of C(hostgroup_Linux)); the top group, which
        holds every host, makes no group.
      - V(keywords) - C(keyword_<name>) for each hashtag of the host.
      - V(monitored_by) - C(monitored_by_<cluster>), the monitoring cluster that monitors the host
        (C(monitored_by_Master_Monitoring_Server)).
      - V(templates) - C(template_<name>) for each host template (C(template_OS___Unix_Base) for C(OS - Unix Base)).
    type: list
    elements: str
    choices: [hostgroup, keywords, monitored_by, templates]
    default: [hostgroup, keywords, monitored_by, templates]
  hostgroup:
    description:
      - Only the hosts in this host group and the groups below it, given by its path from the top group down as
        the modules take it, for example V(Opsview/Linux).
      - Names compare ignoring case, as Opsview compares them.
    type: str
  keywords:
    description:
      - Only the hosts that have all of these hashtags (names without C(#)), ignoring case.
    type: list
    elements: str
  monitored_by:
    description:
      - Only the hosts monitored by one of these monitoring clusters, ignoring case.
    type: list
    elements: str
notes:
  - The connection options can be set in the file or through the environment variables of the modules
    (E(OPSVIEW_URL), E(OPSVIEW_USERNAME), E(OPSVIEW_PASSWORD), ...). Encrypt the password with Ansible Vault when
    it is in the file.
  - The user's role needs to view the configuration of hosts and host groups.
  - The inventory is Opsview's configuration as it is, including changes not yet activated by a reload.
seealso:
  - module: lighthouse.monitoring.opsview_hosts
  - module: lighthouse.monitoring.opsview_hostgroup
"""

EXAMPLES = r"""
# prod.opsview.yml: every host, grouped by host group, hashtags, monitoring cluster and host templates.
plugin: lighthouse.monitoring.opsview
server_url: https://opsview.example.com
username: ansible
# password from OPSVIEW_PASSWORD in the environment, or here encrypted with ansible-vault encrypt_string

---
# web.opsview.yml: only the Linux hosts with the hashtag webfarm that one cluster monitors, and a group for each
# variable the hosts have (has_variable_DISK...).
plugin: lighthouse.monitoring.opsview
hostgroup: Opsview/Linux
keywords: [webfarm]
monitored_by: [Collectors Frankfurt]
group_by: [hostgroup, templates]
keyed_groups:
  - key: opsview_variables
    prefix: has_variable
compose:
  ansible_user: "'admin' if 'production' in opsview_keywords else 'ansible'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600

# Use:  ansible-inventory -i web.opsview.yml --graph
#       ansible-playbook -i prod.opsview.yml patch.yml --limit hostgroup_Linux_Web
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview._client import OpsviewClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.hostgroup import parse_path
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.inventory import read_hosts
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import (
    connection_options,
)
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import (
    GroupPath,
    MonitoringInventory,
    group_name,
)

# Opsview's hashtag names: letters, digits, '_' and '-'.
_KEYWORD = re.compile(r"^[\w-]{1,128}$")


class InventoryModule(MonitoringInventory):
    NAME = "lighthouse.monitoring.opsview"
    BACKEND = "Opsview"

    def read(self) -> list[dict[str, Any]]:
        return read_hosts(OpsviewClient.from_params(connection_options(self, CONNECTION)))

    def check_filters(self) -> None:
        hostgroup = self.get_option("hostgroup")
        if hostgroup is not None:
            try:
                parse_path(hostgroup)
            except ValidationError as exc:
                raise ValidationError(f"the filter hostgroup cannot match: {exc}") from None
        for keyword in self.get_option("keywords") or []:
            if not isinstance(keyword, str) or not _KEYWORD.match(keyword):
                raise ValidationError(
                    f"the filter keywords cannot match {keyword!r}: a hashtag's name is letters, digits, _ and - "
                    "(without #)"
                )
        for cluster in self.get_option("monitored_by") or []:
            if not isinstance(cluster, str) or not 0 < len(cluster) <= 64:
                raise ValidationError(
                    f"the filter monitored_by cannot match {cluster!r}: a monitoring cluster's name is 1 to 64 "
                    "characters"
                )

    def keep(self, host: Mapping[str, Any]) -> bool:
        hostgroup = self.get_option("hostgroup")
        if hostgroup is not None and not self._in_hostgroup(host["hostgroup_path"], hostgroup):
            return False
        clusters = {c.casefold() for c in self.get_option("monitored_by") or []}
        if clusters and (host["monitored_by"] or "").casefold() not in clusters:
            return False
        keywords = {k.casefold() for k in host["keywords"]}
        return all(k.casefold() in keywords for k in self.get_option("keywords") or [])

    @staticmethod
    def _in_hostgroup(path: list[str], text: str) -> bool:
        wanted = [name.casefold() for name in parse_path(text)]
        if len(path) > 1 and wanted[0] != path[0].casefold():  # a path of one: a group the listing lacked
            raise ValidationError(
                f"the filter hostgroup {text!r} cannot match: a path starts with the top host group {path[0]!r}, "
                f"as in {path[0]}/{text.strip('/')}"
            )
        return [name.casefold() for name in path[: len(wanted)]] == wanted

    def host_vars(self, host: Mapping[str, Any]) -> dict[str, Any]:
        variables = {
            "opsview_id": host["id"],
            "opsview_alias": host["alias"],
            "opsview_hostgroup": host["hostgroup"],
            "opsview_monitored_by": host["monitored_by"],
            "opsview_keywords": host["keywords"],
            "opsview_templates": host["templates"],
            "opsview_parents": host["parents"],
            "opsview_variables": host["variables"],
        }
        if host["address"]:
            variables["ansible_host"] = host["address"]
        return variables

    def groups(self, host: Mapping[str, Any]) -> Iterable[GroupPath]:
        wanted = set(self.get_option("group_by"))
        if "hostgroup" in wanted:
            below_top = host["hostgroup_path"][1:]
            if below_top:
                yield [group_name("hostgroup", *below_top[:depth]) for depth in range(1, len(below_top) + 1)]
        if "keywords" in wanted:
            yield from ([group_name("keyword", keyword)] for keyword in host["keywords"])
        if "monitored_by" in wanted and host["monitored_by"]:
            yield [group_name("monitored_by", host["monitored_by"])]
        if "templates" in wanted:
            yield from ([group_name("template", template)] for template in host["templates"])
