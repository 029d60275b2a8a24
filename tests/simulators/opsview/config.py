"""Configuration of the Opsview REST API simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# What GET /rest and GET /rest/info claim (our choice: the 6.x release whose recorded answers the shapes follow).
OPSVIEW_VERSION = "6.8.8"
OPSVIEW_BUILD = "6.8.8.202312061420"
API_VERSION = 6.008008  # GET /rest: "based on the Opsview Web version number, in a floating point format"


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulated Opsview looks like, and how long its background work takes."""

    users: Mapping[str, str] = field(default_factory=lambda: {"admin": "initial"})
    host: str = "127.0.0.1"
    port: int = 0
    reload_seconds: float = 0.3  # how long a reload runs
    downtime_delay: float = 0.2  # how long a downtime command waits before it is processed (and listed)
    token_lifetime: float = 3600.0  # idle seconds before a session token expires (each request extends it)
    # PEM files: with both, the server speaks HTTPS instead of HTTP.
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if min(self.reload_seconds, self.downtime_delay) < 0 or self.token_lifetime <= 0:
            raise ValueError("reload_seconds and downtime_delay cannot be negative, token_lifetime must be positive")
        if not self.users:
            raise ValueError("at least one user is needed")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")
