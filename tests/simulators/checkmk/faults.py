"""Faults on demand: what networks, proxies, busy servers and colleagues do to API requests.

Rules (`POST /_simulator/faults/rules`) act on the API requests that match them, before or after the request
is processed: latency, an error status, a dropped connection, a race (another user changes the object
addressed, and records a pending change, right before the request is processed), or another user's long
activation starting right before the request. The switch
`silent_remote_downtimes` (`POST /_simulator/faults`) is a Checkmk bug and lives with the downtimes.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from . import validation as v
from .protocol import api, control_route, json_response, problem_response, state
from .state import NO_FAULTS, State

KINDS = ("latency", "error", "drop", "race", "activation")
METHODS = ("GET", "POST", "PUT", "DELETE")
ERROR_TITLES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
_OBJECT = re.compile(r"/objects/(host_config|folder_config)/([^/]+)")


@dataclass
class FaultRule:
    """Injected into every `every`-th API request matching `methods` and `path` (a regular expression searched
    in the path below the API root, without the query), at most `count` times (None: until lifted)."""

    kind: str
    methods: tuple[str, ...] = ()
    path: str = ""
    every: int = 1
    count: int | None = None
    after: bool = False  # latency, error, drop: once the request was processed (and its effects are kept)
    status: int = 503  # error
    seconds: float = 1.0  # latency; activation: how long it runs
    user_id: str = "colleague"  # race, activation
    attributes: dict[str, Any] = field(default_factory=dict)  # race: merged into the object's attributes
    title: str | None = None  # race: the folder's new title
    host_name: str | None = None  # race: instead, the downtimes of this host get `comment` (they are the colleague's)
    comment: str = "Taken over by a colleague"
    seen: int = 0
    injected: int = 0
    targets: list[str] = field(default_factory=list)  # race: the objects changed, as "host web01", "folder ~a"

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
        race_only = ("attributes", "title", "host_name", "comment", "targets")
        return {key: value for key, value in self.__dict__.items() if key not in race_only or self.kind == "race"}


def rule_body() -> v.Check:
    def regex(value: Any) -> v.Messages:
        if messages := v.string()(value):
            return messages
        try:
            re.compile(value)
        except re.error as exc:
            return [f"Not a valid regular expression: {exc}."]
        return None

    def positive(value: Any) -> v.Messages:
        return v.integer(value) or (None if value >= 1 else ["Must be at least 1."])

    def error_status(value: Any) -> v.Messages:
        return v.integer(value) or (None if value in ERROR_TITLES else [f"Must be one of {sorted(ERROR_TITLES)}."])

    fields = {
        "kind": v.enum(KINDS),
        "methods": v.list_of(v.enum(METHODS)),
        "path": regex,
        "every": positive,
        "count": positive,
        "after": v.boolean,
        "status": error_status,
        "seconds": v.seconds,
        "user_id": v.string(min_length=1),
        "attributes": lambda value: None if isinstance(value, dict) else ["Not a valid mapping type."],
        "title": v.string(min_length=1),
        "host_name": v.string(min_length=1),
        "comment": v.string(min_length=1),
    }
    return v.obj(fields, required=("kind",))


# --- Injection ------------------------------------------------------------------------------------


def api_path() -> str:
    return "/" + request.path.split("/api/", 1)[-1].split("/", 1)[-1]


@api.before_request
def inject_before() -> Response | None:
    st = state()
    with st.lock:
        firing = [rule for rule in st.fault_rules if rule.fires(request.method, api_path())]
        for rule in firing:
            rule.injected += 1
    g.faults_after = [rule for rule in firing if rule.after and rule.kind in ("latency", "error", "drop")]
    for rule in firing:
        if rule.kind == "race":
            race(st, rule)
        elif rule.kind == "activation":
            activate_as(st, rule)
        elif not rule.after:
            if answer := act(rule):
                return answer
    return None


@api.after_request
def inject_after(response: Response) -> Response:
    for rule in g.get("faults_after", ()):
        response = act(rule) or response
    return response


def act(rule: FaultRule) -> Response | None:
    """Sleep (and go on: None), or the answer that replaces the server's."""
    if rule.kind == "latency":
        time.sleep(rule.seconds)
        return None
    if rule.kind == "error":
        body = {"title": ERROR_TITLES[rule.status], "status": rule.status, "detail": "Injected by the simulator."}
        return problem_response(body, rule.status)
    # drop: shut the connection down; the server's write then fails and werkzeug lets it go quietly.
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        connection.shutdown(socket.SHUT_RDWR)
    return Response(status=500)


def race(st: State, rule: FaultRule) -> None:
    """Another user changes the object the request addresses (its attributes, a folder also its title), or only
    records a change when it addresses none, so that the request's If-Match is stale. With `host_name`, the
    colleague instead takes over that host's downtimes: gives them `comment` (downtimes have no ETag)."""
    with st.lock:
        st.settle()
        if rule.host_name is not None:
            for downtime in st.all_downtimes(st.config.sites):
                if downtime.host_name == rule.host_name:
                    downtime.comment, downtime.author = rule.comment, rule.user_id
                    rule.targets.append(f"downtime {downtime.site} {downtime.id}")
            return
        match = _OBJECT.search(api_path())
        host = st.hosts.get(match.group(2)) if match and match.group(1) == "host_config" else None
        folder = st.folder(match.group(2)) if match and match.group(1) == "folder_config" else None
        if host is not None:
            attributes = {key: value for key, value in host.attributes.items() if key != "meta_data"}
            st.set_host_attributes(host, {**attributes, **rule.attributes}, rule.user_id, "Modified host %s.")
            rule.targets.append(f"host {host.name}")
        elif folder is not None:
            attributes = {key: value for key, value in folder.attributes.items() if key != "meta_data"}
            st.edit_folder(folder, rule.title or folder.title, {**attributes, **rule.attributes}, rule.user_id)
            rule.targets.append(f"folder {folder.slug}")
        else:
            st.add_change_as({"user_id": rule.user_id})


def activate_as(st: State, rule: FaultRule) -> None:
    """Another user activates whatever is pending, for `seconds`, unless an activation runs already."""
    with st.lock:
        st.settle()
        if not st.running_activation():
            st.start_activation(rule.user_id, st.dirty_sites(), force=True, seconds=rule.seconds)


# --- Control endpoints ----------------------------------------------------------------------------


@control_route("/faults", "POST")
def set_faults() -> Response:
    """Switch faults on or off, `{"silent_remote_downtimes"?: bool}`; answers all switches."""
    st = state()
    st.faults.update(v.validate(request.get_json(silent=True), v.faults_body(st.faults)))
    return json_response(st.faults)


@control_route("/faults", "DELETE")
def lift_faults() -> Response:
    """Every switch off and every rule gone; answers what the rules injected."""
    st = state()
    answer = rules_json(st)
    st.faults.update(NO_FAULTS)
    st.fault_rules.clear()
    st.silenced_commands = 0
    return json_response(answer)


@control_route("/faults/rules", "POST")
def set_fault_rules() -> Response:
    """Replace the rules: `{"rules": [{"kind", ...}]}` (see README.md); answers them."""
    st = state()
    body = v.validate(request.get_json(silent=True), v.obj({"rules": v.list_of(rule_body())}, required=("rules",)))
    st.fault_rules[:] = [FaultRule(**rule) for rule in body["rules"]]
    for rule in st.fault_rules:
        rule.methods = tuple(rule.methods)
    return json_response(rules_json(st))


@control_route("/faults/rules")
def show_fault_rules() -> Response:
    return json_response(rules_json(st=state()))


def rules_json(st: State) -> dict[str, Any]:
    """The rules, and how many faults were injected since the last lift: by the rules, plus the downtime commands
    the switch `silent_remote_downtimes` lost."""
    injected = sum(rule.injected for rule in st.fault_rules) + st.silenced_commands
    return {"rules": [rule.json() for rule in st.fault_rules], "injected": injected}
