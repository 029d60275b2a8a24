"""Run the Sensu simulator by path: python tests/simulators/sensu/run.py --help"""

import runpy
import sys
from pathlib import Path

# Run as the package tests.simulators.sensu from the repository root, not from this directory.
sys.path[0] = str(Path(__file__).resolve().parents[3])
runpy.run_module("tests.simulators.sensu", run_name="__main__", alter_sys=True)
