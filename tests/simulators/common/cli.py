"""Command-line pieces the simulators share."""

from __future__ import annotations

import argparse


def seconds(text: str) -> float:
    """An argparse type: a number of seconds, at least 0."""
    problem = argparse.ArgumentTypeError(f"expected a number of seconds, at least 0, got {text!r}")
    try:
        value = float(text)
    except ValueError:
        raise problem from None
    if value < 0:
        raise problem
    return value
