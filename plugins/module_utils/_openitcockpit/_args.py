# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every openitcockpit_* module (documented in the openitcockpit doc fragment)."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.basic import env_fallback


def env(*names: str) -> tuple:
    return (env_fallback, list(names))


def connection_spec() -> dict[str, dict[str, Any]]:
    """A fresh argument spec for the connection options, with OITC_* environment fallbacks."""
    return {
        "server_url": {"type": "str", "required": True, "fallback": env("OITC_URL")},
        "api_key": {"type": "str", "required": True, "no_log": True, "fallback": env("OITC_API_KEY")},
        "validate_certs": {"type": "bool", "default": True, "fallback": env("OITC_VALIDATE_CERTS")},
        "ca_path": {"type": "path", "fallback": env("OITC_CA_PATH")},
        "timeout": {"type": "float", "default": 30, "fallback": env("OITC_TIMEOUT")},
    }


# The connection options' names, which the inventory plugin declares with the same environment variables (the doc
# fragment lighthouse.monitoring.openitcockpit.plugin).
CONNECTION = tuple(connection_spec())
