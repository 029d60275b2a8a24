"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads (for machines that cannot).

ansible-test runs ``get_pip_<version>.py <pip install arguments> --no-setuptools --no-wheel`` with the
Python of each virtual environment it creates, to put pip (and the packages named) into it.
This does the same with what Python ships: ``ensurepip`` installs its bundled pip, then that pip installs
the arguments (``pip==<version>`` among them). ``--no-setuptools`` is honoured by removing the setuptools
that ensurepip bundles up to Python 3.11; ensurepip installs no wheel.

scripts/prepare_ansible_test.py copies this file into ansible-test's cache only where no real get-pip
script is cached.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main() -> int:
    ensurepip.bootstrap(upgrade=True)
    # ensurepip sets PIP_CONFIG_FILE to the null device in this process: without removing it, the pip
    # below would ignore the machine's pip configuration (package index, certificates).
    os.environ.pop("PIP_CONFIG_FILE", None)
    arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
    status = subprocess.call([sys.executable, "-m", "pip", "install", *arguments])
    if status == 0 and "--no-setuptools" in sys.argv[1:]:
        status = subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])
    return status


if __name__ == "__main__":
    sys.exit(main())
