"""The machinery of the Sensu classic simulator's contract tests: the seed (../shared/seeds, the Sensu Enterprise 2.12
Checks API page), the API contract's section 3 (../shared/contracts), the simulator's README, and the helpers the
behaviour tests share.

The documents are read at test time from ../shared beside the repository (or from $SHARED_DIR), never copied into
the project. The seed is a Hugo page: its examples are `{{< highlight >}}` blocks holding a curl command and what it
printed (`jq .` output, or `-i` with the status line and the headers), and each endpoint ends with an "API
Specification" table (`response codes`, `output`, `payload`, ...); `seed_examples()` and `seed_specifications()` read
them. Where the seed and the server's source (sensu/sensu 1.9.0) disagree, the source wins, and the simulator's
README must list the difference under "Known differences" (`known_differences()`).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checkmk_contract import REPO_ROOT  # importing it puts the work tree on sys.path
from conftest import shared_dir
from documents import json_objects, with_keys
from documents import section as document_section
from werkzeug.test import TestResponse

from tests.simulators.sensu import SimulatorConfig
from tests.simulators.sensu.testing import ApiClient

SEED = "seeds/sensu-enterprise-checks-api.md"
CONTRACT = "contracts/opsview-openitcockpit-sensu.md"
README = REPO_ROOT / "tests" / "simulators" / "sensu" / "README.md"
NOW = 1_700_000_000  # the simulator's wall clock in the tests (2023-11-14 22:13:20 UTC)
DELAY = 0.5  # --delete-delay: seconds from DELETE /clients/:client until the client is gone
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept, Authorization",
}
HIGHLIGHT = re.compile(r"\{\{< highlight (\w+) >\}\}\n?(.*?)\{\{< /highlight >\}\}", re.DOTALL)


# --- The simulator ----------------------------------------------------------------------------------------------


def simulator(conf_dir: Path | None = None, **config: Any) -> ApiClient:
    """An in-process simulator reading `conf_dir`, its wall clock standing at NOW (moved with `advance`)."""
    api = ApiClient(SimulatorConfig(conf_dir=conf_dir, delete_delay=config.pop("delete_delay", DELAY), **config))
    api.state.wall_clock = lambda: float(NOW)
    return api


def write_checks(directory: Path, checks: dict[str, Any], name: str = "checks.json") -> Path:
    """`{"checks": checks}` as a file of the configuration directory (made if need be); the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(json.dumps({"checks": checks}, indent=2), encoding="utf-8")
    return directory


def advance(api: ApiClient, seconds: float) -> int:
    """Move the simulator's clock (POST /_simulator/clock): TTLs run down, pending deletions happen. The new now."""
    now: float = api.control("POST", "/clock", {"advance": seconds})["now"]
    return int(now)


def backend_down(api: ApiClient, **connections: bool) -> None:
    """The API's connections (POST /_simulator/backend): `redis=False` and/or `transport=False`."""
    api.control("POST", "/backend", connections or {"redis": False})


def register(api: ApiClient, name: str, *subscriptions: str, **attributes: Any) -> dict[str, Any]:
    """A client in the registry through the API (POST /clients), as it reads back."""
    body = {"name": name, "address": "192.0.2.10", "subscriptions": list(subscriptions), **attributes}
    api.ok("POST", "/clients", body, status=201)
    client: dict[str, Any] = api.ok("GET", f"/clients/{name}")
    return client


def result(api: ApiClient, client: str, check: str, status: int, **fields: Any) -> Any:
    """A check result as the client's sensu-client publishes it (POST /_simulator/results): the event it made."""
    body = {"client": client, "check": {"name": check, "output": f"{check} says {status}", "status": status, **fields}}
    return api.control("POST", "/results", body, status=202)["event"]


def empty(answer: TestResponse) -> bool:
    """An answer without content: no body and no Content-Type (the source sets one only with content)."""
    return answer.data == b"" and "Content-Type" not in answer.headers


def cors(answer: TestResponse) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name.startswith("Access-Control-")}


# --- The simulator's README ----------------------------------------------------------------------------------------


def readme_section(title: str) -> str:
    """A section of the simulator's README, from its heading to the next heading of its level or above."""
    return document_section(README.read_text(encoding="utf-8"), title)


def known_differences() -> str:
    """The README's "Known differences", one line per bullet (wrapped lines joined)."""
    return re.sub(r"\n {2,}", " ", readme_section("## Known differences"))


# --- The seed ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One example of the seed: the curl command's request and what it printed. `status` is None where only the
    body was printed (`curl -s ... | jq .`: a success); `body` is the parsed JSON, None for an empty one."""

    section: str
    method: str
    path: str
    payload: Any
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def label(self) -> str:
        return f"{self.section}: {self.method} {self.path} -> {self.status or 'printed'}"


@dataclass(frozen=True)
class Specification:
    """An "API Specification" table: `/checks (GET)`, its plain rows (`description`, `example url`, `response
    type`), its response codes by label (`Success`: 200), the parameters it names, and the JSON of its `output` or
    `payload` row."""

    title: str
    rows: dict[str, str]
    codes: dict[str, int]
    parameters: tuple[str, ...] = ()
    output: Any = None
    payload: Any = None

    @property
    def method(self) -> str:
        return self.title.rsplit("(", 1)[1].rstrip(")")


@cache
def seed_text() -> str:
    return (shared_dir() / SEED).read_text(encoding="utf-8")


@cache
def seed_sections() -> dict[str, str]:
    """The endpoint sections (`### ...`) by title without backticks and anchors: `/checks/:check (GET)`."""
    text = seed_text()
    found = {}
    for match in re.finditer(r"^### (.+)$", text, re.MULTILINE):
        title = re.sub(r"\s*\{#[^}]*\}", "", match.group(1)).replace("`", "").strip()
        found[title] = document_section(text, match.group(0))
    return found


def _table_block(section: str, start: int) -> bool:
    """Whether the block starting at `start` is a table cell (`output | {{< highlight ...`), not an example."""
    line = section[section.rfind("\n", 0, start) + 1 : start]
    return "|" in line


def _example(section: str, block: str) -> Example:
    lines = block.strip("\n").split("\n")
    command_lines = []
    while lines:
        line = lines.pop(0)
        command_lines.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            break
    words = shlex.split(" ".join(command_lines).removeprefix("$ "))
    assert words[0] == "curl", f"{section}: not a curl example: {command_lines}"
    method, payload, url, index = "GET", None, None, 1
    while index < len(words):
        word = words[index]
        if word in ("-X", "-H", "-d"):
            value = words[index + 1]
            index += 1
            if word == "-X":
                method = value
            elif word == "-d":
                payload = json.loads(value)
                method = "POST" if method == "GET" else method
        elif word.startswith("http"):
            url = word
        index += 1
    assert url is not None, f"{section}: no URL in {command_lines}"
    rest = "\n".join(lines).strip()
    status, headers, body_text = None, {}, rest
    if rest.startswith("HTTP/"):
        head, _blank, body_text = rest.partition("\n\n")
        status_line, *header_lines = head.split("\n")
        status = int(status_line.split()[1])
        headers = dict(line.split(": ", 1) for line in header_lines)
    return Example(section, method, urlsplit(url).path, payload, status, headers, json.loads(body_text or "null"))


@cache
def seed_examples() -> tuple[Example, ...]:
    """Every example of the seed (the blocks that are not table cells), in order."""
    found = []
    for title, section in seed_sections().items():
        for match in HIGHLIGHT.finditer(section):
            if not _table_block(section, match.start()):
                found.append(_example(title, match.group(2)))
    return tuple(found)


@cache
def seed_specifications() -> dict[str, Specification]:
    """The "API Specification" table of each section, by its title (`/request (POST)`)."""
    found = {}
    for section in seed_sections().values():
        header = re.search(r"^(/\S+ \([A-Z]+\))\s*\|", section, re.MULTILINE)
        if header is None:
            continue
        table = section[header.start() :]
        rows = {
            name: value.strip()
            for name, value in re.findall(r"^(description|example url|response type)\s*\|\s*(.+)$", table, re.M)
        }
        codes_row = re.search(r"^response codes\s*\|(.+)$", table, re.MULTILINE)
        assert codes_row, f"{header.group(1)}: no response codes"
        codes = {label: int(code) for label, code in re.findall(r"\*\*(\w+)\*\*: (\d{3})", codes_row.group(1))}
        parameters_row = re.search(r"^parameters\s*\|(.+)$", table, re.MULTILINE)
        parameters = tuple(re.findall(r"<li>`(\w+)`<ul>", parameters_row.group(1))) if parameters_row else ()
        cells = {
            name: json.loads(match.group(2))
            for name in ("output", "payload")
            if (match := re.search(rf"^{name}\s*\|\s*{HIGHLIGHT.pattern}", table, re.MULTILINE | re.DOTALL))
        }
        found[header.group(1)] = Specification(header.group(1), rows, codes, parameters, **cells)
    return found


def seed_checks() -> dict[str, dict[str, Any]]:
    """Every check definition the seed shows (in its examples and tables), by name, without the name: what a
    configuration directory must hold for the seed's examples to be answered. The same name is always the same
    definition."""
    values: list[Any] = [example.body for example in seed_examples()]
    values += [spec.output for spec in seed_specifications().values()]
    checks: dict[str, dict[str, Any]] = {}
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "command" in item:
                definition = {key: val for key, val in item.items() if key != "name"}
                assert checks.setdefault(item["name"], definition) == definition, item["name"]
    return checks


# --- The contract (../shared/contracts, section 3) -----------------------------------------------------------------


@cache
def contract_section(title: str = "## 3. Sensu") -> str:
    """A section of the contract: from its heading to the next heading of its level or above."""
    return document_section((shared_dir() / CONTRACT).read_text(encoding="utf-8"), title)


def contract_text(title: str = "## 3. Sensu") -> str:
    """A section with its wrapped lines joined and its spaces collapsed (for statements that span lines)."""
    return " ".join(contract_section(title).split())


@cache
def contract_examples(title: str = "## 3. Sensu") -> tuple[Any, ...]:
    """Every JSON object written out in a section of the contract (those with `...` or `{..}` do not parse)."""
    return json_objects(contract_section(title))


def example(*keys: str, title: str = "## 3. Sensu") -> Any:
    """The first example of the section with exactly these top-level keys."""
    return with_keys(contract_examples(title), keys, title)
