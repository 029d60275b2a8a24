"""Benchmark: the Checkmk inventory plugin at 100, 1,000 and 10,000 hosts, against the simulator, side by side with
the same hosts and groups as a static YAML inventory. (Not part of ``make test``.)

    make benchmark-inventory
    python benchmarks/inventory.py --sizes 10000

For each size: the wall time of ``ansible-inventory --graph`` and ``--list`` with the plugin (with all its host
variables, then with ``host_vars: [folder, site]``, no dictionaries), the number of API requests it sent (one: all
hosts with their effective attributes), and the same command on a static YAML inventory of the same hosts, groups and
variables (what Ansible itself needs to build such an inventory); then the ratio plugin / static. The goal of
issue 18: 10,000 hosts in one request and under 3 seconds. It measures; it asserts nothing. The table is printed
and written to benchmarks/results/inventory.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import SECRET, SITE, USER, clear_counts, host_names, ratio, served, write_results  # noqa: E402
from tests.simulators.checkmk import SimulatorConfig, serve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "inventory.md"
FOLDERS = 10  # the hosts spread over /linux/f0 ... /linux/f9
BATCH = 1000
LEAN = "host_vars: [folder, site]\n"  # no dictionaries as host variables: what Ansible spends most time on


def fill(simulator, size: int) -> None:
    """``size`` hosts in ten folders below /linux, each with an IP address and two labels."""
    state = simulator.state
    client = simulator.app.test_client()
    headers = {"Accept": "application/json", "Authorization": f"Bearer {USER} {SECRET}"}
    api = f"/{SITE}/check_mk/api/1.0"
    for folder in ["linux", *(f"f{i}" for i in range(FOLDERS))]:
        parent = "/" if folder == "linux" else "/linux"
        body = {"name": folder, "title": folder, "parent": parent}
        client.post(f"{api}/domain-types/folder_config/collections/all", json=body, headers=headers)
    names = host_names(size)
    for start in range(0, size, BATCH):
        entries = [
            {
                "host_name": name,
                "folder": f"/linux/f{i % FOLDERS}",
                "attributes": {"ipaddress": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "labels": {"env": "prod"}},
            }
            for i, name in enumerate(names[start : start + BATCH], start)
        ]
        answer = client.post(
            f"{api}/domain-types/host_config/actions/bulk-create/invoke", json={"entries": entries}, headers=headers
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert len(state.hosts) == size


def timed(command: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return seconds


def measure(size: int, workdir: Path) -> list[str]:
    with serve(SimulatorConfig(site=SITE, users={USER: SECRET})) as simulator:
        fill(simulator, size)
        source = workdir / "bench.checkmk.yml"
        config = (
            f"plugin: lighthouse.monitoring.checkmk\nserver_url: {simulator.server_url}\n"
            f"site: {SITE}\napi_user: {USER}\n"
        )
        source.write_text(config, encoding="utf-8")
        env = {**os.environ, "CHECKMK_API_SECRET": SECRET, "ANSIBLE_INVENTORY_ENABLED": "lighthouse.monitoring.checkmk"}
        command = ["ansible-inventory", "-i", str(source), "--list", "--export"]
        listed = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        static = workdir / "static.yml"  # the same inventory as a YAML inventory (JSON is YAML)
        static.write_text(json.dumps(to_yaml_inventory(json.loads(listed))), encoding="utf-8")
        rows = []
        for mode in ("--graph", "--list"):
            plain = timed(["ansible-inventory", "-i", str(static), mode], {**os.environ})
            for label, extra in (("all host variables", ""), ("`host_vars: [folder, site]`", LEAN)):
                source.write_text(config + extra, encoding="utf-8")
                clear_counts(simulator)
                plugin = timed(["ansible-inventory", "-i", str(source), mode], env)
                requests = served(simulator)
                cells = [f"{size:,}", f"`{mode}`", label, f"{plugin:.2f} s", str(requests), f"{plain:.2f} s"]
                rows.append("| " + " | ".join([*cells, ratio(plugin, plain)]) + " |")
                print(rows[-1], flush=True)
        return rows


def to_yaml_inventory(listed: dict) -> dict:
    """``ansible-inventory --list`` output as a YAML inventory: groups with their hosts, children and variables."""
    hostvars = listed.get("_meta", {}).get("hostvars", {})
    groups: dict = {}
    for name, group in listed.items():
        if name == "_meta":
            continue
        entry: dict = {}
        if group.get("hosts"):
            entry["hosts"] = {host: (hostvars.pop(host, None) or {}) for host in group["hosts"]}
        if group.get("children"):
            entry["children"] = {child: {} for child in group["children"]}
        groups[name] = entry
    return {"all": {"children": {name: entry for name, entry in groups.items() if name != "all"}}}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated numbers of hosts")
    args = parser.parse_args(argv)
    lines = [
        "| hosts | ansible-inventory | options | with the plugin | API requests | static YAML inventory | ratio |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            lines.extend(measure(size, Path(tmp)))
    write_results(RESULTS, ROOT, "benchmarks/inventory.py", argv, "Made with", "\n".join(lines))


if __name__ == "__main__":
    main()
