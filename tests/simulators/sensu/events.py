"""Events and their resolution (lib/sensu/api/routes/{events,resolve}.rb): `/events` (or `/incidents`),
`/events/:client`, `/events/:client/:check`, `/resolve`. Resolving publishes a result with status 0 and
`force_resolve`; the simulated server processes it at once, so the event is gone when the 202 arrives."""

from __future__ import annotations

from . import processing
from .protocol import Call, Reply, rule
from .ruby import load_json, rx
from .state import State

EVENTS_URI = rx(r"^/(?:events|incidents)$")
EVENTS_CLIENT_URI = rx(r"^/(?:events|incidents)/([\w.-]+)$")
EVENT_URI = rx(r"^/(?:events|incidents)/([\w.-]+)/([\w.-]+)$")
RESOLVE_URI = rx(r"^/resolve$")
RESOLVE_RULES = {"client": rule("String", nil_ok=False), "check": rule("String", nil_ok=False)}


def get_events(st: State, call: Call) -> Reply:
    """The events of the registered clients; without clients no pagination (and no X-Pagination header)."""
    clients = st.redis.smembers("clients")
    if not clients:
        return Reply(200, [])
    raw = [event_json for name in clients for event_json in st.redis.hgetall(f"events:{name}").values()]
    return Reply(200, [load_json(event_json) for event_json in call.pagination(raw)])


def get_events_client(st: State, call: Call, name: str) -> Reply:
    """Any client's events, registered or not."""
    raw = list(st.redis.hgetall(f"events:{name}").values())
    return Reply(200, [load_json(event_json) for event_json in call.pagination(raw)])


def get_event(st: State, call: Call, name: str, check: str) -> Reply:
    event_json = st.redis.hget(f"events:{name}", check)
    return Reply(404) if event_json is None else Reply(200, load_json(event_json))


def delete_event(st: State, call: Call, name: str, check: str) -> Reply:
    event_json = st.redis.hget(f"events:{name}", check)
    if event_json is None:
        return Reply(404)
    processing.resolve_event(st, event_json)
    return Reply(202, {"issued": st.now()})


def post_resolve(st: State, call: Call) -> Reply:
    data = call.read_data(RESOLVE_RULES)
    event_json = st.redis.hget(f"events:{data['client']}", data["check"])
    if event_json is None:
        return Reply(404)
    processing.resolve_event(st, event_json)
    return Reply(202, {"issued": st.now()})
