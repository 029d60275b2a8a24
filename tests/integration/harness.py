"""Integration harness: a backend's simulator started the way users start it, and an ansible-playbook runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGETS = REPO / "tests" / "integration" / "targets"
SIMULATORS = REPO / "tests" / "simulators"
SITE, USER, SECRET = "cmk", "automation", "it-secret-7f3a9c"
OPSVIEW_USER, OPSVIEW_PASSWORD = "automation", "it-password-4b1e8d"
OITC_API_KEY = "it-api-key-9c2f71d0a8e34b56"
SENSU_USER, SENSU_PASSWORD = "admin", "it-sensu-password-6d3a0f"
FAULT_SUMMARY = REPO / "tests" / "output" / "fault-suite.txt"  # the fault suite's summary line (test_faults.py)


@dataclass(frozen=True)
class Backend:
    """How to start a backend's simulator (tests/simulators/<name>/run.py with the credentials) and the
    environment variables its modules read the connection from."""

    name: str
    credentials: tuple[str, ...]
    connection: Callable[[str], dict[str, str]]
    secret: str

    @property
    def runner(self) -> Path:
        return SIMULATORS / self.name / "run.py"


CHECKMK = Backend(
    "checkmk",
    ("--site", SITE, "--user", USER, "--secret", SECRET),
    lambda url: {
        "CHECKMK_SERVER_URL": url,
        "CHECKMK_SITE": SITE,
        "CHECKMK_API_USER": USER,
        "CHECKMK_API_SECRET": SECRET,
    },
    SECRET,
)
OPSVIEW = Backend(
    "opsview",
    ("--user", OPSVIEW_USER, "--password", OPSVIEW_PASSWORD),
    lambda url: {"OPSVIEW_URL": url, "OPSVIEW_USERNAME": OPSVIEW_USER, "OPSVIEW_PASSWORD": OPSVIEW_PASSWORD},
    OPSVIEW_PASSWORD,
)


OPENITCOCKPIT = Backend(
    "openitcockpit",
    ("--api-key", OITC_API_KEY, "--satellite", "branch-satellite", "--hosttemplate", "Linux server"),
    lambda url: {"OITC_URL": url, "OITC_API_KEY": OITC_API_KEY},
    OITC_API_KEY,
)
SENSU = Backend(
    "sensu",
    ("--user", SENSU_USER, "--password", SENSU_PASSWORD),
    lambda url: {"SENSU_API_URL": url, "SENSU_API_USER": SENSU_USER, "SENSU_API_PASSWORD": SENSU_PASSWORD},
    SENSU_PASSWORD,
)


@dataclass
class Simulator:
    url: str
    process: subprocess.Popen
    backend: Backend = field(default=CHECKMK)

    @property
    def env(self) -> dict[str, str]:
        return self.backend.connection(self.url)

    def control(self, path: str, method: str = "GET", body: dict | None = None) -> dict:
        """Call a control endpoint of the simulator (tests/simulators/<backend>/README.md)."""
        data = json.dumps(body).encode() if body is not None else b"" if method != "GET" else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        request = urllib.request.Request(f"{self.url}/_simulator/{path}", method=method, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
            body = answer.read()
        return json.loads(body) if body else {}


def start_simulator(tmp: Path, *args: str, backend: Backend = CHECKMK) -> Simulator:
    port_file = tmp / "port"
    command = [
        sys.executable,
        str(backend.runner),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--port-file",
        str(port_file),
        *backend.credentials,
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not (port_file.exists() and port_file.read_text().strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the simulator did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    scheme = "https" if "--tls-cert" in args else "http"
    return Simulator(f"{scheme}://127.0.0.1:{port_file.read_text().strip()}", process, backend)


@dataclass
class PlaybookRun:
    rc: int
    output: str


def run_playbook(playbook: Path, env: dict[str, str], *args: str) -> PlaybookRun:
    """Run ansible-playbook on localhost with the test environment; stdout and stderr together."""
    full_env = {
        **os.environ,
        "ANSIBLE_ROLES_PATH": str(TARGETS),
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        **env,
    }
    command: list[str] = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook), *args]
    done = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=600, check=False)
    return PlaybookRun(done.returncode, done.stdout + done.stderr)


def write_play(path: Path, tasks: str = "", roles: str = "") -> Path:
    """A play on localhost that uses the controller's Python (see ENVIRONMENT notes in the README)."""
    path.write_text(
        "- hosts: localhost\n  gather_facts: false\n"
        '  vars:\n    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n'
        + (f"  roles:\n{roles}" if roles else "")
        + (f"  tasks:\n{tasks}" if tasks else "")
    )
    return path


def oitc_api(simulator: Simulator, path: str, body: dict | None = None) -> dict:
    """openITCOCKPIT's JSON API with the API key, as any client calls it: GET, or POST with a JSON body."""
    headers = {"Accept": "application/json", "Authorization": f"X-OITC-API {simulator.backend.secret}"}
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{simulator.url}{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())


def run_inventory(
    simulator: Simulator, tmp: Path, config: str, *args: str, env: dict | None = None, name: str = "x"
) -> subprocess.CompletedProcess:
    """``ansible-inventory -i <tmp>/<name>.<backend>.yml <args>``: the source is ``plugin:
    lighthouse.monitoring.<backend>`` and the YAML ``config``; the connection from the modules' environment
    variables (``simulator.env``) unless ``config`` or ``env`` (which wins) says otherwise. Only this plugin is
    enabled and a source it cannot parse fails the command, as the README recommends."""
    plugin = f"lighthouse.monitoring.{simulator.backend.name}"
    source = tmp / f"{name}.{simulator.backend.name}.yml"
    source.write_text(f"plugin: {plugin}\n{config}")
    full_env = {
        **os.environ,
        **simulator.env,
        "ANSIBLE_INVENTORY_ENABLED": plugin,
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "COLUMNS": "1000",  # ansible-core before 2.19 wraps warnings at the terminal's width (80 without one)
        **(env or {}),
    }
    command = ["ansible-inventory", "-i", str(source), *args]
    return subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=120, check=False)


def inventory_json(done: subprocess.CompletedProcess) -> dict:
    """The JSON of a successful ``ansible-inventory --list``, without the marks it gives values an inventory plugin
    set (``{"__ansible_unsafe": "x"}`` -> ``"x"``: not trusted as templates)."""
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout, object_hook=lambda o: o["__ansible_unsafe"] if set(o) == {"__ansible_unsafe"} else o)


def group_hosts(listing: dict, group: str) -> list[str]:
    """The hosts directly in ``group`` of an ``ansible-inventory --list``, sorted."""
    return sorted(listing.get(group, {}).get("hosts", []))


def _release() -> tuple[int, int]:
    from ansible import __version__  # the ansible-core the tests run with

    major, minor = __version__.split(".")[:2]
    return int(major), int(minor)


ANSIBLE_RELEASE = _release()


def flush_cache(cache: Path) -> list[str]:
    """The arguments that make ``ansible-inventory`` read past its cache: ``--flush-cache`` where it has that
    option (ansible-core 2.19 and later); before, the cache files are removed here, as when the cache expires."""
    if ANSIBLE_RELEASE >= (2, 19):
        return ["--flush-cache"]
    for path in cache.iterdir():
        path.unlink()
    return []


def printed(output: str, text: str) -> bool:
    """Whether ``text`` is in one line of ``output``. ansible-core before 2.19 wraps its warnings at 80 columns
    (whatever the terminal): there the text is looked for with the whitespace left out."""
    if any(text in line for line in output.splitlines()):
        return True
    return ANSIBLE_RELEASE < (2, 19) and "".join(text.split()) in "".join(output.split())


def traceback_allowed(verbosity: list[str]) -> bool:
    """Whether ansible-inventory may show a traceback: asked for with -vvv or more, before ansible-core 2.19 (which
    shows none for an inventory source's error)."""
    return ANSIBLE_RELEASE < (2, 19) and bool(verbosity)


def assert_refused(
    done: subprocess.CompletedProcess, line: str, secrets: tuple[str, ...], verbosity: list[str]
) -> None:
    """An ``ansible-inventory`` run that failed with ``line`` in one line of its output, without a traceback (unless
    ``traceback_allowed``) and without any of ``secrets`` (checked first: a failure shows the output only when it
    holds none)."""
    output = done.stdout + done.stderr
    leaked = [index for index, secret in enumerate(secrets) if secret in output]
    assert not leaked, f"secrets {leaked} are in the output"
    assert done.returncode != 0, output
    assert printed(output, line), output
    assert "Traceback" not in output or traceback_allowed(verbosity), output
