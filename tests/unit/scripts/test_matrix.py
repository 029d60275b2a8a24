"""make matrix: the README's table keeps what did not run now, and each cell names the commit it ran on."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.lighthouse.monitoring.scripts import matrix
from ansible_collections.lighthouse.monitoring.scripts.matrix import END, START, Result, pytest_summary, row

README = f"""# Title

## Requirements

{START}
old table
| ansible-core 2.17.14 | Python 3.11 | ✅ 965 passed (a1) | ✅ passed (a1) | ❌ 1 failed, 150 passed (a1) |
| ansible-core 2.21.0 | Python 3.13 | ✅ 965 passed (a1) | ✅ passed (a1) | ✅ 151 passed (a1) |
{END}

## Installation
"""


@pytest.fixture
def readme(tmp_path, monkeypatch):
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    monkeypatch.setattr(matrix, "README", path)
    return path


def table(path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.split(START)[1].split(END)[0].splitlines() if line.startswith("| ansible-core 2")]


def test_a_row_names_the_commit_in_each_cell_that_ran():
    result = Result("2.17", "3.11", "2.17.14", {"units": (True, "965 passed"), "integration": (False, "1 failed")})
    assert row(result, "b2") == ("| ansible-core 2.17.14 | Python 3.11 | ✅ 965 passed (b2) | - | ❌ 1 failed (b2) |")


def test_steps_that_did_not_run_keep_their_cells_and_other_releases_their_rows(readme):
    result = Result("2.17", "3.11", "2.17.14", {"integration": (True, "151 passed")})
    matrix.write_readme({"2.17": row(result, "b2")})
    assert table(readme) == [
        "| ansible-core 2.17.14 | Python 3.11 | ✅ 965 passed (a1) | ✅ passed (a1) | ✅ 151 passed (b2) |",
        "| ansible-core 2.21.0 | Python 3.13 | ✅ 965 passed (a1) | ✅ passed (a1) | ✅ 151 passed (a1) |",
    ]
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and text.endswith(f"{END}\n\n## Installation\n")


def test_rows_follow_the_combinations_and_a_new_release_gets_its_row(readme):
    result = Result("2.19", "3.13", "2.19.4", {"units": (True, "965 passed")})
    matrix.write_readme({"2.19": row(result, "c3")})
    assert [line.split(" | ")[0] for line in table(readme)] == [
        "| ansible-core 2.17.14",
        "| ansible-core 2.19.4",
        "| ansible-core 2.21.0",
    ]
    assert table(readme)[1].endswith("| ✅ 965 passed (c3) | - | - |")


def test_a_readme_without_the_markers_is_refused(readme):
    readme.write_text("# Title\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- matrix: start"):
        matrix.write_readme({})


def test_the_summary_adds_up_pytests_last_lines(tmp_path):
    log = tmp_path / "units.log"
    log.write_text("....F\n=== 1 failed, 150 passed, 1 xfailed in 80.00s ===\n", encoding="utf-8")
    assert pytest_summary(log) == "1 failed, 150 passed, 1 xfailed"
    log.write_text("ERROR: cannot import\n", encoding="utf-8")
    assert pytest_summary(log) == "no tests ran"


def test_the_commit_says_when_the_work_tree_differs_from_it_except_for_the_table(tmp_path, monkeypatch):
    def git(*args: str) -> str:
        command = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "README.md").write_text("table\n", encoding="utf-8")
    (tmp_path / "module.py").write_text("x = 1\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    monkeypatch.setattr(matrix, "ROOT", tmp_path)
    head = git("rev-parse", "--short", "HEAD")
    (tmp_path / "README.md").write_text("new table\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("untracked\n", encoding="utf-8")
    assert matrix.tested_commit() == head
    (tmp_path / "module.py").write_text("x = 2\n", encoding="utf-8")
    assert matrix.tested_commit() == f"{head}+changes"
