"""Run the openITCOCKPIT simulator by path: python tests/simulators/openitcockpit/run.py --help"""

import runpy
import sys
from pathlib import Path

# Run as the package tests.simulators.openitcockpit from the repository root, not from this directory.
sys.path[0] = str(Path(__file__).resolve().parents[3])
runpy.run_module("tests.simulators.openitcockpit", run_name="__main__", alter_sys=True)
