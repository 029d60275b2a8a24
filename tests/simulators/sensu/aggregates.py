"""Aggregates (lib/sensu/api/routes/aggregates.rb): results of checks with `aggregate`/`aggregates`, grouped by
the server as `<client>:<check>` members. `/aggregates`, `/aggregates/:name` (GET, DELETE),
`/aggregates/:name/clients`, `/aggregates/:name/checks`, `/aggregates/:name/results/:severity`."""

from __future__ import annotations

from typing import Any

from .protocol import Call, Crash, Reply
from .ruby import is_numeric, load_json, rx, split
from .state import State
from .validation import SEVERITIES

AGGREGATES_URI = rx(r"^/aggregates$")
AGGREGATE_URI = rx(r"^/aggregates/([\w.-]+)$")
AGGREGATE_CLIENTS_URI = rx(r"^/aggregates/([\w.-]+)/clients$")
AGGREGATE_CHECKS_URI = rx(r"^/aggregates/([\w.-]+)/checks$")
AGGREGATE_RESULTS_SEVERITY_URI = rx(r"^/aggregates/([\w.-]+)/results/([\w.-]+)$")


def severity(status: Any) -> str | None:
    """`SEVERITIES[status]`: Ruby array indexing (negative statuses count from the end, floats are truncated)."""
    if not is_numeric(status):
        raise Crash("no implicit conversion into Integer")
    index = int(status)
    return SEVERITIES[index] if -len(SEVERITIES) <= index < len(SEVERITIES) else None


def _member(member: str) -> tuple[str | None, str | None]:
    parts = split(member, ":")
    return (parts[0] if parts else None), (parts[1] if len(parts) > 1 else None)


def get_aggregates(st: State, call: Call) -> Reply:
    return Reply(200, [{"name": name} for name in call.pagination(st.redis.smembers("aggregates"))])


def get_aggregate(st: State, call: Call, name: str) -> Reply:
    """Counts of clients, checks and results by severity (`max_age`: older results count as stale)."""
    members = st.redis.smembers(f"aggregates:{name}")
    if not members:
        return Reply(404)
    clients, checks, results = [], [], []
    for member in members:
        client, check = _member(member)
        clients.append(client)
        checks.append(check)
        result_json = st.redis.get(f"result:{client}:{check}")
        if result_json is None:
            st.redis.srem(f"aggregates:{name}", member)
        else:
            results.append(load_json(result_json))
    counts = {"ok": 0, "warning": 0, "critical": 0, "unknown": 0, "total": 0, "stale": 0}
    max_age = call.integer("max_age")
    if max_age is not None:
        before = len(results)
        oldest = st.now() - max_age
        results = [r for r in results if not (r.get("executed") is not None and r["executed"] < oldest)]
        counts["stale"] = before - len(results)
    counts["total"] = len(results)
    for result in results:
        counts[severity(result.get("status")) or "unknown"] += 1
    return Reply(200, {"clients": len(set(clients)), "checks": len(set(checks)), "results": counts})


def delete_aggregate(st: State, call: Call, name: str) -> Reply:
    if name not in st.redis.smembers("aggregates"):
        return Reply(404)
    st.redis.srem("aggregates", name)
    st.redis.delete(f"aggregates:{name}")
    return Reply(204)


def _grouped(st: State, name: str, by_client: bool) -> Reply:
    members = st.redis.smembers(f"aggregates:{name}")
    if not members:
        return Reply(404)
    groups: dict[Any, list[Any]] = {}
    for member in members:
        client, check = _member(member)
        key, item = (client, check) if by_client else (check, client)
        groups.setdefault(key, []).append(item)
    inner = "checks" if by_client else "clients"
    return Reply(200, [{"name": key, inner: items} for key, items in groups.items()])


def get_aggregate_clients(st: State, call: Call, name: str) -> Reply:
    return _grouped(st, name, by_client=True)


def get_aggregate_checks(st: State, call: Call, name: str) -> Reply:
    return _grouped(st, name, by_client=False)


def get_aggregate_results_severity(st: State, call: Call, name: str, wanted: str) -> Reply:
    """Per check, the outputs of the results of one severity, with their clients; 400 for an unknown severity."""
    if wanted not in SEVERITIES:
        return Reply(400)
    members = st.redis.smembers(f"aggregates:{name}")
    if not members:
        return Reply(404)
    max_age = call.integer("max_age")
    now = st.now()
    summaries: dict[Any, dict[Any, dict[str, Any]]] = {}
    for member in members:
        client, check = _member(member)
        result_json = st.redis.get(f"result:{client}:{check}")
        if result_json is None:
            continue
        result = load_json(result_json)
        executed = result.get("executed")
        fresh = max_age is None or executed is None or (is_numeric(executed) and executed >= now - max_age)
        if severity(result.get("status")) == wanted and fresh:
            summary = summaries.setdefault(check, {}).setdefault(result.get("output"), {"total": 0, "clients": []})
            summary["total"] += 1
            summary["clients"].append(client)
    content = [
        {"check": check, "summary": [{"output": output, **summary} for output, summary in outputs.items()]}
        for check, outputs in summaries.items()
    ]
    return Reply(200, content)
