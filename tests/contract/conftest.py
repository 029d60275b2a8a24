"""Fixtures of the contract tests; the machinery is in checkmk_contract.py."""

from __future__ import annotations

import pytest
from checkmk_contract import SPEC_FILES, Contract, spec_dir


def pytest_configure(config: pytest.Config) -> None:
    # The documents use allowEmptyValue (deprecated, but valid OpenAPI 3.0) on response headers.
    config.addinivalue_line("filterwarnings", "ignore:Use of allowEmptyValue property is deprecated:DeprecationWarning")


@pytest.fixture(scope="session", autouse=True)
def _specs_present() -> None:
    if missing := [name for name in SPEC_FILES.values() if not (spec_dir() / name).is_file()]:
        pytest.fail(
            f"The Checkmk OpenAPI documents are required; not found in {spec_dir()}: {', '.join(missing)}. "
            "Check out ../shared beside the repository, or set CHECKMK_OPENAPI_DIR to their directory.",
            pytrace=False,
        )


@pytest.fixture(params=sorted(SPEC_FILES))
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api24() -> Contract:
    return Contract("2.4")
