"""Serve the simulator with a real threaded werkzeug server on loopback, in a background thread."""

from __future__ import annotations

import ssl
import threading
from types import TracebackType

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .config import SimulatorConfig
from .protocol import STATE_KEY
from .state import State


class _QuietHandler(WSGIRequestHandler):
    """No access log: GET /_simulator/state has the request log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Simulator:
    """A running simulator: `url` is the API base, `state` the live in-memory model.

    The socket is bound (and `port` known) on construction; requests are served between `start()` and
    `stop()`, or inside `with Simulator(config) as sim:`.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.app = create_app(self.config)
        self._server = make_server(
            self.config.host,
            self.config.port,
            self.app,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=self._ssl_context(),
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="checkmk-simulator", daemon=True)

    def _ssl_context(self) -> ssl.SSLContext | None:
        """HTTPS when the config names a certificate and key; links follow (request.host_url is https then)."""
        if self.config.tls_cert is None or self.config.tls_key is None:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        return context

    @property
    def scheme(self) -> str:
        return "http" if self.config.tls_cert is None else "https"

    @property
    def state(self) -> State:
        simulated: State = self.app.extensions[STATE_KEY]
        return simulated

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def server_url(self) -> str:
        """Scheme, host and port: what clients call the server URL."""
        return f"{self.scheme}://{self.config.host}:{self.port}"

    @property
    def url(self) -> str:
        """The REST API base URL of the central site."""
        return f"{self.server_url}/{self.config.site}/check_mk/api/1.0"

    def start(self) -> Simulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def serve(config: SimulatorConfig | None = None) -> Simulator:
    """`with serve(SimulatorConfig(...)) as sim:` serves on a free loopback port until the block ends."""
    return Simulator(config)
