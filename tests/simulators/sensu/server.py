"""Serve the Sensu simulator on loopback, in a background thread (tests/simulators/common/server.py)."""

from __future__ import annotations

from ..common.server import ConfiguredSimulator
from .app import create_app
from .config import SimulatorConfig
from .protocol import STATE_KEY
from .state import State


class Simulator(ConfiguredSimulator):
    """A running Sensu simulator: `url` is the API's root (`{url}/clients`), `state` the live in-memory model.

    The socket is bound (and `port` known) on construction; requests are served between `start()` and
    `stop()`, or inside `with Simulator(config) as sim:`.
    """

    app_factory = staticmethod(create_app)
    config_type = SimulatorConfig
    state_key = STATE_KEY
    thread_name = "sensu-simulator"
    config: SimulatorConfig

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions[STATE_KEY]
        return simulated

    @property
    def url(self) -> str:
        return self.server_url


def serve(config: SimulatorConfig | None = None) -> Simulator:
    """`with serve(SimulatorConfig(...)) as sim:` serves on a free loopback port until the block ends."""
    return Simulator(config)
