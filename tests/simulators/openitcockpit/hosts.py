"""Reading hosts (HostsController): the monitored list (`index`: only hosts an export put into monitoring, never
disabled ones), the configured but not monitored ones, name look-ups, one host, and the options the host form
offers for a container."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from . import model, tree
from .containers import int_id, paths
from .errors import forbidden, internal, not_found
from .hostgroups import group_name
from .hostviews import entity, host_view, inherited, no_status, satellite_options, status, visible
from .listing import Filters, key_values, order, paginate
from .php import natural_key
from .protocol import answer, body, route, state
from .state import State

AJAX_LIMIT = 150  # ITN_AJAX_LIMIT
Row = dict[str, Any]


def _tags(st: State, host: Row) -> Any:
    return inherited(st, host, "tags")


def index_filters(st: State) -> dict[str, Any]:
    """HostFilter::indexFilter() on (host, status) pairs."""
    return {
        "Hosts.name": ("like_or_rlike", lambda row: row[0]["name"]),
        "Hosts.address": ("like_or_rlike", lambda row: row[0]["address"]),
        "Hosts.description": ("like", lambda row: row[0]["description"]),
        "hostdescription": ("like", lambda row: inherited(st, row[0], "description")),
        "Hoststatus.output": ("like", lambda row: row[1]["output"]),
        "Hosts.id": ("equals", lambda row: row[0]["id"]),
        "Hosts.uuid": ("equals", lambda row: row[0]["uuid"]),
        "Hosts.satellite_id": ("equals", lambda row: row[0]["satellite_id"]),
        "hostpriority": ("equals", lambda row: inherited(st, row[0], "priority")),
        "Hosts.host_type": ("equals", lambda row: row[0]["host_type"]),
        "Hoststatus.current_state": ("state", lambda row: row[1]["currentState"]),
        "Hoststatus.problem_has_been_acknowledged": ("boolean", lambda row: row[1]["problemHasBeenAcknowledged"]),
        "Hoststatus.notifications_enabled": ("boolean", lambda row: row[1]["notifications_enabled"]),
        "Hoststatus.active_checks_enabled": ("boolean", lambda row: row[1]["activeChecksEnabled"]),
        "Hoststatus.is_hardstate": ("boolean", lambda row: row[1]["isHardstate"]),
        "Hoststatus.scheduled_downtime_depth": ("downtime", lambda row: row[1]["scheduledDowntimeDepth"]),
        "Hosts.keywords": ("rlike", lambda row: _tags(st, row[0])),
        "Hosts.not_keywords": ("notrlike", lambda row: _tags(st, row[0])),
    }


def index_columns(st: State) -> dict[str, Any]:
    return {
        "Hosts.id": lambda row: row[0]["id"],
        "Hosts.name": lambda row: row[0]["name"],
        "Hosts.address": lambda row: row[0]["address"],
        "Hosts.description": lambda row: row[0]["description"],
        "Hosts.satellite_id": lambda row: row[0]["satellite_id"],
        "hostpriority": lambda row: inherited(st, row[0], "priority"),
        "Hoststatus.current_state": lambda row: row[1]["currentState"],
        "Hoststatus.last_state_change": lambda row: row[0]["created"],
        "Hoststatus.last_hard_state_change": lambda row: row[0]["created"],
        "Hoststatus.last_check": lambda row: row[1]["lastCheck"],
        "Hoststatus.next_check": lambda row: row[1]["nextCheck"],
        "Hoststatus.output": lambda row: row[1]["output"],
    }


def _browser_hosts(st: State, hosts: list[Row]) -> list[Row]:
    """`BrowserContainerId=<id>` (or `[]`): the hosts shared into those containers; one the user has no rights on
    (for a root user: one that does not exist) is a 403."""
    wanted = request.args.getlist("BrowserContainerId") + request.args.getlist("BrowserContainerId[]")
    if not wanted:
        return hosts
    container_ids = {int_id(value) for value in wanted}
    if any(cid not in st.containers for cid in container_ids):
        raise forbidden()
    return [host for host in hosts if container_ids & set(host["sharing"])]


@route("/hosts/index")
def host_index() -> Response:
    """The hosts the monitoring core runs (an INNER JOIN with the status table) that are not disabled; default
    order `Hoststatus.current_state desc`, always then `Hosts.id asc`."""
    st = state()
    hosts = [h for h in st.hosts.values() if st.is_monitored(h["id"]) and not h["disabled"] and visible(st, h)]
    rows = [(host, status(st, host)) for host in _browser_hosts(st, hosts)]
    rows = Filters(request.args).apply(rows, index_filters(st))
    rows = order(rows, request.args, index_columns(st), [("Hoststatus.current_state", "desc")], [("Hosts.id", "asc")])
    chosen, block = paginate(rows, request.args)
    listed = [
        {
            "Host": host_view(st, host),
            "Hoststatus": host_status,
            "ServicestatusSummary": _service_summary(st, host),
            "Downtime": [],
            "Acknowledgement": [],
        }
        for host, host_status in chosen
    ]
    return answer({"all_hosts": listed, "username": st.user_fullname, **block})


def _service_summary(st: State, host: Row) -> Row:
    """Every monitored service of the host is OK."""
    total = sum(1 for service in st.host_services(host["id"]) if st.service_monitored(service))
    return {"state": {"ok": total, "warning": 0, "critical": 0, "unknown": 0}, "total": total}


@route("/hosts/notMonitored")
def not_monitored() -> Response:
    """Configured, not disabled, and unknown to the core (created since the last export); sorted by name."""
    st = state()
    hosts = [h for h in st.hosts.values() if not st.is_monitored(h["id"]) and not h["disabled"] and visible(st, h)]
    spec = {
        "Hosts.name": ("like_or_rlike", lambda row: row["name"]),
        "Hosts.address": ("like_or_rlike", lambda row: row["address"]),
        "Hosts.description": ("like", lambda row: row["description"]),
        "Hosts.id": ("equals", lambda row: row["id"]),
        "Hosts.satellite_id": ("equals", lambda row: row["satellite_id"]),
    }
    hosts = Filters(request.args).apply(hosts, spec)
    columns = {f"Hosts.{name}": _field(name) for name in ("id", "name", "address", "description", "satellite_id")}
    hosts = order(hosts, request.args, columns, [("Hosts.name", "asc")])
    chosen, block = paginate(hosts, request.args)
    listed = [
        {"Host": _unmonitored_view(st, host), "Hoststatus": {"isInMonitoring": False, "currentState": -1}}
        for host in chosen
    ]
    return answer({"all_hosts": listed, **block}, tail=False)


def _field(name: str) -> Any:
    return lambda row: row[name]


def _unmonitored_view(st: State, host: Row) -> Row:
    """Views\\Host plus `allow_sharing`, `satelliteName` and `satelliteId` (a satellite the module does not know
    shows the master's, without a `satelliteRestricted` flag)."""
    view = host_view(st, host)
    for key in ("satelliteRestricted", "type", "additionalInformationExists", "additionalInformation"):
        del view[key]
    return view


@route("/hosts/loadHostsByString", angular="405")
def load_hosts_by_string() -> Response:
    return _hosts_by_string()


@route("/hosts/loadHostsByString/<only_writable>", angular="405")
def load_writable_hosts_by_string(only_writable: str) -> Response:
    """`/1`: only hosts the user may write: for a root user all of them."""
    del only_writable
    return _hosts_by_string()


def _hosts_by_string() -> Response:
    """`filter[Hosts.name]` LIKE, `filter[Hosts.uuid]`, `filter[Hosts.disabled]`; at most 150 by name and id, the
    `selected[]` ids on top; then sorted by name, naturally. Whether exported or not; disabled hosts only with
    `includeDisabled=true`."""
    st = state()
    selected = {int(value) for value in request.args.getlist("selected[]") if value.isdigit()}
    include_disabled = request.args.get("includeDisabled") == "true"
    hosts = [
        h
        for h in st.hosts.values()
        if visible(st, h) and (include_disabled or not h["disabled"]) and h["id"] not in selected
    ]
    spec = {
        "Hosts.name": ("like", lambda row: row["name"]),
        "Hosts.uuid": ("equals", lambda row: row["uuid"]),
        "Hosts.disabled": ("equals", lambda row: row["disabled"]),
    }
    hosts = Filters(request.args).apply(hosts, spec)
    hosts.sort(key=lambda host: (host["name"].casefold(), host["id"]))
    hosts = hosts[:AJAX_LIMIT] + [st.hosts[i] for i in sorted(selected) if i in st.hosts and visible(st, st.hosts[i])]
    hosts.sort(key=lambda host: natural_key(host["name"]))
    return answer({"hosts": key_values((host["id"], host["name"]) for host in hosts)})


@route("/hosts/checkForDuplicateHostname", ("POST",))
def check_for_duplicate_hostname() -> Response:
    """`{"hostname", "excludedHostIds"}`: an exact name (MySQL's collation: ignoring case and trailing spaces), any
    host: disabled, not exported. Advisory: adding does not check it."""
    st = state()
    data = body()
    name = str(data.get("hostname", "")).rstrip(" ").casefold()
    excluded = {int(i) for i in data.get("excludedHostIds") or [] if str(i).isdigit()}
    in_use = any(h["name"].rstrip(" ").casefold() == name and h["id"] not in excluded for h in st.hosts.values())
    return answer({"isHostnameInUse": in_use})


@route("/hosts/view/<host_id>")
def view_host(host_id: str) -> Response:
    """The stored host (inherited fields null) and its status. HostsTable::exists() gets the id as a bare
    condition (`WHERE 99`), true whenever any host exists: an unknown id then fails later (500); only with no
    host at all is it 404 "Invalid host"."""
    st = state()
    wanted = int_id(host_id)
    host = st.hosts.get(wanted or 0)
    if host is None:
        if wanted and st.hosts:
            raise internal()
        raise not_found("Invalid host")
    host_status = status(st, host, formatted=False) if st.is_monitored(host["id"]) else no_status()
    return answer({"host": entity(st, host), "hoststatus": host_status})


@route("/hosts/loadElementsByContainerId/<container_id>", angular="405")
def load_elements(container_id: str) -> Response:
    return _elements(container_id)


@route("/hosts/loadElementsByContainerId/<container_id>/<host_id>", angular="405")
def load_elements_for_host(container_id: str, host_id: str) -> Response:
    del host_id
    return _elements(container_id)


def _elements(container_id: str) -> Response:
    """What the host form offers for a host in the container: templates of root, the container and below; host
    groups below them (in root: all); the other containers to share into; satellites (with the DistributeModule,
    the master as key 0 last)."""
    st = state()
    cid = int_id(container_id)
    if cid is None or cid not in st.containers:
        raise not_found("Invalid container")
    scope = {tree.ROOT, cid, *(c["id"] for c in tree.descendants(st.containers, cid))}
    templates = sorted(
        (t for t in st.hosttemplates.values() if t["container_id"] in scope), key=lambda t: t["name"].casefold()
    )
    groups = [
        g for g in st.hostgroups.values() if cid == tree.ROOT or st.containers[g["container_id"]]["parent_id"] in scope
    ]
    group_names = sorted(((g["id"], group_name(st, g["id"])) for g in groups), key=lambda item: item[1].casefold())
    sharing = sorted(((i, p) for i, p in paths(st).items() if i != cid), key=lambda item: item[1])
    return answer(
        {
            "hosttemplates": key_values((t["id"], t["name"]) for t in templates),
            "hostgroups": key_values(group_names),
            "timeperiods": key_values(model.TIMEPERIODS.items()),
            "checkperiods": key_values(model.TIMEPERIODS.items()),
            "contacts": key_values(model.CONTACTS.items()),
            "contactgroups": key_values(model.CONTACTGROUPS.items()),
            "satellites": key_values(satellite_options(st)),
            "sharingContainers": key_values(sharing),
            "exporters": [],
            "slas": [],
        }
    )
