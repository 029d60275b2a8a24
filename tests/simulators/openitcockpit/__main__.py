"""Command line: serve the openITCOCKPIT simulator until SIGTERM or SIGINT (see README.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..common.cli import seconds
from ..common.server import serve_until_signalled
from .config import DEFAULT_TEMPLATE, OITC_VERSION, SimulatorConfig
from .server import serve


def template_service(text: str) -> tuple[str, str]:
    """An argparse type: `TEMPLATE=SERVICE`."""
    template, sep, service = text.partition("=")
    if not sep or not template or not service:
        raise argparse.ArgumentTypeError(f"expected TEMPLATE=SERVICE, got {text!r}")
    return template, service


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py", description="Serve a simulated openITCOCKPIT JSON API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--api-key", default="simulator-api-key", help="the API key (default: %(default)s)")
    parser.add_argument("--timezone", default="Europe/Berlin", help="the API user's time zone (default: %(default)s)")
    parser.add_argument(
        "--satellite",
        action="append",
        default=[],
        metavar="NAME",
        help="a satellite (repeatable; none: no DistributeModule)",
    )
    parser.add_argument(
        "--hosttemplate",
        action="append",
        default=[],
        metavar="NAME",
        help=f"a host template besides {DEFAULT_TEMPLATE!r} (repeatable)",
    )
    parser.add_argument(
        "--template-service",
        action="append",
        default=[],
        type=template_service,
        metavar="TEMPLATE=SERVICE",
        help="a service new hosts of TEMPLATE get (repeatable; default: 'default host=Ping', 'default host=CPU load')",
    )
    parser.add_argument(
        "--downtime-delay",
        type=seconds,
        default=0.3,
        help="seconds until the monitoring core carries out a downtime command (default: %(default)s)",
    )
    parser.add_argument(
        "--export-seconds", type=seconds, default=0.5, help="how long an export runs (default: %(default)s)"
    )
    parser.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this PEM certificate (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PATH", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together: give both or neither")
    return args


def config_of(args: argparse.Namespace) -> SimulatorConfig:
    services: dict[str, tuple[str, ...]] = {}
    for template, service in args.template_service:
        services[template] = (*services.get(template, ()), service)
    return SimulatorConfig(
        api_key=args.api_key,
        timezone=args.timezone,
        satellites=tuple(args.satellite),
        hosttemplates=tuple(args.hosttemplate),
        template_services=services,
        downtime_delay=args.downtime_delay,
        export_seconds=args.export_seconds,
        host=args.host,
        port=args.port,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_of(args)
    except ValueError as exc:
        print(f"run.py: error: {exc}", file=sys.stderr)
        return 2
    simulator = serve(config)
    return serve_until_signalled(
        simulator,
        port_file=args.port_file,
        banner=lambda: f"openITCOCKPIT simulator ({OITC_VERSION}) listening on {simulator.url}",
    )


if __name__ == "__main__":
    sys.exit(main())
