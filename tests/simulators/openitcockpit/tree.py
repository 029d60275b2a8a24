"""The container tree: CakePHP's TreeBehavior keeps it as a nested set (`lft`/`rght`, which answers show), a new
node going in as its parent's last child. Containers are dicts `{id, containertype_id, name, parent_id, lft, rght}`
by id."""

from __future__ import annotations

from typing import Any

Container = dict[str, Any]
Containers = dict[int, Container]

ROOT = 1
CT_GLOBAL, CT_TENANT, CT_LOCATION, CT_DEVICEGROUP, CT_NODE = 1, 2, 3, 4, 5
CT_CONTACTGROUP, CT_HOSTGROUP = 6, 7
HOST_CONTAINER_TYPES = (CT_GLOBAL, CT_TENANT, CT_LOCATION, CT_NODE)  # "host containers": may hold hosts


def seed() -> Containers:
    return {ROOT: {"id": ROOT, "containertype_id": CT_GLOBAL, "name": "root", "parent_id": None, "lft": 1, "rght": 2}}


def renumber(containers: Containers) -> None:
    """Recompute lft/rght: children in the order they were added (ids ascend), as TreeBehavior leaves them."""
    counter = 1
    roots = [c for c in containers.values() if c["parent_id"] is None or c["parent_id"] not in containers]

    def visit(node: Container) -> None:
        nonlocal counter
        node["lft"] = counter
        counter += 1
        for child in children(containers, node["id"]):
            visit(child)
        node["rght"] = counter
        counter += 1

    for root in sorted(roots, key=lambda c: c["id"]):
        visit(root)


def children(containers: Containers, container_id: int) -> list[Container]:
    return sorted((c for c in containers.values() if c["parent_id"] == container_id), key=lambda c: c["id"])


def descendants(containers: Containers, container_id: int) -> list[Container]:
    """Every container below `container_id`, in tree order (by lft): find('children')."""
    node = containers[container_id]
    found = [c for c in containers.values() if node["lft"] < c["lft"] and c["rght"] < node["rght"]]
    return sorted(found, key=lambda c: c["lft"])


def path(containers: Containers, container_id: int) -> str:
    """`/root/ACME/Berlin`: ContainersTable::treePath, names unescaped."""
    names = []
    current: int | None = container_id
    while current is not None and current in containers:
        names.append(containers[current]["name"])
        current = containers[current]["parent_id"]
    return "/" + "/".join(reversed(names))


def row(container: Container) -> Container:
    """A container as answers show it."""
    keys = ("id", "containertype_id", "name", "parent_id", "lft", "rght")
    return {key: container[key] for key in keys}


def delete(containers: Containers, container_id: int) -> list[int]:
    """Remove the container and everything below it; the ids removed."""
    gone = [container_id, *(c["id"] for c in descendants(containers, container_id))]
    for gone_id in gone:
        del containers[gone_id]
    renumber(containers)
    return gone
