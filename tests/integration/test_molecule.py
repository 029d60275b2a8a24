"""The monitored_host role's molecule scenarios (roles/monitored_host/molecule/<scenario>), each against its backend's
simulator: prepare, converge, idempotence, a check-mode converge, verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import REPO

ROLE = REPO / "roles" / "monitored_host"


@pytest.mark.parametrize(
    ("scenario", "simulator_fixture"),
    [
        ("default", "simulator"),
        ("opsview", "opsview_simulator"),
        ("openitcockpit", "openitcockpit_simulator"),
        ("sensu", "sensu_simulator"),
    ],
)
def test_molecule_scenario(scenario, simulator_fixture, request, tmp_path):
    simulator = request.getfixturevalue(simulator_fixture)
    # Molecule installs the collection it runs in; ANSIBLE_HOME keeps that copy out of the user's ~/.ansible, where
    # it would go stale and shadow the working tree for ansible-lint and the next runs.
    env = {
        **os.environ,
        **simulator.env,
        "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / "molecule"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "NO_COLOR": "1",
    }
    molecule = str(Path(sys.executable).with_name("molecule"))
    done = subprocess.run(
        [molecule, "test", "--scenario-name", scenario],
        cwd=ROLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "idempotence" in output.lower()
