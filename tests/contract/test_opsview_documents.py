"""The Opsview simulator against what the documents beside the repository say: the REST API page of Opsview's
documentation (../shared/seeds/opsview-rest-api.txt) and the JSON examples of the API contract
(../shared/contracts/opsview-openitcockpit-sensu.md, section 1). Each answer must have the keys the documents show;
values are strings where the contract's examples show strings (the simulator writes every value as a string)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from conftest import shared_dir

from tests.simulators.opsview import SimulatorConfig
from tests.simulators.opsview.testing import ApiClient

NEEDS_OPENAPI = False
SEED = "seeds/opsview-rest-api.txt"
CONTRACT = "contracts/opsview-openitcockpit-sensu.md"
NEEDS_SHARED = (SEED, CONTRACT)


@cache
def seed() -> str:
    return (shared_dir() / SEED).read_text(encoding="utf-8")


@cache
def contract_examples() -> list[dict[str, Any]]:
    """Every JSON object written out in the contract's Opsview section."""
    text = (shared_dir() / CONTRACT).read_text(encoding="utf-8")
    section = text[text.index("## 1. Opsview") : text.index("## 2. openITCOCKPIT")]
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'\{"', section):
        try:
            value, _end = decoder.raw_decode(section, match.start())
        except ValueError:
            continue
        found.append(value)
    return found


def example(*keys: str) -> dict[str, Any]:
    """The first example of the contract with exactly these top-level keys."""
    matches = [value for value in contract_examples() if set(value) == set(keys)]
    assert matches, f"the contract has no example with the keys {keys}"
    return matches[0]


def seed_section(start: str, end: str) -> str:
    text = seed()
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(reload_seconds=0, downtime_delay=0))


def test_version_info_and_token(api: ApiClient) -> None:
    version_keys = set(re.findall(r"^ (\w+) =>", seed_section("URL: /rest\n", "Opsview Information"), re.MULTILINE))
    assert version_keys == set(api.ok("GET", "", session=False))
    info_keys = set(re.findall(r"^ (\w+) =>", seed_section("URL: /rest/info", "Logging In"), re.MULTILINE))
    assert info_keys and info_keys <= set(api.ok("GET", "/info"))
    assert "The token is 40 hexadecimal characters" in seed()
    assert re.fullmatch(r"[0-9a-f]{40}", api.headers["X-Opsview-Token"])
    assert api.ok("POST", "/logout") == example("logout_via")


def test_reload_status_and_conflict(api: ApiClient) -> None:
    documented = set(re.findall(r"^  • (\w+) - ", seed_section("Returned data:", "If a reload is"), re.MULTILINE))
    status = api.ok("GET", "/reload")
    assert documented == set(status) == set(example(*status))
    statuses = [
        int(code) for code in re.findall(r"• ([0-4]) - ", seed_section("Returned data:", "configuration_status -"))
    ]
    assert statuses == [0, 1, 2, 3, 4]
    running = re.search(r"messages - set to \[ \u201c(.+?)\u201d \]", seed()).group(1)
    api.control("POST", "/reloads", {"user": "alice", "seconds": 60}, status=201)
    conflict = api.call("POST", "/reload")
    assert conflict.status_code == 409 and conflict.json["messages"] == [running]
    assert conflict.json == {
        key: str(value) if key == "server_status" else value
        for key, value in example("server_status", "messages").items()
    }


def test_shapes_of_the_contracts_examples(api: ApiClient) -> None:
    listed = api.ok("GET", "/config/host", query={"s.name": "opsview"})
    documented = next(value for value in contract_examples() if "allrows" in value and "num_hosts" not in value)
    assert set(listed["summary"]) == set(documented) and all(
        isinstance(value, str) for value in listed["summary"].values()
    )
    assert all(isinstance(value, str) for value in documented.values())
    assert set(api.ok("GET", "/config/host/exists", query={"name": "opsview"})) == set(example("exists"))
    created = api.ok("POST", "/config/host", {"name": "web01", "ip": "10.0.0.5"})
    assert set(created) == {"object"} and created["object"]["uncommitted"] == "1"
    assert set(api.ok("PUT", "/config/host", {"list": [{"name": "web02", "ip": "10.0.0.6"}]})) == set(
        example("objects_updated")
    )
    assert set(api.ok("DELETE", f"/config/host/{created['object']['id']}")) == set(example("success"))
    assert set(api.ok("DELETE", "/config/host", query={"id": "3"})) == set(example("objects_deleted"))
    set_answer = api.ok(
        "POST", "/downtime", query={"hst.hostname": "opsview", "starttime": "now", "duration": "1h", "comment": "c"}
    )
    documented = next(
        value for value in contract_examples() if set(value) == {"summary", "list"} and isinstance(value["list"], dict)
    )
    assert set(documented["summary"]) <= set(set_answer["summary"]) and set(documented["list"]) <= set(
        set_answer["list"]
    )
    assert set_answer["list"]["hosts"] == documented["list"]["hosts"]
    listed = api.ok("GET", "/downtime")
    documented = next(
        value
        for value in contract_examples()
        if "summary" in value and "num_hosts" in value["summary"] and isinstance(value.get("list"), list)
    )
    assert set(listed["summary"]) == set(documented["summary"])
    item = listed["list"][0]
    assert set(documented["list"][0]) <= set(item) and set(item["objects"]) <= set(documented["list"][0]["objects"])
