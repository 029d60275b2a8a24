"""Host templates (HosttemplatesController): the list. A fresh server has `default host` (id 1); more come from the
command line (`--hosttemplate`) or the API (hosttemplatewrites.py)."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from .listing import Filters, order, paginate
from .protocol import answer, route, state
from .usertime import server_datetime

RELATIONS = ("hostgroups", "contacts", "contactgroups")
TEMPLATE_TYPE: dict[str, Any] = {
    "title": "Generic templates",
    "color": "text-generic",
    "class": "border-generic",
    "icon": ["fas", "cog"],
    "rotate": 0,
}


def template_json(template: dict[str, Any]) -> dict[str, Any]:
    """A template row as the index shows it (`created` as `Y-m-d H:i:s`, `allow_edit`, `type`)."""
    row = {key: value for key, value in template.items() if key not in RELATIONS}
    row.update(created=server_datetime(template["created"]), modified=server_datetime(template["modified"]))
    return {**row, "allow_edit": True, "type": TEMPLATE_TYPE}


@route("/hosttemplates/index", angular="empty")
def hosttemplate_index() -> Response:
    """Filters `Hosttemplates.name` (LIKE), `Hosttemplates.id`, `Hosttemplates.hosttemplatetype_id`; sorted by name.
    The action serializes `paging` itself, so here it comes before `_csrfToken`."""
    templates = list(state().hosttemplates.values())
    spec = {
        "Hosttemplates.name": ("like", lambda row: row["name"]),
        "Hosttemplates.id": ("equals", lambda row: row["id"]),
        "Hosttemplates.hosttemplatetype_id": ("equals", lambda row: row["hosttemplatetype_id"]),
    }
    templates = Filters(request.args).apply(templates, spec)
    columns = {f"Hosttemplates.{column}": _column(column) for column in ("id", "name", "description", "priority")}
    templates = order(templates, request.args, columns, [("Hosttemplates.name", "asc")])
    chosen, block = paginate(templates, request.args)
    return answer({"all_hosttemplates": [{"Hosttemplate": template_json(t)} for t in chosen], **block}, tail=False)


def _column(name: str) -> Any:
    return lambda row: row[name]
