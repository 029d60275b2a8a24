"""A simulator of the openITCOCKPIT 5.x JSON API for tests and for users' own playbooks."""

from .app import create_app
from .config import SimulatorConfig
from .server import Simulator, serve
from .state import State

__all__ = ["Simulator", "SimulatorConfig", "State", "create_app", "serve"]
