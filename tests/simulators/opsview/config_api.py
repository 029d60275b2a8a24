"""/rest/config/<type>: list, get, exists, create (or update by name), update, clone, delete, and the bulk forms
(`{"list": [...]}` writes, `?id=` deletes), each bulk request one transaction."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.wrappers import Response

from .errors import OpsviewError, bad_request, not_found
from .model import TYPES, fold
from .protocol import body, json_response, object_body, route, state, user
from .search import Search
from .writes import Writer

KINDS = f"<any({', '.join(TYPES)}):kind>"


def writable(kind: str) -> None:
    """The reference-only types are served for reading; writes answer 405."""
    if not TYPES[kind].writable:
        raise MethodNotAllowed()


def object_answer(kind: str, obj: dict[str, Any]) -> Response:
    return json_response({"object": Search(state().objects, kind, request.args).render(obj)})


@route(f"/config/{KINDS}")
def list_objects(kind: str) -> Response:
    return json_response(Search(state().objects, kind, request.args).answer())


@route(f"/config/{KINDS}/exists")
def object_exists(kind: str) -> Response:
    """`?name=` (or `?id=`): `{"exists": "1"}` or `{"exists": "0"}`."""
    objects = state().objects[kind]
    if "id" in request.args:
        found = any(str(object_id) == request.args["id"] for object_id in objects)
    else:
        name = fold(request.args.get("name", ""))
        found = any(fold(obj["name"]) == name for obj in objects.values())
    return json_response({"exists": "1" if found else "0"})


@route(f"/config/{KINDS}/<int:object_id>")
def show_object(kind: str, object_id: int) -> Response:
    obj = state().objects[kind].get(object_id)
    if obj is None:
        raise not_found(kind, object_id)
    return object_answer(kind, obj)


def _bulk(kind: str, items: Any, *, create_only: bool) -> Response:
    """`{"list": [...]}`: every object or none (400 "Rollback ..." naming the item, counted from 1)."""
    if not isinstance(items, list):
        raise OpsviewError(400, "Error when parsing data", "Not an ARRAY: list")
    writer = Writer(state(), user())
    with writer.transaction():
        for number, item in enumerate(items, start=1):
            try:
                writer.synchronise(kind, item, create_only=create_only)
            except OpsviewError as failed:
                raise OpsviewError(
                    400,
                    f"Rollback. Error trying to synchronise object: {number}",
                    failed.body["message"] + (f": {failed.body['detail']}" if "detail" in failed.body else ""),
                    objects_updated="0",
                ) from None
    return json_response({"objects_updated": str(len(items))})


@route(f"/config/{KINDS}", "POST")
def create_object(kind: str) -> Response:
    """Create; an object that exists by that name is updated ("creations will update if the object already
    exists"). A `{"list": [...]}` creates them all, and refuses names that exist (bulk creation is insert only)."""
    writable(kind)
    data = body()
    if isinstance(data, dict) and "list" in data:
        return _bulk(kind, data["list"], create_only=True)
    return object_answer(kind, Writer(state(), user()).synchronise(kind, object_body()))


@route(f"/config/{KINDS}", "PUT")
def put_objects(kind: str) -> Response:
    """Create or update the object the body names (by id or name); `{"list": [...]}` does so for each."""
    writable(kind)
    data = body()
    if isinstance(data, dict) and "list" in data:
        return _bulk(kind, data["list"], create_only=False)
    return object_answer(kind, Writer(state(), user()).synchronise(kind, object_body()))


@route(f"/config/{KINDS}/<int:object_id>", "PUT")
def update_object(kind: str, object_id: int) -> Response:
    """Merge the keys sent into the object (lists replace); creates it with that id if there is none."""
    writable(kind)
    return object_answer(kind, Writer(state(), user()).synchronise(kind, object_body(), object_id=object_id))


@route(f"/config/{KINDS}/<int:object_id>", "POST")
def clone_object(kind: str, object_id: int) -> Response:
    """A new object: a copy of the object with the keys sent (a new name at least) set."""
    writable(kind)
    return object_answer(kind, Writer(state(), user()).synchronise(kind, object_body(), clone_of=object_id))


@route(f"/config/{KINDS}/<int:object_id>", "DELETE")
def delete_object(kind: str, object_id: int) -> Response:
    writable(kind)
    Writer(state(), user()).delete(kind, [object_id])
    return json_response({"success": "1"})


@route(f"/config/{KINDS}", "DELETE")
def delete_objects(kind: str) -> Response:
    """`?id=1&id=2` (or `s.id=`): all or none; 400 without ids."""
    writable(kind)
    texts = request.args.getlist("id") + request.args.getlist("s.id")
    if not texts:
        raise bad_request("No objects selected: give id=... parameters")
    if not all(text.isdigit() for text in texts):
        raise bad_request(f"Invalid id: {next(text for text in texts if not text.isdigit())}")
    writer = Writer(state(), user())
    with writer.transaction():
        deleted = writer.delete(kind, [int(text) for text in texts])
    return json_response({"objects_deleted": str(deleted)})
