"""One export ("Refresh monitoring configuration") as the gearman worker runs it (GearmanWorkerCommand::
launchExport): the rows it writes into the `exports` table, in order and spread over the run's seconds. It
activates the configuration as it was when it was launched (`snapshot`), unless it fails (verify) or never ends
(stuck)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Monitored = dict[int, list[int]]  # host id -> its service ids, as the monitoring core runs them
OUTCOMES = ("success", "failure", "stuck")
PICKUP = 0.1  # the share of the run before the worker picks the job up (the `exports` table stays empty)

PARALLEL_TASKS = (
    ("export_create_default_config", "Create default configuration"),
    ("export_hosttemplates", "Create hosttemplate configuration"),
    ("export_hosts", "Create host configuration"),
    ("export_commands", "Create command configuration"),
    ("export_contacts", "Create contact configuration"),
    ("export_contactgroups", "Create contact group configuration"),
    ("export_timeperiods", "Create timeperiod configuration"),
    ("export_hostgroups", "Create host group configuration"),
    ("export_hostescalations", "Create host escalation configuration"),
    ("export_servicetemplates", "Create servicetemplate configuration"),
    ("export_services", "Create service configuration"),
    ("export_serviceescalations", "Create service escalation configuration"),
    ("export_servicegroups", "Create service group configuration"),
    ("export_hostdependencies", "Create host dependency configuration"),
    ("export_servicedependencies", "Create service dependency configuration"),
    ("export_userdefinedmacros", "Export user defined macros"),
)

Step = Callable[["ExportRun", int], None]


@dataclass(eq=False, kw_only=True)
class ExportRun:
    """An export launched by `user_id` at `started_at` (State.clock()); `rows` is the `exports` table it writes."""

    id: int
    user_id: int
    started_at: float
    seconds: float
    create_backup: bool
    satellites: dict[int, str]
    snapshot: Monitored
    outcome: str
    pickup: float = PICKUP  # the share of `seconds` before the worker writes its first row
    steps: list[Step] = field(default_factory=list)
    due: list[float] = field(default_factory=list)
    done_steps: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.plan(self.outcome)

    def plan(self, outcome: str, now: float | None = None) -> None:
        """The steps of `outcome` (a stuck run stops once the parallel tasks are queued); the steps still to come
        are due from `now` on (a stuck run given another outcome goes on at once)."""
        self.outcome = outcome
        self.steps = steps(outcome, self.create_backup, self.satellites)
        timed = steps("success", self.create_backup, self.satellites) if outcome == "stuck" else self.steps
        pickup = self.seconds * self.pickup
        count = len(timed)
        span = self.seconds - pickup
        self.due = [self.started_at + pickup + span * index / (count - 1) for index in range(count)]
        if now is not None:
            self.due = [max(due, now) if index < self.done_steps else now for index, due in enumerate(self.due)]

    @property
    def finished(self) -> bool:
        return self.done_steps >= len(self.steps) and self.outcome != "stuck"

    @property
    def succeeded(self) -> bool:
        return self.finished and self.outcome == "success"

    def advance(self, now: float, epoch: int) -> bool:
        """Write the rows that are due by `now`; whether the run has just finished."""
        before = self.finished
        while self.done_steps < len(self.steps) and self.due[self.done_steps] <= now:
            self.steps[self.done_steps](self, epoch)
            self.done_steps += 1
        return self.finished and not before

    def insert(self, task: str, text: str, epoch: int, finished: int = 0, successfully: int = 0) -> None:
        row_id = len(self.rows) + 1
        self.rows.append(
            {
                "id": row_id,
                "task": task,
                "text": text,
                "finished": finished,
                "successfully": successfully,
                "created": epoch,
                "modified": epoch,
            }
        )

    def finish(self, task: str, epoch: int, successfully: int = 1) -> None:
        for row in self.rows:
            if row["task"] == task:
                row.update(finished=1, successfully=successfully, modified=epoch)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "outcome": self.outcome,
            "create_backup": self.create_backup,
            "finished": self.finished,
            "succeeded": self.succeeded,
            "hosts": sorted(self.snapshot),
        }


def _task(task: str, text: str) -> list[Step]:
    """A task written unfinished, then finished well."""
    return [
        lambda run, epoch: run.insert(task, text, epoch),
        lambda run, epoch: run.finish(task, epoch),
    ]


def _parallel(run: ExportRun, epoch: int) -> None:
    for task, text in PARALLEL_TASKS:
        run.insert(task, text, epoch)


def _parallel_done(run: ExportRun, epoch: int) -> None:
    for task, _text in PARALLEL_TASKS:
        run.finish(task, epoch)


def _verify(outcome: str) -> Step:
    return lambda run, epoch: run.finish("export_verify_new_configuration", epoch, int(outcome == "success"))


def _end(outcome: str) -> Step:
    def end(run: ExportRun, epoch: int) -> None:
        overall = int(outcome == "success")
        run.insert("export_finished", "Refresh of configuration finished", epoch, finished=1, successfully=overall)
        run.finish("export_started", epoch, overall)

    return end


def _satellite(satellite_id: int, name: str) -> Step:
    text = f"Mark Satellite for configuration synchronization through NSTA daemon [{satellite_id}] {name}"
    return lambda run, epoch: run.insert(f"export_sync_sat_config_by_nsta_{satellite_id}", text, epoch, 1, 1)


def steps(outcome: str, create_backup: bool, satellites: dict[int, str]) -> list[Step]:
    """The worker's writes in order (launchExport): with `failure` the verify fails and nothing is reloaded."""
    plan: list[Step] = [
        lambda run, epoch: run.insert("export_started", "Started refresh of monitoring configuration", epoch)
    ]
    if create_backup:
        plan += _task("export_create_backup", "Create Backup of current configuration")
    plan += _task("export_delete_old_configuration", "Delete old configuration")
    plan += _task("before_export_external_tasks", "Execute pre export tasks")
    plan.append(_parallel)
    if outcome == "stuck":
        return plan
    plan.append(_parallel_done)
    plan += _task("after_export_external_tasks", "Execute post export tasks")
    plan += [lambda run, epoch: run.insert("export_verify_new_configuration", "Verifying new configuration", epoch)]
    plan.append(_verify(outcome))
    if outcome == "success":
        plan += _task("is_monitoring_engine_running", "Check if monitoring engine is running")
        plan += _task("export_reload_monitoring", "Reloading monitoring engine")
        plan += [_satellite(satellite_id, name) for satellite_id, name in satellites.items()]
        plan += _task("export_after_export_command", "Execute after export command")
    plan.append(_end(outcome))
    return plan
