# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensu clients (the monitored hosts): the model compared by the sync engine, and the resource that reads and
writes one client through the API.

The model: ``name``, ``address``, ``subscriptions`` (without ``client:<name>``, which Sensu adds to every client
itself; merged: the declared ones must be there, others stay, unless purged), ``keepalives`` (whether Sensu expects
keepalives: false for a client that only exists through the API), ``keepalive`` (its thresholds, handlers and
check attributes: shown, never written, see ClientResource.refuse_update) and ``attributes`` (every other
attribute of the client: custom ones such as ``environment``, and Sensu's own such as ``safe_mode`` or ``redact``;
merged by key, unless purged).

``POST /clients`` replaces the whole client, so an update lays the changes over the client as read and sends it
back whole. Sensu never shows the values of sensitive attributes (``password``, ``api_key``, ..., or those the
client's ``redact`` names): they read as ``REDACTED``. So such values are declared apart, as secret attributes:
written, never compared (they read as ``REDACTED`` on both sides), never shown; an attribute declared in the open
that Sensu hides is refused, and so is an update that would have to send a hidden value back unread. A deleted
client is gone a moment after Sensu answers (it resolves the client's events first): removal waits for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import SensuApi, segment, valid_name
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, overlay
from ansible_collections.lighthouse.monitoring.plugins.module_utils._wait import Deadline, poll

# What Sensu redacts when no ``redact`` list says otherwise (lib/sensu/utilities.rb, redact_sensitive).
SENSITIVE = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "api_key",
        "api_token",
        "access_key",
        "secret_key",
        "private_key",
        "secret",
        "routing_key",
        "access_token_read",
        "access_token_write",
        "access_token_path",
        "webhook_url",
        "nickserv_password",
        "channel_password",
        "community",
        "keystore_password",
        "truststore_password",
        "proxy_password",
        "access_key_id",
        "secret_access_key",
    }
)
REDACTED = "REDACTED"
# Keys of the model besides ``attributes``; what Sensu sets itself is not the client's to declare.
MODELLED = ("name", "address", "subscriptions", "keepalives", "keepalive")
SERVER_SET = ("version", "timestamp")


def own_subscription(name: str) -> str:
    return f"client:{name}"


def redacted_paths(value: Any, path: str = "") -> list[str]:
    """Where ``value`` holds ``REDACTED`` (dotted paths, list items by index)."""
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in redacted_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in redacted_paths(v, f"{path}[{i}]")]
    return [path] if value == REDACTED else []


def sensitive_paths(value: Any, keys: frozenset[str], path: str = "") -> list[str]:
    """Where ``value`` holds a key Sensu redacts (dotted paths, list items by index)."""
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found.extend([where] if key in keys else sensitive_paths(item, keys, where))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(sensitive_paths(item, keys, f"{path}[{index}]"))
    return found


def sensitive_keys(attributes: Mapping[str, Any] | None) -> frozenset[str]:
    """The keys Sensu redacts for a client: its own ``redact`` list, else the defaults."""
    listed = (attributes or {}).get("redact")
    if isinstance(listed, list) and all(isinstance(k, str) for k in listed):
        return frozenset(listed)
    return SENSITIVE


def desired_client(
    name: str,
    *,
    address: str | None = None,
    subscriptions: Sequence[str] | None = None,
    keepalives: bool | None = None,
    attributes: Mapping[str, Any] | None = None,
    secret_attributes: Mapping[str, Any] | None = None,
) -> Model:
    """The model of what a task declares (only what it declares), checked as Sensu would check it. The values of
    ``secret_attributes`` read as ``REDACTED`` in it: they are written, never compared nor shown."""
    valid_name("client", name, purpose="manage a Sensu client")
    purpose = f"manage Sensu client {name!r}"
    model: Model = {"name": name}
    if address is not None:
        if not address.strip():
            raise ValidationError(f"Cannot {purpose}: address is empty; leave it out to keep the client's address")
        model["address"] = address
    if subscriptions is not None:
        for item in subscriptions:
            if not isinstance(item, str) or not item.strip():
                raise ValidationError(f"Cannot {purpose}: every subscription must be a non-empty string, not {item!r}")
        model["subscriptions"] = sorted(set(subscriptions) - {own_subscription(name)})
    if keepalives is not None:
        model["keepalives"] = keepalives
    if attributes is not None or secret_attributes is not None:
        plain, secret = dict(attributes or {}), dict(secret_attributes or {})
        clash = sorted((set(plain) | set(secret)) & {*MODELLED, *SERVER_SET})
        if clash:
            raise ValidationError(
                f"Cannot {purpose}: attributes may not set {', '.join(clash)} "
                "(use the module's own options; Sensu sets version and timestamp itself)"
            )
        twice = sorted(set(plain) & set(secret))
        if twice:
            raise ValidationError(f"Cannot {purpose}: {', '.join(twice)} given in attributes and in secret_attributes")
        problems = own_attribute_problems({**plain, **secret})
        if problems:
            raise ValidationError(f"Cannot {purpose}: Sensu would refuse it: {'; '.join(problems)}")
        literal = redacted_paths(plain)
        if literal:
            raise ValidationError(
                f"Cannot {purpose}: attributes.{literal[0]} is {REDACTED!r}, which is how Sensu shows a hidden value; "
                "it cannot be told apart"
            )
        hidden = sensitive_paths(plain, sensitive_keys(plain))
        if hidden:
            raise ValidationError(
                f"Cannot {purpose}: Sensu hides the value of attributes.{hidden[0]}; declare "
                f"{hidden[0].split('.')[0].split('[')[0]} in secret_attributes, which stays out of logs and output"
            )
        model["attributes"] = {**plain, **dict.fromkeys(secret, REDACTED)}
    return model


def _kind(value: Any, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)  # "strings"


# Sensu's own client attributes and the types its client validator demands (sensu-settings validators/client.rb);
# a dict gives the keys of a hash attribute.
OWN_ATTRIBUTES: dict[str, Any] = {
    "safe_mode": "bool",
    "redact": "strings",
    "signature": "str",
    "socket": {"enabled": "bool", "bind": "str", "port": "int"},
    "http_socket": {
        "enabled": "bool",
        "bind": "str",
        "port": "int",
        "user": "str",
        "password": "str",
        "protect_all_endpoints": "bool",
    },
    "registration": {"handler": "str", "handlers": "strings", "status": "int"},
    "deregistration": {"handler": "str", "handlers": "strings", "status": "int"},
}
_KIND_TEXT = {"bool": "true or false", "int": "a whole number", "str": "a string", "strings": "a list of strings"}


def own_attribute_problems(attributes: Mapping[str, Any]) -> list[str]:
    """Sensu's own attributes among ``attributes`` that its validator would refuse (the API answers a bare 400)."""
    problems = []
    for key, rule in OWN_ATTRIBUTES.items():
        value = attributes.get(key)
        if value is None:
            continue
        if isinstance(rule, str):
            if not _kind(value, rule):
                problems.append(f"{key} must be {_KIND_TEXT[rule]}")
        elif not isinstance(value, Mapping):
            problems.append(f"{key} must be a dictionary")
        else:
            problems.extend(
                f"{key}.{inner} must be {_KIND_TEXT[kind]}"
                for inner, kind in rule.items()
                if value.get(inner) is not None and not _kind(value[inner], kind)
            )
    return problems


def model_of(client: Mapping[str, Any]) -> Model:
    """The model of a client as the API shows it."""
    name = str(client.get("name"))
    subscriptions = client.get("subscriptions") or []
    model: Model = {
        "name": name,
        "address": client.get("address"),
        "subscriptions": sorted({s for s in subscriptions if s != own_subscription(name)}),
        "keepalives": client.get("keepalives", True),
        "keepalive": dict(client.get("keepalive") or {}),
        "attributes": {k: v for k, v in client.items() if k not in (*MODELLED, *SERVER_SET)},
    }
    return model


class ClientResource:
    """One Sensu client, by name (a Resource of the sync engine)."""

    merged = frozenset({"subscriptions"})

    def __init__(
        self,
        api: SensuApi,
        name: str,
        *,
        purge: frozenset[str] = frozenset(),
        secret: Mapping[str, Any] | None = None,
        plain: Mapping[str, Any] | None = None,
        invalidate: bool = False,
        invalidate_expire: int | None = None,
        wait_timeout: float = 30,
        require_address: bool = False,
    ) -> None:
        """``secret``: the declared secret attributes as they are (the desired model given to the engine has them
        as ``REDACTED``, and so has the model read); ``plain``: the declared attributes, which Sensu must show."""
        if invalidate_expire is not None and not invalidate:
            raise ValidationError(
                f"Cannot remove Sensu client {name!r}: invalidate_expire is the time an invalidation lasts; "
                "set invalidate: true with it"
            )
        if invalidate_expire is not None and not 0 < invalidate_expire:
            raise ValidationError(
                f"Cannot remove Sensu client {name!r}: invalidate_expire must be a positive number of seconds, "
                f"not {invalidate_expire!r}"
            )
        self.api = api
        self.name = name
        self.exact = frozenset(purge)
        self.secret = dict(secret or {})
        self.plain = dict(plain or {})
        self.invalidate = invalidate
        self.invalidate_expire = invalidate_expire
        self.wait_timeout = wait_timeout
        self.require_address = require_address
        self.path = f"/clients/{segment(name)}"

    def read(self) -> Model | None:
        client = self.api.get(self.path, action=f"read Sensu client {self.name!r}")
        if client is None and self.require_address:
            raise ValidationError(
                f"Cannot create Sensu client {self.name!r}: Sensu needs an address for a new client; declare address"
            )
        if client is None:
            return None
        model = model_of(client)
        shown = model["attributes"]
        hidden = [path for path in redacted_paths(shown) if path.split(".")[0].split("[")[0] in self.plain]
        if hidden:
            raise ValidationError(
                f"Cannot manage Sensu client {self.name!r}: Sensu hides attributes.{hidden[0]} (the client's redact "
                "list), so it cannot be compared; declare it in secret_attributes"
            )
        for key in self.secret:
            if key in shown:
                shown[key] = REDACTED
        return model

    def create(self, desired: Model) -> Model:
        self._send(self._unredacted(desired), action=f"create Sensu client {self.name!r}")
        return self._read_back()

    def refuse_update(self, current: Model, desired: Model) -> None:
        """An update that would fail on the server or lose a value Sensu does not show is refused (check mode too)."""
        if current.get("keepalive"):
            # sensu-settings' client validator checks a keepalive hash with check validations that the API's
            # validator does not include: the API fails with a 500 for every client that has one.
            raise ValidationError(
                f"Cannot update Sensu client {self.name!r}: it has keepalive settings, and Sensu's API fails (500) "
                "for any client written with them; change it in its own configuration (client.json)"
            )
        unread = redacted_paths(self._whole(current, desired))
        if unread:
            raise ValidationError(
                f"Cannot update Sensu client {self.name!r}: the API shows {', '.join(unread)} as {REDACTED}, and "
                "Sensu replaces a client whole, so the value would be lost; declare it in secret_attributes"
            )

    def update(self, current: Model, desired: Model) -> Model:
        self.refuse_update(current, desired)
        self._send(self._whole(current, desired), action=f"update Sensu client {self.name!r}")
        return self._read_back()

    def _whole(self, current: Model, desired: Model) -> Model:
        """The client to send: the current one with the declared changes, secret values as they are."""
        return self._unredacted(overlay(current, desired, exact=self.exact, merged=self.merged))

    def delete(self, current: Model) -> None:
        query: dict[str, Any] = {}
        if self.invalidate:
            query["invalidate"] = "true"
            if self.invalidate_expire is not None:
                query["invalidate_expire"] = self.invalidate_expire
        self.api.request(
            "DELETE", self.path, query=query, action=f"delete Sensu client {self.name!r}", ok=(202, 200, 204)
        )
        what = f"the removal of Sensu client {self.name!r}"
        poll(lambda: self.read() is None, deadline=Deadline(self.wait_timeout), what=what)

    def _unredacted(self, model: Model) -> Model:
        """``model`` with the declared secret attributes as they are."""
        if not self.secret:
            return model
        return {**model, "attributes": {**model.get("attributes", {}), **self.secret}}

    def _send(self, model: Model, *, action: str) -> None:
        body = {**model.get("attributes", {}), **{k: model[k] for k in MODELLED if model.get(k) not in (None, {})}}
        self.api.request("POST", "/clients", body=body, action=action, ok=(201, 200))

    def _read_back(self) -> Model:
        after = self.read()
        if after is None:
            raise ValidationError(f"Sensu accepted client {self.name!r} but does not list it; was it removed since?")
        return after
