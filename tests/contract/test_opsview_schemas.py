"""The Opsview simulator's objects against pyopsview's 6.2 schemas (the JSON files Opsview's own Python client
ships), as listed, as got and as answered to writes, including objects written with many fields.

pyopsview's schemas describe the Python side: `number` and `boolean` fields arrive as strings on the wire ("300",
"0"/"1"), and `required` sits inside each property (draft 3 style). `wire_schema` turns them into JSON Schemas of
the wire format, closed (no key the schema does not name) and with the required keys; the same objects must also
pass pyopsview's own decoder in strict mode (unknown keys refused), which is what its client runs on every answer.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import pytest
from pyopsview.schema import SchemaField

from tests.simulators.opsview.testing import ApiClient

NEEDS_OPENAPI = False  # pyopsview is installed with the test tools: these tests run on any clone

NUMBER = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
BOOLEAN = {"type": "string", "enum": ["0", "1"]}
# Where recorded answers of a real Opsview 6.8.8 (opsview-rs tests/api_responses.rs) break the schemas, the
# schemas are mended: hosts created without notification options show them as null.
NULLABLE = {("host", "notification_options")}
# The keys of a host as a real 6.8.8 answers it (the same recording): the simulator shows exactly these.
HOST_KEYS_688 = {
    "alias", "business_components", "check_attempts", "check_command", "check_interval", "check_period",
    "enable_snmp", "event_handler", "event_handler_always_exec", "flap_detection_enabled", "hostattributes",
    "hostgroup", "hosttemplates", "icon", "id", "ip", "keywords", "last_updated", "monitored_by", "name",
    "notification_options", "notification_period", "other_addresses", "parents", "rancid_autoenable",
    "rancid_connection_type", "rancid_username", "rancid_vendor", "ref", "retry_check_interval", "servicechecks",
    "snmp_extended_throughput_data", "snmp_max_msg_size", "snmp_port", "snmp_use_getnext", "snmp_use_ifname",
    "snmp_version", "snmpv3_authprotocol", "snmpv3_privprotocol", "snmpv3_username", "tidy_ifdescr_level",
    "uncommitted", "use_rancid",
}  # fmt: skip
TYPES = ("host", "hostgroup", "hosttemplate", "keyword")


def pyopsview_schema(name: str) -> dict[str, Any]:
    text = resources.files("pyopsview").joinpath(f"v2/schemas/6.2/config/{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def wire_schema(node: dict[str, Any], definitions: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    if "$ref" in node:
        node = {**definitions[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    alternatives: list[dict[str, Any]] = [{"type": "null"}] if nullable and "null" not in kinds else []
    for kind in kinds:
        if kind == "number":
            alternatives.append(NUMBER)
        elif kind == "boolean":
            alternatives.append(BOOLEAN)
        elif kind in ("string", "null"):
            alternatives.append({"type": kind})
        elif kind == "array":
            alternatives.append({"type": "array", "items": wire_schema(node["items"], definitions)})
        else:
            properties = node["properties"]
            alternatives.append(
                {
                    "type": "object",
                    "properties": {key: wire_schema(value, definitions) for key, value in properties.items()},
                    "required": sorted(key for key, value in properties.items() if value.get("required")),
                    "additionalProperties": False,
                }
            )
    return alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    source = pyopsview_schema(name)
    schema = wire_schema(source, source.get("definitions", {}))
    for kind, key in NULLABLE:
        if kind == name:
            schema["properties"][key] = wire_schema(source["properties"][key], source.get("definitions", {}), True)
    return jsonschema.Draft202012Validator(schema)


def check(name: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The object passes the wire schema and pyopsview's strict decoder; the decoded object is returned."""
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator(name).iter_errors(obj)
    ]
    assert not problems, f"{name} {obj.get('name')}: {problems}"
    decoded: dict[str, Any] = SchemaField(copy.deepcopy(pyopsview_schema(name)), strict_coding=True).decode(obj)
    return decoded


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def full_setup(api: ApiClient) -> dict[str, dict[str, Any]]:
    """Objects of every kind written through the API with (nearly) every field, answered objects returned."""
    group = api.ok("POST", "/config/hostgroup", {"name": "Production", "parent": {"name": "Opsview"}})["object"]
    leaf = api.ok("POST", "/config/hostgroup", {"name": "Web", "parent": {"id": group["id"]}})["object"]
    template = api.ok(
        "POST",
        "/config/hosttemplate",
        {
            "name": "Web Servers",
            "description": "Our web servers",
            "servicechecks": [
                {"name": "HTTP", "exception": "-w 5 -c 10"},
                {"name": "SSH", "timed_exception": {"timeperiod": {"name": "workhours"}, "args": "-t 20"}},
            ],
            "managementurls": [{"name": "SSH", "url": "ssh://$HOSTADDRESS$"}],
        },
    )["object"]
    keyword = api.ok(
        "POST",
        "/config/keyword",
        {
            "name": "webfarm",
            "description": "The web farm",
            "enabled": "1",
            "all_hosts": 0,
            "public": True,
            "style": "group_by_host",
            "servicechecks": [{"name": "HTTP"}],
            "hosts": [{"name": "opsview"}],
        },
    )["object"]
    parent = api.ok("POST", "/config/host", {"name": "gw01", "ip": "10.0.0.1", "hostgroup": {"name": "Web"}})["object"]
    host = api.ok(
        "POST",
        "/config/host",
        {
            "name": "web01",
            "ip": "10.0.0.5",
            "alias": "Web server 1",
            "other_addresses": "10.0.1.5, web01.example.com",
            "hostgroup": {"name": "Web", "matpath": "Opsview,Production,Web,"},
            "monitored_by": {"name": "Master Monitoring Server"},
            "hosttemplates": [{"name": "Web Servers"}, {"name": "Network - Base"}],
            "keywords": [{"name": "webfarm"}, {"name": "opsview"}],
            "parents": [{"name": "gw01"}],
            "hostattributes": [
                {"name": "DISK", "value": "/"},
                {"name": "DISK", "value": "/var", "arg1": "-w 10%", "arg2": None},
                {"name": "NRPE_CIPHERS", "value": "default", "arg1": "ALL"},
            ],
            "servicechecks": [
                {"name": "HTTP", "exception": "-u /health", "event_handler": None},
                {"name": "SSH", "remove_servicecheck": "1"},
            ],
            "check_command": {"name": "tcp port 22 (SSH)"},
            "check_period": {"name": "workhours"},
            "notification_period": {"name": "24x7"},
            "check_interval": 300,
            "retry_check_interval": "60",
            "check_attempts": 3,
            "notification_options": "u,d,r,f",
            "icon": {"name": "SYMBOL - Server"},
            "enable_snmp": "1",
            "snmp_version": "3",
            "snmp_port": "1161",
            "snmp_max_msg_size": 0,
            "snmp_use_getnext": 1,
            "snmp_use_ifname": "0",
            "snmp_extended_throughput_data": False,
            "snmpv3_username": "monitor",
            "snmpv3_authprotocol": "sha",
            "snmpv3_privprotocol": "aes",
            "flap_detection_enabled": "0",
            "event_handler": "restart_httpd",
            "event_handler_always_exec": "1",
            "rancid_autoenable": "0",
            "rancid_connection_type": "telnet",
            "rancid_username": "rancid",
            "use_rancid": "0",
            "tidy_ifdescr_level": "1",
            "unknown_key": "ignored",
        },
    )["object"]
    return {"hostgroup": leaf, "hosttemplate": template, "keyword": keyword, "host": host, "parent": parent}


@pytest.mark.parametrize("name", TYPES)
def test_seeded_objects_as_listed_and_got(api: ApiClient, name: str) -> None:
    listed = api.ok("GET", f"/config/{name}", query={"rows": "all"})["list"]
    assert listed
    for obj in listed:
        check(name, obj)
        got = api.ok("GET", f"/config/{name}/{obj['id']}")["object"]
        assert got == obj
        check(name, got)


def test_objects_written_with_many_fields(api: ApiClient) -> None:
    written = full_setup(api)
    for name in TYPES:
        answered = written[name]
        decoded = check(name, answered)
        assert decoded["id"] == int(answered["id"]) and decoded["uncommitted"] is True
        check(name, api.ok("GET", f"/config/{name}/{answered['id']}")["object"])
        for obj in api.ok("GET", f"/config/{name}", query={"rows": "all"})["list"]:
            check(name, obj)
    host = written["host"]
    assert api.ok("GET", f"/config/host/{host['id']}")["object"] == host
    assert set(host) == HOST_KEYS_688
    assert host["hostattributes"][1] == {
        "arg1": "-w 10%",
        "arg2": None,
        "arg3": None,
        "arg4": None,
        "id": host["hostattributes"][1]["id"],
        "name": "DISK",
        "value": "/var",
    }
    assert [check["remove_servicecheck"] for check in host["servicechecks"]] == ["0", "1"]
    assert host["icon"] == {"name": "SYMBOL - Server", "path": "/static/images/logos/server.png"}
    assert written["hostgroup"]["matpath"] == "Opsview,Production,Web,"
    assert [item["name"] for item in written["keyword"]["hosts"]] == ["opsview"]
    timed = written["hosttemplate"]["servicechecks"][1]["timed_exception"]
    assert timed == {"args": "-t 20", "timeperiod": {"name": "workhours", "ref": "/rest/config/timeperiod/2"}}


def test_objects_changed_by_updates_and_other_objects_stay_valid(api: ApiClient) -> None:
    written = full_setup(api)
    host_id = written["host"]["id"]
    api.ok("PUT", f"/config/host/{host_id}", {"hostattributes": [], "notification_options": None, "parents": []})
    api.ok("PUT", f"/config/keyword/{written['keyword']['id']}", {"hosts": [{"name": "web01"}], "style": None})
    api.ok("POST", "/config/hostgroup", {"name": "Leaf", "parent": {"name": "Production"}})
    api.ok("POST", "/reload")
    for name in TYPES:
        for obj in api.ok("GET", f"/config/{name}", query={"rows": "all"})["list"]:
            decoded = check(name, obj)
            assert decoded["uncommitted"] is False
    host = api.ok("GET", f"/config/host/{host_id}")["object"]
    assert host["notification_options"] is None and host["hostattributes"] == []


def test_the_wire_schema_is_strict() -> None:
    """What the schemas let through: a number must be a numeric string, a boolean "0" or "1", keys known."""
    host = ApiClient().ok("GET", "/config/host/1")["object"]
    for broken in ({"check_interval": 300}, {"enable_snmp": True}, {"enable_snmp": "2"}, {"colour": "red"}):
        assert list(validator("host").iter_errors({**host, **broken})), broken
    assert list(validator("host").iter_errors({key: value for key, value in host.items() if key != "name"}))
