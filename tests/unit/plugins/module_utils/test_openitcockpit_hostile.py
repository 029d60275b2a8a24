"""Hostile input for the openitcockpit_* modules: property-based tests of their argument handling, run end to end.

Each example runs a module's main() as Ansible would (its argument spec applied to generated arguments) against the
openITCOCKPIT simulator in-process (tests/simulators/openitcockpit/testing.py: Flask's test client, no server, no
network), and checks the properties every module keeps:

- it exits, or fails with a one-line message (never a traceback), and never shows the API key;
- refused input (a ValidationError) wrote nothing, and check mode sends nothing but GET;
- names are matched exactly: openITCOCKPIT's filters match substrings (LIKE %x%, ignoring case, with % and _ as
  wildcards), so a container, host, host template, host group, satellite or downtime comment that only contains the
  declared name (a prefix, a suffix, a wildcard, another case) is never written or removed, and what a task writes
  has exactly the declared name.

The strategies come from the Checkmk properties (test_hostile_input.py), and so do the settings: the same examples
in `make test`, ten times as many new ones with LIGHTHOUSE_FUZZ=1 (as `make fuzz` sets).
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._openitcockpit import _client
from ansible_collections.lighthouse.monitoring.plugins.modules import (
    openitcockpit_container,
    openitcockpit_downtime,
    openitcockpit_export,
    openitcockpit_host,
)
from ansible_collections.lighthouse.monitoring.tests.simulators.openitcockpit import tree
from ansible_collections.lighthouse.monitoring.tests.simulators.openitcockpit.config import SimulatorConfig
from ansible_collections.lighthouse.monitoring.tests.simulators.openitcockpit.testing import ApiClient
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.module_runs import (
    argument_validator,
    module_args,
    recording_errors,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_hostile_input import (
    PROPERTY,
    examples,
    expected_time,
    future,
    mostly,
    nasty,
    one_line,
    surrogate_free,
    text,
    times,
)

API_KEY = "oitc-key-5f81d2-hostile"
CONNECTION = {"server_url": "https://oitc.example", "api_key": API_KEY}
MODULES = (openitcockpit_container, openitcockpit_downtime, openitcockpit_export, openitcockpit_host)
TIMEZONE = "Europe/Berlin"  # the API user's: downtimes are written and listed in its wall-clock time
TEMPLATES = ("Linux server", "Linux server XL", "linux server", "Linux_server")
SATELLITES = ("branch", "branch-2", "Branch")
SIMULATOR = ApiClient(
    SimulatorConfig(
        api_key=API_KEY,
        timezone=TIMEZONE,
        hosttemplates=TEMPLATES,
        satellites=SATELLITES,
        downtime_delay=0,
        export_seconds=0,
    )
)
FAST = settings(PROPERTY, suppress_health_check=[HealthCheck.too_slow])
ANGULAR = {"angular": "true"}

# The seeded server: containers by path below root (parents first; type 2 tenant, 3 location, 5 node), host groups
# (below root), hosts (name -> container path), all in monitoring, and downtimes (host, service or None, comment,
# start in minutes from now), each an hour long. The services' downtimes start a minute after the hosts': removing a
# host downtime also removes its services' ones of the same start and comment (a known bug, see
# test_openitcockpit_downtime_removing_a_host_downtime_keeps_its_services_downtimes).
CONTAINERS = (
    ("ACME", 2),
    ("ACME/Web", 5),
    ("ACME/Web2", 5),
    ("ACME/web", 5),
    ("ACME/We", 5),
    ("ACME/Berlin", 3),
    ("ACME/Empty", 5),
    ("ACME2", 2),
    ("acme", 2),
)
GROUPS = ("webservers", "webservers-old", "Webservers", "web_servers", "db")
HOSTS = {
    "web01": "ACME/Web",
    "web010": "ACME/Web",
    "web0": "ACME/Web",
    "web1": "ACME/Web2",
    "Web01": "ACME/web",
    "web01.example": "ACME",
    "web_01": "ACME",
    "db01": "ACME2",
}
SERVICES = ("Ping", "CPU load")  # every seeded host's
# (host, service or None, comment, minutes from now to its start); a string: used in annotations only
Downtime = "tuple[str, str | None, str, int]"
DOWNTIMES: tuple[Downtime, ...] = (
    ("web01", None, "window", 0),
    ("web01", None, "Window", 0),
    ("web01", None, "other window", 0),
    ("web010", None, "window", 0),
    ("Web01", None, "window", 0),
    ("web01", "Ping", "window", 1),
    ("web01", "Ping", "Window", 1),
    ("web1", "CPU load", "window", 1),
)


# --- The simulator, in-process ------------------------------------------------------------------------------------


class Wire:
    """The library's transport, answered by the simulator's Flask test client. The API key goes in the header only."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def request(self, method: str, url: str, *, headers: Any, body: bytes | None, timeout: float) -> Response:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "oitc.example"), url
        if API_KEY in self.api_key:  # distinctive (a drawn short key may be part of a host name in the URL)
            assert self.api_key not in url, "the API key is in the URL"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        answer = SIMULATOR.client.open(path, method=method, headers=dict(headers), data=body)
        return Response(answer.status_code, dict(answer.headers), answer.get_data())


def _wall(moment: datetime) -> tuple[str, str]:
    """A moment as the API user's wall-clock date and time (the simulator's server zone is UTC)."""
    local = moment.astimezone(ZoneInfo(TIMEZONE))
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def fresh(downtimes: tuple[Downtime, ...] = ()) -> datetime:
    """The simulator with CONTAINERS, GROUPS and HOSTS (exported: monitored) and ``downtimes``; the request log
    starts afresh. The minute the downtimes start from."""
    SIMULATOR.state.reset()
    ids = {"": tree.ROOT}
    for path, kind in CONTAINERS:
        parent, _slash, name = path.rpartition("/")
        if kind == tree.CT_TENANT:  # as openITCOCKPIT's tenant form adds them: equal names allowed
            tenant = SIMULATOR.ok("POST", "/tenants/add.json", {"container": {"name": name}}, ANGULAR)["id"]
            ids[path] = SIMULATOR.state.tenants[tenant]["container_id"]
        else:
            body = {"Container": {"parent_id": ids[parent], "name": name, "containertype_id": kind}}
            ids[path] = SIMULATOR.ok("POST", "/containers/add.json", body, ANGULAR)["id"]
    for name in GROUPS:
        body = {"Hostgroup": {"container": {"name": name, "parent_id": tree.ROOT}}}
        SIMULATOR.ok("POST", "/hostgroups/add.json", body, ANGULAR)
    for name, path in HOSTS.items():
        host = {"name": name, "address": "192.0.2.1", "container_id": ids[path], "hosttemplate_id": 1}
        SIMULATOR.ok("POST", "/hosts/add.json", {"Host": host}, ANGULAR)
    SIMULATOR.ok("POST", "/exports/launchExport.json", {"create_backup": 0}, ANGULAR)
    st = SIMULATOR.state
    host_ids = {host["name"]: host_id for host_id, host in st.hosts.items()}
    service_ids = {(st.hosts[s["host_id"]]["name"], s["servicetemplate"]): sid for sid, s in st.services.items()}
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for host, service, comment, minutes in downtimes:
        kind, object_id = ("Host", host_ids[host]) if service is None else ("Service", service_ids[host, service])
        start = now + timedelta(minutes=minutes)
        (from_date, from_time), (to_date, to_time) = _wall(start), _wall(start + timedelta(hours=1))
        window = {"from_date": from_date, "from_time": from_time, "to_date": to_date, "to_time": to_time}
        body = {"object_id": [object_id], "downtimetype_id": 0, "is_recurring": 0, "comment": comment, **window}
        SIMULATOR.ok("POST", f"/systemdowntimes/add{kind}downtime.json", {"Systemdowntime": body}, ANGULAR)
    settle()  # the core carries out the downtime commands
    SIMULATOR.state.requests.clear()
    return now


def settle() -> None:
    """Let the simulated core carry out what is queued (any request does)."""
    SIMULATOR.ok("GET", "/exports/index.json", None, ANGULAR)


def footprint() -> str:
    """Everything a write changes: the configuration, the changelog, exports, downtimes and downtime commands."""
    st = SIMULATOR.state
    written = [st.containers, st.tenants, st.locations, st.hostgroups, st.hosts, st.services]
    return json.dumps(
        [written, [d.json() for d in st.downtimes], len(st.commands), len(st.runs), len(st.changelog)],
        sort_keys=True,
        default=str,
    )


def writes_sent() -> list[str]:
    return [f"{r['method']} {r['path']}" for r in SIMULATOR.state.requests.entries if r["method"] != "GET"]


def containers() -> dict[int, tuple[tuple[str, ...], int]]:
    """Each host container's names from root down (root left out) and its type, by id."""
    found = SIMULATOR.state.containers

    def names(cid: int) -> tuple[str, ...]:
        parent = found[cid]["parent_id"]
        return () if parent is None else (*names(parent), found[cid]["name"])

    return {
        cid: (names(cid), c["containertype_id"])
        for cid, c in found.items()
        if c["containertype_id"] in tree.HOST_CONTAINER_TYPES
    }


def hosts() -> dict[int, dict[str, Any]]:
    """Each host by id, in the module's terms: names of its container, template, groups and satellite."""
    st = SIMULATOR.state
    satellites = {0: "Mastersystem", **st.satellites}
    return {
        host_id: {
            "name": host["name"],
            "address": host["address"],
            "description": host["description"],
            "container": tree.path(st.containers, host["container_id"]),
            "template": st.hosttemplates[host["hosttemplate_id"]]["name"],
            "groups": sorted(st.containers[st.hostgroups[g]["container_id"]]["name"] for g in host["hostgroups"]),
            "satellite": satellites.get(host["satellite_id"]),
        }
        for host_id, host in st.hosts.items()
    }


def host_groups() -> dict[int, Any]:
    """The host groups themselves (not their members: a host's task may add it to a group)."""
    st = SIMULATOR.state
    return {gid: (st.containers[g["container_id"]]["name"], g["description"]) for gid, g in st.hostgroups.items()}


def active_downtimes() -> dict[tuple[str, str | None, str], int]:
    """Downtimes that are neither cancelled nor over, counted by (host, service, comment)."""
    st = SIMULATOR.state
    now = st.now()
    found: dict[tuple[str, str | None, str], int] = {}
    for downtime in st.downtimes:
        if downtime.cancelled or downtime.end <= now:
            continue
        service = None if downtime.service_id is None else st.services[downtime.service_id]["servicetemplate"]
        key = (st.hosts[downtime.host_id]["name"], service, downtime.comment)
        found[key] = found.get(key, 0) + 1
    return found


# --- The modules, as Ansible runs them ----------------------------------------------------------------------------


VALIDATORS = {module: argument_validator(module) for module in MODULES}


def accepted(module: Any, args: dict[str, Any]) -> dict[str, Any]:
    """``args`` as far as Ansible itself accepts them (what it refuses never reaches the module's code)."""
    args = {k: v for k, v in args.items() if v is not None}
    assume(surrogate_free(args))  # AnsibleModule fails on a lone surrogate before main() runs
    assume(not VALIDATORS[module].validate({**CONNECTION, **args}).error_messages)
    return args


def run(module: Any, args: dict, *, check: bool) -> tuple[dict, MonitoringError | None]:
    """main() with ``args``: its result, and the library's error if it failed with one. Checks what every run must
    keep: one line when it fails, no API key, nothing written when refused, nothing but GET in check mode."""
    caught: list = []
    out = io.StringIO()
    before = footprint()
    args = {**CONNECTION, **args}
    key = str(args["api_key"])
    with (
        mock.patch.object(_client, "RequestsTransport", lambda tls: Wire(key)),
        recording_errors(module, caught),
        module_args(args, check_mode=check, diff=True),
        redirect_stdout(out),
        pytest.raises(SystemExit) as exit_info,
    ):
        module.main()
    result, failed = json.loads(out.getvalue()), exit_info.value.code != 0
    assert API_KEY not in out.getvalue()
    error = caught[0] if caught else None
    if failed:
        assert error is not None, f"failed outside the library: {result.get('msg')!r}"
        one_line(error)
        if key not in str(error):  # else Ansible masks the key (no_log) wherever it occurs in the message
            assert result["msg"] == str(error)
        if API_KEY in key:  # distinctive (a drawn short one may be part of a host name in the message)
            assert key not in str(error) and key not in out.getvalue(), "the API key is shown"
        if isinstance(error, ValidationError):
            assert footprint() == before, f"{error} after writing {writes_sent()}"
    if check:
        assert writes_sent() == [], "check mode sent writes"
    if not failed:
        planned(result)
    if currently_in_test_context():  # a property's statistics (pytest --hypothesis-show-statistics)
        name = module.__name__.rpartition(".")[2]
        event(f"{name}: {'failed: ' + str(error)[:50] if failed else 'changed' if result['changed'] else 'ok'}")
    return result, error


PLAN_KEYS = {"backend", "type", "name", "action", "changes"}
PLAN_TYPES = {
    "openitcockpit_container": {"container"},
    "openitcockpit_host": {"host"},
    "openitcockpit_downtime": {"downtime"},
    "openitcockpit_export": {"export"},
}


def planned(result: dict) -> None:
    """What every result's ``plan`` keeps: entries of one shape, about openITCOCKPIT, ``changed`` exactly when an
    entry does something, changes only for add/change/run, each as before -> after."""
    plan = result["plan"]
    assert plan and all(set(entry) == PLAN_KEYS for entry in plan), plan
    assert {entry["backend"] for entry in plan} == {"openitcockpit"}
    assert result["changed"] == any(entry["action"] != "none" for entry in plan), plan
    for entry in plan:
        assert entry["action"] in ("add", "change", "remove", "run", "none")
        assert entry["changes"] == {} or entry["action"] in ("add", "change", "run"), entry
        assert all(set(change) == {"before", "after"} for change in entry["changes"].values()), entry


# --- Strategies -------------------------------------------------------------------------------------------------


def variants(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Names like the existing ones: the same, another case, with a wildcard, a prefix or a suffix."""
    base = st.sampled_from(names)
    return st.one_of(
        base,
        base.map(str.upper),
        base.map(str.lower),
        base.map(str.title),
        base.map(lambda name: name[:-1] + "%"),
        base.map(lambda name: name[:-1] + "_"),
        base.map(lambda name: "%" + name[1:]),
        base.map(lambda name: name + "0"),
        base.map(lambda name: name[:-1]),
        base.map(lambda name: name[1:]),
        base.map(lambda name: f" {name}"),
        base.map(lambda name: f"{name}\n"),
        st.builds("{}{}".format, base, nasty),
    )


HOST_NAMES = tuple(HOSTS)
PATHS = tuple(path for path, _kind in CONTAINERS)
MASTER = "Mastersystem"


def _rooted(path: str) -> st.SearchStrategy[str]:
    """The ways a task may write a path: with or without /root, slashes around it, spaces around it."""
    return st.sampled_from([path, f"/{path}", f"/root/{path}", f"root/{path}", f"{path}/", f" /root/{path} "])


path_variants = variants(PATHS).flatmap(_rooted)
container_path_args = st.one_of(
    path_variants,
    st.builds("{}/{}".format, st.sampled_from(["ACME", "/root/ACME", "acme", "/ROOT/ACME", "ACME/Web"]), text),
    st.sampled_from(["/", "/root", "root", "//", "/root//Web", "ACME//Web", "ACME/ Web", "ACME/Web/../DB"]),
    text,
)
api_keys = mostly(
    st.just(API_KEY),
    st.one_of(
        st.builds("{}{}".format, st.just(API_KEY), nasty),
        st.builds("{}{}".format, nasty, st.just(API_KEY)),
        st.sampled_from([API_KEY + "\n", API_KEY + "\r\n", API_KEY + "\x00", "é" + API_KEY, "日本語" + API_KEY]),
        text,
    ),
)
addresses = mostly(
    st.sampled_from(["192.0.2.9", "web.example"]), st.sampled_from(["2001:db8::9", "1.2.3.999", "a b"]) | text, 2
)


@st.composite
def module_runs(draw: st.DrawFn) -> tuple[Any, dict]:
    # The modules with names to match come up more often than the export, which has none.
    module = draw(st.sampled_from((*MODULES, openitcockpit_container, openitcockpit_downtime, openitcockpit_host)))
    state = draw(st.sampled_from(["present", "absent"]))
    args: dict[str, Any] = {"api_key": draw(api_keys)}
    if module is openitcockpit_container:
        args.update(path=draw(container_path_args), type=draw(st.sampled_from(["node", "location"])), state=state)
    elif module is openitcockpit_host:
        args.update(
            name=draw(mostly(variants(HOST_NAMES), text, 2)),
            address=draw(st.none() | addresses),
            description=draw(st.none() | st.just("web server") | text),
            container=draw(st.none() | mostly(variants(PATHS), container_path_args, 2)),
            host_template=draw(st.none() | mostly(st.sampled_from(TEMPLATES), variants(TEMPLATES) | text, 2)),
            host_groups=draw(
                st.none() | st.lists(mostly(st.sampled_from(GROUPS), variants(GROUPS) | text), max_size=3)
            ),
            purge_host_groups=draw(st.booleans()),
            satellite=draw(st.none() | variants((*SATELLITES, MASTER)) | text),
            state=state,
        )
    elif module is openitcockpit_downtime:
        names = mostly(variants(HOST_NAMES), text, 3)
        hosts_ = draw(mostly(st.lists(names, min_size=1, max_size=3, unique=True), st.lists(names, max_size=3)))
        one = len(hosts_) == 1 and draw(st.booleans())
        services = draw(st.none() | st.lists(variants(SERVICES) | text, max_size=2))
        end_time = draw(st.none() | mostly(future, times, 2))
        start_time = draw(st.none() | times)
        assume(not at_the_end_of_time(start_time, end_time))  # a known bug: see its test below
        args.update(
            host_name=hosts_[0] if one else None,
            host_names=None if one else hosts_,
            service_descriptions=services,
            include_services=(services is None and draw(st.booleans())) or None,  # with services: Ansible refuses
            comment=draw(mostly(st.sampled_from(["window", "Kernel update"]), text | variants(("window",)), 2)),
            start_time=start_time,
            end_time=end_time,
            state=state,
            verify_timeout=0,
        )
    else:
        args.update(
            force=draw(st.booleans()),
            create_backup=draw(st.booleans()),
            wait_timeout=draw(st.sampled_from([5, 0, -1])),
        )
    return module, accepted(module, args)


# --- Oracles: what the modules document, written independently of them ---------------------------------------------


def valid_name(name: str) -> bool:
    """A host or container name a task may declare: 1 to 255 characters, no spaces around it, no control characters."""
    return 0 < len(name) <= 255 and name == name.strip() and not any(ord(c) < 32 or ord(c) == 127 for c in name)


def declared_names(path: str) -> tuple[str, ...]:
    """The names of a container path from root down: split at '/', '/root' in front optional, the whole trimmed."""
    names = tuple(path.strip().strip("/").split("/"))
    return names[1:] if names[0] == "root" else names


def like(pattern: str, name: str) -> bool:
    """Whether openITCOCKPIT's LIKE filter with ``pattern`` lists ``name``: a substring, ignoring case, % and _
    wildcards; an empty pattern or 0 is no filter."""
    if pattern in ("", "0"):
        return True
    wildcards = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.search(wildcards, name, re.IGNORECASE | re.DOTALL) is not None


def containing_one_another(names: list[str]) -> bool:
    """Whether a declared host is also listed by the lookup of another declared name (the lookups overlap)."""
    return any(like(other, name) for name in names if name in HOSTS for other in names if other != name)


def at_the_end_of_time(*values: str | None) -> bool:
    """A time in the last hours of year 9999 (UTC), which the API user's wall clock cannot show."""
    moments = [expected_time(value) for value in values if value is not None]
    return any(moment is not None and moment >= LAST_HOURS for moment in moments)


LAST_HOURS = datetime(9999, 12, 31, 20, tzinfo=UTC)


# --- Properties ---------------------------------------------------------------------------------------------------


@settings(FAST, max_examples=examples(150))
@given(run_args=module_runs(), check=st.booleans())
def test_every_openitcockpit_module_exits_or_fails_in_one_line(run_args, check):
    module, args = run_args
    fresh(DOWNTIMES if module is openitcockpit_downtime else ())
    run(module, args, check=check)


@settings(FAST, max_examples=examples(100))
@given(run_args=module_runs())
def test_every_openitcockpit_module_plans_in_check_mode_what_it_then_does(run_args):
    """The plan of a check-mode run is the plan the real run reports, on the same server (within one minute: the
    relative times of downtimes count from it)."""
    module, args = run_args
    args = {**args, "api_key": API_KEY}  # the key's own troubles are the other properties'
    seeded = DOWNTIMES if module is openitcockpit_downtime else ()
    minute = fresh(seeded)
    check, check_error = run(module, args, check=True)
    fresh(seeded)
    applied, error = run(module, args, check=False)
    assume(datetime.now(UTC).replace(second=0, microsecond=0) == minute)
    if check_error is None and error is None:
        assert check["plan"] == applied["plan"]
        assert check["changed"] == applied["changed"]
        event(f"plans compared: {', '.join(sorted({e['action'] for e in applied['plan']}))}")


@settings(FAST, max_examples=examples(100))
@given(
    path=path_variants,
    kind=st.sampled_from(["node", "node", "location"]),
    state=st.sampled_from(["present", "absent"]),
    check=st.booleans(),
)
@example(path="/root/ACME/Web%", kind="node", state="absent", check=False)
@example(path="acme/web", kind="node", state="present", check=False)
@example(path="ACME/Empty", kind="node", state="absent", check=False)
def test_openitcockpit_container_writes_only_the_container_of_exactly_that_path(path, kind, state, check):
    fresh()
    before = containers()
    wanted = declared_names(path)
    _result, error = run(
        openitcockpit_container,
        accepted(openitcockpit_container, {"path": path, "type": kind, "state": state}),
        check=check,
    )
    after = containers()
    existing = [kind_ for names, kind_ in before.values() if names == wanted]
    holds = [names for names, _kind in before.values() if names[:-1] == wanted] or [
        host for host, where in HOSTS.items() if declared_names(where) == wanted
    ]
    if all(valid_name(name) for name in wanted):  # then only the types and openITCOCKPIT's own rules may refuse it
        if state == "present" and kind == "node" and existing in ([], [tree.CT_TENANT], [tree.CT_NODE]):
            assert error is None, f"refused: {error}"
        if state == "present" and kind == "location" and len(wanted) > 1 and existing in ([], [tree.CT_LOCATION]):
            assert error is None, f"refused: {error}"
        if state == "absent" and kind == "node" and not (existing and holds):
            assert error is None, f"refused: {error}"
    if error is not None or check:
        assert after == before
        return
    others = {cid: c for cid, c in before.items() if c[0] != wanted}
    assert {cid: after.get(cid) for cid in others} == others, "another container was removed, renamed or moved"
    if state == "absent":
        assert wanted not in [names for names, _kind in after.values()]
    else:
        assert [names for names, _kind in after.values()].count(wanted) == 1
        new = [after[cid][0] for cid in set(after) - set(before)]
        assert all(wanted[: len(names)] == names for names in new), f"created {new} for {wanted}"


@settings(FAST, max_examples=examples(100))
@given(
    name=variants(HOST_NAMES),
    container=mostly(st.sampled_from(["ACME/Web", "/root/ACME/Web2"]), path_variants),
    template=mostly(st.sampled_from(TEMPLATES), variants(TEMPLATES)),
    groups=st.none() | st.lists(mostly(st.sampled_from(GROUPS), variants(GROUPS)), max_size=2),
    purge=st.booleans(),
    satellite=st.none() | mostly(st.sampled_from(SATELLITES), variants((*SATELLITES, MASTER))),
    state=st.sampled_from(["present", "absent"]),
    check=st.booleans(),
)
@example(
    name="WEB01",
    container="ACME/Web",
    template="Linux_server",
    groups=["web_servers"],
    purge=True,
    satellite="Branch",
    state="present",
    check=False,
)
@example(
    name="web0%",
    container="ACME/Web",
    template="Linux server",
    groups=None,
    purge=False,
    satellite=None,
    state="absent",
    check=False,
)
def test_openitcockpit_host_writes_only_the_host_of_exactly_that_name(
    name, container, template, groups, purge, satellite, state, check
):
    fresh()
    before, groups_before = hosts(), host_groups()
    args = {
        "name": name,
        "address": "192.0.2.200",
        "container": container,
        "host_template": template,
        "host_groups": groups,
        "purge_host_groups": purge,
        "satellite": satellite,
        "state": state,
    }
    _result, error = run(openitcockpit_host, accepted(openitcockpit_host, args), check=check)
    after = hosts()
    known = (
        template in TEMPLATES
        and set(groups or []) <= set(GROUPS)
        and satellite in (*SATELLITES, MASTER, None)
        and declared_names(container) in [names for names, _kind in containers().values()]
    )
    if valid_name(name) and all(valid_name(n) for n in declared_names(container)) and (known or state == "absent"):
        assert error is None, f"refused: {error}"
    assert host_groups() == groups_before, "a host group was written"
    others = {host_id: host for host_id, host in before.items() if host["name"] != name}
    assert {host_id: after.get(host_id) for host_id in others} == others, "another host was written"
    if error is not None or check:
        assert after == before
        return
    mine = {host_id: host for host_id, host in after.items() if host["name"] == name}
    if state == "absent":
        assert not mine
        return
    assert len(mine) == 1 and set(after) == set(others) | set(mine)
    host = next(iter(mine.values()))
    assert host["address"] == "192.0.2.200" and host["template"] == template
    assert host["container"] == "/" + "/".join(("root", *declared_names(container)))
    old = [h["groups"] for h in before.values() if h["name"] == name]
    kept = [] if purge or not old else old[0]
    assert set(groups or []) <= set(host["groups"]) <= set(groups or []) | set(kept)
    assert satellite is None or host["satellite"] == satellite


@settings(FAST, max_examples=examples(100))
@given(
    names=st.lists(mostly(st.sampled_from(HOST_NAMES), variants(HOST_NAMES), 1), min_size=1, max_size=3, unique=True),
    services=st.none()
    | st.lists(mostly(st.sampled_from(SERVICES), variants(SERVICES), 1), min_size=1, max_size=2, unique=True),
    with_services=st.booleans(),
    comment=mostly(st.just("window"), variants(("window", "Window", "other window"))),
    state=st.sampled_from(["present", "absent"]),
    check=st.booleans(),
)
@example(names=["web01"], services=None, with_services=False, comment="window", state="present", check=False)
@example(names=["web01"], services=["Ping"], with_services=False, comment="Window", state="absent", check=False)
@example(names=["web01"], services=None, with_services=True, comment="window", state="absent", check=False)
@example(names=["web0%"], services=None, with_services=False, comment="win%", state="absent", check=False)
def test_openitcockpit_downtime_writes_only_the_downtimes_of_exactly_those_names(
    names, services, with_services, comment, state, check
):
    fresh(DOWNTIMES)
    before = active_downtimes()
    with_services = with_services and services is None
    args = {
        "host_names": names,
        "service_descriptions": services,
        "include_services": with_services or None,
        "comment": comment,
        "end_time": "+2h",
        "state": state,
        "verify_timeout": 0,
    }
    _result, error = run(openitcockpit_downtime, accepted(openitcockpit_downtime, args), check=check)
    settle()
    after = active_downtimes()
    known = set(names) <= set(HOSTS) and set(services or []) <= set(SERVICES) and comment.strip()
    if known and len(comment) <= 255 and not containing_one_another(names):  # the overlap: a known bug, see below
        assert error is None, f"refused: {error}"
    targets = {(host, service, comment) for host in names for service in (services or [None])}
    # With include_services, the hosts' services get (or lose) the downtime with the host's.
    along = {(host, service, comment) for host in names for service in SERVICES} if with_services else set()
    others = {key: n for key, n in before.items() if key not in targets | along}
    assert {key: after.get(key) for key in others} == others, "another downtime was written"
    if error is not None or check:
        assert after == before
        return
    if state == "absent":
        assert not targets & set(after)
    else:
        assert {key: n for key, n in after.items() if key in targets} == dict.fromkeys(targets, 1)
        assert along <= set(after)


# --- Edge cases the general properties above leave out ---------------------------------------------------------------


@pytest.mark.parametrize("end_time", ["9999-12-31T23:59:59+00:00", "9999-12-31T23:00Z", "9999-12-31T23:30:00-00:00"])
def test_openitcockpit_downtime_at_the_end_of_time_fails_in_one_line(end_time):
    fresh()
    args = {"host_name": "db01", "comment": "x", "end_time": end_time, "verify_timeout": 0}
    _result, error = run(openitcockpit_downtime, args, check=False)
    assert isinstance(error, ValidationError)


@pytest.mark.parametrize("names", [["web01", "web010"], ["web01", "web_01"], ["web0", "web01"], ["Web01", "web01"]])
def test_openitcockpit_downtime_hosts_whose_names_contain_one_another_are_not_ambiguous(names):
    fresh()
    args = {"host_names": names, "comment": "window", "end_time": "+2h", "verify_timeout": 0}
    _result, error = run(openitcockpit_downtime, args, check=False)
    settle()
    assert error is None, str(error)
    assert {key for key in active_downtimes() if key[2] == "window"} == {(name, None, "window") for name in names}


@pytest.mark.parametrize(
    "args",
    [
        {"state": "absent"},
        {"state": "absent", "include_services": True},
        {"state": "present", "end_time": 120},  # a longer window: the old one, of the same start, goes first
    ],
    ids=["absent", "absent-with-services", "present-same-start"],
)
def test_openitcockpit_downtime_removing_a_host_downtime_keeps_its_services_downtimes(args):
    """The core removes a host downtime by host, start and comment, and the host's service downtimes of that start
    and comment with it: without include_services they are set again; with it they are the downtime's own and go.
    Others (another comment) stay in any case."""
    start = fresh((("web01", None, "window", 0), ("web01", "Ping", "window", 0), ("web01", "CPU load", "other", 0)))
    before = active_downtimes()
    if args.get("include_services"):
        before.pop(("web01", "Ping", "window"))
    task = {"host_name": "web01", "comment": "window", "start_time": start.isoformat(), "verify_timeout": 0, **args}
    if "end_time" in task:  # minutes after the start
        task["end_time"] = (start + timedelta(minutes=task["end_time"])).isoformat()
    _result, error = run(openitcockpit_downtime, task, check=False)
    settle()
    assert error is None, str(error)
    after = active_downtimes()
    assert {key: after.get(key) for key in before if key[1] is not None} == {
        key: n for key, n in before.items() if key[1] is not None
    }


@pytest.mark.parametrize("state", ["present", "absent"])
def test_openitcockpit_container_path_that_a_name_with_a_slash_makes_is_refused(state):
    fresh()
    acme = next(cid for cid, (names, _kind) in containers().items() if names == ("ACME",))
    body = {"Container": {"parent_id": acme, "name": "Web/Old", "containertype_id": tree.CT_NODE}}
    SIMULATOR.ok("POST", "/containers/add.json", body, ANGULAR)
    SIMULATOR.state.requests.clear()
    slashed = {cid: c for cid, c in containers().items() if c[0] == ("ACME", "Web/Old")}
    _result, error = run(openitcockpit_container, {"path": "ACME/Web/Old", "state": state}, check=False)
    after = containers()
    # openITCOCKPIT shows the path /root/ACME/Web/Old for it: the path is refused as ambiguous, nothing written.
    assert {cid: after.get(cid) for cid in slashed} == slashed, "the container 'Web/Old' was removed"
    assert isinstance(error, ValidationError) and "ambiguous" in str(error), str(error)
    assert ("ACME", "Web", "Old") not in [names for names, _kind in after.values()]
    assert [key for key in SIMULATOR.state.requests.counts if not key.startswith("GET ")] == []
