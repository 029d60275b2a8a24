"""Fixtures of the contract tests; the machinery is in checkmk_contract.py."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from checkmk_contract import REPO_ROOT, SPEC_FILES, Contract, spec_dir


def pytest_configure(config: pytest.Config) -> None:
    # The documents use allowEmptyValue (deprecated, but valid OpenAPI 3.0) on response headers.
    config.addinivalue_line("filterwarnings", "ignore:Use of allowEmptyValue property is deprecated:DeprecationWarning")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests that read the OpenAPI documents skip where they are missing (a user's clone has no ../shared), all
    under one line; with CHECKMK_OPENAPI_REQUIRED=1, as CI sets it, a missing document fails them instead. A test
    module that needs none says NEEDS_OPENAPI = False; one that reads other documents of ../shared names them in
    NEEDS_SHARED (paths below ../shared), and is skipped or failed likewise where they are missing. (A hook, not a
    fixture: it runs before any fixture reads a document, and a skip raised here is reported once for all.)"""
    message = None
    if getattr(item.module, "NEEDS_OPENAPI", True) and (missing := missing_specs()):
        message = (
            f"the Checkmk OpenAPI documents are not in {spec_dir()} ({', '.join(missing)}): "
            "set CHECKMK_OPENAPI_DIR to their directory"
        )
    elif missing := missing_shared(getattr(item.module, "NEEDS_SHARED", ())):
        message = f"documents of ../shared are not in {shared_dir()} ({', '.join(missing)}): set SHARED_DIR to it"
    if message is None:
        return
    if os.environ.get("CHECKMK_OPENAPI_REQUIRED") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def shared_dir() -> Path:
    """Where the documents beside the repository are (../shared), which tests name in NEEDS_SHARED."""
    return Path(os.environ.get("SHARED_DIR") or REPO_ROOT / ".." / "shared")


def missing_shared(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if not (shared_dir() / name).is_file())


@cache
def missing_specs() -> tuple[str, ...]:
    return tuple(name for name in SPEC_FILES.values() if not (spec_dir() / name).is_file())


@pytest.fixture(params=sorted(SPEC_FILES))
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api24() -> Contract:
    return Contract("2.4")
