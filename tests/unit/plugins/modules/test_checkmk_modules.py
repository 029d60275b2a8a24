"""The modules end to end with a fake transport: arguments, results, check mode and error reporting."""

from __future__ import annotations

import json

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk import _client
from ansible_collections.lighthouse.monitoring.plugins.modules import checkmk_folder, checkmk_host
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import SECRET, problem, reply
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.module_runs import module_args

CONNECTION = {"server_url": "https://cmk.example", "site": "central", "api_user": "automation", "api_secret": SECRET}
PENDING = "/domain-types/activation_run/collections/pending_changes"
CHANGE = {
    "id": "c1",
    "action_name": "create-host",
    "text": "Created new host web1.",
    "user_id": "automation",
    "time": "2026-11-22T10:00:00+00:00",
}


@pytest.fixture
def run(fake, monkeypatch, capsys):
    """Run a module's main() with the fake transport; returns (result dict, failed?)."""
    monkeypatch.setattr(_client, "RequestsTransport", lambda tls: fake)

    def _run(module, args, *, check_mode=False, diff=False):
        with (
            module_args({**CONNECTION, **args}, check_mode=check_mode, diff=diff),
            pytest.raises(SystemExit) as exit_info,
        ):
            module.main()
        result = json.loads(capsys.readouterr().out)
        return result, exit_info.value.code != 0

    return _run


def test_host_created_with_pending_changes_and_diff(run, fake):
    fake.on("GET", "/objects/host_config/web1", problem(404, "Not Found"))
    fake.on("GET", PENDING, reply(200, {"value": []}, '"a"'), reply(200, {"value": [CHANGE]}, '"b"'))
    fake.on(
        "POST",
        "/domain-types/host_config/collections/all",
        reply(200, {"id": "web1", "extensions": {"folder": "/", "attributes": {"alias": "Web"}}}, '"e"'),
    )
    result, failed = run(checkmk_host, {"name": "web1", "attributes": {"alias": "Web"}}, diff=True)
    assert not failed and result["changed"] is True
    assert result["host"] == {"name": "web1", "folder": "/", "attributes": {"alias": "Web"}}
    assert result["diff"] == {"before": {}, "after": result["host"]}
    assert result["pending_changes"] == [CHANGE]
    assert result["created_folders"] == []
    assert result["plan"] == [
        {
            "backend": "checkmk",
            "type": "host",
            "name": "web1",
            "action": "add",
            "changes": {
                "name": {"before": None, "after": "web1"},
                "attributes.alias": {"before": None, "after": "Web"},
            },
        }
    ]


def test_host_check_mode_sends_only_gets(run, fake):
    fake.on("GET", "/objects/host_config/web1", problem(404, "Not Found"))
    fake.on("GET", "/objects/folder_config/~linux", problem(404, "Not Found"))
    result, failed = run(checkmk_host, {"name": "web1", "folder": "/linux"}, check_mode=True)
    assert not failed and result["changed"] is True
    assert result["created_folders"] == ["/linux"] and result["pending_changes"] == []
    assert [(e["type"], e["name"], e["action"]) for e in result["plan"]] == [
        ("folder", "/linux", "add"),
        ("host", "web1", "add"),
    ]
    assert fake.writes() == []


def test_invalid_host_name_fails_before_any_request(run, fake):
    result, failed = run(checkmk_host, {"name": "bad name"})
    assert failed and result["msg"].startswith("Invalid host name 'bad name'")
    assert fake.calls == []


def test_api_error_is_one_line_and_never_shows_the_secret(run, fake):
    fake.on("GET", "/objects/folder_config/~a", problem(401, "Unauthorized", "Wrong credentials (Bearer header)"))
    result, failed = run(checkmk_folder, {"path": "/a"})
    assert failed
    assert result["msg"] == (
        "Failed to read folder '/a': 401 Unauthorized - Wrong credentials (Bearer header) - "
        "check api_user and api_secret (the automation user's secret)"
    )
    assert result["error"]["status"] == 401
    assert SECRET not in json.dumps(result)


def test_folder_unchanged(run, fake):
    body = {"id": "~a", "title": "A", "extensions": {"path": "/a", "attributes": {"site": "cmk", "meta_data": {}}}}
    fake.on("GET", "/objects/folder_config/~a", reply(200, body, '"e"'))
    result, failed = run(checkmk_folder, {"path": "a/", "title": "A", "attributes": {"site": "cmk"}}, diff=True)
    assert not failed and result["changed"] is False
    assert result["folder"] == {"path": "/a", "title": "A", "attributes": {"site": "cmk"}}
    assert fake.writes() == [] and result["pending_changes"] == []
    assert result["plan"] == [{"backend": "checkmk", "type": "folder", "name": "/a", "action": "none", "changes": {}}]


def test_connection_options_from_environment(run, fake, monkeypatch):
    for key in list(CONNECTION):
        monkeypatch.delitem(CONNECTION, key)
    monkeypatch.setenv("CHECKMK_SERVER_URL", "https://cmk.example")
    monkeypatch.setenv("CHECKMK_SITE", "central")
    monkeypatch.setenv("CHECKMK_VAR_AUTOMATION_USER", "automation")  # checkmk.general's name as a fallback
    monkeypatch.setenv("CHECKMK_API_SECRET", SECRET)
    fake.on("GET", "/objects/folder_config/~", reply(200, {"id": "~", "title": "Main", "extensions": {"path": "/"}}))
    result, failed = run(checkmk_folder, {"path": "/"})
    assert not failed and result["changed"] is False
    assert fake.calls[0].headers["Authorization"] == f"Bearer automation {SECRET}"
