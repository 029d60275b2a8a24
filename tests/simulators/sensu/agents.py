"""The sensu-clients, as far as the API can tell (lib/sensu/client/process.rb): live clients registered by the
tests send keepalives (their client settings, redacted, with version and timestamp) when told to, and every client in
the registry runs the check requests published to its subscriptions at once, with a simulated result: status 0 and
the output "<check> OK: simulated execution" (safe-mode clients: status 3, "Check is not locally defined (safe
mode)"; unmatched client tokens: status 3, as sensu-client). Nothing runs on a schedule."""

from __future__ import annotations

import copy
from typing import Any

from . import processing
from .config import CORE_VERSION
from .ruby import load_json, split, to_s, truthy, uniq
from .state import State
from .utilities import attributes_match, object_substitute_tokens, redact_sensitive


def client_settings(definition: dict[str, Any]) -> dict[str, Any]:
    """A sensu-client's client settings after its overrides (Loader#load_client_overrides): `client:<name>` among
    the subscriptions, when they are a list."""
    client = copy.deepcopy(definition)
    if not truthy(client.get("subscriptions")):
        client["subscriptions"] = []
    if isinstance(client["subscriptions"], list):
        client["subscriptions"] = uniq([*client["subscriptions"], f"client:{to_s(client.get('name'))}"])
    return client


def keepalive(st: State, client: dict[str, Any]) -> bool:
    """One keepalive of a client with these settings; answers whether the registry took it."""
    payload = {**client, "version": CORE_VERSION, "timestamp": st.now()}
    return processing.update_client_registry(st, redact_sensitive(payload, client.get("redact")))


def keepalives(st: State, names: list[str] | None = None) -> dict[str, list[str]]:
    """The live clients (or those named) send a keepalive: which the registry took and which it refused."""
    outcome: dict[str, list[str]] = {"registered": [], "refused": []}
    for name, client in st.live_clients.items():
        if names is None or name in names:
            outcome["registered" if keepalive(st, client) else "refused"].append(name)
    return outcome


def registry(st: State) -> list[dict[str, Any]]:
    clients = []
    for name in st.redis.smembers("clients"):
        client_json = st.redis.get(f"client:{name}")
        if client_json is not None:
            clients.append(load_json(client_json))
    return clients


def subscribed(st: State, subscription: str) -> list[dict[str, Any]]:
    """The clients a check request to `subscription` reaches: all subscribers of a fanout subscription, one of a
    `roundrobin:` or `direct:` one (a shared queue)."""
    clients = [client for client in registry(st) if subscription in (client.get("subscriptions") or [])]
    parts = split(subscription, ":")
    direct = len(parts) > 1 and parts[0] in ("direct", "roundrobin")
    return clients[:1] if direct else clients


def execute(st: State, client: dict[str, Any], request: dict[str, Any]) -> dict[str, Any] | None:
    """`client` runs the check request: its result goes to the server. Answers the event made, if any."""
    check = copy.deepcopy(request)
    if truthy(client.get("safe_mode")):
        check.update(output="Check is not locally defined (safe mode)", status=3, handle=False, executed=st.now())
    else:
        substituted, unmatched = object_substitute_tokens(check, client)
        check = {**substituted, "command": check.get("command")}
        check["executed"] = st.now()
        if unmatched:
            check.update(output="Unmatched client token(s): " + ", ".join(unmatched), status=3, handle=False)
        else:
            check.update(duration=0.0, output=f"{check['name']} OK: simulated execution\n", status=0)
    if check.get("source") == "":
        del check["source"]
    result: dict[str, Any] = {"client": client["name"], "check": check}
    if truthy(client.get("signature")):
        result["signature"] = client["signature"]
    return processing.process_check_result(st, result)


def publish_check_request(st: State, check: dict[str, Any]) -> list[str]:
    """The API publishes a check request to each subscription; the subscribed clients run it. Answers the names of
    the clients that ran it (one per client and request)."""
    payload = {key: value for key, value in check.items() if key not in ("subscribers", "interval")}
    payload["issued"] = st.now()
    ran: list[str] = []
    for subscription in check.get("subscribers") or []:
        for client in subscribed(st, to_s(subscription)):
            if client["name"] not in ran:
                ran.append(client["name"])
                execute(st, client, payload)
    return ran


def publish_proxy_check_requests(st: State, check: dict[str, Any]) -> list[str]:
    """A check with `proxy_requests`: one request per registered client matching `client_attributes` (tokens
    substituted, `source` the client's name), run by the subscribed clients. Answers the proxied clients."""
    attributes = check["proxy_requests"].get("client_attributes") or {}
    proxied: list[str] = []
    if not attributes:
        return proxied
    for client in registry(st):
        if not attributes_match(client, attributes):
            continue
        proxy_check, unmatched = object_substitute_tokens(copy.deepcopy(check), client)
        if unmatched:
            continue
        if not truthy(proxy_check.get("source")):
            proxy_check["source"] = client["name"]
        if publish_check_request(st, proxy_check):
            proxied.append(client["name"])
    return proxied
