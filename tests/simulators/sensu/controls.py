"""Control endpoints for tests under /_simulator (no credentials): the state, a reset, the request log, reloading
the configuration directory, moving the clock, sensu-clients and their keepalives, check results as clients send
them, and the data store and transport connections."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import agents, processing
from .faults import ControlError
from .protocol import control_answer, control_route, no_content, state
from .ruby import is_integer, is_numeric, load_json
from .state import State
from .validation import NAME, Collect, validate_client


def checked(checks: Mapping[str, Callable[[Any], bool]], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A control body: an object with only the keys of `checks`, each passing its check, and the `required` ones."""
    data = request.get_json(silent=True)
    if data is None and not request.get_data() and not required:
        data = {}
    if not isinstance(data, dict):
        raise ControlError({"_schema": ["Not a valid mapping type."]})
    problems: dict[str, object] = {key: ["Unknown field."] for key in data if key not in checks}
    problems.update({key: ["Invalid value."] for key, check in checks.items() if key in data and not check(data[key])})
    problems.update({key: ["Missing data for required field."] for key in required if key not in data})
    if problems:
        raise ControlError(problems)
    return data


def _name(value: Any) -> bool:
    return isinstance(value, str) and NAME.search(value) is not None


def _mapping(value: Any) -> bool:
    return isinstance(value, dict)


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _seconds(value: Any) -> bool:
    return is_numeric(value) and math.isfinite(value) and value >= 0


def _count(value: Any) -> bool:
    return is_integer(value) and value >= 0


def _queue(value: Any) -> bool:
    return isinstance(value, dict) and all(key in ("messages", "consumers") and _count(v) for key, v in value.items())


# --- The state --------------------------------------------------------------------------------------------------


def _values(st: State, prefix: str) -> list[tuple[str, Any]]:
    return [
        (key, load_json(value))
        for key in st.redis.keys()
        if key.startswith(prefix) and st.redis.type_of(key) == "string" and (value := st.redis.get(key)) is not None
    ]


def _events(st: State) -> list[Any]:
    return [
        load_json(event_json)
        for key in st.redis.keys()
        if key.startswith("events:")
        for event_json in st.redis.hgetall(key).values()
    ]


def _signatures(st: State) -> dict[str, str | None]:
    return {
        key.removeprefix("client:").removesuffix(":signature"): st.redis.get(key)
        for key in st.redis.keys()
        if key.startswith("client:") and key.endswith(":signature")
    }


@control_route("/state")
def show_state() -> Response:
    st = state()
    now = st.clock()
    return control_answer(
        {
            "config": {
                "flavour": st.config.flavour,
                "version": st.config.version,
                "conf_dir": str(st.conf_dir) if st.conf_dir is not None else None,
                "delete_delay": st.config.delete_delay,
                "auth": st.credentials() is not None,
            },
            "now": now,
            "clock_offset": st.offset,
            "settings": st.settings,
            "files": st.files,
            "checks": list(st.checks()),
            "reloads": st.reloads,
            "last_reload": st.last_reload,
            "clients": agents.registry(st),
            "live_clients": list(st.live_clients),
            "signatures": _signatures(st),
            "silenced": [{**info, "expire": st.redis.ttl(key)} for key, info in _values(st, "silence:")],
            "stashes": [
                {"path": key.removeprefix("stash:"), "content": content, "expire": st.redis.ttl(key)}
                for key, content in _values(st, "stash:")
            ],
            "results": [
                {"key": key.removeprefix("result:"), "check": check}
                for key, check in _values(st, "result:")
                if isinstance(check, dict)
            ],
            "events": _events(st),
            "aggregates": {name: st.redis.smembers(f"aggregates:{name}") for name in st.redis.smembers("aggregates")},
            "check_requests": st.check_requests,
            "pending": [task.json(now) for task in st.tasks],
            "backend": backend(st),
            "faults": dict(st.faults.switches),
            "fault_rules": st.faults.json(),
            "request_counts": dict(st.requests.counts),
            "requests": st.requests.entries,
            "redis": st.redis.dump(),
        }
    )


@control_route("/reset", "POST")
def reset_state() -> Response:
    """Empty data store, no clients, faults, request log or pending work, the clock back, the settings read again."""
    state().reset()
    return no_content()


@control_route("/request_counts")
def show_request_counts() -> Response:
    """The API requests served since the last reset, per route: `{"GET /clients/{client}": 3}`."""
    return control_answer(dict(state().requests.counts))


@control_route("/request_counts", "DELETE")
def clear_request_counts() -> Response:
    state().requests.clear()
    return no_content()


# --- Settings and time ------------------------------------------------------------------------------------------


@control_route("/reload", "POST")
def reload_settings() -> Response:
    """`{"conf_dir"?: path}`: read the configuration directory again (Enterprise: `systemctl reload
    sensu-enterprise`; Core: restarting sensu-server and sensu-api), or first point the server at another one: 200
    with the outcome, or 409 with the errors, the previous settings kept."""
    data = checked({"conf_dir": lambda value: isinstance(value, str) and value != ""})
    st = state()
    if "conf_dir" in data:
        st.conf_dir = Path(data["conf_dir"])
    outcome = st.load_settings()
    return control_answer(outcome, 200 if outcome["ok"] else 409)


@control_route("/clock", "POST")
def advance_clock() -> Response:
    """`{"advance": seconds}`: time moves forward (epochs, TTLs of silences and stashes, pending work)."""
    data = checked({"advance": _seconds}, required=("advance",))
    st = state()
    st.offset += data["advance"]
    st.settle()
    return control_answer({"now": st.clock(), "offset": st.offset})


# --- Sensu clients ----------------------------------------------------------------------------------------------


@control_route("/clients", "POST")
def add_client() -> Response:
    """`{"client": {<sensu-client client settings>}, "live"?: true}`: a sensu-client starts and sends a keepalive
    (its settings, `client:<name>` subscribed, redacted with its `redact`, with version and timestamp). A live one
    (the default) sends more on POST /_simulator/keepalives and with the `keepalive` fault. 201
    `{"registered": bool, "client": <as stored> | null}`; 400 when sensu-client would refuse the settings."""
    data = checked(
        {"client": lambda value: isinstance(value, dict), "live": lambda v: isinstance(v, bool)}, ("client",)
    )
    client = agents.client_settings(data["client"])
    report = Collect()
    validate_client(report, client)
    if report.failures:
        raise ControlError({"client": [failure["message"] for failure in report.failures]})
    st = state()
    if data.get("live", True):
        st.live_clients[client["name"]] = client
    registered = agents.keepalive(st, client)
    stored = st.redis.get(f"client:{client['name']}")
    return control_answer({"registered": registered, "client": load_json(stored) if stored else None}, 201)


@control_route("/clients/<name>", "DELETE")
def stop_client(name: str) -> Response:
    """The sensu-client stops: no more keepalives (the registry keeps what it has)."""
    st = state()
    if st.live_clients.pop(name, None) is None:
        return control_answer({"message": f"No live client {name}"}, 404)
    return no_content()


@control_route("/keepalives", "POST")
def send_keepalives() -> Response:
    """`{"clients"?: [names]}`: the live clients (all, or those named) send a keepalive now; answers
    `{"registered": [...], "refused": [...]}` (refused: another signature is registered, e.g. "invalidated")."""
    data = checked({"clients": lambda value: isinstance(value, list) and all(_name(v) for v in value)})
    return control_answer(agents.keepalives(state(), data.get("clients")))


@control_route("/results", "POST")
def add_result() -> Response:
    """`{"client": name, "check": {"name", "output", "status", ...}, "signature"?: str}`: a check result as a
    sensu-client publishes it, processed by the server at once (a non-OK status makes an event). 202
    `{"event": <the event> | null}` (null: no event, or the result was discarded for its signature)."""
    data = checked(
        {
            "client": _name,
            "check": lambda value: isinstance(value, dict) and _name(value.get("name")),
            "signature": lambda value: isinstance(value, str),
        },
        required=("client", "check"),
    )
    result = {"client": data["client"], "check": dict(data["check"])}
    if "signature" in data:
        result["signature"] = data["signature"]
    result["check"].setdefault("executed", state().now())
    return control_answer({"event": processing.process_check_result(state(), result)}, 202)


# --- Connections ------------------------------------------------------------------------------------------------


def backend(st: State) -> dict[str, Any]:
    return {"redis": st.redis_connected, "transport": st.transport_connected, **st.transport}


@control_route("/backend", "POST")
def set_backend() -> Response:
    """`{"redis"?: bool, "transport"?: bool, "keepalives"?: {"messages", "consumers"}, "results"?: {...}}`: the
    API's connections (down: 500 `{"error": "not connected to redis"}` but for /info and /health) and the transport
    queues' figures (/info, /health)."""
    data = checked({"redis": _boolean, "transport": _boolean, "keepalives": _queue, "results": _queue})
    st = state()
    st.redis_connected = data.get("redis", st.redis_connected)
    st.transport_connected = data.get("transport", st.transport_connected)
    for queue in ("keepalives", "results"):
        st.transport[queue].update(data.get(queue, {}))
    return control_answer(backend(st))
