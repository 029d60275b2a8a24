# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # Connection options of every opsview_* module. Set them once for a play with
    # module_defaults: {group/lighthouse.monitoring.opsview: {...}}.
    DOCUMENTATION = r"""
options:
  server_url:
    description:
      - URL of the Opsview server, for example V(https://opsview.example.com) (the REST API is below C(/rest)).
      - If not set, the environment variable E(OPSVIEW_URL) is used.
    type: str
    required: true
  username:
    description:
      - The Opsview user (a contact) the modules log in as. Its role needs the access each module states.
      - If not set, the environment variable E(OPSVIEW_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - The user's password. The modules log in once per task and once more if the session token expires meanwhile.
        It is never logged or returned.
      - If not set, the environment variable E(OPSVIEW_PASSWORD) is used.
      - One of O(password) and O(token) is required.
    type: str
  token:
    description:
      - A session token from C(POST /rest/login), instead of the password. Opsview ends a session an hour after
        its last use; an expired token fails the task (a password logs in again). It is never logged or returned.
      - If not set, the environment variable E(OPSVIEW_TOKEN) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
      - If not set, the environment variable E(OPSVIEW_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
      - If not set, the environment variable E(OPSVIEW_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer of the server.
      - If not set, the environment variable E(OPSVIEW_TIMEOUT) is used.
    type: float
    default: 30
requirements:
  - requests (Python library)
notes:
  - The modules talk to the REST API from the machine where the task runs. Run them on the controller, in a play
    on C(localhost) or with C(delegate_to=localhost).
  - Idempotent requests are retried up to three times, with backoff, after connection errors and HTTP 502, 503 and
    504; other requests are never sent twice.
  - Configuration changes take effect when Opsview reloads; see M(lighthouse.monitoring.opsview_reload) and the
    handler role C(lighthouse.monitoring.opsview_changes).
"""

    # Connection options of the opsview inventory plugin (lighthouse.monitoring.opsview.plugin): the same options and
    # environment variables as the modules, which plugins declare as configuration.
    PLUGIN = r"""
options:
  server_url:
    description:
      - URL of the Opsview server, for example V(https://opsview.example.com) (the REST API is below C(/rest)).
    type: str
    required: true
    env:
      - name: OPSVIEW_URL
  username:
    description:
      - The Opsview user (a contact) to log in as. Its role needs to view the configuration of hosts and host groups.
    type: str
    required: true
    env:
      - name: OPSVIEW_USERNAME
  password:
    description:
      - The user's password; in a file, encrypt it with Ansible Vault. It is never logged, shown or cached.
      - One of O(password) and O(token) is required.
    type: str
    env:
      - name: OPSVIEW_PASSWORD
  token:
    description:
      - A session token from C(POST /rest/login), instead of the password (one request less). Opsview ends a session
        an hour after its last use; an expired token fails (a password logs in again). It is never logged, shown or
        cached.
    type: str
    env:
      - name: OPSVIEW_TOKEN
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on test servers.
    type: bool
    default: true
    env:
      - name: OPSVIEW_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle (PEM file) used to verify the server's certificate, for servers with a private CA.
    type: path
    env:
      - name: OPSVIEW_CA_PATH
  timeout:
    description:
      - Seconds to wait for each answer of the server.
    type: float
    default: 30
    env:
      - name: OPSVIEW_TIMEOUT
requirements:
  - requests (Python library)
"""
