"""What the backends' property tests (test_*_hostile.py) need to run a module's main() as Ansible does: the module's
own argument validator, and the library error its main() reported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError


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
