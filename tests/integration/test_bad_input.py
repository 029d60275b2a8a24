"""Failures end the task with one line that names the object and the cause, and secrets never show,
also at -vvvv: wrong secret, unreachable server, TLS failure."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.lighthouse.monitoring.tests.integration.harness import (
    SECRET,
    run_playbook,
    start_simulator,
    write_play,
)

WRONG_SECRET = "wrong-secret-5b1e"


@pytest.fixture
def tls_simulator(tmp_path):
    """The simulator serving HTTPS with a freshly generated self-signed certificate, which is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    sim_dir = tmp_path / "tls-simulator"
    sim_dir.mkdir()
    sim = start_simulator(sim_dir, "--tls-cert", str(cert_file), "--tls-key", str(key_file))
    yield sim, cert_file
    sim.process.terminate()
    sim.process.wait(timeout=10)


def https_state(url: str, ca_file: Path) -> dict:
    """GET /_simulator/state over HTTPS, trusting only the generated certificate."""
    context = ssl.create_default_context(cafile=str(ca_file))
    with urllib.request.urlopen(f"{url}/_simulator/state", timeout=10, context=context) as answer:  # noqa: S310
        return json.loads(answer.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TASKS = """\
    - name: A wrong secret
      lighthouse.monitoring.checkmk_host:
        name: web01
        api_secret: {wrong}
      register: wrong_secret
      ignore_errors: true

    - name: An unreachable server
      lighthouse.monitoring.checkmk_folder:
        path: /linux
        server_url: http://127.0.0.1:{closed}
      register: unreachable
      ignore_errors: true

    - name: A server whose certificate cannot be verified
      lighthouse.monitoring.checkmk_host:
        name: web01
        server_url: {tls}
        timeout: 5
      register: tls_failure
      ignore_errors: true

    - name: The same server, trusted through ca_path
      lighthouse.monitoring.checkmk_folder:
        path: /trusted
        server_url: {tls}
        ca_path: {ca}
        timeout: 5
      register: tls_ca_path
      ignore_errors: true

    - name: The same server, not verified
      lighthouse.monitoring.checkmk_folder:
        path: /unverified
        server_url: {tls}
        validate_certs: false
        timeout: 5
      register: tls_unverified
      ignore_errors: true

    - name: A successful task in diff mode
      lighthouse.monitoring.checkmk_host:
        name: web01
        attributes:
          alias: Web 1
      diff: true
      register: success

    - name: Each failure is one line naming the object and the cause
      ansible.builtin.assert:
        that:
          - wrong_secret is failed
          - wrong_secret.msg == expected_401
          - unreachable is failed
          - unreachable.msg is match(expected_refused)
          - tls_failure is failed
          - tls_failure.msg is match(expected_tls)
          - tls_failure.msg is search("ca_path")
          - (wrong_secret.msg ~ unreachable.msg ~ tls_failure.msg).splitlines() | length == 1
          - tls_ca_path is succeeded
          - tls_ca_path is changed
          - tls_ca_path.warnings is not defined
          - tls_unverified is succeeded
          - tls_unverified is changed
          - tls_unverified.warnings | select('search', 'validate_certs is false') | list | length == 1
          - success is changed
      vars:
        expected_401: >-
          Failed to read host 'web01': 401 Unauthorized - Wrong credentials (Bearer header) -
          check api_user and api_secret (the automation user's secret)
        expected_refused: >-
          Failed to read folder '/linux': cannot connect to http://127.0.0.1:{closed} [(].*[Cc]onnection refused
        expected_tls: >-
          Failed to read host 'web01': TLS verification of {tls} failed [(].*certificate verify failed
"""


def test_failures_are_one_line_and_secrets_never_show(simulator, tls_simulator, tmp_path):
    simulator.control("reset", method="POST")
    tls, ca = tls_simulator
    assert tls.url.startswith("https://")
    tasks = TASKS.format(wrong=WRONG_SECRET, closed=free_port(), tls=tls.url, ca=ca)
    play = write_play(tmp_path / "play.yml", tasks=tasks)
    result = run_playbook(play, simulator.env, "-vvvv")
    assert result.rc == 0, result.output[-6000:]
    assert "Failed to read host 'web01': 401 Unauthorized" in result.output
    assert SECRET not in result.output
    assert WRONG_SECRET not in result.output
    state = simulator.control("state")
    assert list(state["hosts"]) == ["web01"]  # only the successful task created anything
    assert "[WARNING]: validate_certs is false" in result.output
    tls_state = https_state(tls.url, ca)  # the HTTPS simulator got both folders, and nothing else
    assert sorted(tls_state["folders"]) == ["~", "~trusted", "~unverified"]
    assert tls_state["hosts"] == {}
