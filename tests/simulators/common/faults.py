"""Faults on demand, shared by the simulators: what networks, proxies, busy servers and colleagues do to API
requests.

A rule (`POST /_simulator/faults/rules`) acts on every `every`-th API request that matches its methods and path,
before or after the request is processed: `latency` (the answer comes late), `error` (a 5xx instead of the
answer), `drop` (the connection is shut, with no answer). A simulator adds kinds of its own (Checkmk: a colleague's
`race`, another user's `activation`) with the fields they need, and switches for its server's known bugs
(`POST /_simulator/faults`). `DELETE /_simulator/faults` lifts them all and answers how many faults were injected.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from flask import Blueprint, g, request
from werkzeug.wrappers import Response

METHODS = ("GET", "POST", "PUT", "DELETE")
ERROR_TITLES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
COMMON_KINDS = ("latency", "error", "drop")

Messages = list[str] | None
Check = Callable[[Any], Messages]


@dataclass
class FaultRule:
    """Injected into every `every`-th API request matching `methods` and `path` (a regular expression searched in
    the path below the API root, without the query), at most `count` times (None: until lifted). A simulator
    subclasses it for the fields of its own kinds, and names them in `own_fields`."""

    kind: str
    methods: tuple[str, ...] = ()
    path: str = ""
    every: int = 1
    count: int | None = None
    after: bool = False  # latency, error, drop: once the request was processed (and its effects are kept)
    status: int = 503  # error
    seconds: float = 1.0  # latency, and kinds of the simulators that take time
    seen: int = 0
    injected: int = 0
    targets: list[str] = field(default_factory=list)  # what a simulator's own kind changed

    # The fields of a simulator's own kinds, shown only for those kinds.
    own_kinds: tuple[str, ...] = field(default=(), init=False, repr=False)
    own_fields: tuple[str, ...] = field(default=(), init=False, repr=False)

    def fires(self, method: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        if self.path and not re.search(self.path, path):
            return False
        if self.count is not None and self.injected >= self.count:
            return False
        self.seen += 1
        return self.seen % self.every == 0

    def json(self) -> dict[str, Any]:
        hidden = {"own_kinds", "own_fields"}
        if self.kind not in self.own_kinds:
            hidden.update(self.own_fields, {"targets"})
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden}


class RuleError(Exception):
    """A rule or switch body the simulator refuses: `messages` per field, for the simulator's 400 answer."""

    def __init__(self, messages: dict[str, Any]) -> None:
        super().__init__(str(messages))
        self.messages = messages


def _regex(value: Any) -> Messages:
    if not isinstance(value, str):
        return ["Not a valid string."]
    try:
        re.compile(value)
    except re.error as exc:
        return [f"Not a valid regular expression: {exc}."]
    return None


def _integer(minimum: int) -> Check:
    def check(value: Any) -> Messages:
        if not isinstance(value, int) or isinstance(value, bool):
            return ["Not a valid integer."]
        return None if value >= minimum else [f"Must be at least {minimum}."]

    return check


def _seconds(value: Any) -> Messages:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ["Not a valid number."]
    return None if value >= 0 else ["Must be at least 0."]


def _boolean(value: Any) -> Messages:
    return None if isinstance(value, bool) else ["Not a valid boolean."]


def _methods(value: Any) -> Messages:
    if not isinstance(value, list) or any(m not in METHODS for m in value):
        return [f"Must be a list of {', '.join(METHODS)}."]
    return None


def _status(value: Any) -> Messages:
    return _integer(0)(value) or (None if value in ERROR_TITLES else [f"Must be one of {sorted(ERROR_TITLES)}."])


def string(value: Any) -> Messages:
    """A non-empty string: for a simulator's own fields."""
    return None if isinstance(value, str) and value else ["Not a valid non-empty string."]


def mapping(value: Any) -> Messages:
    return None if isinstance(value, dict) else ["Not a valid mapping type."]


COMMON_FIELDS: Mapping[str, Check] = {
    "methods": _methods,
    "path": _regex,
    "every": _integer(1),
    "count": _integer(1),
    "after": _boolean,
    "status": _status,
    "seconds": _seconds,
}


class Faults:
    """One simulator's faults: the rules in force, the switches of its server's bugs, and the faults injected
    outside the rules (a command a switch lost). Guarded by the simulator's lock."""

    def __init__(
        self,
        *,
        rule_type: type[FaultRule] = FaultRule,
        kinds: Iterable[str] = (),
        fields: Mapping[str, Check] | None = None,
        switches: Iterable[str] = (),
    ) -> None:
        self.rule_type = rule_type
        self.kinds = (*COMMON_KINDS, *kinds)
        self.fields = {**COMMON_FIELDS, **(fields or {})}
        self.switches: dict[str, bool] = dict.fromkeys(switches, False)
        self.rules: list[FaultRule] = []
        self.lost = 0

    def on(self, switch: str) -> bool:
        return self.switches[switch]

    def set_rules(self, body: Any) -> dict[str, Any]:
        """Replace the rules with those of `{"rules": [...]}`; RuleError names what is wrong."""
        if not isinstance(body, dict) or set(body) != {"rules"} or not isinstance(body["rules"], list):
            raise RuleError({"_schema": ['Expected {"rules": [...]}.']})
        parsed, problems = [], {}
        for index, rule in enumerate(body["rules"]):
            messages = self._rule_problems(rule)
            if messages:
                problems[str(index)] = messages
            else:
                parsed.append(self.rule_type(**{**rule, "methods": tuple(rule.get("methods", ()))}))
        if problems:
            raise RuleError({"rules": problems})
        self.rules[:] = parsed
        return self.json()

    def _rule_problems(self, rule: Any) -> dict[str, Any]:
        if not isinstance(rule, dict):
            return {"_schema": ["Not a valid mapping type."]}
        problems: dict[str, Any] = {}
        if rule.get("kind") not in self.kinds:
            problems["kind"] = [f"Must be one of {', '.join(self.kinds)}."]
        for name, value in rule.items():
            if name == "kind":
                continue
            check = self.fields.get(name)
            if check is None:
                problems[name] = ["Unknown field."]
            elif messages := check(value):
                problems[name] = messages
        return problems

    def set_switches(self, body: Any) -> dict[str, bool]:
        if not isinstance(body, dict):
            raise RuleError({"_schema": ["Not a valid mapping type."]})
        problems = {
            name: ["Unknown field."] if name not in self.switches else ["Not a valid boolean."]
            for name, value in body.items()
            if name not in self.switches or not isinstance(value, bool)
        }
        if problems:
            raise RuleError(problems)
        self.switches.update(body)
        return dict(self.switches)

    def lift(self) -> dict[str, Any]:
        """Every switch off and every rule gone; answers the rules and what they injected, as they were."""
        answer = self.json()
        self.switches = dict.fromkeys(self.switches, False)
        self.rules.clear()
        self.lost = 0
        return answer

    def json(self) -> dict[str, Any]:
        injected = sum(rule.injected for rule in self.rules) + self.lost
        return {"rules": [rule.json() for rule in self.rules], "injected": injected}

    def firing(self, method: str, path: str) -> list[FaultRule]:
        found = [rule for rule in self.rules if rule.fires(method, path)]
        for rule in found:
            rule.injected += 1
        return found


def install(
    api: Blueprint,
    *,
    faults: Callable[[], Faults],
    lock: Callable[[], threading.RLock],
    api_path: Callable[[], str],
    error: Callable[[int, str], Response],
    own_kind: Callable[[FaultRule], None] | None = None,
) -> None:
    """Inject the rules into `api`'s requests: `api_path()` is the path the rules' `path` is matched against,
    `error(status, title)` the simulator's answer for an injected 5xx, `own_kind(rule)` acts out a kind of the
    simulator's own (before the request is processed)."""

    @api.before_request
    def inject_before() -> Response | None:
        with lock():
            firing = faults().firing(request.method, api_path())
        g.faults_after = [rule for rule in firing if rule.after and rule.kind in COMMON_KINDS]
        for rule in firing:
            if rule.kind not in COMMON_KINDS:
                assert own_kind is not None, f"no handler for the fault kind {rule.kind!r}"
                own_kind(rule)
            elif not rule.after and (answer := act(rule, error)):
                return answer
        return None

    @api.after_request
    def inject_after(response: Response) -> Response:
        for rule in g.get("faults_after", ()):
            response = act(rule, error) or response
        return response


def act(rule: FaultRule, error: Callable[[int, str], Response]) -> Response | None:
    """Sleep (and go on: None), or the answer that replaces the server's."""
    if rule.kind == "latency":
        time.sleep(rule.seconds)
        return None
    if rule.kind == "error":
        return error(rule.status, ERROR_TITLES[rule.status])
    # drop: shut the connection down; the server's write then fails and werkzeug lets it go quietly.
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        connection.shutdown(socket.SHUT_RDWR)
    return Response(status=500)


def install_controls(
    route: Callable[[str, str], Callable[[Callable[[], Response]], Any]],
    *,
    faults: Callable[[], Faults],
    answer: Callable[[Any], Response],
    refuse: Callable[[dict[str, Any]], Exception],
) -> None:
    """The control endpoints of the faults, registered with the simulator's `route(rule, method)`: `answer(data)` is
    its JSON answer, `refuse(messages)` the error it raises for a body it refuses."""

    def changed(change: Callable[[], Any]) -> Response:
        try:
            return answer(change())
        except RuleError as refused:
            raise refuse(refused.messages) from None

    def set_faults() -> Response:
        """Switch the server's known bugs on or off, `{"<switch>": bool}`; answers all switches."""
        return changed(lambda: faults().set_switches(request.get_json(silent=True)))

    def lift_faults() -> Response:
        """Every switch off and every rule gone; answers the rules and what they injected."""
        return answer(faults().lift())

    def set_fault_rules() -> Response:
        """Replace the rules: `{"rules": [{"kind", ...}]}`; answers them."""
        return changed(lambda: faults().set_rules(request.get_json(silent=True)))

    def show_fault_rules() -> Response:
        return answer(faults().json())

    route("/faults", "POST")(set_faults)
    route("/faults", "DELETE")(lift_faults)
    route("/faults/rules", "POST")(set_fault_rules)
    route("/faults/rules", "GET")(show_fault_rules)
