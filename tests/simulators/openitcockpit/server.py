"""Serve the openITCOCKPIT simulator on loopback, in a background thread (tests/simulators/common/server.py)."""

from __future__ import annotations

from ..common.server import ConfiguredSimulator
from .app import create_app
from .config import SimulatorConfig
from .protocol import STATE_KEY
from .state import State


class Simulator(ConfiguredSimulator):
    """A running openITCOCKPIT simulator: `url` is the server's root (the API's URLs start there:
    `{url}/hosts/index.json`), `state` the live in-memory model.

    The socket is bound (and `port` known) on construction; requests are served between `start()` and
    `stop()`, or inside `with Simulator(config) as sim:`.
    """

    app_factory = staticmethod(create_app)
    config_type = SimulatorConfig
    state_key = STATE_KEY
    thread_name = "openitcockpit-simulator"
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
