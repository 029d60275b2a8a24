#!/usr/bin/env python
"""Mirror the collection into DEST, a directory whose path ends in ansible_collections/<namespace>/<name>.

ansible-test needs the collection at such a path, and works out which files belong to it by asking git
(`git ls-files --cached --others --exclude-standard`) in the nearest directory that has a .git. So DEST
gets the files git lists here (tracked, plus untracked files that are not ignored) and its own, empty,
git repository: without one, ansible-test would ask this repository, which ignores .cache/ and so the copy.

Files that left the collection are removed from DEST. DEST/tests/output (ansible-test's results and
virtual environments) is kept, which makes later runs faster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

KEEP = {Path(".git"), Path("tests/output")}  # relative to DEST


def collection_files() -> set[Path]:
    """The files of the collection in the current directory, as git sees them."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # A tracked file deleted from the work tree is still listed: skip what does not exist.
    return {Path(name) for name in listing.split("\0") if name and Path(name).is_file()}


def remove_stale(dest: Path, files: set[Path]) -> None:
    """Remove from DEST what is not in FILES, except the KEEP directories."""
    directories = []
    for root, dir_names, file_names in os.walk(dest):
        relative_root = Path(root).relative_to(dest)
        dir_names[:] = [name for name in dir_names if relative_root / name not in KEEP]
        # os.walk lists a symlink to a directory among the directories; git lists it among the files.
        links = [name for name in dir_names if (Path(root) / name).is_symlink()]
        dir_names[:] = [name for name in dir_names if name not in links]
        directories += [Path(root) / name for name in dir_names]
        for name in file_names + links:
            if relative_root / name not in files:
                (Path(root) / name).unlink()
    for directory in sorted(directories, reverse=True):  # children before their parents
        if not any(directory.iterdir()):
            directory.rmdir()


def mirror(dest: Path) -> None:
    files = collection_files()
    dest.mkdir(parents=True, exist_ok=True)
    remove_stale(dest, files)
    for relative in sorted(files):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        shutil.copy2(relative, target, follow_symlinks=False)
    if not (dest / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(dest)], check=True)


def main() -> int:
    if len(sys.argv) != 2 or Path(sys.argv[1]).parts[-3:-2] != ("ansible_collections",):
        print(f"usage: {sys.argv[0]} DEST/ansible_collections/NAMESPACE/NAME", file=sys.stderr)
        return 2
    mirror(Path(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
