"""The inventory plugin lighthouse.monitoring.opsview, run by the real ansible-inventory against the Opsview
simulator: groups and host variables, the requests it makes, the cache, and bad input as one line without the
password, also at -vvvv."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    OPSVIEW_PASSWORD,
    OPSVIEW_USER,
    Simulator,
    assert_refused,
    flush_cache,
    group_hosts,
    inventory_json,
    run_inventory,
)

VARIABLE_SECRET = "it-variable-secret-5e9b"  # a credential in a host variable's argument: never a host variable
READ = {"POST /rest/login": 1, "GET /rest/config/host": 1, "GET /rest/config/hostgroup": 1}


def rest(sim: Simulator, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """The simulator's REST API as any client calls it (JSON, the session headers)."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers.update({"X-Opsview-Username": OPSVIEW_USER, "X-Opsview-Token": token})
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{sim.url}/rest{path}", method=method, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())


def login(sim: Simulator) -> str:
    return rest(sim, "POST", "/login", {"username": OPSVIEW_USER, "password": OPSVIEW_PASSWORD})["token"]


@pytest.fixture(scope="module")
def opsview(opsview_simulator: Simulator) -> Iterator[Simulator]:
    """The seeded server with Opsview/Linux/Web, Opsview/Linux/DB and Opsview/Windows/Web (group names are not
    unique), two hashtags, a second monitoring cluster and three hosts besides the seeded host opsview."""
    sim = opsview_simulator
    sim.control("reset", method="POST")
    token = login(sim)

    def create(kind: str, body: dict) -> str:
        return rest(sim, "POST", f"/config/{kind}", body, token)["object"]["id"]

    linux = create("hostgroup", {"name": "Linux", "parent": {"id": 1}})
    web = create("hostgroup", {"name": "Web", "parent": {"id": linux}})
    database = create("hostgroup", {"name": "DB", "parent": {"id": linux}})
    windows = create("hostgroup", {"name": "Windows", "parent": {"id": 1}})
    windows_web = create("hostgroup", {"name": "Web Farm", "parent": {"id": windows}})
    for keyword in ("webfarm", "production"):
        create("keyword", {"name": keyword})
    create("monitoringcluster", {"name": "Collectors FRA"})
    create(
        "host",
        {
            "name": "inv-web1",
            "ip": "192.0.2.11",
            "hostgroup": {"id": web},
            "keywords": [{"name": "webfarm"}, {"name": "production"}],
            "hosttemplates": [{"name": "OS - Unix Base"}, {"name": "Application - HTTP"}],
            "hostattributes": [
                {"name": "DISK", "value": "/"},
                {"name": "VSPHERE_CREDENTIALS", "value": "vc1", "arg1": "svc-vsphere", "arg2": VARIABLE_SECRET},
            ],
        },
    )
    create(
        "host",
        {
            "name": "inv-db1",
            "ip": "inv-db1.example.com",
            "hostgroup": {"id": database},
            "monitored_by": {"name": "Collectors FRA"},
        },
    )
    create(
        "host",
        {
            "name": "inv-iis1",
            "ip": "2001:db8::11",
            "hostgroup": {"id": windows_web},
            "keywords": [{"name": "webfarm"}],
            "hosttemplates": [{"name": "OS - Windows Base"}],
        },
    )
    yield sim
    sim.control("reset", method="POST")  # as the other tests expect it: the seeded server


def inventory(
    tmp_path: Path, sim: Simulator, *args: str, env: dict | None = None, extra: str = "", **options: Any
) -> subprocess.CompletedProcess:
    """``ansible-inventory -i <tmp>/x.opsview.yml <args>``, the file with the connection and ``options`` (an option
    set to None is left out), then the YAML ``extra``; the OPSVIEW_* environment variables only from ``env``."""
    config = {"server_url": sim.url, "username": OPSVIEW_USER, "password": OPSVIEW_PASSWORD, **options}
    lines = [f"{key}: {json.dumps(value)}" for key, value in config.items() if value is not None]  # JSON is YAML
    unset = dict.fromkeys(("OPSVIEW_URL", "OPSVIEW_USERNAME", "OPSVIEW_PASSWORD", "OPSVIEW_TOKEN"), "")
    return run_inventory(sim, tmp_path, "\n".join(lines) + "\n" + extra, *args, env={**unset, **(env or {})})


def requests(sim: Simulator) -> dict[str, int]:
    return sim.control("request_counts")


def test_list_groups_by_nested_host_groups_keywords_clusters_and_templates_in_three_requests(opsview, tmp_path):
    opsview.control("request_counts", method="DELETE")
    listing = inventory_json(inventory(tmp_path, opsview, "--list"))
    assert requests(opsview) == READ
    assert group_hosts(listing, "hostgroup_Linux_Web") == ["inv-web1"]
    assert group_hosts(listing, "hostgroup_Linux_DB") == ["inv-db1"]
    assert sorted(listing["hostgroup_Linux"]["children"]) == ["hostgroup_Linux_DB", "hostgroup_Linux_Web"]
    assert group_hosts(listing, "hostgroup_Windows_Web_Farm") == ["inv-iis1"]
    assert group_hosts(listing, "hostgroup_Monitoring_Servers") == ["opsview"]
    assert "hostgroup_Opsview" not in listing
    assert group_hosts(listing, "keyword_webfarm") == ["inv-iis1", "inv-web1"]
    assert group_hosts(listing, "keyword_production") == ["inv-web1"]
    assert group_hosts(listing, "monitored_by_Collectors_FRA") == ["inv-db1"]
    assert group_hosts(listing, "monitored_by_Master_Monitoring_Server") == ["inv-iis1", "inv-web1", "opsview"]
    assert group_hosts(listing, "template_Application___HTTP") == ["inv-web1"]
    variables = listing["_meta"]["hostvars"]
    assert sorted(variables["inv-web1"].pop("opsview_keywords")) == ["production", "webfarm"]
    assert variables["inv-web1"] == {
        "ansible_host": "192.0.2.11",
        "opsview_id": variables["inv-web1"]["opsview_id"],
        "opsview_alias": "",
        "opsview_hostgroup": "Opsview/Linux/Web",
        "opsview_monitored_by": "Master Monitoring Server",
        "opsview_templates": ["OS - Unix Base", "Application - HTTP"],
        "opsview_parents": [],
        "opsview_variables": ["DISK", "VSPHERE_CREDENTIALS"],
    }
    assert variables["inv-db1"]["ansible_host"] == "inv-db1.example.com"
    assert variables["inv-iis1"]["ansible_host"] == "2001:db8::11"
    assert VARIABLE_SECRET not in json.dumps(listing) and "svc-vsphere" not in json.dumps(listing)


def test_graph_shows_the_host_group_tree(opsview, tmp_path):
    run = inventory(tmp_path, opsview, "--graph", group_by=["hostgroup"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == (
        "@all:\n"
        "  |--@ungrouped:\n"
        "  |--@hostgroup_Linux:\n"
        "  |  |--@hostgroup_Linux_DB:\n"
        "  |  |  |--inv-db1\n"
        "  |  |--@hostgroup_Linux_Web:\n"
        "  |  |  |--inv-web1\n"
        "  |--@hostgroup_Windows:\n"
        "  |  |--@hostgroup_Windows_Web_Farm:\n"
        "  |  |  |--inv-iis1\n"
        "  |--@hostgroup_Monitoring_Servers:\n"
        "  |  |--opsview\n"
    )


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"hostgroup": "Opsview/Linux"}, ["inv-db1", "inv-web1"]),
        ({"keywords": ["webfarm"]}, ["inv-iis1", "inv-web1"]),
        ({"keywords": ["webfarm", "production"]}, ["inv-web1"]),
        ({"monitored_by": ["Collectors FRA"]}, ["inv-db1"]),
        ({"hostgroup": "Opsview/Windows", "keywords": ["webfarm"]}, ["inv-iis1"]),
    ],
)
def test_filters_in_the_source(opsview, tmp_path, options, kept):
    listing = inventory_json(inventory(tmp_path, opsview, "--list", **options))
    assert sorted(listing["_meta"]["hostvars"]) == kept


def test_constructed_options_apply(opsview, tmp_path):
    listing = inventory_json(
        inventory(
            tmp_path,
            opsview,
            "--list",
            group_by=[],
            compose={"ansible_user": "'web' if 'webfarm' in opsview_keywords else 'ops'"},
            keyed_groups=[{"key": "opsview_monitored_by", "prefix": "cluster"}],
        )
    )
    assert listing["_meta"]["hostvars"]["inv-iis1"]["ansible_user"] == "web"
    assert listing["_meta"]["hostvars"]["inv-db1"]["ansible_user"] == "ops"
    assert group_hosts(listing, "cluster_Collectors_FRA") == ["inv-db1"]


def test_a_session_token_instead_of_the_password_spares_the_login(opsview, tmp_path):
    token = login(opsview)
    opsview.control("request_counts", method="DELETE")
    run = inventory(tmp_path, opsview, "--list", password=None, env={"OPSVIEW_TOKEN": token})
    assert "inv-web1" in inventory_json(run)["_meta"]["hostvars"]
    assert requests(opsview) == {"GET /rest/config/host": 1, "GET /rest/config/hostgroup": 1}
    assert token not in (run.stdout + run.stderr)


def test_the_connection_from_the_modules_environment_variables(opsview, tmp_path):
    run = inventory(tmp_path, opsview, "--list", server_url=None, username=None, password=None, env=opsview.env)
    assert sorted(inventory_json(run)["_meta"]["hostvars"]) == ["inv-db1", "inv-iis1", "inv-web1", "opsview"]


def test_a_vaulted_password(opsview, tmp_path):
    vault_password = tmp_path / "vault-password"
    vault_password.write_text("vault-password-8d1f\n")
    vaulted = subprocess.run(
        ["ansible-vault", "encrypt_string", "--vault-password-file", str(vault_password), OPSVIEW_PASSWORD],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    run = inventory(
        tmp_path,
        opsview,
        "--list",
        "--vault-password-file",
        str(vault_password),
        password=None,
        extra=f"password: {vaulted}",
    )
    assert "inv-web1" in inventory_json(run)["_meta"]["hostvars"]
    assert OPSVIEW_PASSWORD not in (tmp_path / "x.opsview.yml").read_text()


def test_the_cache_spares_every_request_and_keeps_no_secret(opsview, tmp_path):
    cache = tmp_path / "cache"
    options = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache)}
    opsview.control("request_counts", method="DELETE")
    first = inventory_json(inventory(tmp_path, opsview, "--list", **options))
    assert requests(opsview) == READ
    opsview.control("request_counts", method="DELETE")
    second = inventory_json(inventory(tmp_path, opsview, "--list", **options, keywords=["production"]))
    assert requests(opsview) == {}  # the filters apply to the cached hosts
    assert sorted(second["_meta"]["hostvars"]) == ["inv-web1"] and "inv-db1" in first["_meta"]["hostvars"]
    cached = "".join(path.read_text() for path in cache.iterdir())
    assert "inv-web1" in cached
    assert OPSVIEW_PASSWORD not in cached and VARIABLE_SECRET not in cached and "svc-vsphere" not in cached
    inventory_json(inventory(tmp_path, opsview, "--list", *flush_cache(cache), **options))
    assert requests(opsview) == READ


WRONG_PASSWORD = "it-wrong-password-0c7a"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "wrong password",
            "Opsview inventory {source}: Failed to log in as 'automation': 401 Invalid username or password - check "
            "username and password (a token expires an hour after its last use)",
        ),
        (
            "unreachable",
            "Opsview inventory {source}: Failed to log in as 'automation' to list the hosts: cannot connect",
        ),
        (
            "invalid filter",
            "Opsview inventory {source}: the filter keywords cannot match 'web farm': a hashtag's name is letters, "
            "digits, _ and - (without #)",
        ),
        (
            "filter below the top",
            "Opsview inventory {source}: the filter hostgroup 'Linux' cannot match: a path starts with the top host "
            "group 'Opsview', as in Opsview/Linux",
        ),
        ("no password", "Opsview inventory {source}: the connection needs a password (or a session token)"),
    ],
)
@pytest.mark.parametrize("verbosity", [[], ["-vvvv"]])
def test_bad_input_fails_in_one_line_without_traceback_or_password(opsview, tmp_path, case, message, verbosity):
    options: dict[str, Any] = {
        "wrong password": {"password": WRONG_PASSWORD},
        "unreachable": {"server_url": "http://127.0.0.1:9", "timeout": 5},
        "invalid filter": {"keywords": ["web farm"]},
        "filter below the top": {"hostgroup": "Linux"},
        "no password": {"password": None},
    }[case]
    opsview.control("request_counts", method="DELETE")
    run = inventory(tmp_path, opsview, "--list", *verbosity, **options)
    assert_refused(
        run, message.format(source=tmp_path / "x.opsview.yml"), (OPSVIEW_PASSWORD, WRONG_PASSWORD), verbosity
    )
    if case in ("invalid filter", "no password"):
        assert requests(opsview) == {}  # refused before anything is sent
