"""Fixtures for unit tests."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._checkmk._client import CheckmkClient
from ansible_collections.lighthouse.monitoring.tests.unit.fakes import EMPTY_CHANGES, SECRET, FakeTransport, reply


@pytest.fixture
def fake() -> FakeTransport:
    transport = FakeTransport()
    transport.on("GET", "/domain-types/activation_run/collections/pending_changes", reply(200, EMPTY_CHANGES, '"e0"'))
    return transport


@pytest.fixture
def client(fake: FakeTransport) -> CheckmkClient:
    return CheckmkClient("https://cmk.example/", "central", "automation", SECRET, transport=fake, timeout=5)
