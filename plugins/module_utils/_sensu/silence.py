# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensu silences (the downtime of Sensu classic): one entry of the silenced registry, by its id.

A silence mutes the handlers of the events of a subscription (``client:<name>`` is every client's own one), of a
check, or of a check on a subscription; checks still run and events are still created. Its id is
``<subscription or *>:<check or *>``, and Sensu keeps one silence per id: setting it again replaces it (and starts
its time again). So the id is the identity here, and removing a silence clears that id alone, never the other
silences of the same subscription or check.

Sensu shows a silence's ``expire`` as the seconds it has left (-1: it does not expire). The model's ``expire`` is
the duration the silence satisfies: a silence with time left within the declared ``expire`` counts as that
duration (it was set with it, its clock is running), one with more time left, or none, does not; ``expires_in``
has the seconds left.

``GET /silenced/ids/:id`` matches ids by their end only and answers the last match (Sensu 1.x's route), so it may
answer another silence (``xclient:web01:*`` for ``client:web01:*``): the answer is used only when its id is the
one asked for, else the whole registry is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu._client import (
    SUBSCRIPTION,
    SensuApi,
    segment,
    valid_name,
)
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sensu.client import own_subscription
from ansible_collections.lighthouse.monitoring.plugins.module_utils._sync import Model, overlay

ANY = "*"
# What a silence holds besides its id: sent back whole when it is set again.
FIELDS = ("subscription", "check", "reason", "creator", "expire_on_resolve", "begin")
# Redis keeps a TTL in seconds up to 2**63 - 1 milliseconds; a silence of 100 years is long enough.
MAX_EXPIRE = 100 * 366 * 86400


def silence_id(subscription: str | None, check: str | None) -> str:
    return f"{subscription or ANY}:{check or ANY}"


def desired_silence(
    *,
    client: str | None = None,
    subscription: str | None = None,
    check: str | None = None,
    reason: str | None = None,
    creator: str | None = None,
    expire: int | None = None,
    expire_on_resolve: bool | None = None,
) -> Model:
    """The model of the silence a task declares, checked as Sensu checks it (before anything is sent)."""
    if client is not None and subscription is not None:
        raise ValidationError(
            f"Cannot silence client {client!r} and subscription {subscription!r} at once: client is short for "
            f"subscription client:{client}; give one of them"
        )
    if client is not None:
        subscription = own_subscription(valid_name("client", client, purpose="silence a Sensu client"))
    what = f"silence {silence_id(subscription, check)!r}"
    if subscription is None and check is None:
        raise ValidationError("Cannot set a Sensu silence without a client, a subscription or a check: give one")
    if subscription is not None:
        valid_name("subscription", subscription, purpose=f"set {what}", pattern=SUBSCRIPTION)
    if check is not None:
        valid_name("check", check, purpose=f"set {what}")
    if expire is not None and (isinstance(expire, bool) or not isinstance(expire, int) or not 0 < expire <= MAX_EXPIRE):
        raise ValidationError(
            f"Cannot {what}: expire must be a positive number of seconds (at most {MAX_EXPIRE}), not {expire!r}; "
            "leave it out for a silence that does not expire"
        )
    model: Model = {"id": silence_id(subscription, check), "subscription": subscription, "check": check}
    for key, value in (("reason", reason), ("creator", creator), ("expire_on_resolve", expire_on_resolve)):
        if value is not None:
            model[key] = value
    model["expire"] = expire
    return model


def model_of(entry: Mapping[str, Any], declared_expire: int | None) -> Model:
    """A silence as the API shows it; ``expire`` as the duration it satisfies (see the module's docstring)."""
    left = entry.get("expire")
    left = left if isinstance(left, int) and not isinstance(left, bool) and left > 0 else None
    satisfied = (
        declared_expire if left is not None and declared_expire is not None and left <= declared_expire else left
    )
    model: Model = {"id": entry.get("id")}
    for key in FIELDS:
        model[key] = entry.get(key)
    model["expire_on_resolve"] = bool(entry.get("expire_on_resolve"))
    model["expire"] = satisfied
    model["expires_in"] = left
    return model


class SilenceResource:
    """One entry of Sensu's silenced registry, by id (a Resource of the sync engine)."""

    exact: frozenset[str] = frozenset()

    def __init__(self, api: SensuApi, silence: str, *, declared_expire: int | None = None) -> None:
        self.api = api
        self.id = silence
        self.declared_expire = declared_expire

    def read(self) -> Model | None:
        action = f"read Sensu silence {self.id!r}"
        entry = self.api.get(f"/silenced/ids/{segment(self.id)}", action=action)
        if entry is not None and entry.get("id") != self.id:
            listed = self.api.request("GET", "/silenced", action=action) or []
            entry = next((e for e in listed if isinstance(e, Mapping) and e.get("id") == self.id), None)
        return None if entry is None else model_of(entry, self.declared_expire)

    def create(self, desired: Model) -> Model:
        return self._set(desired, action=f"set Sensu silence {self.id!r}")

    def update(self, current: Model, desired: Model) -> Model:
        # Setting a silence replaces it whole: what the task does not declare is sent as it is.
        return self._set(overlay(current, desired), action=f"set Sensu silence {self.id!r} again")

    def delete(self, current: Model) -> None:
        self.api.request(
            "POST", "/silenced/clear", body={"id": self.id}, action=f"clear Sensu silence {self.id!r}", ok=(204, 200)
        )

    def _set(self, model: Model, *, action: str) -> Model:
        body = {key: model[key] for key in FIELDS if model.get(key) is not None}
        if model.get("expire") is not None:
            body["expire"] = model["expire"]
        self.api.request("POST", "/silenced", body=body, action=action, ok=(201, 200))
        after = self.read()
        if after is None:
            raise ValidationError(f"Sensu accepted silence {self.id!r} but does not list it; was it cleared since?")
        return after
