"""Serve a simulator's Flask app with a real threaded werkzeug server on loopback, in a background thread, and
the command line's serve-until-signalled loop."""

from __future__ import annotations

import os
import signal
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

Server = TypeVar("Server", bound="SimulatorServer")


class _QuietHandler(WSGIRequestHandler):
    """No access log: each simulator keeps its own request log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SimulatorServer:
    """A running simulator app. The socket is bound (and `port` known) on construction; requests are served
    between `start()` and `stop()`, or inside `with ... as sim:`. HTTPS when a certificate and key are given."""

    def __init__(
        self,
        app: Flask,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        name: str = "simulator",
    ) -> None:
        self.app = app
        self.host = host
        self.tls = tls_cert is not None and tls_key is not None
        context = None
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler, ssl_context=context)
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def server_url(self) -> str:
        """Scheme, host and port: what clients call the server URL."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self: Server) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self: Server) -> Server:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


class ConfiguredSimulator(SimulatorServer):
    """A simulator served from its configuration: a subclass names its app factory, its configuration type and
    where the app keeps its state; `state` is then the live in-memory model."""

    app_factory: ClassVar[Callable[[Any], Flask]]
    config_type: ClassVar[type]
    state_key: ClassVar[str]
    thread_name: ClassVar[str] = "simulator"

    def __init__(self, config: Any = None) -> None:
        self.config = config or self.config_type()
        super().__init__(
            type(self).app_factory(self.config),
            host=self.config.host,
            port=self.config.port,
            tls_cert=self.config.tls_cert,
            tls_key=self.config.tls_key,
            name=self.thread_name,
        )

    @property
    def state(self) -> Any:
        return self.app.extensions[self.state_key]


def write_port_file(path: Path, port: int) -> None:
    """Atomically, so that a script polling the file never reads it half written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(f"{port}\n", encoding="utf-8")
    os.replace(partial, path)


def serve_until_signalled(server: SimulatorServer, *, port_file: Path | None, banner: Callable[[], str]) -> int:
    """Serve until SIGTERM or SIGINT; the port goes to `port_file` once listening, `banner()` to stdout."""
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stopped.set())
    with server:
        if port_file:
            write_port_file(port_file, server.port)
        print(banner(), flush=True)
        stopped.wait()
    return 0
