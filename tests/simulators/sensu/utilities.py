"""Sensu::Utilities (lib/sensu/utilities.rb) that the API and the server use on JSON data: deep merging, redacting
sensitive values, matching attributes (response filters, proxy check requests) and client token substitution."""

from __future__ import annotations

import re
from typing import Any

from .ruby import equal, split, to_s, uniq

REDACTED_KEYS = (
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
)
EVAL_PREFIX = "eval:"
TOKEN = re.compile(r":::([^:].*?):::")


class NotAHash(Exception):
    """An attribute looked up in something that is not a hash: Ruby raises (TypeError, NoMethodError)."""


def deep_merge(one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
    """Nested hashes merged, arrays concatenated without duplicates, anything else replaced."""
    merged = dict(one)
    for key, value in two.items():
        if isinstance(one.get(key), dict) and isinstance(value, dict):
            merged[key] = deep_merge(one[key], value)
        elif isinstance(one.get(key), list) and isinstance(value, list):
            merged[key] = uniq(one[key] + value)
        else:
            merged[key] = value
    return merged


def redact_sensitive(value: Any, keys: Any = None) -> Any:
    """The values of sensitive keys (the default list, or `keys` when not nil: an empty list redacts nothing)
    become "REDACTED", in hashes at any depth and in hashes inside arrays."""
    keys = REDACTED_KEYS if keys is None else keys
    if isinstance(value, dict):
        return {key: "REDACTED" if key in keys else _redact_item(item, keys) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_item(item, keys) for item in value]
    return value


def _redact_item(item: Any, keys: Any) -> Any:
    return redact_sensitive(item, keys) if isinstance(item, (dict, list)) else item


def attributes_match(subject: Any, attributes: dict[str, Any], support_eval: bool = True) -> bool:
    """`attributes_match?`: every attribute equal (`==`), or both hashes matching (recursively), or equal as strings
    (`to_s`: "false" matches false, "" matches a missing attribute). `eval:` expressions (Ruby code) are not run:
    they never match."""
    if not isinstance(subject, dict):
        raise NotAHash(f"cannot look up attributes in {type(subject).__name__}")
    for key, one in attributes.items():
        two = subject.get(key)
        if equal(one, two):
            continue
        if isinstance(one, dict) and isinstance(two, dict):
            if attributes_match(two, one, support_eval):
                continue
            return False
        if to_s(one) == to_s(two):
            continue
        return False  # an `eval:` value with support_eval would be evaluated here
    return True


def dot_notation_to_hash(dot_notation: str, value: Any) -> dict[str, Any]:
    """`filter.a.b=x` -> {"a": {"b": "x"}} (Ruby's split: trailing empty parts dropped)."""
    found: dict[str, Any] = {}
    for key in reversed(split(dot_notation, ".")):
        found = {key: value} if not found else {key: found}
    return found


def _attribute(tree: Any, path: list[str], default: Any) -> Any:
    """`find_attribute_value`."""
    attribute = tree.get(path[0]) if isinstance(tree, dict) and path else None
    if isinstance(attribute, dict) and len(path) > 1:
        return _attribute(attribute, path[1:], default)
    if isinstance(attribute, dict):
        return _attribute(attribute, [], default)
    return default if attribute is None else attribute


def substitute_tokens(text: str, attributes: dict[str, Any]) -> tuple[str, list[str]]:
    """`:::address|127.0.0.1:::` -> the client's address, or the default after the pipe; unmatched tokens listed."""
    unmatched: list[str] = []

    def replace(found: re.Match[str]) -> str:
        token, *default = found.group(1).split("|", 1)
        value = _attribute(attributes, token.split("."), default[0] if default else None)
        if value is None:
            unmatched.append(token)
            return ""
        return to_s(value)

    return TOKEN.sub(replace, text), unmatched


def object_substitute_tokens(value: Any, attributes: dict[str, Any]) -> tuple[Any, list[str]]:
    unmatched: list[str] = []
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            result[key], missing = object_substitute_tokens(item, attributes)
            unmatched += missing
        return result, list(dict.fromkeys(unmatched))
    if isinstance(value, list):
        items = []
        for item in value:
            substituted, missing = object_substitute_tokens(item, attributes)
            items.append(substituted)
            unmatched += missing
        return items, list(dict.fromkeys(unmatched))
    if isinstance(value, str):
        return substitute_tokens(value, attributes)
    return value, []
