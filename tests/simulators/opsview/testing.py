"""Driving the simulator in-process, for tests: a logged-in client over Flask's test client, with the control
endpoints and the live state at hand (no server, no network)."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from .app import create_app
from .config import SimulatorConfig
from .protocol import API_ROOT, STATE_KEY
from .state import State

JSON = {"Accept": "application/json", "Content-Type": "application/json"}


class ApiClient:
    """`call("GET", "/config/host", query={"s.name": "web01"})` sends to /rest with the session headers of the
    first configured user; `control("POST", "/reset")` calls /_simulator and checks the status."""

    def __init__(self, config: SimulatorConfig | None = None, *, login: bool = True) -> None:
        self.app = create_app(config)
        self.client = self.app.test_client()
        self.headers: dict[str, str] = dict(JSON)
        if login:
            self.login()

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions[STATE_KEY]
        return simulated

    def login(self) -> str:
        user, password = next(iter(self.state.config.users.items()))
        answer = self.call("POST", "/login", {"username": user, "password": password}, session=False)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        token: str = answer.json["token"]
        self.headers.update({"X-Opsview-Username": user, "X-Opsview-Token": token})
        return token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Any = None,
        headers: dict[str, str] | None = None,
        session: bool = True,
    ) -> TestResponse:
        sent = dict(self.headers if session else JSON)
        sent.update(headers or {})
        return self.client.open(
            API_ROOT + path, method=method, json=body, query_string=query, headers={k: v for k, v in sent.items() if v}
        )

    def ok(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        """The JSON answer of a call that must succeed (200)."""
        answer = self.call(method, path, body, **options)
        assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)}"
        return answer.json

    def control(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answer = self.client.open(f"/_simulator{path}", method=method, json=body)
        assert answer.status_code == status, answer.get_data(as_text=True)
        return answer.json if answer.data else None
