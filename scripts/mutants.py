"""Deliberate mistakes, each on a fresh copy of the collection, each with the tests that must catch it.

`make mutants` runs them (not part of `make test`: each mutant runs part of the integration suite). A mutant is
caught when its tests fail on the mutated copy; every mutant must be caught by the fault suite or another
integration test, so that the suite's promises are tested by the suite, not only by unit tests. The table goes to
stdout and to tests/output/mutants.md (for the README's Reliability section).

    python scripts/mutants.py                    # all mutants
    python scripts/mutants.py --only no_log_off  # one (or more, comma-separated)
    python scripts/mutants.py --list             # names and what each one breaks
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "tests" / "output" / "mutants.md"
LINK = Path(".cache/collections/ansible_collections/lighthouse/monitoring")
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".cache", ".ansible", ".pytest_cache", ".ruff_cache", "__pycache__", "output"
)
FAULTS = "tests/integration/test_faults.py"
OPSVIEW_FAULTS = "tests/integration/test_faults_opsview.py"
OITC_FAULTS = "tests/integration/test_faults_openitcockpit.py"
SENSU_FAULTS = "tests/integration/test_faults_sensu.py"
SECRETS = "tests/integration/test_secrets.py"
UTILS = "plugins/module_utils"


@dataclass(frozen=True)
class Edit:
    """In ``path``, the text ``old`` (exactly once) becomes ``new``."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    name: str
    mistake: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]  # pytest arguments: the tests that must catch it


def faults(*scenarios: str, suite: str = FAULTS) -> tuple[str, ...]:
    return tuple(f"{suite}::test_fault[{scenario}]" for scenario in scenarios)


ETAG = "etag=self._etag"
# A command whose answer was lost is sent again at once (_commands.py, answer_lost): for every backend.
RESEND_BLINDLY = Edit(
    f"{UTILS}/_commands.py", "            raise\n        return True\n", "            raise\n        send()\n"
)

MUTANTS = (
    Mutant(
        "swallow_server_errors",
        "a module that meets a 5xx or a timeout exits ok, changed: false",
        (
            Edit(
                f"{UTILS}/_module.py",
                "    except MonitoringError as exc:\n        failure = exc\n",
                "    except MonitoringError as exc:\n        if getattr(exc, 'status', 500) >= 500:\n"
                "            module.exit_json(changed=False)\n        failure = exc\n",
            ),
        ),
        faults("5xx bursts", "timeouts"),
    ),
    Mutant(
        "trust_the_204",
        "a downtime command answered 204 is taken as applied, without listing the downtimes",
        (
            Edit(
                f"{UTILS}/_checkmk/downtime.py",
                "            batches = [self._again(batch) for batch in self._verify(batches, results)]\n",
                "            results.extend(d for batch in batches if not batch.removal for d in batch.remaining)\n"
                "            batches = []\n",
            ),
        ),
        faults("silent 204"),
    ),
    Mutant(
        "no_recovery",
        "one attempt everywhere: no retries in the transport, no re-read after a lost answer or a 412",
        (
            Edit(f"{UTILS}/_http.py", "retries: int = 3", "retries: int = 0"),
            Edit(f"{UTILS}/_sync.py", "attempts: int = 3", "attempts: int = 1"),
            Edit(f"{UTILS}/_checkmk/hosts.py", "ATTEMPTS = 3", "ATTEMPTS = 1"),
            Edit(f"{UTILS}/_checkmk/activation.py", "MAX_ATTEMPTS = 5", "MAX_ATTEMPTS = 1"),
            Edit(f"{UTILS}/_checkmk/discovery.py", "START_ATTEMPTS = 3", "START_ATTEMPTS = 1"),
            Edit(f"{UTILS}/_checkmk/downtime.py", "SEND_ATTEMPTS = 3", "SEND_ATTEMPTS = 1"),
        ),
        faults("lost answers", "dropped connections", "5xx bursts"),
    ),
    Mutant(
        "if_match_star_hosts_folders",
        "host and folder writes send If-Match: * instead of the ETag they read",
        (
            Edit(f"{UTILS}/_checkmk/folder.py", ETAG, 'etag="*"'),
            Edit(f"{UTILS}/_checkmk/host.py", f"request, {ETAG}, action", 'request, etag="*", action'),
            Edit(f"{UTILS}/_checkmk/host.py", f"                    {ETAG},\n", '                    etag="*",\n'),
        ),
        faults("412 races"),
    ),
    Mutant(
        "if_match_star_activation",
        "the activation sends If-Match: *, so changes made after its read are activated silently",
        (Edit(f"{UTILS}/_checkmk/activation.py", "body=body, etag=etag,", 'body=body, etag="*",'),),
        (*faults("changes during activation"), "tests/integration/test_concurrency.py"),
    ),
    Mutant(
        "activate_foreign_changes",
        "the activation activates other users' changes without being allowed to",
        (
            Edit(f"{UTILS}/_checkmk/activation.py", "if foreign and not request.force_foreign_changes:", "if False:"),
            Edit(
                f"{UTILS}/_checkmk/activation.py",
                '"force_foreign_changes": request.force_foreign_changes}',
                '"force_foreign_changes": True}',
            ),
        ),
        (*faults("412 races"), "tests/integration/test_handler.py"),
    ),
    Mutant(
        "resend_downtime_blindly",
        "a downtime command whose answer was lost is sent again without listing whether it applied",
        (
            Edit(
                f"{UTILS}/_checkmk/downtime.py",
                "            batch.lost = True\n",
                "            self._send(batch)  # the same command again, unlooked\n",
            ),
        ),
        faults("lost answers", "dropped connections"),
    ),
    Mutant(
        "delete_downtime_by_id",
        "a downtime is removed by its id alone, also when another user gave it another comment since it was listed",
        (
            Edit(
                f"{UTILS}/_checkmk/downtime.py",
                "expressions = [_exactly(d) for d in items]",
                'expressions = [{"op": "=", "left": "id", "right": d["id"]} for d in items]',
            ),
        ),
        faults("412 races"),
    ),
    Mutant(
        "downtime_hosts_by_prefix",
        "a downtime for many hosts names them by a pattern, so that vm1 also matches vm10",
        (
            Edit(
                f"{UTILS}/_checkmk/downtime.py",
                '"op": "=", "left": column, "right": value} for value in values',
                '"op": "~", "left": column, "right": value} for value in values',
            ),
        ),
        ("tests/integration/test_targets.py::test_target[checkmk_downtime_many]",),
    ),
    Mutant(
        "restart_discovery_blindly",
        "a discovery whose start's answer was lost is started again without checking whether it ran",
        (Edit(f"{UTILS}/_checkmk/discovery.py", "        if settled():\n            return None\n", ""),),
        faults("lost answers"),
    ),
    Mutant(
        "rename_without_waiting",
        "a host rename goes on with the task before Checkmk's rename job has finished",
        (Edit(f"{UTILS}/_checkmk/rename.py", "    poll(done, what=", "    poll(partial(bool, 1), what="),),
        ("tests/integration/test_targets.py::test_target[checkmk_host_rename]",),
    ),
    Mutant(
        "no_log_off",
        "the API secret is not marked no_log",
        (Edit(f"{UTILS}/_checkmk/_args.py", '"no_log": True,', '"no_log": False,'),),
        ("tests/integration/test_secrets.py",),
    ),
    Mutant(
        "check_mode_writes",
        "check mode creates and updates for real",
        (
            Edit(f"{UTILS}/_sync.py", "desired if check_mode else resource.create", "resource.create"),
            Edit(
                f"{UTILS}/_sync.py",
                "overlay(current, desired, exact=exact, merged=merged) if check_mode "
                "else resource.update(current, desired)",
                "resource.update(current, desired)",
            ),
        ),
        ("tests/integration/test_targets.py::test_target[checkmk_host]",),
    ),
    Mutant(
        "unchecked_nodes",
        "a cluster's nodes are not read before they are written: missing hosts and clusters reach Checkmk",
        (
            Edit(f"{UTILS}/_checkmk/host.py", "        if problem:\n            raise ValidationError(problem)\n", ""),
            Edit(f"{UTILS}/_checkmk/hosts.py", "    if problems:\n", "    if False:\n"),
        ),
        tuple(f"tests/integration/test_targets.py::test_target[{t}]" for t in ("checkmk_host", "checkmk_hosts")),
    ),
    Mutant(
        "replace_cluster_attributes",
        "purging a cluster's attributes replaces them on 2.3 and 2.4 too, which makes it a plain host",
        (Edit(f"{UTILS}/_checkmk/host.py", "    return release is not None and release >= (2, 5)", "    return True"),),
        ("tests/integration/test_targets.py::test_target[checkmk_host]",),
    ),
    Mutant(
        "opsview_no_relogin",
        "an Opsview request that meets 401 (the session expired) fails instead of logging in once more",
        (Edit(f"{UTILS}/_opsview/_client.py", "if answer.status == 401 and self._password:", "if False:"),),
        faults("expired tokens", suite=OPSVIEW_FAULTS),
    ),
    Mutant(
        "opsview_trust_downtime_command",
        "an Opsview downtime is taken as set once the command is accepted, without listing the downtimes",
        (Edit(f"{UTILS}/_opsview/downtime.py", 'todo = self._verify(missing, "set", lost)', "todo = []"),),
        faults("latency", suite=OPSVIEW_FAULTS),
    ),
    Mutant(
        "opsview_resend_downtime_blindly",
        "an Opsview downtime command whose answer was lost is sent again at once, without listing what applied",
        (
            RESEND_BLINDLY,
        ),
        faults("lost answers", suite=OPSVIEW_FAULTS),
    ),
    Mutant(
        "oitc_trust_downtime_command",
        "an openITCOCKPIT downtime is taken as set once the command is accepted, without listing the downtimes",
        (Edit(f"{UTILS}/_openitcockpit/downtime.py", 'todo = self._verify(missing, "set", lost)', "todo = []"),),
        faults("latency", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_resend_downtime_blindly",
        "an openITCOCKPIT downtime command whose answer was lost is sent again at once, without listing what applied",
        (
            RESEND_BLINDLY,
        ),
        faults("lost answers", "lost downtime commands", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_export_without_waiting",
        "an openITCOCKPIT export is launched without waiting for one that runs (also after its launch met 500)",
        (
            Edit(
                f"{UTILS}/_openitcockpit/export.py",
                '        if status["export_running"]:\n            self._wait(deadline, ours=False)\n',
                "",
            ),
            Edit(
                f"{UTILS}/_openitcockpit/export.py",
                'if self._status()["export_running"] or self._started_since(self.last_started):',
                "if False:",
            ),
        ),
        faults("another user's export", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_no_reread_after_lost_write",
        "an openITCOCKPIT container or host write whose answer was lost fails the task instead of reading again",
        (
            Edit(f"{UTILS}/_openitcockpit/container.py", "ATTEMPTS = 3", "ATTEMPTS = 1"),
            Edit(
                "plugins/modules/openitcockpit_host.py",
                "desired, check_mode=module.check_mode)",
                "desired, check_mode=module.check_mode, attempts=1)",
            ),
        ),
        faults("lost answers", "dropped connections", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_relaunch_after_lost_answer",
        "after the answer to its launch was lost, an openITCOCKPIT export that does not show as running yet is "
        "launched again (the changelog's new start is not looked for)",
        (
            Edit(
                f"{UTILS}/_openitcockpit/export.py",
                'if self._status()["export_running"] or self._started_since(self.last_started):',
                'if self._status()["export_running"]:',
            ),
        ),
        faults("lost export answer", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_create_again_at_once",
        "an openITCOCKPIT container or host create that timed out is sent again as soon as a read does not show it",
        (
            Edit(
                f"{UTILS}/_openitcockpit/_client.py",
                '        if not error.details.get("timed_out"):\n            return found()',
                "        if True:\n            return found()",
            ),
        ),
        faults("slow writes", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_export_ignores_changelog",
        "openITCOCKPIT configuration counts as pending only while hosts are not monitored: changes are not exported",
        (
            Edit(
                f"{UTILS}/_openitcockpit/export.py",
                '"pending": bool(changes) or unmonitored > 0,',
                '"pending": unmonitored > 0,',
            ),
        ),
        faults("another user's change", suite=OITC_FAULTS),
    ),
    Mutant(
        "oitc_no_log_off",
        "the openITCOCKPIT API key is not marked no_log",
        (Edit(f"{UTILS}/_openitcockpit/_args.py", '"no_log": True,', '"no_log": False,'),),
        faults("latency", suite=OITC_FAULTS),
    ),
    Mutant(
        "sensu_clear_by_subscription",
        "clearing a Sensu silence clears by its subscription (the client's silence of every check) instead of its id",
        (Edit(f"{UTILS}/_sensu/silence.py", 'body={"id": self.id}', 'body={"subscription": current["subscription"]}'),),
        faults("latency", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_update_declared_only",
        "a Sensu client update sends only what the task declares, so the client loses its other attributes and "
        "subscriptions (Sensu replaces a client whole)",
        (
            Edit(
                f"{UTILS}/_sensu/client.py",
                "return self._unredacted(overlay(current, desired, exact=self.exact, merged=self.merged))",
                "return self._unredacted(desired)",
            ),
        ),
        faults("latency", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_delete_without_waiting",
        "a Sensu client removal reports success when the API accepts it, before the client has left the registry",
        (
            Edit(
                f"{UTILS}/_sensu/client.py",
                "        poll(lambda: self.read() is None, deadline=Deadline(self.wait_timeout), what=what)\n",
                "",
            ),
        ),
        faults("latency", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_delete_without_invalidate",
        "a Sensu client removal with invalidate does not invalidate it: its sensu-client's next keepalive brings it "
        "back",
        (Edit(f"{UTILS}/_sensu/client.py", "        if self.invalidate:\n", "        if False:\n"),),
        faults("a live client's keepalives", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_request_again_after_lost_answer",
        "a Sensu check request whose answer was lost (5xx, dropped connection, timeout) is sent again",
        (
            Edit(
                f"{UTILS}/_sensu/check_request.py",
                "        raise unknown_check(check) from None\n",
                "        raise unknown_check(check) from None\n"
                "    except Exception:  # the answer was lost: ask again\n"
                '        answer = api.request("POST", "/request", body=request, action="ask again", ok=(202,))\n',
            ),
        ),
        faults("lost answers", "dropped connections", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_send_redacted_back",
        "a Sensu client update sends the secret attributes back as the API shows them (REDACTED), not as declared",
        (
            Edit(
                f"{UTILS}/_sensu/client.py",
                "return self._unredacted(overlay(current, desired, exact=self.exact, merged=self.merged))",
                "return overlay(current, desired, exact=self.exact, merged=self.merged)",
            ),
            Edit(f"{UTILS}/_sensu/client.py", "unread = redacted_paths(self._whole(current, desired))", "unread = []"),
        ),
        faults("latency", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_check_in_place",
        "a Sensu check file is rewritten in place instead of replaced by a complete temporary file: Sensu, reading it "
        "at that moment (a reload), reads half a file",
        (
            Edit(
                f"{UTILS}/_sensu/check.py",
                '            handle, temporary = tempfile.mkstemp(prefix=f".check_{self.name}.", suffix=".tmp", '
                "dir=self.conf_dir)\n"
                '            with os.fdopen(handle, "w", encoding="utf-8") as out:\n'
                "                out.write(text)\n"
                "            self.ops.move(temporary, self.path)\n",
                '            with open(self.path, "w", encoding="utf-8") as out:\n                out.write(text)\n',
            ),
        ),
        faults("latency", suite=SENSU_FAULTS),
    ),
    Mutant(
        "sensu_no_log_off",
        "the Sensu API password is not marked no_log",
        (Edit(f"{UTILS}/_sensu/_args.py", '"type": "str", "no_log": True,', '"type": "str",'),),
        (*faults("latency", suite=SENSU_FAULTS), f"{SECRETS}::test_the_sensu_secrets_never_show"),
    ),
    Mutant(
        "sensu_secret_attributes_logged",
        "a Sensu client's secret attributes are not marked no_log",
        (Edit("plugins/modules/sensu_client.py", 'dict(type="dict", no_log=True)', 'dict(type="dict")'),),
        (*faults("latency", suite=SENSU_FAULTS), f"{SECRETS}::test_the_sensu_secrets_never_show"),
    ),
)  # fmt: skip


@dataclass
class Outcome:
    mutant: Mutant
    caught_by: list[str]
    seconds: float
    note: str = ""

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def mutate(mutant: Mutant, root: Path) -> Path:
    """A copy of the collection under ``root`` with the mutant's edits; laid out like the repository (the
    collection importable through .cache/collections)."""
    copy = root / "collection"
    shutil.copytree(REPO, copy, ignore=NOT_COPIED, symlinks=True)
    for edit in mutant.edits:
        path = copy / edit.path
        text = path.read_text(encoding="utf-8")
        if text.count(edit.old) != 1:
            raise SystemExit(
                f"mutant {mutant.name}: {edit.old!r} is not in {edit.path} exactly once; update the mutant"
            )
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
    link = copy / LINK
    link.parent.mkdir(parents=True)
    link.symlink_to(Path("../../../.."))
    return copy


def run(mutant: Mutant, timeout: float) -> Outcome:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant.name}-") as tmp:
        copy = mutate(mutant, Path(tmp))
        collections = str(copy / ".cache" / "collections")
        env = {
            **os.environ,
            "COLUMNS": "300",  # pytest's short summary keeps the failure's message
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "PYTHONPATH": collections,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf", *mutant.tests]
        try:
            done = subprocess.run(
                command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return Outcome(mutant, [], time.monotonic() - began, f"not finished within {timeout:g} s")
    seconds = time.monotonic() - began
    failed = re.findall(r"^FAILED (\S+?(?:\[[^\]]*\])?)(?: - (.*))?$", done.stdout, re.MULTILINE)
    if done.returncode == 1 and failed:
        return Outcome(mutant, [f"{name.split('/')[-1]} ({_why(reason)})" for name, reason in failed], seconds)
    tail = " ".join((done.stdout + done.stderr).strip().splitlines()[-1:])
    return Outcome(mutant, [], seconds, f"pytest exited {done.returncode}: {tail}")


def _why(reason: str) -> str:
    """The first words of a failure's assertion message, without pytest's own decoration."""
    reason = re.sub(r"^(AssertionError|assert)\W*", "", reason.strip()).split(" assert ", 1)[0]
    return (reason[:110] + "...") if len(reason) > 110 else reason or "failed"


def table(outcomes: list[Outcome]) -> str:
    lines = ["| mutant | the mistake | caught by | time |", "|---|---|---|---|"]
    for o in outcomes:
        caught = "; ".join(o.caught_by) if o.caught else f"**not caught** ({o.note})"
        lines.append(f"| `{o.mutant.name}` | {o.mutant.mistake} | {caught} | {o.seconds:.0f} s |")
    total = sum(o.seconds for o in outcomes)
    lines.append(f"\n{sum(o.caught for o in outcomes)} of {len(outcomes)} mutants caught in {total / 60:.1f} minutes.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--only", help="comma-separated mutant names")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutant (default 900)")
    args = parser.parse_args()
    if args.list:
        for mutant in MUTANTS:
            print(f"{mutant.name}: {mutant.mistake}")
        return 0
    wanted = set(args.only.split(",")) if args.only else {m.name for m in MUTANTS}
    unknown = wanted - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    outcomes = []
    for mutant in (m for m in MUTANTS if m.name in wanted):
        print(f"mutant {mutant.name}: {mutant.mistake} ...", flush=True)
        outcome = run(mutant, args.timeout)
        outcomes.append(outcome)
        print(f"  {'caught by ' + ', '.join(outcome.caught_by) if outcome.caught else 'NOT CAUGHT: ' + outcome.note}")
    text = table(outcomes)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(o.caught for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
