"""Hostile input for the opsview_* modules: property-based tests of their argument handling, run end to end.

Each example runs a module's main() as Ansible would (its argument spec applied to generated arguments) against the
Opsview simulator in-process (tests/simulators/opsview/testing.py: Flask's test client, no server, no network), and
checks the properties every module keeps:

- it exits, or fails with a one-line message (never a traceback), and never shows the password;
- refused input (a ValidationError) wrote nothing, and check mode sends no write at all;
- names are matched exactly: a host, host group or downtime that differs from the declared one (by a prefix, a
  suffix, a wildcard, or only by case, which Opsview ignores) is never written, and what the task writes has
  exactly the declared name.

The strategies come from the Checkmk properties (test_hostile_input.py), and so do the settings: the same examples
in `make test`, ten times as many new ones with LIGHTHOUSE_FUZZ=1 (as `make fuzz` sets).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import Response
from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview import _client
from ansible_collections.lighthouse.monitoring.plugins.modules import (
    opsview_downtime,
    opsview_host,
    opsview_hostgroup,
    opsview_hosts,
    opsview_reload,
)
from ansible_collections.lighthouse.monitoring.tests.simulators.opsview.config import SimulatorConfig
from ansible_collections.lighthouse.monitoring.tests.simulators.opsview.testing import ApiClient
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.module_runs import (
    argument_validator,
    module_args,
    recording_errors,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_hostile_input import (
    PROPERTY,
    examples,
    mostly,
    nasty,
    one_line,
    surrogate_free,
    text,
)

USER, PASSWORD = "automation", "pw-9c2e71-hostile"
CONNECTION = {"server_url": "http://opsview.example", "username": USER, "password": PASSWORD}
MODULES = (opsview_downtime, opsview_host, opsview_hostgroup, opsview_hosts, opsview_reload)
SIMULATOR = ApiClient(SimulatorConfig(users={USER: PASSWORD}, reload_seconds=0, downtime_delay=0), login=False)
FAST = settings(PROPERTY, suppress_health_check=[HealthCheck.too_slow])


# --- The simulator, in-process ------------------------------------------------------------------------------------


class Wire:
    """The library's transport, answered by the simulator's Flask test client."""

    def request(self, method: str, url: str, *, headers: Any, body: bytes | None, timeout: float) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        answer = SIMULATOR.client.open(path, method=method, headers=dict(headers), data=body)
        return Response(answer.status_code, dict(answer.headers), answer.get_data())


def fresh(groups: tuple[str, ...] = (), hosts: dict[str, str] | None = None) -> ApiClient:
    """The simulator as seeded, plus host groups (paths below Opsview, parents first) and hosts (name -> leaf),
    reloaded; the request log starts afresh."""
    SIMULATOR.state.reset()
    SIMULATOR.login()
    for path in groups:
        *parent, name = path.split("/")
        SIMULATOR.ok(
            "POST", "/config/hostgroup", {"name": name, "parent": {"name": parent[-1] if parent else "Opsview"}}
        )
    for name, leaf in (hosts or {}).items():
        SIMULATOR.ok("POST", "/config/host", {"name": name, "ip": "192.0.2.1", "hostgroup": {"name": leaf}})
    SIMULATOR.ok("POST", "/reload")
    SIMULATOR.state.requests.clear()
    return SIMULATOR


def footprint() -> Any:
    """What a write changes: configuration writes, reloads, downtimes and downtime commands."""
    st = SIMULATOR.state
    return st.write_seq, len(st.reloads), sorted(d.id for d in st.downtimes), len(st.commands)


def writes_sent() -> list[str]:
    return [
        f"{r['method']} {r['path']}"
        for r in SIMULATOR.state.requests.entries
        if r["method"] != "GET" and not r["path"].startswith("/rest/login")
    ]


def objects(kind: str) -> dict[str, dict]:
    """The simulator's objects of a type by name, without what every write changes."""
    volatile = {"uncommitted", "seq", "last_updated"}
    return {
        obj["name"]: {k: v for k, v in obj.items() if k not in volatile}
        for obj in SIMULATOR.state.objects[kind].values()
    }


def host_downtimes() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for downtime in SIMULATOR.state.downtimes:
        if downtime.servicename is None:
            key = (downtime.hostname, downtime.comment)
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
    keep: one line when it fails, no password, nothing written when refused, no write sent in check mode."""
    caught: list = []
    out = io.StringIO()
    before = footprint()
    with (
        mock.patch.object(_client, "RequestsTransport", lambda tls: Wire()),
        recording_errors(module, caught),
        module_args({**CONNECTION, **args}, check_mode=check, diff=True),
        redirect_stdout(out),
        pytest.raises(SystemExit) as exit_info,
    ):
        module.main()
    result, failed = json.loads(out.getvalue()), exit_info.value.code != 0
    assert PASSWORD not in out.getvalue()
    error = caught[0] if caught else None
    if failed:
        assert error is not None, f"failed outside the library: {result.get('msg')!r}"
        one_line(error)
        assert result["msg"] == str(error)
        if isinstance(error, ValidationError):
            assert footprint() == before, f"{error} after writing {writes_sent()}"
    if check:
        assert writes_sent() == [], "check mode sent writes"
    return result, error


# --- Strategies -------------------------------------------------------------------------------------------------

HOST_NAMES = ("web01", "web010", "web0", "web1", "web01.example", "web_01", "db01")


def variants(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Names like the existing ones: the same, another case, with a wildcard, a prefix or a suffix."""
    base = st.sampled_from(names)
    return st.one_of(
        base,
        base.map(str.upper),
        base.map(str.title),
        base.map(lambda name: name[:-1] + "%"),
        base.map(lambda name: name[:-1] + "_"),
        base.map(lambda name: name + "0"),
        base.map(lambda name: name[:-1]),
        base.map(lambda name: f" {name}"),
        base.map(lambda name: f"{name}\n"),
        st.builds("{}{}".format, base, nasty),
    )


GROUPS = ("Linux", "Linux/Web", "Linux/DB", "Windows", "Windows/IIS")
group_paths = st.one_of(
    st.sampled_from(GROUPS).map(lambda path: f"Opsview/{path}"),
    variants(GROUPS).map(lambda path: f"Opsview/{path}"),
    st.builds("{}/{}".format, st.sampled_from(["Opsview", "opsview", "Opsview/Linux", "Opsview/LINUX"]), text),
    text,
)
host_entries = st.lists(
    st.fixed_dictionaries(
        {"name": mostly(variants(HOST_NAMES), text, 3)},
        optional={"ip": st.sampled_from(["192.0.2.7", "2001:db8::7", "web.example", "1.2.3.999"]) | text},
    ).map(lambda host: {**host, "hostgroup": "Opsview/Linux/Web"}),
    max_size=4,
)


@st.composite
def module_runs(draw: st.DrawFn) -> tuple[Any, dict]:
    module = draw(st.sampled_from(MODULES))
    state = draw(st.sampled_from(["present", "absent"]))
    if module is opsview_host:
        args = {
            "name": draw(mostly(variants(HOST_NAMES), text, 2)),
            "ip": draw(st.none() | st.sampled_from(["192.0.2.9", "::1"]) | text),
            "hostgroup": draw(st.none() | group_paths),
            "templates": draw(st.none() | st.lists(st.sampled_from(["OS - Unix Base", "Nope"]) | text, max_size=2)),
            "variables": draw(st.none() | st.dictionaries(st.sampled_from(["DISK", "ROLE"]) | text, text, max_size=2)),
            "state": state,
        }
    elif module is opsview_hosts:
        args = {"hosts": draw(host_entries), "state": state, "batch_size": draw(st.sampled_from([1, 2, 1000, 0]))}
    elif module is opsview_hostgroup:
        args = {"path": draw(group_paths), "state": state}
    elif module is opsview_downtime:
        hosts = draw(st.lists(mostly(variants(HOST_NAMES), text, 3), max_size=3))
        args = {
            "host_names": hosts or None,
            "hostgroup": None if hosts else draw(group_paths),
            "service_descriptions": draw(st.none() | st.lists(st.sampled_from(["HTTP", "Disk%"]) | text, max_size=2)),
            "comment": draw(st.sampled_from(["window", "Kernel update"]) | text),
            "end_time": draw(st.none() | st.sampled_from(["+1h", "+30s", "+1d"]) | text),
            "state": state,
            "verify_timeout": 0,
        }
    else:
        args = {"wait_timeout": draw(st.sampled_from([5, 0, -1]))}
    return module, accepted(module, args)


# --- Properties ---------------------------------------------------------------------------------------------------


@settings(FAST, max_examples=examples(150))
@given(run_args=module_runs(), check=st.booleans())
def test_every_opsview_module_exits_or_fails_in_one_line(run_args, check):
    module, args = run_args
    fresh(("Linux", "Linux/Web", "Linux/DB", "Windows"), dict.fromkeys(HOST_NAMES, "Web"))
    run(module, args, check=check)


@settings(FAST, max_examples=examples(100))
@given(name=variants(HOST_NAMES), state=st.sampled_from(["present", "absent"]), check=st.booleans())
@example(name="WEB01", state="present", check=False)  # was written as web01's new name: web01 renamed
def test_opsview_host_writes_only_the_host_of_exactly_that_name(name, state, check):
    fresh(("Linux", "Linux/Web"), dict.fromkeys(HOST_NAMES, "Web"))
    before = objects("host")
    args = accepted(opsview_host, {"name": name, "ip": "192.0.2.200", "hostgroup": "Opsview/Linux/Web", "state": state})
    result, error = run(opsview_host, args, check=check)
    after = objects("host")
    untouched = {n: h for n, h in before.items() if n != name}
    assert {n: after.get(n) for n in untouched} == untouched, "another host was written"
    if error is not None or check:
        assert after == before
        return
    if state == "absent":
        assert name not in after and result["changed"] == (name in before)
    else:
        assert after[name]["ip"] == "192.0.2.200" and result["host"]["name"] == name
        assert set(after) == set(before) | {name}


@settings(FAST, max_examples=examples(70))
@given(
    names=st.lists(variants(HOST_NAMES), min_size=1, max_size=4, unique=True),
    state=st.sampled_from(["present", "absent"]),
    check=st.booleans(),
)
@example(names=["WEB01"], state="present", check=False)  # was written over web01 (renamed)
@example(names=["web09", "WEB09"], state="present", check=False)  # one transaction, one host: the second won
def test_opsview_hosts_write_only_the_hosts_of_exactly_those_names(names, state, check):
    fresh(("Linux", "Linux/Web"), dict.fromkeys(HOST_NAMES, "Web"))
    before = objects("host")
    declared = [{"name": n, "ip": "192.0.2.200", "hostgroup": "Opsview/Linux/Web"} for n in names]
    args = accepted(opsview_hosts, {"hosts": declared, "state": state})
    _result, error = run(opsview_hosts, args, check=check)
    after = objects("host")
    untouched = {n: h for n, h in before.items() if n not in names}
    assert {n: after.get(n) for n in untouched} == untouched, "another host was written"
    if error is not None or check:
        assert after == before
    elif state == "absent":
        assert not set(names) & set(after)
    else:
        assert all(after[n]["ip"] == "192.0.2.200" for n in names) and set(after) == set(before) | set(names)


@settings(FAST, max_examples=examples(100))
@given(path=group_paths, state=st.sampled_from(["present", "absent"]), check=st.booleans())
@example(path="Opsview/linux/Web", state="present", check=False)  # was Linux renamed linux (Opsview ignores case)
@example(path="Opsview/Unix/Web", state="present", check=False)  # was Unix created, then Web refused (a leaf's name)
def test_opsview_hostgroup_writes_only_the_group_of_exactly_that_path(path, state, check):
    fresh(GROUPS)

    def tree() -> dict[int, str]:
        """Each group's path, by id."""
        groups = SIMULATOR.state.objects["hostgroup"]

        def path(group: dict) -> str:
            return group["name"] if group["parent"] is None else f"{path(groups[group['parent']])}/{group['name']}"

        return {group_id: path(group) for group_id, group in groups.items()}

    before = tree()
    _result, error = run(opsview_hostgroup, accepted(opsview_hostgroup, {"path": path, "state": state}), check=check)
    after = tree()
    if error is not None or check:
        assert after == before
        return
    wanted = path.strip("/")
    kept = {group_id: p for group_id, p in before.items() if group_id in after}
    assert {group_id: after[group_id] for group_id in kept} == kept, "another group was renamed or moved"
    if state == "absent":
        assert wanted not in after.values() and set(before.values()) - set(after.values()) <= {wanted}
    else:
        assert wanted in after.values() and set(before) <= set(after)
        assert all(wanted.startswith(new) for group_id, new in after.items() if group_id not in before)


@settings(FAST, max_examples=examples(100))
@given(
    hosts=st.lists(variants(HOST_NAMES), min_size=1, max_size=3, unique=True),
    comment=st.sampled_from(["window", "Window", "window ", "win%"]),
    state=st.sampled_from(["present", "absent"]),
    check=st.booleans(),
)
@example(hosts=["WEB01"], comment="window", state="present", check=False)  # was set on web01 and never found
@example(hosts=["web01", "web0_"], comment="x", state="present", check=False)  # was set on web01, then failed
@example(hosts=["web01"], comment="window", state="present", check=False)  # the old window, of the same start,
# was removed with the new one
def test_opsview_downtime_writes_only_the_downtimes_of_exactly_those_hosts(hosts, comment, state, check):
    fresh(("Linux", "Linux/Web"), dict.fromkeys(HOST_NAMES, "Web"))
    for host in ("web01", "web010", "web1"):
        for text_ in ("window", "Window", "other window"):
            SIMULATOR.ok(
                "POST", "/downtime", {"starttime": "now", "duration": "1h", "comment": text_, "hst.hostname": host}
            )
    SIMULATOR.ok("GET", "/downtime")  # the commands are processed
    SIMULATOR.state.requests.clear()
    before = host_downtimes()
    args = {"host_names": hosts, "comment": comment, "end_time": "+2h", "state": state, "verify_timeout": 0}
    _result, error = run(opsview_downtime, accepted(opsview_downtime, args), check=check)
    SIMULATOR.ok("GET", "/downtime")
    after = host_downtimes()
    mine = {f"Host '{host}': {comment}" for host in hosts}
    others = {key: n for key, n in before.items() if key[1] not in mine}
    assert {key: after.get(key) for key in others} == others, "another downtime was written"
    if error is not None or check:
        assert after == before
        return
    if state == "absent":
        assert not [key for key in after if key[1] in mine]
    else:
        assert {key for key in after if key[1] in mine} == {(host, f"Host '{host}': {comment}") for host in hosts}
        assert all(after[key] == 1 for key in after if key[1] in mine), "a downtime is there twice"
