# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: sensu
short_description: The clients of Sensu classic as Ansible inventory
version_added: 0.2.0
description:
  - Reads every client of a Sensu classic installation (Sensu Core 1.x or Sensu Enterprise, not Sensu Go) with one
    request to its API (C(GET /clients)) and adds them to the inventory, grouped by subscription and environment.
  - Host variables are C(sensu_address), C(sensu_subscriptions), C(sensu_environment) (the client's C(environment)
    attribute, or null), C(sensu_keepalives) (whether Sensu expects keepalives, false for a client that only exists
    through the API), C(sensu_version) (of its sensu-client), C(sensu_timestamp) (the epoch of its last keepalive,
    or of its last write through the API) and C(sensu_attributes) (every other attribute, custom ones and Sensu's
    own, such as C(safe_mode) or C(socket)); C(ansible_host) is the client's address, unless Sensu knows none
    (C(unknown), the address of clients that Sensu registers for a result's C(source)).
  - C(sensu_subscriptions) and the groups leave out C(client:<name>), the subscription Sensu adds to every client
    itself.
  - Nothing secret is a host variable, nor cached - values that Sensu shows as C(REDACTED) (the client's C(redact)
    list, else Sensu's defaults such as C(password), C(api_key) or C(secret)), and the keys that Sensu redacts by
    default and the client's C(signature) even where the client's own C(redact) list lets Sensu show them.
extends_documentation_fragment:
  - lighthouse.monitoring.sensu.plugin
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - lighthouse.monitoring.inventory
options:
  plugin:
    description: The name of this plugin; it makes a YAML file an inventory source of this plugin.
    type: str
    required: true
    choices: [lighthouse.monitoring.sensu]
  group_by:
    description:
      - Which groups to build.
      - V(subscriptions) - C(subscription_<subscription>) for each subscription of the client.
      - V(environment) - C(environment_<environment>), for clients with an C(environment) attribute.
    type: list
    elements: str
    choices: [subscriptions, environment]
    default: [subscriptions, environment]
  subscriptions:
    description:
      - Only the clients subscribed to at least one of these subscriptions.
      - V(client:<name>) keeps the client of that name, as Sensu subscribes every client to it.
    type: list
    elements: str
  attributes:
    description:
      - Only the clients that have all of these attributes with these values, compared as Sensu's own
        C(filter.<attribute>=<value>) compares them - equal, or equal as text (V(false) matches C("false"));
        C(name), C(address), C(keepalives) and C(version) are attributes too.
      - A dotted name is an attribute inside another one (V(socket.port)).
      - A null value keeps the clients that do not have the attribute; a value Sensu hides counts as not there.
      - A filter on a secret attribute (C(password), ...) or on C(subscriptions) (use O(subscriptions)) is refused.
    type: dict
notes:
  - The connection options can be set in the file or through the environment variables of the modules
    (E(SENSU_API_URL), E(SENSU_API_USER), E(SENSU_API_PASSWORD), ...). Encrypt the password with Ansible Vault when
    it is in the file.
  - The filters are applied to the clients read, never sent to Sensu as its C(filter.*) parameters, so that they
    apply to cached clients too.
seealso:
  - module: lighthouse.monitoring.sensu_client
"""

EXAMPLES = r"""
# prod.sensu.yml: every client, grouped by subscription and environment.
plugin: lighthouse.monitoring.sensu
server_url: http://sensu.example.com:4567
username: admin
# password from SENSU_API_PASSWORD in the environment, or here encrypted with ansible-vault encrypt_string

---
# web.sensu.yml: the production web servers, a group per Sensu version, and a user per environment.
plugin: lighthouse.monitoring.sensu
subscriptions: [web, roundrobin:web]
attributes:
  environment: production
  keepalives: true
group_by: [subscriptions]
keyed_groups:
  - key: sensu_version | default('none')
    prefix: sensu_version
compose:
  ansible_user: "'deploy' if sensu_environment == 'production' else 'ansible'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600

# Use:  ansible-inventory -i web.sensu.yml --graph
#       ansible-playbook -i prod.sensu.yml patch.yml --limit subscription_web
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._args import CONNECTION
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SUBSCRIPTION, SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import own_subscription
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.inventory import (
    SECRET_KEYS,
    attribute_matches,
    read_clients,
)
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import (
    connection_options,
)
from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._inventory import (
    GroupPath,
    MonitoringInventory,
    group_name,
)

# The address Sensu gives a client it registers for a result's source: no address to connect to.
NO_ADDRESS = "unknown"


class InventoryModule(MonitoringInventory):
    NAME = "lighthouse.monitoring.sensu"
    BACKEND = "Sensu"

    def read(self) -> list[dict[str, Any]]:
        return read_clients(SensuApi.from_params(connection_options(self, CONNECTION)))

    def check_filters(self) -> None:
        for item in self.get_option("subscriptions") or []:
            if not isinstance(item, str) or not SUBSCRIPTION.match(item):
                raise ValidationError(
                    "the filter subscriptions must hold Sensu subscription names (letters, digits, '_', '.', '-' "
                    f"and ':'), not {item!r}"
                )
        for key, value in (self.get_option("attributes") or {}).items():
            parts = str(key).split(".")
            if not all(parts):
                raise ValidationError(f"the filter attributes must name attributes such as socket.port, not {key!r}")
            if parts[0] == "subscriptions":
                raise ValidationError(
                    "the filter attributes cannot match subscriptions, a list; use the filter subscriptions"
                )
            secret = next((part for part in parts if part in SECRET_KEYS), None)
            if secret:
                raise ValidationError(
                    f"the filter attributes cannot match {key}: Sensu hides the value of {secret}, and this "
                    "inventory keeps secrets out"
                )
            if value is not None and not isinstance(value, (str, int, float, bool)):
                raise ValidationError(
                    f"the filter attributes must map each attribute to one value, not {key}: {value!r}"
                )

    def keep(self, host: Mapping[str, Any]) -> bool:
        wanted = self.get_option("subscriptions")
        if wanted and not {*host["subscriptions"], own_subscription(host["name"])} & set(wanted):
            return False
        attributes = self.get_option("attributes") or {}
        return all(attribute_matches(host, str(key), value) for key, value in attributes.items())

    def host_vars(self, host: Mapping[str, Any]) -> dict[str, Any]:
        variables = {
            "sensu_address": host["address"],
            "sensu_subscriptions": host["subscriptions"],
            "sensu_environment": host["environment"],
            "sensu_keepalives": host["keepalives"],
            "sensu_version": host["version"],
            "sensu_timestamp": host["timestamp"],
            "sensu_attributes": host["attributes"],
        }
        if host["address"] and host["address"] != NO_ADDRESS:
            variables["ansible_host"] = host["address"]
        return variables

    def groups(self, host: Mapping[str, Any]) -> Iterable[GroupPath]:
        wanted = set(self.get_option("group_by"))
        if "subscriptions" in wanted:
            yield from ([group_name("subscription", s)] for s in host["subscriptions"])
        if "environment" in wanted and host["environment"]:
            yield [group_name("environment", host["environment"])]
