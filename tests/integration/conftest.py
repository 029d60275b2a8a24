"""Integration fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import Simulator, start_simulator


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = start_simulator(tmp_path_factory.mktemp("simulator"), "--remote-sites", "remote1")
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)
