"""The on-disk cache of what building a model costs seconds of sympy and pint.

Checking a model's units, deriving its equations and Jacobian and printing its numpy
functions depend only on the model's structure (``Model.structure_hash``: equations and
units, not parameter values or names) and on the code that does the work. For the
integrated human model they take about 7 s (a two-genotype transplant model twice that),
every time a new process builds the model, while the simulation of one patient takes
milliseconds. This module keeps their results between processes, next to the compiled
numerical modules (``cache_directory()``), so a warm ``hemasim run`` skips them.

An entry's file name holds the structure hash and a digest of the code that produced it
(the given source files and the versions of sympy, pint and numpy), so an entry is only ever
read by the code that would have produced the same result. Entries are written to a
temporary file and renamed, so a reader never sees half an entry; an entry that cannot be
read (truncated, from another Python) is produced again and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

LIBRARIES = ("sympy", "pint", "numpy")
"""Libraries whose version is part of every entry's key."""


def cache_directory() -> Path:
    """Where generated modules, numba's machine code and model-build entries live.

    ``HEMASIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/hemasim`` or ``~/.cache/hemasim``.
    """
    configured = os.environ.get("HEMASIM_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hemasim"


class CacheDirectoryError(RuntimeError):
    """The cache directory cannot be created or written (e.g. it names a file)."""


def unwritable(error: OSError) -> CacheDirectoryError:
    """The error to raise when writing into the cache failed with ``error``."""
    return CacheDirectoryError(
        f"the compiled-code cache {cache_directory()} cannot be written "
        f"({error.strerror or error}: {error.filename or ''}); set HEMASIM_CACHE_DIR to a "
        f"writable directory")


def _library_versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:  # pragma: no cover - a required dependency
            found.append(f"{name}=?")
    return ";".join(found)


def entry_path(kind: str, key: str, sources: Iterable[Path], suffix: str = ".pickle") -> Path:
    """The file of one entry: ``<cache>/build/<kind>/<key>_<digest of sources and versions>``.

    Args:
        kind: what the entry holds (a directory name), e.g. ``"equations"``.
        key: the model's structure hash.
        sources: the source files of the code that produces the entry.
        suffix: file extension.
    """
    digest = hashlib.sha256(_library_versions().encode())
    for source in sources:
        digest.update(Path(source).read_bytes())
    return cache_directory() / "build" / kind / f"{key}_{digest.hexdigest()[:12]}{suffix}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; a cache that cannot
    be written (read-only home, full disk) is skipped, as the entry can always be produced."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass


def cached_value(kind: str, key: str, sources: Iterable[Path], make: Callable[[], T]) -> T:
    """The entry's value if it was stored before, else ``make()``, stored for next time.

    The value must pickle (sympy expressions, tuples, numbers do).
    """
    path = entry_path(kind, key, sources)
    if path.is_file():
        try:
            return pickle.loads(path.read_bytes())
        except Exception:  # noqa: BLE001 - any unreadable entry is produced again
            pass
    value = make()
    write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def is_marked(kind: str, key: str, sources: Iterable[Path]) -> bool:
    """Whether a marker entry (a fact about a structure, e.g. "its units check") exists."""
    return entry_path(kind, key, sources, suffix="").is_file()


def mark(kind: str, key: str, sources: Iterable[Path]) -> None:
    """Store a marker entry."""
    write_atomically(entry_path(kind, key, sources, suffix=""), b"")
