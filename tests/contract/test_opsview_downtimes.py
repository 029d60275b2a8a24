"""The Opsview simulator's downtimes: setting them for host groups, hosts (with their services) and services,
asynchronously; listing them grouped, filtered and paged; deleting them by object or by listing filter."""

from __future__ import annotations

import pytest

from tests.simulators.opsview import SimulatorConfig
from tests.simulators.opsview.testing import ApiClient

NEEDS_OPENAPI = False  # these tests need no document of ../shared

NOW = 1_800_000_000
UNIX = [
    "CPU statistics",
    "Disk",
    "Read-only Partitions",
    "SMART HDD Status",
    "Unix Load Average",
    "Unix Memory",
    "Unix Swap",
]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api() -> ApiClient:
    """web01 (OS - Unix Base) and web02 (Network - Base) in Web, db01 (no templates) in DB, all reloaded; the
    clocks stand still until moved."""
    client = ApiClient(SimulatorConfig(reload_seconds=0, downtime_delay=0.2), login=False)
    client.state.clock = Clock(100.0)
    client.state.wall_clock = Clock(NOW)
    client.login()
    for group in ("Web", "DB"):
        client.ok("POST", "/config/hostgroup", {"name": group, "parent": {"name": "Opsview"}})
    hosts = [
        {
            "name": "web01",
            "ip": "10.0.0.1",
            "hostgroup": {"name": "Web"},
            "hosttemplates": [{"name": "OS - Unix Base"}],
        },
        {
            "name": "web02",
            "ip": "10.0.0.2",
            "hostgroup": {"name": "Web"},
            "hosttemplates": [{"name": "Network - Base"}],
            "servicechecks": [{"name": "HTTP"}],
        },
        {"name": "db01", "ip": "10.0.0.3", "hostgroup": {"name": "DB"}},
    ]
    client.ok("PUT", "/config/host", {"list": hosts})
    client.ok("POST", "/reload")
    return client


def later(api: ApiClient, seconds: float = 0.2) -> None:
    api.state.clock.now += seconds  # type: ignore[attr-defined]


def listing(api: ApiClient, **query: str) -> dict:
    return api.ok("GET", "/downtime", query=query)


def test_a_host_downtime_covers_its_services_and_shows_after_the_delay(api: ApiClient) -> None:
    answer = api.ok(
        "POST",
        "/downtime",
        query={"hst.hostname": "web01", "starttime": NOW, "duration": "2h", "comment": "Patching <now>;\n"},
    )
    assert answer == {
        "list": {"hostgroups": [], "hosts": [{"hostname": "web01", "id": "2"}], "services": []},
        "summary": {"num_hostgroups": "0", "num_hosts": "1", "num_services": "0"},
    }
    assert listing(api)["list"] == []  # not processed yet
    later(api)
    listed = listing(api)
    assert listed["summary"] == {
        "allrows": "8",
        "num_hosts": "1",
        "num_services": "7",
        "page": "1",
        "rows": "8",
        "totalpages": "1",
        "totalrows": "8",
    }
    (item,) = listed["list"]
    assert item["comment"] == "Host 'web01': Patching now" and item["author"] == "admin"
    assert (item["start_time"], item["scheduled_end_time"], item["started"]) == (str(NOW), str(NOW + 7200), "1")
    assert item["objects"]["hosts"] == [{"hostname": "web01", "id": "2"}]
    assert [service["servicename"] for service in item["objects"]["services"]] == UNIX
    assert {service["hostname"] for service in item["objects"]["services"]} == {"web01"}


def test_only_hosts_the_last_reload_activated_get_downtimes(api: ApiClient) -> None:
    api.ok("POST", "/config/host", {"name": "new01", "ip": "10.0.0.9"})
    body = {"starttime": NOW, "duration": "1h", "comment": "x"}
    assert api.call("POST", "/downtime", body, query={"hst.hostname": "new01"}).json == {
        "message": "No objects selected for downtime"
    }
    api.ok("POST", "/reload")
    assert api.ok("POST", "/downtime", body, query={"hst.hostname": "new01"})["summary"]["num_hosts"] == "1"


def test_many_hosts_groups_and_services_in_one_request(api: ApiClient) -> None:
    query = [
        ("hst.hostname", "web01"),
        ("hst.hostname", "db01"),
        ("starttime", str(NOW + 600)),
        ("endtime", str(NOW + 4200)),
        ("comment", "c"),
    ]
    answer = api.ok("POST", "/downtime", query=query)
    assert [host["hostname"] for host in answer["list"]["hosts"]] == ["web01", "db01"]
    later(api)
    items = listing(api)["list"]
    assert [item["comment"] for item in items] == ["Host 'db01': c", "Host 'web01': c"]
    assert items[0]["objects"] == {"hosts": [{"hostname": "db01", "id": "4"}]}  # no services: the key is left out
    assert items[0]["started"] == "0" and "actual_start_time" not in items[0]
    group = api.ok(
        "POST", "/downtime", {"hg.hostgroupname": "Web", "starttime": NOW, "endtime": NOW + 60, "comment": "g"}
    )
    assert group["list"]["hostgroups"] == [{"id": "3", "name": "Web"}] and group["summary"]["num_hostgroups"] == "1"
    services = api.ok(
        "POST",
        "/downtime",
        {"starttime": NOW, "duration": "30m", "comment": "s", "comment_prefix": "CHG42: "},
        query=[
            ("svc.hostname", "web0%"),
            ("svc.servicename", "HTTP"),
            ("svc.hostname", "web01"),
            ("svc.servicename", "Disk"),
        ],
    )
    assert [(item["hostname"], item["servicename"]) for item in services["list"]["services"]] == [
        ("web02", "HTTP"),
        ("web01", "Disk"),
    ]
    later(api)
    comments = {item["comment"]: item for item in listing(api)["list"]}
    assert set(comments) == {"Host 'db01': c", "Host 'web01': c", "Host group 'Web': g", "CHG42: s"}
    assert len(comments["Host group 'Web': g"]["objects"]["hosts"]) == 2
    assert len(comments["Host group 'Web': g"]["objects"]["services"]) == len(UNIX) + 2
    assert "hosts" not in comments["CHG42: s"]["objects"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"duration": "1h", "comment": "c"}, "starttime: Missing or invalid"),
        ({"starttime": "soon", "duration": "1h", "comment": "c"}, "starttime: Missing or invalid"),
        (
            {"starttime": NOW - 3700, "duration": "1h", "comment": "c"},
            "starttime: Cannot be more than 1 hour in the past",
        ),
        ({"starttime": NOW, "comment": "c"}, "endtime or duration: Missing"),
        (
            {"starttime": NOW, "duration": "30s", "comment": "c"},
            "duration: Invalid (at least 1 minute, e.g. 30m, 2h, 1d)",
        ),
        ({"starttime": NOW, "endtime": NOW, "comment": "c"}, "endtime: Invalid (must be after starttime)"),
        ({"starttime": NOW, "duration": "1h", "comment": "<;>"}, "comment: Missing"),
        (
            {"starttime": NOW, "duration": "1h", "comment": "c", "hst.hostname": "nope"},
            "No objects selected for downtime",
        ),
        (
            {"starttime": NOW, "duration": "1h", "comment": "c", "svc.hostname": "web01"},
            "svc.hostname and svc.servicename go in pairs",
        ),
    ],
)
def test_invalid_downtimes(api: ApiClient, params: dict, message: str) -> None:
    query = {"hst.hostname": "web01", **params}
    answer = api.call("POST", "/downtime", query=query)
    assert answer.status_code == 400 and answer.json == {"message": message}


def test_times_and_the_body_winning_over_the_url(api: ApiClient) -> None:
    api.ok(
        "POST",
        "/downtime",
        {"comment": "from the body", "starttime": "2027-01-15 10:00:00", "duration": "1d"},
        query={"hst.hostname": "db01", "comment": "from the url", "starttime": "now", "duration": "1h"},
    )
    api.ok(
        "POST", "/downtime", {"hst.hostname": ["web02"], "starttime": "+1h", "duration": "1h30m", "comment": "later"}
    )
    later(api)
    items = listing(api, format_datetime="1")["list"]
    assert [(item["comment"], item["start_time"], item["scheduled_end_time"]) for item in items] == [
        ("Host 'web02': later", "2027-01-15 09:00:00", "2027-01-15 10:30:00"),
        ("Host 'db01': from the body", "2027-01-15 10:00:00", "2027-01-16 10:00:00"),
    ]


def test_listing_filters_and_paging(api: ApiClient) -> None:
    for host in ("web01", "web02", "db01"):
        api.ok("POST", "/downtime", query={"hst.hostname": host, "starttime": NOW, "duration": "1h", "comment": "m"})
    later(api)
    assert listing(api, hostname="web02")["summary"]["rows"] == "3"
    assert [item["comment"] for item in listing(api, hostname="web%")["list"]] == ["Host 'web01': m", "Host 'web02': m"]
    by_service = listing(api, servicename="Disk")["list"]  # also the host rows of hosts with such a service
    assert (
        by_service[0]["objects"]["hosts"][0]["hostname"] == "web01" and len(by_service[0]["objects"]["services"]) == 1
    )
    assert listing(api, hs="web02::HTTP")["summary"]["num_services"] == "1"
    assert listing(api, hostgroupname="DB")["summary"]["num_hosts"] == "1"
    assert listing(api, comment="Host 'db01': m")["summary"]["rows"] == "1"
    assert listing(api, comment="m")["list"] == []
    paged = listing(api, rows="4", page="2")
    assert paged["summary"] == {
        "allrows": "12",
        "num_hosts": "0",
        "num_services": "4",
        "page": "2",
        "rows": "4",
        "totalpages": "3",
        "totalrows": "12",
    }
    assert listing(api, rows="0") == {"summary": {"allrows": "12", "num_hosts": "3", "num_services": "9", "rows": "12"}}
    assert set(listing(api, rows="all")["summary"]) == {"allrows", "num_hosts", "num_services", "rows"}
    bad = api.call("GET", "/downtime", query={"hst.hostname": "web01"})
    assert bad.status_code == 400 and "hst.hostname" in bad.json["message"]


def test_deleting_by_object_and_by_filter(api: ApiClient) -> None:
    for comment in ("one", "two"):
        for host in ("web01", "web02", "db01"):
            api.ok(
                "POST",
                "/downtime",
                query={"hst.hostname": host, "starttime": NOW, "duration": "1h", "comment": comment},
            )
    api.ok(
        "POST",
        "/downtime",
        query={
            "svc.hostname": "web02",
            "svc.servicename": "HTTP",
            "starttime": NOW,
            "duration": "1h",
            "comment": "svc",
        },
    )
    later(api)
    answer = api.ok("DELETE", "/downtime", query={"hst.hostname": "web01"})
    assert answer["summary"] == {"num_hostgroups": "0", "num_hosts": "1", "num_services": "0"}
    assert listing(api, hostname="web01")["summary"]["rows"] == "16"  # asynchronous too
    later(api)
    assert listing(api, hostname="web01")["summary"]["rows"] == "0"
    api.ok(
        "DELETE", "/downtime", query={"hst.hostname": "web02", "comment": "Host 'web02': one", "start_time": str(NOW)}
    )
    later(api)
    assert sorted(item["comment"] for item in listing(api, hostname="web02")["list"]) == [
        "Host 'web02': two",
        "Service 'HTTP' on host 'web02': svc",
    ]
    removed = api.ok("DELETE", "/downtime", query={"only_objects_set": "1", "comment": "Host 'db01': two"})
    assert removed["list"]["hosts"] == [{"hostname": "db01", "id": "4"}]
    later(api)
    assert [item["comment"] for item in listing(api, hostname="db01")["list"]] == ["Host 'db01': one"]
    nothing = api.ok("DELETE", "/downtime")
    assert nothing["summary"] == {"num_hostgroups": "0", "num_hosts": "0", "num_services": "0"}
    later(api)
    assert listing(api)["summary"]["allrows"] != "0"


def test_downtimes_end_and_go_with_their_hosts(api: ApiClient) -> None:
    api.ok("POST", "/downtime", query={"hst.hostname": "db01", "starttime": NOW, "duration": "1h", "comment": "short"})
    api.ok("POST", "/downtime", query={"hst.hostname": "web02", "starttime": NOW, "duration": "1d", "comment": "long"})
    later(api)
    api.state.wall_clock.now += 3600  # type: ignore[attr-defined]
    api.login()  # an hour without requests: the session is over too
    assert [item["comment"] for item in listing(api)["list"]] == ["Host 'web02': long"]
    api.ok("DELETE", "/config/host/3")
    assert listing(api)["summary"]["rows"] == "3"
    api.ok("POST", "/reload")
    assert listing(api)["summary"]["rows"] == "0"
    assert [row["comment"] for row in api.control("GET", "/state")["downtimes"]] == []
