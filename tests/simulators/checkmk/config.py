"""Configuration of the Checkmk REST API simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The Checkmk release each api_version mode claims to be (X-Checkmk-Version, GET /version).
CHECKMK_VERSIONS: Mapping[str, str] = {"2.3": "2.3.0p41", "2.4": "2.4.0p18", "2.5": "2.5.0p1"}


@dataclass(frozen=True)
class TagGroup:
    title: str
    tags: tuple[str, ...]


# Built into every site; validated as schema fields with an enum ("Must be one of: ...").
BUILTIN_TAG_GROUPS: Mapping[str, TagGroup] = {
    "address_family": TagGroup("IP address family", ("ip-v4-only", "ip-v6-only", "ip-v4v6", "no-ip")),
    "agent": TagGroup("Checkmk agent / API integrations", ("cmk-agent", "all-agents", "special-agents", "no-agent")),
    "snmp_ds": TagGroup("SNMP", ("no-snmp", "snmp-v2", "snmp-v1")),
    "piggyback": TagGroup("Piggyback", ("auto-piggyback", "piggyback", "no-piggyback")),
}

# The sample tag groups a new site is created with; configurable like any custom tag group.
SAMPLE_TAG_GROUPS: Mapping[str, TagGroup] = {
    "criticality": TagGroup("Criticality", ("prod", "critical", "test", "offline")),
    "networking": TagGroup("Networking Segment", ("lan", "wan", "dmz")),
}


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulated site looks like. Only `site` serves the API; `remote_sites` exist as connections."""

    site: str = "cmk"
    remote_sites: tuple[str, ...] = ()
    api_version: str = "2.4"
    users: Mapping[str, str] = field(default_factory=lambda: {"automation": "test-secret"})
    edition: str = "cre"
    tag_groups: Mapping[str, TagGroup] = field(default_factory=lambda: dict(SAMPLE_TAG_GROUPS))
    host: str = "127.0.0.1"
    port: int = 0
    activation_seconds: float = 0.3  # how long an activation runs
    discovery_seconds: float = 0.3  # how long a discovery job (refresh, tabula_rasa, bulk) runs
    # What every host's agent offers until told otherwise: (check_plugin_name, service_item, service_name).
    agent_services: tuple[tuple[str, str | None, str], ...] = ()
    # PEM files: with both, the server (server.py) speaks HTTPS instead of HTTP.
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if self.api_version not in CHECKMK_VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(CHECKMK_VERSIONS)}, not {self.api_version!r}")
        if min(self.activation_seconds, self.discovery_seconds) < 0:
            raise ValueError("activation_seconds and discovery_seconds cannot be negative")
        if clash := set(self.tag_groups) & set(BUILTIN_TAG_GROUPS):
            raise ValueError(f"built-in tag groups cannot be redefined: {', '.join(sorted(clash))}")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: give both or neither")

    @property
    def sites(self) -> tuple[str, ...]:
        return (self.site, *self.remote_sites)

    @property
    def checkmk_version(self) -> str:
        return CHECKMK_VERSIONS[self.api_version]
