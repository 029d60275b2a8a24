# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Connection options of every openitcockpit_* module. Set them once for a play with
    # module_defaults: {group/lighthouse.monitoring.openitcockpit: {...}}.
    DOCUMENTATION = r"""
options:
  server_url:
    description:
      - URL of the openITCOCKPIT server, for example V(https://oitc.example.com).
      - If not set, the environment variable E(OITC_URL) is used.
    type: str
    required: true
  api_key:
    description:
      - An API key of the user the modules act as (openITCOCKPIT, your name, then API keys). The user needs write
        rights on the containers the task touches. The key is never logged or returned.
      - If not set, the environment variable E(OITC_API_KEY) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
      - If not set, the environment variable E(OITC_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
      - If not set, the environment variable E(OITC_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer of the server.
      - If not set, the environment variable E(OITC_TIMEOUT) is used.
    type: float
    default: 30
requirements:
  - requests (Python library)
notes:
  - The modules talk to the JSON API from the machine where the task runs. Run them on the controller, in a play
    on C(localhost) or with C(delegate_to=localhost).
  - Idempotent requests are retried up to three times, with backoff, after connection errors and HTTP 502, 503 and
    504; other requests are never sent twice.
  - Configuration changes reach the monitoring core when openITCOCKPIT refreshes its monitoring configuration; see
    M(lighthouse.monitoring.openitcockpit_export) and the handler role C(lighthouse.monitoring.openitcockpit_changes).
"""

    # Connection options of the openitcockpit inventory plugin (lighthouse.monitoring.openitcockpit.plugin): the same
    # options and environment variables as the modules, which plugins declare as configuration.
    PLUGIN = r"""
options:
  server_url:
    description:
      - URL of the openITCOCKPIT server, for example V(https://oitc.example.com).
    type: str
    required: true
    env:
      - name: OITC_URL
  api_key:
    description:
      - An API key of the user the plugin reads as (openITCOCKPIT, your name, then API keys); the plugin sees the hosts
        in the containers that user may see. In a file, encrypt it with Ansible Vault. It is never logged, shown or
        cached.
    type: str
    required: true
    env:
      - name: OITC_API_KEY
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
    type: bool
    default: true
    env:
      - name: OITC_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
    type: path
    env:
      - name: OITC_CA_PATH
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: float
    default: 30
    env:
      - name: OITC_TIMEOUT
requirements:
  - requests (Python library)
"""
