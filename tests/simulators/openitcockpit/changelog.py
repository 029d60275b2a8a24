"""The changelog: what every configuration write records (ChangelogsTable::parseDataForChangelog) and
`GET /changelogs/index.json`, the only trace an API client has of changes made since the last export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import tree
from .listing import Filters, order, paginate
from .php import serialize
from .protocol import answer, route, state
from .state import State
from .usertime import iso, utc_time

DAY = 86400
FILTERS = {
    "Changelogs.name": "like",
    "Changelogs.model": "equals",
    "Changelogs.action": "equals",
    "Changelogs.object_id": "equals",
    "Changelogs.objecttype_id": "equals",
}
COLORS = {"add": "bg-up", "delete": "bg-down", "activate": "bg-up-soft", "deactivate": "bg-critical-soft"}
COLORS.update({"edit": "bg-warning", "export": "bg-info"})
FA_ICONS = {"add": "plus", "delete": "trash", "activate": "asterisk", "deactivate": "plug", "copy": "copy"}
FA_ICONS.update({"export": "retweet"})
ICONS = {"add": "fa fa-plus", "delete": "fa fa-trash ", "activate": "fa fa-asterisk", "deactivate": "fa fa-plug"}
ICONS.update({"copy": "fa fa-files-o", "export": "fa fa-retweet"})
CONTROLLERS = {"Host": "hosts", "Hostgroup": "hostgroups", "Tenant": "tenants", "Location": "locations"}
CONTROLLERS.update({"Container": "containers", "Hosttemplate": "hosttemplates"})


def added(parts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The data of an `add`: each part's values (empty ones dropped) as `current_data`."""
    return [{key: {"current_data": compact(value)}} for key, value in parts.items() if compact(value)]


def edited(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The data of an `edit`: the parts that differ; none means no changelog row at all."""
    changes = []
    for key, new in after.items():
        old = before.get(key)
        if compact(old) != compact(new):
            changes.append(
                {key: {"before": _changed(old, new), "after": _changed(new, old), "current_data": compact(old)}}
            )
    return changes


def compact(value: Any) -> Any:
    """Hash::filter: no nulls, empty strings or empty lists (0 stays)."""
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items() if compact(item) not in (None, "", [], {})}
    if isinstance(value, list):
        return [compact(item) for item in value if compact(item) not in (None, "", [], {})]
    return value


def _changed(values: Any, others: Any) -> Any:
    if isinstance(values, dict) and isinstance(others, dict):
        return compact({key: item for key, item in values.items() if others.get(key) != item})
    return compact(values)


# --- GET /changelogs/index.json ---------------------------------------------------------------------


@route("/changelogs/index")
def changelog_index() -> Response:
    """Rows within `filter[from]`..`filter[to]` (default −30 days .. +60 days), newest first (`Changelogs.id
    desc`); with the user, as FRONTEND.HIDDEN_USER_IN_CHANGELOG is '0' on a fresh install (the export's end has
    user 0: `user` null)."""
    st = state()
    filters = Filters(request.args)
    window = _window(filters, st.now())
    rows = [row for row in st.changelog if window[0] <= row["created"] <= window[1]]
    rows = filters.apply(rows, {name: (kind, _getter(name)) for name, kind in FILTERS.items()})
    rows = [row for row in rows if _containers(st, row)]
    columns = {
        f"Changelogs.{name}": _getter(f"Changelogs.{name}") for name in ("id", "model", "action", "name", "created")
    }
    rows = order(rows, request.args, columns, [("Changelogs.id", "desc")], [("Changelogs.id", "desc")])
    chosen, block = paginate(rows, request.args)
    return answer({"all_changes": [render(st, row) for row in chosen], **block})


def _getter(name: str) -> Any:
    column = name.split(".", 1)[1]
    return lambda row: row[column]


def _window(filters: Filters, now: int) -> tuple[int, int]:
    """`filter[from]`/`filter[to]`: strtotime() in the server's zone; only `@<epoch>` and plain epochs are read
    here. A falsy value (`@0`) keeps the default."""
    bounds = []
    for name, default in (("from", now - 30 * DAY), ("to", now + 60 * DAY)):
        value = (filters.scalar(name) or "").lstrip("@")
        bounds.append(int(value) if value.isdigit() and int(value) else default)
    return bounds[0], bounds[1]


def _containers(st: State, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The row's containers that still exist (an inner join: a row whose containers are all gone is not listed)."""
    found = [tree.row(st.containers[cid]) for cid in row["containers"] if cid in st.containers]
    return [
        {**container, "_joinData": {"changelog_id": row["id"], "container_id": container["id"]}} for container in found
    ]


def render(st: State, row: dict[str, Any]) -> dict[str, Any]:
    created = row["created"]
    controller = CONTROLLERS.get(row["model"], row["model"].lower() + "s")
    editable = row["action"] != "delete" and row["model"] != "Export"
    is_today = created > _midnight(st.now())
    return {
        "id": row["id"],
        "model": row["model"],
        "action": row["action"],
        "object_id": row["object_id"],
        "objecttype_id": row["objecttype_id"],
        "data": serialize(row["data"]),
        "name": row["name"],
        "created": iso(created),
        "user_id": row["user_id"],
        "user": st.users.get(row["user_id"]),
        "containers": _containers(st, row),
        "time": utc_time(created) if is_today else st.user_time.format(created),
        "isToday": is_today,
        "timeAgoInWords": _ago(st.now() - created),
        "recordExists": _exists(st, row),
        "data_unserialized": row["data"],
        "ngState": (
            ("ContainersIndex" if controller == "containers" else f"{controller.capitalize()}Edit") if editable else ""
        ),
        "routerLink": ["/", controller, "index" if controller == "containers" else "edit", row["object_id"]]
        if editable
        else [],
        "color": COLORS.get(row["action"], "bg-primary"),
        "icon": ICONS.get(row["action"], "fas fa-edit"),
        "faIcon": ["fas", FA_ICONS.get(row["action"], "edit")],
        "includeUser": True,
    }


def _midnight(now: int) -> int:
    return now - now % DAY


def _ago(seconds: int) -> str:
    """Roughly CakePHP's timeAgoInWords()."""
    if seconds <= 0:
        return "just now"
    if seconds < 60:
        return f"{max(seconds, 0)} seconds ago" if seconds != 1 else "1 second ago"
    if seconds < 3600:
        return f"{seconds // 60} minutes ago" if seconds >= 120 else "1 minute ago"
    return f"{seconds // 3600} hours ago" if seconds >= 7200 else "1 hour ago"


def _exists(st: State, row: dict[str, Any]) -> bool:
    tables = {"Host": st.hosts, "Hostgroup": st.hostgroups, "Tenant": st.tenants, "Location": st.locations}
    tables.update({"Container": st.containers, "Hosttemplate": st.hosttemplates})
    table = tables.get(row["model"])
    return table is not None and row["object_id"] in table
