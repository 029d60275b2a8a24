"""Tenants and locations (TenantsController, LocationsController): objects whose name is their container's. Adding
answers the object's id, not the container's; deleting takes the container's id."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model, tree
from .changelog import added, edited
from .containers import add_container, allow_delete, container_errors, drop_container, int_id
from .errors import failed, internal, invalid, not_allowed, not_found
from .listing import Filters, order, paginate
from .php import is_numeric, to_string
from .protocol import angular_post, answer, body, route, state
from .state import State
from .usertime import iso, server_datetime

TENANT_FIELDS = ("description", "firstname", "lastname", "street", "zipcode", "city")
LOCATION_FIELDS = ("description", "latitude", "longitude", "timezone")
INVALID = "The provided value is invalid."
GEO = "It is required to specify valid values for LONGITUDE and LATITUDE"


def _container_data(data: dict[str, Any]) -> dict[str, Any]:
    """The `container` sent along; without one PHP fails on `$tenant->container->...`: 500."""
    container = data.get("container")
    if not isinstance(container, dict):
        raise internal()
    return container


def _max_255(data: dict[str, Any], field: str) -> dict[str, str] | None:
    value = data.get(field)
    if isinstance(value, str) and len(value) > 255:
        return {"maxLength": "The provided value must be at most `255` characters long"}
    return None


def tenant_errors(st: State, data: dict[str, Any], container: dict[str, Any], own_id: int | None) -> dict[str, Any]:
    """TenantsTable: `zipcode` an integer or empty, `description` at most 255; then the container's errors."""
    errors: dict[str, Any] = {}
    zipcode = data.get("zipcode")
    if zipcode not in (None, "") and not (isinstance(zipcode, int) or str(zipcode).lstrip("-").isdigit()):
        errors["zipcode"] = {"integer": "The provided value must be an integer"}
    if problem := _max_255(data, "description"):
        errors["description"] = problem
    if container_problems := container_errors(st, container, own_id=own_id):
        errors["container"] = container_problems
    return errors


def tenant_json(tenant: dict[str, Any], *, index: bool = False) -> dict[str, Any]:
    stamp = server_datetime if index else iso
    return {**tenant, "created": stamp(tenant["created"]), "modified": stamp(tenant["modified"])}


def _tracked(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: row.get(field) for field in fields}


# --- Tenants ----------------------------------------------------------------------------------------


@route("/tenants/index", angular="empty")
def tenant_index() -> Response:
    st = state()
    rows = [{"Tenant": t, "Container": st.containers[t["container_id"]]} for t in st.tenants.values()]
    spec = {
        "Containers.name": ("like", lambda row: row["Container"]["name"]),
        "Tenants.description": ("like", lambda row: row["Tenant"]["description"]),
    }
    rows = Filters(request.args).apply(rows, spec)
    columns = {
        "Containers.name": lambda row: row["Container"]["name"],
        "Tenants.id": lambda row: row["Tenant"]["id"],
        "Tenants.description": lambda row: row["Tenant"]["description"],
        "Tenants.is_active": lambda row: row["Tenant"]["is_active"],
    }
    rows = order(rows, request.args, columns, [("Containers.name", "asc")])
    chosen, block = paginate(rows, request.args)
    listed = [
        {
            "Tenant": {**tenant_json(row["Tenant"], index=True), "allowEdit": True},
            "Container": tree.row(row["Container"]),
        }
        for row in chosen
    ]
    return answer({"all_tenants": listed, "hasRootPrivileges": True, **block})


def _tenant(st: State, tenant_id: str) -> dict[str, Any]:
    found = st.tenants.get(int_id(tenant_id) or 0)
    if found is None:
        raise not_found("Invalid tenant")
    return found


@route("/tenants/view/<tenant_id>")
def view_tenant(tenant_id: str) -> Response:
    st = state()
    tenant = _tenant(st, tenant_id)
    return answer({"tenant": {**tenant_json(tenant), "container": tree.row(st.containers[tenant["container_id"]])}})


@route("/tenants/add", ("GET", "POST", "PUT"))
def add_tenant() -> Response:
    """The body is the tenant itself (no wrapper) with `container: {"name"}`; the container goes below root."""
    if not angular_post():
        return answer()
    st = state()
    data = body()
    container_data = _container_data(data)
    errors = tenant_errors(st, data, container_data, None)
    if errors:
        raise invalid(errors)
    container = add_container(st, {**container_data, "parent_id": tree.ROOT}, tree.CT_TENANT)
    tenant_id = st.new_id("tenant", st.tenants)
    now = st.now()
    st.tenants[tenant_id] = {
        "id": tenant_id,
        "container_id": container["id"],
        "description": data.get("description"),
        "is_active": int(float(data["is_active"])) if is_numeric(data.get("is_active")) else 1,
        "number_users": 0,
        "max_users": 0,
        "number_hosts": 0,
        "number_services": 0,
        **{field: data.get(field) for field in ("firstname", "lastname", "street", "zipcode", "city")},
        "created": now,
        "modified": now,
    }
    tenant = st.tenants[tenant_id]
    parts = {"tenant": _tracked(tenant, TENANT_FIELDS), "tenant.container": {"name": container["name"]}}
    ids = [tree.ROOT, container["id"]]
    st.log_change("add", "Tenant", tenant_id, model.OBJECT_TENANT, container["name"], ids, added(parts))
    return answer({"id": tenant_id})


@route("/tenants/edit/<tenant_id>", ("GET", "POST", "PUT"))
def edit_tenant(tenant_id: str) -> Response:
    """GET: as view. POST (with `angular`): the fields sent change (a patch), the container stays below root."""
    st = state()
    tenant = _tenant(st, tenant_id)
    container = st.containers[tenant["container_id"]]
    if request.method == "GET":
        return answer({"tenant": {**tenant_json(tenant), "container": tree.row(container)}})
    if not angular_post():
        return answer()
    data = body()
    container_data = _container_data(data)
    errors = tenant_errors(st, data, container_data, container["id"])
    if errors:
        raise invalid(errors)
    before = {"tenant": _tracked(tenant, TENANT_FIELDS), "tenant.container": {"name": container["name"]}}
    tenant.update({field: data[field] for field in (*TENANT_FIELDS, "is_active") if field in data})
    if container_data.get("name") is not None:
        container["name"] = to_string(container_data["name"])
    after = {"tenant": _tracked(tenant, TENANT_FIELDS), "tenant.container": {"name": container["name"]}}
    changes = edited(before, after)
    if changes:
        tenant["modified"] = st.now()
        ids = [tree.ROOT, container["id"]]
        st.log_change("edit", "Tenant", tenant["id"], model.OBJECT_TENANT, container["name"], ids, changes)
    return answer({"id": tenant["id"]})


@route("/tenants/delete/<container_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_tenant(container_id: str) -> Response:
    """By the tenant's *container* id; success is `{"message": ...}` (no `success` key)."""
    if request.method != "POST":
        raise not_allowed()
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise not_found("Invalid container")
    tenant = next((t for t in st.tenants.values() if t["container_id"] == cid), None)
    if tenant is None:
        raise not_found("Invalid tenant")
    if not allow_delete(st, cid):
        used_by = [
            {"baseUrl": "#", "state": "ContainersShowDetails", "message": "Used by other objects", "module": "Core"}
        ]
        raise failed(400, success=False, id=container_id, message="Issue while deleting tenant", usedBy=used_by)
    name = st.containers[cid]["name"]
    drop_container(st, cid)
    st.log_change("delete", "Tenant", cid, model.OBJECT_TENANT, name, [tree.ROOT, cid])
    return answer({"message": "Tenant deleted successfully"})


# --- Locations --------------------------------------------------------------------------------------


def location_errors(st: State, data: dict[str, Any], container: dict[str, Any]) -> dict[str, Any]:
    """LocationsTable: `latitude`/`longitude` each checked with the longitude rule (sic) and, together, as a
    coordinate; `description` at most 255; then the container's errors."""
    errors: dict[str, Any] = {}
    if problem := _max_255(data, "description"):
        errors["description"] = problem
    coordinate = _coordinate(data.get("latitude"), data.get("longitude"))
    for field, message in (("latitude", INVALID), ("longitude", INVALID + " ")):
        value = data.get(field)
        if value in (None, ""):
            continue
        problems = {}
        if not is_numeric(value) or abs(float(value)) > 180:
            problems["longitude"] = message
        if not coordinate:
            problems["custom"] = GEO
        if problems:
            errors[field] = problems
    if container_problems := container_errors(st, container):
        errors["container"] = container_problems
    return errors


def _coordinate(latitude: Any, longitude: Any) -> bool:
    if not (is_numeric(latitude) and is_numeric(longitude)):
        return False
    return abs(float(latitude)) <= 90 and abs(float(longitude)) <= 180


def location_json(location: dict[str, Any]) -> dict[str, Any]:
    return {**location, "created": iso(location["created"]), "modified": iso(location["modified"])}


@route("/locations/index", angular="empty")
def location_index() -> Response:
    st = state()
    rows = [{"Location": loc, "Container": st.containers[loc["container_id"]]} for loc in st.locations.values()]
    spec = {
        "Containers.name": ("like", lambda row: row["Container"]["name"]),
        "Locations.description": ("like", lambda row: row["Location"]["description"]),
    }
    rows = Filters(request.args).apply(rows, spec)
    columns = {
        "Containers.name": lambda row: row["Container"]["name"],
        "Locations.id": lambda row: row["Location"]["id"],
        "Locations.description": lambda row: row["Location"]["description"],
    }
    rows = order(rows, request.args, columns, [("Containers.name", "asc")])
    chosen, block = paginate(rows, request.args)
    listed = [
        {"Location": {**location_json(row["Location"]), "allowEdit": True}, "Container": tree.row(row["Container"])}
        for row in chosen
    ]
    return answer({"all_locations": listed, **block})


@route("/locations/view/<location_id>")
def view_location(location_id: str) -> Response:
    st = state()
    location = st.locations.get(int_id(location_id) or 0)
    if location is None:
        raise not_found("Invalid location")
    container = st.containers[location["container_id"]]
    brief = {key: container[key] for key in ("id", "parent_id", "name")}
    return answer({"location": {**location_json(location), "container": brief}})


@route("/locations/add", ("GET", "POST", "PUT"))
def add_location() -> Response:
    """`{"description", "latitude", "longitude", "timezone", "container": {"name", "parent_id"}}`: any parent will
    do (not checked); `timezone` null fails in the database (500)."""
    if not angular_post():
        return answer()
    st = state()
    data = body()
    container_data = _container_data(data)
    errors = location_errors(st, data, container_data)
    if errors:
        raise invalid(errors)
    if "timezone" in data and data["timezone"] is None:
        raise internal()  # NULL into a NOT NULL column
    container = add_container(st, container_data, tree.CT_LOCATION)
    location_id = st.new_id("location", st.locations)
    now = st.now()
    st.locations[location_id] = {
        "id": location_id,
        "uuid": model.new_uuid(),
        "container_id": container["id"],
        **{field: data.get(field) for field in LOCATION_FIELDS},
        "created": now,
        "modified": now,
    }
    for field in ("description", "timezone"):  # NOT NULL without a default: MySQL (not strict) writes ''
        if st.locations[location_id][field] is None:
            st.locations[location_id][field] = ""
    parts = {
        "location": _tracked(st.locations[location_id], LOCATION_FIELDS),
        "location.container": {"name": container["name"]},
    }
    ids = [container["parent_id"]] if container["parent_id"] is not None else []
    st.log_change("add", "Location", location_id, model.OBJECT_LOCATION, container["name"], ids, added(parts))
    return answer({"id": location_id})


@route("/locations/delete/<container_id>", ("GET", "POST", "PUT", "DELETE"))
def delete_location(container_id: str) -> Response:
    """By the location's *container* id."""
    if request.method != "POST":
        raise not_allowed()
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise not_found("Invalid container")
    location = next((loc for loc in st.locations.values() if loc["container_id"] == cid), None)
    if location is None:
        raise not_found("Invalid location")
    if not allow_delete(st, cid):
        used_by = [
            {
                "baseUrl": "#",
                "state": "ContainersShowDetails",
                "message": "Location is used by other object.",
                "module": "Core",
                "id": container_id,
            }
        ]
        raise failed(400, success=False, id=container_id, message="Issue while deleting location", usedBy=used_by)
    container = st.containers[cid]
    drop_container(st, cid)
    ids = [container["parent_id"]] if container["parent_id"] is not None else []
    st.log_change("delete", "Location", location["id"], model.OBJECT_LOCATION, container["name"], ids)
    return answer({"success": True})
