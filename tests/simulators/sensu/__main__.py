"""Command line: serve the Sensu simulator until SIGTERM or SIGINT (see README.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..common.cli import seconds
from ..common.server import serve_until_signalled
from .config import FLAVOURS, SimulatorConfig
from .server import serve
from .state import SettingsError


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py", description="Serve a simulated Sensu (classic) API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--port-file", type=Path, help="write the port here once listening")
    parser.add_argument(
        "--flavour", choices=FLAVOURS, default="core", help="Sensu Core or Sensu Enterprise (default: %(default)s)"
    )
    parser.add_argument("--user", help="HTTP Basic user of the API (with --password; default: no authentication)")
    parser.add_argument("--password", help="HTTP Basic password of the API (with --user)")
    parser.add_argument("--conf-dir", type=Path, metavar="PATH", help="the conf.d directory (default: no checks)")
    parser.add_argument(
        "--delete-delay",
        type=seconds,
        default=0.5,
        help="seconds until a deleted client leaves the registry (default: %(default)s)",
    )
    parser.add_argument("--tls-cert", metavar="PATH", help="serve HTTPS with this PEM certificate (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PATH", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together: give both or neither")
    if (args.user is None) != (args.password is None):
        parser.error("--user and --password go together: give both or neither")
    return args


def config_of(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        flavour=args.flavour,
        user=args.user,
        password=args.password,
        conf_dir=args.conf_dir,
        delete_delay=args.delete_delay,
        host=args.host,
        port=args.port,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        simulator = serve(config_of(args))
    except ValueError as exc:
        print(f"run.py: error: {exc}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        # What sensu-server and sensu-api print before they exit 2 (lib/sensu/daemon.rb).
        print(json.dumps({"errors": exc.errors}, indent=2), file=sys.stderr)
        return 2
    config = simulator.config
    return serve_until_signalled(
        simulator,
        port_file=args.port_file,
        banner=lambda: f"Sensu simulator ({config.flavour} {config.version}) listening on {simulator.url}",
    )


if __name__ == "__main__":
    sys.exit(main())
