"""What a fresh Opsview 6.x has, after the recorded answers of a stock 6.8.8 (ids and names kept): the host group
tree `Opsview` > `Monitoring Servers`, the master host `opsview`, the cluster "Master Monitoring Server", a few of
the 272 host templates with their service checks, the hashtags of the master, the time periods and host check
commands. Internal values: references are ids, numbers ints, booleans bools (model.py renders them)."""

from __future__ import annotations

from typing import Any

Objects = dict[str, dict[int, dict[str, Any]]]

# Service checks by id: (name, description).
SERVICECHECKS: dict[int, tuple[str, str]] = {
    704: ("Connectivity - LAN", "Checks that network interface is responding to ICMP echo requests"),
    1296: ("CPU statistics", "CPU utilisation"),
    1301: ("Disk", "Utilisation of Unix partitions"),
    1297: ("Read-only Partitions", "Checks for partitions mounted read-only"),
    1295: ("SMART HDD Status", "SMART status of the disks"),
    1300: ("Unix Load Average", "Checks Load Average"),
    1299: ("Unix Memory", "Memory utilisation"),
    1298: ("Unix Swap", "Swap utilisation"),
    637: ("HTTP", "Checks for valid HTTP response on TCP port 80"),
    636: ("HTTP / SSL", "Checks for valid HTTP over SSL or TLS response on TCP port 443"),
    635: ("HTTPS Certificate Expiration Check", "Days until the certificate expires"),
    1268: ("SSH", "Checks SSH on TCP port 22"),
    1267: ("SSH processes", "Number of sshd processes"),
    1042: ("Opsview - Application Status", "Status of the Opsview application"),
    1038: ("Opsview - Daemon", "Opsview daemons"),
    1034: ("Opsview - Login", "Login to the Opsview web interface"),
    1405: ("Windows - CPU Utilisation", "CPU utilisation"),
    1400: ("Windows - Drive", "Drive utilisation"),
    1402: ("Windows - Physical Memory", "Physical memory utilisation"),
}

# Host templates by id: (name, description, service check ids in order).
HOSTTEMPLATES: dict[int, tuple[str, str, tuple[int, ...]]] = {
    117: ("Network - Base", "Basic network checks", (704,)),
    164: ("OS - Unix Base", "Common Unix agent monitors", (1296, 1301, 1297, 1295, 1300, 1299, 1298)),
    189: ("Application - Opsview", "Opsview application monitors for Opsview", (1042, 1038, 1034)),
    111: ("Application - HTTP", "Basic HTTP checks", (637, 636, 635)),
    214: ("Network Services - SSH", "SSH", (1268, 1267)),
    235: ("OS - Windows Base", "Basic checks on a Windows server running the Opsview Agent", (1405, 1400, 1402)),
}

# Time periods by id: (name, alias).
TIMEPERIODS: dict[int, tuple[str, str]] = {
    1: ("24x7", "24 Hours A Day, 7 Days A Week"),
    2: ("workhours", "Normal Working Hours"),
    3: ("nonworkhours", "Non-work Hours"),
    4: ("none", "None"),
}

# Host check commands by id: (name, args, priority).
HOSTCHECKCOMMANDS: dict[int, tuple[str, str, int]] = {
    15: ("ping", "-H $HOSTADDRESS$ -t 3 -w 500.0,80% -c 1000.0,100%", 2),
    13: ("tcp port 21 (FTP)", "-H $HOSTADDRESS$ -p 21 -w 9 -c 9 -t 15", 3),
    3: ("tcp port 22 (SSH)", "-H $HOSTADDRESS$ -t 15", 4),
    2: ("tcp port 80 (HTTP)", "-H $HOSTADDRESS$ -p 80 -w 9 -c 9 -t 15", 7),
    5: ("tcp port 443 (HTTP/SSL)", "-H $HOSTADDRESS$ -p 443 -w 9 -c 9 -t 15", 9),
    7: ("NRPE (on port 5666)", "-H $HOSTADDRESS$", 11),
    14: ("tcp port 161 (SNMP)", "-H $HOSTADDRESS$ -p 161 -w 9 -c 9 -t 15", 13),
    1: ("slow ping", "-H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 1", 14),
    16: ("tolerant ping", "-H $HOSTADDRESS$ -n 5 -i 5s", 15),
}

# Host icons: name -> path.
ICONS: dict[str, str] = {
    "LOGO - Opsview": "/static/images/logos/opsview.png",
    "LOGO - Debian Linux": "/static/images/logos/debian.png",
    "LOGO - Linux Penguin": "/static/images/logos/linux.png",
    "LOGO - Windows": "/static/images/logos/windows.png",
    "SYMBOL - Application": "/static/images/logos/application.png",
    "SYMBOL - Firewall": "/static/images/logos/firewall.png",
    "SYMBOL - Router": "/static/images/logos/router.png",
    "SYMBOL - Server": "/static/images/logos/server.png",
    "SYMBOL - Switch": "/static/images/logos/switch.png",
}

DEFAULT_ICON = "LOGO - Opsview"
MASTER_CLUSTER = 1
ROOT_HOSTGROUP = 1


def _keyword(name: str, description: str, style: str | None, *, enabled: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "enabled": enabled,
        "all_hosts": False,
        "all_servicechecks": False,
        "public": False,
        "show_contextual_menus": True,
        "calculate_hard_states": False,
        "exclude_handled": False,
        "style": style,
        "servicechecks": [],
    }


def objects(now: int) -> Objects:
    """The configuration of a fresh server, all committed (uncommitted False); `now` is the epoch of its writes."""
    seeded: Objects = {
        "hostgroup": {
            1: {"name": "Opsview", "parent": None},
            2: {"name": "Monitoring Servers", "parent": 1},
        },
        "host": {1: master_host()},
        "hosttemplate": {
            template_id: {
                "name": name,
                "description": description,
                "servicechecks": [_template_check(check) for check in checks],
                "managementurls": [],
            }
            for template_id, (name, description, checks) in HOSTTEMPLATES.items()
        },
        "keyword": {
            1: _keyword("opsview-components", "Opsview Components", "group_by_host"),
            2: _keyword("opsview", "Opsview Monitoring System", "group_by_host"),
            6: _keyword("opsview-distributed", "", None, enabled=False),
        },
        "monitoringcluster": {
            MASTER_CLUSTER: {
                "name": "Master Monitoring Server",
                "activated": True,
                "passive": False,
                "active_host_checks_enabled": True,
                "active_service_checks_enabled": True,
                "event_handlers_enabled": True,
                "network_topology_enabled": False,
            }
        },
        "servicecheck": {
            check_id: {"name": name, "description": description}
            for check_id, (name, description) in SERVICECHECKS.items()
        },
        "timeperiod": {period_id: {"name": name, "alias": alias} for period_id, (name, alias) in TIMEPERIODS.items()},
        "hostcheckcommand": {
            command_id: {"name": name, "args": args, "priority": priority}
            for command_id, (name, args, priority) in HOSTCHECKCOMMANDS.items()
        },
    }
    for kind in seeded.values():
        for object_id, obj in kind.items():
            obj.update({"id": object_id, "uncommitted": False, "last_updated": now, "seq": 0})
    return seeded


def _template_check(check_id: int) -> dict[str, Any]:
    return {"servicecheck": check_id, "exception": None, "timed_exception": None, "event_handler": None}


def master_host() -> dict[str, Any]:
    """The recorded 6.8.8 master host `opsview`, with fewer templates and attributes."""
    return {
        "name": "opsview",
        "ip": "127.0.0.1",
        "alias": "Opsview Master Server",
        "other_addresses": "",
        "hostgroup": 2,
        "monitored_by": MASTER_CLUSTER,
        "hosttemplates": [189, 117, 164],
        "keywords": [2, 1, 6],
        "parents": [],
        "business_components": [],
        "hostattributes": [
            {"id": 36, "name": "DISK", "value": "/", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
            {"id": 37, "name": "DISK", "value": "/boot", "arg1": None, "arg2": None, "arg3": None, "arg4": None},
        ],
        "servicechecks": [],
        "check_command": 15,
        "check_period": 1,
        "notification_period": 1,
        "check_interval": 300,
        "retry_check_interval": 60,
        "check_attempts": 2,
        "notification_options": "u,d,r",
        "icon": DEFAULT_ICON,
        "enable_snmp": False,
        "snmp_version": "2c",
        "snmp_port": 161,
        "snmp_max_msg_size": 0,
        "snmp_use_getnext": False,
        "snmp_use_ifname": False,
        "snmp_extended_throughput_data": False,
        "snmpv3_username": "",
        "snmpv3_authprotocol": None,
        "snmpv3_privprotocol": None,
        "flap_detection_enabled": True,
        "event_handler": "",
        "event_handler_always_exec": False,
        "rancid_autoenable": False,
        "rancid_connection_type": "ssh",
        "rancid_username": None,
        "rancid_vendor": None,
        "use_rancid": False,
        "tidy_ifdescr_level": "0",
    }
