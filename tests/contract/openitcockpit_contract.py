"""The machinery of the openITCOCKPIT simulator's contract tests: the OpenAPI document of openITCOCKPIT's API
documentation (it-novum/openITCOCKPIT-API-docs, 4.3.0) with its repairs, the API contract's section 2
(../shared/contracts), and the helpers the behaviour tests share.

The document is read at test time from ../shared/openitcockpit-openapi beside the repository (or from
$SHARED_DIR/openitcockpit-openapi), never copied into the project. Its index.yaml `$ref`s each path to a path item
in external/<topic>.yaml, whose schemas `$ref` their own components and ./globalschemas.yaml; `bundle()` makes one
document of the paths of hosts, host templates and host groups, each file's schemas under `<file>.<name>`.

The document is known to lag behind the server (openITCOCKPIT issue #1027). Where the server's source or a recorded
answer of a real server disagrees with it, the schema is repaired here (SPEC_REPAIRS, one per gap, each with its
reason); everything else is used as served. Answers are read strictly: an object of a response schema must have
exactly the keys the schema names (`exact`), as Views and JsonView build every key of a row, always.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from checkmk_contract import Clock  # importing it puts the work tree on sys.path
from conftest import shared_dir
from documents import json_objects, section, with_keys
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.testing import ApiClient

DOCUMENT = "openitcockpit-openapi"
CONTRACT = "contracts/opsview-openitcockpit-sensu.md"
TOPICS = ("hosts", "hosttemplates", "hostgroups")
NEEDED = (
    f"{DOCUMENT}/index.yaml",
    *(f"{DOCUMENT}/external/{topic}.yaml" for topic in (*TOPICS, "globalschemas")),
)
Schema = dict[str, Any]

# The paging block as the server writes it (Cake4Paginator::getPaging; recorded in hosts/index-down.json).
PAGING: Schema = {
    "type": "object",
    "properties": {
        "page": {"type": "integer"},
        "current": {"type": "integer"},
        "count": {"type": "integer"},
        "prevPage": {"type": "boolean"},
        "nextPage": {"type": "boolean"},
        "pageCount": {"type": "integer"},
        "limit": {"type": "integer"},
        "options": {"type": "array", "maxItems": 0},
        "paramType": {"type": "string", "enum": ["named"]},
        "queryScope": {"nullable": True, "enum": [None]},
    },
}
TYPE_STYLE: Schema = {  # the `type` of a host or host template row, and `hostType` of GET /hosts/edit
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "color": {"type": "string"},
        "class": {"type": "string"},
        "icon": {"type": "array", "items": {"type": "string"}},
        "rotate": {"type": "integer"},
    },
}
CSRF_TOKEN: Schema = {"type": "string", "nullable": True}


def _read(name: str) -> Any:
    with (shared_dir() / DOCUMENT / name).open("rb") as stream:
        return yaml.load(stream, Loader=yaml.CSafeLoader)


def _pointer(document: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        document = document[part.replace("~1", "/").replace("~0", "~")]
    return document


def _rewrite(node: Any, stem: str) -> Any:
    """`$ref`s of external/<stem>.yaml pointed at the bundle: `#/components/schemas/X` -> `<stem>.X`,
    `./globalschemas.yaml#/X` -> `globalschemas.X`."""
    if isinstance(node, list):
        return [_rewrite(item, stem) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _hash, pointer = str(node["$ref"]).partition("#")
        owner = target.removeprefix("./").removesuffix(".yaml") or stem
        name = pointer.rsplit("/", 1)[-1]
        return {"$ref": f"#/components/schemas/{owner}.{name}"}
    return {key: _rewrite(value, stem) for key, value in node.items()}


@cache
def bundle() -> dict[str, Any]:
    """The document's paths of hosts, host templates and host groups with every schema they need, as one
    self-contained OpenAPI document (a fresh copy each session; callers copy before changing it)."""
    index = _read("index.yaml")
    paths: dict[str, Any] = {}
    schemas: dict[str, Schema] = {}
    for path, item in index["paths"].items():
        target, _hash, pointer = item["$ref"].partition("#")
        stem = target.removeprefix("./external/").removesuffix(".yaml")
        if stem in TOPICS:
            paths[path] = _rewrite(_pointer(_read(f"external/{stem}.yaml"), pointer), stem)
            for operation in paths[path].values():  # YAML reads the unquoted `200:` as a number
                operation["responses"] = {str(code): value for code, value in operation["responses"].items()}
    for stem in TOPICS:
        for name, schema in _read(f"external/{stem}.yaml")["components"]["schemas"].items():
            schemas[f"{stem}.{name}"] = _rewrite(schema, stem)
    for name, schema in _read("external/globalschemas.yaml").items():
        schemas[f"globalschemas.{name}"] = _rewrite(schema, "globalschemas")
    return {
        "openapi": index["openapi"],
        "info": index["info"],
        "servers": [{"url": "http://localhost"}],  # the document names the public demo server
        "paths": paths,
        "components": {"securitySchemes": index["components"]["securitySchemes"], "schemas": schemas},
    }


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every operation the document declares."""
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def _references(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
    return found.union(*(_references(value) for value in node.values()))


def response_schemas(document: dict[str, Any]) -> set[str]:
    """The names of the schemas the responses use, directly or through others."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    todo = {
        name
        for item in document["paths"].values()
        for operation in item.values()
        for name in _references(operation.get("responses", {}))
    }
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo |= _references(schemas[name]) - found
    return found


def exact(schema: Any) -> None:
    """An object of an answer has exactly the keys its schema names: none more (`additionalProperties: false`),
    none missing (each required). The test's reading of the document, not a repair: Views\\Host::toArray() and its
    kin build every key of a row whatever its value, and CakePHP serializes exactly the view's variables."""
    if isinstance(schema, list):
        for item in schema:
            exact(item)
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("properties"), dict):
        schema.setdefault("required", list(schema["properties"]))
        schema.setdefault("additionalProperties", False)
    for value in schema.values():
        exact(value)


# --- Repairs: one per gap between the document and the server -------------------------------------------------


def _add(schema: Schema, **properties: Schema) -> None:
    schema["properties"].update(properties)
    schema["required"] = [*schema["required"], *(key for key in properties if key not in schema["required"])]


def _nullable(schema: Schema, *keys: str) -> None:
    for key in keys:
        schema["properties"][key]["nullable"] = True


def _paging_or_scroll(schemas: dict[str, Schema]) -> None:
    for name in ("hosts.getHostResponse", "hosttemplates.getHosttemplatesResponse", "hostgroups.getHostgroupResponse"):
        listing = schemas[name]
        listing["properties"]["paging"] = copy.deepcopy(PAGING)
        exact(listing["properties"]["paging"])
        listing["required"] = [key for key in listing["required"] if key not in ("paging", "scroll")]
        listing["oneOf"] = [{"required": ["paging"]}, {"required": ["scroll"]}]


def _csrf_token(schemas: dict[str, Schema]) -> None:
    for name in (
        "hosts.getHostResponse",
        "hosttemplates.getHosttemplatesResponse",
        "hostgroups.getHostgroupResponse",
        "globalschemas.idResponse",
        "globalschemas.successResponse",
    ):
        _add(schemas[name], _csrfToken=CSRF_TOKEN)


def _host_list_username(schemas: dict[str, Schema]) -> None:
    _add(schemas["hosts.getHostResponse"], username={"type": "string"})


def _has_graphs(schemas: dict[str, Schema]) -> None:
    host = schemas["hosts.getHostsResponseHostArray"]["properties"]["Host"]
    del host["properties"]["has_graphs"]
    host["required"].remove("has_graphs")


def _host_row(schemas: dict[str, Schema]) -> None:
    row = schemas["hosts.getHostsResponseHostArray"]
    _add(row, Downtime={"type": "array"}, Acknowledgement={"type": "array"})
    host = row["properties"]["Host"]
    _add(
        host,
        hosttemplate_id={"type": "integer"},
        usageFlag={"type": "integer", "nullable": True},
        priority={"type": "integer"},
        notes={"type": "string", "nullable": True},
        hostType={"type": "integer"},
        name={"type": "string"},
        satelliteRestricted={"type": "boolean"},
        type=copy.deepcopy(TYPE_STYLE),
        additionalInformationExists={"type": "boolean"},
        additionalInformation={"nullable": True},
    )
    exact(host["properties"]["type"])
    _nullable(host, "description", "tags")


def _hoststatus(schemas: dict[str, Schema]) -> None:
    status = schemas["hosts.getHostsResponseHostArray"]["properties"]["Hoststatus"]
    _add(
        status,
        lastHardState={"type": "integer", "nullable": True},
        last_time_up={"type": "string"},
        lastHardStateChangeInWords={"type": "string"},
        last_state_change_in_words={"type": "string"},
        lastCheckInWords={"type": "string"},
        nextCheckInWords={"type": "string"},
        cssClass={"type": "string"},
        textClass={"type": "string"},
        outputHtml={"type": "string"},
    )
    _nullable(status, "long_output", "flap_detection_enabled", "current_check_attempt", "max_check_attempts", "latency")


def _hosttemplate_row(schemas: dict[str, Schema]) -> None:
    template = schemas["hosttemplates.getHosttemplatesResponseHosttemplateArray"]["properties"]["Hosttemplate"]
    _add(template, sla_id={"type": "integer", "nullable": True}, type=copy.deepcopy(TYPE_STYLE))
    exact(template["properties"]["type"])
    _nullable(template, "host_url")


def _hostgroup_row(schemas: dict[str, Schema]) -> None:
    row = schemas["hostgroups.getHostgroupsResponseHostgroupArray"]
    _add(row, hasSLAHosts={"type": "boolean"}, additionalInformationExists={"type": "boolean"})
    _nullable(row, "hostgroup_url")


def _host_customvariables(schemas: dict[str, Schema]) -> None:
    host = schemas["hosts.postHostsRequestHost"]
    host["properties"]["customvariables"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/hosts.postHostsRequestHostCustomvariables"},
    }


def _edit_form_nulls(schemas: dict[str, Schema]) -> None:
    host = schemas["hosts.postHostsRequestHost"]
    for value in host["properties"].values():
        if value.get("type") in ("integer", "string"):
            value["nullable"] = True
    _nullable(schemas["hostgroups.postHostgroupsEditRequestHostgroup"], "hostgroup_url")


# name -> (reason, repair). Sources: it-novum/openITCOCKPIT 5.0.1 (src/...), answers recorded from a real server
# (openITCOCKPIT/openITCOCKPIT-MCP-Server tests/fixtures/api/...).
SPEC_REPAIRS: dict[str, tuple[str, Callable[[dict[str, Schema]], None]]] = {
    "paging_or_scroll": (
        "the lists declare only `scroll`; with scroll=false (or none) they answer `paging` instead "
        "(PaginationAndScrollIndexTrait, Cake4Paginator; recorded hosts/index-down.json, catalog/hostgroup.json)",
        _paging_or_scroll,
    ),
    "csrf_token": (
        "every JSON answer ends with `_csrfToken` (AppController::beforeRender), null with an API key, which skips "
        "the CSRF middleware (config/routes.php); recorded hosts/index-down.json carries it",
        _csrf_token,
    ),
    "host_list_username": (
        "hosts/index serializes `username`, the user's full name (HostsController::index; recorded "
        "hosts/index-down.json)",
        _host_list_username,
    ),
    "has_graphs": (
        "`has_graphs` is obsolete: Views\\Host::toArray() has no such key (5.0.1) and no recorded row shows it",
        _has_graphs,
    ),
    "host_row": (
        "a host row has the keys Views\\Host::toArray() and HostsController::index build, which the document "
        "lacks (hosttemplate_id, usageFlag, priority, notes, hostType, name, satelliteRestricted, type, "
        "additionalInformation*; Downtime, Acknowledgement); description and tags may be null (recorded "
        "hosts/index-down.json: tags null)",
        _host_row,
    ),
    "hoststatus": (
        "Views\\Hoststatus::toArrayForBrowser() adds lastHardState, last_time_up, the *InWords texts, cssClass, "
        "textClass and outputHtml; long_output, flap_detection_enabled, current_check_attempt, max_check_attempts "
        "and latency are null for Statusengine 3 (recorded hosts/index-down.json)",
        _hoststatus,
    ),
    "hosttemplate_row": (
        "a host template row has `sla_id` (a column since 4.x) and `type` (HosttemplatesController::index); "
        "`host_url` may be null (a NULL column; recorded catalog/hosttemplate.json: null)",
        _hosttemplate_row,
    ),
    "hostgroup_row": (
        "a host group row has `hasSLAHosts` and `additionalInformationExists` (HostgroupsController::index); "
        "`hostgroup_url` may be null (recorded catalog/hostgroup.json: null)",
        _hostgroup_row,
    ),
    "host_customvariables": (
        "a host's `customvariables` are objects {objecttype_id, name, value} (HostsTable hasMany Customvariables), "
        "as the document's own postHostsRequestHostCustomvariables says; the property declares strings",
        _host_customvariables,
    ),
    "edit_form_nulls": (
        "an edit is the object read from its edit form and sent back whole (HostComparisonForSave; contract 2.2); "
        "that form shows the columns a host does not set as null (HostMergerForView merges only the inherited "
        "fields: eventhandler_command_id, flap thresholds ...) and a host group's unset hostgroup_url as null "
        "(recorded catalog/hostgroup.json), so the values the document types must accept null",
        _edit_form_nulls,
    ),
}


def repaired(without: str | None = None) -> dict[str, Any]:
    """The bundle, answers read strictly (`exact`), with SPEC_REPAIRS applied (all, or all but `without`)."""
    document = copy.deepcopy(bundle())
    schemas = document["components"]["schemas"]
    for name in response_schemas(document):
        exact(schemas[name])
    for name, (_reason, mend) in SPEC_REPAIRS.items():
        if name != without:
            mend(schemas)
    return document


@cache
def openapi(without: str | None = None) -> OpenAPI:
    # The document is used as it is, not validated (the `direction` parameters are strings with `items`).
    return OpenAPI.from_dict(repaired(without), config=Config(spec_validator_cls=None))


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, with the document's objections to either."""

    label: str
    status: int
    answer: Any
    request_errors: list[str]
    response_errors: list[str]


class Contract:
    """A simulator driven in-process through `ApiClient`, with the API key as the document declares it
    (`?apikey=`); every exchange is checked against `document` (the repaired one by default)."""

    def __init__(self, document: OpenAPI | None = None, **config: Any) -> None:
        self.document = document or openapi()
        self.api = ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=0, **config))

    def exchange(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Exchange:
        args = {"angular": "true", **(query or {}), "apikey": self.api.api_key}
        response = self.api.call(method, path, body, args, headers={"Authorization": ""})
        request = MockRequest(
            "http://localhost", method, path, args=args, data=b"" if body is None else json.dumps(body).encode(),
            content_type="application/json" if body is not None else "",
        )  # fmt: skip
        answer = MockResponse(response.get_data(), response.status_code, dict(response.headers), response.mimetype)
        return Exchange(
            label=f"{method} {path} -> {response.status_code}: {response.get_data(as_text=True)[:300]}",
            status=response.status_code,
            answer=response.json,
            request_errors=[explain(e) for e in self.document.unmarshal_request(request).errors],
            response_errors=[explain(e) for e in self.document.unmarshal_response(request, answer).errors],
        )


# --- Helpers of the behaviour tests ------------------------------------------------------------------

A = {"angular": "true"}  # what every client sends (only its presence counts)
CSRF = {"_csrfToken": None}  # every JSON answer ends with it, errors too (AppController::beforeRender)


def add_host(api: ApiClient, name: str, **fields: Any) -> int:
    """A host in /root of `default host` (or the template given), not exported."""
    host = {"name": name, "address": "10.0.0.5", "container_id": 1, "hosttemplate_id": 1, **fields}
    host_id: int = api.ok("POST", "/hosts/add.json", {"Host": host}, A)["id"]
    return host_id


def export(api: ApiClient) -> None:
    """An export that must succeed, run to its end (the simulator's `export_seconds` 0, or its clock moved on)."""
    api.ok("POST", "/exports/launchExport.json", {"create_backup": 0}, A)
    assert api.ok("GET", "/exports/broadcast.json")["exportSuccessfully"]


class Time:
    """The simulator's two clocks, made the test's: `clock` (delays, export runs) and `wall_clock` (epochs),
    starting at `epoch`, moving together only when told to."""

    def __init__(self, api: ApiClient, epoch: float) -> None:
        self.clock, self.wall = Clock(), Clock(epoch)
        api.state.clock, api.state.wall_clock = self.clock, self.wall

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.wall.advance(seconds)


# --- The contract document (../shared/contracts, section 2) -------------------------------------------------


@cache
def contract_section(title: str = "## 2. openITCOCKPIT") -> str:
    """A section of the contract: from its heading to the next heading of its level or above."""
    return section((shared_dir() / CONTRACT).read_text(encoding="utf-8"), title)


@cache
def contract_examples(title: str = "## 2. openITCOCKPIT") -> tuple[Any, ...]:
    """Every JSON object written out in a section of the contract."""
    return json_objects(contract_section(title))


def example(*keys: str, title: str = "## 2. openITCOCKPIT") -> Any:
    """The first example of the section with exactly these top-level keys."""
    return with_keys(contract_examples(title), keys, title)


def keys_named(fragment: str) -> list[str]:
    """The keys a written-out JSON fragment names (also one with `...` in it), in order."""
    return re.findall(r'"(\w+)":', fragment)


def line_of(start: str) -> str:
    """The first line of the contract's section 2 that contains `start`, from there on."""
    section = contract_section()
    index = section.index(start)
    return section[index : section.find("\n", index)]


def explain(error: Exception) -> str:
    """One line per objection: where in the body, and what."""
    causes = getattr(error.__cause__, "schema_errors", None)
    if causes:
        return "; ".join(f"{'/'.join(map(str, c.absolute_path)) or '.'}: {c.message[:200]}" for c in causes)
    return f"{type(error).__name__}: {str(error)[:300]}"
