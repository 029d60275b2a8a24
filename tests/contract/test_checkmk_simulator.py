"""Behaviour of the simulator beyond the shapes the spec describes: ETags, pending changes, inheritance,
control endpoints, the runner and the server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from checkmk_contract import API, AUTHORIZATION, REPO_ROOT
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.simulators.checkmk import SimulatorConfig, TagGroup, create_app, hash_of_dict, serve
from tests.simulators.checkmk.__main__ import parse_args

HEADERS = {"Accept": "application/json", "Authorization": AUTHORIZATION}
EMPTY_ETAG = '"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'


def call(client: FlaskClient, method: str, path: str, body: Any = None, **headers: str) -> TestResponse:
    sent = {**HEADERS, **({"Content-Type": "application/json"} if body is not None else {}), **headers}
    return client.open(API + path, method=method, json=body, headers=sent)


@pytest.fixture
def client() -> FlaskClient:
    return create_app(SimulatorConfig(remote_sites=("remote1",))).test_client()


def changes(client: FlaskClient) -> list[dict[str, Any]]:
    return list(call(client, "GET", "/domain-types/activation_run/collections/pending_changes").json["value"])


def test_hash_of_dict_matches_checkmk() -> None:
    assert hash_of_dict({"a": "b", "c": "d"}) == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"
    assert hash_of_dict({"a": [{"b": 1, "d": 2}, {"d": 2, "b": 3}]}) == (
        "6ea899bec9b061d54f1f8fcdb7405363126c0e96d198d09792eff0996590ee3e"
    )
    assert f'"{hash_of_dict({})}"' == EMPTY_ETAG


def test_etags_change_with_edits_and_guard_them(client: FlaskClient) -> None:
    created = call(client, "POST", "/domain-types/host_config/collections/all", {"host_name": "web01", "folder": "/"})
    etag = created.headers["ETag"]
    inputs: dict[str, Any] = {"name": "web01", "attributes": {}, "cluster_nodes": None}
    assert len(etag) == 66 and etag == f'"{hash_of_dict(inputs)}"'
    assert call(client, "GET", "/objects/host_config/web01").headers["ETag"] == etag

    update = {"update_attributes": {"alias": "Web"}}
    updated = call(client, "PUT", "/objects/host_config/web01", update, **{"If-Match": etag})
    assert updated.status_code == 200 and updated.headers["ETag"] not in {etag, None}
    stale = call(client, "PUT", "/objects/host_config/web01", update, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json["ext"] == {"name": "web01", "attributes": {"alias": "Web"}, "cluster_nodes": None}
    assert call(client, "PUT", "/objects/host_config/web01", update, **{"If-Match": "*"}).status_code == 200
    unquoted = updated.headers["ETag"].strip('"')
    assert call(client, "PUT", "/objects/host_config/web01", {}, **{"If-Match": unquoted}).status_code == 200

    folder = call(client, "GET", "/objects/folder_config/~").headers["ETag"]
    call(client, "POST", "/domain-types/host_config/collections/all", {"host_name": "web02", "folder": "/"})
    assert call(client, "GET", "/objects/folder_config/~").headers["ETag"] != folder  # its host list changed


def test_pending_changes_record_each_write_and_nothing_else(client: FlaskClient) -> None:
    empty = call(client, "GET", "/domain-types/activation_run/collections/pending_changes")
    assert empty.json["value"] == [] and empty.headers["ETag"] == EMPTY_ETAG

    call(client, "POST", "/domain-types/folder_config/collections/all", {"title": "Linux", "parent": "~"})
    entries = [
        {"host_name": "a", "folder": "~linux", "attributes": {"site": "remote1"}},
        {"host_name": "b", "folder": "/"},
    ]
    call(client, "POST", "/domain-types/host_config/actions/bulk-create/invoke", {"entries": entries})
    recorded = changes(client)
    assert [change["action_name"] for change in recorded] == ["new-folder", "create-host", "create-host"]
    assert all(set(change) == {"id", "action_name", "text", "user_id", "time"} for change in recorded)
    assert {change["user_id"] for change in recorded} == {"automation"}
    assert recorded[1]["text"] == "Created new host a."

    for method, path, body in [
        ("GET", "/objects/host_config/a", None),
        ("GET", "/domain-types/host_config/collections/all", None),
        ("POST", "/domain-types/host_config/collections/all", {"host_name": "a", "folder": "/"}),
        ("PUT", "/objects/host_config/a", {"update_attributes": {"alias": "x"}}),  # no If-Match: 428
        ("DELETE", "/objects/folder_config/~linux?delete_mode=abort_on_nonempty", None),
    ]:
        call(client, method, path, body)
    assert changes(client) == recorded

    state = client.get("/_simulator/state").json
    assert [change["sites"] for change in state["pending_changes"]] == [["cmk", "remote1"], ["remote1"], ["cmk"]]


def test_effective_attributes_inherit_down_the_folder_tree(client: FlaskClient) -> None:
    root = {"update_attributes": {"tag_networking": "wan", "labels": {"a": "root"}}}
    call(client, "PUT", "/objects/folder_config/~", root, **{"If-Match": "*"})
    folder = {"title": "A", "parent": "~", "attributes": {"site": "remote1", "labels": {"b": "a"}}}
    call(client, "POST", "/domain-types/folder_config/collections/all", folder)
    subfolder = {"title": "B", "parent": "~a", "attributes": {"tag_criticality": "offline", "labels": {"a": "b"}}}
    call(client, "POST", "/domain-types/folder_config/collections/all", subfolder)
    host = {"host_name": "h", "folder": "~a~b", "attributes": {"alias": "H", "labels": {"c": "h"}}}
    call(client, "POST", "/domain-types/host_config/collections/all", host)

    shown = call(client, "GET", "/objects/host_config/h?effective_attributes=true").json["extensions"]
    effective = shown["effective_attributes"]
    assert effective["labels"] == {"a": "b", "b": "a", "c": "h"}
    assert (effective["site"], effective["tag_networking"], effective["tag_agent"]) == ("remote1", "wan", "cmk-agent")
    assert effective["alias"] == "H" and shown["is_offline"] is True
    assert shown["attributes"]["labels"] == {"c": "h"}
    listed = call(client, "GET", "/domain-types/host_config/collections/all?site=remote1").json["value"]
    assert [entry["id"] for entry in listed] == ["h"] and "effective_attributes" not in listed[0]["extensions"]


def test_meta_data_is_kept_and_touched(client: FlaskClient) -> None:
    created = call(client, "POST", "/domain-types/host_config/collections/all", {"host_name": "h", "folder": "/"})
    meta = created.json["extensions"]["attributes"]["meta_data"]
    assert meta["created_by"] == "automation" and meta["created_at"] == meta["updated_at"]
    replaced = call(client, "PUT", "/objects/host_config/h", {"attributes": {"alias": "x"}}, **{"If-Match": "*"})
    assert replaced.json["extensions"]["attributes"]["meta_data"]["created_at"] == meta["created_at"]
    noop = call(client, "PUT", "/objects/host_config/h", {"attributes": {}}, **{"If-Match": "*"})
    assert noop.json["extensions"]["attributes"]["alias"] == "x"  # an empty `attributes` changes nothing


def test_protocol_details(client: FlaskClient) -> None:
    ok = client.get("/cmk/check_mk/api/v1/version", headers=HEADERS)
    assert ok.status_code == 200 and ok.headers["X-Checkmk-Edition"] == "cre"
    unauthorized = client.get(f"{API}/version", headers={"Accept": "application/json"})
    assert unauthorized.status_code == 401 and "X-Checkmk-Version" not in unauthorized.headers
    remote_setup = "/remote1/check_mk/api/1.0/domain-types/host_config/collections/all"
    for path in ["/nosite/check_mk/api/1.0/version", "/cmk/check_mk/api/2.0/version", remote_setup]:
        assert client.get(path, headers=HEADERS).status_code == 404
    assert client.get("/remote1/check_mk/api/1.0/version", headers=HEADERS).json["site"] == "remote1"
    call(client, "POST", "/domain-types/host_config/collections/all", {"host_name": "h", "folder": "/"})
    deleted = call(client, "DELETE", "/objects/host_config/h")
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers and deleted.data == b""
    assert call(client, "GET", "/version").headers["X-Checkmk-Version"] == "2.4.0p18"


def test_configured_tag_groups_and_users() -> None:
    config = SimulatorConfig(
        users={"alice": "s3cret"}, tag_groups={"os": TagGroup("Operating system", ("linux", "bsd"))}
    )
    client = create_app(config).test_client()
    alice = {"Authorization": "Bearer alice s3cret"}
    ok = call(
        client,
        "POST",
        "/domain-types/host_config/collections/all",
        {"host_name": "h", "folder": "/", "attributes": {"tag_os": "bsd"}},
        **alice,
    )
    assert ok.status_code == 200
    bad = {"host_name": "i", "folder": "/", "attributes": {"tag_os": "nt", "tag_criticality": "prod"}}
    rejected = call(client, "POST", "/domain-types/host_config/collections/all", bad, **alice)
    assert set(rejected.json["fields"]["attributes"]["_schema"]) == {
        "Invalid value for tag-group 'Operating system': 'nt'",
        "Unknown Attribute: 'tag_criticality': 'prod'",
    }
    effective = call(client, "GET", "/objects/host_config/h?effective_attributes=1", **alice).json
    assert effective["extensions"]["effective_attributes"]["tag_os"] == "bsd"


def test_control_endpoints(client: FlaskClient) -> None:
    call(client, "POST", "/domain-types/host_config/collections/all", {"host_name": "h", "folder": "/"})
    call(client, "GET", "/objects/host_config/h")
    added = client.post("/_simulator/pending_changes", json={"user_id": "cmkadmin", "sites": ["remote1"]})
    assert added.status_code == 201 and added.json["user_id"] == "cmkadmin"
    state = client.get("/_simulator/state").json
    assert state["config"]["remote_sites"] == ["remote1"]
    assert state["hosts"] == {
        "h": {"folder": "~", "attributes": state["hosts"]["h"]["attributes"], "cluster_nodes": None}
    }
    assert list(state["folders"]) == ["~"] and state["folders"]["~"]["hosts"] == ["h"]
    assert [change["user_id"] for change in state["pending_changes"]] == ["automation", "cmkadmin"]
    assert state["request_counts"] == {
        "POST /domain-types/host_config/collections/all": 1,
        "GET /objects/host_config/{host_name}": 1,
    }
    assert state["requests"][-1] == {"method": "GET", "path": f"{API}/objects/host_config/h", "status": 200}
    assert client.post("/_simulator/pending_changes", json={"sites": ["nope"]}).status_code == 400

    assert client.post("/_simulator/reset").status_code == 204
    state = client.get("/_simulator/state").json
    assert (state["hosts"], state["pending_changes"], state["requests"]) == ({}, [], [])


def test_serve_answers_concurrent_clients_over_http() -> None:
    with serve(SimulatorConfig()) as simulator, requests.Session() as session:
        session.headers.update({**HEADERS, "Content-Type": "application/json"})
        url = f"{simulator.url}/domain-types/host_config/collections/all"
        with ThreadPoolExecutor(max_workers=8) as pool:
            bodies = [json.dumps({"host_name": f"h{i}", "folder": "/"}) for i in range(40)]
            statuses = list(pool.map(lambda body: session.post(url, data=body).status_code, bodies))
        assert statuses == [200] * 40
        assert len(simulator.state.hosts) == len(simulator.state.changes) == 40
        assert session.get(url).json()["value"][0]["links"] == []


def test_large_site(client: FlaskClient) -> None:
    """10,000 hosts in one bulk request (how fast: benchmarks/simulator.py, not a timed assertion here)."""
    entries = [{"host_name": f"host{i:05}", "folder": "/"} for i in range(10_000)]
    bulk = call(client, "POST", "/domain-types/host_config/actions/bulk-create/invoke", {"entries": entries})
    assert bulk.status_code == 200 and len(bulk.json["value"]) == 10_000
    assert call(client, "GET", "/objects/host_config/host09999").status_code == 200
    assert len(call(client, "GET", "/domain-types/host_config/collections/all").json["value"]) == 10_000


def test_runner_serves_from_the_command_line(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    runner = REPO_ROOT / "tests" / "simulators" / "checkmk" / "run.py"
    command = [sys.executable, str(runner), "--port", "0", "--port-file", str(port_file), "--remote-sites", "remote1"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        port = port_file.read_text(encoding="utf-8").strip()
        assert line == f"Checkmk simulator (2.4) listening on http://127.0.0.1:{port}/cmk/check_mk/api/1.0"
        version = requests.get(f"http://127.0.0.1:{port}{API}/version", headers=HEADERS, timeout=5)
        assert version.json()["versions"]["checkmk"] == "2.4.0p18.cre"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_agent_service_option() -> None:
    args = parse_args(["--agent-service", "CPU load=cpu_loads", "--agent-service", "Filesystem /=df:/"])
    assert args.agent_service == [("cpu_loads", None, "CPU load"), ("df", "/", "Filesystem /")]
    with pytest.raises(SystemExit):
        parse_args(["--agent-service", "no plugin"])
