"""In-memory model of one Sensu installation as its API sees it: the settings loaded from the configuration
directory (and their reloads), the Redis data store (clients, results, history, events, silences, stashes,
aggregates), the sensu-clients that send keepalives, the check requests the API published, work the server does
later (client deletions), the transport's figures, plus the faults and the request log shared with the other
simulators."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..common.faults import FaultRule, Faults, string
from ..common.log import RequestLog
from . import settings
from .config import SimulatorConfig
from .redis import Redis
from .ruby import truthy


class SettingsError(Exception):
    """The configuration directory does not load: the server would not start."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"invalid Sensu settings: {errors}")
        self.errors = errors


@dataclass(eq=False, kw_only=True)
class Task:
    """Work the server does later (State.clock() >= due), at the next request."""

    due: float
    description: str
    run: Callable[[State], None]

    def json(self, now: float) -> dict[str, Any]:
        return {"task": self.description, "due_in": max(0.0, self.due - now)}


@dataclass
class SensuFaultRule(FaultRule):
    """Sensu's own kind (faults.py): `keepalive`, the live sensu-clients (or only `client`) send a keepalive right
    before the request."""

    own_kinds: ClassVar[tuple[str, ...]] = ("keepalive",)
    own_fields: ClassVar[tuple[str, ...]] = ("client",)
    client: str = ""


def new_faults() -> Faults:
    return Faults(rule_type=SensuFaultRule, kinds=SensuFaultRule.own_kinds, fields={"client": string})


def default_transport() -> dict[str, Any]:
    """One sensu-server consuming keepalives and results, nothing queued."""
    return {"keepalives": {"messages": 0, "consumers": 1}, "results": {"messages": 0, "consumers": 1}}


class State:
    """Everything one simulated Sensu knows. Hold `lock` around each request's reads and writes."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.wall_clock: Callable[[], float] = time.time  # tests may replace it
        self.offset = 0.0  # POST /_simulator/clock moves time forward
        self.redis = Redis(self.clock)
        self.server_id = str(uuid.uuid4())
        self.conf_dir: Path | None = config.conf_dir  # POST /_simulator/reload may point elsewhere
        loaded = settings.load(config.conf_dir)
        if not loaded.ok:
            raise SettingsError(loaded.errors)
        self.settings: dict[str, Any] = loaded.settings
        self.files = loaded.files
        self.reset()

    def reset(self) -> None:
        """A fresh start: an empty data store, the command line's configuration directory read again (the settings
        kept when it no longer loads)."""
        self.offset = 0.0
        self.conf_dir = self.config.conf_dir
        self.redis.flush()
        self.reloads = 0
        self.last_reload: dict[str, Any] | None = None
        self.load_settings()
        self.reloads = 0
        self.live_clients: dict[str, dict[str, Any]] = {}  # name -> the sensu-client's client settings
        self.check_requests: list[dict[str, Any]] = []
        self.tasks: list[Task] = []
        self.redis_connected = True
        self.transport_connected = True
        self.transport = default_transport()
        self.faults = new_faults()
        self.requests = RequestLog()

    # --- Time --------------------------------------------------------------------------------------------------

    def clock(self) -> float:
        return self.wall_clock() + self.offset

    def now(self) -> int:
        return int(self.clock())

    def later(self, seconds: float, description: str, run: Callable[[State], None]) -> None:
        self.tasks.append(Task(due=self.clock() + seconds, description=description, run=run))

    def settle(self) -> None:
        """The server's work that is due happens, in order."""
        while True:
            due = [task for task in self.tasks if task.due <= self.clock()]
            if not due:
                return
            task = min(due, key=lambda task: task.due)
            self.tasks.remove(task)
            task.run(self)

    # --- Settings ----------------------------------------------------------------------------------------------

    def load_settings(self) -> dict[str, Any]:
        """A reload (Enterprise: SIGHUP; Core: restarting sensu-server and sensu-api): the new settings when they
        load and validate, else the previous ones stay. Answers the outcome, also kept as `last_reload`."""
        loaded = settings.load(self.conf_dir)
        self.reloads += 1
        if loaded.ok:
            self.settings = loaded.settings
            self.files = loaded.files
        self.last_reload = {
            "ok": loaded.ok,
            "at": self.now(),
            "files": loaded.files,
            "errors": loaded.errors,
            "checks": list(settings.checks(self.settings)),
        }
        return self.last_reload

    def checks(self) -> dict[str, dict[str, Any]]:
        return settings.checks(self.settings)

    def credentials(self) -> tuple[str, str] | None:
        """The API's user and password: the command line's, else api.user and api.password of the settings."""
        if self.config.user is not None and self.config.password is not None:
            return self.config.user, self.config.password
        api = self.settings.get("api")
        if isinstance(api, dict) and truthy(api.get("user")) and truthy(api.get("password")):
            return api["user"], api["password"]
        return None

    @property
    def version(self) -> str:
        return self.config.version
