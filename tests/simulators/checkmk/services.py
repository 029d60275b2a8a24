"""Service discovery of one host: what its agent offers, what is monitored (its autochecks), and the modes
and bulk options that reconcile the two (Checkmk's cmk/gui/watolib/services.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

ServiceKey = tuple[str, str | None]


@dataclass(frozen=True)
class Service:
    check_plugin_name: str
    item: str | None
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> ServiceKey:
        return self.check_plugin_name, self.item

    def public(self) -> dict[str, Any]:
        """As the control endpoints show and take it."""
        return {
            "check_plugin_name": self.check_plugin_name,
            "service_item": self.item,
            "service_name": self.name,
            "service_labels": dict(self.labels),
        }


@dataclass(frozen=True)
class DiscoverySettings:
    """What a discovery changes; Checkmk's DiscoverySettings, plus tabula rasa (monitor exactly what is found)."""

    monitor_undecided: bool = False
    remove_vanished: bool = False
    update_service_labels: bool = False
    update_host_labels: bool = False
    tabula_rasa: bool = False


# The modes of POST .../service_discovery_run/actions/start/invoke, in the order the specs list them.
MODES: Mapping[str, DiscoverySettings] = {
    "new": DiscoverySettings(monitor_undecided=True),
    "remove": DiscoverySettings(remove_vanished=True),
    "fix_all": DiscoverySettings(
        monitor_undecided=True, remove_vanished=True, update_service_labels=True, update_host_labels=True
    ),
    "refresh": DiscoverySettings(),  # a rescan: what the agent offers is always current here
    "only_host_labels": DiscoverySettings(update_host_labels=True),
    "only_service_labels": DiscoverySettings(update_service_labels=True),
    "tabula_rasa": DiscoverySettings(tabula_rasa=True, update_host_labels=True),
}
BACKGROUND_MODES = frozenset({"refresh", "tabula_rasa"})

# 2.3's deprecated `mode` of a bulk discovery (default `new`): new host labels come with new services.
BULK_MODES: Mapping[str, DiscoverySettings] = {
    **MODES,
    "new": DiscoverySettings(monitor_undecided=True, update_host_labels=True),
    "refresh": MODES["tabula_rasa"],
}

# Bulk discovery `options` and the setting each turns on (update_service_parameters: no parameters here).
BULK_OPTIONS: Mapping[str, str | None] = {
    "monitor_undecided_services": "monitor_undecided",
    "remove_vanished_services": "remove_vanished",
    "update_service_labels": "update_service_labels",
    "update_service_parameters": None,
    "update_host_labels": "update_host_labels",
}


def bulk_settings(options: Mapping[str, bool]) -> DiscoverySettings:
    return DiscoverySettings(**{BULK_OPTIONS[name]: True for name, on in options.items() if on and BULK_OPTIONS[name]})


@dataclass
class HostDiscovery:
    """One host: the services and host labels its agent offers (whether or not the host exists in Setup), and
    those monitored (autochecks, stored labels)."""

    offered: dict[ServiceKey, Service] = field(default_factory=dict)
    offered_labels: dict[str, str] = field(default_factory=dict)
    services: dict[ServiceKey, Service] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def check_table(self) -> Iterator[tuple[Service, str]]:
        """Each service with its phase: undecided (offered only), monitored, changed (labels differ) or
        vanished (monitored only)."""
        for key, offered in self.offered.items():
            monitored = self.services.get(key)
            if monitored is None:
                yield offered, "undecided"
            else:
                yield offered, "monitored" if monitored.labels == offered.labels else "changed"
        for key, monitored in self.services.items():
            if key not in self.offered:
                yield monitored, "vanished"

    def vanished_labels(self) -> dict[str, str]:
        return {key: value for key, value in self.labels.items() if key not in self.offered_labels}

    def changed_labels(self) -> dict[str, str]:
        """The labels whose found value differs from the stored one, with the found value."""
        return {key: value for key, value in self.offered_labels.items() if self.labels.get(key, value) != value}

    def apply(self, settings: DiscoverySettings) -> tuple[bool, bool]:
        """Change services and host labels as `settings` say; whether the labels, the services changed."""
        labels = dict(self.offered_labels) if settings.update_host_labels else self.labels
        if settings.tabula_rasa:
            services = dict(self.offered)
        else:
            services = {
                key: self.offered.get(key, service) if settings.update_service_labels else service
                for key, service in self.services.items()
                if key in self.offered or not settings.remove_vanished
            }
            if settings.monitor_undecided:
                services.update((key, service) for key, service in self.offered.items() if key not in services)
        changed = labels != self.labels, services != self.services
        self.labels, self.services = labels, services
        return changed

    def offer(self, services: list[Service], labels: Mapping[str, str]) -> None:
        self.offered = {service.key: service for service in services}
        self.offered_labels = dict(labels)

    def forget(self) -> None:
        """The host was deleted: nothing is monitored; its agent (the machine) still offers what it did."""
        self.services, self.labels = {}, {}

    def public(self) -> dict[str, Any]:
        return {
            "discoverable": {
                "services": [service.public() for service in self.offered.values()],
                "host_labels": self.offered_labels,
            },
            "services": [service.public() for service in self.services.values()],
            "host_labels": self.labels,
        }


# The services the core of a site monitors on a host besides its autochecks, under the rules a new site is
# created with (Checkmk's cmk/base/core/nagios/_create_config.py, create_nagios_servicedefs):
# - `Check_MK`, the service of the host's data sources, unless the host is a ping host
#   (cmk/base/config.py, ConfigCache.checkmk_check_parameters);
# - `Check_MK Discovery`, the periodic discovery check of the default rule "Perform every two hours a service
#   discovery" (cmk/gui/watolib/sample_config/_constants.py), unless the host is a ping host
#   (ConfigCache.discovery_check_parameters);
# - `PING` while the host has no autochecks (nor active or custom checks, which do not exist here), and
#   `PING IPv6` for every dual-stack host (whose primary address family is IPv4 here).
CHECK_MK, CHECK_MK_DISCOVERY, PING, PING_IPV6 = "Check_MK", "Check_MK Discovery", "PING", "PING IPv6"
TCP_AGENTS = frozenset({"cmk-agent", "all-agents", "special-agents"})  # the tags with the auxiliary tag `tcp`
SNMP_TAGS = frozenset({"snmp-v1", "snmp-v2"})  # the tags with the auxiliary tag `snmp`


def is_ping_host(attributes: Mapping[str, Any]) -> bool:
    """ConfigCache.is_ping_host on a host's effective attributes: no agent or special agent, no SNMP, no piggyback
    data expected (`auto-piggyback` finds none here) and no management board."""
    return not (
        attributes.get("tag_agent") in TCP_AGENTS
        or attributes.get("tag_snmp_ds") in SNMP_TAGS
        or attributes.get("tag_piggyback") == "piggyback"
        or attributes.get("management_protocol", "none") != "none"
    )


def core_services(attributes: Mapping[str, Any], *, autochecks: bool) -> tuple[str, ...]:
    """The names of the services the core creates for a host with these effective attributes besides its
    autochecks (`autochecks`: whether it has any)."""
    data_sources = () if is_ping_host(attributes) else (CHECK_MK, CHECK_MK_DISCOVERY)
    ping = () if autochecks else (PING,)
    dual_stack = (PING_IPV6,) if attributes.get("tag_address_family") == "ip-v4v6" else ()
    return (*data_sources, *ping, *dual_stack)


def service_from(body: Mapping[str, Any]) -> Service:
    """From a control endpoint's entry `{"check_plugin_name", "service_name", "service_item"?, "service_labels"?}`."""
    labels = dict(body.get("service_labels", {}))
    return Service(body["check_plugin_name"], body.get("service_item"), body["service_name"], labels)
