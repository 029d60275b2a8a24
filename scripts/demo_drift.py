#!/usr/bin/env python
"""Change the demo's monitoring behind the playbook's back, as a colleague would by hand: edit one host, delete
another. Part of `make demo` (scripts/demo.sh): the check-mode run after it must show exactly these two as drift.

    python scripts/demo_drift.py BACKEND

BACKEND is checkmk, opsview, openitcockpit or sensu; the connection comes from the variables scripts/with_simulator.py
sets (the same the modules read). web01.shop.example gets another alias (description, address) and
web02.shop.example is deleted. Only the standard library: this is what any script against the API could do.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.parse
import urllib.request
from typing import Any

EDITED, DELETED = "web01.shop.example", "web02.shop.example"
BY_HAND = "Frontend 1 (edited by hand)"


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[Any, dict]:
    """One request; the JSON answer (or None) and the answer's headers. Fails loudly on any HTTP error."""
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the simulator, or a server the user names
        text = answer.read()
        return (json.loads(text) if text.strip() else None), dict(answer.headers)


def checkmk() -> None:
    base = f"{os.environ['CHECKMK_SERVER_URL'].rstrip('/')}/{os.environ['CHECKMK_SITE']}/check_mk/api/1.0"
    auth = {"Authorization": f"Bearer {os.environ['CHECKMK_API_USER']} {os.environ['CHECKMK_API_SECRET']}"}
    _host, headers = call("GET", f"{base}/objects/host_config/{EDITED}", headers=auth)
    call(
        "PUT",
        f"{base}/objects/host_config/{EDITED}",
        {"update_attributes": {"alias": BY_HAND}},
        {**auth, "If-Match": headers["ETag"]},
    )
    call("DELETE", f"{base}/objects/host_config/{DELETED}", headers=auth)


def opsview() -> None:
    base = f"{os.environ['OPSVIEW_URL'].rstrip('/')}/rest"
    login = {"username": os.environ["OPSVIEW_USERNAME"], "password": os.environ["OPSVIEW_PASSWORD"]}
    token, _headers = call("POST", f"{base}/login", login)
    auth = {"X-Opsview-Username": login["username"], "X-Opsview-Token": token["token"]}
    for name in (EDITED, DELETED):
        query = urllib.parse.urlencode({"json_filter": json.dumps({"name": name})})
        found, _headers = call("GET", f"{base}/config/host?{query}", headers=auth)
        host_id = found["list"][0]["id"]
        if name == EDITED:
            call("PUT", f"{base}/config/host/{host_id}", {"alias": BY_HAND}, auth)
        else:
            call("DELETE", f"{base}/config/host/{host_id}", headers=auth)


def openitcockpit() -> None:
    base = os.environ["OITC_URL"].rstrip("/")
    auth = {"Authorization": f"X-OITC-API {os.environ['OITC_API_KEY']}"}
    for name in (EDITED, DELETED):
        query = urllib.parse.urlencode({"angular": "true", "filter[Hosts.name]": name})
        found, _headers = call("GET", f"{base}/hosts/loadHostsByString.json?{query}", headers=auth)
        host_id = next(h["key"] for h in found["hosts"] if h["value"] == name)
        if name == EDITED:
            form, _headers = call("GET", f"{base}/hosts/edit/{host_id}.json?angular=true", headers=auth)
            host = {**form["host"]["Host"], "description": BY_HAND}
            call("POST", f"{base}/hosts/edit/{host_id}.json?angular=true", {"Host": host}, auth)
        else:
            call("POST", f"{base}/hosts/delete/{host_id}.json?angular=true", {}, auth)


def sensu() -> None:
    base = os.environ["SENSU_API_URL"].rstrip("/")
    auth = {}
    if os.environ.get("SENSU_API_USER"):
        pair = f"{os.environ['SENSU_API_USER']}:{os.environ.get('SENSU_API_PASSWORD', '')}".encode()
        auth = {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}
    client, _headers = call("GET", f"{base}/clients/{EDITED}", headers=auth)
    call("POST", f"{base}/clients", {**client, "address": "192.0.2.111"}, auth)  # Sensu replaces a client whole
    call("DELETE", f"{base}/clients/{DELETED}", headers=auth)


def main() -> int:
    backends = {"checkmk": checkmk, "opsview": opsview, "openitcockpit": openitcockpit, "sensu": sensu}
    if len(sys.argv) != 2 or sys.argv[1] not in backends:
        print(__doc__, file=sys.stderr)
        return 2
    backends[sys.argv[1]]()
    print(f"demo_drift: {sys.argv[1]}: {EDITED} edited, {DELETED} deleted, by hand through the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
