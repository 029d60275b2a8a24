"""A simulator of the Sensu classic API (Sensu Core 1.x sensu-api and Sensu Enterprise, port 4567) for tests and
for users' own playbooks."""

from .app import create_app
from .config import SimulatorConfig
from .server import Simulator, serve
from .state import SettingsError, State

__all__ = ["SettingsError", "Simulator", "SimulatorConfig", "State", "create_app", "serve"]
