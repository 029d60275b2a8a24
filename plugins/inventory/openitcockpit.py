# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: openitcockpit
short_description: The hosts configured in openITCOCKPIT as Ansible inventory
version_added: 0.2.0
description:
  - Reads the enabled hosts of an openITCOCKPIT server through its JSON API, those in monitoring and those created
    since the last refresh of the monitoring configuration, and adds them to the inventory, grouped by container
    (tenant, location, node), host group and satellite.
  - The requests do not grow with the number of hosts. One listing each of the containers, host templates, host
    groups, monitored hosts and not yet monitored hosts (page by page, 1000 rows a page), and one request per host
    group, whose edit view is the only answer that lists a group's members.
  - Host variables are C(openitcockpit_id), C(openitcockpit_uuid), C(openitcockpit_address),
    C(openitcockpit_description), C(openitcockpit_container) (the primary container's path, like
    C(/root/ACME/Berlin)), C(openitcockpit_shared_containers), C(openitcockpit_host_template),
    C(openitcockpit_host_groups) (the host's own, else those of its template, as openITCOCKPIT applies them),
    C(openitcockpit_satellite) (the satellite's name; C(Mastersystem) for the master),
    C(openitcockpit_satellite_id) (0 for the master), C(openitcockpit_tags), C(openitcockpit_priority),
    C(openitcockpit_monitored) (false until the next refresh of the monitoring configuration) and
    C(openitcockpit_disabled); C(ansible_host) is the host's address.
  - Disabled hosts are not in openITCOCKPIT's host lists, so not in the inventory.
  - The API key is never a host variable, nor cached.
extends_documentation_fragment:
  - lighthouse.monitoring.openitcockpit.plugin
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - lighthouse.monitoring.inventory
options:
  plugin:
    description: The name of this plugin; it makes a YAML file an inventory source of this plugin.
    type: str
    required: true
    choices: [lighthouse.monitoring.openitcockpit]
  group_by:
    description:
      - Which groups to build.
      - V(container) - C(container_<path>) for each container below C(root), nested as the containers are
        (C(container_ACME_Berlin) is a child of C(container_ACME)); hosts in C(root) itself are in no container group.
      - V(host_group) - C(hostgroup_<name>) for each host group of the host.
      - V(satellite) - C(satellite_<name>), the satellite that monitors the host; C(satellite_Mastersystem) for the
        master.
    type: list
    elements: str
    choices: [container, host_group, satellite]
    default: [container, host_group, satellite]
  container:
    description:
      - Only the hosts whose primary container is this container or one below it, for example V(/root/ACME) or
        V(ACME) (the C(/root) at the front may be left out).
    type: str
  host_groups:
    description:
      - Only the hosts in at least one of these host groups.
    type: list
    elements: str
  satellites:
    description:
      - Only the hosts monitored by one of these satellites; V(Mastersystem) is the master.
    type: list
    elements: str
notes:
  - The connection options can be set in the file or through the environment variables of the modules
    (E(OITC_URL), E(OITC_API_KEY), ...). Encrypt the API key with Ansible Vault when it is in the file.
  - The plugin sees the hosts the API key's user may see.
seealso:
  - module: lighthouse.monitoring.openitcockpit_host
  - module: lighthouse.monitoring.openitcockpit_container
"""

EXAMPLES = r"""
# prod.openitcockpit.yml: every host, grouped by container, host group and satellite.
plugin: lighthouse.monitoring.openitcockpit
server_url: https://oitc.example.com
# api_key from OITC_API_KEY in the environment, or here encrypted with ansible-vault encrypt_string

---
# berlin.openitcockpit.yml: only the hosts of one location monitored by a satellite, a group per priority.
plugin: lighthouse.monitoring.openitcockpit
container: /root/ACME/Berlin
satellites: [sat-berlin]
host_groups: [Linux servers, Web servers]
group_by: [container, host_group]
keyed_groups:
  - key: openitcockpit_priority
    prefix: priority
compose:
  ansible_user: "'ansible'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600

# Use:  ansible-inventory -i berlin.openitcockpit.yml --graph
#       ansible-playbook -i prod.openitcockpit.yml patch.yml --limit container_ACME_Berlin
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import OitcClient
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.container import (
    parse_path,
    path_text,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.inventory import read_hosts
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import connection_options
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import (
    GroupPath,
    MonitoringInventory,
    group_name,
)


class InventoryModule(MonitoringInventory):
    NAME = "lighthouse.monitoring.openitcockpit"
    BACKEND = "openITCOCKPIT"

    def read(self) -> list[dict[str, Any]]:
        hosts = read_hosts(OitcClient.from_params(connection_options(self, CONNECTION)))
        names: dict[str, int] = {}
        for host in hosts:
            names[host["name"]] = names.get(host["name"], 0) + 1
        twice = sorted(name for name, count in names.items() if count > 1)
        if twice:  # openITCOCKPIT does not keep names unique; Ansible does: the variables would be mixed
            self.display.warning(
                f"openITCOCKPIT has several hosts named {', '.join(twice)}; the inventory has the one with the "
                "lowest id of each (rename the others)"
            )
            seen: set[str] = set()
            hosts = [h for h in hosts if not (h["name"] in seen or seen.add(h["name"]))]
        return hosts

    def check_filters(self) -> None:
        container = self.get_option("container")
        if container is not None:
            try:
                parse_path(container)
            except ValidationError as exc:
                raise ValidationError(f"the filter container cannot match: {exc}") from None
        for option in ("host_groups", "satellites"):
            for name in self.get_option(option) or []:
                if not isinstance(name, str) or not name.strip():
                    raise ValidationError(f"the filter {option} must list names, not {name!r}")

    def keep(self, host: Mapping[str, Any]) -> bool:
        container = self.get_option("container")
        if container is not None:
            wanted = path_text(parse_path(container))
            path = host["container"] or ""
            if path != wanted and not path.startswith(wanted.rstrip("/") + "/"):
                return False
        groups = self.get_option("host_groups")
        if groups and not set(groups) & set(host["host_groups"]):
            return False
        satellites = self.get_option("satellites")
        return not satellites or host["satellite"] in satellites

    def host_vars(self, host: Mapping[str, Any]) -> dict[str, Any]:
        variables = {
            f"openitcockpit_{key}": host[key]
            for key in (
                "id",
                "uuid",
                "address",
                "description",
                "container",
                "shared_containers",
                "host_template",
                "host_groups",
                "satellite",
                "satellite_id",
                "tags",
                "priority",
                "monitored",
                "disabled",
            )
        }
        if host["address"]:
            variables["ansible_host"] = host["address"]
        return variables

    def groups(self, host: Mapping[str, Any]) -> Iterable[GroupPath]:
        wanted = set(self.get_option("group_by"))
        if "container" in wanted and host["container"]:
            names = _below_root(host["container"])
            if names:
                yield [group_name("container", *names[:depth]) for depth in range(1, len(names) + 1)]
        if "host_group" in wanted:
            yield from ([group_name("hostgroup", name)] for name in host["host_groups"])
        if "satellite" in wanted and host["satellite"]:
            yield [group_name("satellite", host["satellite"])]


def _below_root(path: str) -> list[str]:
    """``/root/ACME/Berlin`` -> ["ACME", "Berlin"]: the names of a path openITCOCKPIT listed, taken as they are."""
    names = [name for name in path.split("/") if name]
    return names[1:] if names[:1] == ["root"] else names
