# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Sensu clients as facts for Ansible: what the inventory plugin reads, in one request.

``GET /clients`` without ``limit`` answers every client of the registry at once (lib/sensu/api/routes/clients.rb:
pagination only with ``limit``); pages would be read from a Redis set that may change between them, so one request
is both the cheapest and the only consistent read.

A client's facts are its name, address, subscriptions (without ``client:<name>``, which Sensu adds to every client
itself: it names the client, it groups nothing), environment (the custom attribute most Sensu installations set),
whether Sensu expects keepalives, the version of its sensu-client and the time of its last keepalive (or of its last
write through the API), and every other attribute. Nothing secret is a fact: values Sensu shows as ``REDACTED``
(its ``redact`` list or its defaults) are left out, and so are keys Sensu redacts by default and the client's
``signature``, even where the client's own ``redact`` list lets Sensu show them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ApiError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import (
    REDACTED,
    SENSITIVE,
    own_subscription,
    sensitive_keys,
)

# Never facts: the keys Sensu redacts by default, and the signature that lets a sensu-client's results in.
SECRET_KEYS = SENSITIVE | {"signature"}
# Keys that are facts of their own, not attributes.
OWN_FACTS = ("name", "address", "subscriptions", "keepalives", "version", "timestamp")
ACTION = "list the Sensu clients"


def read_clients(api: SensuApi) -> list[dict[str, Any]]:
    """Every client of the registry as facts, in the order the API lists them: one request."""
    clients = api.request("GET", "/clients", action=ACTION)
    if not isinstance(clients, list) or not all(
        isinstance(c, Mapping) and isinstance(c.get("name"), str) for c in clients
    ):
        raise ApiError(f"Failed to {ACTION}: the answer is not a list of clients", status=200)
    return [client_facts(client) for client in clients]


def client_facts(client: Mapping[str, Any]) -> dict[str, Any]:
    """A client as the API shows it, as JSON-serializable facts without anything secret."""
    name = client["name"]
    shown = without_secrets(client, SECRET_KEYS | sensitive_keys(client))  # the address too, if Sensu hides it
    attributes = {k: v for k, v in shown.items() if k not in OWN_FACTS}
    environment = attributes.get("environment")
    keepalives = shown.get("keepalives", True)
    return {
        "name": name,
        "address": _text(shown.get("address")),
        "subscriptions": _subscriptions(shown.get("subscriptions"), name),
        "environment": environment if isinstance(environment, str) and environment else None,
        "keepalives": keepalives if isinstance(keepalives, bool) else True,
        "version": _text(shown.get("version")),
        "timestamp": shown.get("timestamp") if _is_int(shown.get("timestamp")) else None,
        "attributes": attributes,
    }


def without_secrets(value: Any, hidden: frozenset[str]) -> Any:
    """``value`` without the keys in ``hidden`` and without ``REDACTED`` values, at any depth."""
    if isinstance(value, Mapping):
        return {str(k): without_secrets(v, hidden) for k, v in value.items() if k not in hidden and v != REDACTED}
    if isinstance(value, list):
        return [without_secrets(item, hidden) for item in value if item != REDACTED]
    return value


def attribute_matches(facts: Mapping[str, Any], path: str, wanted: Any) -> bool:
    """Whether the client's attribute at ``path`` (dotted: ``socket.port``) is ``wanted`` as Sensu's own
    ``filter.<path>=<value>`` compares them: equal, or equal as text (``false`` matches ``"false"``, ``5``
    matches ``"5"``); a missing attribute reads as text ``""``, so ``None`` keeps the clients without it."""
    value: Any = {**facts["attributes"], **{k: facts[k] for k in OWN_FACTS}}
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted or _ruby_text(value) == _ruby_text(wanted)
    return value == wanted or _ruby_text(value) == _ruby_text(wanted)


def _subscriptions(value: Any, name: str) -> list[str]:
    """The client's subscriptions in the order Sensu keeps them, without its own ``client:<name>``."""
    found = [s for s in value if isinstance(s, str)] if isinstance(value, list) else []
    return [s for s in dict.fromkeys(found) if s != own_subscription(name)]


def _ruby_text(value: Any) -> str:
    """Ruby's ``to_s`` of a JSON scalar (``nil`` is ``""``, booleans ``true``/``false``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
