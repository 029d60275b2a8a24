# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: plan
type: aggregate
short_description: A plan of what this collection's modules would change, or changed, object by object
version_added: 0.2.0
description:
  - >-
    Collects the C(plan) entries that every module of this collection returns (all backends) and, at the end of the
    run, prints the plan after the normal output - per backend and object type, each object with its action (C(+) add,
    C(~) change, C(-) remove, C(>) run, for operations such as an activation, a reload or an export), and for changes
    only the values that differ, before -> after; then a line such as C(Plan: 3 to add, 2 to change, 1 to remove,
    40 unchanged.)
  - >-
    In check mode (C(--check)) it is the plan of what the run would do; otherwise it is what the run did
    (C(Applied: ...)).
  - An object that several tasks report shows once. Values of C(no_log) options never reach the plan (the modules
    mask them), nor do values the modules keep secret (for example
    O(lighthouse.monitoring.sensu_client#module:secret_attributes)); a task with C(no_log) is
    counted, its objects are not shown.
  - >-
    Optionally writes the plan as JSON (described by the JSON Schema C(schemas/plan.schema.json) of the collection,
    C(format_version) 1.0) and as Markdown (for a merge request comment), and makes C(ansible-playbook) exit with
    code 3 when the plan is not empty, for drift detection in CI or from a timer.
  - Enable it beside the normal output, for example with E(ANSIBLE_CALLBACKS_ENABLED=lighthouse.monitoring.plan).
requirements:
  - Enabled with C(callbacks_enabled) in C(ansible.cfg) or E(ANSIBLE_CALLBACKS_ENABLED).
options:
  json_file:
    description:
      - Write the plan as JSON to this file at the end of the run (replaced whole).
    type: path
    env:
      - name: LIGHTHOUSE_PLAN_JSON
    ini:
      - section: lighthouse_plan
        key: json_file
  markdown_file:
    description:
      - Write the plan as Markdown to this file at the end of the run (replaced whole).
    type: path
    env:
      - name: LIGHTHOUSE_PLAN_MARKDOWN
    ini:
      - section: lighthouse_plan
        key: markdown_file
  show_unchanged:
    description:
      - List the unchanged objects one by one (in the text and the Markdown) instead of counting them. The JSON
        always lists them.
    type: bool
    default: false
    env:
      - name: LIGHTHOUSE_PLAN_SHOW_UNCHANGED
    ini:
      - section: lighthouse_plan
        key: show_unchanged
  fail_on_changes:
    description:
      - When the plan is not empty (something to add, change, remove or run) and no host failed, make
        C(ansible-playbook) exit with code 3 after printing the plan; a code C(ansible-playbook) does not use itself.
        With C(--check), this is a drift check - the monitoring differs from the playbook.
      - A run in which a host failed or was unreachable keeps the exit code of C(ansible-playbook).
    type: bool
    default: false
    env:
      - name: LIGHTHOUSE_PLAN_FAIL_ON_CHANGES
    ini:
      - section: lighthouse_plan
        key: fail_on_changes
"""

EXAMPLES = r"""
# Show the plan of a check-mode run after the normal output:
#   ANSIBLE_CALLBACKS_ENABLED=lighthouse.monitoring.plan ansible-playbook site.yml --check --diff
#
# Drift detection in CI or from a timer (exit code 3 when the monitoring differs from the playbook):
#   ANSIBLE_CALLBACKS_ENABLED=lighthouse.monitoring.plan LIGHTHOUSE_PLAN_FAIL_ON_CHANGES=true \
#     ansible-playbook site.yml --check
#
# Keep the plan as JSON and as Markdown for a merge request comment, in ansible.cfg:
#   [defaults]
#   callbacks_enabled = lighthouse.monitoring.plan
#   [lighthouse_plan]
#   json_file = plan.json
#   markdown_file = plan.md
"""

import json
import os
import tempfile

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.lighthouse.monitoring.plugins.plugin_utils._plan import Plan

COLLECTION = "lighthouse.monitoring."
DRIFT_EXIT_CODE = 3
COLORS = {"add": C.COLOR_OK, "change": C.COLOR_CHANGED, "remove": C.COLOR_ERROR, "run": C.COLOR_CHANGED}


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "lighthouse.monitoring.plan"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plan = Plan(check_mode=bool(context.CLIARGS.get("check", False)))

    # --- collecting ------------------------------------------------------------------------------------------

    def _collect(self, result, *, failed=False):
        task = result._task
        if not str(getattr(task, "resolved_action", None) or task.action).startswith(COLLECTION):
            return
        answer = result._result
        if failed:
            self._plan.failed += 1
        if "censored" in answer:
            self._plan.hidden += 1
            return
        items = answer["results"] if "plan" not in answer and isinstance(answer.get("results"), list) else [answer]
        for item in items:  # a loop's results, each with its own plan
            if isinstance(item, dict) and "censored" in item:
                self._plan.hidden += 1
            elif isinstance(item, dict) and isinstance(item.get("plan"), list):
                self._plan.add(item["plan"])

    def v2_runner_on_ok(self, result):
        self._collect(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._collect(result, failed=True)

    # --- reporting -------------------------------------------------------------------------------------------

    def v2_playbook_on_stats(self, stats):
        plan, self._plan = self._plan, Plan(check_mode=self._plan.check_mode)
        self._display.banner("PLAN" if plan.check_mode else "PLAN (what this run did)")
        for line, action in plan.text(unchanged=self.get_option("show_unchanged")):
            self._display.display(line, color=COLORS.get(action))
        self._write(self.get_option("json_file"), json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n")
        self._write(self.get_option("markdown_file"), plan.markdown(unchanged=self.get_option("show_unchanged")))
        troubled = any(stats.failures.values()) or any(stats.dark.values())
        if self.get_option("fail_on_changes") and not plan.empty and not troubled:
            self._display.display(f"The plan is not empty: exiting with {DRIFT_EXIT_CODE} (fail_on_changes).")
            raise SystemExit(DRIFT_EXIT_CODE)

    def _write(self, path, text):
        """Replace ``path`` whole with ``text``; a failure is a warning, the run's result stays as it is."""
        if not path:
            return
        folder = os.path.dirname(os.path.abspath(path))
        temporary = None
        try:
            descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".plan-")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, path)
        except OSError as exc:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)
            self._display.warning(f"lighthouse.monitoring.plan: could not write the plan to {path}: {exc}")
