"""Response bodies in the shapes of Checkmk's Restful-Objects serializers (links, domain objects, collections)."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .state import Folder, Host, State

UPDATE = "urn:org.restfulobjects:rels/update"
DELETE = "urn:org.restfulobjects:rels/delete"
CHECKMK = "urn:com.checkmk:rels/"
COLLECTION_ITEM = 'urn:org.restfulobjects:rels/value;collection="all"'
OBJECT_PROFILE = 'application/json;profile="urn:org.restfulobjects:rels/object"'


def url_safe(part: str) -> str:
    """Object ids in hrefs are quoted twice, as Checkmk does (`Filesystem /boot` -> `Filesystem%2520%252Fboot`)."""
    return quote(quote(part, safe=""))


class Renderer:
    """Builds bodies for one request: links are absolute, from the URL the client used to reach the site."""

    def __init__(self, state: State, host_url: str, site: str | None = None) -> None:
        self.state = state
        self.config = state.config
        self.served_site = site or state.config.site  # the site whose API answers
        self.base = f"{host_url}{self.served_site}/check_mk/api/1.0"

    def link(self, rel: str, href: str, method: str = "GET", title: str | None = None) -> dict[str, Any]:
        link = {
            "domainType": "link",
            "rel": rel,
            "href": self.base + href,
            "method": method,
            "type": "application/json",
        }
        return link if title is None else {**link, "title": title}

    def domain_object(
        self,
        domain_type: str,
        ident: str,
        title: str,
        extensions: dict[str, Any],
        *,
        links: Iterable[dict[str, Any]] = (),
        members: dict[str, Any] | None = None,
        editable: bool = True,
    ) -> dict[str, Any]:
        """Editable objects link to their update and delete; the others only to themselves."""
        href = f"/objects/{domain_type}/{url_safe(ident)}"
        edits = [self.link(UPDATE, href, "PUT"), self.link(DELETE, href, "DELETE")] if editable else []
        return {
            "links": [self.link("self", href), *edits, *links],
            "domainType": domain_type,
            "id": ident,
            "title": title,
            "members": members or {},
            "extensions": extensions,
        }

    def collection(self, domain_type: str, value: list[dict[str, Any]], ident: str | None = None) -> dict[str, Any]:
        return {
            "links": [self.link("self", f"/domain-types/{domain_type}/collections/all")],
            "id": ident or domain_type,
            "domainType": domain_type,
            "value": value,
            "extensions": {},
        }

    def host(self, host: Host, *, effective: bool = False, links: bool = True, listed: bool = False) -> dict[str, Any]:
        """A host_config object; `effective_attributes` is null or left out unless asked for."""
        extensions = {
            "folder": "/" + host.folder.path,
            "attributes": host.attributes,
            "effective_attributes": self.state.effective_attributes(host) if effective else None,
            "is_cluster": host.cluster_nodes is not None,
            "is_offline": self.state.inherited(host, "tag_criticality") == "offline",
            "cluster_nodes": host.cluster_nodes,
        }
        if not effective and (listed or self.config.api_version == "2.3"):
            # 2.4+ lists omit it; 2.3's schema cannot express null (a `nullable` beside a bare `allOf` is void).
            del extensions["effective_attributes"]
        folder_link = self.link(
            CHECKMK + "folder_config",
            f"/objects/folder_config/{url_safe(host.folder.slug)}",
            title="The folder config of the host.",
        )
        title = str(host.attributes.get("alias") or host.name)
        host_object = self.domain_object("host_config", host.name, title, extensions, links=[folder_link])
        if not links:
            host_object["links"] = []  # HostConfig requires `links` in every spec version: the key stays, empty
        return host_object

    def hosts(self, hosts: Iterable[Host], *, effective: bool = False, links: bool = False) -> dict[str, Any]:
        value = [self.host(host, effective=effective, links=links, listed=True) for host in hosts]
        return self.collection("host_config", value, ident="host")

    def folder(self, folder: Folder, *, show_hosts: bool = False) -> dict[str, Any]:
        href = f"/objects/folder_config/{url_safe(folder.slug)}"
        move = [self.link(CHECKMK + "move", f"{href}/actions/move/invoke", "POST", "Move the folder")]
        extensions = {"path": "/" + folder.path, "attributes": folder.attributes}
        members = {"hosts": self._hosts_member(folder, href)} if show_hosts else {}
        links = move if folder.parent else []
        return self.domain_object("folder_config", folder.slug, folder.title, extensions, links=links, members=members)

    def _hosts_member(self, folder: Folder, href: str) -> dict[str, Any]:
        value = [
            {**self.link(COLLECTION_ITEM, f"/objects/host_config/{url_safe(name)}", title=name), "type": OBJECT_PROFILE}
            for name in folder.hosts
        ]
        return {
            "id": "hosts",
            "memberType": "collection",
            "value": value,
            "links": [self.link("self", f"{href}/collections/hosts")],
        }

    def site(self, site_id: str) -> dict[str, Any]:
        local = site_id == self.config.site
        alias = f"Local site {site_id}" if local else f"Remote site {site_id}"
        connection = (
            {"socket_type": "local"}
            if local
            else {"socket_type": "tcp", "host": "127.0.0.1", "port": 6557, "encrypted": True, "verify": True}
        )
        extensions: dict[str, Any] = {
            "basic_settings": {"site_id": site_id, "alias": alias},
            "status_connection": {
                "connection": connection,
                "proxy": {"use_livestatus_daemon": "direct"},
                "connect_timeout": 2,
                "persistent_connection": False,
                "url_prefix": f"/{site_id}/",
                "status_host": {"status_host_set": "disabled"},
                "disable_in_status_gui": False,
            },
            "configuration_connection": {
                "enable_replication": not local,
                **({} if local else {"url_of_remote_site": f"http://127.0.0.1/{site_id}/check_mk/"}),
                "disable_remote_configuration": True,
                "ignore_tls_errors": False,
                "direct_login_to_web_gui_allowed": True,
                "user_sync": {"sync_with_ldap_connections": "all"},
                "replicate_event_console": True,
                "replicate_extensions": False,
                "message_broker_port": 5672,
                "is_trusted": False,
            },
        }
        if not local:
            extensions["logged_in"] = True
        return self.domain_object("site_connection", site_id, alias, extensions)

    def pending_changes(self) -> dict[str, Any]:
        body = {
            "id": "activation_run",
            "domainType": "activation_run",
            "links": [
                self.link(CHECKMK + "activate", "/domain-types/activation_run/actions/activate-changes/invoke", "POST")
            ],
            "value": [change.public() for change in self.state.changes],
        }
        if self.config.api_version == "2.5":
            del body["id"]  # PendingChangesCollection of 2.5 forbids properties it does not list, and `id` is not one
        return body

    def version(self) -> dict[str, Any]:
        return {
            "site": self.served_site,
            "group": self.served_site,
            "rest_api": {"revision": "0"},
            "versions": {
                "apache": [2, 4, 62],
                "checkmk": f"{self.config.checkmk_version}.{self.config.edition}",
                "python": platform.python_version(),
                "mod_wsgi": [5, 0, 0],
                "wsgi": [1, 0],
            },
            "edition": self.config.edition,
            "demo": False,
        }
