#!/usr/bin/env python
"""Run a command against a backend's simulator started for it on a free loopback port.

    python scripts/with_simulator.py [--backend BACKEND] [SIMULATOR OPTION ...] -- COMMAND [ARGUMENT ...]

Starts tests/simulators/<BACKEND>/run.py (checkmk, the default, opsview, openitcockpit or sensu) on 127.0.0.1 (port 0:
the simulator picks a free port and writes it to a port file), waits until it listens, runs COMMAND with the
connection variables that backend's modules read (Checkmk: CHECKMK_SERVER_URL, CHECKMK_SITE, CHECKMK_API_USER,
CHECKMK_API_SECRET; Opsview: OPSVIEW_URL, OPSVIEW_USERNAME, OPSVIEW_PASSWORD; openITCOCKPIT: OITC_URL, OITC_API_KEY;
Sensu: SENSU_API_URL, and SENSU_CONF_DIR, the fresh directory the simulator reads its check definitions from, and
SENSU_RELOAD_COMMAND, the command that makes it read them again), and always stops the simulator afterwards. Other
options before ``--`` go to the simulator, for example ``--remote-sites remote1`` or ``--satellite
branch-satellite``. Exits with COMMAND's exit status; if COMMAND fails, the end of the simulator's log is shown.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIMULATORS = Path(__file__).resolve().parent.parent / "tests" / "simulators"
# Each simulator's defaults (site, user and secret, password or API key), and the variable that gets its URL.
CONNECTIONS = {
    "checkmk": (
        {"CHECKMK_SITE": "cmk", "CHECKMK_API_USER": "automation", "CHECKMK_API_SECRET": "test-secret"},
        "CHECKMK_SERVER_URL",
    ),
    "opsview": ({"OPSVIEW_USERNAME": "admin", "OPSVIEW_PASSWORD": "initial"}, "OPSVIEW_URL"),
    "openitcockpit": ({"OITC_API_KEY": "simulator-api-key"}, "OITC_URL"),
    "sensu": ({}, "SENSU_API_URL"),
}
START_TIMEOUT = 30  # seconds


def wait_for_port(process: subprocess.Popen, port_file: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        text = port_file.read_text(encoding="utf-8").strip() if port_file.exists() else ""
        if text:
            return text
        if process.poll() is not None:
            raise RuntimeError(f"the simulator exited with status {process.returncode} before it listened")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the simulator did not write its port within {START_TIMEOUT} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def show_log_tail(log: Path, lines: int = 40) -> None:
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    print(f"--- last {len(tail)} lines of the simulator's log ---", *tail, sep="\n", file=sys.stderr)


def reload_command(url: str) -> str:
    """The Sensu simulator's stand-in for `systemctl reload sensu-enterprise`: its control endpoint."""
    call = f"import urllib.request as u; u.urlopen(u.Request('{url}/_simulator/reload', method='POST'))"
    return f'{sys.executable} -c "{call}"'


def run(backend: str, simulator_options: list[str], command: list[str]) -> int:
    connection, url_variable = CONNECTIONS[backend]
    with tempfile.TemporaryDirectory(prefix=f"{backend}-simulator-") as tmp:
        port_file, log = Path(tmp) / "port", Path(tmp) / "simulator.log"
        script = SIMULATORS / backend / "run.py"
        runner = [sys.executable, str(script), "--host", "127.0.0.1", "--port", "0", "--port-file", str(port_file)]
        extra: dict[str, str] = {}
        if backend == "sensu":
            conf_dir = Path(tmp) / "conf.d"
            conf_dir.mkdir()
            runner += ["--conf-dir", str(conf_dir)]
            extra["SENSU_CONF_DIR"] = str(conf_dir)
        with log.open("w", encoding="utf-8") as log_file:
            process = subprocess.Popen(
                [*runner, *simulator_options], stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        try:
            try:
                port = wait_for_port(process, port_file)
            except RuntimeError as error:
                print(f"with_simulator: {error}", file=sys.stderr)
                show_log_tail(log)
                return 1
            url = port if port.startswith("http") else f"http://127.0.0.1:{port}"
            print(f"with_simulator: {backend} simulator at {url}", flush=True)
            if backend == "sensu":
                extra["SENSU_RELOAD_COMMAND"] = reload_command(url)
            status = subprocess.call(command, env={**os.environ, **connection, **extra, url_variable: url})
            if status != 0:
                show_log_tail(log)
            return status
        finally:
            stop(process)


def main() -> int:
    if "--" not in sys.argv[1:] or sys.argv[-1] == "--":
        print(__doc__, file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    options, backend = sys.argv[1:split], "checkmk"
    if options[:1] == ["--backend"] and len(options) > 1:
        backend, options = options[1], options[2:]
    if backend not in CONNECTIONS:
        print(f"with_simulator: unknown backend {backend!r}: one of {', '.join(CONNECTIONS)}", file=sys.stderr)
        return 2
    # Stop the simulator on SIGTERM too (CI cancelling a job), not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return run(backend, options, sys.argv[split + 1 :])


if __name__ == "__main__":
    sys.exit(main())
