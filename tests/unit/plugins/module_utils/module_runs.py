"""What the backends' property tests (test_*_hostile.py) need to run a module's main() as Ansible does: the module's
own argument validator, and the library error its main() reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import PASS_VARS

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19: the arguments are read from basic._ANSIBLE_ARGS

    @contextmanager
    def patch_module_args(args: dict) -> Iterator[None]:
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()):
            yield


from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError

# What the controller may pass a module besides its arguments: that the result show the module's arguments
# (`invocation`: always before ansible-core 2.21, since then with INJECT_INVOCATION; the tests ask for it, to check
# what the no_log options hide in it), and Ansible's no_target_syslog (`_ansible_no_log`, which only stops the module
# from logging its invocation to this machine's syslog: there Python 3.12 and later refuse a value with a NUL
# character, before the module's code runs, in a one-line failure of Ansible's own).
CONTROLLER = {
    "_ansible_no_log": True,
    **({"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}),
}


def module_args(args: dict, *, check_mode: bool = False, diff: bool = False) -> Any:
    """``patch_module_args`` with the task's ``args`` and what the controller adds to them."""
    return patch_module_args({**args, "_ansible_check_mode": check_mode, "_ansible_diff": diff, **CONTROLLER})


class _Captured(Exception):
    def __init__(self, argument_spec: dict, kwargs: dict) -> None:
        super().__init__("captured")
        self.argument_spec, self.kwargs = argument_spec, kwargs


def argument_validator(module: Any) -> ArgumentSpecValidator:
    """The validator of the argument spec ``module``'s main() builds (what Ansible refuses never reaches the code)."""

    def new_module(argument_spec: dict, **kwargs: Any) -> None:
        raise _Captured(argument_spec, kwargs)

    with mock.patch.object(module, "new_module", new_module), pytest.raises(_Captured) as captured:
        module.main()
    return ArgumentSpecValidator(captured.value.argument_spec, **captured.value.kwargs)


@contextmanager
def recording_errors(module: Any, caught: list) -> Iterator[None]:
    """While inside, the library errors ``module``'s main() reports are appended to ``caught``."""
    real = module.api_errors

    @contextmanager
    def api_errors(ansible_module: Any) -> Iterator[None]:
        with real(ansible_module):
            try:
                yield
            except MonitoringError as exc:
                caught.append(exc)
                raise

    with mock.patch.object(module, "api_errors", api_errors):
        yield
