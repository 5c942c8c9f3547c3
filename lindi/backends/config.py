"""The user's backend configuration (TOML).

Read from ``$LINDI_CONFIG`` or ``~/.config/lindi/config.toml``::

    [backends.pins]                      # prefix -> backend name; beats declared prefixes
    "https://mirror.example.org/" = "mirror"

    [backends.retry]                     # defaults for every backend
    max_attempts = 6
    max_total_seconds = 60

    [backends.options.s3]                # per-backend options
    endpoint_url = "http://127.0.0.1:9000"

    [backends.options.dandi.instances]
    local = "http://127.0.0.1:8000/api"
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BackendConfigError


@dataclass
class BackendSettings:
    """Pins, common retry settings and per-backend options."""

    pins: dict[str, str] = field(default_factory=dict)
    retry: dict[str, Any] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str | None = None

    def options_for(self, name: str) -> dict[str, Any]:
        """Options of backend ``name`` with the common retry table as default."""
        opts = dict(self.options.get(name, {}))
        if self.retry:
            opts["retry"] = {**self.retry, **opts.get("retry", {})}
        return opts


def config_path() -> Path:
    """Where the user config is looked for."""
    env = os.environ.get("LINDI_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lindi" / "config.toml"


def load_settings(path: str | os.PathLike[str] | None = None) -> BackendSettings:
    """Load ``[backends]`` from the config file; a missing default file means no settings."""
    explicit = path is not None or bool(os.environ.get("LINDI_CONFIG"))
    p = Path(path) if path is not None else config_path()
    if not p.exists():
        if explicit:
            raise BackendConfigError(f"config file not found: {p}")
        return BackendSettings()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BackendConfigError(f"cannot read config file {p}: {exc}") from None
    return settings_from_mapping(data.get("backends", {}), source=str(p))


def settings_from_mapping(table: Mapping[str, Any], *, source: str | None = None) -> BackendSettings:
    """Validate a ``[backends]`` table (from TOML or code)."""
    where = f" in {source}" if source else ""
    if not isinstance(table, Mapping):
        raise BackendConfigError(f"[backends] must be a table{where}")
    unknown = set(table) - {"pins", "retry", "options"}
    if unknown:
        raise BackendConfigError(f"unknown key(s) {sorted(unknown)} in [backends]{where}")
    pins, retry, options = table.get("pins", {}), table.get("retry", {}), table.get("options", {})
    if not isinstance(pins, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pins.items()):
        raise BackendConfigError(f"[backends.pins] must map URL prefixes to backend names{where}")
    if not isinstance(retry, Mapping):
        raise BackendConfigError(f"[backends.retry] must be a table{where}")
    if not isinstance(options, Mapping) or not all(isinstance(v, Mapping) for v in options.values()):
        raise BackendConfigError(f"[backends.options] must hold one table per backend{where}")
    return BackendSettings(pins=dict(pins), retry=dict(retry),
                           options={k: dict(v) for k, v in options.items()}, source=source)
