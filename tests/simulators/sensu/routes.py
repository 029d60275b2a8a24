"""The route table of lib/sensu/api/routes.rb: per method, regular expressions on the raw path, tried in order
(the first match wins; HEAD takes the GET routes). With no route for the method, a path some other method's route
matches answers 405 with `Allow` (GET, HEAD, POST, DELETE order), any other 404. Each route also names its operation
for the request log (`/clients/<client>`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import aggregates, checks, clients, events, info, results, silenced, stashes
from .protocol import Call, Reply
from .ruby import unescape
from .state import State

Handler = Callable[..., Reply]
Route = tuple[re.Pattern[str], Handler, str]

GET_ROUTES: list[Route] = [
    (info.SETTINGS_URI, info.get_settings, "/settings"),
    (info.INFO_URI, info.get_info, "/info"),
    (info.HEALTH_URI, info.get_health, "/health"),
    (clients.CLIENTS_URI, clients.get_clients, "/clients"),
    (clients.CLIENT_URI, clients.get_client, "/clients/<client>"),
    (clients.CLIENT_HISTORY_URI, clients.get_client_history, "/clients/<client>/history"),
    (checks.CHECKS_URI, checks.get_checks, "/checks"),
    (checks.CHECK_URI, checks.get_check, "/checks/<check>"),
    (events.EVENTS_URI, events.get_events, "/events"),
    (events.EVENTS_CLIENT_URI, events.get_events_client, "/events/<client>"),
    (events.EVENT_URI, events.get_event, "/events/<client>/<check>"),
    (aggregates.AGGREGATES_URI, aggregates.get_aggregates, "/aggregates"),
    (aggregates.AGGREGATE_URI, aggregates.get_aggregate, "/aggregates/<aggregate>"),
    (aggregates.AGGREGATE_CLIENTS_URI, aggregates.get_aggregate_clients, "/aggregates/<aggregate>/clients"),
    (aggregates.AGGREGATE_CHECKS_URI, aggregates.get_aggregate_checks, "/aggregates/<aggregate>/checks"),
    (
        aggregates.AGGREGATE_RESULTS_SEVERITY_URI,
        aggregates.get_aggregate_results_severity,
        "/aggregates/<aggregate>/results/<severity>",
    ),
    (stashes.STASHES_URI, stashes.get_stashes, "/stashes"),
    (stashes.STASH_URI, stashes.get_stash, "/stashes/<path>"),
    (results.RESULTS_URI, results.get_results, "/results"),
    (results.RESULTS_CLIENT_URI, results.get_results_client, "/results/<client>"),
    (results.RESULT_URI, results.get_result, "/results/<client>/<check>"),
    (silenced.SILENCED_URI, silenced.get_silenced, "/silenced"),
    (silenced.SILENCED_ID_URI, silenced.get_silenced_id, "/silenced/ids/<id>"),
    (silenced.SILENCED_SUBSCRIPTION_URI, silenced.get_silenced_subscription, "/silenced/subscriptions/<subscription>"),
    (silenced.SILENCED_CHECK_URI, silenced.get_silenced_check, "/silenced/checks/<check>"),
]

ROUTES: dict[str, list[Route]] = {
    "GET": GET_ROUTES,
    "HEAD": GET_ROUTES,
    "POST": [
        (clients.CLIENTS_URI, clients.post_clients, "/clients"),
        (checks.REQUEST_URI, checks.post_request, "/request"),
        (events.RESOLVE_URI, events.post_resolve, "/resolve"),
        (stashes.STASHES_URI, stashes.post_stashes, "/stashes"),
        (stashes.STASH_URI, stashes.post_stash, "/stashes/<path>"),
        (results.RESULTS_URI, results.post_results, "/results"),
        (silenced.SILENCED_URI, silenced.post_silenced, "/silenced"),
        (silenced.SILENCED_CLEAR_URI, silenced.post_silenced_clear, "/silenced/clear"),
    ],
    "DELETE": [
        (clients.CLIENT_URI, clients.delete_client, "/clients/<client>"),
        (checks.CHECK_URI, checks.delete_check, "/checks/<check>"),
        (events.EVENT_URI, events.delete_event, "/events/<client>/<check>"),
        (aggregates.AGGREGATE_URI, aggregates.delete_aggregate, "/aggregates/<aggregate>"),
        (stashes.STASH_URI, stashes.delete_stash, "/stashes/<path>"),
        (results.RESULT_URI, results.delete_result, "/results/<client>/<check>"),
    ],
}


def find(method: str, uri: str) -> tuple[Route, re.Match[str]] | None:
    """`determine_route_method`: the first route of the method whose expression matches."""
    for route in ROUTES.get(method, []):
        found = route[0].search(uri)
        if found:
            return route, found
    return None


def allowed(uri: str) -> list[str]:
    """`allowed_http_methods?`: the methods with a route matching the path."""
    return [method for method, routes in ROUTES.items() if any(route[0].search(uri) for route in routes)]


def operation(method: str, uri: str) -> str | None:
    found = find(method, uri)
    return found[0][2] if found else None


def run(st: State, call: Call, route: Route, found: re.Match[str]) -> Reply:
    """Call the route's handler with the path's captures, `%XX`-unescaped (URI.unescape)."""
    return route[1](st, call, *(unescape(part) for part in found.groups()))
