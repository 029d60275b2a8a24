"""Silencing (lib/sensu/api/routes/silenced.rb): `/silenced`, `/silenced/ids/:id`,
`/silenced/subscriptions/:subscription`, `/silenced/checks/:check`, `/silenced/clear`.

An entry lives at the key `silence:<subscription|*>:<check|*>`, listed in the `silenced` set; its `expire` is the
key's time to live. The lookups by id, subscription and check select the set's members with regular expressions
built from the URL without escaping (but `*` in an id): `.` matches any character, and an id is only anchored at
its end, so `/silenced/ids/web01:*` also finds `client:web01:*`; the id lookup answers the last match."""

from __future__ import annotations

import re
from typing import Any

from .protocol import Call, Reply, rule
from .ruby import dump_json, load_json, rx, truthy
from .state import State

SILENCED_URI = rx(r"^/silenced$")
SILENCED_ID_URI = rx(r"^/silenced/ids/([\w.\-*:]+)$")
SILENCED_SUBSCRIPTION_URI = rx(r"^/silenced/subscriptions/([\w.\-:]+)$")
SILENCED_CHECK_URI = rx(r"^/silenced/checks/([\w.\-]+)$")
SILENCED_CLEAR_URI = rx(r"^/silenced/clear$")
SUBSCRIPTION = rx(r"\A[\w.\-:]+\Z")
CHECK = rx(r"\A[\w.-]+\Z")
POST_RULES = {
    "subscription": rule("String", regex=SUBSCRIPTION),
    "check": rule("String", regex=CHECK),
    "begin": rule("Integer"),
    "expire": rule("Integer"),
    "reason": rule("String"),
    "creator": rule("String"),
    "expire_on_resolve": rule("Boolean"),
}
CLEAR_RULES = {"id": rule("String"), "subscription": rule("String"), "check": rule("String", regex=CHECK)}


def silenced_id(data: dict[str, Any]) -> str:
    """`"#{subscription}:#{check}"` with `data.fetch(key, "*")`: a key sent as null gives an empty part."""
    subscription = data.get("subscription", "*")
    check = data.get("check", "*")
    return f"{subscription if subscription is not None else ''}:{check if check is not None else ''}"


def fetch(st: State, keys: list[str]) -> list[dict[str, Any]]:
    """The entries of these keys with `expire` (the time to live, -1 for none); keys that expired leave the set."""
    entries = []
    for key, silenced_json in zip(keys, st.redis.mget(*keys), strict=True):
        if silenced_json is None:
            st.redis.srem("silenced", key)
            continue
        info = load_json(silenced_json)
        info["expire"] = st.redis.ttl(key)
        entries.append(info)
    return entries


def post_silenced(st: State, call: Call) -> Reply:
    """Needs a subscription or a check. The entry is stored without `expire` and replaces one with the same id,
    time to live included: with `expire` (seconds, longer by `begin - now` for a begin ahead) it gets a new one, an
    `expire` of 0 or less deletes it at once (Redis EXPIRE), without `expire` it has none."""
    data = call.read_data(POST_RULES)
    if not (truthy(data.get("subscription")) or truthy(data.get("check"))):
        return Reply(400)
    identifier = silenced_id(data)
    timestamp = st.now()
    info = {
        "id": identifier,
        "subscription": data.get("subscription"),
        "check": data.get("check"),
        "reason": data.get("reason"),
        "creator": data.get("creator"),
        "begin": data.get("begin"),
        "expire_on_resolve": data.get("expire_on_resolve", False),
        "timestamp": timestamp,
    }
    key = f"silence:{identifier}"
    st.redis.set(key, dump_json(info))
    st.redis.sadd("silenced", key)
    if data.get("expire") is not None:
        expire = data["expire"]
        if data.get("begin") is not None and data["begin"] - timestamp > 0:
            expire += data["begin"] - timestamp
        st.redis.expire(key, expire)
    return Reply(201)


def get_silenced(st: State, call: Call) -> Reply:
    return Reply(200, fetch(st, call.pagination(st.redis.smembers("silenced"))))


def _selected(st: State, pattern: str) -> list[str]:
    regex = rx(pattern)
    return [key for key in st.redis.smembers("silenced") if regex.search(key)]


def get_silenced_subscription(st: State, call: Call, subscription: str) -> Reply:
    keys = _selected(st, f"^silence:{subscription}:")
    return Reply(200, fetch(st, call.pagination(keys)))


def get_silenced_id(st: State, call: Call, identifier: str) -> Reply:
    keys = _selected(st, identifier.replace("*", re.escape("*")) + "$")
    entries = fetch(st, call.pagination(keys))
    return Reply(200, entries[-1]) if entries else Reply(404)


def get_silenced_check(st: State, call: Call, check: str) -> Reply:
    keys = _selected(st, f".*:{check}$")
    return Reply(200, fetch(st, call.pagination(keys)))


def post_silenced_clear(st: State, call: Call) -> Reply:
    """By `id`, else by subscription and/or check; 204 if the entry was there (an expired one is not), else 404."""
    data = call.read_data(CLEAR_RULES)
    if data.get("id") is None and not (truthy(data.get("subscription")) or truthy(data.get("check"))):
        return Reply(400)
    identifier = data["id"] if truthy(data.get("id")) else silenced_id(data)
    key = f"silence:{identifier}"
    st.redis.srem("silenced", key)
    return Reply(204) if st.redis.delete(key) else Reply(404)
