"""Benchmark: registering N hosts in Checkmk, three ways, against the simulator.

    make benchmark                                 # N = 100, 1000, 5000: (a) and (b) take hours at 5000
    make benchmark BENCHMARK_ARGS="--sizes 100,1000,5000 --max-per-task 1000"

(a) a loop of ``checkmk_host`` tasks, (b) an inventory of N hosts with ``checkmk_host`` delegated to localhost
(forks 10), (c) one ``checkmk_hosts`` task; each twice: the first run creates the hosts, the second changes
nothing. For each run: wall time, HTTP requests served by the simulator, peak memory of a module process, and
whether the run reported a change. Then the ratios (a)/(c) and (b)/(c). The table is printed and written to
benchmarks/results/hosts.md. It measures; it asserts nothing (it is not part of ``make test``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.simulators.checkmk import SimulatorConfig, serve  # noqa: E402 - after the path is set

RESULTS = ROOT / "benchmarks" / "results" / "hosts.md"
FOLDER = "/benchmark"
FORKS = 10
USER, SECRET, SITE = "automation", "test-secret", "cmk"

LOOP = """\
- name: (a) a loop of checkmk_host tasks
  hosts: localhost
  gather_facts: false
  vars_files: [hosts.yml]
  tasks:
    - name: Register the hosts, one task each
      lighthouse.monitoring.checkmk_host:
        name: "{{ item.name }}"
        folder: "{{ item.folder }}"
        attributes: "{{ item.attributes }}"
      loop: "{{ bench_hosts }}"
      loop_control:
        label: "{{ item.name }}"
"""

INVENTORY = """\
- name: (b) an inventory of hosts, each delegating checkmk_host to localhost
  hosts: bench
  gather_facts: false
  tasks:
    - name: Register this host
      lighthouse.monitoring.checkmk_host:
        name: "{{ inventory_hostname }}"
        folder: %(folder)s
        attributes:
          alias: "{{ inventory_hostname }}"
      delegate_to: localhost
"""

BULK = """\
- name: (c) one checkmk_hosts task
  hosts: localhost
  gather_facts: false
  vars_files: [hosts.yml]
  tasks:
    - name: Register all hosts at once
      lighthouse.monitoring.checkmk_hosts:
        hosts: "{{ bench_hosts }}"
"""

SCENARIOS = {"a": ("loop of checkmk_host", LOOP), "b": ("inventory, forks 10", INVENTORY), "c": ("checkmk_hosts", BULK)}


@dataclass
class Run:
    size: int
    scenario: str
    run: str  # "create" or "no change"
    seconds: float
    requests: int
    peak_mb: float
    changed: bool
    ok: bool


def host_names(size: int) -> list[str]:
    return [f"vm{i:05d}.bench.example" for i in range(1, size + 1)]


def write_inputs(workdir: Path, size: int) -> None:
    names = host_names(size)
    hosts = [{"name": name, "folder": FOLDER, "attributes": {"alias": name}} for name in names]
    (workdir / "hosts.yml").write_text(json.dumps({"bench_hosts": hosts}), encoding="utf-8")  # JSON is YAML
    inventory = {"bench": {"hosts": dict.fromkeys(names, {})}}
    (workdir / "inventory.yml").write_text(json.dumps(inventory), encoding="utf-8")
    # The modules' interpreter: this Python, through peak_rss.py, which records each module process's peak memory.
    interpreter = workdir / "python"
    interpreter.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "benchmarks" / "peak_rss.py"}" "$@"\n', encoding="utf-8"
    )
    interpreter.chmod(0o755)
    for key, (_title, play) in SCENARIOS.items():
        (workdir / f"{key}.yml").write_text(play % {"folder": FOLDER} if key == "b" else play, encoding="utf-8")


def run_playbook(workdir: Path, key: str, server_url: str) -> tuple[float, bool, bool, float]:
    """Run one scenario's playbook: (seconds, changed, ok, peak MB of a module process)."""
    rss_log = workdir / "rss.log"
    rss_log.write_text("", encoding="utf-8")
    command = ["ansible-playbook", f"{key}.yml", "-e", f"ansible_python_interpreter={workdir / 'python'}"]
    if key == "b":
        command += ["-i", "inventory.yml", "-f", str(FORKS), "-e", "ansible_connection=local"]
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
    return seconds, changed, result.returncode == 0 and not failed, max(peaks, default=0) / 1024


def measure(size: int, keys: Sequence[str]) -> list[Run]:
    runs: list[Run] = []
    with serve(SimulatorConfig(site=SITE, users={USER: SECRET})) as simulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_inputs(workdir, size)
        for key in keys:
            simulator.state.reset()
            for label in ("create", "no change"):
                with simulator.state.lock:
                    simulator.state.request_counts.clear()
                    simulator.state.request_log.clear()
                seconds, changed, ok, peak = run_playbook(workdir, key, simulator.server_url)
                requests = sum(simulator.state.request_counts.values())
                runs.append(Run(size, key, label, seconds, requests, peak, changed, ok))
                print(f"N={size} ({key}) {label}: {seconds:.1f} s, {requests} requests, {peak:.0f} MB", flush=True)
    return runs


def table(runs: Sequence[Run]) -> str:
    lines = [
        "| N | way | run | wall time | HTTP requests | peak memory (module) | changed | ok |",
        "|---:|---|---|---:|---:|---:|---|---|",
    ]
    for r in runs:
        title = SCENARIOS[r.scenario][0]
        lines.append(
            f"| {r.size} | ({r.scenario}) {title} | {r.run} | {r.seconds:.1f} s | {r.requests} | {r.peak_mb:.0f} MB "
            f"| {'yes' if r.changed else 'no'} | {'yes' if r.ok else '**no**'} |"
        )
    lines += [
        "",
        "| N | run | time (a)/(c) | time (b)/(c) | requests (a)/(c) | requests (b)/(c) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    index = {(r.size, r.scenario, r.run): r for r in runs}
    for size in sorted({r.size for r in runs}):
        for label in ("create", "no change"):
            c = index.get((size, "c", label))
            if c is None:
                continue
            cells = []
            for metric in ("seconds", "requests"):
                for other in ("a", "b"):
                    r = index.get((size, other, label))
                    value = getattr(c, metric)
                    cells.append(f"{getattr(r, metric) / value:.1f}x" if r and value else "-")
            lines.append(f"| {size} | {label} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated N (default: %(default)s)")
    parser.add_argument("--ways", default="a,b,c", help="which of a, b, c to run (default: %(default)s)")
    parser.add_argument(
        "--max-per-task", type=int, default=0, help="skip (a) and (b) above this N (each host is a module run there)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    keys = [k for k in args.ways.split(",") if k]
    if not sizes or any(n < 1 for n in sizes) or not set(keys) <= set(SCENARIOS):
        parser.error("sizes must be positive numbers, ways a subset of a,b,c")
    limit = args.max_per_task
    runs = [run for size in sizes for run in measure(size, [k for k in keys if k == "c" or not limit or size <= limit])]
    text = table(runs)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python benchmarks/hosts.py", *(argv if argv is not None else sys.argv[1:])])
    header = f"Registering N hosts against the Checkmk simulator: `{command}`.\n\n"
    args.output.write_text(header + text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
