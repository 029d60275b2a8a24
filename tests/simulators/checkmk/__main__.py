"""Command line: serve the Checkmk simulator until SIGTERM or SIGINT (see README.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..common.server import serve_until_signalled
from .config import CHECKMK_VERSIONS, SAMPLE_TAG_GROUPS, SimulatorConfig, TagGroup
from .server import serve


def _names(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.split(",") if name)


def _tag_group(text: str) -> tuple[str, TagGroup]:
    group_id, _sep, tags = text.partition("=")
    if not group_id or not _names(tags):
        raise argparse.ArgumentTypeError(f"expected ID=TAG[,TAG...], got {text!r}")
    return group_id, TagGroup(group_id, _names(tags))


def _agent_service(text: str) -> tuple[str, str | None, str]:
    """NAME=PLUGIN or NAME=PLUGIN:ITEM, e.g. 'CPU load=cpu_loads' or 'Filesystem /=df:/'."""
    name, _sep, check = text.partition("=")
    plugin, _colon, item = check.partition(":")
    if not name or not plugin:
        raise argparse.ArgumentTypeError(f"expected NAME=PLUGIN[:ITEM], got {text!r}")
    return plugin, item or None, name


def _seconds(text: str) -> float:
    problem = argparse.ArgumentTypeError(f"expected a number of seconds, at least 0, got {text!r}")
    try:
        seconds = float(text)
    except ValueError:
        raise problem from None
    if seconds < 0:
        raise problem
    return seconds


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py", description="Serve a simulated Checkmk REST API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--site", default="cmk", help="the central site, which serves the API (default: %(default)s)")
    parser.add_argument("--remote-sites", type=_names, default=(), help="comma-separated remote site ids")
    parser.add_argument("--api-version", choices=list(CHECKMK_VERSIONS), default="2.4")
    parser.add_argument("--user", default="automation", help="the API user (default: %(default)s)")
    parser.add_argument("--secret", default="test-secret", help="its automation secret (default: %(default)s)")
    parser.add_argument(
        "--tag-group",
        type=_tag_group,
        action="append",
        default=[],
        metavar="ID=TAG[,TAG...]",
        help="an extra host tag group, usable as attribute tag_ID (repeatable)",
    )
    parser.add_argument(
        "--activation-seconds", type=_seconds, default=0.3, help="how long an activation runs (default: %(default)s)"
    )
    parser.add_argument(
        "--discovery-seconds",
        type=_seconds,
        default=0.3,
        help="how long a discovery job (refresh, tabula_rasa, bulk) runs (default: %(default)s)",
    )
    parser.add_argument(
        "--agent-service",
        type=_agent_service,
        action="append",
        default=[],
        metavar="NAME=PLUGIN[:ITEM]",
        help="a service every host's agent offers to discovery until set otherwise (repeatable)",
    )
    parser.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this PEM certificate (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PATH", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together: give both or neither")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = SimulatorConfig(
        site=args.site,
        remote_sites=args.remote_sites,
        api_version=args.api_version,
        users={args.user: args.secret},
        tag_groups={**SAMPLE_TAG_GROUPS, **dict(args.tag_group)},
        host=args.host,
        port=args.port,
        activation_seconds=args.activation_seconds,
        discovery_seconds=args.discovery_seconds,
        agent_services=tuple(args.agent_service),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )
    simulator = serve(config)
    return serve_until_signalled(
        simulator,
        port_file=args.port_file,
        banner=lambda: f"Checkmk simulator ({config.api_version}) listening on {simulator.url}",
    )


if __name__ == "__main__":
    sys.exit(main())
