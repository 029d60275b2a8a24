# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only glue between library code and AnsibleModule: building the module and reporting errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import REQUESTS_IMPORT_ERROR


def new_module(argument_spec: dict[str, Any], **kwargs: Any) -> AnsibleModule:
    """An AnsibleModule with check mode support that fails early when ``requests`` is missing."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if REQUESTS_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
    if module.params.get("validate_certs") is False:
        module.warn(
            "validate_certs is false: the server's TLS certificate is not checked, so anyone in between can read "
            "the API secret; prefer ca_path with the CA that signed it"
        )
    return module


@contextmanager
def api_errors(module: AnsibleModule) -> Iterator[None]:
    """Report a library error as a failed task: a one-line ``msg`` and the API details under ``error``.

    Reported once the exception is handled: inside the handler, Ansible would attach a traceback to the result."""
    failure: MonitoringError | None = None
    try:
        yield
    except MonitoringError as exc:
        failure = exc
    if failure is not None:
        extra = {"error": failure.details} if failure.details else {}
        module.fail_json(msg=str(failure), **extra)
