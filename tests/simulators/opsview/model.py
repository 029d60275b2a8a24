"""The configuration object types the simulator serves under /rest/config/<type>: their fields, how input is read
(numbers and booleans as JSON values or strings, references as `{"name"}`, `{"name", "matpath"}` or `{"id"}`) and
how objects are written out (every value a string, references as `{"name", "ref"}`, keys in alphabetical order).

Internal values: strings str (or None where nullable), numbers int, booleans bool, references ids, lists of
references lists of ids; the special fields (host attributes, service checks, management URLs, icon) their own
small dicts."""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import bad_request, not_a_hash
from .seed import DEFAULT_ICON, ICONS

Obj = dict[str, Any]
Objects = dict[str, dict[int, Obj]]
Valid = Callable[[str], bool]


@dataclass(frozen=True)
class Field:
    kind: str  # string, number, boolean, ref, refs, special
    default: Any = None
    target: str = ""  # ref, refs: the type referenced
    nullable: bool = False
    valid: Valid | None = None  # string: what is accepted


def string(default: Any = "", *, valid: Valid | None = None, nullable: bool = False) -> Field:
    return Field("string", default, valid=valid, nullable=nullable)


def number(default: int) -> Field:
    return Field("number", default)


def boolean(default: bool) -> Field:
    return Field("boolean", default)


def ref(target: str, default: int | None = None, *, nullable: bool = False) -> Field:
    return Field("ref", default, target=target, nullable=nullable)


def refs(target: str) -> Field:
    return Field("refs", [], target=target)


def special(default: Any) -> Field:
    return Field("special", default)


def pattern(regex: str) -> Valid:
    compiled = re.compile(regex)
    return lambda value: compiled.fullmatch(value) is not None


def one_of(*choices: str) -> Valid:
    return lambda value: value in choices


_HOST_ADDRESS = re.compile(r"[^\[\]`~!$%^&*|'\"<>?,()= ]{1,254}")


def host_address(value: str) -> bool:
    """Opsview 4.x's rule for `ip` (an address or a name, no spaces or shell characters); stricter here, a dotted
    quad of digits must also be a valid IPv4 address and an address with colons a valid IPv6 address."""
    if not _HOST_ADDRESS.fullmatch(value):
        return False
    if re.fullmatch(r"[\d.]+", value) or ":" in value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
    return True


@dataclass(frozen=True)
class ObjectType:
    name: str
    fields: Mapping[str, Field]
    writable: bool = True  # the reference-only types answer 405 to writes
    required: tuple[str, ...] = ("name",)
    derived: tuple[str, ...] = ()  # read-only keys computed from other objects (model.render)
    extra_cols: Mapping[str, Any] = field(default_factory=dict)  # shown only with cols=+<name>


HOST = ObjectType(
    "host",
    {
        "name": string(valid=pattern(r"[\w.-]{1,64}")),
        "ip": string(valid=host_address),
        "alias": string(valid=lambda value: len(value) <= 255),
        "other_addresses": string(valid=pattern(r" *(?:(?:[\w.:-]+)?(?: *, *)?)* *")),
        "hostgroup": ref("hostgroup"),
        "monitored_by": ref("monitoringcluster", 1),
        "hosttemplates": refs("hosttemplate"),
        "keywords": refs("keyword"),
        "parents": refs("host"),
        "business_components": refs("businesscomponent"),
        "hostattributes": special([]),
        "servicechecks": special([]),
        "check_command": ref("hostcheckcommand", 15, nullable=True),
        "check_period": ref("timeperiod", 1),
        "notification_period": ref("timeperiod", 1),
        "check_interval": number(300),
        "retry_check_interval": number(60),
        "check_attempts": number(2),
        "notification_options": string(None, valid=pattern(r"[udrfsn](,[udrfs])*"), nullable=True),
        "icon": special(DEFAULT_ICON),
        "enable_snmp": boolean(False),
        "snmp_version": string("2c", valid=one_of("1", "2c", "3")),
        "snmp_port": number(161),
        "snmp_max_msg_size": number(0),
        "snmp_use_getnext": boolean(False),
        "snmp_use_ifname": boolean(False),
        "snmp_extended_throughput_data": boolean(False),
        "snmpv3_username": string(),
        "snmpv3_authprotocol": string(None, valid=one_of("md5", "sha"), nullable=True),
        "snmpv3_privprotocol": string(None, valid=one_of("des", "aes", "aes128"), nullable=True),
        "flap_detection_enabled": boolean(True),
        "event_handler": string(),
        "event_handler_always_exec": boolean(False),
        "rancid_autoenable": boolean(False),
        "rancid_connection_type": string("ssh", valid=one_of("ssh", "telnet")),
        "rancid_username": string(None, nullable=True),
        "rancid_vendor": ref("rancidvendor", nullable=True),
        "use_rancid": boolean(False),
        "tidy_ifdescr_level": string("0", valid=one_of("0", "1", "2", "3")),
    },
    required=("name", "ip"),
    derived=("last_updated",),
    extra_cols={"snmpinterfaces": []},
)

HOSTGROUP = ObjectType(
    "hostgroup",
    {"name": string(valid=pattern(r"[\w ./+-]{1,128}")), "parent": ref("hostgroup", nullable=True)},
    derived=("children", "hosts", "is_leaf", "matpath"),
)

HOSTTEMPLATE = ObjectType(
    "hosttemplate",
    {
        "name": string(valid=lambda value: 0 < len(value) <= 128),
        "description": string(),
        "servicechecks": special([]),
        "managementurls": special([]),
    },
    derived=("has_icon", "hosts"),
)

KEYWORD = ObjectType(
    "keyword",
    {
        "name": string(valid=pattern(r"[^\W_][\w-]{0,127}")),
        "description": string(),
        "enabled": boolean(True),
        "all_hosts": boolean(False),
        "all_servicechecks": boolean(False),
        "public": boolean(False),
        "show_contextual_menus": boolean(True),
        "calculate_hard_states": boolean(False),
        "exclude_handled": boolean(False),
        "style": string(
            None,
            valid=one_of("group_by_host", "group_by_service", "host_summary", "performance", "errors_and_host_cells"),
            nullable=True,
        ),
        "servicechecks": refs("servicecheck"),
        "hosts": special(None),  # stored on the hosts (their `keywords`)
    },
    derived=("roles",),
)

MONITORINGCLUSTER = ObjectType(
    "monitoringcluster",
    {
        "name": string(valid=lambda value: 0 < len(value) <= 64),
        "activated": boolean(True),
        "passive": boolean(False),
        "active_host_checks_enabled": boolean(True),
        "active_service_checks_enabled": boolean(True),
        "event_handlers_enabled": boolean(True),
        "network_topology_enabled": boolean(False),
    },
    derived=("monitors", "collectors", "roles", "remotely_managed", "cloudops_owned"),
)

SERVICECHECK = ObjectType(
    "servicecheck", {"name": string(), "description": string()}, False, derived=("hosttemplates",)
)
TIMEPERIOD = ObjectType("timeperiod", {"name": string(), "alias": string()}, False)
HOSTCHECKCOMMAND = ObjectType("hostcheckcommand", {"name": string(), "args": string(), "priority": number(1)}, False)

TYPES: Mapping[str, ObjectType] = {
    kind.name: kind
    for kind in (HOST, HOSTGROUP, HOSTTEMPLATE, KEYWORD, MONITORINGCLUSTER, SERVICECHECK, TIMEPERIOD, HOSTCHECKCOMMAND)
}


def ref_path(kind: str, object_id: int) -> str:
    return f"/rest/config/{kind}/{object_id}"


def fold(name: str) -> str:
    """Names compare as MySQL's default collation compares them: ignoring case."""
    return name.casefold()


# --- Reading input --------------------------------------------------------------------------------


class Reader:
    """Reads one object's input against the configuration `objects`; problems are collected in `errors` (joined
    with "; " into one 400, as Opsview joins them), except a value that is not an object where one is needed."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.errors: list[str] = []

    def value(self, name: str, spec: Field, value: Any) -> Any:
        reader = getattr(self, f"_{spec.kind}")
        return reader(name, spec, value)

    def _string(self, name: str, spec: Field, value: Any) -> Any:
        if value is None and spec.nullable:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (spec.valid is not None and not spec.valid(value)):
            self.errors.append(f"{name}: Invalid")
            return None
        return value

    def _number(self, name: str, spec: Field, value: Any) -> int | None:
        del spec
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.errors.append(f"{name}: Invalid")
            return None
        return value

    def _boolean(self, name: str, spec: Field, value: Any) -> bool | None:
        del spec
        if isinstance(value, bool):
            return value
        if value in (0, 1, "0", "1"):
            return value in (1, "1")
        self.errors.append(f"{name}: Invalid")
        return None

    def _ref(self, name: str, spec: Field, value: Any) -> int | None:
        if isinstance(value, list):  # Opsview takes the first of a list given for one reference
            value = value[0] if value else None
        if value is None or value == "":
            if not spec.nullable:
                self.errors.append(f"{name}: Missing")
            return None
        if not isinstance(value, dict):
            raise not_a_hash(name)
        return self.reference(name, spec.target, value)

    def _refs(self, name: str, spec: Field, value: Any) -> list[int]:
        if not isinstance(value, list):
            value = [value]
        found: list[int] = []
        for item in value:
            if not isinstance(item, dict):
                raise not_a_hash(name)
            object_id = self.reference(name, spec.target, item)
            if object_id is not None and object_id not in found:  # duplicates are dropped silently
                found.append(object_id)
        return found

    def reference(self, name: str, target: str, value: Mapping[str, Any]) -> int | None:
        """The id `value` (`{"id"}`, `{"name"}`, a host group also `{"name", "matpath"}`) refers to, or None and
        Opsview's error "No related object for <field> 'name=<value>'"."""
        candidates = self.objects.get(target, {})
        if value.get("id") not in (None, ""):
            key, wanted = "id", str(value["id"])
            matches = [object_id for object_id in candidates if str(object_id) == wanted]
        elif isinstance(value.get("name"), str):
            key, wanted = "name", value["name"]
            matches = [object_id for object_id, obj in candidates.items() if fold(obj["name"]) == fold(wanted)]
            if target == "hostgroup" and value.get("matpath"):
                matches = [group for group in matches if fold(matpath(self.objects, group)) == fold(value["matpath"])]
            if len(matches) > 1:
                self.errors.append(f"There is more than 1 host group with name {wanted} and no matpath to distinguish")
                return None
        else:
            self.errors.append(f"{name}: Missing name")
            return None
        if not matches:
            self.errors.append(f"No related object for {name} '{key}={wanted}'")
            return None
        return matches[0]

    def _special(self, name: str, spec: Field, value: Any) -> Any:
        del spec
        return getattr(self, f"_special_{name}")(value)

    def _special_hostattributes(self, value: Any) -> list[Obj]:
        items = []
        for item in self._hashes("hostattributes", value):
            attribute = {"name": item.get("name"), "value": item.get("value", "")}
            if not isinstance(attribute["name"], str) or not re.fullmatch(r"[A-Z0-9_]{1,63}", attribute["name"]):
                self.errors.append("hostattributes: Invalid name")
            for arg in ("value", "arg1", "arg2", "arg3", "arg4"):
                if arg != "value":
                    attribute[arg] = item.get(arg)
                if attribute[arg] is not None and not isinstance(attribute[arg], (str, int, float)):
                    self.errors.append(f"hostattributes: Invalid {arg}")
                elif attribute[arg] is not None:
                    attribute[arg] = str(attribute[arg])
            if attribute["value"] is None:
                attribute["value"] = ""
            items.append(attribute)
        return items  # duplicates by name are allowed (several DISK)

    def _special_servicechecks(self, value: Any) -> list[Obj]:
        checks: list[Obj] = []
        for item in self._hashes("servicechecks", value):
            check_id = self.reference("servicechecks", "servicecheck", item)
            check: Obj = {"servicecheck": check_id}
            for text in ("exception", "event_handler"):
                check[text] = self.value(text, string(None, nullable=True), item.get(text))
            check["timed_exception"] = self._timed_exception(item.get("timed_exception"))
            if "remove_servicecheck" in item:
                check["remove_servicecheck"] = self.value(
                    "remove_servicecheck", boolean(False), item["remove_servicecheck"]
                )
            if check_id is not None and all(other["servicecheck"] != check_id for other in checks):
                checks.append(check)
        return checks

    def _timed_exception(self, value: Any) -> Obj | None:
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise not_a_hash("timed_exception")
        period = value.get("timeperiod")
        if not isinstance(period, dict):
            raise not_a_hash("timeperiod")
        args = value.get("args", "")
        if not isinstance(args, str):
            self.errors.append("timed_exception: Invalid args")
        return {"timeperiod": self.reference("timeperiod", "timeperiod", period), "args": str(args)}

    def _special_managementurls(self, value: Any) -> list[Obj]:
        urls = []
        for item in self._hashes("managementurls", value):
            if not all(isinstance(item.get(key), str) and item[key] for key in ("name", "url")):
                self.errors.append("managementurls: Missing name or url")
            urls.append({"name": item.get("name"), "url": item.get("url")})
        return urls

    def _special_icon(self, value: Any) -> str | None:
        if not isinstance(value, dict):
            raise not_a_hash("icon")
        name = value.get("name")
        if name not in ICONS:
            self.errors.append(f"No related object for icon 'name={name}'")
            return None
        return str(name)

    def _special_hosts(self, value: Any) -> list[int]:
        return self._refs("hosts", refs("host"), value)

    def _hashes(self, name: str, value: Any) -> list[Mapping[str, Any]]:
        if not isinstance(value, list):
            value = [value]
        for item in value:
            if not isinstance(item, dict):
                raise not_a_hash(name)
        return value

    def check(self) -> None:
        if self.errors:
            raise bad_request("; ".join(dict.fromkeys(self.errors)))


# --- The host group tree --------------------------------------------------------------------------


def ancestry(objects: Objects, group_id: int) -> list[int]:
    """The host group ids from the root down to `group_id`."""
    chain = [group_id]
    while (parent := objects["hostgroup"][chain[0]]["parent"]) is not None and parent not in chain:
        chain.insert(0, parent)
    return chain


def matpath(objects: Objects, group_id: int) -> str:
    """Opsview's materialised path: each name from the root, followed by a comma."""
    return "".join(f"{objects['hostgroup'][ancestor]['name']}," for ancestor in ancestry(objects, group_id))


def by_name(objects: Objects, kind: str, ids: Iterable[int]) -> list[int]:
    return sorted(ids, key=lambda object_id: (fold(objects[kind][object_id]["name"]), object_id))


class Index:
    """Who refers to whom, worked out once per request: what objects show of others (a group's hosts, a template's
    hosts, ...), the host group tree in order, and which objects are in use."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects

    def _hosts_by(self, key: str) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for host_id, host in self.objects["host"].items():
            values = host[key] if isinstance(host[key], list) else [host[key]]
            for value in values:
                found[value].append(host_id)
        return found

    @cached_property
    def group_hosts(self) -> dict[int, list[int]]:
        return self._hosts_by("hostgroup")

    @cached_property
    def template_hosts(self) -> dict[int, list[int]]:
        return self._hosts_by("hosttemplates")

    @cached_property
    def keyword_hosts(self) -> dict[int, list[int]]:
        return self._hosts_by("keywords")

    @cached_property
    def cluster_hosts(self) -> dict[int, list[int]]:
        return self._hosts_by("monitored_by")

    @cached_property
    def children(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for group_id, group in self.objects["hostgroup"].items():
            if group["parent"] is not None:
                found[group["parent"]].append(group_id)
        return found

    @cached_property
    def check_templates(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for template_id, template in self.objects["hosttemplate"].items():
            for check in template["servicechecks"]:
                found[check["servicecheck"]].append(template_id)
        return found

    def tree(self, group_id: int = 1) -> list[int]:
        """The host groups below and including `group_id`, depth first, siblings by id (Opsview's `lft` order)."""
        found = [group_id]
        for child in sorted(self.children.get(group_id, [])):
            found += self.tree(child)
        return found

    def leaves(self, group_id: int) -> list[int]:
        return [group for group in self.tree(group_id) if not self.children.get(group)]

    def referrers(self, kind: str, object_id: int) -> list[tuple[str, int]]:
        """The objects that refer to `kind` `object_id` (which then cannot be deleted)."""
        found = []
        for other_kind, spec in TYPES.items():
            for other_id, other in self.objects.get(other_kind, {}).items():
                for name, field_spec in spec.fields.items():
                    if field_spec.target != kind:
                        continue
                    value = other.get(name)
                    if value == object_id or (isinstance(value, list) and object_id in value):
                        found.append((other_kind, other_id))
        if kind == "servicecheck":
            found += [("hosttemplate", template) for template in self.check_templates.get(object_id, [])]
        return found


# --- Writing output -------------------------------------------------------------------------------


class Renderer:
    """Objects as Opsview answers them: all values strings (null stays null), references `{"name", "ref"}`."""

    def __init__(self, objects: Objects, index: Index | None = None) -> None:
        self.objects = objects
        self.index = index or Index(objects)

    def ref(self, kind: str, object_id: int | None) -> Obj | None:
        if object_id is None or object_id not in self.objects.get(kind, {}):
            return None
        answer: Obj = {"name": self.objects[kind][object_id]["name"], "ref": ref_path(kind, object_id)}
        return answer

    def refs(self, kind: str, ids: Iterable[int]) -> list[Obj]:
        return [answer for object_id in ids if (answer := self.ref(kind, object_id)) is not None]

    def object(self, kind: str, obj: Obj, *, extra: Iterable[str] = ()) -> Obj:
        spec = TYPES[kind]
        out: Obj = {"id": str(obj["id"]), "ref": ref_path(kind, obj["id"]), "uncommitted": _flag(obj["uncommitted"])}
        for name, field_spec in spec.fields.items():
            if field_spec.kind == "special":
                out[name] = getattr(self, f"_{kind}_{name}")(obj)
            else:
                out[name] = self.value(field_spec, obj[name])
        getattr(self, f"_{kind}_derived", lambda obj, out: None)(obj, out)
        for name in extra:
            if name in spec.extra_cols:
                out[name] = spec.extra_cols[name]
        return dict(sorted(out.items()))

    def value(self, spec: Field, value: Any) -> Any:
        if spec.kind == "ref":
            return self.ref(spec.target, value)
        if spec.kind == "refs":
            return self.refs(spec.target, value)
        if value is None:
            return None
        if spec.kind == "boolean":
            return _flag(value)
        return str(value)

    def _host_derived(self, obj: Obj, out: Obj) -> None:
        out["last_updated"] = str(obj["last_updated"])

    def _host_hostattributes(self, obj: Obj) -> list[Obj]:
        return [dict(sorted({**attribute, "id": str(attribute["id"])}.items())) for attribute in obj["hostattributes"]]

    def _host_servicechecks(self, obj: Obj) -> list[Obj]:
        return [
            {**self._check(check), "remove_servicecheck": _flag(check.get("remove_servicecheck", False))}
            for check in obj["servicechecks"]
        ]

    def _host_icon(self, obj: Obj) -> Obj:
        return {"name": obj["icon"], "path": ICONS[obj["icon"]]}

    def _check(self, check: Obj) -> Obj:
        timed = check["timed_exception"]
        if timed is not None:
            timed = {"args": timed["args"], "timeperiod": self.ref("timeperiod", timed["timeperiod"])}
        reference = self.ref("servicecheck", check["servicecheck"]) or {}
        return {
            **reference,
            "event_handler": check["event_handler"],
            "exception": check["exception"],
            "timed_exception": timed,
        }

    def _hostgroup_derived(self, obj: Obj, out: Obj) -> None:
        children = self.index.children.get(obj["id"], [])
        out["children"] = self.refs("hostgroup", by_name(self.objects, "hostgroup", children))
        out["hosts"] = self.refs("host", by_name(self.objects, "host", self.index.group_hosts.get(obj["id"], [])))
        out["is_leaf"] = _flag(not children)
        out["matpath"] = matpath(self.objects, obj["id"])
        if out["parent"] is not None:
            out["parent"] = {**out["parent"], "matpath": matpath(self.objects, obj["parent"])}

    def _hosttemplate_servicechecks(self, obj: Obj) -> list[Obj]:
        return [self._check(check) for check in obj["servicechecks"]]

    def _hosttemplate_managementurls(self, obj: Obj) -> list[Obj]:
        return [{"id": str(url["id"]), "name": url["name"], "url": url["url"]} for url in obj["managementurls"]]

    def _hosttemplate_derived(self, obj: Obj, out: Obj) -> None:
        out["has_icon"] = "0"
        out["hosts"] = self.refs("host", by_name(self.objects, "host", self.index.template_hosts.get(obj["id"], [])))

    def _keyword_hosts(self, obj: Obj) -> list[Obj]:
        return self.refs("host", by_name(self.objects, "host", self.index.keyword_hosts.get(obj["id"], [])))

    def _keyword_derived(self, obj: Obj, out: Obj) -> None:
        del obj
        out["roles"] = []

    def _monitoringcluster_derived(self, obj: Obj, out: Obj) -> None:
        hosts = by_name(self.objects, "host", self.index.cluster_hosts.get(obj["id"], []))
        out["monitors"] = self.refs("host", hosts)
        out["collectors"] = [{"name": "Master", "ref": "/rest/config/collector/1"}] if obj["id"] == 1 else []
        out["roles"] = []
        out["remotely_managed"] = "0"
        out["cloudops_owned"] = "0"

    def _servicecheck_derived(self, obj: Obj, out: Obj) -> None:
        templates = by_name(self.objects, "hosttemplate", self.index.check_templates.get(obj["id"], []))
        out["hosttemplates"] = self.refs("hosttemplate", templates)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def host_services(objects: Objects, host: Obj) -> list[str]:
    """The services a host has: its templates' service checks in template order, then its own, less those its own
    say to remove (`remove_servicecheck`)."""
    own = {check["servicecheck"]: check for check in host["servicechecks"]}
    ids = [
        check["servicecheck"]
        for template in host["hosttemplates"]
        for check in objects["hosttemplate"][template]["servicechecks"]
    ]
    ids += list(own)
    kept = [check for check in dict.fromkeys(ids) if not own.get(check, {}).get("remove_servicecheck", False)]
    return [objects["servicecheck"][check]["name"] for check in kept]
