"""Check definitions and check requests (lib/sensu/api/routes/{checks,request}.rb): `/checks`, `/checks/:check`,
`/request`. The definitions are the settings' (the configuration directory); the API cannot change them."""

from __future__ import annotations

from typing import Any

from . import agents
from .protocol import Call, Reply, rule
from .ruby import rx, to_s, truthy
from .state import State

CHECKS_URI = rx(r"^/checks$")
CHECK_URI = rx(r"^/checks/([\w.-]+)$")
REQUEST_URI = rx(r"^/request$")
REQUEST_RULES = {
    "check": rule("String", nil_ok=False),
    "subscribers": rule("Array"),
    "reason": rule("String"),
    "creator": rule("String"),
}


def get_checks(st: State, call: Call) -> Reply:
    """The subscription checks (standalone ones left out), each with its name."""
    checks = [
        {**details, "name": name} for name, details in st.checks().items() if not truthy(details.get("standalone"))
    ]
    return Reply(200, call.pagination(checks))


def get_check(st: State, call: Call, name: str) -> Reply:
    details = st.checks().get(name)
    if details is None or truthy(details.get("standalone")):
        return Reply(404)
    return Reply(200, {**details, "name": name})


def delete_check(st: State, call: Call, name: str) -> Reply:
    """The check's results and history of every registered client go (not the `result:<client>` set members, not
    the events, not the definition); 202 for any name, known or not."""
    for client in st.redis.smembers("clients"):
        key = f"{client}:{name}"
        st.redis.delete(f"result:{key}", f"history:{key}", f"history:{key}:last_ok")
    return Reply(202, {"issued": st.now()})


def post_request(st: State, call: Call) -> Reply:
    """Publish a check request (any defined check, standalone ones too): to the given `subscribers`, else the
    check's; `reason` and `creator` go into `api_requested`. The subscribed clients run it at once (agents.py)."""
    data = call.read_data(REQUEST_RULES)
    definition = st.checks().get(data["check"])
    if definition is None:
        return Reply(404)
    check: dict[str, Any] = {**definition, "name": data["check"]}
    if not truthy(check.get("subscribers")):
        check["subscribers"] = []
    if truthy(data.get("subscribers")):
        check["subscribers"] = data["subscribers"]
    check["api_requested"] = {"reason": data.get("reason"), "creator": data.get("creator")}
    issued = st.now()
    record: dict[str, Any] = {
        "check": data["check"],
        "subscribers": [to_s(subscriber) for subscriber in check["subscribers"]],
        "api_requested": check["api_requested"],
        "issued": issued,
        "proxy_requests": truthy(check.get("proxy_requests")),
    }
    if record["proxy_requests"]:
        record["proxied"] = agents.publish_proxy_check_requests(st, check)
    else:
        check["subscribers"] = record["subscribers"]
        record["clients"] = agents.publish_check_request(st, check)
    st.check_requests.append(record)
    return Reply(202, {"issued": issued})
