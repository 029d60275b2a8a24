# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every inventory plugin of this collection shares: reading its configuration, the cache, building the
hosts and their groups, the constructed features, and one-line errors.

A backend's plugin says how to read its hosts (``read``, once per source, cached), which hosts a filter keeps
(``keep``), and a host's variables and groups (``host_vars``, ``groups``); everything else is here."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._connection import one_line

# A group and the group it belongs to (None: a top-level group); parents come before their children.
GroupPath = Sequence[str]


@functools.lru_cache(maxsize=65536)  # many hosts share few groups: each name is made once
def group_name(*parts: Any) -> str:
    """``group_name("label", "os", "Linux 9")`` -> ``label_os_Linux_9``: joined with '_', every character that
    Ansible does not allow in a group name replaced by '_'."""
    return to_safe_group_name("_".join(str(part) for part in parts), force=True, silent=True)


class MonitoringInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """The base of ``lighthouse.monitoring.<backend>`` inventory plugins; a subclass sets ``NAME`` and ``BACKEND``
    (its name in messages) and implements ``read``, ``host_vars`` and ``groups``, and ``keep`` if it filters."""

    NAME = ""
    BACKEND = ""

    def verify_file(self, path: str) -> bool:
        """A source whose file name ends with ``<backend>.yml`` or ``<backend>.yaml`` (``prod.checkmk.yml``)."""
        short = self.NAME.rsplit(".", 1)[-1]
        return super().verify_file(path) and path.endswith((f"{short}.yml", f"{short}.yaml"))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        with one_line(AnsibleParserError, f"{self.BACKEND} inventory {path}"):
            self.check_filters()
            hosts = self._cached_hosts(path, cache)
            self._populate(hosts)

    # --- what a backend implements ---------------------------------------------------------------------------

    def read(self) -> list[dict[str, Any]]:
        """Every host of the monitoring system as JSON-serializable facts (what the cache keeps)."""
        raise NotImplementedError

    def check_filters(self) -> None:
        """Raise ``ValidationError`` for a filter option that cannot match anything as written."""

    def keep(self, host: Mapping[str, Any]) -> bool:
        """Whether the filters keep ``host``."""
        return True

    def host_vars(self, host: Mapping[str, Any]) -> dict[str, Any]:
        """The host's variables."""
        raise NotImplementedError

    def groups(self, host: Mapping[str, Any]) -> Iterable[GroupPath]:
        """The groups of the host, each as the path of group names from a top-level group down to it."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------------------

    def _cached_hosts(self, path: str, cache: bool) -> list[dict[str, Any]]:
        """The hosts from the cache when it is enabled and has them, else read (and cached). Only the hosts are
        cached, never the connection options."""
        use_cache = bool(self.get_option("cache"))
        key = self.get_cache_key(path)
        if use_cache and cache:
            try:
                return self._cache[key]
            except KeyError:
                pass
        hosts = self.read()
        if use_cache:
            self._cache[key] = hosts
        return hosts

    def _populate(self, hosts: Iterable[Mapping[str, Any]]) -> None:
        strict = self.get_option("strict")
        compose, conditional, keyed = (self.get_option(o) for o in ("compose", "groups", "keyed_groups"))
        known: dict[str, str] = {}  # the groups added so far -> the name the inventory gave them
        for host in hosts:
            if not self.keep(host):
                continue
            name = self.inventory.add_host(host["name"])
            variables = self.host_vars(host)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            for path in self.groups(host):
                self._add_to_group(path, name, known)
            if compose or conditional or keyed:
                self._set_composite_vars(compose, variables, name, strict=strict)
                self._add_host_to_composed_groups(conditional, variables, name, strict=strict)
                self._add_host_to_keyed_groups(keyed, variables, name, strict=strict)

    def _add_to_group(self, path: GroupPath, host: str, known: dict[str, str]) -> None:
        parent = None
        for group in path:
            if group not in known:
                known[group] = self.inventory.add_group(group)
                if parent is not None:
                    self.inventory.add_child(parent, known[group])
            parent = known[group]
        if parent is not None:
            self.inventory.add_child(parent, host)
