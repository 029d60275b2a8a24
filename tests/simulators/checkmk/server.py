"""Serve the Checkmk simulator on loopback, in a background thread (tests/simulators/common/server.py)."""

from __future__ import annotations

from ..common.server import SimulatorServer
from .app import create_app
from .config import SimulatorConfig
from .protocol import STATE_KEY
from .state import State


class Simulator(SimulatorServer):
    """A running Checkmk simulator: `url` is the central site's API base, `state` the live in-memory model.

    The socket is bound (and `port` known) on construction; requests are served between `start()` and
    `stop()`, or inside `with Simulator(config) as sim:`.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        super().__init__(
            create_app(self.config),
            host=self.config.host,
            port=self.config.port,
            tls_cert=self.config.tls_cert,
            tls_key=self.config.tls_key,
            name="checkmk-simulator",
        )

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions[STATE_KEY]
        return simulated

    @property
    def url(self) -> str:
        """The REST API base URL of the central site."""
        return f"{self.server_url}/{self.config.site}/check_mk/api/1.0"


def serve(config: SimulatorConfig | None = None) -> Simulator:
    """`with serve(SimulatorConfig(...)) as sim:` serves on a free loopback port until the block ends."""
    return Simulator(config)
