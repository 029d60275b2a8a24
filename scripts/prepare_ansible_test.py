#!/usr/bin/env python
"""Make ansible-test's pip bootstrap work without access to the site it downloads get-pip.py from.

ansible-test looks for ``~/.ansible/test/cache/get_pip_<pip version>.py`` before downloading it. When that
file is missing, this writes scripts/get_pip_standin.py there; an existing file (a real download) is left
alone, so machines with internet access keep using the real script. Run with the Python that has
ansible-test installed, which tells the pip version it asks for.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

from ansible_test._internal.python_requirements import get_venv_packages

STANDIN = Path(__file__).with_name("get_pip_standin.py")


def main() -> int:
    python = SimpleNamespace(version=f"{sys.version_info.major}.{sys.version_info.minor}")
    pip_version = get_venv_packages(python)["pip"]
    cache = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    if cache.exists():
        print(f"ansible-test's pip bootstrap script is cached: {cache}")
        return 0
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STANDIN, cache)
    print(f"wrote a stand-in for ansible-test's pip {pip_version} bootstrap script: {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
