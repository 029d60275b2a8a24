"""Benchmark: does the Checkmk simulator stay fast as the site grows? (Not part of ``make test``.)

    make benchmark-simulator

Fills the simulator with 100, then 10,000 hosts (bulk-create), and times the requests a playbook sends per
host: show, update (with If-Match), the pending changes, and one list of all hosts. It prints the time per
request at each size and the ratio. Show and update should stay near 1x: no per-request scan of all hosts
where a lookup serves. The list of hosts and the pending changes (one per created host) answer 100 times more
data at 10,000 hosts, so they grow with it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.simulators.checkmk import SimulatorConfig, create_app  # noqa: E402 - after the path is set

API = "/cmk/check_mk/api/1.0"
HEADERS = {"Accept": "application/json", "Authorization": "Bearer automation test-secret"}
SIZES = (100, 10_000)
REPEAT = 200


def per_request(size: int) -> dict[str, float]:
    client = create_app(SimulatorConfig()).test_client()
    entries = [{"host_name": f"host{i:05}", "folder": "/"} for i in range(size)]
    client.post(
        f"{API}/domain-types/host_config/actions/bulk-create/invoke", json={"entries": entries}, headers=HEADERS
    )
    name = f"host{size - 1:05}"
    timings = {}

    def timed(label: str, send, repeat: int = REPEAT) -> None:
        started = time.perf_counter()
        for _attempt in range(repeat):
            send()
        timings[label] = (time.perf_counter() - started) / repeat * 1000

    def show():
        return client.get(f"{API}/objects/host_config/{name}", headers=HEADERS)

    def update():
        etag = show().headers["ETag"]
        body = {"update_attributes": {"alias": "x"}}
        return client.put(f"{API}/objects/host_config/{name}", json=body, headers={**HEADERS, "If-Match": etag})

    timed("show host", show)
    timed("show + update host", update)
    timed(
        "pending changes",
        lambda: client.get(f"{API}/domain-types/activation_run/collections/pending_changes", headers=HEADERS),
        20,
    )
    timed("list all hosts", lambda: client.get(f"{API}/domain-types/host_config/collections/all", headers=HEADERS), 5)
    return timings


def main() -> int:
    small, large = (per_request(size) for size in SIZES)
    print(f"| request | {SIZES[0]} hosts | {SIZES[1]} hosts | ratio |")
    print("|---|---:|---:|---:|")
    for label in small:
        print(f"| {label} | {small[label]:.2f} ms | {large[label]:.2f} ms | {large[label] / small[label]:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
