"""Benchmark: a downtime on N hosts of two sites, two ways, against the simulator.

    make benchmark                     # hosts.py, then this: N = 100, 1000; (a) at 1000 takes about an hour
    python benchmarks/downtimes.py     # this only, the same sizes
    python benchmarks/downtimes.py --sizes 20                                   # a quick try
    make benchmark DOWNTIME_BENCHMARK_ARGS="--sizes 100,1000 --max-per-task 100"   # (a) only at 100

Setup, not measured: N hosts created by one ``checkmk_hosts`` task, every second one monitored by the remote
site (attribute ``site``), and activated, for only monitored hosts get downtimes. Then (a) a loop of
``checkmk_downtime`` tasks, one host each, and (b) one ``checkmk_downtime`` task with ``host_names``; each three
times: the first run sets the downtime, the second changes nothing, the third removes it. For each run: wall
time, HTTP requests served by the simulator (on both sites' APIs), peak memory of a module process, whether the
run reported a change, and the downtimes the simulator holds afterwards (``ok`` needs the playbook to succeed
and exactly the declared downtimes, each on its host's site). Then the ratios (a)/(b). The table is printed
and written to benchmarks/results/downtimes.md. It measures; it asserts nothing beyond that (it is not part of
``make test``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
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
from tests.simulators.checkmk import Simulator, SimulatorConfig, serve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "downtimes.md"
REMOTE = "remote1"
COMMENT = "Node maintenance"

SETUP = """\
- name: Setup, not measured - the hosts on two sites, activated
  hosts: localhost
  gather_facts: false
  vars_files: [hosts.yml]
  tasks:
    - name: Create the hosts in one task
      lighthouse.monitoring.checkmk_hosts:
        hosts: "{{ bench_hosts }}"
    - name: Activate them, for only monitored hosts get downtimes
      lighthouse.monitoring.checkmk_activation:
"""

LOOP = """\
- name: (a) a loop of checkmk_downtime tasks
  hosts: localhost
  gather_facts: false
  vars_files: [hosts.yml]
  tasks:
    - name: The downtime, one task per host
      lighthouse.monitoring.checkmk_downtime:
        host_name: "{{ item }}"
        comment: %(comment)s
        end_time: "{{ bench_end_time | default(omit) }}"
        state: "{{ bench_state }}"
      loop: "{{ bench_names }}"
"""

BULK = """\
- name: (b) one checkmk_downtime task with host_names
  hosts: localhost
  gather_facts: false
  vars_files: [hosts.yml]
  tasks:
    - name: The downtime on all hosts at once
      lighthouse.monitoring.checkmk_downtime:
        host_names: "{{ bench_names }}"
        comment: %(comment)s
        end_time: "{{ bench_end_time | default(omit) }}"
        state: "{{ bench_state }}"
"""

WAYS = {"a": ("loop of checkmk_downtime", LOOP), "b": ("checkmk_downtime, host_names", BULK)}
# Each way's runs: the extra variables, and whether the downtimes are held afterwards.
RUNS: Mapping[str, tuple[Mapping[str, str], bool]] = {
    "set": ({"bench_state": "present", "bench_end_time": "+2h"}, True),
    "unchanged": ({"bench_state": "present", "bench_end_time": "+2h"}, True),
    "removed": ({"bench_state": "absent"}, False),
}


@dataclass
class Run:
    size: int
    way: str
    run: str  # a key of RUNS
    seconds: float
    requests: int
    peak_mb: float
    changed: bool
    downtimes: int  # held by the simulator after the run, on all sites
    ok: bool


def site_of(index: int) -> str:
    """Every second host is monitored by the remote site."""
    return REMOTE if index % 2 else SITE


def write_inputs(workdir: Path, size: int) -> None:
    names = host_names(size)
    hosts = [{"name": name, "attributes": {"alias": name, "site": site_of(i)}} for i, name in enumerate(names)]
    (workdir / "hosts.yml").write_text(json.dumps({"bench_hosts": hosts, "bench_names": names}), encoding="utf-8")
    write_interpreter(workdir)
    (workdir / "setup.yml").write_text(SETUP, encoding="utf-8")
    for key, (_title, play) in WAYS.items():
        (workdir / f"{key}.yml").write_text(play % {"comment": json.dumps(COMMENT)}, encoding="utf-8")


def held(simulator: Simulator) -> set[tuple[str, str, str]]:
    """The downtimes the simulator holds, as (site, host, comment)."""
    state = simulator.state
    with state.lock:
        return {(d.site, d.host_name, d.comment) for d in state.all_downtimes(state.config.sites)}


def set_up(simulator: Simulator, workdir: Path, size: int) -> None:
    """Create and activate the hosts; fail loudly unless each is monitored by its site."""
    played = run_playbook(workdir, "setup.yml", simulator.server_url)
    wrong = [name for i, name in enumerate(host_names(size)) if simulator.state.monitoring_site(name) != site_of(i)]
    if not played.ok or wrong:
        raise SystemExit(f"N={size}: setup failed, {len(wrong)} hosts not monitored by their site (e.g. {wrong[:3]})")


def measure(size: int, keys: Sequence[str]) -> list[Run]:
    runs: list[Run] = []
    config = SimulatorConfig(site=SITE, remote_sites=(REMOTE,), users={USER: SECRET})
    with serve(config) as simulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_inputs(workdir, size)
        set_up(simulator, workdir, size)
        declared = {(site_of(i), name, COMMENT) for i, name in enumerate(host_names(size))}
        for key in keys:
            left = held(simulator)
            if left:
                raise SystemExit(f"N={size}: {len(left)} downtimes left before ({key}), e.g. {sorted(left)[:3]}")
            for label, (variables, present) in RUNS.items():
                clear_counts(simulator)
                played = run_playbook(workdir, f"{key}.yml", simulator.server_url, ["-e", json.dumps(variables)])
                requests = served(simulator)
                after = held(simulator)
                ok = played.ok and after == (declared if present else set())
                runs.append(
                    Run(size, key, label, played.seconds, requests, played.peak_mb, played.changed, len(after), ok)
                )
                print(
                    f"N={size} ({key}) {label}: {played.seconds:.1f} s, {requests} requests, "
                    f"{played.peak_mb:.0f} MB, {len(after)} downtimes",
                    flush=True,
                )
    return runs


def table(runs: Sequence[Run]) -> str:
    lines = [
        "| N | way | run | wall time | HTTP requests | peak memory (module) | changed | downtimes after | ok |",
        "|---:|---|---|---:|---:|---:|---|---:|---|",
    ]
    for r in runs:
        title = WAYS[r.way][0]
        lines.append(
            f"| {r.size} | ({r.way}) {title} | {r.run} | {r.seconds:.1f} s | {r.requests} | {r.peak_mb:.0f} MB "
            f"| {'yes' if r.changed else 'no'} | {r.downtimes} | {'yes' if r.ok else '**no**'} |"
        )
    ratios = []
    index = {(r.size, r.way, r.run): r for r in runs}
    for size in sorted({r.size for r in runs}):
        for label in RUNS:
            a, b = index.get((size, "a", label)), index.get((size, "b", label))
            if a is not None and b is not None:
                ratios.append(f"| {size} | {label} | {ratio(a.seconds, b.seconds)} | {ratio(a.requests, b.requests)} |")
    if ratios:
        lines += ["", "| N | run | time (a)/(b) | requests (a)/(b) |", "|---:|---|---:|---:|", *ratios]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N (default: %(default)s)")
    parser.add_argument("--ways", default="a,b", help="which of a, b to run (default: %(default)s)")
    parser.add_argument(
        "--max-per-task", type=int, help="skip (a) above this N, each host is a module run there (default: no limit)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    keys = [k for k in args.ways.split(",") if k]
    if not sizes or any(n < 2 for n in sizes) or not keys or not set(keys) <= set(WAYS):
        parser.error("sizes must be numbers of at least 2 (hosts on both sites), ways a subset of a,b")
    limit = args.max_per_task
    runs = [
        run for size in sizes for run in measure(size, [k for k in keys if k == "b" or limit is None or size <= limit])
    ]
    title = "A downtime on N hosts of two sites against the Checkmk simulator"
    write_results(args.output, ROOT, "benchmarks/downtimes.py", argv, title, table(runs))
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
