"""What the benchmarks share: the simulator's credentials, the modules' interpreter that records their peak
memory, running a playbook and reading its recap, the simulator's request counts, ratios and the results file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.simulators.checkmk import Simulator

HERE = Path(__file__).resolve().parent
USER, SECRET, SITE = "automation", "test-secret", "cmk"


@dataclass(frozen=True)
class Played:
    """One ansible-playbook run: wall time, whether a task changed something, whether it succeeded, and the peak
    memory of the largest module process in MB."""

    seconds: float
    changed: bool
    ok: bool
    peak_mb: float


def host_names(size: int) -> list[str]:
    return [f"vm{i:05d}.bench.example" for i in range(1, size + 1)]


def write_interpreter(workdir: Path) -> None:
    """The modules' interpreter, ``workdir/python``: this Python, through peak_rss.py, which records each module
    process's peak memory."""
    interpreter = workdir / "python"
    interpreter.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "peak_rss.py"}" "$@"\n', encoding="utf-8")
    interpreter.chmod(0o755)


def run_playbook(workdir: Path, playbook: str, server_url: str, extra: Sequence[str] = ()) -> Played:
    """Run ``workdir/playbook`` against the simulator at ``server_url``, with the interpreter of write_interpreter."""
    rss_log = workdir / "rss.log"
    rss_log.write_text("", encoding="utf-8")
    command = ["ansible-playbook", playbook, "-e", f"ansible_python_interpreter={workdir / 'python'}", *extra]
    env = {
        **os.environ,
        "CHECKMK_SERVER_URL": server_url,
        "CHECKMK_SITE": SITE,
        "CHECKMK_API_USER": USER,
        "CHECKMK_API_SECRET": SECRET,
        "BENCHMARK_RSS_LOG": str(rss_log),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
        "ANSIBLE_DISPLAY_OK_HOSTS": "false",
        "ANSIBLE_DISPLAY_SKIPPED_HOSTS": "false",
    }
    started = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    changed = any(int(n) > 0 for n in re.findall(r"\schanged=(\d+)", result.stdout))
    failed = any(int(n) > 0 for n in re.findall(r"\sfailed=(\d+)", result.stdout))
    if result.returncode != 0 or failed:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
    peaks = [int(line) for line in rss_log.read_text(encoding="utf-8").split()]
    return Played(seconds, changed, result.returncode == 0 and not failed, max(peaks, default=0) / 1024)


def clear_counts(simulator: Simulator) -> None:
    """Forget the requests served so far: served() then counts those of the next run only."""
    with simulator.state.lock:
        simulator.state.requests.clear()


def served(simulator: Simulator) -> int:
    """The API requests served since clear_counts(), on every site's API (control endpoints do not count)."""
    with simulator.state.lock:
        return sum(simulator.state.requests.counts.values())


def ratio(numerator: float, denominator: float | None) -> str:
    return f"{numerator / denominator:.1f}x" if denominator else "-"


def write_results(output: Path, root: Path, script: str, argv: Sequence[str] | None, title: str, text: str) -> None:
    """Write the tables under a line naming the command that made them, and print them."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join([f"python {script}", *(argv if argv is not None else sys.argv[1:])])
    output.write_text(f"{title}: `{command}`.\n\n{text}\n", encoding="utf-8")
    print(text)
    print(f"\nwritten to {output.relative_to(root) if output.is_relative_to(root) else output}")
