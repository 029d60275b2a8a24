# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory plugins and lookups share with each other: their connection options as a client takes them,
and library errors as one line of Ansible's error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ansible.errors import AnsibleError

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError


def connection_options(plugin: Any, names: Iterable[str]) -> dict[str, Any]:
    """The plugin's connection options as a client's ``from_params`` takes them (the modules' parameter names);
    a vaulted value as plain text."""
    return {name: _plain(plugin.get_option(name)) for name in names}


@contextmanager
def one_line(error: type[AnsibleError], prefix: str = "") -> Iterator[None]:
    """A library error raised inside becomes ``error("<prefix>: <message>")`` (``error("<message>")`` without a
    prefix), without a traceback: the message names what was being done; no message of the library shows a
    secret."""
    try:
        yield
    except MonitoringError as exc:
        raise error(f"{prefix}: {exc}" if prefix else str(exc)) from None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, list, dict)):
        return value
    return str(value)  # a vaulted string decrypts to its text
