"""Sensu check definitions as files: Sensu's validator rules, the canonical text, and the file resource through the
sync engine on a temporary configuration directory (backups, the final move, warnings about other files)."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import MonitoringError, ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.check import (
    CheckFile,
    FileOps,
    check_definition,
    render,
    validate_definition,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Outcome, sync

NAME = "check_http"
DEFINITION = {"command": "check-http.rb -u http://localhost/health", "subscribers": ["web"], "interval": 60}
CANONICAL = """{
  "checks": {
    "check_http": {
      "command": "check-http.rb -u http://localhost/health",
      "interval": 60,
      "subscribers": [
        "web"
      ]
    }
  }
}
"""


class Recorder:
    """FileOps callables that note what they were called with and what the file held at that moment."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def backup(self, path: str) -> str:
        with open(path, encoding="utf-8") as handle:
            self.events.append(("backup", path, handle.read()))
        return f"{path}.1234.2026-12-01@10:00:00~"

    def move(self, source: str, target: str) -> None:
        self.events.append(("move", source, target))
        os.replace(source, target)


def declare(
    conf_dir: str,
    definition: dict | None = None,
    *,
    state: str = "present",
    check_mode: bool = False,
    ops: FileOps | None = None,
) -> Outcome:
    """What sensu_check does."""
    resource = CheckFile(str(conf_dir), NAME, ops=ops)
    desired = {"name": NAME, "path": resource.path}
    if state == "present":
        desired["definition"] = DEFINITION if definition is None else definition
    return sync(resource, state, desired, check_mode=check_mode)


def listing(conf_dir: object) -> list[str]:
    return sorted(os.listdir(str(conf_dir)))


# --- the validator ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "definition, problem",
    [
        ({"subscribers": ["web"], "interval": 60}, "give either command or extension (not both)"),
        ({**DEFINITION, "extension": "ext"}, "give either command or extension (not both)"),
        ({**DEFINITION, "command": 5}, "command must be a string"),
        ({**DEFINITION, "command": None}, "give either command or extension (not both); command must be a string"),
        ({**DEFINITION, "cron": 5}, "cron must be a string"),
        ({**DEFINITION, "source": ["web01"]}, "source must be a string"),
        ({**DEFINITION, "handler": ["mail"]}, "handler must be a string"),
        ({**DEFINITION, "publish": "yes"}, "publish must be true or false"),
        ({**DEFINITION, "standalone": 1}, "standalone must be true or false"),
        ({**DEFINITION, "stdin": "true"}, "stdin must be true or false"),
        ({**DEFINITION, "interval": 0}, "interval must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "interval": -60}, "interval must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "interval": "60"}, "interval must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "interval": True}, "interval must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "interval": 1.5}, "interval must be a whole number of seconds greater than 0"),
        ({"command": "c", "subscribers": ["web"]}, "(or set cron, or publish: false)"),
        ({"command": "c", "interval": 60}, "subscribers must be a list of subscription names (or set standalone"),
        ({**DEFINITION, "subscribers": "web"}, "subscribers must be a list of subscription names"),
        ({**DEFINITION, "subscribers": ["web", ""]}, "subscribers must be a list of subscription names"),
        ({**DEFINITION, "subscribers": ["web", 1]}, "subscribers must be a list of subscription names"),
        ({**DEFINITION, "standalone": False, "subscribers": None}, "subscribers must be a list"),
        ({**DEFINITION, "handlers": "mail"}, "handlers must be a list of handler names"),
        ({**DEFINITION, "handlers": [""]}, "handlers must be a list of handler names"),
        ({**DEFINITION, "timeout": "10"}, "timeout must be a number of seconds"),
        ({**DEFINITION, "timeout": True}, "timeout must be a number of seconds"),
        ({**DEFINITION, "ttl": 0}, "ttl must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "ttl": 1.5}, "ttl must be a whole number of seconds greater than 0"),
        ({**DEFINITION, "ttl_status": "2"}, "ttl_status must be a whole number"),
        ({**DEFINITION, "low_flap_threshold": 20}, "low_flap_threshold and high_flap_threshold go together"),
        ({**DEFINITION, "high_flap_threshold": 60}, "low_flap_threshold and high_flap_threshold go together"),
        (
            {**DEFINITION, "low_flap_threshold": 20, "high_flap_threshold": "60"},
            "each a whole number (percent)",
        ),
        ({**DEFINITION, "aggregates": ["web servers"]}, "aggregates must be a list of names"),
        ({**DEFINITION, "aggregates": "web"}, "aggregates must be a list of names"),
        ({**DEFINITION, "aggregate": "web servers"}, "aggregate must be true or a name"),
        ({**DEFINITION, "aggregate": 5}, "aggregate must be true or a name"),
    ],
)
def test_invalid_definitions(definition, problem):
    with pytest.raises(ValidationError) as error:
        validate_definition(NAME, definition)
    assert str(error.value).startswith(f"Invalid Sensu check '{NAME}': ")
    assert problem in str(error.value)


def test_every_problem_is_named_in_one_line():
    with pytest.raises(ValidationError) as error:
        validate_definition(NAME, {})
    assert str(error.value) == (
        "Invalid Sensu check 'check_http': give either command or extension (not both); interval must be a whole "
        "number of seconds greater than 0 (or set cron, or publish: false); subscribers must be a list of "
        "subscription names (or set standalone: true)"
    )


@pytest.mark.parametrize(
    "definition",
    [
        DEFINITION,
        {"extension": "check_ext", "subscribers": ["web"], "interval": 60},
        {"command": "c", "subscribers": ["web"], "cron": "*/5 * * * *"},
        {"command": "c", "subscribers": ["web"], "publish": False},
        {"command": "c", "standalone": True, "interval": 60},
        {"command": "c", "subscribers": [], "interval": 60},
        {**DEFINITION, "timeout": 1.5, "ttl": 120, "ttl_status": 2, "handlers": ["mail", "slack"]},
        {**DEFINITION, "low_flap_threshold": 20, "high_flap_threshold": 60},
        {**DEFINITION, "aggregates": ["web|eu:1.x-y"], "aggregate": True},
        {**DEFINITION, "aggregate": "web_servers"},
        {**DEFINITION, "aggregate": False},
        {**DEFINITION, "occurrences": 3, "refresh": 1800, "subdue": {"days": {}}},
    ],
)
def test_valid_definitions(definition):
    validate_definition(NAME, definition)


def test_check_definition_takes_the_set_options_and_custom():
    options = {"command": "c", "subscribers": ["web"], "interval": 60, "cron": None, "handlers": None, "backup": True}
    assert check_definition(NAME, options, {"occurrences": 3}) == {
        "command": "c",
        "subscribers": ["web"],
        "interval": 60,
        "occurrences": 3,
    }
    assert check_definition(NAME, options, None) == {"command": "c", "subscribers": ["web"], "interval": 60}


@pytest.mark.parametrize(
    "name, custom, message",
    [
        (
            NAME,
            {"interval": 30, "command": "d", "occurrences": 3},
            "Invalid Sensu check 'check_http': command, interval set both as an option and in custom",
        ),
        (NAME, {"name": "other"}, "Invalid Sensu check 'check_http': the check's name is its key, not an attribute"),
        (NAME, {"ttl": 0}, "Invalid Sensu check 'check_http': ttl must be a whole number of seconds greater than 0"),
        ("check http", None, "Cannot write a Sensu check: 'check http' is not a valid Sensu check name"),
        ("../check", None, "'../check' is not a valid Sensu check name"),
        ("chéck", None, "'chéck' is not a valid Sensu check name"),
    ],
)
def test_check_definition_refuses(name, custom, message):
    with pytest.raises(ValidationError) as error:
        check_definition(name, {"command": "c", "subscribers": ["web"], "interval": 60}, custom)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "options, custom",
    [
        ({"command": "echo \ud800"}, None),  # a lone surrogate: no UTF-8 for it
        ({}, {"notes": {"text": "\udcff"}}),
        ({}, {"tags": {"a", "b"}}),  # no JSON for a set
        ({}, {"when": object()}),
    ],
)
def test_check_definition_refuses_what_cannot_be_written_as_json(options, custom):
    options = {"command": "c", "subscribers": ["web"], "interval": 60, **options}
    with pytest.raises(ValidationError) as error:
        check_definition(NAME, options, custom)
    assert str(error.value).startswith("Invalid Sensu check 'check_http': a value cannot be written as JSON (")
    assert "\n" not in str(error.value)


def test_render_is_one_canonical_text():
    reordered = {"subscribers": ["web"], "interval": 60, "command": DEFINITION["command"]}
    assert render(NAME, DEFINITION) == CANONICAL
    assert render(NAME, reordered) == CANONICAL
    assert render("c", {"command": "echo Prüfung"}) == (
        '{\n  "checks": {\n    "c": {\n      "command": "echo Prüfung"\n    }\n  }\n}\n'
    )


# --- the file -----------------------------------------------------------------------------------------------------


def test_conf_dir_must_be_a_directory(tmp_path):
    plain = tmp_path / "conf.d"
    plain.write_text("")
    for conf_dir in (str(plain), str(tmp_path / "missing")):
        with pytest.raises(ValidationError) as error:
            CheckFile(conf_dir, NAME)
        assert str(error.value) == (
            f"Cannot write Sensu check 'check_http': conf_dir {conf_dir!r} is not a directory (Sensu's configuration "
            "directory, /etc/sensu/conf.d by default)"
        )


def test_the_name_is_checked_before_it_becomes_a_path(tmp_path):
    with pytest.raises(ValidationError, match="not a valid Sensu check name"):
        CheckFile(str(tmp_path), "../etc/passwd")


def test_read(tmp_path):
    resource = CheckFile(str(tmp_path), NAME)
    assert resource.path == str(tmp_path / "check_check_http.json")
    assert resource.read() is None
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    assert resource.read() == {"name": NAME, "path": resource.path, "definition": DEFINITION}


@pytest.mark.parametrize(
    "content",
    [
        {"checks": {NAME: DEFINITION, "check_ntp": DEFINITION}},
        {"checks": {NAME: DEFINITION}, "handlers": {"mail": {"type": "pipe"}}},
        {"checks": {"check_ntp": DEFINITION}},
        {"checks": [DEFINITION]},
        {"client": {"name": "web01"}},
        [DEFINITION],
        "text",
    ],
)
def test_a_file_with_other_settings_is_refused(tmp_path, content):
    (tmp_path / "check_check_http.json").write_text(json.dumps(content))
    with pytest.raises(ValidationError) as error:
        declare(tmp_path)
    assert str(error.value) == (
        f"Cannot manage Sensu check 'check_http': {str(tmp_path / 'check_check_http.json')!r} holds other settings "
        "than this check alone; move them to another file"
    )
    assert json.loads((tmp_path / "check_check_http.json").read_text()) == content


@pytest.mark.parametrize("text", ["", "{", "{'checks': {}}", '{"checks": {}} trailing'])
def test_a_file_that_is_not_json_is_refused_in_one_line(tmp_path, text):
    (tmp_path / "check_check_http.json").write_text(text)
    with pytest.raises(ValidationError) as error:
        CheckFile(str(tmp_path), NAME).read()
    message = str(error.value)
    assert message.startswith(f"Cannot read Sensu check file {str(tmp_path / 'check_check_http.json')!r}: ")
    assert message.endswith("; fix or remove it") and "\n" not in message


def test_a_new_check_is_written_in_the_canonical_form(tmp_path):
    outcome = declare(tmp_path)
    path = str(tmp_path / "check_check_http.json")
    assert (tmp_path / "check_check_http.json").read_text() == CANONICAL
    assert outcome.changed and outcome.before is None
    assert outcome.after == {"name": NAME, "path": path, "definition": DEFINITION}
    assert listing(tmp_path) == ["check_check_http.json"]
    again = declare(tmp_path)
    assert not again.changed and again.after == outcome.after


def test_check_mode_writes_nothing(tmp_path):
    outcome = declare(tmp_path, check_mode=True)
    assert outcome.changed and outcome.after["definition"] == DEFINITION and listing(tmp_path) == []
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    assert declare(tmp_path, {**DEFINITION, "interval": 30}, check_mode=True).changed
    assert declare(tmp_path, state="absent", check_mode=True).changed
    assert (tmp_path / "check_check_http.json").read_text() == CANONICAL


def test_a_hand_formatted_file_with_the_same_content_is_left_as_it_is(tmp_path):
    command = DEFINITION["command"]
    text = '{"checks":{"check_http":{"subscribers":["web"],"interval":60,\n"command":"' + command + '"}}}'
    (tmp_path / "check_check_http.json").write_text(text)
    outcome = declare(tmp_path)
    assert not outcome.changed and (tmp_path / "check_check_http.json").read_text() == text


def test_the_definition_is_compared_and_written_whole(tmp_path):
    (tmp_path / "check_check_http.json").write_text(render(NAME, {**DEFINITION, "occurrences": 3}))
    outcome = declare(tmp_path)
    assert outcome.changed and outcome.before["definition"]["occurrences"] == 3
    assert (tmp_path / "check_check_http.json").read_text() == CANONICAL


def test_an_update_backs_up_before_it_replaces_and_moves_with_ops(tmp_path):
    old = render(NAME, {**DEFINITION, "interval": 30})
    (tmp_path / "check_check_http.json").write_text(old)
    recorder = Recorder()
    ops = FileOps(backup=recorder.backup, move=recorder.move)
    outcome = declare(tmp_path, ops=ops)
    path = str(tmp_path / "check_check_http.json")
    (backup, move) = recorder.events
    assert backup == ("backup", path, old)  # the old content: before the replacement
    assert move[0] == "move" and move[2] == path
    assert os.path.dirname(move[1]) == str(tmp_path) and os.path.basename(move[1]).startswith(".check_check_http.")
    assert move[1].endswith(".tmp")  # never *.json: Sensu does not read the half-written file
    assert ops.backups == [f"{path}.1234.2026-12-01@10:00:00~"]
    assert outcome.changed and (tmp_path / "check_check_http.json").read_text() == CANONICAL
    assert listing(tmp_path) == ["check_check_http.json"]


def test_a_new_file_has_nothing_to_back_up(tmp_path):
    recorder = Recorder()
    ops = FileOps(backup=recorder.backup, move=recorder.move)
    declare(tmp_path, ops=ops)
    assert [e[0] for e in recorder.events] == ["move"] and ops.backups == []


def test_delete_backs_up_before_it_removes(tmp_path):
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    recorder = Recorder()
    ops = FileOps(backup=recorder.backup, move=recorder.move)
    outcome = declare(tmp_path, state="absent", ops=ops)
    assert recorder.events == [("backup", str(tmp_path / "check_check_http.json"), CANONICAL)]
    assert outcome.changed and outcome.after is None and listing(tmp_path) == []
    assert len(ops.backups) == 1
    assert not declare(tmp_path, state="absent", ops=ops).changed and len(recorder.events) == 1


def test_delete_without_backup(tmp_path):
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    assert declare(tmp_path, state="absent").changed and listing(tmp_path) == []


def test_a_failed_move_leaves_no_temporary_file_and_the_old_file(tmp_path):
    old = render(NAME, {**DEFINITION, "interval": 30})
    (tmp_path / "check_check_http.json").write_text(old)

    def refused(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(MonitoringError) as error:
        declare(tmp_path, ops=FileOps(move=refused))
    assert str(error.value) == (
        f"Cannot write Sensu check file {str(tmp_path / 'check_check_http.json')!r}: Permission denied"
    )
    assert listing(tmp_path) == ["check_check_http.json"]
    assert (tmp_path / "check_check_http.json").read_text() == old


def test_a_directory_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    def full(*args: object, **kwargs: object) -> tuple:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.mkstemp", full)
    with pytest.raises(MonitoringError, match="^Cannot write Sensu check file .*: No space left on device$"):
        declare(tmp_path)
    assert listing(tmp_path) == []


def test_text_that_cannot_be_written_leaves_no_temporary_file(tmp_path):
    with pytest.raises(MonitoringError) as error:
        declare(tmp_path, {**DEFINITION, "command": "echo \ud800"})
    assert str(error.value).startswith(
        f"Cannot write Sensu check file {str(tmp_path / 'check_check_http.json')!r}: 'utf-8' codec can't encode"
    )
    assert "\n" not in str(error.value)
    assert listing(tmp_path) == []


def test_text_that_cannot_be_written_leaves_the_old_file(tmp_path):
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    with pytest.raises(MonitoringError, match="^Cannot write Sensu check file "):
        declare(tmp_path, {**DEFINITION, "command": "echo \ud800"})
    assert listing(tmp_path) == ["check_check_http.json"]
    assert (tmp_path / "check_check_http.json").read_text() == CANONICAL


def test_others_warns_about_the_same_check_elsewhere_and_invalid_json(tmp_path):
    (tmp_path / "check_check_http.json").write_text(CANONICAL)
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "old.json").write_text(json.dumps({"checks": {NAME: {"interval": 10}}}))
    (tmp_path / "nested" / "other.json").write_text(json.dumps({"checks": {"check_ntp": DEFINITION}}))
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "list.json").write_text("[]")
    (tmp_path / "notes.txt").write_text("{")
    (tmp_path / "check_check_http.json.1234.2026-12-01@10:00:00~").write_text("{")
    (tmp_path / ".check_check_http.abc.tmp").write_text("{")
    resource = CheckFile(str(tmp_path), NAME)
    assert resource.others() == [
        f"{tmp_path / 'broken.json'} is not valid JSON: Sensu will not load its configuration",
        f"{tmp_path / 'nested' / 'deeper' / 'old.json'} defines check 'check_http' too: Sensu merges it into this one",
    ]


def test_others_is_empty_for_a_directory_of_other_checks(tmp_path):
    (tmp_path / "check_ntp.json").write_text(render("check_ntp", DEFINITION))
    declare(tmp_path)
    assert CheckFile(str(tmp_path), NAME).others() == []
