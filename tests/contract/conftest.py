"""Fixtures of the contract tests; the machinery is in checkmk_contract.py."""

from __future__ import annotations

import os
from functools import cache

import pytest
from checkmk_contract import SPEC_FILES, Contract, spec_dir


def pytest_configure(config: pytest.Config) -> None:
    # The documents use allowEmptyValue (deprecated, but valid OpenAPI 3.0) on response headers.
    config.addinivalue_line("filterwarnings", "ignore:Use of allowEmptyValue property is deprecated:DeprecationWarning")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests that read the OpenAPI documents skip where they are missing (a user's clone has no ../shared), all
    under one line; with CHECKMK_OPENAPI_REQUIRED=1, as CI sets it, a missing document fails them instead. A test
    module that needs none says NEEDS_OPENAPI = False. (A hook, not a fixture: it runs before any fixture reads a
    document, and a skip raised here is reported once for all.)"""
    if not getattr(item.module, "NEEDS_OPENAPI", True) or not (missing := missing_specs()):
        return
    message = (
        f"the Checkmk OpenAPI documents are not in {spec_dir()} ({', '.join(missing)}): "
        "set CHECKMK_OPENAPI_DIR to their directory"
    )
    if os.environ.get("CHECKMK_OPENAPI_REQUIRED") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@cache
def missing_specs() -> tuple[str, ...]:
    return tuple(name for name in SPEC_FILES.values() if not (spec_dir() / name).is_file())


@pytest.fixture(params=sorted(SPEC_FILES))
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api24() -> Contract:
    return Contract("2.4")
