"""Benchmark: registering N hosts in Checkmk, three ways, against the simulator.

    make benchmark                   # this (N = 100, 1000, 10000; (a) and (b) up to 1000), then downtimes.py
    python benchmarks/hosts.py       # this only, the same sizes
    python benchmarks/hosts.py --sizes 10000 --ways c                  # the goal of issue 13 alone
    make benchmark BENCHMARK_ARGS="--sizes 100,1000,5000 --max-per-task 5000"   # (a) and (b) take hours at 5000

(a) a loop of ``checkmk_host`` tasks, (b) an inventory of N hosts with ``checkmk_host`` delegated to localhost
(forks 10), (c) one ``checkmk_hosts`` task; each twice: the first run creates the hosts, the second changes
nothing. For each run: wall time, HTTP requests served by the simulator, peak memory of a module process, and
whether the run reported a change. Then the ratios (a)/(c) and (b)/(c). The table is printed and written to
benchmarks/results/hosts.md. It measures; it asserts nothing (it is not part of ``make test``). The goal of
issue 13 for (c) at N = 10,000: at most 25 requests to create, 1 when nothing changes, a module under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402 - after the path is set
    SECRET,
    SITE,
    USER,
    clear_counts,
    host_names,
    ratio,
    run_playbook,
    served,
    write_interpreter,
    write_results,
)
from tests.simulators.checkmk import SimulatorConfig, serve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "hosts.md"
FOLDER = "/benchmark"
FORKS = 10
MAX_PER_TASK = 1000  # (a) and (b) run one module per host: 5,000 hosts take hours

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


def write_inputs(workdir: Path, size: int) -> None:
    names = host_names(size)
    hosts = [{"name": name, "folder": FOLDER, "attributes": {"alias": name}} for name in names]
    (workdir / "hosts.yml").write_text(json.dumps({"bench_hosts": hosts}), encoding="utf-8")  # JSON is YAML
    inventory = {"bench": {"hosts": dict.fromkeys(names, {})}}
    (workdir / "inventory.yml").write_text(json.dumps(inventory), encoding="utf-8")
    write_interpreter(workdir)
    for key, (_title, play) in SCENARIOS.items():
        (workdir / f"{key}.yml").write_text(play % {"folder": FOLDER} if key == "b" else play, encoding="utf-8")


def measure(size: int, keys: Sequence[str]) -> list[Run]:
    runs: list[Run] = []
    with serve(SimulatorConfig(site=SITE, users={USER: SECRET})) as simulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_inputs(workdir, size)
        for key in keys:
            simulator.state.reset()
            extra = ["-i", "inventory.yml", "-f", str(FORKS), "-e", "ansible_connection=local"] if key == "b" else []
            for label in ("create", "no change"):
                clear_counts(simulator)
                played = run_playbook(workdir, f"{key}.yml", simulator.server_url, extra)
                requests = served(simulator)
                runs.append(Run(size, key, label, played.seconds, requests, played.peak_mb, played.changed, played.ok))
                print(
                    f"N={size} ({key}) {label}: {played.seconds:.1f} s, {requests} requests, {played.peak_mb:.0f} MB",
                    flush=True,
                )
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
    ratios = []
    index = {(r.size, r.scenario, r.run): r for r in runs}
    for size in sorted({r.size for r in runs}):
        for label in ("create", "no change"):
            c = index.get((size, "c", label))
            if c is None or not any((size, other, label) in index for other in ("a", "b")):
                continue
            cells = []
            for metric in ("seconds", "requests"):
                for other in ("a", "b"):
                    r = index.get((size, other, label))
                    cells.append(ratio(getattr(r, metric), getattr(c, metric)) if r else "-")
            ratios.append(f"| {size} | {label} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} |")
    if ratios:
        lines += [
            "",
            "| N | run | time (a)/(c) | time (b)/(c) | requests (a)/(c) | requests (b)/(c) |",
            "|---:|---|---:|---:|---:|---:|",
            *ratios,
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated N (default: %(default)s)")
    parser.add_argument("--ways", default="a,b,c", help="which of a, b, c to run (default: %(default)s)")
    parser.add_argument(
        "--max-per-task",
        type=int,
        default=MAX_PER_TASK,
        help="skip (a) and (b) above this N, each host is a module run there (default: %(default)s; 0: (c) only)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    keys = [k for k in args.ways.split(",") if k]
    if not sizes or any(n < 1 for n in sizes) or not set(keys) <= set(SCENARIOS):
        parser.error("sizes must be positive numbers, ways a subset of a,b,c")
    limit = args.max_per_task
    runs = [run for size in sizes for run in measure(size, [k for k in keys if k == "c" or size <= limit])]
    title = "Registering N hosts against the Checkmk simulator"
    write_results(args.output, ROOT, "benchmarks/hosts.py", argv, title, table(runs))
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
