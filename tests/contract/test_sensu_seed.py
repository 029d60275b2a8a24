"""The Sensu simulator against the seed, the Sensu Enterprise 2.12 Checks API page (../shared/seeds): every example
it shows (the curl commands, the JSON they printed, the status lines and headers of `-i`), every row of its "API
Specification" tables (response codes, response types, example URLs, the `output` and `payload` JSON) and its notes,
read from the page at test time and replayed against a simulator whose configuration directory holds the checks the
page shows. Where the page and the server's source (sensu/sensu 1.9.0, lib/sensu/api/routes/checks.rb) disagree,
the test asserts the source's behaviour and that the simulator's README lists the difference."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sensu_contract import (
    NOW,
    SEED,
    Example,
    backend_down,
    cors,
    empty,
    known_differences,
    register,
    result,
    seed_checks,
    seed_examples,
    seed_sections,
    seed_specifications,
    simulator,
    write_checks,
)
from werkzeug.test import TestResponse

from tests.simulators.sensu.testing import ApiClient

NEEDS_OPENAPI = False
NEEDS_SHARED = (SEED,)
SECTIONS = ["/checks (GET)", "/checks/:check (GET)", "/checks/:check (DELETE)", "/request (POST)"]
Scenario = Callable[[ApiClient], TestResponse]


@pytest.fixture
def api(tmp_path: Path) -> ApiClient:
    """A simulator whose configuration directory holds every check the seed shows."""
    return simulator(write_checks(tmp_path / "conf.d", seed_checks()))


def replay(example: Example, tmp_path: Path) -> TestResponse:
    """The example's request, sent to a simulator holding the seed's checks (for a listing, exactly the checks it
    shows, in its order)."""
    checks = seed_checks()
    if isinstance(example.body, list):
        checks = {item["name"]: checks[item["name"]] for item in example.body}
    api = simulator(write_checks(Path(tempfile.mkdtemp(dir=tmp_path)), checks))
    return api.call(example.method, example.path, example.payload)


def missing_check_deletion(example: Example) -> bool:
    """The page's DELETE of a check that does not exist, answered 404 there (and 202 by the source)."""
    return example.method == "DELETE" and example.status == 404


def test_the_page_is_read_whole() -> None:
    """The parsers find what the page holds: four endpoints, each with its table, seven examples, three checks
    (else the tests below would pass on nothing)."""
    assert list(seed_sections()) == list(seed_specifications()) == SECTIONS
    assert [(e.method, e.path, e.status) for e in seed_examples()] == [
        ("GET", "/checks", None),
        ("GET", "/checks/sensu_website", None),
        ("GET", "/checks/non_existent_check", 404),
        ("DELETE", "/checks/api-example", 202),
        ("DELETE", "/checks/non-existent-check", 404),
        ("POST", "/request", 202),
        ("POST", "/request", 404),
    ]
    assert sorted(seed_checks()) == ["chef_client_process", "sensu_website", "website"]


# --- The examples ----------------------------------------------------------------------------------------------


def test_the_examples_that_print_json_get_the_same_json(tmp_path: Path) -> None:
    """`curl -s ... | jq .`: the listing is the checks of the configuration directory, each with its name; one
    check is its definition with its name (the same JSON, the order of keys aside)."""
    printed = [example for example in seed_examples() if example.status is None]
    assert len(printed) == 2
    for example in printed:
        answer = replay(example, tmp_path)
        assert answer.status_code == 200, example.label
        assert answer.json == example.body, example.label
        assert answer.headers["Content-Type"] == "application/json"


def test_the_accepted_examples_answer_an_issued_epoch(tmp_path: Path) -> None:
    """202 `{"issued": <epoch>}`: the same status, the same key, an epoch of the server's clock (the page's are from
    2016), so the same Content-Length; the CORS headers as shown."""
    accepted = [example for example in seed_examples() if example.status == 202]
    assert {example.method for example in accepted} == {"DELETE", "POST"}
    for example in accepted:
        answer = replay(example, tmp_path)
        assert answer.status_code == 202, example.label
        assert set(answer.json) == set(example.body) == {"issued"}, example.label
        assert answer.json["issued"] == NOW and isinstance(example.body["issued"], int)
        assert answer.headers["Content-Length"] == example.headers["Content-Length"] == "21"
        assert answer.headers["Content-Type"] == example.headers["Content-Type"] == "application/json"
        assert cors(answer) == {k: v for k, v in example.headers.items() if k.startswith("Access-Control-")}


def test_the_not_found_examples_answer_404_without_a_body(tmp_path: Path) -> None:
    """An unknown check read or requested: 404, Content-Length 0, the CORS headers as shown. The page's
    `Content-Type: application/json` on the empty answer is Thin's (before Sensu 0.25): the source sets it only with
    content (a known difference)."""
    missing = [example for example in seed_examples() if example.status == 404 and not missing_check_deletion(example)]
    assert [(example.method, example.path) for example in missing] == [
        ("GET", "/checks/non_existent_check"),
        ("POST", "/request"),
    ]
    for example in missing:
        answer = replay(example, tmp_path)
        assert answer.status_code == 404, example.label
        assert empty(answer) and answer.headers["Content-Length"] == example.headers["Content-Length"] == "0"
        assert cors(answer) == {k: v for k, v in example.headers.items() if k.startswith("Access-Control-")}
        assert example.headers["Content-Type"] == "application/json"
    differences = known_differences()
    assert "`Content-Type: application/json` on an empty 404" in differences
    assert "`Server: thin`, `Connection: keep-alive`" in differences


def test_deleting_a_check_that_does_not_exist_is_202_by_the_source(tmp_path: Path) -> None:
    """The page: `DELETE /checks/non-existent-check` answers 404. The source's delete_check looks nothing up: it
    deletes the name's result and history keys of every registered client and answers 202 for any name. The test
    asserts the source, and that the README lists the page's 404 as a known difference."""
    [example] = [example for example in seed_examples() if missing_check_deletion(example)]
    assert example.path == "/checks/non-existent-check" and example.body is None
    assert seed_specifications()["/checks/:check (DELETE)"].codes["Missing"] == 404
    answer = replay(example, tmp_path)
    assert answer.status_code == 202 and answer.json == {"issued": NOW}
    assert "there `DELETE /checks/:check` answers **404** for a check that does not exist" in known_differences()
    assert "the source answers **202** for any name" in known_differences()


# --- The API Specification tables ------------------------------------------------------------------------------


def _down(method: str, path: str, body: object = None) -> Scenario:
    def run(api: ApiClient) -> TestResponse:
        backend_down(api)
        return api.call(method, path, body)

    return run


# (table, label of a response code) -> a request that meets it, against the seed's checks
SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("/checks (GET)", "Success"): lambda api: api.call("GET", "/checks"),
    ("/checks (GET)", "Error"): _down("GET", "/checks"),
    ("/checks/:check (GET)", "Success"): lambda api: api.call("GET", "/checks/chef_client_process"),
    ("/checks/:check (GET)", "Missing"): lambda api: api.call("GET", "/checks/non_existent_check"),
    ("/checks/:check (GET)", "Error"): _down("GET", "/checks/chef_client_process"),
    ("/checks/:check (DELETE)", "Success"): lambda api: api.call("DELETE", "/checks/chef_client_process"),
    ("/checks/:check (DELETE)", "Missing"): lambda api: api.call("DELETE", "/checks/non-existent-check"),
    ("/checks/:check (DELETE)", "Error"): _down("DELETE", "/checks/chef_client_process"),
    ("/request (POST)", "Success"): lambda api: api.call("POST", "/request", {"check": "chef_client_process"}),
    ("/request (POST)", "Malformed"): lambda api: api.call("POST", "/request", data='{"check": '),
    ("/request (POST)", "Error"): _down("POST", "/request", {"check": "chef_client_process"}),
}
# Codes of the page the source does not answer: what it answers instead (listed in the README's known differences).
SOURCE_INSTEAD = {("/checks/:check (DELETE)", "Missing"): 202}


def test_every_documented_response_code_has_a_scenario() -> None:
    documented = {(title, label) for title, spec in seed_specifications().items() for label in spec.codes}
    assert documented == set(SCENARIOS)


@pytest.mark.parametrize("table,label", sorted(SCENARIOS), ids=str)
def test_the_documented_response_codes(api: ApiClient, table: str, label: str) -> None:
    """Each code of each table, met by the simulator; errors have empty bodies but the 500 of a lost connection,
    which says which (lib/sensu/api/http_handler.rb, connected?)."""
    documented = seed_specifications()[table].codes[label]
    answer = SCENARIOS[table, label](api)
    assert answer.status_code == SOURCE_INSTEAD.get((table, label), documented)
    if answer.status_code == 500:
        assert answer.json == {"error": "not connected to redis"}
    elif answer.status_code >= 400:
        assert empty(answer)


@pytest.mark.parametrize("table", SECTIONS)
def test_the_response_types_and_outputs(tmp_path: Path, table: str) -> None:
    """`response type` Array / Hash, and the `output` JSON answered as shown by a simulator holding its checks."""
    spec = seed_specifications()[table]
    kinds = {"Array": list, "Hash": dict}
    if spec.output is None:
        assert "response type" not in spec.rows
        return
    shown = spec.output if isinstance(spec.output, list) else [spec.output]
    checks = {item["name"]: {k: v for k, v in item.items() if k != "name"} for item in shown}
    api = simulator(write_checks(tmp_path, checks))
    path = "/checks" if isinstance(spec.output, list) else f"/checks/{spec.output['name']}"
    answer = api.ok(spec.method, path)
    assert isinstance(answer, kinds[spec.rows["response type"]])
    assert answer == spec.output


def test_the_example_urls_get_the_success_code(api: ApiClient) -> None:
    """Every `example url` (and those of the parameters), with the table's method (and payload): the table's success
    code. `/checks/i-424242` is no check (a client's name on the clients page this one was made from): 202 all the
    same; the `invalidate` parameters, which the source's delete_check never reads, change nothing."""
    urls = []
    for spec in seed_specifications().values():
        urls.append((spec, spec.rows["example url"]))
        if spec.parameters:
            table = seed_sections()[spec.title].split("API Specification", 1)[1]
            urls += [(spec, url) for url in re.findall(r"`(http://hostname:3000/[^`?]+\?[^`]+)`", table)]
    assert len(urls) == 6
    for spec, url in urls:
        parts = urlsplit(url)
        answer = api.call(spec.method, parts.path, spec.payload, query=parts.query or None)
        assert answer.status_code == spec.codes["Success"], url
    assert "the parameters are ignored" in known_differences()


def test_deleting_a_check_keeps_its_definition_and_events(api: ApiClient) -> None:
    """The table: "Removes a check, resolving its current events. (delayed action)". The source deletes the
    check's result and history of each registered client at once; the definition (the configuration's) and the
    events stay (a known difference)."""
    assert seed_specifications()["/checks/:check (DELETE)"].rows["description"].startswith("Removes a check, resolving")
    register(api, "web01", "production")
    assert result(api, "web01", "chef_client_process", 2) is not None
    assert api.ok("GET", "/results/web01/chef_client_process")["check"]["status"] == 2
    api.ok("DELETE", "/checks/chef_client_process", status=202)
    assert api.call("GET", "/results/web01/chef_client_process").status_code == 404
    assert api.ok("GET", "/clients/web01/history") == []
    assert api.ok("GET", "/events/web01/chef_client_process")["check"]["status"] == 2
    assert api.ok("GET", "/checks/chef_client_process")["command"].startswith("check-procs.rb")
    assert "deletes only the check's results and history" in known_differences()
    assert "the definition and the events stay" in known_differences()


# --- The notes ---------------------------------------------------------------------------------------------------


def test_the_request_payload_and_its_notes(api: ApiClient) -> None:
    """The payload example: 202; its `subscribers` replace the definition's ("may be provided to override the
    `subscribers` check definition attribute"), `creator` and `reason` go "under `api_requested`" into the request
    and in turn the results of the clients that run it."""
    spec = seed_specifications()["/request (POST)"]
    section = " ".join(seed_sections()["/request (POST)"].split())
    assert "added to the check request payload under `api_requested`" in section
    assert "override the `subscribers` [check definition attribute]" in section
    register(api, "web01", "production")
    register(api, "www01", "webserver")
    payload = {**spec.payload, "subscribers": ["webserver"]}
    assert api.ok("POST", "/request", spec.payload, status=202) == {"issued": NOW}
    api.ok("POST", "/request", payload, status=202)
    first, second = api.state.check_requests
    requested = {key: spec.payload[key] for key in ("reason", "creator")}
    assert first["subscribers"] == ["production"] and first["clients"] == ["web01"]
    assert second["subscribers"] == ["webserver"] and second["clients"] == ["www01"]
    assert first["api_requested"] == second["api_requested"] == requested
    ran = api.ok("GET", "/results/www01/chef_client_process")["check"]
    assert ran["api_requested"] == requested and ran["status"] == 0


def test_subscribers_are_not_required(api: ApiClient) -> None:
    """ "the `subscribers` attribute is not required": without it the check's own subscribers get the request;
    `creator` and `reason` are not required either (null under `api_requested`)."""
    register(api, "web01", "production")
    assert api.ok("POST", "/request", {"check": "chef_client_process"}, status=202) == {"issued": NOW}
    [request] = api.state.check_requests
    assert request["subscribers"] == ["production"] and request["clients"] == ["web01"]
    assert request["api_requested"] == {"reason": None, "creator": None}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"check": None},
        {"check": 5},
        {"check": "chef_client_process", "subscribers": "production"},
        {"check": "chef_client_process", "reason": 1},
        {"check": "chef_client_process", "creator": ["x"]},
        ["x"],
    ],
)
def test_malformed_requests_are_400(api: ApiClient, body: object) -> None:
    """**Malformed**: 400 with an empty body, for a body that is not a hash or breaks request.rb's rules (`check` a
    string, `subscribers` an array, `reason` and `creator` strings)."""
    answer = api.call("POST", "/request", body)
    assert answer.status_code == 400 and empty(answer)
    assert api.state.check_requests == []


def test_a_check_that_is_not_published_can_be_requested(tmp_path: Path) -> None:
    """The PRO TIP: a check with `"publish": false` (no interval needed) is listed and can be requested."""
    definition = {"command": "deploy-smoke-test.sh", "subscribers": ["production"], "publish": False}
    api = simulator(write_checks(tmp_path, {**seed_checks(), "smoke_test": definition}))
    section = " ".join(seed_sections()["/request (POST)"].split())
    assert 'configured with `"publish": false`' in section
    assert api.ok("GET", "/checks/smoke_test") == {**definition, "name": "smoke_test"}
    register(api, "web01", "production")
    assert api.ok("POST", "/request", {"check": "smoke_test"}, status=202) == {"issued": NOW}
    assert api.ok("GET", "/results/web01/smoke_test")["check"]["output"] == "smoke_test OK: simulated execution\n"


def test_only_subscription_checks_are_listed(tmp_path: Path) -> None:
    """ "HTTP GET access to [subscription check] data": a standalone check (scheduled by the clients) is neither
    listed nor found; it can still be requested (request.rb looks at every check)."""
    assert "access to [subscription check][1]" in " ".join(seed_sections()["/checks (GET)"].split())
    standalone = {"command": "check-disk.rb", "standalone": True, "interval": 60}
    api = simulator(write_checks(tmp_path, {**seed_checks(), "disk": standalone}))
    assert "disk" not in [check["name"] for check in api.ok("GET", "/checks")]
    assert len(api.ok("GET", "/checks")) == len(seed_checks())
    assert api.call("GET", "/checks/disk").status_code == 404
    assert api.call("POST", "/request", {"check": "disk"}).status_code == 202
