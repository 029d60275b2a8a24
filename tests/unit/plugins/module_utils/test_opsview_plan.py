"""The plan the opsview_* modules return: one entry per object, the same in check mode and when applied, ``none``
when nothing is to do. Each module's main() runs as Ansible runs it, against the Opsview simulator in-process (the
harness of the hostile-input tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._opsview.downtime import Target
from ansible_collections.lighthouse.monitoring.plugins.modules import (
    opsview_downtime,
    opsview_host,
    opsview_hostgroup,
    opsview_hosts,
    opsview_reload,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_opsview_hostile import (
    PASSWORD,
    SIMULATOR,
    fresh,
    run,
)


def planned(module: Any, args: dict, *, check: bool) -> list[dict]:
    """The plan of one run, which must agree with ``changed`` and hold no secret."""
    SIMULATOR.state.requests.clear()  # the writes of this run only (check mode sends none)
    result, error = run(module, args, check=check)
    assert error is None, error
    assert result["changed"] == any(entry["action"] != "none" for entry in result["plan"])
    assert PASSWORD not in str(result["plan"])
    return result["plan"]


def check_then_apply(module: Any, args: dict) -> list[dict]:
    """The plan of a check-mode run, which the real run that follows must report as well."""
    check = planned(module, args, check=True)
    assert planned(module, args, check=False) == check
    return check


def entry(kind: str, name: str, action: str, changes: dict | None = None) -> dict:
    return {"backend": "opsview", "type": kind, "name": name, "action": action, "changes": changes or {}}


def new(**values: Any) -> dict:
    return {key: {"before": None, "after": value} for key, value in values.items()}


def test_opsview_host_plans_add_change_none_and_remove():
    fresh(("Linux", "Linux/Web"))
    args = {"name": "web01", "ip": "192.0.2.10", "hostgroup": "Opsview/Linux/Web", "alias": "Web"}
    added = new(name="web01", ip="192.0.2.10", alias="Web", hostgroup="Opsview/Linux/Web")
    assert check_then_apply(opsview_host, args) == [entry("host", "web01", "add", added)]
    assert planned(opsview_host, args, check=False) == [entry("host", "web01", "none")]
    update = {"name": "web01", "ip": "192.0.2.11", "variables": {"SNMP": {"value": "on", "arg1": "public"}}}
    assert check_then_apply(opsview_host, update) == [
        entry(
            "host",
            "web01",
            "change",
            {
                "ip": {"before": "192.0.2.10", "after": "192.0.2.11"},
                "variables.SNMP.value": {"before": None, "after": "on"},
                "variables.SNMP.arg1": {"before": None, "after": "public"},
            },
        )
    ]
    assert planned(opsview_host, update, check=False) == [entry("host", "web01", "none")]
    gone = {"name": "web01", "state": "absent"}
    assert check_then_apply(opsview_host, gone) == [entry("host", "web01", "remove")]
    assert planned(opsview_host, gone, check=False) == [entry("host", "web01", "none")]


def test_opsview_hostgroup_plans_the_parents_it_creates_first():
    fresh()
    args = {"path": "Opsview/Linux/Web"}
    assert check_then_apply(opsview_hostgroup, args) == [
        entry("hostgroup", "Opsview/Linux", "add", new(path="Opsview/Linux")),
        entry("hostgroup", "Opsview/Linux/Web", "add", new(path="Opsview/Linux/Web")),
    ]
    assert planned(opsview_hostgroup, args, check=False) == [entry("hostgroup", "Opsview/Linux/Web", "none")]
    child = {"path": "Opsview/Linux/Web/Shop/"}
    assert check_then_apply(opsview_hostgroup, child) == [
        entry("hostgroup", "Opsview/Linux/Web/Shop", "add", new(path="Opsview/Linux/Web/Shop"))
    ]
    gone = {"path": "Opsview/Linux/Web/Shop", "state": "absent"}
    assert check_then_apply(opsview_hostgroup, gone) == [entry("hostgroup", "Opsview/Linux/Web/Shop", "remove")]
    assert planned(opsview_hostgroup, gone, check=False) == [entry("hostgroup", "Opsview/Linux/Web/Shop", "none")]


def test_opsview_hosts_plans_one_entry_per_declared_host_in_order():
    fresh(("Linux", "Linux/Web"), {"web01": "Web", "web03": "Web"})
    args = {
        "hosts": [
            {"name": "web02", "ip": "192.0.2.12", "hostgroup": "Opsview/Linux/Web"},
            {"name": "web01", "ip": "192.0.2.99"},
            {"name": "web03", "ip": "192.0.2.1"},
        ]
    }
    assert check_then_apply(opsview_hosts, args) == [
        entry("host", "web02", "add", new(name="web02", ip="192.0.2.12", hostgroup="Opsview/Linux/Web")),
        entry("host", "web01", "change", {"ip": {"before": "192.0.2.1", "after": "192.0.2.99"}}),
        entry("host", "web03", "none"),
    ]
    assert planned(opsview_hosts, args, check=False) == [
        entry("host", "web02", "none"),
        entry("host", "web01", "none"),
        entry("host", "web03", "none"),
    ]
    gone = {"hosts": [{"name": "web01"}, {"name": "web04"}], "state": "absent"}
    assert check_then_apply(opsview_hosts, gone) == [entry("host", "web01", "remove"), entry("host", "web04", "none")]
    assert planned(opsview_hosts, gone, check=False) == [entry("host", "web01", "none"), entry("host", "web04", "none")]


def test_opsview_downtime_plans_add_none_change_and_remove():
    fresh(("Linux", "Linux/Web"), {"web01": "Web", "web02": "Web"})
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    window = {"start_time": start.isoformat(), "end_time": (start + timedelta(hours=1)).isoformat()}
    args = {"host_names": ["web01", "web02"], "comment": "Kernel update", **window}
    shown = {key: f"{value[:-6]}+00:00" for key, value in window.items()}
    assert check_then_apply(opsview_downtime, args) == [
        entry("downtime", f"{host} (Kernel update)", "add", new(host_name=host, comment="Kernel update", **shown))
        for host in ("web01", "web02")
    ]
    assert planned(opsview_downtime, args, check=False) == [
        entry("downtime", "web01 (Kernel update)", "none"),
        entry("downtime", "web02 (Kernel update)", "none"),
    ]
    later = (start + timedelta(hours=2)).isoformat()
    longer = {**args, "host_names": ["web01"], "end_time": later}
    assert check_then_apply(opsview_downtime, longer) == [
        entry(
            "downtime", "web01 (Kernel update)", "change", {"end_time": {"before": shown["end_time"], "after": later}}
        )
    ]
    gone = {"host_names": ["web01", "web02", "web03"], "comment": "Kernel update", "state": "absent"}
    assert check_then_apply(opsview_downtime, gone) == [
        entry("downtime", "web01 (Kernel update)", "remove"),
        entry("downtime", "web02 (Kernel update)", "remove"),
        entry("downtime", "web03 (Kernel update)", "none"),
    ]
    assert [e["action"] for e in planned(opsview_downtime, gone, check=False)] == ["none", "none", "none"]


def test_downtime_entries_name_the_object_and_the_comment():
    assert Target(host="db01", service="MySQL").subject("CHG-1")[1:] == ("downtime", "db01/MySQL (CHG-1)")
    assert Target(hostgroup="Opsview/Linux").subject("Network")[2] == "Opsview/Linux (Network)"


def test_opsview_reload_plans_a_run_only_when_configuration_is_pending():
    fresh()
    assert planned(opsview_reload, {}, check=False) == [entry("reload", "configuration", "none")]
    SIMULATOR.ok("POST", "/config/hostgroup", {"name": "Linux", "parent": {"name": "Opsview"}})
    applied = {"configuration_status": {"before": "pending", "after": "uptodate"}}
    assert check_then_apply(opsview_reload, {}) == [entry("reload", "configuration", "run", applied)]
    assert planned(opsview_reload, {}, check=False) == [entry("reload", "configuration", "none")]
