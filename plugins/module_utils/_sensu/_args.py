# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by the sensu_* modules that talk to the API (documented in the sensu doc fragment)."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.basic import env_fallback


def env(*names: str) -> tuple:
    return (env_fallback, list(names))


def connection_spec() -> dict[str, dict[str, Any]]:
    """A fresh argument spec for the connection options, with SENSU_* environment fallbacks."""
    return {
        "server_url": {"type": "str", "required": True, "fallback": env("SENSU_API_URL")},
        "username": {"type": "str", "fallback": env("SENSU_API_USER")},
        "password": {"type": "str", "no_log": True, "fallback": env("SENSU_API_PASSWORD")},
        "validate_certs": {"type": "bool", "default": True, "fallback": env("SENSU_VALIDATE_CERTS")},
        "ca_path": {"type": "path", "fallback": env("SENSU_CA_PATH")},
        "timeout": {"type": "float", "default": 30, "fallback": env("SENSU_TIMEOUT")},
    }


# The connection options' names, which the inventory plugin declares with the same environment variables (the doc
# fragment lighthouse.monitoring.sensu.plugin).
CONNECTION = tuple(connection_spec())
