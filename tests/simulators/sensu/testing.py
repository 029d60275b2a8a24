"""Driving the simulator in-process, for tests: a client over Flask's test client that sends the API's
credentials (when it has some), with the control endpoints and the live state at hand (no server, no network)."""

from __future__ import annotations

import base64
from typing import Any

from werkzeug.test import TestResponse

from .app import create_app
from .config import SimulatorConfig
from .protocol import CONTROL_ROOT, STATE_KEY
from .state import State


class ApiClient:
    """`call("GET", "/clients", query={"limit": "10"})` sends JSON and, with credentials, `Authorization: Basic`;
    `control("POST", "/reset", status=204)` calls /_simulator and checks the status."""

    def __init__(self, config: SimulatorConfig | None = None, *, auth: tuple[str, str] | None = None) -> None:
        self.app = create_app(config)
        self.client = self.app.test_client()
        self.auth = auth if auth is not None else self.state.credentials()

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
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        """`body` goes as JSON, `data` as it is (invalid JSON, say)."""
        sent = dict(headers or {})
        if self.auth is not None and "Authorization" not in sent:
            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        if data is not None:
            return self.client.open(path, method=method, data=data, query_string=query, headers=sent)
        return self.client.open(path, method=method, json=body, query_string=query, headers=sent)

    def ok(self, method: str, path: str, body: Any = None, query: Any = None, status: int = 200) -> Any:
        """The JSON answer of a call that must succeed (200, or `status`)."""
        answer = self.call(method, path, body, query)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)}"
        return answer.json if answer.data else None

    def control(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.client.open(f"{CONTROL_ROOT}{path}", method=method, json=body)
        assert answer.status_code == status, answer.get_data(as_text=True)
        return answer.json if answer.data else None
