"""What the cache directory holds, which of it the installed code can still use, and
removing the rest.

The cache (``build_cache.cache_directory()``) holds each model structure's generated module
with numba's machine code (``models/``) and its model-build entries (``build/``). Every file
name carries a digest of the code that made it, so an upgrade of hemasim (or of sympy, pint
or numpy) leaves the old files unused but on disk; over months they add up to hundreds of MB.
An entry is *stale* when its digest is not the one the installed code would write; stale
entries can be removed without any cost, current ones are made again (a cold start) if
removed.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from hemasim.build_cache import cache_directory, entry_digest

SUBDIRECTORIES = ("models", "build")
"""The parts of the cache directory hemasim writes; nothing else in it is touched."""

_MODULE_FILE = re.compile(r"^hemasim_model_[0-9a-f]+_(?P<digest>[0-9a-f]+)[._]")
_BUILD_FILE = re.compile(r"^[0-9a-f]+_(?P<digest>[0-9a-f]+)(\.(pickle|py))?$")


@dataclass(frozen=True)
class CacheInventory:
    """The cache's files: ``current`` ones the installed code uses, ``stale`` ones it never
    will (made by other code or left half-written)."""

    directory: Path
    current: tuple[Path, ...]
    stale: tuple[Path, ...]

    @property
    def current_bytes(self) -> int:
        return _size(self.current)

    @property
    def stale_bytes(self) -> int:
        return _size(self.stale)


def _size(paths: tuple[Path, ...]) -> int:
    return sum(path.stat().st_size for path in paths if path.exists())


def current_digests() -> dict[str, str]:
    """The digest the installed code writes into each kind of entry's name (``build/<kind>``)
    and into generated module names (``models``)."""
    from hemasim.model.compile import equation_sources
    from hemasim.model.model import sound_entry_sources
    from hemasim.solve.codegen import generator_digest
    from hemasim.solve.numpy_functions import numpy_sources

    equations = entry_digest(equation_sources())
    return {"models": generator_digest(), "sound": entry_digest(sound_entry_sources()),
            "equations": equations, "derived": equations,
            "numpy": entry_digest(numpy_sources())}


def _is_stale(relative: Path, digests: dict[str, str]) -> bool:
    if relative.name.endswith(".tmp"):
        return True  # a write that never finished
    if relative.parts[0] == "models":
        found = _MODULE_FILE.match(relative.name)
        return bool(found) and found["digest"] != digests["models"]
    kind = relative.parts[1] if len(relative.parts) == 3 else None
    found = _BUILD_FILE.match(relative.name)
    return kind not in digests or not found or found["digest"] != digests[kind]


def take_inventory() -> CacheInventory:
    """Every file under the cache's ``models`` and ``build`` folders, current or stale."""
    root = cache_directory()
    digests = current_digests()
    current, stale = [], []
    for part in SUBDIRECTORIES:
        for path in sorted((root / part).rglob("*")) if (root / part).is_dir() else ():
            if path.is_file():
                (stale if _is_stale(path.relative_to(root), digests) else current).append(path)
    return CacheInventory(root, tuple(current), tuple(stale))


def prune(inventory: CacheInventory) -> int:
    """Remove the stale files; returns the bytes freed."""
    freed = inventory.stale_bytes
    for path in inventory.stale:
        path.unlink(missing_ok=True)
    return freed


def clear(inventory: CacheInventory) -> int:
    """Remove the ``models`` and ``build`` folders (other files in the directory stay);
    returns the bytes freed. The next run of each model compiles it again."""
    freed = inventory.current_bytes + inventory.stale_bytes
    for part in SUBDIRECTORIES:
        shutil.rmtree(inventory.directory / part, ignore_errors=True)
    return freed
