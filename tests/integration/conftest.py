"""Integration fixtures."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.faults_common import SUMMARIES
from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OPENITCOCKPIT,
    OPSVIEW,
    SENSU,
    Simulator,
    start_simulator,
)

_STARTED = pytest.StashKey[float]()
# Files whose tests are long and independent of each other (a target, a demo): under ``--dist loadgroup`` (make
# integration) each of their tests is a group of its own, so that the workers share them. Every other file is one
# group, as with ``--dist loadfile``: its tests run in order on one worker and share its module-scoped fixtures.
SPLIT = {"test_targets.py", "test_demo.py"}


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = start_simulator(tmp_path_factory.mktemp("simulator"), "--remote-sites", "remote1")
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)


@pytest.fixture(scope="session")
def opsview_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = start_simulator(tmp_path_factory.mktemp("opsview"), backend=OPSVIEW)
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)


@pytest.fixture(scope="session")
def openitcockpit_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = start_simulator(tmp_path_factory.mktemp("openitcockpit"), backend=OPENITCOCKPIT)
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)


@pytest.fixture(scope="session")
def sensu_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = start_simulator(tmp_path_factory.mktemp("sensu"), backend=SENSU)
    yield sim
    sim.process.terminate()
    sim.process.wait(timeout=10)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = f"{item.path.name}::{item.name}" if item.path.name in SPLIT else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The fault suites' summary lines (tests/integration/test_faults.py, test_faults_opsview.py,
    test_faults_openitcockpit.py, test_faults_sensu.py), of those that ran in this session."""
    for summary in SUMMARIES.values():
        if summary.exists() and summary.stat().st_mtime >= config.stash.get(_STARTED, float("inf")):
            terminalreporter.write_line(summary.read_text(encoding="utf-8").splitlines()[0])
