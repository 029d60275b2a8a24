"""Every simulated endpoint, on success and error paths, with each request and response checked against
the OpenAPI document of the api_version the simulator runs as."""

from __future__ import annotations

import base64
from typing import Any

from checkmk_contract import Contract

FOLDERS = "/domain-types/folder_config/collections/all"
HOSTS = "/domain-types/host_config/collections/all"
BULK_CREATE = "/domain-types/host_config/actions/bulk-create/invoke"
BULK_UPDATE = "/domain-types/host_config/actions/bulk-update/invoke"
BULK_DELETE = "/domain-types/host_config/actions/bulk-delete/invoke"
PENDING = "/domain-types/activation_run/collections/pending_changes"


def test_success_scenario_validates_against_each_version(version: str) -> None:
    c = Contract(version)
    assert c.expect("GET", "/version", 200).headers["X-Checkmk-Version"].startswith(version)
    c.expect("GET", "/domain-types/site_connection/collections/all", 200)
    # 2.5 declares the site_id path parameter with `content: application/json`, so a plain id (what
    # Checkmk takes) does not decode for the spec: a defect of that document, not of the simulator.
    c.expect("GET", "/objects/site_connection/remote1", 200, spec_rejects=version == "2.5")

    attributes = {"tag_criticality": "prod", "labels": {"os": "linux"}}
    c.expect("POST", FOLDERS, 200, body={"title": "Linux", "parent": "~", "attributes": attributes})
    prod = {"name": "prod", "title": "Prod", "parent": "/linux/", "attributes": {"site": "remote1"}}
    c.expect("POST", FOLDERS, 200, body=prod)
    c.expect("GET", FOLDERS, 200, query={"parent": "~linux", "recursive": "true", "show_hosts": "true"})
    linux = c.expect("GET", "/objects/folder_config/~linux", 200, query={"show_hosts": "true"})
    update = {"title": "Linux servers", "update_attributes": {"tag_networking": "dmz"}}
    c.expect("PUT", "/objects/folder_config/~linux", 200, body=update, headers={"If-Match": linux.headers["ETag"]})

    host = {"host_name": "web01", "folder": "~linux~prod", "attributes": {"ipaddress": "192.0.2.10", "alias": "Web"}}
    web01 = c.expect("POST", HOSTS, 200, body=host)
    c.expect("GET", "/objects/host_config/web01", 200, query={"effective_attributes": "true"})
    update = {"update_attributes": {"tag_agent": "no-agent", "labels": {"role": "web"}}}
    web01 = c.expect("PUT", "/objects/host_config/web01", 200, body=update, headers={"If-Match": web01.headers["ETag"]})
    c.expect("GET", HOSTS, 200)
    c.expect("GET", HOSTS, 200, query={"effective_attributes": "true", "include_links": "true"})
    c.expect("GET", "/objects/folder_config/~linux~prod/collections/hosts", 200)
    move = {"target_folder": "~linux"}
    c.expect("POST", "/objects/host_config/web01/actions/move/invoke", 200, body=move, headers={"If-Match": "*"})

    entries = [
        {"host_name": "db01", "folder": "/"},
        {"host_name": "db02", "folder": "~linux", "attributes": {"parents": ["web01"]}},
    ]
    c.expect("POST", BULK_CREATE, 200, body={"entries": entries})
    entries = [
        {"host_name": "db01", "attributes": {"alias": "DB"}},
        {"host_name": "db02", "remove_attributes": ["parents"]},
    ]
    c.expect("PUT", BULK_UPDATE, 200, body={"entries": entries})
    etag = c.expect("GET", "/objects/folder_config/~linux~prod", 200).headers["ETag"]
    move_prod = "/objects/folder_config/~linux~prod/actions/move/invoke"
    c.expect("POST", move_prod, 200, body={"destination": "~"}, headers={"If-Match": etag})
    c.expect("POST", BULK_DELETE, 204, body={"entries": ["db01", "db02"]})
    c.expect("DELETE", "/objects/host_config/web01", 204)
    c.expect("DELETE", "/objects/folder_config/~prod", 204, query={"delete_mode": "abort_on_nonempty"})
    c.expect("DELETE", "/objects/folder_config/~linux", 204)

    actions = [change["action_name"] for change in c.expect("GET", PENDING, 200).json["value"]]
    assert actions == [
        *["new-folder"] * 2, "edit-folder", "create-host", "edit-host", "move-host", *["create-host"] * 2,
        *["edit-host"] * 2, "move-folder", *["delete-host"] * 3, *["delete-folder"] * 2,
    ]  # fmt: skip


def test_host_list_filters_of_2_4(api24: Contract) -> None:
    api24.expect("POST", BULK_CREATE, 200, body={"entries": [{"host_name": f"h{i}", "folder": "/"} for i in range(3)]})
    api24.expect("PUT", BULK_UPDATE, 200, body={"entries": [{"host_name": "h2", "attributes": {"site": "remote1"}}]})
    listed = api24.expect("GET", HOSTS, 200, query=[("hostnames", "h0"), ("hostnames", "h2"), ("hostnames", "nope")])
    assert [host["id"] for host in listed.json["value"]] == ["h0", "h2"]
    assert [host["id"] for host in api24.expect("GET", HOSTS, 200, query={"site": "remote1"}).json["value"]] == ["h2"]


def test_authentication_and_negotiation_errors(api24: Contract) -> None:
    def problem(status: int, **request: Any) -> dict[str, Any]:
        return dict(api24.expect("GET", "/version", status, **request).json)

    basic = "Basic " + base64.b64encode(b"automation:wrong").decode()
    for authorization, detail in [
        (None, "Couldn't log in."),
        ("Bearer automation wrong", "Wrong credentials (Bearer header)"),
        ("Bearer automation", "No user/password combination in Bearer token."),
        (basic, "Wrong credentials (Basic header)"),
        ("Basic !!", "Not a valid Basic token."),
    ]:
        body = problem(
            401, headers={"Authorization": authorization}, undeclared="auth", spec_rejects=authorization is None
        )
        assert body == {"title": "Unauthorized", "status": 401, "detail": detail}
    assert problem(406, headers={"Accept": None})["detail"] == "Please specify an Accept Header."
    assert problem(406, headers={"Accept": "text/html"})["title"] == "Not Acceptable"

    host = {"host_name": "web01", "folder": "/"}
    no_type = api24.expect("POST", HOSTS, 415, body=host, headers={"Content-Type": None}, spec_rejects=True)
    assert no_type.json["detail"] == "No content-type specified. Possible value is: application/json"
    wrong_type = api24.expect("POST", HOSTS, 415, body=host, headers={"Content-Type": "text/plain"}, spec_rejects=True)
    assert wrong_type.json["detail"] == "Content-Type 'text/plain' not supported for this endpoint."
    api24.expect("POST", HOSTS, 400, body=b"{not json", spec_rejects=True)
    api24.expect("GET", "/no/such/endpoint", 404, undeclared="routing", spec_rejects=True)
    api24.expect("PATCH", "/version", 405, undeclared="routing", spec_rejects=True)


def test_field_errors_and_quirks(api24: Contract) -> None:
    c = api24
    c.expect("POST", FOLDERS, 200, body={"title": "Linux", "parent": "~"})
    c.expect("POST", HOSTS, 200, body={"host_name": "web01", "folder": "~linux", "attributes": {"alias": "Web"}})

    bad_name = c.expect("POST", HOSTS, 400, body={"host_name": "web\n01", "folder": "/"}, spec_rejects=True)
    assert bad_name.json["fields"] == {"host_name": ["'web\\n01' does not match pattern '^[-0-9a-zA-Z_.]+\\\\Z'."]}
    exists = c.expect("POST", HOSTS, 400, body={"host_name": "web01", "folder": "/"})
    assert exists.json == {
        "title": "Bad Request",
        "status": 400,
        "detail": "These fields have problems: host_name",
        "fields": {"host_name": ["Host 'web01' already exists."]},
    }
    parent = c.expect("POST", FOLDERS, 400, body={"title": "X", "parent": "~nope"})
    assert parent.json["fields"] == {"parent": ["The folder '~nope' could not be found."]}
    again = c.expect("POST", FOLDERS, 400, body={"name": "linux", "title": "Again", "parent": "~"})
    assert again.json["title"] == "A problem occurred."
    c.expect("GET", HOSTS, 400, query={"effective_attributes": "maybe"}, spec_rejects=True)
    missing = c.expect("GET", "/objects/host_config/nohost", 404)
    assert missing.json["fields"] == {"host_name": ["Host not found: 'nohost'"]}
    c.expect("GET", "/objects/folder_config/~nope", 404)

    two = {"attributes": {"alias": "x"}, "remove_attributes": ["alias"]}
    two_actions = c.expect("PUT", "/objects/host_config/web01", 400, body=two, headers={"If-Match": "*"})
    assert two_actions.json["fields"]["_schema"][0].startswith("This endpoint only allows 1 action (set/update/remove)")
    removed = c.expect(
        "PUT",
        "/objects/host_config/web01",
        400,
        body={"remove_attributes": ["alias", "nope"]},
        headers={"If-Match": "*"},
    )
    assert removed.json["title"] == "Some attributes were not removed"
    assert "alias" not in c.expect("GET", "/objects/host_config/web01", 200).json["extensions"]["attributes"]
    not_there = {"remove_attributes": ["nope"]}
    folder = c.expect("PUT", "/objects/folder_config/~linux", 400, body=not_there, headers={"If-Match": "*"})
    assert folder.json["detail"].endswith("could thereforenot be removed: nope")


def test_etag_and_precondition_errors(api24: Contract) -> None:
    c = api24
    c.expect("POST", FOLDERS, 200, body={"title": "Linux", "parent": "~"})
    c.expect("POST", HOSTS, 200, body={"host_name": "web01", "folder": "/"})
    update = {"update_attributes": {"alias": "x"}}
    for path in ["/objects/host_config/web01", "/objects/folder_config/~linux"]:
        required = c.expect("PUT", path, 428, body=update if "host" in path else {}, spec_rejects=True)
        assert required.json["title"] == "Precondition required"
        for stale in ['"0123"', '"*"', 'W/"x"']:
            failed = c.expect("PUT", path, 412, body={}, headers={"If-Match": stale})
            assert failed.json["title"] == "Precondition failed"
    c.expect(
        "POST",
        "/objects/host_config/web01/actions/move/invoke",
        428,
        body={"target_folder": "~linux"},
        spec_rejects=True,
    )
    move = {"destination": "~"}
    c.expect("POST", "/objects/folder_config/~linux/actions/move/invoke", 412, body=move, headers={"If-Match": '"0"'})


def test_move_delete_and_bulk_errors(api24: Contract) -> None:
    c = api24
    for body in [{"title": "Linux", "parent": "~"}, {"title": "Prod", "parent": "~linux"}]:
        c.expect("POST", FOLDERS, 200, body=body)
    c.expect(
        "POST",
        BULK_CREATE,
        200,
        body={"entries": [{"host_name": "a", "folder": "~linux"}, {"host_name": "b", "folder": "/"}]},
    )

    any_etag = {"If-Match": "*"}
    same = c.expect(
        "POST", "/objects/host_config/a/actions/move/invoke", 400, body={"target_folder": "/linux"}, headers=any_etag
    )
    assert same.json == {
        "title": "Invalid move action",
        "status": 400,
        "detail": "The host is already part of the specified target folder",
    }
    nowhere = {"target_folder": "~nowhere"}
    c.expect("POST", "/objects/host_config/a/actions/move/invoke", 400, body=nowhere, headers=any_etag)
    move_folder = "/objects/folder_config/{}/actions/move/invoke"
    root = c.expect("POST", move_folder.format("~"), 400, body={"destination": "~linux"}, headers=any_etag)
    assert root.json["detail"] == "You can't move the root folder."
    for folder, destination in [
        ("~linux", "~linux"),
        ("~linux", "~linux~prod"),
        ("~linux~prod", "~linux"),
        ("~linux", "~nope"),
    ]:
        error = c.expect("POST", move_folder.format(folder), 400, body={"destination": destination}, headers=any_etag)
        assert error.json["title"] in {"Problem moving folder.", "Bad Request"}

    root_delete = c.expect("DELETE", "/objects/folder_config/~", 401)
    assert root_delete.json == {
        "title": "Problem deleting folder.",
        "status": 401,
        "detail": "Deleting the root folder is not permitted.",
    }
    c.expect("DELETE", "/objects/folder_config/~linux", 409, query={"delete_mode": "abort_on_nonempty"})

    entries = [
        {"host_name": "a", "update_attributes": {"alias": "A"}},
        {"host_name": "b", "remove_attributes": ["alias"]},
    ]
    partial = c.expect("PUT", BULK_UPDATE, 400, body={"entries": entries})
    assert partial.json["title"] == "Some actions failed"
    assert partial.json["ext"]["failed_hosts"] == {"b": "Failed to remove alias"}
    assert [host["id"] for host in partial.json["ext"]["succeeded_hosts"]["value"]] == ["a"]
    assert c.expect("GET", "/objects/host_config/a", 200).json["title"] == "A"
    twice = c.expect(
        "POST",
        BULK_CREATE,
        400,
        body={"entries": [{"host_name": "c", "folder": "/"}, {"host_name": "c", "folder": "~linux"}]},
    )
    assert twice.json["ext"]["failed_hosts"].keys() == {"c"}
    unknown = c.expect("POST", BULK_DELETE, 400, body={"entries": ["a", "nope"]})
    assert unknown.json["fields"] == {"entries": {"1": ["Host not found: 'nope'"]}}
    c.expect("POST", BULK_CREATE, 400, body={"entries": [{"host_name": "a", "folder": "/"}]})
