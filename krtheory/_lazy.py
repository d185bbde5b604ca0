"""Lazy public names (PEP 562): a package lists its names with the modules that define them, and
each is imported on first use, so importing the package itself costs nothing."""

from __future__ import annotations

import importlib


def lazy_exports(package: str, exports: dict[str, str], namespace: dict):
    """The ``(__getattr__, __dir__)`` pair of ``package``: a name of ``exports`` (name -> module)
    is imported on first access and stored in ``namespace`` (the package's globals), so later
    accesses are plain lookups; any other name is an AttributeError."""

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
