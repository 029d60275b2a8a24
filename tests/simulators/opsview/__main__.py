"""Command line: serve the Opsview simulator until SIGTERM or SIGINT (see README.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..common.cli import seconds
from ..common.server import serve_until_signalled
from .config import OPSVIEW_VERSION, SimulatorConfig
from .server import serve


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py", description="Serve a simulated Opsview REST API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument("--user", default="admin", help="the API user (default: %(default)s)")
    parser.add_argument("--password", default="initial", help="its password (default: %(default)s)")
    parser.add_argument(
        "--reload-seconds", type=seconds, default=0.3, help="how long a reload runs (default: %(default)s)"
    )
    parser.add_argument(
        "--downtime-delay",
        type=seconds,
        default=0.2,
        help="how long a downtime command waits before it is processed and listed (default: %(default)s)",
    )
    parser.add_argument(
        "--token-lifetime",
        type=seconds,
        default=3600.0,
        help="idle seconds until a session expires (default: %(default)s)",
    )
    parser.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this PEM certificate (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PATH", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together: give both or neither")
    if args.token_lifetime <= 0:
        parser.error("--token-lifetime must be more than 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = SimulatorConfig(
        users={args.user: args.password},
        host=args.host,
        port=args.port,
        reload_seconds=args.reload_seconds,
        downtime_delay=args.downtime_delay,
        token_lifetime=args.token_lifetime,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )
    simulator = serve(config)
    return serve_until_signalled(
        simulator,
        port_file=args.port_file,
        banner=lambda: f"Opsview simulator ({OPSVIEW_VERSION}) listening on {simulator.url}",
    )


if __name__ == "__main__":
    sys.exit(main())
