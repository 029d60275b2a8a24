"""What sensu-server does with what reaches it through the transport (lib/sensu/server/process.rb), at once:
keepalives update the client registry (client signatures honoured), check results are stored with their history,
aggregated, and create, update or resolve events (silencing marked, `expire_on_resolve` silences removed). Handlers,
mutators, filters and extensions are not run. Also the API's side of publishing a check result
(lib/sensu/api/utilities/{publish_check_result,resolve_event}.rb)."""

from __future__ import annotations

import uuid
from typing import Any

from .config import CORE_VERSION
from .ruby import dump_json, equal, is_integer, load_json, to_i, truthy
from .state import State

STANDARD_CHECK_TYPE = "standard"
METRIC_CHECK_TYPE = "metric"


def publish_check_result(st: State, client_name: str, check: dict[str, Any]) -> dict[str, Any] | None:
    """The API publishes a result for `client_name` (with the client's registered signature, if any); the server
    processes it. Answers the event it made, if any."""
    check["issued"] = st.now()
    check["executed"] = st.now()
    if not truthy(check.get("status")):
        check["status"] = 0
    payload: dict[str, Any] = {"client": client_name, "check": check}
    signature = st.redis.get(f"client:{client_name}:signature")
    if signature is not None:
        payload["signature"] = signature
    return process_check_result(st, payload)


def resolve_event(st: State, event_json: str) -> None:
    """A result with status 0 and `force_resolve` for the event's client and check."""
    event = load_json(event_json)
    check = {**event["check"], "output": "Resolving on request of the API", "status": 0, "force_resolve": True}
    check.pop("history", None)
    publish_check_result(st, event["client"]["name"], check)


def is_ok(check: dict[str, Any]) -> bool:
    """`check[:status] == 0` (0.0 too)."""
    return equal(check.get("status"), 0)


# --- Clients -----------------------------------------------------------------------------------------------------


def update_client_registry(st: State, client: dict[str, Any]) -> bool:
    """A keepalive (or a client made for a result): stored unless the registry holds another signature for it
    (an invalidated client's is "invalidated")."""
    client_key = f"client:{client['name']}"
    client["subscriptions"] = list(dict.fromkeys([*client["subscriptions"], client_key]))
    signature_key = f"{client_key}:signature"
    st.redis.setnx(signature_key, client.get("signature"))
    signature = st.redis.get(signature_key)
    if not signature and truthy(client.get("signature")):
        st.redis.set(signature_key, client["signature"])
    if not signature or client.get("signature") == signature:
        st.redis.set(client_key, dump_json(client))
        st.redis.sadd("clients", client["name"])
        return True
    return False


def create_client(st: State, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "address": "unknown",
        "subscriptions": [f"client:{name}"],
        "keepalives": False,
        "version": CORE_VERSION,
        "timestamp": st.now(),
    }


def retrieve_client(st: State, result: dict[str, Any]) -> dict[str, Any] | None:
    """The result's client (its check's `source`, else its `client`): from the registry if the signatures agree,
    else made (a proxy client for a source) unless a signature is registered that the result lacks."""
    name = result["check"].get("source") or result["client"]
    client_json = st.redis.get(f"client:{name}")
    if client_json is not None:
        client: dict[str, Any] = load_json(client_json)
        if truthy(client.get("signature")) and client["signature"] != result.get("signature"):
            return None
        return client
    signature = st.redis.get(f"client:{name}:signature")
    if signature and result.get("signature") != signature:
        return None
    client = create_client(st, name)
    if truthy(result["check"].get("source")):
        client["type"] = "proxy"
    update_client_registry(st, client)
    return client


# --- Results -----------------------------------------------------------------------------------------------------


def process_check_result(st: State, result: dict[str, Any]) -> dict[str, Any] | None:
    """Store the result, update the event registry; answers the event (None: no client, or no event made)."""
    client = retrieve_client(st, result)
    if client is None:
        return None
    definitions = st.checks()
    name = result["check"].get("name")
    if name in definitions and not truthy(result["check"].get("standalone")):
        check = {**definitions[name], **result["check"]}
    else:
        check = dict(result["check"])
    if not truthy(check.get("type")):
        check["type"] = STANDARD_CHECK_TYPE
    if truthy(check.get("source")):
        check["origin"] = result["client"]
    if check.get("name") in definitions and client.get("type") == "proxy":
        check["command"] = definitions[check["name"]].get("command")
    if truthy(check.get("aggregates")) or truthy(check.get("aggregate")):
        aggregate_check_result(st, client, check)
    store_check_result(st, client, check)
    event = create_event(st, client, check)
    return event if update_event_registry(st, event) else None


def aggregate_check_result(st: State, client: dict[str, Any], check: dict[str, Any]) -> None:
    own = check["aggregate"] if isinstance(check.get("aggregate"), str) else check["name"]
    names = check["aggregates"] if truthy(check.get("aggregates")) else own
    for aggregate in names if isinstance(names, list) else [names]:
        st.redis.sadd(f"aggregates:{aggregate}", f"{client['name']}:{check['name']}")
        st.redis.sadd("aggregates", aggregate)


def truncate_check_output(check: dict[str, Any]) -> dict[str, Any]:
    """Metric checks and `truncate_output` ones keep the first line, at most `truncate_output_length` (255) + 1
    characters (Ruby's inclusive range), marked with "\\n..."."""
    metric = check.get("type") == METRIC_CHECK_TYPE and check.get("truncate_output") is not False
    if not (truthy(check.get("truncate_output")) or metric) or not isinstance(check.get("output"), str):
        return check
    lines = check["output"].split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    output = lines[0] if lines else check["output"]
    length = check.get("truncate_output_length", 255)
    if len(lines) > 1 or len(output) > length:
        output = output[: length + 1] + "\n..."
    return {**check, "output": output}


def store_check_result(st: State, client: dict[str, Any], check: dict[str, Any]) -> None:
    result_key = f"{client['name']}:{check['name']}"
    history_key = f"history:{result_key}"
    st.redis.sadd(f"result:{client['name']}", check["name"])
    st.redis.set(f"result:{result_key}", dump_json(truncate_check_output(check)))
    if truthy(check.get("ttl")):
        st.redis.sadd("ttl", result_key)
    st.redis.rpush(history_key, check.get("status"))
    st.redis.ltrim(history_key, -21, -1)
    if is_ok(check):
        st.redis.set(f"{history_key}:last_ok", check.get("executed", st.now()))


def check_history(st: State, client: dict[str, Any], check: dict[str, Any]) -> tuple[list[str], int, int | None]:
    """The last 21 statuses, the total state change (Nagios' flap detection weights) and the last OK execution."""
    history_key = f"history:{client['name']}:{check['name']}"
    history = st.redis.lrange(history_key, -21, -1)
    total_state_change = 0
    if len(history) >= 21:
        changes, weight, previous = 0.0, 0.8, history[0]
        for status in history:
            if status != previous:
                changes += weight
            weight += 0.02
            previous = status
        total_state_change = int(changes / 20 * 100)
    last_ok = st.redis.get(f"{history_key}:last_ok")
    return history, total_state_change, to_i(last_ok) if last_ok is not None else None


def check_flapping(stored_event: dict[str, Any] | None, check: dict[str, Any]) -> bool:
    low, high = check.get("low_flap_threshold"), check.get("high_flap_threshold")
    if "low_flap_threshold" not in check or "high_flap_threshold" not in check:
        return False
    if not (is_integer(low) and is_integer(high)):
        return False
    if stored_event is not None and stored_event.get("action") == "flapping":
        return bool(check["total_state_change"] > low)
    return bool(check["total_state_change"] >= high)


def create_event(st: State, client: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    history, total_state_change, last_ok = check_history(st, client, check)
    check["history"] = history
    check["total_state_change"] = total_state_change
    event_json = st.redis.hget(f"events:{client['name']}", check["name"])
    stored = load_json(event_json) if event_json is not None else None
    flapping = check_flapping(stored, check)
    event: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "client": client,
        "check": check,
        "occurrences": 1,
        "occurrences_watermark": 1,
        "last_ok": last_ok,
        "action": "flapping" if flapping else "create",
        "timestamp": st.now(),
    }
    if stored is not None:
        event["id"] = stored.get("id")
        event["last_state_change"] = stored.get("last_state_change")
        event["occurrences"] = stored.get("occurrences")
        event["occurrences_watermark"] = stored.get("occurrences_watermark") or event["occurrences"]
    if not is_ok(check) or flapping:
        if len(history) >= 2 and history[-1] == history[-2]:
            event["occurrences"] = (event["occurrences"] or 0) + 1
            if event["occurrences"] > (event["occurrences_watermark"] or 0):
                event["occurrences_watermark"] = event["occurrences"]
        else:
            event["occurrences"] = 1
            event["last_state_change"] = event["timestamp"]
    elif stored is not None:
        event["last_state_change"] = event["timestamp"]
        event["action"] = "resolve"
    event_silenced(st, event)
    return event


def event_silenced(st: State, event: dict[str, Any]) -> None:
    """Mark the event silenced by the entries for its client's subscriptions and its check (entries whose `begin`
    is still ahead do not count); a resolution removes the entries with `expire_on_resolve`."""
    event["silenced"] = False
    event["silenced_by"] = []
    if is_ok(event["check"]) and event["action"] == "create":
        return
    name = event["check"]["name"]
    keys = []
    for subscription in event["client"].get("subscriptions") or []:
        keys += [f"silence:{subscription}:*", f"silence:{subscription}:{name}"]
    keys.append(f"silence:*:{name}")
    for silenced_json in st.redis.mget(*keys):
        if silenced_json is None:
            continue
        info = load_json(silenced_json)
        if truthy(info.get("expire_on_resolve")) and event["action"] == "resolve":
            st.redis.srem("silenced", f"silence:{info['id']}")
            st.redis.delete(f"silence:{info['id']}")
        elif info.get("begin") is None or info["begin"] <= st.now():
            event["silenced_by"].append(info["id"])
    event["silenced"] = bool(event["silenced_by"])


def update_event_registry(st: State, event: dict[str, Any]) -> bool:
    """Store a non-OK (or flapping) event, delete a resolved one; answers whether the event goes on to handlers."""
    key = f"events:{event['client']['name']}"
    check = event["check"]
    if not is_ok(check) or (event["action"] == "flapping" and check.get("force_resolve") is not True):
        st.redis.hset(key, check["name"], dump_json(event))
        return True
    resolving = event["action"] == "resolve" and (
        check.get("auto_resolve") is not False or truthy(check.get("force_resolve"))
    )
    if resolving or (event["action"] == "flapping" and truthy(check.get("force_resolve"))):
        st.redis.hdel(key, check["name"])
        return True
    return check.get("type") == METRIC_CHECK_TYPE
