# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Connection options of every checkmk_* module. Set them once for a play with
    # module_defaults: {group/lighthouse.monitoring.checkmk: {...}}.
    DOCUMENTATION = r"""
options:
  server_url:
    description:
      - URL of the Checkmk web server, without the site, for example V(https://monitoring.example.com).
      - If not set, the environment variable E(CHECKMK_SERVER_URL) is used, then E(CHECKMK_VAR_SERVER_URL).
    type: str
    required: true
  site:
    description:
      - Name of the Checkmk site whose REST API is used (the central site in distributed monitoring).
      - If not set, the environment variable E(CHECKMK_SITE) is used, then E(CHECKMK_VAR_SITE).
    type: str
    required: true
  api_user:
    description:
      - Name of the automation user.
      - If not set, the environment variable E(CHECKMK_API_USER) is used, then E(CHECKMK_VAR_AUTOMATION_USER).
    type: str
    required: true
  api_secret:
    description:
      - Secret of the automation user. It is never logged or returned.
      - If not set, the environment variable E(CHECKMK_API_SECRET) is used, then E(CHECKMK_VAR_AUTOMATION_SECRET).
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
      - If not set, the environment variable E(CHECKMK_VALIDATE_CERTS) is used, then E(CHECKMK_VAR_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
      - If not set, the environment variable E(CHECKMK_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer of the server.
      - If not set, the environment variable E(CHECKMK_TIMEOUT) is used.
    type: float
    default: 30
requirements:
  - requests (Python library)
notes:
  - The modules talk to the REST API from the machine where the task runs. Run them on the controller, in a play
    on C(localhost) or with C(delegate_to=localhost).
  - Idempotent requests are retried up to three times, with backoff, after connection errors and HTTP 502, 503 and
    504; other requests are never sent twice.
"""

    # Connection options of the checkmk inventory plugin and lookups (lighthouse.monitoring.checkmk.plugin): the same
    # options and environment variables as the modules, which plugins declare as configuration.
    PLUGIN = r"""
options:
  server_url:
    description:
      - URL of the Checkmk web server, without the site, for example V(https://monitoring.example.com).
    type: str
    required: true
    env:
      - name: CHECKMK_SERVER_URL
      - name: CHECKMK_VAR_SERVER_URL
  site:
    description:
      - Name of the Checkmk site whose REST API is used (the central site in distributed monitoring).
    type: str
    required: true
    env:
      - name: CHECKMK_SITE
      - name: CHECKMK_VAR_SITE
  api_user:
    description:
      - Name of the automation user.
    type: str
    required: true
    env:
      - name: CHECKMK_API_USER
      - name: CHECKMK_VAR_AUTOMATION_USER
  api_secret:
    description:
      - Secret of the automation user; in a file, encrypt it with Ansible Vault. It is never logged, shown or cached.
    type: str
    required: true
    env:
      - name: CHECKMK_API_SECRET
      - name: CHECKMK_VAR_AUTOMATION_SECRET
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
    type: bool
    default: true
    env:
      - name: CHECKMK_VALIDATE_CERTS
      - name: CHECKMK_VAR_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
    type: path
    env:
      - name: CHECKMK_CA_PATH
      - name: CHECKMK_VAR_CA_PATH
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: float
    default: 30
    env:
      - name: CHECKMK_TIMEOUT
      - name: CHECKMK_VAR_TIMEOUT
requirements:
  - requests (Python library)
"""
