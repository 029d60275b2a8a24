"""The openITCOCKPIT simulator against the API contract (../shared/contracts/opsview-openitcockpit-sensu.md, 2.1
and 2.2: authentication, error shapes, hosts, paging and scrolling). Each statement is read from the document where
it writes one out (its JSON examples, the keys it names) and checked against the simulator. Where the fact sheets
the simulator was built from show the document wrong (the server's source, or a recorded answer, says otherwise),
the test asserts the server's behaviour and says why."""

from __future__ import annotations

import pytest
from openitcockpit_contract import (
    CONTRACT,
    CSRF,
    A,
    add_host,
    contract_examples,
    contract_section,
    example,
    export,
    keys_named,
    line_of,
)

from tests.simulators.openitcockpit import SimulatorConfig
from tests.simulators.openitcockpit.testing import ApiClient

NEEDS_OPENAPI = False
NEEDS_SHARED = (CONTRACT,)
EMPTY = "This field cannot be left empty"


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(SimulatorConfig(export_seconds=0, downtime_delay=0))


def listed(api: ApiClient, **filters: str) -> list[str]:
    query = {**A, **{f"filter[{key}]": value for key, value in filters.items()}}
    return [row["Host"]["name"] for row in api.ok("GET", "/hosts/index.json", query=query)["all_hosts"]]


# --- 2.1 Authentication and error shapes ----------------------------------------------------------


def test_the_api_key_in_the_header_the_query_or_a_cookie() -> None:
    auth = contract_section("### 2.1 Authentication")
    assert "`Authorization: X-OITC-API <apikey>`" in auth and "`?apikey=<key>`" in auth and "cookie" in auth
    api = ApiClient(api_key="secret-key-1", config=SimulatorConfig(api_key="secret-key-1"))
    header = api.call("GET", "/hosts/index.json", query=A)
    query = api.call("GET", "/hosts/index.json", query={**A, "apikey": "secret-key-1"}, headers={"Authorization": ""})
    api.client.set_cookie("Authorization", "X-OITC-API secret-key-1")
    cookie = api.call("GET", "/hosts/index.json", query=A, headers={"Authorization": ""})
    assert [answer.status_code for answer in (header, query, cookie)] == [200, 200, 200]


def test_unauthenticated_json_is_401_with_an_empty_body() -> None:
    """The contract names the missing key; a wrong one is the same to the server (ApikeyAuthenticator finds no
    identity either way), and so is `Bearer <key>`: the first 10 characters of the header are cut off unchecked."""
    assert "Unauthenticated `.json` (or `Accept: application/json`) → **401 with an empty body**" in contract_section()
    api = ApiClient()
    for headers in ({"Authorization": ""}, {"Authorization": "X-OITC-API wrong"}, {"Authorization": "Bearer x"}):
        answer = api.call("GET", "/hosts/index.json", query=A, headers=headers)
        assert (answer.status_code, answer.data) == (401, b""), headers
    assert (
        api.call("GET", "/hosts/index", headers={"Authorization": "", "Accept": "application/json"}).status_code == 401
    )
    page = api.call("GET", "/hosts/index", headers={"Authorization": "", "Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].endswith("/a/users/login")
    assert (
        api.call("GET", "/hosts/index.json", query=A, headers={"Authorization": f"X-OITC-API{api.api_key}"}).status_code
        == 200
    )


def test_every_call_uses_the_json_extension(api: ApiClient) -> None:
    assert "Every API call must use the **`.json` extension**" in contract_section()
    assert api.call("GET", "/hosts/index", query=A).status_code == 404  # the server ships HTML there


def test_without_angular_index_add_and_edit_still_work_and_get_edit_says_nothing(api: ApiClient) -> None:
    """The contract: "Without it, add/edit/index return the HTML template or 405". With `.json` the server's
    index, add and the edit POST do not look at `angular` (hosts.md 0, 10: HostsController); GET edit answers 200
    with nothing but `_csrfToken` (the HTML template's variables are not serialized), loadHostsByString 405."""
    assert "Without it, add/edit/index return the HTML template or 405." in contract_section()
    host_id = api.ok(
        "POST",
        "/hosts/add.json",
        {"Host": {"name": "web01", "address": "10.0.0.5", "container_id": 1, "hosttemplate_id": 1}},
    )["id"]
    assert api.ok("GET", "/hosts/index.json")["all_hosts"]
    form = api.ok("GET", f"/hosts/edit/{host_id}.json", query=A)["host"]["Host"]
    edit = {key: value for key, value in form.items() if key not in ("id", "uuid", "created", "modified")}
    assert api.ok("POST", f"/hosts/edit/{host_id}.json", {"Host": edit}) == {"id": host_id, **CSRF}
    assert api.ok("GET", f"/hosts/edit/{host_id}.json") == CSRF
    assert api.call("GET", "/hosts/loadHostsByString.json").status_code == 405


def test_container_rights_are_403_status_and_text(api: ApiClient) -> None:
    """render403()'s body, the only 403 a root user can meet here: a browser container that does not exist."""
    forbidden = api.call("GET", "/hosts/index.json", query={**A, "BrowserContainerId": "999"})
    assert forbidden.status_code == 403
    assert forbidden.json == {**example("status", "statusText"), **CSRF}


def test_exceptions_are_message_url_code(api: ApiClient) -> None:
    """CakePHP's renderer, debug off: the documented 404; a 500 says only "An Internal Error Has Occurred."; the
    url is the request target with its query, HTML-escaped (the contract's example has no query)."""
    documented = example("message", "url", "code")
    answer = api.call("POST", documented["url"])
    assert answer.status_code == documented["code"] == 404 and answer.json == {**documented, **CSRF}
    host_id = add_host(api, "web01")
    failed = api.call("POST", f"/hosts/edit/{host_id}.json", {"Host": {"hosttemplate_id": 1}}, {**A, "x": "a&b"})
    assert failed.status_code == 500
    assert failed.json == {
        "message": "An Internal Error Has Occurred.",
        "url": f"/hosts/edit/{host_id}.json?angular=true&amp;x=a%26b",
        "code": 500,
        **CSRF,
    }


# --- 2.2 Hosts ------------------------------------------------------------------------------------


def test_the_list_matches_substrings_of_names_that_need_not_be_unique(api: ApiClient) -> None:
    hosts = contract_section("### 2.2 Hosts")
    assert "use **LIKE %x%** (substring)" in hosts and "There is **no exact-name filter**" in hosts
    assert "Host **names are not unique**" in hosts
    first, second = add_host(api, "web01"), add_host(api, "web01")
    add_host(api, "db01", address="10.0.0.9")
    export(api)
    assert first != second and listed(api, **{"Hosts.name": "EB0"}) == ["web01", "web01"]
    assert listed(api, **{"Hosts.address": "0.9"}) == ["db01"]
    assert listed(api, **{"Hosts.name": "web|db", "Hosts.name_regex": "true"}) == ["web01", "web01", "db01"]


def test_paging_and_scroll_blocks(api: ApiClient) -> None:
    """The documented blocks, key for key and type for type; `current` is the rows on the page, scroll mode has no
    total and `hasNextPage` is rows == limit."""
    paging, scroll = example(*example_keys("paging")), example(*example_keys("scroll"))
    for index in range(30):
        add_host(api, f"web{index:02d}")
    export(api)  # 31 hosts with `default host`
    paged = api.ok("GET", "/hosts/index.json", query={**A, "scroll": "false", "limit": 25})["paging"]
    assert list(paged) == list(paging) and [type(v) for v in paged.values()] == [type(v) for v in paging.values()]
    assert paged | {"count": 504, "pageCount": 21} == paging  # the contract's example has 504 hosts
    assert (paged["count"], paged["pageCount"]) == (31, 2)
    scrolled = api.ok("GET", "/hosts/index.json", query={**A, "scroll": "true", "limit": 25})["scroll"]
    assert scrolled == scroll and "count" not in scrolled
    last = api.ok("GET", "/hosts/index.json", query={**A, "scroll": "true", "limit": 25, "page": 2})["scroll"]
    assert (last["current"], last["hasNextPage"], last["hasPrevPage"]) == (2, False, True)
    full = api.ok("GET", "/hosts/index.json", query={**A, "scroll": "true", "limit": 31})["scroll"]
    assert full["hasNextPage"] is True  # a full last page: scroll mode cannot know it is the last
    assert "paging" in api.ok("GET", "/hosts/index.json", query=A)  # no `scroll`: paging


def example_keys(block: str) -> list[str]:
    """The keys of the block written out as `"<block>":{...}` in 2.2."""
    text = contract_section("### 2.2 Hosts")
    start = text.index(f'"{block}":{{')
    return keys_named(text[start + len(block) + 3 : text.index("}", start)])


def test_the_list_row_has_the_documented_keys_and_the_master_is_mastersystem(api: ApiClient) -> None:
    """Every key the contract's row names is there. Its `"satelliteName":"Master"` is wrong for a fresh install:
    the master's name is the system setting FRONTEND.MASTER_INSTANCE, seeded as "Mastersystem"
    (InitialDatabase/Systemsetting.php; recorded hosts/index-down.json and services/index-warning.json)."""
    body = line_of('Body `{"all_hosts"')
    host_keys = keys_named(body[body.index('"Host":{') + 8 : body.index("},")])
    status_keys = keys_named(body[body.index('"Hoststatus":{') : body.index('"ServicestatusSummary"')])[1:]
    assert '"satelliteName":"Master"' in body
    answer = api.ok("GET", "/hosts/index.json", query=A)
    row = answer["all_hosts"][0]
    assert set(host_keys) <= set(row["Host"]) and set(status_keys) <= set(row["Hoststatus"])
    assert set(keys_named(body)) - {"Host", *host_keys, *status_keys} <= set(answer) | set(row)
    assert row["Host"]["satelliteName"] == "Mastersystem" and row["Host"]["satelliteId"] == 0


def test_new_and_disabled_hosts_are_missing_from_the_list_but_found_by_string(api: ApiClient) -> None:
    hosts = contract_section("### 2.2 Hosts")
    assert "hosts created since the last export are MISSING from index.json.** So are disabled hosts." in hosts
    host_id = add_host(api, "web01")
    assert listed(api, **{"Hosts.name": "web01"}) == []
    found = api.ok("GET", "/hosts/loadHostsByString.json", query={**A, "filter[Hosts.name]": "web01"})
    assert set(found) == {*example("hosts"), *CSRF} and list(found["hosts"][0]) == list(example("hosts")["hosts"][0])
    assert found["hosts"] == [{"key": host_id, "value": "web01"}]
    assert [row["Host"]["id"] for row in api.ok("GET", "/hosts/notMonitored.json", query=A)["all_hosts"]] == [host_id]
    export(api)
    assert listed(api, **{"Hosts.name": "web01"}) == ["web01"]
    api.ok("POST", f"/hosts/deactivate/{host_id}.json")
    assert listed(api, **{"Hosts.name": "web01"}) == []  # disabled: gone at once, export or not
    query = {**A, "filter[Hosts.name]": "web01"}
    assert api.ok("GET", "/hosts/loadHostsByString.json", query=query)["hosts"] == []
    assert api.ok("GET", "/hosts/loadHostsByString.json", query={**query, "includeDisabled": "true"})["hosts"]


def test_create_answers_the_id_and_the_documented_errors(api: ApiClient) -> None:
    documented = example("Host")
    created = api.ok("POST", "/hosts/add.json", documented, A)
    assert set(created) == set(example("id")) | set(CSRF) and isinstance(created["id"], int)
    documented_errors = [value for value in contract_examples() if set(value) == {"error"}]
    no_container = api.call("POST", "/hosts/add.json", {"Host": {**documented["Host"], "container_id": 0}}, A)
    no_name = api.call("POST", "/hosts/add.json", {"Host": {**documented["Host"], "name": ""}}, A)
    for refused, field in ((no_container, "container_id"), (no_name, "name")):
        assert refused.status_code == 400 and set(refused.json) == {"error", "_csrfToken"}
        assert {"error": refused.json["error"]} in documented_errors and list(refused.json["error"]) == [field]
    template = api.call("POST", "/hosts/add.json", {"Host": {**documented["Host"], "hosttemplate_id": 99}}, A)
    assert (template.status_code, template.json["message"]) == (404, "Invalid host template")
    # With the flag, the server reads `Host.hostgroups._ids` after saving (without it: 500, README).
    flagged = {"Host": {**documented["Host"], "hostgroups": {"_ids": []}}}
    assigned = api.ok(
        "POST", "/hosts/add.json", {**flagged, "save_host_and_assign_matching_servicetemplate_groups": True}, A
    )
    assert set(assigned) == {"id", "services", "errors", "servicetemplategroups_removed_count", "_csrfToken"}


def test_omitted_or_template_values_are_inherited_and_the_satellite_is_the_master(api: ApiClient) -> None:
    hosts = contract_section("### 2.2 Hosts")
    assert "A field omitted or equal to the template value is stored as NULL" in hosts
    assert "`satellite_id` defaults to 0 (master)" in hosts
    host_id = add_host(api, "web01", priority=1, notes="own notes")  # the template's priority is 1
    stored = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    assert (stored["priority"], stored["notes"], stored["check_interval"]) == (None, "own notes", None)
    assert stored["satellite_id"] == 0


def test_an_edit_replaces_the_host_and_needs_the_sharing_ids(api: ApiClient) -> None:
    hosts = contract_section("### 2.2 Hosts")
    assert "**Full replacement, not a patch**" in hosts and "`Host.hosts_to_containers_sharing._ids` directly" in hosts
    host_id = add_host(api, "web01", notes="own notes", priority=4)
    body = {"Host": {"name": "web01", "address": "10.0.0.6", "container_id": 1, "hosttemplate_id": 1}}
    assert api.call("POST", f"/hosts/edit/{host_id}.json", body, A).status_code == 500
    body["Host"]["hosts_to_containers_sharing"] = {"_ids": []}
    assert api.ok("POST", f"/hosts/edit/{host_id}.json", body, A) == {"id": host_id, **CSRF}
    stored = api.ok("GET", f"/hosts/view/{host_id}.json")["host"]
    assert (stored["address"], stored["notes"], stored["priority"]) == ("10.0.0.6", None, None)


def test_delete_is_post_only_and_says_who_uses_a_host(api: ApiClient) -> None:
    """The contract shows `usedBy` as a list; the server's is an object keyed by module (HostsTable: usedBy per
    usage_flag bit; the Autoreport module's entry an object, others a bare number), the id the URL's string."""
    hosts = contract_section("### 2.2 Hosts")
    assert '`{"success":false,"id":..,"message":"Issue while deleting host","usedBy":[...]}`' in hosts
    host_id = add_host(api, "web01")
    assert api.call("GET", f"/hosts/delete/{host_id}.json").status_code == 405
    assert api.ok("POST", f"/hosts/delete/{host_id}.json") == {**example("success"), **CSRF}
    assert api.call("POST", f"/hosts/delete/{host_id}.json").status_code == 404
    used = add_host(api, "report01", usage_flag=1 | 4)
    refused = api.call("POST", f"/hosts/delete/{used}.json")
    assert refused.status_code == 400
    assert refused.json == {
        "success": False,
        "id": str(used),
        "message": "Issue while deleting host",
        "usedBy": {
            "AUTOREPORT_MODULE": {
                "baseUrl": "#",
                "state": "AutoreportsHostUsedBy",
                "message": "Used by Autoreport module",
                "module": "AutoreportModule",
                "id": used,
            },
            "IMPORT_MODULE": 4,
        },
        **CSRF,
    }
