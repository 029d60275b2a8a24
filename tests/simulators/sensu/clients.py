"""The client registry (lib/sensu/api/routes/clients.rb): `/clients`, `/clients/:client`,
`/clients/:client/history`."""

from __future__ import annotations

from typing import Any

from . import processing
from .config import CORE_VERSION
from .protocol import Call, Crash, Reply
from .ruby import dump_json, load_json, rx, to_i, truthy
from .state import State
from .utilities import redact_sensitive
from .validation import MissingValidator, valid_api_client

CLIENTS_URI = rx(r"^/clients$")
CLIENT_URI = rx(r"^/clients/([\w.-]+)$")
CLIENT_HISTORY_URI = rx(r"^/clients/([\w.-]+)/history$")


def post_clients(st: State, call: Call) -> Reply:
    """Create or replace a client (the whole object): `keepalives` false unless given, `version` and `timestamp`
    set, `subscriptions` [] unless given, validated, `client:<name>` added to the subscriptions."""
    client = call.read_data()
    client["keepalives"] = client.get("keepalives", False)
    client["version"] = CORE_VERSION
    client["timestamp"] = st.now()
    if not truthy(client.get("subscriptions")):
        client["subscriptions"] = []
    try:
        valid = valid_api_client(client)
    except MissingValidator as exc:
        raise Crash(str(exc)) from None
    if not valid:
        return Reply(400)
    client["subscriptions"] = list(dict.fromkeys([*client["subscriptions"], f"client:{client['name']}"]))
    st.redis.set(f"client:{client['name']}", dump_json(client))
    st.redis.sadd("clients", client["name"])
    return Reply(201, {"name": client["name"]})


def shown(client: dict[str, Any]) -> Any:
    """A client as the API shows it: redacted with its own `redact` list, else the default keys."""
    return redact_sensitive(client, client.get("redact"))


def get_clients(st: State, call: Call) -> Reply:
    content = []
    for name in call.pagination(st.redis.smembers("clients")):
        client_json = st.redis.get(f"client:{name}")
        if client_json is None:
            st.redis.srem("clients", name)  # "client data missing from registry"
        else:
            content.append(shown(load_json(client_json)))
    return Reply(200, content)


def get_client(st: State, call: Call, name: str) -> Reply:
    client_json = st.redis.get(f"client:{name}")
    return Reply(404) if client_json is None else Reply(200, shown(load_json(client_json)))


def get_client_history(st: State, call: Call, name: str) -> Reply:
    """Per check of the client's results: the last 21 statuses, the last execution and status, the last result."""
    content = []
    for check_name in st.redis.smembers(f"result:{name}"):
        result_key = f"{name}:{check_name}"
        history = [to_i(status) for status in st.redis.lrange(f"history:{result_key}", -21, -1)]
        result_json = st.redis.get(f"result:{result_key}")
        if result_json is None:
            continue
        result = load_json(result_json)
        if history and result.get("executed") is not None:
            content.append(
                {
                    "check": check_name,
                    "history": history,
                    "last_execution": to_i(result["executed"]),
                    "last_status": history[-1],
                    "last_result": result,
                }
            )
    return Reply(200, content)


def delete_client(st: State, call: Call, name: str) -> Reply:
    """202 at once: the client's events are resolved (results with status 0 and `force_resolve`), and the server
    removes the client `delete_delay` seconds later (the source checks at once and then every second, at most five
    times, whether the events are gone) with its events, results and history. `invalidate` (any value) makes the
    client's signature "invalidated" until then, so that its keepalives are refused (its results only once it has
    left the registry: retrieve_client checks a result against the stored client's own `signature` while it is
    there); with `invalidate_expire` (seconds) the signature stays that long after the removal."""
    client_key = f"client:{name}"
    if st.redis.get(client_key) is None:
        return Reply(404)
    invalidate = truthy(call.params.get("invalidate"))
    invalidate_expire = call.integer("invalidate_expire")
    if invalidate:
        st.redis.set(f"{client_key}:signature", "invalidated")
    for event_json in st.redis.hgetall(f"events:{name}").values():
        processing.resolve_event(st, event_json)

    def remove(later: State) -> None:
        later.redis.srem("clients", name)
        later.redis.delete(client_key)
        if invalidate and invalidate_expire is not None:
            later.redis.expire(f"{client_key}:signature", invalidate_expire)
        else:
            later.redis.delete(f"{client_key}:signature")
        later.redis.delete(f"events:{name}")
        for check_name in later.redis.smembers(f"result:{name}"):
            result_key = f"{name}:{check_name}"
            later.redis.delete(f"result:{result_key}", f"history:{result_key}", f"history:{result_key}:last_ok")
        later.redis.delete(f"result:{name}")

    st.later(st.config.delete_delay, f"delete client {name}", remove)
    return Reply(202, {"issued": st.now()})
