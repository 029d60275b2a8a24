"""Configuration of the openITCOCKPIT JSON API simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

OITC_VERSION = "5.0.1"  # what the banner and /profile/edit.json claim (the source the fact sheets read)
MASTER_NAME = "Mastersystem"  # systemsetting FRONTEND.MASTER_INSTANCE of a fresh install
DEFAULT_TEMPLATE = "default host"
DEFAULT_SERVICES: Mapping[str, tuple[str, ...]] = {DEFAULT_TEMPLATE: ("Ping", "CPU load")}


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulated openITCOCKPIT looks like, and how long its background work takes."""

    api_key: str = "simulator-api-key"  # the one API key; its user has root privileges
    timezone: str = "Europe/Berlin"  # the API user's time zone (the server's is UTC)
    satellites: tuple[str, ...] = ()  # names of the DistributeModule's satellites (ids 1, 2, ...); none: no module
    hosttemplates: tuple[str, ...] = ()  # host templates besides `default host` (ids 2, 3, ...)
    # Services every new host gets from its template; templates not named here get those of DEFAULT_SERVICES.
    template_services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    downtime_delay: float = 0.3  # seconds until the monitoring core processes a downtime command
    export_seconds: float = 0.5  # how long an export ("Refresh monitoring configuration") runs
    host: str = "127.0.0.1"
    port: int = 0
    # PEM files: with both, the server speaks HTTPS instead of HTTP.
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if len(self.api_key) < 2:
            raise ValueError("the API key needs at least 2 characters (openITCOCKPIT ignores shorter ones)")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if min(self.downtime_delay, self.export_seconds) < 0:
            raise ValueError("downtime_delay and export_seconds cannot be negative")
        unknown = set(self.template_services) - {DEFAULT_TEMPLATE, *self.hosttemplates}
        if unknown:
            raise ValueError(f"services for unknown host templates: {', '.join(sorted(unknown))}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")

    def services_of(self, template: str) -> tuple[str, ...]:
        """The services a new host of `template` gets."""
        if template in self.template_services:
            return self.template_services[template]
        return DEFAULT_SERVICES.get(template, DEFAULT_SERVICES[DEFAULT_TEMPLATE])
