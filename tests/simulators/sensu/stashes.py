"""Stashes (lib/sensu/api/routes/stashes.rb): `/stashes`, `/stashes/:path` (also `/stash/:path`; the path is
anything, `%XX`-unescaped, even empty)."""

from __future__ import annotations

from .protocol import Call, NoAnswer, Reply, rule
from .ruby import dump_json, load_json, rx
from .state import State

STASHES_URI = rx(r"^/stashes$")
STASH_URI = rx(r"^/stash(?:es)?/(.*)$")
STASHES_RULES = {
    "path": rule("String", nil_ok=False),
    "content": rule("Hash", nil_ok=False),
    "expire": rule("Integer"),
}


def post_stash(st: State, call: Call, path: str) -> Reply:
    """Any JSON object as the content at `path` (no time to live; one it had is dropped)."""
    data = call.read_data()
    st.redis.set(f"stash:{path}", dump_json(data))
    st.redis.sadd("stashes", path)
    return Reply(201, {"path": path})


def get_stash(st: State, call: Call, path: str) -> Reply:
    stash_json = st.redis.get(f"stash:{path}")
    return Reply(404) if stash_json is None else Reply(200, load_json(stash_json))


def delete_stash(st: State, call: Call, path: str) -> Reply:
    if not st.redis.exists(f"stash:{path}"):
        return Reply(404)
    st.redis.srem("stashes", path)
    st.redis.delete(f"stash:{path}")
    return Reply(204)


def get_stashes(st: State, call: Call) -> Reply:
    """`{"path", "content", "expire"}` (the time to live, -1 for none); stashes that expired are dropped as they are
    met. With stashes but an empty page (`offset` past them) the source never answers."""
    paths = st.redis.smembers("stashes")
    if not paths:
        return Reply(200, [])
    paths = call.pagination(paths)
    if not paths:
        raise NoAnswer("GET /stashes with an empty page never responds")
    content = []
    for path in paths:
        stash_json = st.redis.get(f"stash:{path}")
        ttl = st.redis.ttl(f"stash:{path}")
        if stash_json is None:
            st.redis.srem("stashes", path)
        else:
            content.append({"path": path, "content": load_json(stash_json), "expire": ttl})
    return Reply(200, content)


def post_stashes(st: State, call: Call) -> Reply:
    """`{"path", "content", "expire"?}`: 201 `{"path"}`; an `expire` of 0 or less deletes the stash at once (Redis
    EXPIRE), leaving its path in the stash list until a GET /stashes meets it."""
    data = call.read_data(STASHES_RULES)
    key = f"stash:{data['path']}"
    st.redis.set(key, dump_json(data["content"]))
    st.redis.sadd("stashes", data["path"])
    if data.get("expire") is not None:
        st.redis.expire(key, data["expire"])
    return Reply(201, {"path": data["path"]})
