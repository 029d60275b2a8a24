"""What every backend's fault suite shares (test_faults.py for Checkmk, test_faults_opsview.py for Opsview,
test_faults_openitcockpit.py for openITCOCKPIT, test_faults_sensu.py for Sensu): the scenario's shape, the play
runner whose callback records the simulator's state after each task, the judging of each task by that state, the
tally and its summary line.

A suite names its play, its scenarios and, per task, what the task must have left on the server when it reports
ok or changed (``Check``); :func:`judge` then applies the rules every suite keeps: faults were injected, no task
reported success without converging, every failure is one clean line that the scenario allows, at most as many as
it allows, and the run after the lift did not fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    FAULT_SUMMARY,
    REPO,
    Simulator,
    run_playbook,
)

CALLBACKS = REPO / "tests" / "integration" / "callback_plugins"
# One summary file per suite; conftest.py prints the first line of each that this session wrote.
SUMMARIES = {
    "checkmk": FAULT_SUMMARY,
    "opsview": FAULT_SUMMARY.with_name("fault-suite-opsview.txt"),
    "openitcockpit": FAULT_SUMMARY.with_name("fault-suite-openitcockpit.txt"),
    "sensu": FAULT_SUMMARY.with_name("fault-suite-sensu.txt"),
}

# What a task must have left on the server when it reports ok or changed: problems, given (entry, before, after).
Check = Callable[[dict, dict, dict], list[str]]


@dataclass(frozen=True)
class Scenario:
    rules: list[dict[str, Any]] = field(default_factory=list)
    switches: dict[str, bool] = field(default_factory=dict)
    may_fail: dict[str, str] = field(default_factory=dict)  # failures allowed (a pattern) -> why
    most: int = 0  # how many tasks may fail under the fault at most
    most_as_injected_by: int | None = None  # instead: at most as many as that rule (an index) injected faults

    def allows(self, failure: str) -> bool:
        return any(re.search(pattern, failure) for pattern in self.may_fail)


@dataclass
class Tally:
    """A suite's counts over its scenarios. ``counted`` names the problems the summary line reports (in order,
    secret leaks last), each of which must be 0."""

    title: str
    counted: tuple[str, ...]
    faults_injected: int = 0
    tasks_run: int = 0
    failed_cleanly: int = 0  # tasks that failed under a fault, each with one clean line, each allowed
    false_successes: int = 0  # tasks that reported ok or changed without having converged
    counts: dict[str, int] = field(default_factory=dict)
    scenarios: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # per scenario: faults injected, the clean failures

    def __post_init__(self) -> None:
        self.counts = dict.fromkeys(self.counted, 0)

    def add(self, counts: Mapping[str, int]) -> None:
        for name, n in counts.items():
            self.counts[name] += n

    def line(self) -> str:
        problems = ", ".join(f"{name}: {n}" for name, n in self.counts.items())
        return (
            f"{self.title}: {len(self.scenarios)} scenarios, faults injected: {self.faults_injected}, "
            f"tasks run: {self.tasks_run} ({self.failed_cleanly} failed with one clean line under a fault, each "
            "allowed by its scenario; all converged after it was lifted), "
            f"reported success without converging: {self.false_successes}, {problems}"
        )

    def write(self, path: Path) -> None:
        """The summary file (its first line is what conftest.py prints); asserts that nothing went wrong."""
        assert self.scenarios, "no scenario ran"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([self.line(), *self.details]) + "\n", encoding="utf-8")
        assert (self.false_successes, *self.counts.values()) == (0,) * (1 + len(self.counts)), self.line()


@dataclass
class Run:
    """One run of the play: each task's result, with the server's state right after it."""

    entries: list[dict]
    start: dict  # the state before the first task
    output: str

    def windows(self) -> Iterable[tuple[dict, dict, dict]]:
        """(entry, state before the task, state after it), task by task."""
        before = self.start
        for entry in self.entries:
            yield entry, before, entry["state"]
            before = entry["state"]

    @property
    def end(self) -> dict:
        return self.entries[-1]["state"] if self.entries else self.start


def play(
    sim: Simulator, playbook: Path, tmp: Path, name: str, *extra: str, env: Mapping[str, str] | None = None
) -> Run:
    """Run ``playbook`` at -vvv with diff, recording every task's result and the simulator's state after it."""
    results_file = tmp / f"{name}.jsonl"
    env = {
        **sim.env,
        **(env or {}),
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "RECORD_RESULTS_FILE": str(results_file),
        "RECORD_STATE_URL": f"{sim.url}/_simulator/state",
    }
    start = sim.control("state")
    done = run_playbook(playbook, env, "-vvv", "--diff", *extra)
    assert done.rc == 0, done.output[-3000:]
    text = results_file.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    return Run(entries, start, done.output + text)


# --- Judging ------------------------------------------------------------------------------------------------------


def holds(actual: Any, declared: Any) -> bool:
    """Whether ``actual`` has what ``declared`` declares (dicts key by key, as the modules merge them)."""
    if isinstance(declared, dict):
        return isinstance(actual, dict) and all(holds(actual.get(k), v) for k, v in declared.items())
    return actual == declared


def false_successes(run: Run, converged: Mapping[str, Check]) -> list[str]:
    """Tasks that reported ok or changed although the server shows they did not converge."""
    wrong = []
    for entry, before, after in run.windows():
        check = converged.get(entry["task"])
        assert check is not None, f"the suite does not know how to judge the task {entry['task']!r}"
        if entry["status"] == "ok":
            wrong.extend(f"{entry['task']}: reported {said(entry)} but {p}" for p in check(entry, before, after))
    return wrong


def said(entry: dict) -> str:
    return "changed" if entry["result"].get("changed") else "ok"


def unclean(entry: dict) -> list[str]:
    """Why a failed task's result is not one clean line (empty if it is, or if the task did not fail)."""
    if entry["status"] == "ok":
        return []
    loop = entry["result"].get("results")
    problems = []
    for item in loop or [entry["result"]]:
        if loop and not item.get("failed"):
            continue
        msg = item.get("msg")
        if not isinstance(msg, str) or not msg or "\n" in msg.strip() or "Traceback" in msg:
            problems.append(f"{entry['task']}: not one line: {msg!r}")
        elif "module_stderr" in item or "MODULE FAILURE" in msg or "Traceback" in str(item.get("exception", "")):
            problems.append(f"{entry['task']}: crashed: {msg}")
    return problems


def failure_message(entry: dict) -> str:
    failed = [item for item in entry["result"].get("results") or [] if item.get("failed")]
    return "; ".join(str(item.get("msg")) for item in failed) if failed else str(entry["result"].get("msg"))


def judge(
    tally: Tally,
    name: str,
    fault: Scenario,
    *,
    under_fault: Run,
    again: Run,
    injected: int,
    most: int,
    false: list[str],
    doubles: list[str],
    counts: Mapping[str, int],
    wrong: list[str],
) -> None:
    """Count a scenario into ``tally``, then assert what every suite asserts. ``counts`` are the suite's own
    problems by the names of ``tally.counted`` (each must be 0), ``wrong`` what else is not as declared."""
    failures = [entry for entry in under_fault.entries if entry["status"] != "ok"]
    not_allowed = [f for f in (f"{e['task']}: {failure_message(e)}" for e in failures) if not fault.allows(f)]
    clean_failures = [entry for entry in failures if not unclean(entry)]

    tally.scenarios.append(name)
    tally.faults_injected += injected
    tally.tasks_run += len(under_fault.entries) + len(again.entries)
    tally.failed_cleanly += len(clean_failures)
    tally.false_successes += len(false)
    tally.details.append(f"{name}: {injected} faults injected, {len(clean_failures)} tasks failed cleanly")
    tally.details.extend(f"  {entry['task']}: {failure_message(entry)}" for entry in clean_failures)
    tally.details.extend(f"  reported success without converging: {p}" for p in false)
    tally.details.extend(f"  duplicated: {p}" for p in doubles)
    tally.details.extend(f"  not as declared: {p}" for p in wrong)
    tally.add(counts)

    assert injected > 0, f"{name}: no fault was injected, the scenario tests nothing"
    assert false == [], f"{name}: tasks reported success without converging"
    assert not [p for entry in under_fault.entries for p in unclean(entry)], "under the fault"
    assert not_allowed == [], f"{name}: tasks failed in a way the scenario does not allow"
    assert len(failures) <= most, f"{name}: {len(failures)} tasks failed, at most {most} may"
    assert [e["task"] for e in again.entries if e["status"] != "ok"] == [], f"{name}: the run after the lift failed"
    problems = [f"{what}: {n}" for what, n in counts.items() if n] + wrong + doubles
    assert problems == [], f"{name}: " + "; ".join(problems)


def run_side_by_side(
    request: Any, tmp_path_factory: Any, test: Callable, scenarios: Mapping[str, Any], run: Callable, workers: int
) -> dict[str, Future]:
    """The scenarios a suite's session selected for ``test``, each run by ``run(scenario, tmp)`` on a simulator of
    its own, side by side; each test then takes its own result (or its exception)."""
    wanted = [
        item.callspec.params["scenario"] for item in request.session.items if getattr(item, "function", None) is test
    ]
    with ThreadPoolExecutor(workers) as pool:
        return {
            name: pool.submit(run, scenarios[name], tmp_path_factory.mktemp(f"scenario-{i}"))
            for i, name in enumerate(wanted)
        }


def items_changed_again(name: str, result: Mapping[str, Any], failed: Mapping[str, Any]) -> list[str]:
    """What a task (or its loop items) changed in the run after the lift although it converged under the fault
    (``failed``: the results of the tasks that did not, by task name)."""
    if "results" in result:
        items = failed.get(name, {}).get("results", [])
        not_converged = {str(item.get("item")) for item in items if item.get("failed")}
        return [
            f"{name}: {item.get('item')} changed again"
            for item in result["results"]
            if item.get("changed") and str(item.get("item")) not in not_converged
        ]
    return [f"{name}: changed again"] if result.get("changed") and name not in failed else []
