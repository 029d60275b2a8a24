"""Configuration of the Sensu classic API simulator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORE_VERSION = "1.9.0"  # lib/sensu/constants.rb of the source the simulator follows (sensu/sensu, EOL release)
# Sensu Enterprise 3.7.0 is the last release built on Core 1.9.0 (sensu-docs, sensu-enterprise/3.8/changelog.md).
ENTERPRISE_VERSION = "3.7.0"
FLAVOURS = ("core", "enterprise")


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulated Sensu server looks like: its flavour, the API's credentials, its configuration directory
    and how long a client deletion takes."""

    flavour: str = "core"  # core (sensu-server + sensu-api) or enterprise (sensu-enterprise): the same API
    # HTTP Basic credentials of the API (api.user and api.password); both or neither. Without them the API is open,
    # unless the configuration directory sets api.user and api.password.
    user: str | None = None
    password: str | None = None
    conf_dir: Path | None = None  # the check definitions: conf.d JSON files; None: no checks
    delete_delay: float = 0.5  # seconds from DELETE /clients/:client to the client leaving the registry
    host: str = "127.0.0.1"
    port: int = 0
    # PEM files: with both, the server speaks HTTPS instead of HTTP.
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if self.flavour not in FLAVOURS:
            raise ValueError(f"unknown flavour {self.flavour!r}: expected one of {', '.join(FLAVOURS)}")
        if (self.user is None) != (self.password is None):
            raise ValueError("user and password go together: give both or neither")
        if self.delete_delay < 0:
            raise ValueError("delete_delay cannot be negative")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")

    @property
    def version(self) -> str:
        """The product version the banner names: Sensu Core's or Sensu Enterprise's."""
        return ENTERPRISE_VERSION if self.flavour == "enterprise" else CORE_VERSION
