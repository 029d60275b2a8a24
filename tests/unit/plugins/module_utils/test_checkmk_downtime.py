from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk.downtime import (
    CREATE_HOST,
    CREATE_SERVICE,
    DELETE,
    HOSTS,
    LIST,
    SEND_ATTEMPTS,
    DowntimeNotApplied,
    DowntimeRequest,
    Downtimes,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import (
    MonitoringError,
    TransportError,
    ValidationError,
)
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import (
    downtime_matches,
    exact_downtime_queries,
    exact_downtime_query,
    livestatus_matches,
    problem,
    query_values,
    reply,
)

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
COMMENT = "VM stopped"


class Server:
    """Just enough of Checkmk's downtimes for the client: per-site stores with per-site ids, listing across
    sites from the central API, and the old bug (``silent``) that drops commands for remote hosts there."""

    def __init__(self, fake, hosts, *, silent=False, boolean=True):
        self.hosts, self.silent, self.boolean = hosts, silent, boolean
        self.store = {"central": [], "remote1": []}
        self.ids = dict.fromkeys(self.store, 0)
        listed = []
        for host, site in hosts.items():
            body = {"id": host, "extensions": {"attributes": {}, "effective_attributes": {"site": site}}}
            fake.on("GET", f"/objects/host_config/{host}", reply(200, body))
            listed.append(body)
        fake.on("GET", HOSTS, reply(200, {"value": listed}))
        fake.on("GET", "/objects/host_config/ghost", problem(404, "Not Found"))
        for prefix in ("", "@remote1"):
            fake.on("GET", prefix + LIST, self.list)
            fake.on("POST", prefix + CREATE_HOST, self.create)
            fake.on("POST", prefix + CREATE_SERVICE, self.create)
            fake.on("POST", prefix + DELETE, self.delete)

    def add(self, site, host, start, end, comment=COMMENT, service=None, duration=0):
        self.ids[site] += 1
        entry = {
            "id": str(self.ids[site]),
            "site_id": site,
            "host_name": host,
            "comment": comment,
            "start_time": start,
            "end_time": end,
            "duration": duration,
            "service_description": service,
        }
        self.store[site].append(entry)
        return entry

    def dropped(self, call, host):
        return self.silent and call.site == "central" and self.hosts.get(host) != "central"

    def list(self, call):
        sites = (
            [call.site]
            if call.site != "central"
            else [call.query.get("site_id")]
            if "site_id" in call.query
            else list(self.store)
        )
        value = []
        kind = call.query.get("downtime_type", "both")
        query = json.loads(call.query.get("query", "null"))
        for site in sites:
            for d in self.store[site]:
                if call.query.get("host_name") not in (None, d["host_name"]) and not d["host_name"].startswith(
                    call.query["host_name"]
                ):
                    continue  # a sloppy server: prefix matches (web1 finds web10); the client must filter
                if kind != "both" and (kind == "service") != (d["service_description"] is not None):
                    continue
                row = {**d, "service_description": d["service_description"] or ""}
                if query is not None and not livestatus_matches(query, row):
                    continue
                ext = {
                    "site_id": site,
                    "host_name": d["host_name"],
                    "comment": d["comment"],
                    "author": "automation",
                    "start_time": d["start_time"],
                    "end_time": d["end_time"],
                    "is_service": d["service_description"] is not None if self.boolean else "no",
                    "recurring": False if self.boolean else "no",
                    "mode": {"type": "flexible", "duration_minutes": d["duration"]}
                    if d["duration"]
                    else {"type": "fixed"},
                }
                if d["service_description"]:
                    ext["service_description"] = d["service_description"]
                value.append({"id": d["id"], "domainType": "downtime", "extensions": ext})
        return reply(200, {"value": value})

    def create(self, call):
        """``host``/``service`` for one host; ``host_by_query``/``service_by_query`` for each host (and service) the
        query names exactly."""
        body = call.body
        kind = body["downtime_type"]
        if kind in ("host", "service"):
            targets = [(body["host_name"], s) for s in body.get("service_descriptions") or [None]]
        elif kind == "host_by_query":
            targets = [(h, None) for h in query_values(body["query"], "name") if h in self.hosts]
            targets = [(h, s) for h, s in targets if livestatus_matches(body["query"], {"name": h})]
        else:
            hosts = [h for h in query_values(body["query"], "host_name") if h in self.hosts]
            pairs = [(h, s) for h in hosts for s in query_values(body["query"], "description")]
            targets = [
                (h, s) for h, s in pairs if livestatus_matches(body["query"], {"host_name": h, "description": s})
            ]
        start, end = (datetime.fromisoformat(body[k]).astimezone(UTC).isoformat() for k in ("start_time", "end_time"))
        for host, service in targets:
            if not self.dropped(call, host):
                self.add(self.hosts[host], host, start, end, body["comment"], service, body["duration"])
        return reply(204)

    def delete(self, call):
        """By query, on every site the API reaches (the central site's reaches all)."""
        wanted = exact_downtime_queries(call.body)
        for site in [call.site] if call.site != "central" else list(self.store):
            for d in [d for d in self.store[site] if any(downtime_matches(c, d) for c in wanted)]:
                if not self.dropped(call, d["host_name"]):
                    self.store[site].remove(d)
        return reply(204)


def deleted_id(call):
    return exact_downtime_query(call.body)["id"] if call.path.endswith(DELETE) else None


def request(**params):
    params = {
        "host_name": "web1",
        "comment": COMMENT,
        "start_time": "2026-12-01T11:00:00+01:00",
        "end_time": "2026-12-01T12:00:00Z",
        **params,
    }
    return DowntimeRequest.from_params(params, now=NOW)


def run(client, req, *, check_mode=False, now=NOW, **options):
    downtimes = Downtimes(client, req, now=lambda: now, sleep=lambda _s: None, verify_timeout=0.05, **options)
    return downtimes.apply(check_mode=check_mode), downtimes


@pytest.fixture
def server(fake):
    return Server(fake, {"web1": "central", "web10": "central", "far1": "remote1"})


def test_create_then_unchanged_with_times_in_any_zone(client, fake, server):
    outcome, _run = run(client, request())
    assert outcome.changed and outcome.before["downtimes"] == []
    assert outcome.after["downtimes"] == [
        {
            "site_id": "central",
            "id": "1",
            "host_name": "web1",
            "comment": COMMENT,
            "start_time": "2026-12-01T10:00:00+00:00",
            "end_time": "2026-12-01T12:00:00+00:00",
            "recurring": False,
            "duration": 0,
        }
    ]
    (create,) = fake.writes()
    assert (create.path, create.body["downtime_type"], create.body["start_time"]) == (
        CREATE_HOST,
        "host",
        "2026-12-01T10:00:00+00:00",
    )
    fake.calls.clear()
    again, _run = run(client, request(start_time="2026-12-01T10:00:00Z", end_time="2026-12-01T13:00:00+01:00"))
    assert not again.changed and again.after["downtimes"] == outcome.after["downtimes"] and fake.writes() == []


def test_check_mode_sends_only_gets(client, fake, server):
    outcome, _run = run(client, request(), check_mode=True)
    assert (
        outcome.changed
        and outcome.after["downtimes"][0]["id"] is None
        and outcome.after["downtimes"][0]["site_id"] == "central"
    )
    assert fake.writes() == [] and server.store["central"] == []
    server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")
    gone, _run = run(client, request(state="absent"), check_mode=True)
    assert gone.changed and gone.after["downtimes"] == [] and fake.writes() == []


def test_another_window_is_set_before_the_old_one_goes(client, fake, server):
    server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00")
    outcome, _run = run(client, request())
    assert (
        outcome.changed
        and [d["id"] for d in outcome.before["downtimes"]] == ["1"]
        and [d["id"] for d in outcome.after["downtimes"]] == ["2"]
    )
    assert [(c.path, deleted_id(c)) for c in fake.writes()] == [(CREATE_HOST, None), (DELETE, "1")]
    assert [d["id"] for d in server.store["central"]] == ["2"]


def test_flexible_duration_is_part_of_the_window(client, fake, server):
    run(client, request(duration=30))
    assert fake.writes()[0].body["duration"] == 30
    fake.calls.clear()
    assert not run(client, request(duration=30))[0].changed
    assert run(client, request(duration=0))[0].changed


def test_absent_touches_exactly_the_declared_downtimes(client, fake, server):
    server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")
    server.add("central", "web10", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")
    server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00", comment="VM stopped!")
    outcome, _run = run(client, request(state="absent"))
    assert outcome.changed and [(d["host_name"], d["id"]) for d in outcome.before["downtimes"]] == [("web1", "1")]
    assert [(d["host_name"], d["comment"]) for d in server.store["central"]] == [
        ("web10", COMMENT),
        ("web1", "VM stopped!"),
    ]
    assert not run(client, request(state="absent"))[0].changed


def test_a_downtime_taken_over_since_it_was_listed_stays(client, fake, server):
    """Between the listing and the removal another user gives the downtime another comment: it is theirs now. The
    removal names the downtime by its id and its identity, so it stays, and the task has nothing left to do."""
    theirs = server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")

    def taken_over_first(call):
        theirs["comment"] = "Extended by the night shift"
        return server.delete(call)

    fake.on("POST", DELETE, taken_over_first)
    outcome, _run = run(client, request(state="absent"))
    assert outcome.changed and [d["id"] for d in outcome.before["downtimes"]] == ["1"]
    assert server.store["central"] == [theirs] and theirs["comment"] == "Extended by the night shift"
    assert exact_downtime_query(fake.writes()[0].body) == {
        "id": "1",
        "host_name": "web1",
        "service_description": "",
        "comment": COMMENT,
    }


def test_service_downtimes_in_one_command(client, fake, server):
    outcome, _run = run(client, request(service_descriptions=["CPU load", "Memory"]))
    (create,) = fake.writes()
    assert create.path == CREATE_SERVICE and create.body["service_descriptions"] == ["CPU load", "Memory"]
    assert [d["service_description"] for d in outcome.after["downtimes"]] == ["CPU load", "Memory"]
    assert not run(client, request(service_descriptions=["CPU load", "Memory"]))[0].changed
    assert run(client, request())[0].changed  # the host downtime is another identity


def test_relative_windows_keep_the_downtime_that_is_running(client, fake, server):
    first, _run = run(client, request(start_time="now", end_time="+2h"))
    assert first.after["downtimes"][0]["end_time"] == "2026-12-01T12:00:00+00:00"
    later = NOW + timedelta(minutes=20)
    again, _run = run(client, request(start_time="now", end_time="+2h"), now=later)
    assert not again.changed and len(fake.writes()) == 1
    longer, _run = run(client, request(start_time="now", end_time="+3h"), now=later)
    assert longer.changed and longer.after["downtimes"][0]["end_time"] == "2026-12-01T13:20:00+00:00"


def test_a_command_the_server_drops_fails_the_task_clearly(client, fake, server):
    server.silent = True
    with pytest.raises(DowntimeNotApplied) as error:
        run(client, request(host_name="far1"))
    message = str(error.value)
    assert "Checkmk accepted the command (204) but did not apply it" in message
    assert "site 'remote1', which monitors host 'far1'" in message and "site_urls" in message
    assert server.store["remote1"] == []


def test_site_urls_send_a_dropped_command_to_the_remote_site(client, fake, server):
    server.silent = True
    outcome, downtimes = run(client, request(host_name="far1"), site_urls={"remote1": "https://remote1.example"})
    assert outcome.changed and outcome.after["downtimes"][0]["site_id"] == "remote1"
    assert [(c.site, c.path) for c in fake.writes()] == [("central", CREATE_HOST), ("remote1", CREATE_HOST)]
    assert [f["site_id"] for f in downtimes.fallbacks] == ["remote1"]
    assert fake.writes()[1].headers["Authorization"] == fake.writes()[0].headers["Authorization"]
    fake.calls.clear()
    gone, _run = run(
        client,
        request(host_name="far1", state="absent"),
        site_urls={"remote1": "https://remote1.example/remote1/check_mk/api/1.0"},
    )
    assert gone.changed and server.store["remote1"] == []
    assert [(c.site, deleted_id(c)) for c in fake.writes()] == [("central", "1"), ("remote1", "1")]


def test_remote_hosts_work_through_the_central_site_when_it_applies_them(client, fake, server):
    outcome, downtimes = run(client, request(host_name="far1"))
    assert outcome.after["downtimes"][0]["site_id"] == "remote1" and downtimes.fallbacks == []
    assert all(c.site == "central" for c in fake.calls)


def test_2_3_answers_yes_and_no(client, fake):
    server = Server(fake, {"web1": "central"}, boolean=False)
    server.add("central", "web1", "2026-12-01T10:00:00+00:00", "2026-12-01T12:00:00+00:00")
    assert not run(client, request())[0].changed


def test_unknown_host(client, fake, server):
    with pytest.raises(ValidationError, match="Cannot set a downtime on host 'ghost': the host does not exist"):
        run(client, request(host_name="ghost"))
    assert not run(client, request(host_name="ghost", state="absent"))[0].changed
    assert fake.writes() == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"end_time": "2026-12-01T09:00:00Z"}, "end_time '2026-12-01T09:00:00Z' is not after start_time"),
        ({"end_time": None, "duration": 30}, "a duration needs a window: set end_time"),
        ({"end_time": None}, "a downtime needs end_time"),
        ({"end_time": "tomorrow"}, "Cannot read end_time 'tomorrow': use ISO 8601 with a time zone"),
        ({"start_time": "2026-12-01T11:00:00"}, "Cannot read start_time '2026-12-01T11:00:00': it has no time zone"),
        ({"comment": "  "}, "needs a comment"),
        ({"comment": "a\nb"}, "cannot contain line breaks"),
        ({"start_time": "2026-11-01T00:00:00Z", "end_time": "2026-11-02T00:00:00Z"}, "is in the past"),
        ({"duration": -1}, "duration must be 0"),
        ({"host_name": "bad name"}, "Invalid host name 'bad name'"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(params, message):
    with pytest.raises(ValidationError, match=message):
        request(**params)


def test_a_command_whose_answer_was_lost_is_looked_for_not_sent_twice(client, fake, server):
    def applied_then_dropped(call):
        server.create(call)
        raise TransportError("the connection was reset")

    fake.on("POST", CREATE_HOST, applied_then_dropped)
    outcome, _run = run(client, request())
    assert outcome.changed and len(server.store["central"]) == 1
    assert [c.path for c in fake.writes()] == [CREATE_HOST]


def test_a_command_a_proxy_refused_is_sent_again_once_listing_shows_it_missing(client, fake, server):
    fake.on("POST", CREATE_HOST, problem(502, "Bad Gateway"), server.create)
    outcome, _run = run(client, request())
    assert outcome.changed and len(server.store["central"]) == 1
    assert [c.path for c in fake.writes()] == [CREATE_HOST, CREATE_HOST]


def test_a_refused_command_is_sent_a_bounded_number_of_times(client, fake, server):
    fake.on("POST", CREATE_HOST, problem(503, "Service Unavailable"))
    with pytest.raises(MonitoringError, match="503"):
        run(client, request())
    assert len(fake.writes()) == SEND_ATTEMPTS and server.store["central"] == []


# --- many hosts ------------------------------------------------------------------------------------------------

MANY = {f"vm{i}": "central" if i % 2 else "remote1" for i in range(1, 13)}  # vm1 ... vm12: vm1 is not vm10


@pytest.fixture
def farm(fake):
    return Server(fake, {**MANY, "vm100": "central"})


def counts(fake):
    found = {}
    for call in fake.calls:
        key = f"{call.method} {call.path}"
        found[key] = found.get(key, 0) + 1
    return found


def test_many_hosts_cost_one_command_per_site(client, fake, farm):
    hosts = list(MANY)
    outcome, _run = run(client, request(host_name=None, host_names=hosts))
    assert outcome.changed and sorted(d["host_name"] for d in outcome.after["downtimes"]) == sorted(hosts)
    assert counts(fake) == {f"GET {HOSTS}": 1, f"GET {LIST}": 2, f"POST {CREATE_HOST}": 2}
    assert {c.body["downtime_type"] for c in fake.writes()} == {"host_by_query"}
    assert {d["host_name"]: site for site, entries in farm.store.items() for d in entries} == MANY  # vm100: none
    fake.calls.clear()
    again, _run = run(client, request(host_name=None, host_names=hosts))
    assert not again.changed and counts(fake) == {f"GET {HOSTS}": 1, f"GET {LIST}": 1}
    fake.calls.clear()
    gone, _run = run(client, request(host_name=None, host_names=hosts, state="absent"))
    assert gone.changed and farm.store == {"central": [], "remote1": []}
    assert counts(fake) == {f"GET {LIST}": 2, f"POST {DELETE}": 2}
    assert sorted(len(exact_downtime_queries(c.body)) for c in fake.writes()) == [6, 6]


def test_many_service_downtimes_in_one_command_per_site(client, fake, farm):
    hosts, services = list(MANY), ["CPU load", "Memory"]
    outcome, _run = run(client, request(host_name=None, host_names=hosts, service_descriptions=services))
    assert len(outcome.after["downtimes"]) == 24 and len(fake.writes()) == 2
    assert {c.body["downtime_type"] for c in fake.writes()} == {"service_by_query"}
    assert sum(len(entries) for entries in farm.store.values()) == 24
    fake.calls.clear()
    assert not run(client, request(host_name=None, host_names=hosts, service_descriptions=services))[0].changed
    assert fake.writes() == []


def test_unknown_hosts_among_many_are_named_before_anything_is_sent(client, fake, farm):
    hosts = [*MANY, "ghost1", "ghost2", "ghost3", "ghost4"]
    with pytest.raises(ValidationError) as error:
        run(client, request(host_name=None, host_names=hosts))
    assert str(error.value) == (
        f"Cannot set the downtime '{COMMENT}' on 16 hosts: 4 of them do not exist in Checkmk: "
        "'ghost1', 'ghost2', 'ghost3' and 1 more"
    )
    assert fake.writes() == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"host_names": ["vm1", "vm2", "vm1"]}, "host_names lists 'vm1' more than once"),
        ({"host_names": ["vm1"], "service_descriptions": ["PING", "PING"]}, "service_descriptions lists 'PING'"),
        ({"host_names": []}, "needs host_name or a non-empty host_names"),
    ],
)
def test_repeated_or_missing_names_are_refused(params, message):
    with pytest.raises(ValidationError, match=message):
        request(host_name=None, **params)


def test_a_site_that_drops_commands_costs_only_its_own_hosts_a_second_command(client, fake, farm):
    farm.silent = True
    urls = {"remote1": "https://remote1.example"}
    outcome, downtimes = run(client, request(host_name=None, host_names=list(MANY)), site_urls=urls)
    assert outcome.changed and {d["host_name"]: d["site_id"] for d in outcome.after["downtimes"]} == MANY
    remote = sorted(h for h, site in MANY.items() if site == "remote1")
    assert downtimes.fallbacks == [
        {"site_id": "remote1", "host_names": remote, "action": downtimes.fallbacks[0]["action"]}
    ]
    sent = [(c.site, c.path, len(c.body["query"]["expr"])) for c in fake.writes()]
    assert sorted(sent) == [("central", CREATE_HOST, 6), ("central", CREATE_HOST, 6), ("remote1", CREATE_HOST, 6)]


def test_a_lost_answer_resends_only_what_did_not_apply(client, fake, farm):
    def half_then_lost(call):
        body = dict(call.body, query={"op": "or", "expr": call.body["query"]["expr"][:3]})
        farm.create(type(call)(**{**vars(call), "body": body}))
        raise TransportError("the connection was reset")

    fake.on("POST", CREATE_HOST, half_then_lost, farm.create)
    central = [h for h, site in MANY.items() if site == "central"]
    outcome, _run = run(client, request(host_name=None, host_names=central))
    assert outcome.changed and sorted(d["host_name"] for d in farm.store["central"]) == sorted(central)
    first, second = (c.body["query"]["expr"] for c in fake.writes())
    assert len(first) == 6 and [e["right"] for e in second] == [e["right"] for e in first[3:]]
