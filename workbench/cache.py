"""A per-user cache of objects derived from text, keyed by everything they derive from.

Core module, standard library only. A value is stored with its whole key
(the caller puts in it the inputs and the code that builds from them) and
returned only for an identical key, so a changed input or changed code is a
miss, never a stale hit. Anything wrong with the cache (missing, unreadable,
corrupt, unwritable) only means building again: it can never make a command
fail. No hashlib: loading OpenSSL cost ~2 ms of a cold start.

The folder is $XDG_CACHE_HOME/workbench, else ~/.cache/workbench.
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    """Where cached values live: $XDG_CACHE_HOME/workbench, else ~/.cache/workbench."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "workbench"


def source_fingerprint(*files: str) -> bytes:
    """The bytes of source files, for a key: editing any of them changes it."""
    return b"\0".join(Path(name).read_bytes() for name in files)


def cached(kind: str, key: bytes, build: Callable[[], T], check: Callable[[object], bool]) -> T:
    """The value stored under `key`, else `build()` (stored for next time).

    `check` vets what was loaded (its type, and that it is the object the
    key names); if it refuses, or building raises, nothing is kept.
    """
    # Only a file name: two keys that share it just take turns missing.
    path = cache_dir() / kind / f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}.pickle"
    try:
        stored_key, value = pickle.loads(path.read_bytes())
    except Exception:  # missing, unreadable or not what it was: build it
        pass
    else:
        if stored_key == key and check(value):
            return value  # type: ignore[no-any-return]
    value = build()
    try:
        import tempfile

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written whole then renamed, so a concurrent reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError):
        pass
    return value
