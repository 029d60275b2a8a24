"""Checking the Checkmk simulator against the official OpenAPI documents.

The documents are read at test time from ../shared/checkmk-openapi beside the repository (or from
$CHECKMK_OPENAPI_DIR), never copied into the project; each is parsed once per test session.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # the simulator is imported from the work tree, nothing is installed

from tests.simulators.checkmk import SimulatorConfig, State, create_app  # noqa: E402

SPEC_FILES = {"2.3": "checkmk-2.3.0p41.yaml", "2.4": "checkmk-2.4.0p18.yaml", "2.5": "checkmk-2.5.yaml"}
API = "/cmk/check_mk/api/1.0"
AUTHORIZATION = "Bearer automation test-secret"
NO_BODY = object()

# Statuses the simulator answers although the spec declares no such response for the operation. Each is
# Checkmk behaviour documented in the contract (../shared/contracts/checkmk.md); anything else must validate.
UNDECLARED = {
    "auth": "1.2: failed authentication answers 401 problem+json on every endpoint; few operations declare 401",
    "routing": "1.1: unknown paths (404) and methods (405) are answered by the router; no operation describes them",
    "bulk_conflict": "5.2: from 2.4 on, starting a bulk discovery while one runs fails with 409, which is undeclared",
    "unknown_services": "4.1, 10.4: a service downtime for services not monitored answers 401 (MKAuthException)",
}

# Defects of the documents that no real server's answer could pass, mended before use (`repair`); everything
# else in the documents is used as served.
SPEC_REPAIRS = {
    "closed_union": "2.5 closes each oneOf union with `properties: {}` and `additionalProperties: false`, which "
    "forbids every property; the union's members stay closed",
    "boolean_discriminator": "2.4 and 2.5 pick a downtime's attributes schema by is_service mapped to 'host' or "
    "'service', but is_service is a boolean (4.2); the mapping becomes `enum: [false]` / `enum: [true]`",
}

OPENAPI_CONFIG = Config(
    # The documents are the contract as sites serve them; 2.5's is not itself a valid OpenAPI document
    # (`required: true` inside schemas), so documents are used as they are, not validated.
    spec_validator_cls=None,
    # Checkmk's errors are application/problem+json, which is JSON; openapi-core only knows application/json.
    extra_media_type_deserializers={"application/problem+json": json.loads},
)


def spec_dir() -> Path:
    return Path(os.environ.get("CHECKMK_OPENAPI_DIR") or REPO_ROOT / ".." / "shared" / "checkmk-openapi")


@cache
def openapi(version: str) -> OpenAPI:
    with (spec_dir() / SPEC_FILES[version]).open("rb") as stream:
        spec = yaml.load(stream, Loader=yaml.CSafeLoader)
    # A served document names the host and site it came from; requests here go to any site on localhost.
    spec["servers"] = [{"url": "http://localhost/{site}/check_mk/api/1.0", "variables": {"site": {"default": "cmk"}}}]
    for path_item in spec["paths"].values():
        for operation in (item for item in path_item.values() if isinstance(item, dict)):
            for response in operation.get("responses", {}).values():
                if response.get("content") == {}:
                    del response["content"]  # `content: {}` (204, 30x) means no body; openapi-core would demand one
    repair(spec["components"]["schemas"])
    return OpenAPI.from_dict(spec, config=OPENAPI_CONFIG)


def repair(schemas: dict[str, Any]) -> None:
    """Mend the two defects of the documents that no server's answer can pass (see SPEC_REPAIRS)."""
    for schema in schemas.values():
        if "oneOf" in schema and not schema.get("properties") and schema.get("additionalProperties") is False:
            del schema["additionalProperties"]  # closed_union
    attributes = schemas["DowntimeAttributes"]
    if attributes["discriminator"]["mapping"].keys() == {"host", "service"}:  # boolean_discriminator
        del attributes["discriminator"]
        for name, is_service in [("HostDowntimeAttributes", False), ("ServiceDowntimeAttributes", True)]:
            schemas[name]["properties"]["is_service"]["enum"] = [is_service]


class Clock:
    """A clock for the simulator's jobs (or its wall clock) that only moves when told to."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Contract:
    """A simulator in one api_version mode, driven through Flask's test client; every exchange can be
    checked against that version's OpenAPI document. Its jobs (activations, discovery) run on `clock`."""

    def __init__(self, version: str, **config: Any) -> None:
        self.version = version
        self.openapi = openapi(version)
        self.app = create_app(SimulatorConfig(api_version=version, remote_sites=("remote1",), **config))
        self.client = self.app.test_client()
        self.clock = Clock()
        self.state.clock = self.clock

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions["checkmk_simulator"]
        return simulated

    def control(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        """A control endpoint (`/_simulator` + path): assert the status, return the JSON answer if any."""
        response = self.client.open(f"/_simulator{path}", method=method, json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.json if response.data else None

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = NO_BODY,
        query: Any = (),
        headers: dict[str, str | None] | None = None,
        site: str = "cmk",
    ) -> tuple[TestResponse, list[Exception], list[Exception]]:
        """One request to the API of `site` (a remote site's own API serves downtimes): the response, the spec's
        objections to the request, and to the response."""
        data = b"" if body is NO_BODY else body if isinstance(body, bytes) else json.dumps(body).encode()
        defaults = {"Accept": "application/json", "Authorization": AUTHORIZATION}
        if body is not NO_BODY:
            defaults["Content-Type"] = "application/json"
        sent = {name: value for name, value in {**defaults, **(headers or {})}.items() if value is not None}
        args = MultiDict(query.items() if isinstance(query, dict) else query)
        url = f"/{site}/check_mk/api/1.0{path}"
        response = self.client.open(url, method=method, data=data, headers=sent, query_string=args)
        request = MockRequest(
            "http://localhost", method, url, args=args, headers=sent, data=data,
            content_type=sent.get("Content-Type", ""),
        )  # fmt: skip
        answer = MockResponse(
            response.get_data(), response.status_code, dict(response.headers), response.mimetype or ""
        )
        return (
            response,
            list(self.openapi.unmarshal_request(request).errors),
            list(self.openapi.unmarshal_response(request, answer).errors),
        )

    def expect(
        self,
        method: str,
        path: str,
        status: int,
        *,
        spec_rejects: bool = False,
        undeclared: str | None = None,
        **request: Any,
    ) -> TestResponse:
        """Send, then assert the status, that the spec accepts the request unless `spec_rejects`, and that the
        response validates, or, for an `undeclared` status, that only its status is unknown to the spec."""
        response, request_errors, response_errors = self.send(method, path, **request)
        label = f"{self.version} {method} {path} -> {response.status_code}: {response.get_data(as_text=True)[:500]}"
        assert response.status_code == status, label
        assert bool(request_errors) == spec_rejects, f"{label}\nspec on the request: {request_errors}"
        if undeclared is None:
            assert not response_errors, f"{label}\nspec on the response: {[_explain(e) for e in response_errors]}"
        else:
            assert undeclared in UNDECLARED, undeclared
            unknown = (ResponseNotFound, PathNotFound, OperationNotFound)  # the status (or operation) only
            assert response_errors and all(isinstance(e, unknown) for e in response_errors), label
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", label
            assert list(response.json)[:3] == ["title", "status", "detail"], label
            assert set(response.json) <= {"title", "status", "detail", "fields", "ext"}, label
        return response


def _explain(error: Exception) -> str:
    causes = getattr(error.__cause__, "schema_errors", None) or [error.__cause__]
    return f"{error}: {[str(cause)[:300] for cause in causes]}"
