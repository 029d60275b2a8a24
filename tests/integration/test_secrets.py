"""The API secret never shows: every module at -vvvv, in check mode with diff and for real, on success and on
failure; nowhere in stdout, stderr, return values or diffs (the registered results are printed too). For Opsview:
neither the password nor a session token, the one a task is given or the one a module gets by logging in. For
openITCOCKPIT: the API key, sent with every request. For Sensu: the API's password, and a client's secret attribute
(written to the server, never shown). The plan (the callback lighthouse.monitoring.plan) is printed and written
as JSON and Markdown in every run, and checked too."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OITC_API_KEY,
    OPSVIEW_PASSWORD,
    OPSVIEW_USER,
    SECRET,
    SENSU_PASSWORD,
    Simulator,
    run_playbook,
    write_play,
)

# One call per module, made twice: as given (it succeeds, or in check mode may fail for a host that check mode
# did not create), and against a site that does not exist (the server answers with an error), so the secret
# has been sent before the task fails.
CALLS = {
    "checkmk_folder": "path: /secrets",
    "checkmk_host": "name: secret1\n        folder: /secrets",
    "checkmk_hosts": "hosts: [{name: secret2, folder: /secrets}]",
    "checkmk_discovery": "host_name: secret1",
    "checkmk_activation": "force_foreign_changes: false",
    "checkmk_downtime": "host_name: secret1\n        comment: Secret test\n        end_time: +1h",
}

TASK = """\
    - name: {module} {label}
      lighthouse.monitoring.{module}:
        {args}
      register: result_{index}
      ignore_errors: true

    - name: Show what {module} returned
      ansible.builtin.debug:
        var: result_{index}
"""


# Opsview: each module as given (it logs in with the password), given a session token (and the password to log in
# again), and failing after it logged in: refused by the server, or by the library once it has read.
OPSVIEW_CALLS = {
    "opsview_hostgroup": ("path: Opsview/Secrets", "path: Opsview/Monitoring Servers/Below"),
    "opsview_host": (
        "name: secret1\n        ip: 192.0.2.5\n        hostgroup: Opsview/Secrets",
        "name: secret1\n        ip: 192.0.2.5\n        hostgroup: Opsview/Secrets\n        templates: [Nope]",
    ),
    "opsview_hosts": (
        "hosts: [{name: secret2, ip: 192.0.2.6, hostgroup: Opsview/Secrets}]",
        "hosts: [{name: secret2, ip: 192.0.2.6, hostgroup: Opsview/Secrets, templates: [Nope]}]",
    ),
    "opsview_reload": ("wait_timeout: 30", "wait_timeout: 30\n        username: nobody"),
    "opsview_downtime": (
        "host_name: opsview\n        comment: Secret test\n        end_time: +1h",
        "host_name: nosuch\n        comment: Secret test\n        end_time: +1h",
    ),
}
# openITCOCKPIT: each module as given, and refused by the library after it read, or by the server.
OITC_CALLS = {
    "openitcockpit_container": ("path: /root/Secrets", "path: /root/Secrets/Town\n        type: nonsense"),
    "openitcockpit_host": (
        "name: secret1\n        address: 192.0.2.5\n        container: /root\n        host_template: default host",
        "name: secret1\n        address: 192.0.2.5\n        container: /root\n        host_template: Nope",
    ),
    "openitcockpit_export": (
        "create_backup: false",
        "create_backup: false\n        force: true\n        wait_timeout: 0.001",
    ),
    "openitcockpit_downtime": (
        "host_name: secret1\n        comment: Secret test\n        end_time: +1h",
        "host_name: nosuch\n        comment: Secret test\n        end_time: +1h",
    ),
}
# Sensu: each module that talks to the API as given, and refused: by the library after it read (a new client needs an
# address), before anything is sent (a client and a subscription at once), or by the server (an unknown check).
SENSU_CLIENT_SECRET = "it-sensu-client-secret-0f7d3a"
SENSU_SECRET_ATTRIBUTES = (
    "\n        secret_attributes:"
    "\n          password: \"{{ lookup('ansible.builtin.env', 'SECRETS_TEST_CLIENT_SECRET') }}\""
)
SENSU_CALLS = {
    "sensu_client": (
        "name: secret1\n        address: 192.0.2.5" + SENSU_SECRET_ATTRIBUTES,
        "name: secret2" + SENSU_SECRET_ATTRIBUTES,
    ),
    "sensu_silence": (
        "client: secret1\n        reason: Secret test\n        expire: 3600",
        "client: secret1\n        subscription: linux",
    ),
    "sensu_check_request": ("check: check_secret", "check: nosuch"),
}
GIVEN_TOKEN = "\n        token: \"{{ lookup('ansible.builtin.env', 'SECRETS_TEST_TOKEN') }}\""
SESSION_TOKEN = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")  # as Opsview (and the simulator) make them


def play_for(check_mode: bool, calls: dict | None = None, *, token: bool = True) -> str:
    tasks = []
    if calls is None:
        for index, (module, given) in enumerate(CALLS.items()):
            bad = given + "\n        site: nosuchsite"
            for label, args, suffix in (("as given", given, "a"), ("on a site that does not exist", bad, "b")):
                tasks.append(TASK.format(module=module, label=label, args=args, index=f"{index}{suffix}"))
    else:
        for index, (module, (given, bad)) in enumerate(calls.items()):
            variants = [("as given", given), ("refused", bad)]
            if token:
                variants.insert(1, ("given a session token", given + GIVEN_TOKEN))
            for suffix, (label, args) in zip("abc", variants, strict=False):
                tasks.append(TASK.format(module=module, label=label, args=args, index=f"{index}{suffix}"))
    header = (
        "    - name: Check mode with diff\n      check_mode: true\n      diff: true\n      block:\n"
        if check_mode
        else ""
    )
    body = "".join(tasks)
    if check_mode:
        body = "\n".join(("    " + line if line.strip() else line) for line in body.splitlines()) + "\n"
    return header + body


def plan_env(tmp_path) -> dict[str, str]:
    """The plan callback on, with its JSON and Markdown files and every unchanged object listed; and each result
    with its ``invocation`` (the arguments, secrets masked), which ansible-core 2.21 adds only when asked to (older
    releases always do and do not know the setting)."""
    return {
        "ANSIBLE_INJECT_INVOCATION": "true",
        "ANSIBLE_CALLBACKS_ENABLED": "lighthouse.monitoring.plan",
        "LIGHTHOUSE_PLAN_JSON": str(tmp_path / "plan.json"),
        "LIGHTHOUSE_PLAN_MARKDOWN": str(tmp_path / "plan.md"),
        "LIGHTHOUSE_PLAN_SHOW_UNCHANGED": "true",
    }


def printed_with_plan(result, tmp_path) -> str:
    """What Ansible printed, the plan at its end, and the plan's files."""
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert "\nPLAN " in result.output and plan["entries"], result.output[-3000:]  # the plan shows objects
    return result.output + json.dumps(plan) + (tmp_path / "plan.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-diff", "apply"])
def test_the_secret_never_shows(simulator, tmp_path, check_mode):
    simulator.control("reset", method="POST")
    play = write_play(tmp_path / "play.yml", tasks=play_for(check_mode))
    env = {**simulator.env, **plan_env(tmp_path)}
    result = run_playbook(play, env, "-vvvv", *([] if check_mode else ["--diff"]))
    printed = printed_with_plan(result, tmp_path)
    assert result.rc == 0, result.output[-6000:]
    failed = result.output.count("...ignoring")
    # In check mode, discovery of a host it cannot find does not fail (an earlier task may create it): both of
    # its calls succeed there.
    assert failed >= len(CALLS) - 2 * check_mode, result.output[-6000:]  # the failures did happen
    assert "api_secret" in result.output  # the option is there, masked
    leaks = printed.count(SECRET)
    assert leaks == 0, f"the API secret shows {leaks} times in what Ansible printed at -vvvv"  # never the value
    assert "Callback dispatch" not in result.output  # every diff is one Ansible's callbacks can show


def login(simulator: Simulator) -> str:
    """A session token of the test's own, as another tool would get it."""
    body = json.dumps({"username": OPSVIEW_USER, "password": OPSVIEW_PASSWORD}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    request = urllib.request.Request(f"{simulator.url}/rest/login", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())["token"]


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-diff", "apply"])
def test_neither_the_opsview_password_nor_a_token_shows(opsview_simulator, tmp_path, check_mode):
    opsview_simulator.control("reset", method="POST")
    token = login(opsview_simulator)
    play = write_play(tmp_path / "play.yml", tasks=play_for(check_mode, OPSVIEW_CALLS))
    env = {**opsview_simulator.env, "SECRETS_TEST_TOKEN": token, **plan_env(tmp_path)}
    result = run_playbook(play, env, "-vvvv", *([] if check_mode else ["--diff"]))
    printed = printed_with_plan(result, tmp_path)
    assert result.rc == 0, result.output[-6000:]
    assert result.output.count("...ignoring") >= len(OPSVIEW_CALLS), result.output[-6000:]  # the failures happened
    masked = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert f'"password": "{masked}"' in result.output and f'"token": "{masked}"' in result.output  # there, masked
    assert opsview_simulator.control("state")["tokens"] >= 2, "the modules did not log in"
    leaks = {
        "the password": printed.count(OPSVIEW_PASSWORD),
        "the given token": printed.count(token),
        "a session token": len(SESSION_TOKEN.findall(printed)),
    }
    assert leaks == dict.fromkeys(leaks, 0), f"shown in what Ansible printed at -vvvv: {leaks}"
    assert "Callback dispatch" not in result.output


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-diff", "apply"])
def test_the_openitcockpit_api_key_never_shows(openitcockpit_simulator, tmp_path, check_mode):
    openitcockpit_simulator.control("reset", method="POST")
    play = write_play(tmp_path / "play.yml", tasks=play_for(check_mode, OITC_CALLS, token=False))
    env = {**openitcockpit_simulator.env, **plan_env(tmp_path)}
    result = run_playbook(play, env, "-vvvv", *([] if check_mode else ["--diff"]))
    printed = printed_with_plan(result, tmp_path)
    assert result.rc == 0, result.output[-6000:]
    assert result.output.count("...ignoring") >= len(OITC_CALLS), result.output[-6000:]  # the failures happened
    assert '"api_key": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in result.output  # there, masked
    requests = openitcockpit_simulator.control("request_counts")
    assert sum(requests.values()) > len(OITC_CALLS), requests  # the key was sent
    leaks = printed.count(OITC_API_KEY)
    assert leaks == 0, f"the API key shows {leaks} times in what Ansible printed at -vvvv"
    assert "Callback dispatch" not in result.output


@pytest.mark.parametrize("check_mode", [True, False], ids=["check-diff", "apply"])
def test_the_sensu_secrets_never_show(sensu_simulator, tmp_path, check_mode):
    sensu_simulator.control("reset", method="POST")
    conf_dir = tmp_path / "conf.d"
    conf_dir.mkdir()
    check = {"command": "true", "subscribers": ["linux"], "interval": 60}
    (conf_dir / "check_secret.json").write_text(json.dumps({"checks": {"check_secret": check}}), encoding="utf-8")
    assert sensu_simulator.control("reload", method="POST", body={"conf_dir": str(conf_dir)})["ok"]
    play = write_play(tmp_path / "play.yml", tasks=play_for(check_mode, SENSU_CALLS, token=False))
    env = {**sensu_simulator.env, "SECRETS_TEST_CLIENT_SECRET": SENSU_CLIENT_SECRET, **plan_env(tmp_path)}
    result = run_playbook(play, env, "-vvvv", *([] if check_mode else ["--diff"]))
    printed = printed_with_plan(result, tmp_path)
    assert result.rc == 0, result.output[-6000:]
    assert result.output.count("...ignoring") >= len(SENSU_CALLS), result.output[-6000:]  # the failures happened
    masked = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    secret_attributes = re.compile(r'"secret_attributes": \{\s*"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"')
    assert f'"password": "{masked}"' in result.output and secret_attributes.search(result.output)  # there, masked
    requests = sensu_simulator.control("request_counts")
    assert sum(requests.values()) > len(SENSU_CALLS), requests  # the password was sent
    if not check_mode:  # the secret was written, as given
        clients = {client["name"]: client for client in sensu_simulator.control("state")["clients"]}
        assert clients["secret1"]["password"] == SENSU_CLIENT_SECRET, clients
    leaks = {
        "the password": printed.count(SENSU_PASSWORD),
        "the client's secret attribute": printed.count(SENSU_CLIENT_SECRET),
    }
    assert leaks == dict.fromkeys(leaks, 0), f"shown in what Ansible printed at -vvvv: {leaks}"
    assert "Callback dispatch" not in result.output
