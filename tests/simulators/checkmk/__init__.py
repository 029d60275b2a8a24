"""A simulator of the Checkmk REST API (2.3, 2.4, 2.5) for tests and for users' own playbooks."""

from .app import create_app
from .config import SimulatorConfig, TagGroup
from .server import Simulator, serve
from .state import State, hash_of_dict

__all__ = ["Simulator", "SimulatorConfig", "State", "TagGroup", "create_app", "hash_of_dict", "serve"]
