# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: append every task result of a run to the JSON-lines file named by RECORD_RESULTS_FILE, with the
server's state right after the task when RECORD_STATE_URL names where to read it; then POST to RECORD_THEN_POST_URL
when it names a simulator's control endpoint (the Opsview suite ends every session there between tasks)."""

from __future__ import annotations

import json
import os
import urllib.request

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: record_results
short_description: Write every task result to a JSON-lines file (tests only)
description:
  - Enabled by the fault suite with C(ANSIBLE_CALLBACKS_ENABLED=record_results); the file is named by the
    environment variable C(RECORD_RESULTS_FILE).
  - With C(RECORD_STATE_URL) (a simulator's C(/_simulator/state)), each entry also holds the state read right
    after the task, so that every task can be judged by what it left on the server.
  - With C(RECORD_THEN_POST_URL) (a simulator's control endpoint, such as C(/_simulator/expire_tokens)), an empty
    POST is sent there after each task, once its state was read.
type: aggregate
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        entry = {"task": result.task_name, "status": status, "result": result._result}  # pylint: disable=protected-access
        if os.environ.get("RECORD_STATE_URL"):
            with urllib.request.urlopen(os.environ["RECORD_STATE_URL"], timeout=30) as answer:  # noqa: S310 - loopback
                entry["state"] = json.loads(answer.read())
        with open(os.environ["RECORD_RESULTS_FILE"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry, default=str) + "\n")
        if os.environ.get("RECORD_THEN_POST_URL"):
            then = urllib.request.Request(os.environ["RECORD_THEN_POST_URL"], data=b"", method="POST")
            with urllib.request.urlopen(then, timeout=30):  # noqa: S310 - loopback
                pass

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
