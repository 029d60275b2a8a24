from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import TransportError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._http import (
    RequestsTransport,
    Response,
    TlsOptions,
)


class Server:
    """A loopback HTTP server that answers with the statuses it is given, in order, and counts requests."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.seen = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                outer.seen.append(self.command)
                status = outer.statuses.pop(0) if len(outer.statuses) > 1 else outer.statuses[0]
                body = b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/site/check_mk/api/1.0/version"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def send(method, url, **kwargs):
    return RequestsTransport(backoff=0, **kwargs).request(method, url, headers={}, body=None, timeout=5)


def test_statuses_are_data():
    with Server([404]) as server:
        answer = send("GET", server.url)
    assert isinstance(answer, Response) and answer.status == 404 and answer.json() == {"ok": True}


def test_idempotent_requests_are_retried_on_503_and_bounded():
    with Server([503, 502, 200]) as server:
        assert send("GET", server.url).status == 200
        assert server.seen == ["GET"] * 3
    with Server([503]) as server:
        assert send("PUT", server.url).status == 503
        assert server.seen == ["PUT"] * 4  # the first try and three retries


def test_post_is_never_sent_twice():
    with Server([503, 200]) as server:
        assert send("POST", server.url).status == 503
        assert server.seen == ["POST"]


def test_connection_refused_is_one_clear_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError) as err:
        send("GET", f"http://127.0.0.1:{port}/site/check_mk/api/1.0/version")
    message = str(err.value)
    assert message.startswith(f"cannot connect to http://127.0.0.1:{port} (")
    assert "Connection refused" in message and "\n" not in message and "object at 0x" not in message


def test_tls_options():
    assert TlsOptions().verify is True
    assert TlsOptions(ca_path="/ca.pem").verify == "/ca.pem"
    assert TlsOptions(validate_certs=False, ca_path="/ca.pem").verify is False


@pytest.mark.parametrize(
    "tls, expected", [(TlsOptions(ca_path="/ca.pem"), "/ca.pem"), (TlsOptions(validate_certs=False), False)]
)
def test_tls_options_win_over_the_environment(monkeypatch, tls, expected):
    """requests lets REQUESTS_CA_BUNDLE override a Session's verify; the transport passes it with each request."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/from/the/environment.pem")
    seen = {}

    def fake_send(self, request, **kwargs):
        seen["verify"] = kwargs["verify"]
        raise requests.exceptions.ConnectionError("not sent")

    monkeypatch.setattr(requests.Session, "send", fake_send)
    with pytest.raises(TransportError):
        RequestsTransport(tls, retries=0).request("GET", "https://cmk.example/x", headers={}, body=None, timeout=1)
    assert seen["verify"] == expected
