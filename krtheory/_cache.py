"""A cross-process cache of plain-JSON payloads (verified derivations of the built-in families).

An entry is keyed by a kind (e.g. ``"derivation"``), its parameters and the krtheory and sympy
versions (read without importing sympy). It lives under
``platformdirs.user_cache_dir("krtheory")``, or ``$KRTHEORY_CACHE_DIR``; ``KRTHEORY_CACHE=off``
turns it off. Writes are atomic (a temporary file in the same directory, then ``os.replace``),
so concurrent writers leave one whole entry; an unreadable, corrupt or mismatched entry, or one
whose payload no longer matches the SHA-256 stored beside it, is never trusted: ``cached``
recomputes it and overwrites it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

from krtheory._version import VERSION

ENV_DIR = "KRTHEORY_CACHE_DIR"
ENV_SWITCH = "KRTHEORY_CACHE"


def versions() -> dict[str, str]:
    """The versions an entry is valid for: krtheory's own and sympy's, both read without importing
    sympy or importlib.metadata (which alone cost ~50 ms of a warm CLI call)."""
    return {"krtheory": VERSION, "sympy": _sympy_version()}


def _sympy_version() -> str:
    """sympy's ``__version__`` from its ``release.py`` (found, not imported), else the installed
    metadata, else "unknown"."""
    spec = importlib.util.find_spec("sympy")
    if spec is not None and spec.origin:
        try:
            text = (Path(spec.origin).parent / "release.py").read_text(encoding="utf-8")
        except OSError:
            text = ""
        found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
        if found:
            return found.group(1)
    from importlib import metadata

    try:
        return metadata.version("sympy")
    except metadata.PackageNotFoundError:
        return "unknown"


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is switched off."""
    if os.environ.get(ENV_SWITCH, "").lower() in ("0", "off", "no", "false"):
        return None
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # a declared dependency; fall back to the XDG default if absent
        return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "krtheory"
    return Path(user_cache_dir("krtheory"))


def _key(kind: str, parameters: dict) -> dict:
    return {"kind": kind, "parameters": parameters, "versions": versions()}


def _path(directory: Path, key: dict) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
    return directory / f"{key['kind']}-{digest}.json"


def load(kind: str, parameters: dict) -> Any | None:
    """The stored payload, or None when absent, unreadable, corrupt or of other versions."""
    directory = cache_dir()
    if directory is None:
        return None
    key = _key(kind, parameters)
    try:
        entry = json.loads(_path(directory, key).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or "payload" not in entry:
        return None
    if entry.get("sha256") != _digest(entry["payload"]):
        return None  # edited or damaged after it was written
    return entry["payload"]


def _digest(payload: Any) -> str:
    """The SHA-256 of the payload's canonical JSON, stored beside it and checked on load."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def store(kind: str, parameters: dict, payload: Any) -> None:
    """Write the entry atomically; a cache that cannot be written is silently skipped."""
    directory = cache_dir()
    if directory is None:
        return
    key = _key(kind, parameters)
    text = json.dumps({"key": key, "payload": payload, "sha256": _digest(payload)}, sort_keys=True)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, _path(directory, key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def cached(kind: str, parameters: dict, compute: Callable[[], Any],
           valid: Callable[[Any], bool] = lambda payload: True) -> Any:
    """The stored payload of (kind, parameters), else ``compute()`` (JSON data) stored and returned.
    A stored payload that ``valid`` rejects (well-formed JSON of the wrong shape) is never trusted:
    it is computed again and overwritten."""
    payload = load(kind, parameters)
    if payload is None or not valid(payload):
        payload = compute()
        store(kind, parameters, payload)
    return payload
