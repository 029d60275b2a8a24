# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every checkmk_* module (documented in the checkmk doc fragment)."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.basic import env_fallback


def env(*names: str) -> tuple:
    return (env_fallback, list(names))


def connection_spec() -> dict[str, dict[str, Any]]:
    """A fresh argument spec for the connection options, with environment fallbacks
    (our CHECKMK_* names first, then checkmk.general's CHECKMK_VAR_* names)."""
    return {
        "server_url": {
            "type": "str",
            "required": True,
            "fallback": env("CHECKMK_SERVER_URL", "CHECKMK_VAR_SERVER_URL"),
        },
        "site": {"type": "str", "required": True, "fallback": env("CHECKMK_SITE", "CHECKMK_VAR_SITE")},
        "api_user": {
            "type": "str",
            "required": True,
            "fallback": env("CHECKMK_API_USER", "CHECKMK_VAR_AUTOMATION_USER"),
        },
        "api_secret": {
            "type": "str",
            "required": True,
            "no_log": True,
            "fallback": env("CHECKMK_API_SECRET", "CHECKMK_VAR_AUTOMATION_SECRET"),
        },
        "validate_certs": {
            "type": "bool",
            "default": True,
            "fallback": env("CHECKMK_VALIDATE_CERTS", "CHECKMK_VAR_VALIDATE_CERTS"),
        },
        "ca_path": {"type": "path", "fallback": env("CHECKMK_CA_PATH", "CHECKMK_VAR_CA_PATH")},
        "timeout": {"type": "float", "default": 30, "fallback": env("CHECKMK_TIMEOUT", "CHECKMK_VAR_TIMEOUT")},
    }


# The connection options' names, which the inventory plugin and the lookups declare with the same environment
# variables (the doc fragment lighthouse.monitoring.checkmk.plugin).
CONNECTION = tuple(connection_spec())
