"""Agreement of the simulator's request validation with the 2.4 spec's.

The simulator must reject a request exactly when the spec's request validation rejects it, except where
Checkmk is stricter than its spec can express: those cases name the reason and the contract section
(../shared/contracts/checkmk.md). Body and query errors are 400, path parameter errors 404 (contract 1.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from checkmk_contract import NO_BODY, Contract

HOSTS = "/domain-types/host_config/collections/all"
FOLDERS = "/domain-types/folder_config/collections/all"
HOST = "/objects/host_config/existing"
MOVE = f"{HOST}/actions/move/invoke"
BULK_DELETE = "/domain-types/host_config/actions/bulk-delete/invoke"

UNKNOWN_ATTRIBUTE = "2.1: only built-in and custom attributes and configured tag groups exist"
BUILT_IN_TYPE = "2.1: built-in attributes have types; the spec's anyOf lets any string pass as a custom attribute"
MUST_EXIST = "2.1: the object named must exist"
TAG_IDS = "2.1: a tag group attribute takes one of the group's tag ids"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = NO_BODY
    query: dict[str, str] | None = None


@dataclass(frozen=True)
class Case:
    id: str
    request: Request
    status: int = 200
    stricter: str | None = None


def new_host(attributes: Any = None, **fields: Any) -> Request:
    body = {"host_name": "new", "folder": "/", **fields}
    return Request("POST", HOSTS, body if attributes is None else {**body, "attributes": attributes})


def update_host(body: Any) -> Request:
    return Request("PUT", HOST, body)


def new_folder(**fields: Any) -> Request:
    return Request("POST", FOLDERS, {"title": "x", "parent": "~", **fields})


def get(path: str, **query: str) -> Request:
    return Request("GET", path, query=query)


CASES = [
    # Host names (2.1): the spec's pattern; Checkmk adds its HostAddress rule and a length limit.
    Case("host name", new_host()),
    Case("host name, IP address", new_host(host_name="192.0.2.1")),
    Case("host name, bad character", new_host(host_name="web!01"), 400),
    Case("host name, newline", new_host(host_name="web01\n"), 400),
    Case("host name, not a string", new_host(host_name=1), 400),
    Case("host name, missing", Request("POST", HOSTS, {"folder": "/"}), 400),
    Case("host name, leading dash", new_host(host_name="-web"), 400, "2.1: HostAddress: a word character first"),
    Case("host name, 255 characters", new_host(host_name="a" * 255), 400, "2.1: HostAddress: at most 254"),
    Case("host name, exists", new_host(host_name="existing"), 400, "2.2: create needs a new name"),
    # Folders (2.1, 3): `~`, `/` or `\` separators, trailing separator allowed.
    Case("folder, slashes", new_host(folder="/linux/")),
    Case("folder, backslash", new_host(folder="\\linux")),
    Case("folder, no separator", new_host(folder="linux"), 400),
    Case("folder, space", new_host(folder="~my folder"), 400),
    Case("folder, missing", Request("POST", HOSTS, {"host_name": "new"}), 400),
    Case("folder, unknown", new_host(folder="~nope"), 400, MUST_EXIST),
    # Attributes (2.1).
    Case("attributes, built-in", new_host({"ipaddress": "192.0.2.1", "tag_agent": "no-agent"})),
    Case("attributes, custom tag group", new_host({"tag_criticality": "test"})),
    Case("attributes, not an object", new_host("ipaddress"), 400),
    Case("attributes, ipaddress a number", new_host({"ipaddress": 1}), 400),
    Case("attributes, label a number", new_host({"labels": {"os": 1}}), 400),
    Case("attributes, parent bad name", new_host({"parents": ["a b"]}), 400),
    Case("attributes, community missing", new_host({"snmp_community": {"type": "v1_v2_community"}}), 400),
    Case("attributes, contactgroups no groups", new_host({"contactgroups": {"use": True}}), 400),
    Case("attributes, labels a string", new_host({"labels": "os"}), 400, BUILT_IN_TYPE),
    Case("attributes, unknown protocol", new_host({"management_protocol": "ssh"}), 400, BUILT_IN_TYPE),
    Case("attributes, flag a string", new_host({"waiting_for_discovery": "yes"}), 400, BUILT_IN_TYPE),
    Case("attributes, unknown", new_host({"foobaz": "bar"}), 400, UNKNOWN_ATTRIBUTE),
    Case("attributes, unknown non-string", new_host({"foobaz": 1}), 400, UNKNOWN_ATTRIBUTE),
    Case("attributes, unknown tag group", new_host({"tag_nope": "x"}), 400, UNKNOWN_ATTRIBUTE),
    Case("attributes, bad built-in tag", new_host({"tag_agent": "x"}), 400, TAG_IDS),
    Case("attributes, bad custom tag", new_host({"tag_criticality": "x"}), 400, TAG_IDS),
    Case("attributes, meta_data", new_host({"meta_data": {}}), 400, "2.1: meta_data is read-only"),
    Case("attributes, unknown site", new_host({"site": "nope"}), 400, MUST_EXIST),
    Case("attributes, unknown parent", new_host({"parents": ["nope"]}), 400, MUST_EXIST),
    Case("attributes, colon in label", new_host({"labels": {"a:b": "c"}}), 400, "2.1: no `:` in labels"),
    Case("unknown field", new_host(extra=1), 400, "1.4: schemas reject unknown fields"),
    # Host updates, moves, bulk (2.1, 2.2).
    Case("update, merge", update_host({"update_attributes": {"alias": "x"}})),
    Case("update, empty", update_host({})),
    Case("update, remove a string", update_host({"remove_attributes": "alias"}), 400),
    Case("update, remove numbers", update_host({"remove_attributes": [1]}), 400),
    Case("update, two actions", update_host({"attributes": {}, "remove_attributes": []}), 400, "2.1: one action"),
    Case("move, bad target", Request("POST", MOVE, {"target_folder": "a"}), 400),
    Case("move, unknown target", Request("POST", MOVE, {"target_folder": "~a b"}), 400, MUST_EXIST),
    Case("bulk delete, bad name", Request("POST", BULK_DELETE, {"entries": ["a b"]}), 400),
    Case("bulk delete, no entries", Request("POST", BULK_DELETE, {"entries": []}), 400, "2.2: at least one entry"),
    # Folders (3).
    Case("folder create", new_folder()),
    Case("folder create, no title", Request("POST", FOLDERS, {"parent": "~"}), 400),
    Case("folder create, bad name", new_folder(name="a b"), 400),
    Case("folder create, empty name", new_folder(name=""), 400),
    Case("folder create, bad parent", new_folder(parent="linux"), 400),
    Case("folder create, unknown parent", new_folder(parent="~nope"), 400, MUST_EXIST),
    Case("folder create, host attribute", new_folder(attributes={"alias": "x"}), 400, UNKNOWN_ATTRIBUTE),
    Case("folder update, empty title", Request("PUT", "/objects/folder_config/~linux", {"title": ""}), 400),
    # Query parameters.
    Case("query, boolean", get(HOSTS, effective_attributes="false")),
    Case("query, not a boolean", get(HOSTS, effective_attributes="maybe"), 400),
    Case("query, bad parent", get(FOLDERS, parent="linux"), 400),
    Case("query, bad delete mode", Request("DELETE", "/objects/folder_config/~linux", query={"delete_mode": "x"}), 400),
    # Path parameters: 404 (1.4).
    Case("path, host name pattern", get("/objects/host_config/a!b"), 404),
    Case("path, folder pattern", get("/objects/folder_config/linux"), 404),
    Case("path, unknown host", get("/objects/host_config/nope"), 404, MUST_EXIST),
]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[int, list[Exception], list[Exception]]]:
    """Each case's status and the spec's objections to request and response, each on a fresh site with
    the folder ~linux and the host `existing`."""
    results = {}
    for case in CASES:
        contract = Contract("2.4")
        contract.expect("POST", FOLDERS, 200, body={"title": "Linux", "parent": "~"})
        contract.expect("POST", HOSTS, 200, body={"host_name": "existing", "folder": "~linux"})
        method, path, body, query = case.request.method, case.request.path, case.request.body, case.request.query
        response, request_errors, response_errors = contract.send(
            method, path, body=body, query=query or {}, headers={"If-Match": "*"}
        )
        results[case.id] = (response.status_code, request_errors, response_errors)
    return results


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_simulator_rejects_what_the_spec_rejects(case: Case, outcomes: dict[str, Any]) -> None:
    status, spec_errors, response_errors = outcomes[case.id]
    assert status == case.status
    assert not response_errors, f"spec on the response: {response_errors}"
    if case.stricter:
        assert not spec_errors, f"documented as stricter than the spec ({case.stricter}), but the spec rejects too"
    else:
        assert (status >= 400) == bool(spec_errors), f"spec on the request: {spec_errors}"
