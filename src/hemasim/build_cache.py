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
read (truncated, from another Python, a module using a name it does not define) is produced
again and rewritten.

Values that pickle are stored pickled (``cached_value``); functions printed by sympy's
``lambdify`` are stored as the Python source it printed (``cached_functions``).
"""

from __future__ import annotations

import builtins
import dis
import hashlib
import inspect
import os
import pickle
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

from hemasim.io.atomic import atomic_destination

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
    return cache_directory() / "build" / kind / f"{key}_{entry_digest(sources)}{suffix}"


def entry_digest(sources: Iterable[Path]) -> str:
    """12 hex digits of the library versions and the given source files: the part of an
    entry's name that says which code made it."""
    digest = hashlib.sha256(_library_versions().encode())
    for source in sources:
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:12]


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through the project's atomic replace; a cache that cannot
    be written (read-only home, full disk) is skipped, as the entry can always be produced."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_destination(path) as temporary:
            temporary.write_bytes(data)
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


def cached_functions(kind: str, key: str, sources: Iterable[Path],
                     make: Callable[[], dict[str, Callable]]) -> dict[str, Callable]:
    """Functions printed by ``sympy.lambdify(..., "numpy")``, by name: executed from the
    stored module if there is a sound one, else ``make()``, whose printed source is stored.
    """
    path = entry_path(kind, key, sources, suffix=".py")
    if path.is_file():
        loaded = _read_functions(path)
        if loaded is not None:
            return loaded
    made = make()
    text = _printed_module(made)
    if text is not None:
        write_atomically(path, text.encode())
    return made


def _lambdify_namespace() -> dict:
    """The names ``lambdify`` gives every function it prints for numpy (numpy's functions
    and sympy's translations of its own names), taken from a trivial lambdified function."""
    import sympy

    return dict(sympy.lambdify([], 0, "numpy").__globals__)


def _printed_module(functions: dict[str, Callable]) -> str | None:
    """One module's text: an import for each name a function uses that a printer added to
    its namespace (e.g. ``functools.reduce`` for ``Max``), then each function's printed
    source under its own name. None if a used name is not an importable function."""
    known = set(_lambdify_namespace()) | set(dir(builtins))
    imports = set()
    for function in functions.values():
        for name in sorted(_global_names(function.__code__) - known):
            value = function.__globals__.get(name)
            module, own_name = getattr(value, "__module__", None), getattr(value, "__name__", None)
            if not (module and own_name):
                return None
            imports.add(f"from {module} import {own_name} as {name}")
    parts = sorted(imports)
    for name, function in functions.items():
        text = inspect.getsource(function)
        parts.append(text.replace(f"def {function.__name__}(", f"def {name}(", 1))
    return "\n\n".join(parts) + f"\n\nNAMES = {list(functions)!r}\n"


def _global_names(code) -> set[str]:
    """Global names a code object (and the code objects inside it) loads."""
    found = {instruction.argval for instruction in dis.get_instructions(code)
             if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for constant in code.co_consts:
        if inspect.iscode(constant):
            found |= _global_names(constant)
    return found


def _read_functions(path: Path) -> dict[str, Callable] | None:
    """The functions of a stored module, or None when it cannot be executed or uses a name
    it does not define."""
    namespace = _lambdify_namespace()
    try:
        exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our cache
        functions = {name: namespace[name] for name in namespace["NAMES"]}
    except Exception:  # noqa: BLE001 - a damaged entry is printed again
        return None
    known = set(namespace) | set(dir(builtins))
    if any(_global_names(f.__code__) - known for f in functions.values()):
        return None
    return functions
