"""The openITCOCKPIT backend (client, containers, hosts, the API user's clock, downtimes, export) against a small fake
of its JSON API: answers per (method, path), every request recorded, no network."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils import _commands as commands_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    NotFoundError,
    ValidationError,
    WaitTimeout,
    reread_settles,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit import export as export_module
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit._client import (
    OitcClient,
    subject,
    validation_messages,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.clock import (
    UserClock,
    strptime_format,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.container import (
    Containers,
    ContainerTree,
    parse_path,
    path_text,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.downtime import (
    DowntimeNotApplied,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.export import Export, ExportFailed
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit.host import (
    HostResource,
    desired_host,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, sync
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import iso_utc
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline

KEY = "0123abcd-oitc-api-key-4567"
BASE = "https://oitc.example"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # winter: Berlin is UTC+1, user_time_to_server_offset 3600


def answer(status: int = 200, body: object = None) -> Response:
    """A JSON answer; without a body, the empty text/html answer openITCOCKPIT gives to a wrong key."""
    if body is None:
        return Response(status, {"Content-Type": "text/html; charset=UTF-8"}, b"")
    return Response(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class Fake:
    """Records requests; ``routes[(method, path)]`` (the path without ``.json``) is a list of answers (the last one
    repeats) or a callable taking the call. Every URL must end in ``.json``."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.routes: dict = {}

    def on(self, method: str, path: str, *answers: Response) -> None:
        self.routes[(method, path)] = list(answers)

    def request(self, method, url, *, headers, body, timeout):  # noqa: ANN001 - Transport protocol
        parts = urlsplit(url)
        assert url.startswith(f"{BASE}/") and parts.path.endswith(".json"), url
        pairs = parse_qsl(parts.query)
        call = {
            "method": method,
            "path": parts.path[: -len(".json")],
            "url": url,
            "query": dict(pairs),
            "pairs": pairs,
            "headers": dict(headers),
            "body": json.loads(body) if body else None,
        }
        self.calls.append(call)
        found = self.routes.get((method, call["path"]))
        assert found is not None, f"unexpected {method} {call['path']}"
        if callable(found):
            return found(call)
        return found.pop(0) if len(found) > 1 else found[0]

    def writes(self) -> list[dict]:
        return [c for c in self.calls if c["method"] != "GET"]

    def count(self, path: str) -> int:
        return sum(1 for c in self.calls if c["path"] == path)


class Ticks:
    """The monotonic clock of the deadlines, advanced only by the injected sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def client(fake: Fake) -> OitcClient:
    return OitcClient(f"{BASE}/", KEY, transport=fake, timeout=5)


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> Ticks:
    clock = Ticks()
    for module in (commands_module, export_module):
        monkeypatch.setattr(module, "Deadline", lambda seconds: Deadline(seconds, clock=clock))
    return clock


# --- client -----------------------------------------------------------------------------------------------------


def test_every_request_has_the_key_header_the_json_extension_and_angular(client, fake):
    fake.on("GET", "/hosts/index", answer(200, {"all_hosts": []}))
    fake.on("POST", "/hosts/add", answer(200, {"id": 42, "_csrfToken": None}))
    client.request("GET", "/hosts/index", action="list", query={"filter[Hosts.name]": "web01", "scroll": "false"})
    assert client.request("POST", "/hosts/add", action="add", body={"Host": {"name": "web01"}}) == {
        "id": 42,
        "_csrfToken": None,
    }
    assert [c["headers"]["Authorization"] for c in fake.calls] == [f"X-OITC-API {KEY}"] * 2
    assert fake.calls[0]["url"].startswith(f"{BASE}/hosts/index.json?")
    assert fake.calls[0]["query"] == {"angular": "true", "filter[Hosts.name]": "web01", "scroll": "false"}
    assert fake.calls[1]["query"] == {"angular": "true"}
    assert fake.calls[1]["headers"]["Content-Type"] == "application/json"
    assert fake.calls[1]["body"] == {"Host": {"name": "web01"}}


def test_a_wrong_key_fails_in_one_line_naming_the_action_and_api_key_but_not_the_key(client, fake):
    fake.on("GET", "/hosts/index", answer(401))
    with pytest.raises(AuthError) as error:
        client.request("GET", "/hosts/index", action="list the hosts")
    message = str(error.value)
    assert message.startswith("Failed to list the hosts: 401") and "check api_key" in message
    assert "\n" not in message and KEY not in message and KEY not in repr(error.value.details)
    assert error.value.status == 401


def test_a_validation_error_is_one_line_field_by_field(client, fake):
    body = {"error": {"name": {"_empty": "This field cannot be left empty"}}, "_csrfToken": None}
    fake.on("POST", "/containers/add", answer(400, body))
    with pytest.raises(ApiError) as error:
        client.request("POST", "/containers/add", action="create container '/root/A'", body={"Container": {}})
    assert str(error.value) == "Failed to create container '/root/A': 400 name: This field cannot be left empty"
    assert not isinstance(error.value, (AuthError, NotFoundError)) and error.value.details["path"] == "/containers/add"


@pytest.mark.parametrize(
    "errors, line",
    [
        ({"comment": {"_empty": "This field cannot be left empty"}}, "comment: This field cannot be left empty"),
        (
            {"to_time": {"custom": "End time needs to be a valid date.", "custom2": "From > to"}, "object_id": "x"},
            "to_time: End time needs to be a valid date.; From > to; object_id: x",
        ),
        ("Invalid", "Invalid"),
        (None, ""),
    ],
)
def test_validation_messages(errors, line):
    assert validation_messages(errors) == line


def test_nested_validation_messages_name_the_nested_field():
    errors = {"container": {"name": {"_empty": "This field cannot be left blank."}}}
    assert validation_messages(errors) == "container.name: This field cannot be left blank."


def test_no_rights_on_a_container_is_an_auth_error(client, fake):
    fake.on("GET", "/containers/view/9", answer(403, {"status": 403, "statusText": "Forbidden", "_csrfToken": None}))
    with pytest.raises(AuthError) as error:
        client.request("GET", "/containers/view/9", action="read container '/root/ACME'")
    assert str(error.value) == (
        "Failed to read container '/root/ACME': 403 Forbidden - the API key's user lacks rights on the container "
        "this needs"
    )


def test_cakephp_errors_give_their_message_and_get_reads_a_404_as_none(client, fake):
    missing = {"message": "Invalid container", "url": "/containers/view/99.json?angular=true", "code": 404}
    fake.on("GET", "/containers/view/99", answer(404, missing))
    with pytest.raises(NotFoundError, match=r"^Failed to read container 99: 404 Invalid container$"):
        client.request("GET", "/containers/view/99", action="read container 99")
    assert client.get("/containers/view/99", action="read container 99") is None
    crash = {"message": "An Internal Error Has Occurred.", "url": "/exports/launchExport.json", "code": 500}
    fake.on("POST", "/exports/launchExport", answer(500, crash))
    with pytest.raises(ApiError, match=r"^Failed to export: 500 An Internal Error Has Occurred\.$") as error:
        client.request("POST", "/exports/launchExport", action="export")
    assert reread_settles(error.value)
    fake.on("GET", "/hosts/index", Response(502, {}, b"<html>Bad Gateway</html>"))
    with pytest.raises(ApiError, match=r"^Failed to list: 502 HTTP 502$"):
        client.request("GET", "/hosts/index", action="list")


@pytest.mark.parametrize(
    "server_url, key, timeout, message",
    [
        (BASE, "", 30, "the connection option api_key is required"),
        ("", KEY, 30, "the connection option server_url is required"),
        (BASE, f"{KEY}\n", 30, "api_key contains a line break"),
        (BASE, f"{KEY}\u20ac", 30, "api_key may contain only Latin-1 characters"),
        (BASE, KEY, 0, "timeout must be a positive number"),
    ],
)
def test_bad_connection_options(fake, server_url, key, timeout, message):
    with pytest.raises(ValidationError, match=message) as error:
        OitcClient(server_url, key, transport=fake, timeout=timeout)
    assert KEY not in str(error.value) and fake.calls == []


def test_the_client_from_module_options(fake):
    params = {"server_url": BASE, "api_key": None, "validate_certs": True, "ca_path": None, "timeout": 30}
    with pytest.raises(ValidationError, match="api_key is required"):
        OitcClient.from_params(params, transport=fake)
    client = OitcClient.from_params({**params, "api_key": KEY}, transport=fake)
    fake.on("GET", "/hosts/index", answer(200, {}))
    client.request("GET", "/hosts/index", action="list")
    assert fake.calls[0]["headers"]["Authorization"] == f"X-OITC-API {KEY}"


# --- containers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, names",
    [
        ("/root/A/B", ("A", "B")),
        ("A/B", ("A", "B")),
        ("root/A", ("A",)),
        ("/root", ()),
        (" /root/ACME Corp/ ", ("ACME Corp",)),
    ],
)
def test_container_paths(text, names):
    assert parse_path(text) == names
    assert path_text(names) == "/" + "/".join(("root", *names))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "names containers from root down"),
        (None, "names containers from root down"),
        ("A//B", "Invalid container name ''"),
        ("A/ B", "Invalid container name ' B'"),
        ("A/B\tC", "Invalid container name"),
        ("A/" + "x" * 256, "1 to 255 characters"),
    ],
)
def test_bad_container_paths(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_path(text)


LISTED = [
    {"key": 1, "value": "/root"},
    {"key": 9, "value": "/root/ACME"},
    {"key": 10, "value": "/root/ACME/Berlin"},
    {"key": 11, "value": "/root/Other"},
    {"key": 12, "value": "/root/Other"},
]


def test_the_container_tree():
    tree = ContainerTree(LISTED)
    assert tree.find(()) == 1 and tree.find(("ACME", "Berlin")) == 10 and tree.find(("Nope",)) is None
    assert tree.require("ACME/Berlin", purpose="create host 'web01'") == 10
    assert tree.path_of(10) == "/root/ACME/Berlin" and tree.path_of("x") is None and tree.path_of(99) is None
    with pytest.raises(ValidationError, match=r"'/root/Other' is ambiguous: containers 11, 12 all have it"):
        tree.find(("Other",))
    with pytest.raises(ValidationError, match=r"^Cannot create host 'web01': the container '/root/Nope' does not"):
        tree.require("/root/Nope", purpose="create host 'web01'")
    assert ContainerTree(LISTED[1:]).find(()) == 1  # a user without root privileges is not shown ROOT


class ContainerServer:
    """Containers by id (path, type); tenants/add, locations/add and containers/add create them, answering the id of
    their own row (tenant or location ids differ from container ids, as on the real server)."""

    def __init__(self, fake: Fake, *containers: tuple[int, str, int]) -> None:
        self.fake = fake
        self.rows: dict[int, tuple[str, int]] = {}
        for cid, path, kind in ((1, "/root", 1), *containers):
            self.put(cid, path, kind)
        fake.routes[("GET", "/containers/loadContainers")] = lambda call: answer(
            200, {"containers": [{"key": k, "value": p} for k, (p, _kind) in sorted(self.rows.items())]}
        )
        fake.routes[("POST", "/tenants/add")] = lambda call: self.add(1, call["body"]["container"]["name"], 2)
        fake.routes[("POST", "/locations/add")] = lambda call: self.add(
            call["body"]["container"]["parent_id"], call["body"]["container"]["name"], 3
        )
        fake.routes[("POST", "/containers/add")] = lambda call: self.add(
            call["body"]["Container"]["parent_id"],
            call["body"]["Container"]["name"],
            call["body"]["Container"]["containertype_id"],
        )

    def put(self, cid: int, path: str, kind: int) -> None:
        self.rows[cid] = (path, kind)
        view = {"container": {"id": cid, "containertype_id": kind, "name": path.rsplit("/", 1)[1]}}
        self.fake.on("GET", f"/containers/view/{cid}", answer(200, view))
        self.fake.on("POST", f"/containers/delete/{cid}", answer(200, {"success": True}))

    def add(self, parent: int, name: str, kind: int) -> Response:
        cid = max(self.rows) + 1
        self.put(cid, f"{self.rows[parent][0]}/{name}", kind)
        return answer(200, {"id": 500 + cid if kind in (2, 3) else cid})


def test_check_mode_reads_only_and_names_what_would_be_created(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    outcome = Containers(client, "/root/ACME/Berlin/rack1").apply("present", check_mode=True)
    assert outcome.changed and outcome.before is None
    assert outcome.after == {"path": "/root/ACME/Berlin/rack1", "name": "rack1", "id": None, "type": "node"}
    assert outcome.extra["created"] == ["/root/ACME/Berlin", "/root/ACME/Berlin/rack1"]
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


def test_missing_containers_are_created_top_down_tenant_first_with_parents_read_again(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    outcome = Containers(client, "NewCo/Berlin/rack1").apply("present", check_mode=False)
    assert [(c["path"], c["body"]) for c in fake.writes()] == [
        ("/tenants/add", {"description": "", "is_active": 1, "container": {"name": "NewCo"}}),
        ("/containers/add", {"Container": {"parent_id": 10, "name": "Berlin", "containertype_id": 5}}),
        ("/containers/add", {"Container": {"parent_id": 11, "name": "rack1", "containertype_id": 5}}),
    ]
    assert outcome.changed and outcome.extra["created"] == [
        "/root/NewCo",
        "/root/NewCo/Berlin",
        "/root/NewCo/Berlin/rack1",
    ]
    assert outcome.after == {"path": "/root/NewCo/Berlin/rack1", "name": "rack1", "id": 12, "type": "node"}
    assert fake.count("/containers/loadContainers") == 4  # once, then after each creation
    fake.calls.clear()
    again = Containers(client, "/root/NewCo/Berlin/rack1").apply("present", check_mode=False)
    assert not again.changed and again.extra["created"] == [] and fake.writes() == []


def test_a_location_is_created_as_one(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    outcome = Containers(client, "/root/ACME/Berlin", kind="location").apply("present", check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == "/locations/add"
    assert post["body"] == {"description": "", "timezone": "UTC", "container": {"name": "Berlin", "parent_id": 9}}
    assert outcome.after == {"path": "/root/ACME/Berlin", "name": "Berlin", "id": 10, "type": "location"}


@pytest.mark.parametrize(
    "path, kind, message",
    [
        ("Berlin", "location", "directly below root openITCOCKPIT has tenants only"),
        ("/root", "node", "The root container always exists"),
        ("ACME/web", "hostgroup", "node or location, not 'hostgroup'"),
    ],
)
def test_containers_that_cannot_be_declared(client, fake, path, kind, message):
    with pytest.raises(ValidationError, match=message):
        Containers(client, path, kind=kind).apply("present", check_mode=True)
    assert fake.calls == []


@pytest.mark.parametrize(
    "existing, path, message",
    [
        ((10, "/root/ACME/Berlin", 3), "ACME/Berlin", "'/root/ACME/Berlin' exists as a location, not a node"),
        ((10, "/root/Labs", 5), "Labs", "'/root/Labs' exists as a node, not a tenant"),
    ],
)
def test_a_container_of_another_type_is_refused(client, fake, existing, path, message):
    ContainerServer(fake, (9, "/root/ACME", 2), existing)
    with pytest.raises(ValidationError, match=message):
        Containers(client, path).apply("present", check_mode=False)
    assert fake.writes() == []


def test_an_ambiguous_path_is_refused(client, fake):
    ContainerServer(fake, (11, "/root/Other", 2), (12, "/root/Other", 2))
    with pytest.raises(ValidationError, match="ambiguous"):
        Containers(client, "/root/Other/rack1").apply("present", check_mode=False)
    assert fake.writes() == []


def test_absent_removes_the_container_by_id(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2), (10, "/root/ACME/Berlin", 5))
    check = Containers(client, "ACME/Berlin").apply("absent", check_mode=True)
    assert check.changed and check.after is None and fake.writes() == []
    outcome = Containers(client, "ACME/Berlin").apply("absent", check_mode=False)
    assert [c["path"] for c in fake.writes()] == ["/containers/delete/10"]
    assert outcome.changed and outcome.before == {
        "path": "/root/ACME/Berlin",
        "name": "Berlin",
        "id": 10,
        "type": "node",
    }
    fake.calls.clear()
    gone = Containers(client, "ACME/Nope").apply("absent", check_mode=False)
    assert not gone.changed and fake.writes() == []


def test_a_lost_answer_is_read_again_instead_of_sent_again(client, fake):
    server = ContainerServer(fake, (9, "/root/ACME", 2))

    def landed_but_lost(call: dict) -> Response:
        server.add(1, call["body"]["container"]["name"], 2)
        return answer(503, {"message": "Service Unavailable"})

    fake.routes[("POST", "/tenants/add")] = landed_but_lost
    outcome = Containers(client, "NewCo").apply("present", check_mode=False)
    assert [c["path"] for c in fake.writes()] == ["/tenants/add"]
    assert outcome.changed and outcome.before is None and outcome.after["id"] == 10


def test_a_write_that_did_not_land_is_decided_afresh(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    normal = fake.routes[("POST", "/containers/add")]
    lost = iter([answer(502, {"message": "Bad Gateway"})])
    fake.routes[("POST", "/containers/add")] = lambda call: next(lost, None) or normal(call)
    outcome = Containers(client, "ACME/Berlin").apply("present", check_mode=False)
    assert [c["path"] for c in fake.writes()] == ["/containers/add", "/containers/add"]
    assert outcome.changed and outcome.after["id"] == 10


def test_created_lists_every_container_the_task_created_across_attempts(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    normal = fake.routes[("POST", "/containers/add")]
    lost = iter([answer(503, {"message": "Service Unavailable"})])
    fake.routes[("POST", "/containers/add")] = lambda call: next(lost, None) or normal(call)
    outcome = Containers(client, "NewCo/Berlin").apply("present", check_mode=False)
    assert outcome.after["path"] == "/root/NewCo/Berlin"
    assert outcome.extra["created"] == ["/root/NewCo", "/root/NewCo/Berlin"]


# --- hosts ------------------------------------------------------------------------------------------------------


CONTAINERS = {1: "/root", 9: "/root/ACME", 10: "/root/ACME/Berlin", 11: "/root/Shared"}
TEMPLATES = {1: "default host", 2: "linux server", 6: "linux server (old)"}
GROUPS = {3: "web", 4: "db", 5: "web-old"}
SATELLITES = [{"key": 0, "value": "Mastersystem"}, {"key": 3, "value": "sat-berlin"}]
TEMPLATE_FORMS = {
    1: {
        "id": 1,
        "name": "default host",
        "description": "",
        "command_id": 4,
        "check_interval": 300,
        "retry_interval": 60,
        "max_check_attempts": 3,
        "notes": "",
        "priority": 1,
        "tags": "",
        "hostgroups": {"_ids": []},
        "contacts": {"_ids": [1]},
        "contactgroups": {"_ids": []},
    },
    2: {
        "id": 2,
        "name": "linux server",
        "description": "Linux",
        "command_id": 7,
        "check_interval": 60,
        "retry_interval": 30,
        "max_check_attempts": 3,
        "notes": "",
        "priority": 2,
        "tags": "linux",
        "hostgroups": {"_ids": [4]},
        "contacts": {"_ids": [2]},
        "contactgroups": {"_ids": []},
    },
}
# The host as GET /hosts/edit/42.json shows it: merged with its template (inherited values filled in).
WEB01 = {
    "id": 42,
    "uuid": "4f3c-web01",
    "container_id": 9,
    "name": "web01",
    "description": "",
    "hosttemplate_id": 1,
    "address": "192.0.2.10",
    "command_id": 4,
    "check_interval": 300,
    "retry_interval": 60,
    "max_check_attempts": 5,
    "notes": "",
    "priority": 1,
    "tags": "",
    "satellite_id": 0,
    "host_type": 1,
    "usage_flag": 0,
    "disabled": 0,
    "own_contacts": 0,
    "own_contactgroups": 0,
    "own_customvariables": 0,
    "hostgroups": {"_ids": [3]},
    "contacts": {"_ids": [1]},
    "contactgroups": {"_ids": []},
    "parenthosts": {"_ids": []},
    "hosts_to_containers_sharing": {"_ids": [9, 11]},
    "customvariables": [],
    "hostcommandargumentvalues": [],
    "created": "2026-09-16T16:04:07+00:00",
    "modified": "2026-09-16T16:04:07+00:00",
}
SERVER_MANAGED = ("id", "uuid", "created", "modified")


class HostServer:
    """Hosts by id as their edit form shows them, the container listing, templates, host groups (substring filters,
    as openITCOCKPIT's) and satellites. ``others``: (id, name) of more hosts that the name lookup lists."""

    def __init__(
        self,
        fake: Fake,
        hosts: list[dict],
        *,
        others: tuple = (),
        satellites: list | None = None,
        templates: dict | None = None,
    ) -> None:
        satellites = SATELLITES if satellites is None else satellites
        templates = TEMPLATES if templates is None else templates
        self.fake = fake
        self.hosts: dict[int, dict] = {}
        self.others = list(others)
        for host in hosts:
            self.store(copy.deepcopy(host))
        containers = [{"key": k, "value": v} for k, v in CONTAINERS.items()]
        fake.on("GET", "/containers/loadContainers", answer(200, {"containers": containers}))
        fake.routes[("GET", "/hosts/loadHostsByString")] = self.lookup
        fake.routes[("GET", "/hosttemplates/index")] = lambda call: answer(
            200,
            {
                "all_hosttemplates": [
                    {"Hosttemplate": {"id": i, "name": n}} for i, n in matching(call, templates, "Hosttemplates")
                ]
            },
        )
        fake.routes[("GET", "/hostgroups/index")] = lambda call: answer(
            200,
            {
                "all_hostgroups": [
                    {"id": i, "container": {"name": n}} for i, n in matching(call, GROUPS, "Hostgroups", "Containers")
                ]
            },
        )
        for cid in CONTAINERS:
            fake.on("GET", f"/hosts/loadElementsByContainerId/{cid}", answer(200, {"satellites": satellites}))
        fake.routes[("POST", "/hosts/add")] = self.add

    def lookup(self, call: dict) -> Response:
        wanted = call["query"]["filter[Hosts.name]"].lower()
        listed = [(h["id"], h["name"]) for h in self.hosts.values()] + self.others
        return answer(200, {"hosts": [{"key": i, "value": n} for i, n in listed if wanted in n.lower()][:150]})

    def store(self, form: dict) -> None:
        hid = form["id"]
        self.hosts[hid] = form
        self.fake.routes[("GET", f"/hosts/edit/{hid}")] = lambda call: answer(
            200,
            {
                "host": {"Host": copy.deepcopy(self.hosts[hid])},
                "hosttemplate": {"Hosttemplate": TEMPLATE_FORMS[self.hosts[hid]["hosttemplate_id"]]},
            },
        )
        self.fake.routes[("POST", f"/hosts/edit/{hid}")] = lambda call: self.edit(hid, call)
        self.fake.on("POST", f"/hosts/delete/{hid}", answer(200, {"success": True}))

    def edit(self, hid: int, call: dict) -> Response:
        kept = {key: self.hosts[hid][key] for key in SERVER_MANAGED}
        self.hosts[hid] = {**call["body"]["Host"], **kept}
        return answer(200, {"id": hid, "_csrfToken": None})

    def add(self, call: dict) -> Response:
        host = call["body"]["Host"]
        hid = max([42, *self.hosts]) + 1
        sharing = {"_ids": [host["container_id"]]}
        self.store({**host, "id": hid, "uuid": f"uuid-{hid}", "hosts_to_containers_sharing": sharing})
        return answer(200, {"id": hid, "_csrfToken": None})


def matching(call: dict, names: dict, model: str, name_model: str | None = None) -> list:
    """openITCOCKPIT's index filters: ``filter[<Model>.name]`` is LIKE %v%, ``filter[<Model>.id][]`` is IN."""
    like = call["query"].get(f"filter[{name_model or model}.name]")
    ids = [int(v) for k, v in call["pairs"] if k == f"filter[{model}.id][]"]
    return [(i, n) for i, n in names.items() if (like is not None and like in n) or i in ids]


def test_desired_host_keeps_only_what_the_task_declares():
    params = {
        "name": "web01",
        "address": "192.0.2.10",
        "container": "ACME/Berlin",
        "host_groups": ["web", "db", "web"],
        "host_template": "linux server",
        "description": None,
        "satellite": None,
    }
    assert desired_host(params) == {
        "name": "web01",
        "address": "192.0.2.10",
        "container": "/root/ACME/Berlin",
        "host_template": "linux server",
        "host_groups": ["db", "web"],
    }


@pytest.mark.parametrize(
    "params, message",
    [
        ({"name": " web01"}, "Invalid host name ' web01'"),
        ({"name": ""}, "Invalid host name ''"),
        ({"name": "web\n01"}, "without line breaks"),
        ({"name": "w" * 256}, "at most 255 characters"),
        ({"address": "192.0.2.1 "}, "Invalid address '192.0.2.1 ' of host 'web01'"),
        ({"address": ""}, "Invalid address ''"),
        ({"address": "a" * 129}, "at most 128"),
        ({"host_template": " "}, "host_template of host 'web01' cannot be empty"),
        ({"satellite": ""}, "satellite of host 'web01' cannot be empty"),
        ({"host_groups": ["web", " "]}, "cannot contain an empty name"),
        ({"container": "ACME//Berlin"}, "Invalid container name ''"),
    ],
)
def test_bad_host_input(params, message):
    with pytest.raises(ValidationError, match=message):
        desired_host({"name": "web01", **params})


def test_the_host_is_found_by_its_exact_name_and_read_from_its_edit_form(client, fake):
    HostServer(fake, [WEB01], others=[(100, "web01-old"), (101, "aweb01")])
    model = HostResource(client, "web01").read()
    assert model == {
        "name": "web01",
        "id": 42,
        "uuid": "4f3c-web01",
        "address": "192.0.2.10",
        "description": "",
        "container": "/root/ACME",
        "host_template": "default host",
        "host_groups": ["web"],
        "satellite": "Mastersystem",
    }
    lookup = next(c for c in fake.calls if c["path"] == "/hosts/loadHostsByString")
    assert lookup["query"] == {"angular": "true", "filter[Hosts.name]": "web01", "includeDisabled": "true"}
    assert fake.count("/hosts/edit/42") == 1 and fake.writes() == []


def test_substring_matches_are_not_the_host(client, fake):
    HostServer(fake, [], others=[(100, "web01-old"), (101, "aweb01")])
    assert HostResource(client, "web01").read() is None
    assert not [c for c in fake.calls if c["path"].startswith("/hosts/edit")]


def test_two_hosts_with_the_name_are_refused(client, fake):
    HostServer(fake, [WEB01], others=[(77, "web01")])
    with pytest.raises(ValidationError, match="Cannot find host 'web01': openITCOCKPIT has 2 hosts named 'web01'"):
        HostResource(client, "web01").read()


def test_a_lookup_cut_off_at_150_names_is_refused(client, fake):
    HostServer(fake, [], others=[(200 + n, f"web01-{n:03d}") for n in range(150)])
    with pytest.raises(ValidationError, match="more than 150 host names contain 'web01'"):
        HostResource(client, "web01").read()
    short = Fake()
    HostServer(short, [], others=[(200 + n, f"web01-{n:03d}") for n in range(149)])
    assert HostResource(OitcClient(BASE, KEY, transport=short), "web01").read() is None


def test_a_new_host_is_sent_under_host_with_the_ids_of_its_references(client, fake):
    HostServer(fake, [])
    desired = desired_host(
        {
            "name": "web02",
            "address": "192.0.2.11",
            "container": "/root/ACME/Berlin",
            "host_template": "linux server",
            "host_groups": ["web", "db"],
            "satellite": "sat-berlin",
            "description": "shop",
        }
    )
    outcome = sync(HostResource(client, "web02", declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == "/hosts/add"
    assert post["body"] == {
        "Host": {
            "name": "web02",
            "address": "192.0.2.11",
            "container_id": 10,
            "hosttemplate_id": 2,
            "satellite_id": 3,
            "description": "shop",
            "hostgroups": {"_ids": [4, 3]},
        }
    }
    assert outcome.changed and outcome.before is None
    assert outcome.after == {
        "name": "web02",
        "id": 43,
        "uuid": "uuid-43",
        "address": "192.0.2.11",
        "description": "shop",
        "container": "/root/ACME/Berlin",
        "host_template": "linux server",
        "host_groups": ["db", "web"],
        "satellite": "sat-berlin",
    }


def test_a_new_host_needs_address_container_and_template(client, fake):
    HostServer(fake, [])
    desired = desired_host({"name": "web02", "address": "192.0.2.11"})
    with pytest.raises(ValidationError, match="a new host needs container, host_template"):
        sync(HostResource(client, "web02", declared=desired), "present", desired, check_mode=False)
    assert fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "params, message",
    [
        ({"host_template": "nope"}, "openITCOCKPIT has no host template 'nope'"),
        ({"host_template": "linux"}, "openITCOCKPIT has no host template 'linux'"),
        ({"host_groups": ["web", "nope"]}, "openITCOCKPIT has no host group 'nope'"),
        ({"satellite": "sat-paris"}, r"openITCOCKPIT has no satellite 'sat-paris' \(known: Mastersystem, sat-berlin\)"),
    ],
)
@pytest.mark.parametrize("existing", [False, True])
def test_unknown_references_are_refused_before_anything_is_written(client, fake, params, message, existing, check_mode):
    HostServer(fake, [WEB01] if existing else [])
    base = {"name": "web01"} if existing else {"name": "web01", "address": "192.0.2.10", "container": "ACME"}
    desired = desired_host({**base, "host_template": "default host", **params})
    verb = "update" if existing else "create"
    with pytest.raises(ValidationError, match=f"^Cannot {verb} host 'web01': {message}"):
        sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=check_mode)
    assert fake.writes() == []


def test_references_that_openitcockpit_cannot_resolve(client, fake):
    HostServer(fake, [WEB01], satellites=[], templates={1: "default host", 7: "default host"})
    twice = desired_host({"name": "web01", "host_template": "default host"})
    with pytest.raises(ValidationError, match="openITCOCKPIT has 2 host templates named 'default host'"):
        sync(HostResource(client, "web01", declared=twice), "present", twice, check_mode=False)
    satellite = desired_host({"name": "web01", "satellite": "sat-berlin"})
    with pytest.raises(ValidationError, match=r"lists no satellites \(is the DistributeModule installed\?\)"):
        sync(HostResource(client, "web01", declared=satellite), "present", satellite, check_mode=False)
    assert fake.writes() == []


def test_an_update_sends_the_whole_edit_form_back(client, fake):
    server = HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "address": "192.0.2.99"})
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == "/hosts/edit/42"
    sent = post["body"]["Host"]
    assert sent == {**{k: v for k, v in WEB01.items() if k not in SERVER_MANAGED}, "address": "192.0.2.99"}
    assert sent["check_interval"] == 300 and sent["usage_flag"] == 0 and sent["satellite_id"] == 0
    assert sent["hosts_to_containers_sharing"] == {"_ids": [9, 11]}
    assert not set(SERVER_MANAGED) & set(sent)
    assert outcome.changed and outcome.before["address"] == "192.0.2.10" and outcome.after["address"] == "192.0.2.99"
    assert server.hosts[42]["address"] == "192.0.2.99"
    fake.calls.clear()
    again = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    assert not again.changed and fake.writes() == []


@pytest.mark.parametrize(
    "purge, ids, names",
    [(frozenset(), [3, 4], ["db", "web"]), (frozenset({"host_groups"}), [4], ["db"])],
)
def test_host_groups_are_merged_unless_purged(client, fake, purge, ids, names):
    HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "host_groups": ["db"]})
    outcome = sync(HostResource(client, "web01", purge=purge, declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    assert post["body"]["Host"]["hostgroups"] == {"_ids": ids}
    assert outcome.changed and outcome.after["host_groups"] == names


def test_a_declared_group_the_host_has_changes_nothing(client, fake):
    HostServer(fake, [{**WEB01, "hostgroups": {"_ids": [3, 4]}}])
    desired = desired_host({"name": "web01", "host_groups": ["web"]})
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    assert not outcome.changed and fake.writes() == []


def test_purged_host_groups_in_another_order_change_nothing(client, fake):
    HostServer(fake, [{**WEB01, "hostgroups": {"_ids": [3, 4]}}])
    desired = desired_host({"name": "web01", "host_groups": ["db", "web"]})
    resource = HostResource(client, "web01", purge=frozenset({"host_groups"}), declared=desired)
    outcome = sync(resource, "present", desired, check_mode=False)
    assert not outcome.changed and fake.writes() == []


def test_a_new_container_replaces_the_old_primary_among_the_sharing_containers(client, fake):
    HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "container": "ACME/Berlin"})
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    sent = post["body"]["Host"]
    assert sent["container_id"] == 10 and sent["hosts_to_containers_sharing"] == {"_ids": [11, 10]}
    assert outcome.before["container"] == "/root/ACME" and outcome.after["container"] == "/root/ACME/Berlin"


def test_a_container_that_does_not_exist_is_refused_before_the_edit(client, fake):
    HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "container": "ACME/Paris"})
    with pytest.raises(ValidationError, match="the container '/root/ACME/Paris' does not exist"):
        sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    assert fake.writes() == []


def test_a_new_template_drops_the_values_inherited_from_the_old_one(client, fake):
    HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "host_template": "linux server"})
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    sent = post["body"]["Host"]
    inherited = ("description", "command_id", "check_interval", "retry_interval", "notes", "priority", "tags")
    assert {key: sent[key] for key in inherited} == dict.fromkeys(inherited)
    assert sent["contacts"] == {"_ids": []} and sent["contactgroups"] == {"_ids": []}
    assert sent["max_check_attempts"] == 5 and sent["hostgroups"] == {"_ids": [3]}  # the host's own values stay
    assert sent["hosttemplate_id"] == 2 and sent["address"] == "192.0.2.10" and sent["usage_flag"] == 0
    assert sent["hosts_to_containers_sharing"] == {"_ids": [9, 11]}
    assert outcome.after["host_template"] == "linux server"


def test_a_satellite_is_resolved_in_the_hosts_container(client, fake):
    HostServer(fake, [WEB01])
    desired = desired_host({"name": "web01", "satellite": "sat-berlin"})
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=False)
    (post,) = fake.writes()
    assert post["body"]["Host"]["satellite_id"] == 3 and outcome.after["satellite"] == "sat-berlin"
    assert fake.count("/hosts/loadElementsByContainerId/9") >= 1


def test_check_mode_reads_only(client, fake):
    HostServer(fake, [WEB01])
    desired = desired_host(
        {
            "name": "web01",
            "address": "192.0.2.99",
            "host_groups": ["db"],
            "container": "ACME/Berlin",
            "host_template": "linux server",
        }
    )
    outcome = sync(HostResource(client, "web01", declared=desired), "present", desired, check_mode=True)
    assert outcome.changed and outcome.after["address"] == "192.0.2.99"
    # check mode lays the declared groups after the current ones; read back, the groups are sorted
    assert outcome.after["host_groups"] == ["web", "db"] and outcome.after["container"] == "/root/ACME/Berlin"
    new = desired_host({"name": "web02", "address": "192.0.2.11", "container": "ACME", "host_template": "default host"})
    created = sync(HostResource(client, "web02", declared=new), "present", new, check_mode=True)
    assert created.changed and created.after == new
    removed = sync(HostResource(client, "web01"), "absent", {"name": "web01"}, check_mode=True)
    assert removed.changed and removed.after is None
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


def test_absent_removes_the_host(client, fake):
    HostServer(fake, [WEB01])
    outcome = sync(HostResource(client, "web01"), "absent", {"name": "web01"}, check_mode=False)
    assert [c["path"] for c in fake.writes()] == ["/hosts/delete/42"] and outcome.changed


# --- the API user's clock ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "php, directives",
    [
        ("H:i:s - d.m.Y", "%H:%M:%S - %d.%m.%Y"),
        ("F j, Y H:i:s", "%B %d, %Y %H:%M:%S"),
        ("m-d-Y h:i:s A", "%m-%d-%Y %I:%M:%S %p"),
        ("d.m.Y - h:i:s A", "%d.%m.%Y - %I:%M:%S %p"),
        ("j F Y, H:i:s", "%d %B %Y, %H:%M:%S"),
        ("Y-m-d H:i", "%Y-%m-%d %H:%M"),
    ],
)
def test_strptime_format(php, directives):
    assert strptime_format(php) == directives


def test_a_date_format_that_openitcockpit_does_not_offer_is_refused():
    with pytest.raises(ApiError, match="'D, d M Y' is not one openITCOCKPIT offers"):
        strptime_format("D, d M Y")


@pytest.mark.parametrize(
    "dateformat, text, utc",
    [
        ("F j, Y H:i:s", "December 4, 2026 18:05:09", "2026-12-04T17:05:09+00:00"),
        ("m-d-Y H:i:s", "12-24-2026 18:05:09", "2026-12-24T17:05:09+00:00"),
        ("m-d-Y H:i", "12-24-2026 18:05", "2026-12-24T17:05:00+00:00"),
        ("m-d-Y h:i:s A", "12-24-2026 06:05:09 PM", "2026-12-24T17:05:09+00:00"),
        ("H:i:s m-d-Y", "18:05:09 12-24-2026", "2026-12-24T17:05:09+00:00"),
        ("j F Y, H:i:s", "1 July 2026, 12:00:00", "2026-07-01T10:00:00+00:00"),
        ("d.m.Y - H:i:s", "24.12.2026 - 18:05:09", "2026-12-24T17:05:09+00:00"),
        ("d.m.Y - h:i:s A", "24.12.2026 - 12:30:00 AM", "2026-12-23T23:30:00+00:00"),
        ("H:i:s - d.m.Y", "22:00:00 - 17.09.2026", "2026-09-17T20:00:00+00:00"),
        ("H:i - d.m.Y", "18:05 - 24.12.2026", "2026-12-24T17:05:00+00:00"),
        ("Y-m-d H:i", "2026-12-24 18:05", "2026-12-24T17:05:00+00:00"),
        ("Y-m-d H:i:s", "2026-07-01 12:00:00", "2026-07-01T10:00:00+00:00"),
    ],
)
def test_listed_times_are_read_in_the_users_zone_and_format(dateformat, text, utc):
    clock = UserClock("Europe/Berlin", "UTC", 3600, dateformat)
    assert iso_utc(clock.parse(text)) == utc
    with pytest.raises(ApiError, match="Cannot read the time 'soon' in the API user's date format"):
        clock.parse("soon")


def server_reads(date: str, time: str, offset: int, server: str = "UTC") -> datetime:
    """SystemdowntimesController: strtotime("<date> <time>") in the server's zone, minus the user's offset *now*."""
    local = datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(server))
    return local.astimezone(UTC) - timedelta(seconds=offset)


@pytest.mark.parametrize(
    "user, server, offset, moment, wall",
    [
        ("Europe/Berlin", "UTC", 3600, "2026-12-24T17:00:00+00:00", ("2026-12-24", "18:00")),  # winter now and then
        ("Europe/Berlin", "UTC", 7200, "2026-12-24T17:00:00+00:00", ("2026-12-24", "19:00")),  # summer now, winter then
        ("Europe/Berlin", "UTC", 3600, "2026-07-01T10:00:00+00:00", ("2026-07-01", "11:00")),  # winter now, summer then
        ("Europe/Berlin", "UTC", 7200, "2026-07-01T10:00:00+00:00", ("2026-07-01", "12:00")),  # summer now and then
        ("Europe/Berlin", "UTC", 3600, "2026-12-31T23:30:00+00:00", ("2027-01-01", "00:30")),
        ("Europe/Berlin", "Europe/Berlin", 0, "2026-07-01T10:00:00+00:00", ("2026-07-01", "12:00")),
        ("America/New_York", "Europe/Berlin", -21600, "2026-12-24T17:00:00+00:00", ("2026-12-24", "12:00")),
    ],
)
def test_the_wall_clock_sent_is_what_openitcockpit_turns_back_into_the_moment(user, server, offset, moment, wall):
    clock = UserClock(user, server, offset)
    at = datetime.fromisoformat(moment)
    assert clock.wall(at) == wall
    assert server_reads(*wall, offset, server) == at
    shown = at.astimezone(ZoneInfo(user)).strftime("%H:%M:%S - %d.%m.%Y")  # how the listing shows it
    assert clock.parse(shown) == at


def test_the_clock_is_read_from_the_users_time_zone_and_profile(client, fake):
    zone = {
        "user_timezone": "Europe/Berlin",
        "user_time_to_server_offset": 7200,
        "user_offset": 7200,
        "server_timezone_offset": 0,
        "server_timezone": "UTC",
    }
    fake.on("GET", "/angular/user_timezone", answer(200, {"timezone": zone}))
    fake.on("GET", "/profile/edit", answer(200, {"user": {"timezone": "Europe/Berlin", "dateformat": "m-d-Y H:i"}}))
    clock = UserClock.read(client)
    assert (str(clock.user), str(clock.server), clock.offset) == ("Europe/Berlin", "UTC", timedelta(hours=2))
    assert clock.format == "%m-%d-%Y %H:%M"
    fake.on("GET", "/angular/user_timezone", answer(200, {"_csrfToken": None}))
    with pytest.raises(ApiError, match="the answer has no timezone"):
        UserClock.read(client)
    with pytest.raises(ApiError, match="'Mars/Olympus' is not in this machine's time zone database"):
        UserClock("Mars/Olympus", "UTC", 0)


# --- downtimes --------------------------------------------------------------------------------------------------


def shown(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%H:%M:%S - %d.%m.%Y")


class DowntimeServer:
    """Monitored hosts, the user's clock (Europe/Berlin, server UTC, offset 3600 in December) and host downtimes.
    A command shows in the ``delay``-th listing after it. ``faults``, one per add: ``apply``, ``lost`` (applied,
    answered 503), ``dropped`` (503, not applied), ``ignored`` (success, never shows: an unexported host)."""

    def __init__(self, fake: Fake, *, monitored: dict | None = None, delay: int = 1) -> None:
        self.fake = fake
        self.monitored = {"web01": 42} if monitored is None else monitored
        self.delay = delay
        self.listed: list[dict] = []
        self.later: list[list] = []
        self.faults: list[str] = []
        self.next_id = 7
        zone = {"user_timezone": "Europe/Berlin", "user_time_to_server_offset": 3600, "server_timezone": "UTC"}
        fake.on("GET", "/angular/user_timezone", answer(200, {"timezone": zone}))
        fake.on("GET", "/profile/edit", answer(200, {"user": {"dateformat": "H:i:s - d.m.Y"}}))
        fake.routes[("GET", "/hosts/index")] = self.hosts
        fake.routes[("GET", "/downtimes/host")] = self.listing
        fake.on("GET", "/downtimes/service", answer(200, {"all_service_downtimes": [], "paging": {"nextPage": False}}))
        fake.routes[("POST", "/systemdowntimes/addHostdowntime")] = self.add

    def existing(self, host: str, start: datetime, end: datetime, comment: str = "Kernel update") -> int:
        self.next_id += 1
        did = self.next_id
        self.listed.append({"id": did, "host": host, "start": start, "end": end, "comment": comment})
        self.fake.routes[("POST", f"/downtimes/delete/{did}")] = lambda call: self.delete(did)
        return did

    def delete(self, did: int) -> Response:
        def cancel() -> None:
            self.listed = [d for d in self.listed if d["id"] != did]

        self.after(cancel)
        return answer(200, {"success": True, "message": "Successfully"})

    def after(self, action) -> None:  # noqa: ANN001
        self.later.append([self.delay, action])

    def hosts(self, call: dict) -> Response:
        like = call["query"].get("filter[Hosts.name]", "")
        rows = [{"Host": {"id": i, "name": n, "hostname": n}} for n, i in self.monitored.items() if like in n]
        return answer(200, {"all_hosts": rows, "paging": {"page": 1, "nextPage": False}})

    def listing(self, call: dict) -> Response:
        for entry in list(self.later):
            entry[0] -= 1
            if entry[0] <= 0:
                self.later.remove(entry)
                entry[1]()
        comment = call["query"]["filter[DowntimeHosts.comment_data]"]  # LIKE, as openITCOCKPIT's
        host = call["query"].get("filter[Hosts.name]", "")
        rows = [
            {
                "Host": {"id": self.monitored.get(d["host"]), "name": d["host"], "hostname": d["host"]},
                "DowntimeHost": {
                    "internalDowntimeId": d["id"],
                    "commentData": d["comment"],
                    "scheduledStartTime": shown(d["start"]),
                    "scheduledEndTime": shown(d["end"]),
                    "wasCancelled": False,
                },
            }
            for d in self.listed
            if comment in d["comment"] and host in d["host"]
        ]
        return answer(200, {"all_host_downtimes": rows, "paging": {"page": 1, "nextPage": False}})

    def add(self, call: dict) -> Response:
        body = call["body"]["Systemdowntime"]
        start = server_reads(body["from_date"], body["from_time"], 3600)
        end = server_reads(body["to_date"], body["to_time"], 3600)
        names = {i: n for n, i in self.monitored.items()}
        fault = self.faults.pop(0) if self.faults else "apply"
        if fault in ("apply", "lost"):
            for oid in body["object_id"]:
                self.after(lambda name=names[oid]: self.existing(name, start, end, body["comment"]))
        if fault in ("lost", "dropped"):
            return answer(503, {"message": "Service Unavailable"})
        return answer(200, {"success": True})


def downtime_request(**params) -> DowntimeRequest:  # noqa: ANN003
    return DowntimeRequest.from_params(
        {"host_name": "web01", "comment": "Kernel update", "end_time": "+2h", **params}, now=NOW
    )


def downtimes(client: OitcClient, ticks: Ticks, request: DowntimeRequest, **options) -> Downtimes:  # noqa: ANN003
    return Downtimes(client, request, now=lambda: NOW, sleep=ticks.sleep, **options)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"comment": ""}, "A downtime needs a comment"),
        ({"comment": "   "}, "A downtime needs a comment"),
        ({"comment": "x" * 256}, "256 characters long; openITCOCKPIT takes 255"),
        ({"start_time": "+2h", "end_time": "+1h"}, "must be at least a minute after start_time"),
        ({"end_time": "+30s"}, "must be at least a minute after"),
        ({"start_time": "2026-11-30T08:00:00Z", "end_time": "2026-11-30T09:00:00Z"}, "is in the past"),
        ({"end_time": None}, "needs end_time"),
        ({"end_time": "tomorrow"}, "Cannot read end_time"),
        ({"include_services": True, "service_descriptions": ["HTTP"]}, "leave out service_descriptions"),
        ({"host_name": None, "host_names": ["web01", "web02", "web01"]}, "host_names lists 'web01' more than once"),
        ({"service_descriptions": ["HTTP", "HTTP"]}, "service_descriptions lists 'HTTP' more than once"),
        ({"service_descriptions": [" "]}, "cannot contain an empty name"),
        ({"host_name": None}, "needs host_name or a non-empty host_names"),
        ({"host_name": "web01 "}, "Invalid host name"),
    ],
)
def test_bad_downtime_input(params, message):
    with pytest.raises(ValidationError, match=message):
        downtime_request(**params)


def test_downtime_targets():
    request = downtime_request(host_name=None, host_names=["web01", "web02"], service_descriptions=["HTTP", "Disk"])
    assert [(t.host, t.service) for t in request.targets] == [
        ("web01", "HTTP"),
        ("web01", "Disk"),
        ("web02", "HTTP"),
        ("web02", "Disk"),
    ]
    assert downtime_request(state="absent", end_time=None).end is None


def test_check_mode_lists_and_resolves_but_sends_nothing(client, fake, ticks):
    server = DowntimeServer(fake)
    server.existing("web01", NOW, NOW + timedelta(hours=2), "Kernel update 2")  # its comment only contains ours
    outcome = downtimes(client, ticks, downtime_request()).apply(check_mode=True)
    assert outcome.changed and outcome.before == {"downtimes": []}
    assert outcome.after == {
        "downtimes": [
            {
                "host_name": "web01",
                "comment": "Kernel update",
                "start_time": "2026-12-01T10:00:00+00:00",
                "end_time": "2026-12-01T12:00:00+00:00",
            }
        ]
    }
    listing = next(c for c in fake.calls if c["path"] == "/downtimes/host")
    assert listing["query"]["filter[DowntimeHosts.comment_data]"] == "Kernel update"
    assert listing["query"]["filter[DowntimeHosts.was_cancelled]"] == "0"
    assert listing["query"]["filter[Hosts.name]"] == "web01" and listing["query"]["filter[from]"] == "@1"
    assert fake.count("/hosts/index") == 1  # the host must be monitored, check mode too
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


def test_a_host_downtime_is_sent_as_the_users_wall_clock_and_verified_by_listing(client, fake, ticks):
    server = DowntimeServer(fake, delay=3)
    outcome = downtimes(client, ticks, downtime_request(include_services=True)).apply(check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == "/systemdowntimes/addHostdowntime"
    assert post["body"] == {
        "Systemdowntime": {
            "object_id": [42],
            "objecttype_id": 256,
            "downtimetype_id": 1,
            "is_recurring": 0,
            "weekdays": [],
            "day_of_month": "",
            "from_date": "2026-12-01",
            "from_time": "11:00",
            "to_date": "2026-12-01",
            "to_time": "13:00",
            "duration": 120,
            "comment": "Kernel update",
        }
    }
    assert [(d["start"], d["end"]) for d in server.listed] == [(NOW, NOW + timedelta(hours=2))]
    assert outcome.changed and outcome.after["downtimes"][0]["include_services"] is True
    assert len(ticks.slept) == 2  # listed twice without it, then with it


def test_a_downtime_that_never_shows_fails_after_verify_timeout(client, fake, ticks):
    server = DowntimeServer(fake)
    server.faults = ["ignored"]
    with pytest.raises(DowntimeNotApplied) as error:
        downtimes(client, ticks, downtime_request(), verify_timeout=30).apply(check_mode=False)
    assert str(error.value) == (
        "Failed to set the downtime 'Kernel update': openITCOCKPIT accepted the command but it is not visible for "
        "host 'web01' after 30 seconds"
    )
    assert len(fake.writes()) == 1 and sum(ticks.slept) == pytest.approx(30)


def test_a_lost_answer_is_not_sent_again_when_the_downtime_shows(client, fake, ticks):
    server = DowntimeServer(fake)
    server.faults = ["lost"]
    outcome = downtimes(client, ticks, downtime_request()).apply(check_mode=False)
    assert outcome.changed and len(fake.writes()) == 1 and len(server.listed) == 1


def test_a_lost_command_that_never_shows_is_sent_again_after_verify_timeout(client, fake, ticks):
    server = DowntimeServer(fake)
    server.faults = ["dropped"]
    outcome = downtimes(client, ticks, downtime_request(), verify_timeout=10).apply(check_mode=False)
    assert outcome.changed and len(fake.writes()) == 2 and len(server.listed) == 1
    assert sum(ticks.slept) == pytest.approx(10)


@pytest.mark.parametrize(
    "params, start, end",
    [
        ({}, NOW - timedelta(minutes=5), NOW + timedelta(minutes=115)),  # relative: the running window is kept
        (
            {"start_time": "2026-12-24T18:00:00+01:00", "end_time": "2026-12-24T20:00:00+01:00"},
            datetime(2026, 12, 24, 17, tzinfo=UTC),
            datetime(2026, 12, 24, 19, tzinfo=UTC),
        ),
    ],
)
def test_a_listed_downtime_with_the_declared_window_is_left_alone(client, fake, ticks, params, start, end):
    server = DowntimeServer(fake)
    server.existing("web01", start, end)
    outcome = downtimes(client, ticks, downtime_request(**params)).apply(check_mode=False)
    assert not outcome.changed and outcome.before == outcome.after
    assert outcome.after["downtimes"][0]["start_time"] == iso_utc(start)
    assert fake.writes() == [] and fake.count("/hosts/index") == 0


def test_a_window_that_starts_alike_is_removed_before_the_new_one_is_set(client, fake, ticks):
    server = DowntimeServer(fake)
    old = server.existing("web01", NOW, NOW + timedelta(hours=1))
    outcome = downtimes(client, ticks, downtime_request()).apply(check_mode=False)
    assert [c["path"] for c in fake.writes()] == [f"/downtimes/delete/{old}", "/systemdowntimes/addHostdowntime"]
    assert outcome.changed and [(d["start"], d["end"]) for d in server.listed] == [(NOW, NOW + timedelta(hours=2))]


@pytest.mark.parametrize("include_services", [False, True])
def test_absent_removes_by_internal_downtime_id_and_waits_until_gone(client, fake, ticks, include_services):
    server = DowntimeServer(fake, delay=2)
    did = server.existing("web01", NOW, NOW + timedelta(hours=2))
    request = downtime_request(state="absent", end_time=None, include_services=include_services)
    check = downtimes(client, ticks, request).apply(check_mode=True)
    assert check.changed and fake.writes() == []
    outcome = downtimes(client, ticks, request).apply(check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == f"/downtimes/delete/{did}"
    assert post["body"] == {"type": "host", "includeServices": False}
    assert outcome.changed and len(outcome.before["downtimes"]) == 1 and outcome.after == {"downtimes": []}
    assert server.listed == [] and len(ticks.slept) == 1
    fake.calls.clear()
    again = downtimes(client, ticks, request).apply(check_mode=False)
    assert not again.changed and fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_host_that_is_not_monitored_is_refused_before_anything_is_sent(client, fake, ticks, check_mode):
    DowntimeServer(fake, monitored={"web01-old": 41})
    with pytest.raises(
        ValidationError,
        match="^Cannot set the downtime 'Kernel update' on host 'web01': openITCOCKPIT does not monitor",
    ):
        downtimes(client, ticks, downtime_request()).apply(check_mode=check_mode)
    assert fake.writes() == []


def test_a_service_that_is_not_monitored_is_refused_before_anything_is_sent(client, fake, ticks):
    DowntimeServer(fake)
    fake.on("GET", "/downtimes/service", answer(200, {"all_service_downtimes": [], "paging": {"nextPage": False}}))
    services = {"all_services": [{"Service": {"id": 65, "servicename": "HTTP"}}], "paging": {"nextPage": False}}
    fake.on("GET", "/services/index", answer(200, services))
    with pytest.raises(ValidationError, match="on service 'Disk /' of host 'web01': openITCOCKPIT monitors no such"):
        downtimes(client, ticks, downtime_request(service_descriptions=["Disk /"])).apply(check_mode=False)
    assert fake.writes() == []


# --- export -----------------------------------------------------------------------------------------------------

STARTED = "Refresh of monitoring configuration started"
SUCCEEDED = "Refresh of monitoring configuration finished successfully"
FAILED = "Refresh of monitoring configuration finished with an error"


def change(cid: int, model: str, name: str, action: str = "edit") -> dict:
    return {
        "id": cid,
        "model": model,
        "action": action,
        "name": name,
        "created": f"2026-09-17T09:{cid % 60:02d}:00+00:00",
    }


def task(name: str, text: str, finished: int = 0, successfully: int = 0) -> dict:
    return {"task": name, "text": text, "finished": finished, "successfully": successfully}


GAP = {"tasks": [], "exportFinished": False, "exportSuccessfully": False}  # launched, not yet picked up
RUNNING = {
    "tasks": [
        task("export_started", "Started refresh of monitoring configuration"),
        task("export_hosts", "Create host configuration"),
    ],
    "exportFinished": False,
    "exportSuccessfully": False,
}
VERIFY = ("export_verify_new_configuration", "Verifying new configuration")
RELOAD = ("export_reload_monitoring", "Reloading monitoring engine")


def finished(failed: tuple | None = None) -> dict:
    """The broadcast at the end of a run, as the worker leaves the rows: on failure export_started and export_finished
    are 1/0 as well."""
    overall = int(failed is None)
    tasks = [
        task("export_started", "Started refresh of monitoring configuration", 1, overall),
        task("export_hosts", "Create host configuration", 1, 1),
    ]
    if failed:
        tasks.append(task(*failed, 1, 0))
    tasks.append(task("export_finished", "Refresh of configuration finished", 1, overall))
    return {"tasks": tasks, "exportFinished": True, "exportSuccessfully": failed is None, "successMessage": "..."}


class ExportServer:
    """The changelog (newest first, paged), the unmonitored hosts' count, the export status and broadcast. A launch
    (``launches``: ``ok``, or ``other``: another export started just before, so 500) runs ``script``, the broadcasts of
    one export (the last repeats); a finished run writes its changelog row."""

    def __init__(self, fake: Fake, changelog: list, *, unmonitored: int = 0, worker: bool = True) -> None:
        self.changelog = list(changelog)
        self.unmonitored = unmonitored
        self.worker = worker
        self.gearman = True
        self.running = False
        self.runs: list[dict] = []
        self.script = [GAP, RUNNING, finished()]
        self.launches: list[str] = []
        self.as_object = False
        fake.routes[("GET", "/changelogs/index")] = self.changes
        fake.routes[("GET", "/hosts/notMonitored")] = lambda call: answer(
            200, {"all_hosts": [], "paging": {"count": self.unmonitored, "nextPage": False}}
        )
        fake.routes[("GET", "/exports/index")] = lambda call: answer(
            200,
            {
                "gearmanReachable": self.gearman,
                "isGearmanWorkerRunning": self.worker,
                "exportRunning": self.running,
                "tasks": [],
            },
        )
        fake.routes[("GET", "/exports/broadcast")] = self.broadcast
        fake.routes[("POST", "/exports/launchExport")] = self.launch

    def next_id(self) -> int:
        return max([0, *(row["id"] for row in self.changelog)]) + 1

    def start(self, broadcasts: list) -> None:
        self.running = True
        self.runs = list(broadcasts)
        self.changelog.insert(0, change(self.next_id(), "Export", STARTED, "export"))

    def launch(self, call: dict) -> Response:
        self.start(self.script)
        if (self.launches.pop(0) if self.launches else "ok") == "other":
            url = "/exports/launchExport.json?angular=true"
            return answer(500, {"message": "An Internal Error Has Occurred.", "url": url, "code": 500})
        return answer(200, {"success": True})

    def broadcast(self, call: dict) -> Response:
        body = self.runs.pop(0) if len(self.runs) > 1 else self.runs[0]
        if body["exportFinished"] and self.running:
            self.running = False
            ok = body["exportSuccessfully"]
            self.changelog.insert(0, change(self.next_id(), "Export", SUCCEEDED if ok else FAILED, "export"))
            self.unmonitored = 0 if ok else self.unmonitored
        return answer(200, body)

    def changes(self, call: dict) -> Response:
        models = [v for k, v in call["pairs"] if k == "filter[Changelogs.model][]"]
        rows = [row for row in self.changelog if not models or row["model"] in models]
        page, limit = int(call["query"]["page"]), int(call["query"]["limit"])
        chunk = rows[(page - 1) * limit : page * limit]
        listed = {str(n * 2): row for n, row in enumerate(chunk)} if self.as_object else chunk
        return answer(200, {"all_changes": listed, "paging": {"page": page, "nextPage": page * limit < len(rows)}})


def exported(first_id: int) -> list:
    """A successful export's two changelog rows, newest first."""
    return [change(first_id + 1, "Export", SUCCEEDED, "export"), change(first_id, "Export", STARTED, "export")]


CLEAN = [*exported(18), change(17, "Host", "web01"), *exported(15)]
PENDING = [change(20, "Host", "web02", "add"), *CLEAN]


def test_changes_since_the_start_of_the_last_successful_export_are_pending(client, fake):
    ExportServer(
        fake,
        [
            change(21, "Hostgroup", "web", "add"),
            change(20, "Export", FAILED, "export"),
            change(19, "Export", STARTED, "export"),
            change(18, "Export", SUCCEEDED, "export"),
            change(17, "Host", "web01"),  # between that export's start and end: maybe not exported
            change(16, "Export", STARTED, "export"),
            change(15, "Host", "db01", "add"),
            *exported(13),
        ],
    )
    outcome = Export(client).apply(check_mode=True)
    assert outcome.before == {
        "pending": True,
        "last_export": change(18, "", "")["created"],
        "changes": ["add hostgroup 'web'", "edit host 'web01'"],
        "unmonitored_hosts": 0,
    }
    exports = next(c for c in fake.calls if c["path"] == "/changelogs/index")
    assert ("filter[Changelogs.model][]", "Export") in exports["pairs"] and exports["query"]["filter[from]"] == "@1"
    unmonitored = next(c for c in fake.calls if c["path"] == "/hosts/notMonitored")
    assert unmonitored["query"]["limit"] == "1" and unmonitored["query"]["scroll"] == "false"


def test_the_changelog_is_read_page_by_page_until_the_exports_start(client, fake):
    server = ExportServer(fake, [*(change(200 - n, "Service", f"svc{n}") for n in range(120)), *exported(18)])
    server.as_object = True  # a PHP array with gaps comes as a JSON object
    outcome = Export(client).apply(check_mode=True)
    assert outcome.before["pending"] and outcome.before["changes"] == [f"edit service 'svc{n}'" for n in range(10)]
    assert [c["query"]["page"] for c in fake.calls if c["path"] == "/changelogs/index"] == ["1", "1", "2"]


@pytest.mark.parametrize(
    "changelog, unmonitored, changes",
    [
        (CLEAN, 2, []),
        ([change(3, "Host", "web01", "add")], 0, ["no successful export on record"]),
        (
            [change(3, "Host", "web01", "add"), change(2, "Export", FAILED), change(1, "Export", STARTED)],
            0,
            ["no successful export on record"],
        ),
    ],
)
def test_unmonitored_hosts_or_no_successful_export_count_as_pending(client, fake, changelog, unmonitored, changes):
    ExportServer(fake, changelog, unmonitored=unmonitored)
    outcome = Export(client).apply(check_mode=True)
    assert outcome.changed and outcome.before["pending"] and outcome.before["unmonitored_hosts"] == unmonitored
    assert outcome.before["changes"] == changes
    assert outcome.after["pending"] is False and fake.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_nothing_pending_exports_nothing(client, fake, check_mode):
    ExportServer(fake, CLEAN)
    outcome = Export(client).apply(check_mode=check_mode)
    assert not outcome.changed and outcome.extra == {"exported": False} and not outcome.before["pending"]
    assert outcome.before["last_export"] == change(19, "", "")["created"]
    assert fake.writes() == []


def test_force_exports_without_pending_changes(client, fake, ticks):
    ExportServer(fake, CLEAN)
    outcome = Export(client, force=True, create_backup=False, sleep=ticks.sleep).apply(check_mode=False)
    (post,) = fake.writes()
    assert post["body"] == {"create_backup": 0} and outcome.changed and outcome.extra == {"exported": True}


def test_check_mode_reports_what_is_pending_and_launches_nothing(client, fake):
    ExportServer(fake, PENDING)
    outcome = Export(client).apply(check_mode=True)
    assert outcome.changed and outcome.before["changes"] == ["add host 'web02'"]
    assert outcome.after["pending"] is False and outcome.extra == {"exported": False}
    assert fake.writes() == [] and {c["method"] for c in fake.calls} == {"GET"}


def test_an_export_is_launched_then_watched_until_it_has_finished(client, fake, ticks):
    ExportServer(fake, PENDING)
    outcome = Export(client, sleep=ticks.sleep).apply(check_mode=False)
    (post,) = fake.writes()
    assert post["path"] == "/exports/launchExport" and post["body"] == {"create_backup": 1}
    assert fake.count("/exports/broadcast") == 3 and len(ticks.slept) == 2  # the gap, running, finished
    assert outcome.changed and outcome.extra == {"exported": True}
    assert outcome.before["pending"] and outcome.after["pending"] is False and outcome.after["changes"] == []


def test_a_failed_verify_fails_with_the_task_and_why(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.script = [RUNNING, finished(VERIFY)]
    output = ["Reading configuration data...", "Error: Host 'web02' has no check command", "Total Errors: 1"]
    fake.on("POST", "/exports/verifyConfig", answer(200, {"result": {"nagios": {"hasError": True, "output": output}}}))
    with pytest.raises(ExportFailed) as error:
        Export(client, sleep=ticks.sleep).apply(check_mode=False)
    message = str(error.value)
    assert "Verifying new configuration" in message and "Error: Host 'web02' has no check command" in message
    assert message.endswith("the monitoring core keeps the previous configuration")
    assert VERIFY[0] in [t["task"] for t in error.value.details["tasks"]]


def test_a_failed_reload_names_the_reload(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.script = [RUNNING, finished(RELOAD)]
    with pytest.raises(ExportFailed, match="Reloading monitoring engine"):
        Export(client, sleep=ticks.sleep).apply(check_mode=False)
    assert fake.count("/exports/verifyConfig") == 0


def test_a_failed_export_names_only_the_task_that_failed(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.script = [RUNNING, finished(RELOAD)]
    with pytest.raises(ExportFailed) as error:
        Export(client, sleep=ticks.sleep).apply(check_mode=False)
    assert str(error.value) == (
        "The export failed (Reloading monitoring engine); the monitoring core keeps the previous configuration"
    )


def test_a_launch_refused_while_another_export_runs_waits_for_it_and_reads_again(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.launches = ["other"]
    server.script = [RUNNING, finished()]
    run = Export(client, sleep=ticks.sleep)
    outcome = run.apply(check_mode=False)
    assert len(fake.writes()) == 1 and run.waited_for_others  # the other export took the changes along
    assert outcome.changed and outcome.after["pending"] is False


def test_a_running_export_is_waited_for_before_reading_what_is_pending(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.start([RUNNING, RUNNING, finished()])
    run = Export(client, sleep=ticks.sleep)
    outcome = run.apply(check_mode=False)
    assert run.waited_for_others and not outcome.changed and fake.writes() == []


def test_a_stuck_export_fails_after_wait_timeout(client, fake, ticks):
    server = ExportServer(fake, PENDING)
    server.start([RUNNING])
    with pytest.raises(WaitTimeout) as error:
        Export(client, wait_timeout=600, sleep=ticks.sleep).apply(check_mode=False)
    assert str(error.value).startswith(
        "The export did not finish within 600 seconds (still running: Started refresh of monitoring configuration, "
        "Create host configuration)"
    )
    assert sum(ticks.slept) == pytest.approx(600) and fake.writes() == []


@pytest.mark.parametrize("broken", ["worker", "gearman"])
def test_no_export_without_the_background_worker(client, fake, broken):
    server = ExportServer(fake, PENDING)
    setattr(server, broken, False)
    with pytest.raises(ApiError, match="background worker is not running"):
        Export(client).apply(check_mode=False)
    assert fake.writes() == []


# --- the plan ---------------------------------------------------------------------------------------------------


def plan(outcome: Outcome, kind: str | None = None, name: str | None = None) -> list:
    """The ``plan`` of the module result (``kind``/``name``: the subject of a single-object module)."""
    about = None if kind is None else subject(kind, str(name))
    return outcome.result(None, diff=False, subject=about)["plan"]


def entry(kind: str, name: str, action: str, changes: dict | None = None) -> dict:
    return {"backend": "openitcockpit", "type": kind, "name": name, "action": action, "changes": changes or {}}


def added(**values) -> dict:  # noqa: ANN003
    return {key: {"before": None, "after": value} for key, value in values.items()}


def test_the_container_plan_adds_each_parent_created_then_the_container(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    check = Containers(client, "NewCo/Berlin/rack1").apply("present", check_mode=True)
    expected = [
        entry("container", "/root/NewCo", "add", added(path="/root/NewCo", name="NewCo", type="tenant")),
        entry("container", "/root/NewCo/Berlin", "add", added(path="/root/NewCo/Berlin", name="Berlin", type="node")),
        entry(
            "container",
            "/root/NewCo/Berlin/rack1",
            "add",
            added(path="/root/NewCo/Berlin/rack1", name="rack1", type="node"),
        ),
    ]
    assert plan(check) == expected and fake.writes() == []
    assert plan(Containers(client, "NewCo/Berlin/rack1").apply("present", check_mode=False)) == expected
    again = Containers(client, "/root/NewCo/Berlin/rack1").apply("present", check_mode=False)
    assert plan(again) == [entry("container", "/root/NewCo/Berlin/rack1", "none")]


def test_the_container_plan_of_a_location_and_of_a_removal(client, fake):
    ContainerServer(fake, (9, "/root/ACME", 2))
    location = Containers(client, "ACME/Berlin", kind="location").apply("present", check_mode=False)
    assert plan(location) == [
        entry("container", "/root/ACME/Berlin", "add", added(path="/root/ACME/Berlin", name="Berlin", type="location"))
    ]
    check = Containers(client, "ACME/Berlin").apply("absent", check_mode=True)
    removed = Containers(client, "ACME/Berlin").apply("absent", check_mode=False)
    assert plan(check) == plan(removed) == [entry("container", "/root/ACME/Berlin", "remove")]
    gone = Containers(client, "ACME/Nope").apply("absent", check_mode=False)
    assert plan(gone) == [entry("container", "/root/ACME/Nope", "none")] and not gone.changed


def test_a_container_created_after_a_lost_answer_is_planned_as_check_mode_plans_it(client, fake):
    server = ContainerServer(fake, (9, "/root/ACME", 2))
    check = plan(Containers(client, "NewCo").apply("present", check_mode=True))

    def landed_but_lost(call: dict) -> Response:
        server.add(1, call["body"]["container"]["name"], 2)
        return answer(503, {"message": "Service Unavailable"})

    fake.routes[("POST", "/tenants/add")] = landed_but_lost
    assert plan(Containers(client, "NewCo").apply("present", check_mode=False)) == check
    assert [e["action"] for e in check] == ["add"]


def host_plan(client: OitcClient, params: dict, state: str = "present", *, check_mode: bool) -> list:
    desired = desired_host(params)
    resource = HostResource(client, desired["name"], declared=desired if state == "present" else None)
    return plan(sync(resource, state, desired, check_mode=check_mode), "host", desired["name"])


def test_the_host_plan_adds_the_declared_values_then_changes_only_what_differs(client, fake):
    HostServer(fake, [WEB01])
    new = {"name": "web02", "address": "192.0.2.11", "container": "ACME", "host_template": "default host"}
    check = host_plan(client, new, check_mode=True)
    assert fake.writes() == []
    expected = added(name="web02", address="192.0.2.11", container="/root/ACME", host_template="default host")
    assert check == host_plan(client, new, check_mode=False) == [entry("host", "web02", "add", expected)]
    assert host_plan(client, new, check_mode=False) == [entry("host", "web02", "none")]
    update = {"name": "web01", "address": "192.0.2.99", "host_groups": ["db", "web"], "description": ""}
    check = host_plan(client, update, check_mode=True)
    changes = {
        "address": {"before": "192.0.2.10", "after": "192.0.2.99"},
        "host_groups": {"before": ["web"], "after": ["web", "db"]},  # merged: the declared ones are added
    }
    assert check == host_plan(client, update, check_mode=False) == [entry("host", "web01", "change", changes)]
    assert host_plan(client, update, check_mode=False) == [entry("host", "web01", "none")]
    check = host_plan(client, {"name": "web01"}, "absent", check_mode=True)
    assert (
        check == host_plan(client, {"name": "web01"}, "absent", check_mode=False) == [entry("host", "web01", "remove")]
    )
    assert host_plan(client, {"name": "web03"}, "absent", check_mode=False) == [entry("host", "web03", "none")]


def test_the_downtime_plan_has_an_entry_per_object(client, fake, ticks):
    server = DowntimeServer(fake, monitored={"web01": 42, "web02": 43})
    server.existing("web02", NOW, NOW + timedelta(hours=1))
    request = downtime_request(host_name=None, host_names=["web01", "web02"], end_time="2026-12-01T12:00:00Z")
    check = plan(downtimes(client, ticks, request).apply(check_mode=True))
    assert fake.writes() == []
    window = {"start_time": "2026-12-01T10:00:00+00:00", "end_time": "2026-12-01T12:00:00+00:00"}
    assert check == [
        entry("downtime", "web01 (Kernel update)", "add", added(host_name="web01", comment="Kernel update", **window)),
        entry(
            "downtime",
            "web02 (Kernel update)",
            "change",
            {"end_time": {"before": "2026-12-01T11:00:00+00:00", "after": "2026-12-01T12:00:00+00:00"}},
        ),
    ]
    assert plan(downtimes(client, ticks, request).apply(check_mode=False)) == check
    again = downtimes(client, ticks, request).apply(check_mode=False)
    assert not again.changed
    assert plan(again) == [entry("downtime", f"{h} (Kernel update)", "none") for h in ("web01", "web02")]


def test_the_downtime_plan_of_a_removal(client, fake, ticks):
    server = DowntimeServer(fake, monitored={"web01": 42, "web02": 43})
    server.existing("web01", NOW, NOW + timedelta(hours=2))
    request = downtime_request(host_name=None, host_names=["web01", "web02"], state="absent", end_time=None)
    check = plan(downtimes(client, ticks, request).apply(check_mode=True))
    assert check == [
        entry("downtime", "web01 (Kernel update)", "remove"),
        entry("downtime", "web02 (Kernel update)", "none"),
    ]
    assert plan(downtimes(client, ticks, request).apply(check_mode=False)) == check
    again = downtimes(client, ticks, request).apply(check_mode=False)
    assert plan(again) == [entry("downtime", f"{h} (Kernel update)", "none") for h in ("web01", "web02")]


def test_a_service_downtime_is_named_by_host_and_service(client, fake, ticks):
    DowntimeServer(fake)
    services = {"all_services": [{"Service": {"id": 65, "servicename": "HTTP"}}], "paging": {"nextPage": False}}
    fake.on("GET", "/services/index", answer(200, services))
    request = downtime_request(service_descriptions=["HTTP"])
    (only,) = plan(downtimes(client, ticks, request).apply(check_mode=True))
    assert only["name"] == "web01/HTTP (Kernel update)" and only["action"] == "add"
    assert only["changes"]["service_description"] == {"before": None, "after": "HTTP"}


EXPORT = ("export", "configuration")


def test_the_export_plan_runs_what_is_pending_and_nothing_after(client, fake, ticks):
    ExportServer(fake, PENDING, unmonitored=1)
    check = Export(client).apply(check_mode=True)
    runs = [
        entry(
            *EXPORT,
            "run",
            {"pending_changes": {"before": 1, "after": 0}, "unmonitored_hosts": {"before": 1, "after": 0}},
        )
    ]
    assert plan(check) == runs and fake.writes() == []
    assert plan(Export(client, sleep=ticks.sleep).apply(check_mode=False)) == runs
    again = Export(client, sleep=ticks.sleep).apply(check_mode=False)
    assert plan(again) == [entry(*EXPORT, "none")] and not again.changed


def test_the_export_plan_counts_every_pending_change_and_says_why_it_runs(client, fake, ticks):
    ExportServer(fake, [*(change(200 - n, "Service", f"svc{n}") for n in range(12)), *exported(18)])
    (run,) = plan(Export(client).apply(check_mode=True))
    assert run["changes"] == {"pending_changes": {"before": 12, "after": 0}}  # more than the 10 it names
    ExportServer(fake, CLEAN)
    (forced,) = plan(Export(client, force=True).apply(check_mode=True))
    assert forced == entry(*EXPORT, "run", {"force": {"before": None, "after": True}})
    ExportServer(fake, [change(3, "Host", "web01", "add")])
    (first,) = plan(Export(client).apply(check_mode=True))
    assert first["changes"] == {"last_export": {"before": None, "after": "now"}}
