"""The server's settings, as sensu-settings loads them (lib/sensu/settings/loader.rb, validator.rb): the defaults,
then every `*.json` file of the configuration directory and the directories below it, deep-merged (hashes merged,
arrays concatenated without duplicates, anything else replaced), then validated.

A file that is not JSON stops the loading (`config file must be valid json`); validation records every failure
(`{"object": ..., "message": ...}`). With errors, Sensu Core's services do not start, and Sensu Enterprise (since
2.6.0: sensu-docs, sensu-enterprise changelog) refuses a reload and runs on with its previous settings: the simulator
keeps the previous settings either way (State.reload)."""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ruby import JsonError, inspect, load_json
from .utilities import deep_merge
from .validation import Collect, validate_api, validate_check, validate_transport

CATEGORIES = ("checks", "filters", "mutators", "handlers", "extensions")


def default_settings() -> dict[str, Any]:
    """Loader#default_settings for a server or API process (no client defaults)."""
    defaults: dict[str, Any] = {
        "client": {},
        "sensu": {"spawn": {"limit": 12}, "keepalives": {"thresholds": {"warning": 120, "critical": 180}}},
        "transport": {"name": "rabbitmq", "reconnect_on_error": True},
    }
    defaults.update({category: {} for category in CATEGORIES})
    return defaults


@dataclass
class Loaded:
    """The outcome of loading a configuration directory: the settings, the files read, and the errors (load errors
    and validation failures; none: the settings are good)."""

    settings: dict[str, Any]
    files: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class LoadError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["message"])
        self.error = error


def config_files(directory: Path) -> list[Path]:
    """`Dir.glob("<dir>/**{,/*/**}/*.json")`: every `*.json` below the directory (symbolic links to directories
    followed), names starting with a dot skipped. Sorted by path (Ruby 2.4, which Sensu ships, lists them in
    directory order: the Sensu docs say not to depend on the order)."""
    found = []
    for root, dirs, files in os.walk(directory, followlinks=True):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        found += [Path(root, name) for name in files + dirs if name.endswith(".json") and not name.startswith(".")]
    return sorted(found, key=lambda path: path.relative_to(directory).parts)


def read_config(path: Path) -> dict[str, Any]:
    if not path.is_file() or not os.access(path, os.R_OK):
        raise LoadError({"message": "config file does not exist or is not readable", "file": str(path)})
    contents = path.read_bytes()
    contents = contents.removeprefix(b"\xef\xbb\xbf").strip()
    if not contents:
        return {}
    try:
        config = load_json(contents)
    except JsonError as exc:
        raise LoadError({"message": "config file must be valid json", "file": str(path), "error": str(exc)}) from None
    if not isinstance(config, dict):
        # Ruby would merge an array's items oddly or crash on a string or number: refused here.
        raise LoadError({"message": "config file must be valid json", "file": str(path), "error": "not a JSON object"})
    return config


def validate(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Validator#run for the API process: transport, categories (each check in full; filters, mutators, handlers
    and extensions only as hashes) and api."""
    report = Collect()
    validate_transport(report, settings.get("transport"))
    for category in CATEGORIES:
        definitions = settings.get(category)
        if not isinstance(definitions, dict):
            report.invalid(definitions, f"{category} must be a hash")
            continue
        for name, details in definitions.items():
            if not isinstance(details, dict):
                report.invalid(details, f"{category[:-1]} must be a hash")
            elif category == "checks":
                validate_check(report, {**copy.deepcopy(details), "name": name})
    validate_api(report, settings.get("api"))
    return report.failures


def load(directory: Path | None) -> Loaded:
    """Settings.load with `-d directory` (no config file, the environment ignored)."""
    loaded = Loaded(default_settings())
    if directory is None:
        return loaded
    try:
        if not directory.is_dir() or not os.access(directory, os.R_OK | os.X_OK):
            raise LoadError({"message": "insufficient permissions for loading", "directory": str(directory)})
        for path in config_files(directory):
            loaded.settings = deep_merge(loaded.settings, read_config(path))
            loaded.files.append(str(path))
    except LoadError as exc:
        loaded.errors.append(exc.error)
        return loaded
    loaded.errors += validate(loaded.settings)
    return loaded


def hexdigest(settings: dict[str, Any]) -> str:
    """Loader#hexdigest for a non-client process: SHA-256 of the settings' `to_s` without the client scope."""
    return hashlib.sha256(inspect({k: v for k, v in settings.items() if k != "client"}).encode()).hexdigest()


def checks(settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = settings.get("checks") or {}
    return found
