"""Driving the simulator in-process, for tests: a client over Flask's test client that sends the API key, with
the control endpoints and the live state at hand (no server, no network)."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from .app import create_app
from .config import SimulatorConfig
from .protocol import CONTROL_ROOT, STATE_KEY
from .state import State


class ApiClient:
    """`call("GET", "/hosts/index.json", query={"angular": "true"})` sends `Authorization: X-OITC-API <key>` and
    JSON; `control("POST", "/reset", status=204)` calls /_simulator and checks the status."""

    def __init__(self, config: SimulatorConfig | None = None, *, api_key: str | None = None) -> None:
        self.app = create_app(config)
        self.client = self.app.test_client()
        self.api_key = self.state.config.api_key if api_key is None else api_key

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions[STATE_KEY]
        return simulated

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Any = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        """`path` as the API has it, `.json` included; `body` goes as JSON."""
        sent = {"Authorization": f"X-OITC-API {self.api_key}", "Accept": "application/json", **(headers or {})}
        return self.client.open(
            path, method=method, json=body, query_string=query, headers={k: v for k, v in sent.items() if v}
        )

    def ok(self, method: str, path: str, body: Any = None, query: Any = None) -> Any:
        """The JSON answer of a call that must succeed (200)."""
        answer = self.call(method, path, body, query)
        assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)}"
        return answer.json

    def control(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.client.open(f"{CONTROL_ROOT}{path}", method=method, json=body)
        assert answer.status_code == status, answer.get_data(as_text=True)
        return answer.json if answer.data else None
