"""The registry: loads plugins and maps each URL to exactly one backend.

Resolution is deterministic: a user pin (config or :meth:`Registry.pin`) for
the longest matching prefix wins; otherwise the backend that declared the
longest matching prefix. Two backends declaring the same prefix is an error
when the registry loads, unless a pin for that prefix settles it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import pluggy

from ..security.url_policy import in_context
from . import builtins, hookspecs
from .base import CAPABILITIES, Backend, RangeRequest, validate_requests
from .config import BackendSettings, load_settings
from .errors import BackendConfigError, NoBackendError
from .urls import match_key

BUILTIN_SOURCE = "builtin"


@dataclass(frozen=True)
class BackendInfo:
    """What ``lindi backends`` shows about one backend."""

    name: str
    source: str
    capabilities: tuple[str, ...]
    prefixes: tuple[str, ...]
    class_path: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "capabilities": list(self.capabilities),
                "prefixes": list(self.prefixes), "class": self.class_path}


class Registry:
    """Loaded backends and the prefix table.

    ``settings`` defaults to the user config file; ``entry_points=False``
    skips third-party plugins; ``plugins`` registers extra plugin objects
    (modules or instances with hook implementations) in code.
    """

    def __init__(self, settings: BackendSettings | None = None, *, entry_points: bool = True,
                 plugins: Iterable[object] = ()):
        self.settings = settings if settings is not None else load_settings()
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._pm.register(builtins, name="lindi.backends.builtins")
        for plugin in plugins:
            self._pm.register(plugin)
        if entry_points:
            try:
                self._pm.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
            except Exception as exc:  # a broken third-party plugin must say which one
                raise BackendConfigError(f"cannot load a 'lindi' entry-point plugin: {exc!r}") from exc
        try:  # a misspelled hook (``lindi_backend``) would otherwise load silently and provide nothing
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise BackendConfigError(f"plugin {exc.plugin!r} implements a hook LINDI does not define: {exc}") from exc
        self._lock = threading.Lock()
        self._backends: dict[str, Backend] = {}
        self._sources: dict[str, str] = {}
        self._declared: dict[str, str] = {}
        self._pins: dict[str, str] = {}
        self._load()

    # -- loading ----------------------------------------------------------------------------

    def _plugin_source(self) -> dict[int, str]:
        sources = {id(builtins): BUILTIN_SOURCE}
        for plugin, dist in self._pm.list_plugin_distinfo():
            sources[id(plugin)] = f"{dist.metadata['name']} {dist.version}"
        return sources

    def _load(self) -> None:
        sources = self._plugin_source()
        for impl in self._pm.hook.lindi_backends.get_hookimpls():
            source = sources.get(id(impl.plugin), f"plugin {impl.plugin_name}")
            provided = cast("Sequence[type[Backend]] | None", impl.function())  # the hookspec's return type
            for cls in provided or ():
                self._add(cls, source)
        declared: dict[str, list[str]] = {}
        for name, backend in self._backends.items():
            for prefix in backend.prefixes():
                declared.setdefault(match_key(prefix), []).append(name)
        for prefix, name in self.settings.pins.items():
            self._check_pin(prefix, name)
            self._pins[match_key(prefix)] = name
        for prefix, names in declared.items():
            if len(set(names)) > 1 and prefix not in self._pins:
                raise BackendConfigError(
                    f"backends {sorted(set(names))} ({', '.join(self._sources[n] for n in sorted(set(names)))}) "
                    f"all claim the URL prefix {prefix!r}; pin it in [backends.pins] of the config")
            self._declared[prefix] = names[0]

    def _add(self, cls: type[Backend], source: str) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise BackendConfigError(f"plugin from {source} registered {cls!r}, not a Backend subclass")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise BackendConfigError(f"backend class {cls.__qualname__} from {source} has no name")
        if name in self._backends:
            raise BackendConfigError(f"two backends are named {name!r}: from {self._sources[name]} and {source}")
        unknown = set(cls.capabilities) - set(CAPABILITIES)
        if unknown:
            raise BackendConfigError(f"backend {name!r} from {source} declares unknown capabilities {sorted(unknown)}")
        if "write" in cls.capabilities:
            missing = [m for m in ("put_blob", "put_object", "check_writable") if getattr(cls, m) is getattr(Backend, m)]
            if missing:
                raise BackendConfigError(f"backend {name!r} from {source} declares 'write' but does not override "
                                         f"{', '.join(missing)}")
        self._backends[name] = cls(self.settings.options_for(name), credentials=self._lookup_for(name))
        self._sources[name] = source

    def _lookup_for(self, name: str):
        hook = self._pm.hook.lindi_credentials
        return lambda target: hook(backend=name, target=target)

    def _check_pin(self, prefix: str, name: str) -> None:
        if name not in self._backends:
            raise BackendConfigError(f"pin {prefix!r} -> {name!r}: no backend named {name!r} "
                                     f"(known: {sorted(self._backends)})")

    # -- queries ----------------------------------------------------------------------------

    def pin(self, prefix: str, name: str) -> None:
        """Route every URL starting with ``prefix`` to backend ``name`` (overrides declared prefixes)."""
        self._check_pin(prefix, name)
        with self._lock:
            self._pins[match_key(prefix)] = name

    def backend(self, name: str) -> Backend:
        """The backend instance called ``name``."""
        try:
            return self._backends[name]
        except KeyError:
            raise BackendConfigError(f"no backend named {name!r} (known: {sorted(self._backends)})") from None

    def backend_for(self, url: str) -> Backend:
        """The backend serving ``url`` (pins first, then the longest declared prefix)."""
        key = match_key(url)
        for table in (self._pins, self._declared):
            best = max((p for p in table if key.startswith(p)), key=len, default=None)
            if best is not None:
                return self._backends[table[best]]
        raise NoBackendError(url)

    def infos(self) -> list[BackendInfo]:
        """One entry per backend, sorted by name."""
        return [BackendInfo(name=n, source=self._sources[n],
                            capabilities=tuple(c for c in CAPABILITIES if c in b.capabilities),
                            prefixes=tuple(b.prefixes()),
                            class_path=f"{type(b).__module__}.{type(b).__qualname__}")
                for n, b in sorted(self._backends.items())]

    def credentials(self, backend: str, target: str) -> str | None:
        """Ask the credential providers (plugins first, environment last)."""
        return self._pm.hook.lindi_credentials(backend=backend, target=target)

    # -- I/O --------------------------------------------------------------------------------

    def read_ranges(self, requests: Sequence[RangeRequest]) -> list[bytes]:
        """Group a batch by backend, read the groups concurrently, return bytes in request order."""
        batch = validate_requests(requests)
        groups: dict[str, list[int]] = {}
        for i, (url, _, _) in enumerate(batch):
            groups.setdefault(self.backend_for(url).name, []).append(i)
        out: list[bytes] = [b""] * len(batch)

        def run(name: str) -> None:
            idx = groups[name]
            for i, data in zip(idx, self._backends[name].read_ranges([batch[i] for i in idx])):
                out[i] = data

        if len(groups) <= 1:
            for name in groups:
                run(name)
        else:
            with ThreadPoolExecutor(max_workers=len(groups), thread_name_prefix="lindi-dispatch") as pool:
                for fut in [pool.submit(in_context(run), name) for name in groups]:
                    fut.result()
        return out

    def size(self, url: str) -> int:
        """Size of the object at ``url``."""
        return self.backend_for(url).size(url)

    def read_object(self, url: str, max_bytes: int) -> bytes:
        """The whole object at ``url`` (at most ``max_bytes``), in as few requests as its backend can."""
        return self.backend_for(url).read_object(url, max_bytes)

    def resolve(self, url: str) -> str:
        """The URL actually fetched for ``url``."""
        return self.backend_for(url).resolve(url)

    def close(self) -> None:
        """Close every backend."""
        for backend in self._backends.values():
            backend.close()


def settings_with(settings: BackendSettings, options: Mapping[str, Mapping[str, Any]]) -> BackendSettings:
    """A copy of ``settings`` with per-backend ``options`` merged in (for code-level configuration)."""
    merged = {k: dict(v) for k, v in settings.options.items()}
    for name, opts in options.items():
        merged.setdefault(name, {}).update(opts)
    return BackendSettings(pins=dict(settings.pins), retry=dict(settings.retry), options=merged,
                           source=settings.source)
