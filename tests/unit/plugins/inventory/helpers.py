"""What the inventory plugins' unit tests share: a plugin with its options as Ansible would read them, populated
from facts without a server."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 trusts every template

    def trust_as_template(value: str) -> str:
        return value


# The options of the fragments ansible.builtin.constructed and ansible.builtin.inventory_cache that the base reads.
FRAGMENT_DEFAULTS = {"cache": False, "strict": False, "compose": {}, "groups": {}, "keyed_groups": []}


def trusted(template: str) -> str:
    """A template as Ansible trusts what it reads from an inventory source file."""
    return trust_as_template(template)


def configured(plugin_class: type, **options: Any) -> Any:
    """An instance of ``plugin_class`` with the defaults its DOCUMENTATION declares, overridden by ``options``, and
    an empty inventory. (Loaded outside Ansible's plugin loader, a plugin has no option definitions; the
    integration tests read options from real source files.)"""
    documented = yaml.safe_load(sys.modules[plugin_class.__module__].DOCUMENTATION)["options"]
    module = plugin_class()
    module._options = {
        **FRAGMENT_DEFAULTS,
        **{name: spec.get("default") for name, spec in documented.items()},
        **options,
    }
    module.inventory = InventoryData()
    module.loader = DataLoader()
    module.templar = Templar(loader=module.loader)  # parse() sets it before ansible-core 2.19, which makes it lazily
    return module


def populate(module: Any, facts: Iterable[Mapping[str, Any]]) -> InventoryData:
    """Check the filters, then add the hosts as ``parse`` does after reading them."""
    module.check_filters()
    module._populate(list(facts))
    return module.inventory


def members(inventory: InventoryData, group: str) -> list[str]:
    """The hosts of ``group``, those of its child groups included, sorted."""
    return sorted(host.name for host in inventory.groups[group].get_hosts())
