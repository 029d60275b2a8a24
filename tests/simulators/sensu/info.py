"""The installation itself (lib/sensu/api/routes/{info,health,settings}.rb, utilities/{transport,servers}_info.rb):
`/info`, `/health`, `/settings`. The transport's queue figures and the connections are the simulator's
(POST /_simulator/backend); the one sensu-server is the simulator."""

from __future__ import annotations

import socket
from typing import Any

from . import settings
from .config import CORE_VERSION
from .protocol import Call, Reply
from .ruby import rx
from .state import State
from .utilities import redact_sensitive

SETTINGS_URI = rx(r"^/settings$")
INFO_URI = rx(r"^/info$")
HEALTH_URI = rx(r"^/health$")
SERVER_TASKS = ["check_request_publisher", "client_monitor", "check_result_monitor"]


def transport_info(st: State) -> dict[str, Any]:
    transport = st.settings.get("transport")
    info: dict[str, Any] = {
        "name": transport.get("name") if isinstance(transport, dict) else None,
        "keepalives": {"messages": None, "consumers": None},
        "results": {"messages": None, "consumers": None},
        "connected": False,
    }
    if st.transport_connected:
        info["keepalives"] = dict(st.transport["keepalives"])
        info["results"] = dict(st.transport["results"])
        info["connected"] = True
    return info


def release_info(st: State) -> dict[str, Any]:
    """RELEASE_INFO and the settings' digest; Sensu Enterprise adds its own version (since 2.6.0; where in the
    answer is not documented: `enterprise`)."""
    sensu: dict[str, Any] = {"version": CORE_VERSION}
    if st.config.flavour == "enterprise":
        sensu["enterprise"] = {"version": st.config.version}
    sensu["settings"] = {"hexdigest": settings.hexdigest(st.settings)}
    return sensu


def servers_info(st: State) -> list[dict[str, Any]]:
    """The server registry: the simulated sensu-server, refreshed now (a real one every 10 seconds)."""
    if not st.redis_connected:
        return []
    return [
        {
            "id": st.server_id,
            "hostname": socket.gethostname(),
            "address": "127.0.0.1",
            "tasks": list(SERVER_TASKS),
            "metrics": {"cpu": {"user": 0.0, "system": 0.0}},
            "sensu": release_info(st),
            "tessen": {"enabled": False},
            "timestamp": st.now(),
        }
    ]


def get_info(st: State, call: Call) -> Reply:
    return Reply(
        200,
        {
            "sensu": release_info(st),
            "transport": transport_info(st),
            "redis": {"connected": st.redis_connected},
            "servers": servers_info(st),
        },
    )


def get_health(st: State, call: Call) -> Reply:
    """204 when at least `consumers` servers consume keepalives and results and at most `messages` are queued
    (and the API is connected), else 412 with the reasons."""
    problems: list[str] = []
    if not (st.redis_connected and st.transport_connected):
        if not st.redis_connected:
            problems.append("not connected to redis")
        if not st.transport_connected:
            problems.append("not connected to transport")
        return Reply(412, problems)
    min_consumers = call.integer("consumers")
    max_messages = call.integer("messages")
    info = transport_info(st)
    for queue in ("keepalives", "results"):
        label = "keepalive" if queue == "keepalives" else "result"
        consumers = info[queue]["consumers"]
        if min_consumers is not None and consumers < min_consumers:
            problems.append(f"{label} consumers ({consumers}) less than min_consumers ({min_consumers})")
    for queue in ("keepalives", "results"):
        label = "keepalive" if queue == "keepalives" else "result"
        messages = info[queue]["messages"]
        if max_messages is not None and messages > max_messages:
            problems.append(f"{label} messages ({messages}) greater than max_messages ({max_messages})")
    return Reply(412, problems) if problems else Reply(204)


def get_settings(st: State, call: Call) -> Reply:
    """The settings, redacted unless `redacted=false`."""
    if call.params.get("redacted") == "false":
        return Reply(200, st.settings)
    return Reply(200, redact_sensitive(st.settings))
