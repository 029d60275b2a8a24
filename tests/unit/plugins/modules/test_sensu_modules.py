"""The sensu_* modules end to end, with the fake Sensu API (test_sensu_api.py) or a temporary configuration directory:
arguments, results, check mode, error reporting, and secrets kept out of the output."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu import _client
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check import render
from ansible_collections.lighthouse.monitoring.plugins.modules import (
    sensu_check,
    sensu_check_request,
    sensu_client,
    sensu_silence,
)
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.module_runs import module_args
from ansible_collections.lighthouse.monitoring.tests.unit.plugins.module_utils.test_sensu_api import (
    BASE,
    ISSUED,
    PASSWORD,
    USER,
    Fake,
    SensuServer,
    answer,
)

CONNECTION = {"server_url": BASE, "username": USER, "password": PASSWORD}
SECRET = "s3cr3t-attribute-value"
NESTED_SECRET = "n3sted-secret-value"
CHECK = {"command": "check-http.rb", "subscribers": ["web"], "interval": 60}


@pytest.fixture
def fake() -> Fake:
    return Fake()


@pytest.fixture
def server(fake: Fake) -> SensuServer:
    return SensuServer(fake)


@pytest.fixture
def run(fake, monkeypatch, capsys):
    """Run a module's main() with the fake transport; returns (result dict, failed?)."""
    monkeypatch.setattr(_client, "RequestsTransport", lambda tls: fake)

    def _run(module, args, *, check_mode=False, diff=False, connection=True):
        args = {**(CONNECTION if connection else {}), **args}
        with module_args(args, check_mode=check_mode, diff=diff), pytest.raises(SystemExit) as exit_info:
            module.main()
        result = json.loads(capsys.readouterr().out)
        return result, exit_info.value.code != 0

    return _run


def shown(result: dict) -> str:
    return json.dumps(result)


def masked(result: dict) -> bool:
    """Whether Ansible had to mask a no_log value in the output: the module itself let it through."""
    return "********" in shown(result)


def warnings(result: dict) -> list[str]:
    """The warnings' texts (ansible-core 2.19 reports each as a summary of an event)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


# --- sensu_client -------------------------------------------------------------------------------------------------


def test_client_created_with_secrets_kept_out_of_the_output(run, fake, server):
    args = {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux"],
        "keepalives": True,
        "attributes": {"environment": "production"},
        "secret_attributes": {"password": SECRET, "snmp": {"community": NESTED_SECRET}},
    }
    result, failed = run(sensu_client, args, diff=True)
    assert not failed and result["changed"] is True
    assert result["client"] == {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux"],
        "keepalives": True,
        "keepalive": {},
        "attributes": {"environment": "production", "password": "REDACTED", "snmp": "REDACTED"},
    }
    assert result["diff"] == {"before": {}, "after": result["client"]}
    (post,) = fake.writes()
    assert post["body"]["password"] == SECRET and post["body"]["snmp"] == {"community": NESTED_SECRET}
    assert post["headers"]["Authorization"].startswith("Basic ")
    hidden = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # Ansible's no_log on the option, to the leaves
    assert result["invocation"]["module_args"]["secret_attributes"] == {
        "password": hidden,
        "snmp": {"community": hidden},
    }
    for value in (PASSWORD, SECRET, NESTED_SECRET):
        assert value not in shown(result)
    again, failed = run(sensu_client, args, diff=True)
    assert not failed and again["changed"] is False and len(fake.writes()) == 1
    for value in (PASSWORD, SECRET, NESTED_SECRET):
        assert value not in shown(again)
    assert not masked(result) and not masked(again)


def test_client_secret_written_on_an_update_and_never_shown(run, fake, server):
    server.client("web01", address="192.0.2.10", subscriptions=["linux"], api_key="old-key-value")
    args = {"name": "web01", "secret_attributes": {"api_key": SECRET}}
    unchanged, failed = run(sensu_client, args, diff=True)
    assert not failed and unchanged["changed"] is False and fake.writes() == []  # a changed secret alone
    result, failed = run(sensu_client, {**args, "subscriptions": ["web"]}, diff=True)
    assert not failed and result["changed"] is True
    (post,) = fake.writes()
    assert post["body"]["api_key"] == SECRET and post["body"]["subscriptions"] == ["linux", "web"]
    assert result["client"]["attributes"] == {"api_key": "REDACTED"}
    assert result["diff"]["before"]["attributes"] == {"api_key": "REDACTED"}
    for value in (PASSWORD, SECRET, "old-key-value"):
        assert value not in shown(unchanged) and value not in shown(result)
    assert not masked(unchanged) and not masked(result)


def test_client_secret_kept_out_of_a_failure(run, fake, server):
    server.client("web01", address="192.0.2.10", password="undeclared")
    args = {"name": "web01", "address": "192.0.2.11", "secret_attributes": {"api_key": SECRET}}
    result, failed = run(sensu_client, args)
    assert failed and result["msg"].startswith("Cannot update Sensu client 'web01': the API shows attributes.password")
    assert fake.writes() == [] and SECRET not in shown(result) and not masked(result)


def test_client_purge_attributes_keeps_the_declared_secrets(run, fake, server):
    server.client("web01", address="192.0.2.10", environment="production", team="ops", password="old-value")
    args = {
        "name": "web01",
        "attributes": {"environment": "production"},
        "secret_attributes": {"password": SECRET},
        "purge_attributes": True,
    }
    result, failed = run(sensu_client, args)
    assert not failed and result["changed"] is True
    (post,) = fake.writes()
    assert "team" not in post["body"] and post["body"]["password"] == SECRET
    assert result["client"]["attributes"] == {"environment": "production", "password": "REDACTED"}
    again, failed = run(sensu_client, args)
    assert not failed and again["changed"] is False and len(fake.writes()) == 1
    assert SECRET not in shown(result) + shown(again)


def test_client_plain_password_refused_before_any_request(run, fake, server):
    args = {"name": "web01", "address": "192.0.2.10", "attributes": {"password": SECRET}}
    result, failed = run(sensu_client, args)
    assert failed and result["msg"] == (
        "Cannot manage Sensu client 'web01': Sensu hides the value of attributes.password; declare password in "
        "secret_attributes, which stays out of logs and output"
    )
    assert fake.calls == []


def test_client_check_mode_reports_the_update_and_sends_only_gets(run, fake, server):
    server.client("web01", address="192.0.2.10", subscriptions=["linux"], api_key="the-key")
    args = {"name": "web01", "subscriptions": ["web"], "secret_attributes": {"api_key": SECRET}}
    result, failed = run(sensu_client, args, check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["client"]["subscriptions"] == ["linux", "web"]
    assert result["diff"]["before"]["subscriptions"] == ["linux"]
    assert result["client"]["attributes"] == {"api_key": "REDACTED"}
    assert fake.writes() == [] and SECRET not in shown(result) and PASSWORD not in shown(result)


@pytest.mark.parametrize("check_mode", [False, True])
def test_client_without_address_is_refused_before_any_write(run, fake, server, check_mode):
    result, failed = run(sensu_client, {"name": "web01", "subscriptions": ["linux"]}, check_mode=check_mode)
    assert failed
    assert result["msg"] == (
        "Cannot create Sensu client 'web01': Sensu needs an address for a new client; declare address"
    )
    assert fake.writes() == []


def test_client_api_error_is_one_line_and_never_shows_the_password(run, fake):
    fake.on("GET", "/clients/web01", answer(401))
    result, failed = run(sensu_client, {"name": "web01", "address": "192.0.2.10"})
    assert failed
    assert result["msg"] == (
        "Failed to read Sensu client 'web01': 401 Unauthorized - check username and password (the API's api.user "
        "and api.password)"
    )
    assert result["error"] == {"status": 401, "method": "GET", "path": "/clients/web01", "title": "Unauthorized"}
    assert PASSWORD not in shown(result)


def test_client_removed_with_invalidate(run, fake, server):
    server.client("web01", address="192.0.2.10")
    args = {"name": "web01", "state": "absent", "invalidate": True, "invalidate_expire": 3600}
    result, failed = run(sensu_client, args, diff=True)
    assert not failed and result["changed"] is True and result["client"] is None
    assert result["diff"]["after"] == {} and result["diff"]["before"]["name"] == "web01"
    (delete,) = fake.writes()
    assert delete["query"] == {"invalidate": "true", "invalidate_expire": "3600"}
    assert "web01" not in server.clients


@pytest.mark.parametrize("state", ["absent", "present"])
def test_client_invalidate_expire_needs_invalidate(run, fake, server, state):
    server.client("web01", address="192.0.2.10")
    result, failed = run(sensu_client, {"name": "web01", "state": state, "invalidate_expire": 3600})
    assert failed and result["msg"] == (
        "Cannot remove Sensu client 'web01': invalidate_expire is the time an invalidation lasts; "
        "set invalidate: true with it"
    )
    assert fake.calls == [] and "web01" in server.clients


def test_client_invalidate_expire_must_be_positive(run, fake):
    args = {"name": "web01", "state": "absent", "invalidate": True, "invalidate_expire": 0}
    result, failed = run(sensu_client, args)
    assert failed and result["msg"] == (
        "Cannot remove Sensu client 'web01': invalidate_expire must be a positive number of seconds, not 0"
    )
    assert fake.calls == []


def test_client_refuses_an_update_that_would_lose_a_redacted_value(run, fake, server):
    server.client("web01", address="192.0.2.10", password="unknown", endpoints=[{"pass": "lost"}])
    result, failed = run(sensu_client, {"name": "web01", "address": "192.0.2.11"})
    assert failed and result["msg"] == (
        "Cannot update Sensu client 'web01': the API shows attributes.password, attributes.endpoints[0].pass as "
        "REDACTED, and Sensu replaces a client whole, so the value would be lost; declare it in secret_attributes"
    )
    assert fake.writes() == []


def test_client_honours_the_redact_list_of_the_client_as_read(run, fake, server):
    server.client("web01", address="192.0.2.10", redact=["token"], token=SECRET)
    result, failed = run(sensu_client, {"name": "web01", "attributes": {"token": SECRET}})
    assert failed and result["msg"] == (
        "Cannot manage Sensu client 'web01': Sensu hides attributes.token (the client's redact list), so it cannot "
        "be compared; declare it in secret_attributes"
    )
    assert "\n" not in result["msg"] and fake.writes() == []
    result, failed = run(sensu_client, {"name": "web01", "secret_attributes": {"token": SECRET}}, diff=True)
    assert not failed and result["changed"] is False and fake.writes() == []
    assert result["client"]["attributes"] == {"redact": ["token"], "token": "REDACTED"}
    assert SECRET not in shown(result)


def test_client_connection_options_from_the_environment(run, fake, server, monkeypatch):
    monkeypatch.setenv("SENSU_API_URL", BASE)
    monkeypatch.setenv("SENSU_API_USER", USER)
    monkeypatch.setenv("SENSU_API_PASSWORD", PASSWORD)
    monkeypatch.setenv("SENSU_TIMEOUT", "7")
    server.client("web01", address="192.0.2.10")
    result, failed = run(sensu_client, {"name": "web01"}, connection=False)
    assert not failed and result["changed"] is False
    assert fake.calls[0]["headers"]["Authorization"].startswith("Basic ") and PASSWORD not in shown(result)


def test_client_password_with_a_colon_is_refused_without_showing_it(run, fake):
    password = "pa55:w0rd-value"
    result, failed = run(sensu_client, {"name": "web01", "password": password})
    assert failed and "cannot contain ':'" in result["msg"] and password not in shown(result)
    assert fake.calls == []


# --- sensu_silence ------------------------------------------------------------------------------------------------


def test_silence_set_then_unchanged(run, fake, server):
    args = {"client": "web01", "reason": "kernel update", "creator": "ansible", "expire": 7200}
    result, failed = run(sensu_silence, args, diff=True)
    assert not failed and result["changed"] is True
    assert result["silence"] == {
        "id": "client:web01:*",
        "subscription": "client:web01",
        "check": None,
        "reason": "kernel update",
        "creator": "ansible",
        "expire_on_resolve": False,
        "begin": None,
        "expire": 7200,
        "expires_in": 7200,
    }
    assert fake.writes()[0]["body"] == {
        "subscription": "client:web01",
        "reason": "kernel update",
        "creator": "ansible",
        "expire_on_resolve": False,
        "expire": 7200,
    }
    server.silences["client:web01:*"]["expire"] = 7000
    again, failed = run(sensu_silence, args)
    assert not failed and again["changed"] is False and again["silence"]["expires_in"] == 7000
    assert len(fake.writes()) == 1 and PASSWORD not in shown(result) + shown(again)


def test_silence_cleared_alone(run, fake, server):
    server.silence("client:web01")
    server.silence("client:web01", "check_disk")
    result, failed = run(sensu_silence, {"client": "web01", "state": "absent"})
    assert not failed and result["changed"] is True and result["silence"] is None
    assert [w["body"] for w in fake.writes()] == [{"id": "client:web01:*"}]
    assert list(server.silences) == ["client:web01:check_disk"]


def test_silence_check_mode_sends_only_gets(run, fake, server):
    result, failed = run(sensu_silence, {"check": "check_ntp"}, check_mode=True)
    assert not failed and result["changed"] is True and result["silence"]["id"] == "*:check_ntp"
    assert fake.writes() == []


@pytest.mark.parametrize(
    "args, message",
    [
        ({"client": "web01", "subscription": "linux"}, "Cannot silence client 'web01' and subscription 'linux'"),
        ({"client": "web01", "expire": 0}, "expire must be a positive number of seconds"),
        ({"reason": "why"}, "without a client, a subscription or a check"),
    ],
)
def test_silence_refused_before_anything_is_sent(run, fake, args, message):
    result, failed = run(sensu_silence, args)
    assert failed and message in result["msg"] and fake.calls == []


# --- sensu_check_request ------------------------------------------------------------------------------------------


def test_check_request_sent(run, fake, server):
    server.checks["check_ping"] = {"name": "check_ping", **CHECK}
    args = {"check": "check_ping", "subscribers": ["client:web01"], "reason": "registered", "creator": "ansible"}
    result, failed = run(sensu_check_request, args)
    assert not failed and result["changed"] is True
    assert result["request"] == {**args, "issued": ISSUED}
    assert fake.paths() == ["POST /request"] and PASSWORD not in shown(result)


def test_check_request_check_mode_reads_the_check(run, fake, server):
    server.checks["check_ping"] = {"name": "check_ping", **CHECK}
    result, failed = run(sensu_check_request, {"check": "check_ping"}, check_mode=True)
    assert not failed and result["changed"] is True and result["request"] == {"check": "check_ping"}
    assert fake.paths() == ["GET /checks/check_ping"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_check_request_for_an_unknown_check(run, fake, server, check_mode):
    result, failed = run(sensu_check_request, {"check": "check_ping"}, check_mode=check_mode)
    assert failed and result["msg"].startswith("Cannot request check 'check_ping': Sensu has no such check")
    assert fake.writes() == ([] if check_mode else fake.calls)


# --- sensu_check --------------------------------------------------------------------------------------------------


def test_check_written_then_unchanged(run, tmp_path):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "handlers": ["mail"]}
    result, failed = run(sensu_check, args, connection=False, diff=True)
    path = str(tmp_path / "check_check_http.json")
    assert not failed and result["changed"] is True
    assert result["check"] == {"name": "check_http", "path": path, "definition": {**CHECK, "handlers": ["mail"]}}
    assert result["diff"] == {"before": {}, "after": result["check"]}
    assert (tmp_path / "check_check_http.json").read_text() == render("check_http", result["check"]["definition"])
    assert sorted(os.listdir(tmp_path)) == ["check_check_http.json"]
    again, failed = run(sensu_check, args, connection=False)
    assert not failed and again["changed"] is False and "backup_file" not in again and "warnings" not in again


def test_check_with_custom_attributes_written_then_unchanged(run, tmp_path):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "custom": {"occurrences": 3}}
    result, failed = run(sensu_check, args, connection=False, diff=True)
    path = str(tmp_path / "check_check_http.json")
    assert not failed and result["changed"] is True
    assert result["check"] == {"name": "check_http", "path": path, "definition": {**CHECK, "occurrences": 3}}
    assert result["diff"]["before"] == {}
    assert json.loads((tmp_path / "check_check_http.json").read_text()) == {
        "checks": {"check_http": {**CHECK, "occurrences": 3}}
    }
    assert sorted(os.listdir(tmp_path)) == ["check_check_http.json"]
    again, failed = run(sensu_check, args, connection=False)
    assert not failed and again["changed"] is False and "backup_file" not in again


def test_check_mode_writes_no_file(run, tmp_path):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "mode": "0640"}
    result, failed = run(sensu_check, args, connection=False, check_mode=True)
    assert not failed and result["changed"] is True and os.listdir(tmp_path) == []


def test_check_mode_of_the_file(run, tmp_path):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "mode": "0640"}
    result, failed = run(sensu_check, args, connection=False)
    assert not failed and result["changed"] is True
    assert os.stat(tmp_path / "check_check_http.json").st_mode & 0o777 == 0o640
    again, failed = run(sensu_check, {**args, "mode": "0600"}, connection=False)
    assert not failed and again["changed"] is True
    assert os.stat(tmp_path / "check_check_http.json").st_mode & 0o777 == 0o600


def test_check_update_with_backup_and_warnings(run, tmp_path):
    (tmp_path / "check_check_http.json").write_text(json.dumps({"checks": {"check_http": {**CHECK, "interval": 30}}}))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "checks.json").write_text(json.dumps({"checks": {"check_http": {"interval": 10}}}))
    (tmp_path / "broken.json").write_text("{")
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "backup": True}
    result, failed = run(sensu_check, args, connection=False)
    assert not failed and result["changed"] is True
    backup = result["backup_file"]
    assert backup.startswith(str(tmp_path / "check_check_http.json.")) and os.path.exists(backup)
    assert json.loads(open(backup, encoding="utf-8").read())["checks"]["check_http"]["interval"] == 30
    assert warnings(result) == [
        f"{tmp_path / 'broken.json'} is not valid JSON: Sensu will not load its configuration",
        f"{tmp_path / 'old' / 'checks.json'} defines check 'check_http' too: Sensu merges it into this one",
    ]


def test_check_removed(run, tmp_path):
    (tmp_path / "check_check_http.json").write_text(json.dumps({"checks": {"check_http": CHECK}}))
    result, failed = run(
        sensu_check, {"name": "check_http", "conf_dir": str(tmp_path), "state": "absent"}, connection=False
    )
    assert not failed and result["changed"] is True and result["check"] is None and os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "args, message",
    [
        ({"custom": {"interval": 30}}, "interval set both as an option and in custom"),
        ({"custom": {"notes": "\ud800"}}, "Invalid Sensu check 'check_http': a value cannot be written as JSON ("),
        ({"interval": 0}, "interval must be a whole number of seconds greater than 0"),
        ({"name": "check http"}, "'check http' is not a valid Sensu check name"),
        ({"conf_dir": "/nonexistent/conf.d"}, "conf_dir '/nonexistent/conf.d' is not a directory"),
    ],
)
def test_check_refused_before_anything_is_written(run, tmp_path, args, message):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, **args}
    result, failed = run(sensu_check, args, connection=False)
    assert failed and message in result["msg"] and os.listdir(tmp_path) == []


# --- plan ---------------------------------------------------------------------------------------------------------


def entry(kind: str, name: str, action: str, changes: dict | None = None) -> dict:
    return {"backend": "sensu", "type": kind, "name": name, "action": action, "changes": changes or {}}


def added(**values: object) -> dict:
    return {key: {"before": None, "after": value} for key, value in values.items()}


def planned_twice(run, module, args, **options) -> dict:
    """The task in check mode, then applied: the same plan, ``changed`` exactly when an entry is not ``none``."""
    checked, failed = run(module, args, check_mode=True, **options)
    assert not failed, checked["msg"]
    result, failed = run(module, args, **options)
    assert not failed, result["msg"]
    assert checked["plan"] == result["plan"]
    assert result["changed"] is any(e["action"] != "none" for e in result["plan"]) is checked["changed"]
    return result


def test_client_plan_add_none_change_remove_none_and_no_secret(run, fake, server):
    args = {
        "name": "web01",
        "address": "192.0.2.10",
        "subscriptions": ["linux"],
        "attributes": {"environment": "production", "snmp": {"port": 161}},
        "secret_attributes": {"password": SECRET},
    }
    result = planned_twice(run, sensu_client, args)
    assert result["plan"] == [
        entry(
            "client",
            "web01",
            "add",
            added(
                name="web01",
                address="192.0.2.10",
                subscriptions=["linux"],
                **{"attributes.environment": "production", "attributes.snmp.port": 161},
                **{"attributes.password": "REDACTED"},
            ),
        )
    ]
    assert planned_twice(run, sensu_client, args)["plan"] == [entry("client", "web01", "none")]
    update = {**args, "subscriptions": ["web"], "attributes": {"snmp": {"port": 1161}}}
    assert planned_twice(run, sensu_client, update)["plan"] == [
        entry(
            "client",
            "web01",
            "change",
            {
                "subscriptions": {"before": ["linux"], "after": ["linux", "web"]},
                "attributes.snmp.port": {"before": 161, "after": 1161},
            },
        )
    ]
    gone = {"name": "web01", "state": "absent"}
    assert planned_twice(run, sensu_client, gone)["plan"] == [entry("client", "web01", "remove")]
    assert planned_twice(run, sensu_client, gone)["plan"] == [entry("client", "web01", "none")]
    assert len(fake.writes()) == 3 and SECRET not in shown(result) and not masked(result)


def test_silence_plan_add_none_change_remove_none(run, fake, server):
    args = {"client": "web01", "reason": "kernel update", "expire": 3600}
    silence = "client:web01:*"
    assert planned_twice(run, sensu_silence, args)["plan"] == [
        entry(
            "silence",
            silence,
            "add",
            added(
                id=silence,
                subscription="client:web01",
                reason="kernel update",
                expire_on_resolve=False,
                expire=3600,
            ),
        )
    ]
    server.silences[silence]["expire"] = 3500  # its clock runs: still the declared silence
    assert planned_twice(run, sensu_silence, args)["plan"] == [entry("silence", silence, "none")]
    changed = {**args, "reason": "reboot", "expire_on_resolve": True}
    assert planned_twice(run, sensu_silence, changed)["plan"] == [
        entry(
            "silence",
            silence,
            "change",
            {
                "reason": {"before": "kernel update", "after": "reboot"},
                "expire_on_resolve": {"before": False, "after": True},
            },
        )
    ]
    gone = {"client": "web01", "state": "absent"}
    assert planned_twice(run, sensu_silence, gone)["plan"] == [entry("silence", silence, "remove")]
    assert planned_twice(run, sensu_silence, gone)["plan"] == [entry("silence", silence, "none")]


def test_check_request_plan_is_a_run_with_the_request(run, fake, server):
    server.checks["check_ping"] = {"name": "check_ping", **CHECK}
    args = {"check": "check_ping", "subscribers": ["client:web01"], "reason": "registered"}
    result = planned_twice(run, sensu_check_request, args)
    assert result["plan"] == [
        entry(
            "check request",
            "check_ping on client:web01",
            "run",
            added(check="check_ping", subscribers=["client:web01"], reason="registered"),
        )
    ]
    assert result["request"]["issued"] == ISSUED and fake.paths() == ["GET /checks/check_ping", "POST /request"]


def test_check_plan_has_the_definitions_leaf_changes_and_the_files_attributes(run, tmp_path):
    args = {"name": "check_http", "conf_dir": str(tmp_path), **CHECK, "custom": {"proxy_requests": {"splay": True}}}

    def plan(args: dict) -> list[dict]:
        return planned_twice(run, sensu_check, args, connection=False)["plan"]

    assert plan({**args, "mode": "0640"}) == [
        entry(
            "check",
            "check_http",
            "add",
            added(
                command="check-http.rb",
                subscribers=["web"],
                interval=60,
                **{"proxy_requests.splay": True, "file.mode": "0640"},
            ),
        )
    ]
    assert plan({**args, "mode": "0640"}) == [entry("check", "check_http", "none")]
    update = {**args, "interval": 30, "custom": {"proxy_requests": {"splay": False}, "occurrences": 2}, "mode": "0600"}
    assert plan(update) == [
        entry(
            "check",
            "check_http",
            "change",
            {
                "interval": {"before": 60, "after": 30},
                "proxy_requests.splay": {"before": True, "after": False},
                "occurrences": {"before": None, "after": 2},
                "file.mode": {"before": "0640", "after": "0600"},
            },
        )
    ]
    assert plan({**update, "mode": "0644"}) == [
        entry("check", "check_http", "change", {"file.mode": {"before": "0600", "after": "0644"}})
    ]
    gone = {"name": "check_http", "conf_dir": str(tmp_path), "state": "absent"}
    assert plan(gone) == [entry("check", "check_http", "remove")]
    assert plan(gone) == [entry("check", "check_http", "none")]
