"""In-memory model of an Opsview server: its configuration (objects by type and id), what the last successful
reload activated, reloads, the session tokens, the downtimes the monitoring core keeps and the commands queued for
it, plus the faults and the request log shared with the other simulators."""

from __future__ import annotations

import copy
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..common.faults import FaultRule, Faults, string
from ..common.log import RequestLog
from . import seed
from .config import SimulatorConfig
from .model import Objects, host_services

SERVER_STATUS = {0: "running", 1: "reloading", 2: "not running", 3: "configuration error", 4: "warnings"}


@dataclass
class Token:
    user: str
    expires: float  # wall clock


@dataclass(eq=False, kw_only=True)
class ReloadRun:
    """A reload: it activates the configuration as it was when the run started (`snapshot`, `seq`)."""

    id: int
    user: str
    asynchronous: bool
    seconds: float
    started_at: float  # State.clock()
    started: int  # epoch
    seq: int  # the configuration writes it activates: those up to this one
    snapshot: Objects
    outcome: dict[str, Any] | None  # a forced outcome (POST /_simulator/reload_outcome)
    finished: int | None = None
    server_status: int = 1
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def finishes_at(self) -> float:
        return self.started_at + self.seconds

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "asynchronous": self.asynchronous,
            "started": self.started,
            "finished": self.finished,
            "server_status": self.server_status,
            "succeeded": self.done and self.server_status in (0, 4),
            "messages": self.messages,
        }


@dataclass(eq=False, kw_only=True)
class Downtime:
    """One object's downtime in the core: a host's (`servicename` None) or a service's."""

    id: int
    host_id: int
    hostname: str
    servicename: str | None
    service_id: int | None
    start: int
    end: int
    comment: str
    author: str
    entry_time: int

    @property
    def object_id(self) -> int:
        return self.service_id if self.service_id is not None else self.host_id

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hostname": self.hostname,
            "servicename": self.servicename,
            "start_time": self.start,
            "end_time": self.end,
            "comment": self.comment,
            "author": self.author,
            "entry_time": self.entry_time,
        }


@dataclass(eq=False, kw_only=True)
class Command:
    """A downtime command waiting in the queue of the core: to `add` downtimes, or to remove those `remove`
    selects, once `due` (State.clock()) has come."""

    due: float
    user: str
    add: list[Downtime] = field(default_factory=list)
    remove: Callable[[Downtime], bool] | None = None
    description: str = ""


@dataclass
class OpsviewFaultRule(FaultRule):
    """Opsview's own kinds (faults.py): another user's `reload`, and another user's `change` to the object the
    request addresses."""

    own_kinds: ClassVar[tuple[str, ...]] = ("reload", "change")
    own_fields: ClassVar[tuple[str, ...]] = ("user",)
    user: str = "colleague"


def new_faults() -> Faults:
    return Faults(rule_type=OpsviewFaultRule, kinds=("reload", "change"), fields={"user": string})


class State:
    """Everything one simulated Opsview knows. Hold `lock` around each request's reads and writes."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = time.monotonic  # reload durations, downtime delays; tests may replace it
        self.wall_clock: Callable[[], float] = time.time  # epochs, token expiry, downtime ends; tests may replace it
        self.reset()

    def reset(self) -> None:
        now = int(self.wall_clock())
        self.objects: Objects = seed.objects(now)
        self.next_ids = {kind: max(objects, default=0) + 1 for kind, objects in self.objects.items()}
        self.next_item_id = 1000  # host attributes, management URLs
        self.write_seq = 0
        self.applied_seq = 0
        self.last_updated = now
        self.audit_entries = 0
        self.changes: list[dict[str, Any]] = []  # configuration changes, who made them and when
        self.applied: Objects = copy.deepcopy(self.objects)  # the configuration the last successful reload activated
        self.reloads: list[ReloadRun] = []
        self.next_outcome: dict[str, Any] | None = None
        self.server_status = 0
        self.messages: list[dict[str, str]] = []
        self.tokens: dict[str, Token] = {}
        self.service_ids: dict[tuple[int, str], int] = {}
        self.downtimes: list[Downtime] = []
        self.last_downtime_id = 0
        self.commands: list[Command] = []
        self.faults = new_faults()
        self.requests = RequestLog()
        self.reload_seconds = self.config.reload_seconds
        self.downtime_delay = self.config.downtime_delay
        self.token_lifetime = self.config.token_lifetime

    def settle(self) -> None:
        """What is due happens first, at every request (no threads): reloads finish, downtime commands are
        processed in order, downtimes that are over are gone."""
        run = self.running_reload()
        if run is not None and run.finishes_at <= self.clock():
            self.finish_reload(run)
        due = [command for command in self.commands if command.due <= self.clock()]
        for command in due:
            self.commands.remove(command)
            if command.remove is not None:
                self.downtimes = [downtime for downtime in self.downtimes if not command.remove(downtime)]
            self.downtimes += [downtime for downtime in command.add if downtime.host_id in self.applied["host"]]
        now = self.wall_clock()
        self.downtimes = [downtime for downtime in self.downtimes if downtime.end > now]

    # --- Sessions -----------------------------------------------------------------------------------

    def login(self, user: str, password: Any) -> str | None:
        if not isinstance(password, str) or self.config.users.get(user) != password:
            return None
        token = secrets.token_hex(20)
        self.tokens[token] = Token(user, self.wall_clock() + self.token_lifetime)
        return token

    def session(self, user: str, token: str) -> bool:
        """Whether `token` is `user`'s and alive; using it extends its life (a sliding hour by default)."""
        found = self.tokens.get(token)
        now = self.wall_clock()
        if found is not None and found.expires <= now:
            del self.tokens[token]
            found = None
        if found is None or found.user != user:
            return False
        found.expires = now + self.token_lifetime
        return True

    def live_tokens(self) -> int:
        now = self.wall_clock()
        return sum(1 for token in self.tokens.values() if token.expires > now)

    def expire_tokens(self) -> int:
        expired = self.live_tokens()
        self.tokens.clear()
        return expired

    # --- Configuration changes ----------------------------------------------------------------------

    def new_id(self, kind: str, wanted: int | None = None) -> int:
        object_id = wanted if wanted is not None else self.next_ids[kind]
        self.next_ids[kind] = max(self.next_ids[kind], object_id + 1)
        return object_id

    def new_item_id(self) -> int:
        self.next_item_id += 1
        return self.next_item_id

    def changed(self, user: str, what: str, obj: dict[str, Any] | None = None) -> None:
        """A configuration write: the object (if any) is uncommitted, the configuration pending."""
        self.write_seq += 1
        self.last_updated = int(self.wall_clock())
        self.audit_entries += 1
        if obj is not None:
            obj.update(uncommitted=True, seq=self.write_seq, last_updated=self.last_updated)
        self.changes.append({"seq": self.write_seq, "user": user, "what": what, "time": self.last_updated})

    @property
    def configuration_status(self) -> str:
        return "pending" if self.write_seq > self.applied_seq else "uptodate"

    def uncommitted(self) -> dict[str, list[str]]:
        return {
            kind: sorted(obj["name"] for obj in objects.values() if obj["uncommitted"])
            for kind, objects in self.objects.items()
            if any(obj["uncommitted"] for obj in objects.values())
        }

    # --- Reloads ------------------------------------------------------------------------------------

    def running_reload(self) -> ReloadRun | None:
        return next((run for run in self.reloads if not run.done), None)

    def start_reload(self, user: str, *, asynchronous: bool, seconds: float | None = None) -> ReloadRun:
        run = ReloadRun(
            id=len(self.reloads) + 1,
            user=user,
            asynchronous=asynchronous,
            seconds=self.reload_seconds if seconds is None else seconds,
            started_at=self.clock(),
            started=int(self.wall_clock()),
            seq=self.write_seq,
            snapshot=copy.deepcopy(self.objects),
            outcome=self.next_outcome,
        )
        self.next_outcome = None
        self.reloads.append(run)
        return run

    def finish_reload(self, run: ReloadRun) -> None:
        """The run ends as forced, else well: then what it started with is activated, those objects committed."""
        if run.done:
            return
        outcome = run.outcome or {"server_status": 0, "messages": []}
        run.server_status, run.messages = outcome["server_status"], outcome["messages"]
        run.finished = int(self.wall_clock())
        self.server_status, self.messages = run.server_status, run.messages
        if run.server_status not in (0, 4):
            return
        self.applied = run.snapshot
        self.applied_seq = max(self.applied_seq, run.seq)
        for objects in self.objects.values():
            for obj in objects.values():
                if obj["seq"] <= run.seq:
                    obj["uncommitted"] = False
        hosts = self.applied["host"]
        self.downtimes = [downtime for downtime in self.downtimes if downtime.host_id in hosts]

    def reload_status(self) -> dict[str, Any]:
        """GET /rest/reload: every value a string."""
        running = self.running_reload() is not None
        return {
            "auditlog_entries": str(self.audit_entries),
            "average_duration": str(math.ceil(self.reload_seconds / 10) * 10),
            "configuration_status": self.configuration_status,
            "lastupdated": str(self.last_updated),
            "messages": [] if running else self.messages,
            "server_status": "1" if running else str(self.server_status),
        }

    # --- Monitored objects (as last activated) ------------------------------------------------------

    def service_id(self, host_id: int, service: str) -> int:
        """A service's object id in the core: stable for a host and service name."""
        key = (host_id, service)
        if key not in self.service_ids:
            self.service_ids[key] = 100000 + len(self.service_ids) + 1
        return self.service_ids[key]

    def monitored_services(self, host_id: int) -> list[str]:
        host = self.applied["host"].get(host_id)
        return host_services(self.applied, host) if host is not None else []

    def new_downtime_id(self) -> int:
        self.last_downtime_id += 1
        return self.last_downtime_id
