# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the sensu_* modules that use the API. Set them once for a play with
    # module_defaults: {group/lighthouse.monitoring.sensu: {...}}.
    DOCUMENTATION = r"""
options:
  server_url:
    description:
      - URL of the Sensu API (Sensu Core 1.x or Sensu Enterprise, the API of C(sensu-api) or C(sensu-enterprise)),
        for example V(http://sensu.example.com:4567).
      - If not set, the environment variable E(SENSU_API_URL) is used.
    type: str
    required: true
  username:
    description:
      - The API's user (C(api.user) in Sensu's configuration), when the API asks for basic authentication.
      - If not set, the environment variable E(SENSU_API_USER) is used.
    type: str
  password:
    description:
      - The password of O(username) (C(api.password)). Never logged or returned.
      - Neither may contain C(:), which Sensu's API cannot tell apart from the separator.
      - If not set, the environment variable E(SENSU_API_PASSWORD) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate (Sensu Enterprise serves HTTPS on port 4568). Only set to
        V(false) on test servers.
      - If not set, the environment variable E(SENSU_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
      - If not set, the environment variable E(SENSU_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer of the server.
      - If not set, the environment variable E(SENSU_TIMEOUT) is used.
    type: float
    default: 30
requirements:
  - requests (Python library)
notes:
  - This is Sensu classic (Sensu Core 1.x and Sensu Enterprise), not Sensu Go, whose API is another one.
  - The modules talk to the API from the machine where the task runs. Run them on the controller, in a play on
    C(localhost) or with C(delegate_to=localhost).
  - Idempotent requests are retried up to three times, with backoff, after connection errors and HTTP 502, 503 and
    504; other requests are never sent twice.
  - Clients and silences take effect at once; there is nothing to activate. Check definitions are files, see
    M(lighthouse.monitoring.sensu_check).
"""

    # Connection options of the sensu inventory plugin (lighthouse.monitoring.sensu.plugin): the same options and
    # environment variables as the modules, which plugins declare as configuration.
    PLUGIN = r"""
options:
  server_url:
    description:
      - URL of the Sensu API (Sensu Core 1.x or Sensu Enterprise, the API of C(sensu-api) or C(sensu-enterprise)),
        for example V(http://sensu.example.com:4567).
    type: str
    required: true
    env:
      - name: SENSU_API_URL
  username:
    description:
      - The API's user (C(api.user) in Sensu's configuration), when the API asks for basic authentication.
    type: str
    env:
      - name: SENSU_API_USER
  password:
    description:
      - The password of O(username) (C(api.password)); in a file, encrypt it with Ansible Vault. It is never logged,
        shown or cached.
      - Neither may contain C(:), which Sensu's API cannot tell apart from the separator.
    type: str
    env:
      - name: SENSU_API_PASSWORD
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate (Sensu Enterprise serves HTTPS on port 4568). Only set to
        V(false) on test servers.
    type: bool
    default: true
    env:
      - name: SENSU_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
    type: path
    env:
      - name: SENSU_CA_PATH
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: float
    default: 30
    env:
      - name: SENSU_TIMEOUT
requirements:
  - requests (Python library)
"""
