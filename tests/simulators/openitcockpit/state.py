"""In-memory model of one openITCOCKPIT server: its configuration (containers, tenants, locations, host
templates, host groups, hosts and their services), the changelog, the `exports` table and the runs that fill it,
what the monitoring core runs (the last successful export) with its downtimes and the commands queued for it, plus
the faults and the request log shared with the other simulators."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..common.faults import FaultRule, Faults, string
from ..common.log import RequestLog
from . import model, tree
from .config import DEFAULT_TEMPLATE, SimulatorConfig
from .export_run import PICKUP, ExportRun, Monitored
from .usertime import UserTime

Row = dict[str, Any]
API_USER_ID = 1


@dataclass(eq=False, kw_only=True)
class Downtime:
    """A downtime the monitoring core keeps (a row of the downtime history): a host's (`service_id` None) or a
    service's. Cancelled ones stay, as in Statusengine's history."""

    id: int  # internal_downtime_id: one counter for host and service downtimes
    host_id: int
    service_id: int | None
    author: str
    comment: str
    entry_time: int
    start: int
    end: int
    cancelled: bool = False
    actual_end: int = 0

    def json(self) -> dict[str, Any]:
        return {
            "internalDowntimeId": self.id,
            "host_id": self.host_id,
            "service_id": self.service_id,
            "author": self.author,
            "comment": self.comment,
            "entry_time": self.entry_time,
            "start": self.start,
            "end": self.end,
            "cancelled": self.cancelled,
        }


@dataclass(eq=False, kw_only=True)
class Command:
    """An external command on its way to the monitoring core (Gearman, Statusengine's queue), processed once `due`
    (State.clock()) has come; `queues` names the way it takes (a satellite host's go to its satellite too)."""

    due: float
    description: str
    queues: tuple[str, ...]
    run: Callable[[State], None]

    def json(self, now: float) -> dict[str, Any]:
        return {"command": self.description, "queues": list(self.queues), "due_in": max(0.0, self.due - now)}


@dataclass
class OitcFaultRule(FaultRule):
    """openITCOCKPIT's own kinds (faults.py): another user's `export` starting right before the request, and another
    user's `change` to the configuration."""

    own_kinds: ClassVar[tuple[str, ...]] = ("export", "change")
    own_fields: ClassVar[tuple[str, ...]] = ("user",)
    user: str = "colleague"


def new_faults() -> Faults:
    return Faults(rule_type=OitcFaultRule, kinds=OitcFaultRule.own_kinds, fields={"user": string})


class State:
    """Everything one simulated openITCOCKPIT knows. Hold `lock` around each request's reads and writes."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = time.monotonic  # delays and export runs; tests may replace it
        self.wall_clock: Callable[[], float] = time.time  # epochs: created, downtimes; tests may replace it
        self.user_time = UserTime(config.timezone)
        self.satellites = dict(enumerate(config.satellites, start=1))
        self.reset()

    def reset(self) -> None:
        self.containers = tree.seed()
        self.tenants: dict[int, Row] = {}
        self.locations: dict[int, Row] = {}
        self.hosttemplates: dict[int, Row] = {1: model.hosttemplate(1, DEFAULT_TEMPLATE, model.DEFAULT_TEMPLATE_UUID)}
        for index, name in enumerate(self.config.hosttemplates, start=2):
            self.hosttemplates[index] = model.hosttemplate(index, name)
        self.hostgroups: dict[int, Row] = {}
        self.hosts: dict[int, Row] = {1: model.default_host()}
        self.services: dict[int, Row] = {}
        self.users: dict[int, Row] = {
            API_USER_ID: {"id": API_USER_ID, "firstname": "John", "lastname": "Doe", "email": "john.doe@example.org"}
        }
        self.next_ids: dict[str, int] = {}
        self.add_services(self.hosts[1])
        self.monitored: Monitored = self.snapshot()  # the seeded configuration counts as exported
        self.downtimes: list[Downtime] = []
        self.last_downtime_id = 0
        self.commands: list[Command] = []
        self.runs: list[ExportRun] = []
        self.export_outcome = "success"
        self.config_files_ok = True  # what verifyConfig finds on disk (the last export's files)
        self.changelog: list[Row] = []
        self.faults = new_faults()
        self.requests = RequestLog()

    # --- Ids, time -------------------------------------------------------------------------------------

    def new_id(self, kind: str, table: dict[int, Any]) -> int:
        """Auto-increment: never reused, also after a delete."""
        next_id = max(self.next_ids.get(kind, 1), max(table, default=0) + 1)
        self.next_ids[kind] = next_id + 1
        return next_id

    def now(self) -> int:
        return int(self.wall_clock())

    @property
    def user_fullname(self) -> str:
        return full_name(self.users[API_USER_ID])

    def colleague(self, name: str) -> int:
        """The id of another user called `name` (made on first use)."""
        for user_id, user in self.users.items():
            if user["firstname"] == name and user_id != API_USER_ID:
                return user_id
        user_id = max(self.users) + 1
        self.users[user_id] = {"id": user_id, "firstname": name, "lastname": "", "email": f"{name}@example.org"}
        return user_id

    # --- Configuration ---------------------------------------------------------------------------------

    def add_services(self, host: Row) -> None:
        """The services a new host gets: those configured for its template."""
        template = self.hosttemplates[host["hosttemplate_id"]]
        for name in self.config.services_of(template["name"]):
            service_id = self.new_id("service", self.services)
            self.services[service_id] = {
                "id": service_id,
                "uuid": model.new_uuid(),
                "host_id": host["id"],
                "servicetemplate": name,
                "name": None,
                "disabled": 0,
            }

    def host_services(self, host_id: int) -> list[Row]:
        return [service for service in self.services.values() if service["host_id"] == host_id]

    def log_change(
        self,
        action: str,
        model_name: str,
        object_id: Any,
        objecttype_id: int,
        name: str,
        containers: list[int],
        data: list[Any] | None = None,
        user_id: int = API_USER_ID,
    ) -> None:
        """A changelog row (ChangelogsTable::parseDataForChangelog), the newest last."""
        self.changelog.append(
            {
                "id": len(self.changelog) + 1,
                "model": model_name,
                "action": action,
                "object_id": object_id,
                "objecttype_id": objecttype_id,
                "data": data or [],
                "name": name,
                "created": self.now(),
                "user_id": user_id,
                "containers": containers,
            }
        )

    # --- Monitoring -------------------------------------------------------------------------------------

    def snapshot(self) -> Monitored:
        """What an export launched now would give the monitoring core: the enabled hosts and services."""
        return {
            host_id: [s["id"] for s in self.host_services(host_id) if not s["disabled"]]
            for host_id, host in self.hosts.items()
            if not host["disabled"]
        }

    def is_monitored(self, host_id: int) -> bool:
        return host_id in self.monitored and host_id in self.hosts

    def service_monitored(self, service: Row) -> bool:
        return service["id"] in self.monitored.get(service["host_id"], []) and service["id"] in self.services

    def settle(self) -> None:
        """What is due happens first, at every request (no threads): the export runs write their rows (a finished
        one activates its snapshot), the core processes the downtime commands in order."""
        now, epoch = self.clock(), self.now()
        for run in self.runs:
            if run.advance(now, epoch):
                self.export_finished(run)
        due = [command for command in self.commands if command.due <= now]
        for command in due:
            self.commands.remove(command)
            command.run(self)

    # --- Exports ----------------------------------------------------------------------------------------

    @property
    def export_rows(self) -> list[Row]:
        """The `exports` table: the rows of the last launched run."""
        return self.runs[-1].rows if self.runs else []

    def export_running(self) -> bool:
        """ExportsController: a row `export_started` that is not finished."""
        return any(row["task"] == "export_started" and row["finished"] == 0 for row in self.export_rows)

    def launch_export(
        self, user_id: int, *, create_backup: bool, seconds: float | None = None, pickup: float = PICKUP
    ) -> ExportRun:
        """The table is emptied and a worker job queued; the changelog records who started it. With `pickup` 0 the
        worker writes its first row at once (another user's export that is under way)."""
        run = ExportRun(
            id=len(self.runs) + 1,
            user_id=user_id,
            started_at=self.clock(),
            seconds=self.config.export_seconds if seconds is None else seconds,
            create_backup=create_backup,
            satellites=dict(self.satellites),
            snapshot=self.snapshot(),
            outcome=self.export_outcome,
            pickup=pickup,
        )
        self.runs.append(run)
        name = "Refresh of monitoring configuration started"
        self.log_change("export", "Export", 1, model.OBJECT_EXPORT, name, [tree.ROOT], user_id=user_id)
        if run.advance(self.clock(), self.now()):
            self.export_finished(run)
        return run

    def export_finished(self, run: ExportRun) -> None:
        """A successful run activates its snapshot; the files on disk are those it wrote either way."""
        self.config_files_ok = run.succeeded
        if run.succeeded:
            self.monitored = run.snapshot
        result = "successfully" if run.succeeded else "with an error"
        name = f"Refresh of monitoring configuration finished {result}"
        self.log_change("export", "Export", 1, model.OBJECT_EXPORT, name, [tree.ROOT], user_id=0)

    def set_export_outcome(self, outcome: str) -> None:
        """How exports end from now on; a stuck run goes on with the new outcome at once."""
        self.export_outcome = outcome
        for run in self.runs:
            if run.outcome == "stuck" and outcome != "stuck":
                run.plan(outcome, now=self.clock())

    # --- Downtimes --------------------------------------------------------------------------------------

    def new_downtime_id(self) -> int:
        self.last_downtime_id += 1
        return self.last_downtime_id

    def queue(self, description: str, host: Row, run: Callable[[State], None]) -> None:
        """A command to the core, processed `downtime_delay` seconds from now; a satellite host's command goes to
        its satellite as well (ExternalCommands::toQueue)."""
        queues = ("statusngin_cmd", "statusngin_cmd_sattx") if host["satellite_id"] else ("statusngin_cmd",)
        self.commands.append(
            Command(due=self.clock() + self.config.downtime_delay, description=description, queues=queues, run=run)
        )


def full_name(user: Row) -> str:
    return f"{user['firstname']} {user['lastname']}".strip()
