from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ansible_collections.lighthouse.monitoring.plugins.module_utils._errors import ValidationError
from ansible_collections.lighthouse.monitoring.plugins.module_utils._time import iso_utc, parse_iso, parse_time

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("now", "2026-12-01T10:00:00+00:00"),
        ("+30m", "2026-12-01T10:30:00+00:00"),
        ("+2h", "2026-12-01T12:00:00+00:00"),
        ("+1d", "2026-12-02T10:00:00+00:00"),
        ("+1w", "2026-12-08T10:00:00+00:00"),
        ("+90s", "2026-12-01T10:01:30+00:00"),
        ("2026-12-24T18:00:00+01:00", "2026-12-24T17:00:00+00:00"),
        ("2026-12-24T18:00:00Z", "2026-12-24T18:00:00+00:00"),
        ("2026-12-24T18:00:00.250-05:30", "2026-12-24T23:30:00+00:00"),
    ],
)
def test_parse_time(text, expected):
    assert iso_utc(parse_time(text, option="start_time").resolve(NOW)) == expected


@pytest.mark.parametrize("text", ["", "soon", "+2x", "-1h", "+h", "2026-12-24", "2026-13-01T00:00:00Z", '{"a": 1}'])
def test_unparsable_times_are_one_line_errors(text):
    with pytest.raises(ValidationError, match=r"^Cannot read end_time") as error:
        parse_time(text, option="end_time")
    assert "\n" not in str(error.value)


def test_server_times():
    assert parse_iso("2026-12-01T10:00:00") == NOW
    assert parse_iso("2026-12-01T11:00:00+01:00") - NOW == timedelta(0)


def test_relative_times_take_only_the_digits_0_to_9():
    with pytest.raises(ValidationError, match="end_time"):
        parse_time("+\u0663m", option="end_time")  # ARABIC-INDIC DIGIT THREE
