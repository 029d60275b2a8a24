"""Check results (lib/sensu/api/routes/results.rb): `/results`, `/results/:client`, `/results/:client/:check`.
A posted result is published for the client "sensu-api" (or the check's `source`): the simulated server processes
it at once, registering that client if need be."""

from __future__ import annotations

from typing import Any

from . import processing
from .protocol import Call, Reply
from .ruby import load_json, rx, split, to_i, truthy
from .state import State
from .validation import valid_check_result

RESULTS_URI = rx(r"^/results$")
RESULTS_CLIENT_URI = rx(r"^/results/([\w.-]+)$")
RESULT_URI = rx(r"^/results/([\w.-]+)/([\w.-]+)$")
API_CLIENT = "sensu-api"


def post_results(st: State, call: Call) -> Reply:
    """`status` 0 and `executed` now unless given (`issued` and `executed` are then set to now anyway when it is
    published), validated as a check result, published: 202."""
    check = call.read_data()
    if not truthy(check.get("status")):
        check["status"] = 0
    if not truthy(check.get("executed")):
        check["executed"] = st.now()
    if not valid_check_result(check):
        return Reply(400)
    processing.publish_check_result(st, API_CLIENT, check)
    return Reply(202, {"issued": st.now()})


def _result(st: State, result_key: str) -> dict[str, Any] | None:
    """`{"client", "check"}` for "result:<client>:<check>", with the check's last 21 statuses as `history`."""
    result_json = st.redis.get(result_key)
    history_key = "history:" + result_key.removeprefix("result:")
    history = [to_i(status) for status in st.redis.lrange(history_key, -21, -1)]
    if result_json is None:
        return None
    check = load_json(result_json)
    check["history"] = history
    return {"client": split(history_key, ":")[1], "check": check}


def get_results(st: State, call: Call) -> Reply:
    """The results of the registered clients; without clients no pagination (and no X-Pagination header)."""
    clients = st.redis.smembers("clients")
    if not clients:
        return Reply(200, [])
    keys = [f"result:{name}:{check}" for name in clients for check in st.redis.smembers(f"result:{name}")]
    return Reply(200, [found for key in call.pagination(keys) if (found := _result(st, key)) is not None])


def get_results_client(st: State, call: Call, name: str) -> Reply:
    checks = call.pagination(st.redis.smembers(f"result:{name}"))
    found = [_result(st, f"result:{name}:{check}") for check in checks]
    return Reply(200, [{**item, "client": name} for item in found if item is not None])


def get_result(st: State, call: Call, name: str, check: str) -> Reply:
    found = _result(st, f"result:{name}:{check}")
    return Reply(404) if found is None else Reply(200, {**found, "client": name})


def delete_result(st: State, call: Call, name: str, check: str) -> Reply:
    result_key = f"result:{name}:{check}"
    if not st.redis.exists(result_key):
        return Reply(404)
    st.redis.srem(f"result:{name}", check)
    st.redis.delete(result_key, f"history:{name}:{check}", f"history:{name}:{check}:last_ok")
    return Reply(204)
