"""numpy functions of a compiled model: initial states, observables, right-hand side and
Jacobian entries, for whole arrays of patients and times at once.

They serve what runs outside the compiled kernel: initial states, observables of a result,
the steady-state Newton solver and the scipy engine. sympy prints them (``lambdify`` with
shared subexpressions), which takes seconds for the integrated model, so the printed source
is kept in the model-build cache (``build_cache``) and later processes execute it instead.
"""

from __future__ import annotations

import builtins
import dis
import inspect
from pathlib import Path
from typing import NamedTuple

import sympy

from hemasim.build_cache import entry_path, write_atomically
from hemasim.model.compile import CompiledModel, equation_sources


class NumpyFunctions(NamedTuple):
    """Each takes numbered arguments (states ``y_i`` then parameters ``p_j``; ``initial``
    parameters only) and returns a list with one value or array per item."""

    initial: object
    observables: object
    rhs: object
    jacobian: object


_LOADED: dict[str, NumpyFunctions] = {}


def numpy_functions(compiled: CompiledModel) -> NumpyFunctions:
    """The model's numpy functions, shared by models of the same structure: from this
    process's memory, else from the cache on disk, else printed by sympy (and stored)."""
    key = compiled.model.structure_hash
    if key not in _LOADED:
        path = entry_path_of(key)
        loaded = _read(path) if path.is_file() else None
        if loaded is None:
            loaded = _lambdify(compiled)
            write_atomically(path, _source(loaded).encode())
        _LOADED[key] = loaded
    return _LOADED[key]


def entry_path_of(key: str) -> Path:
    """The stored module of a structure's functions (``build_cache``), keyed by this module
    and the code the equations come from."""
    return entry_path("numpy", key, (Path(__file__), *equation_sources()), suffix=".py")


def _lambdify(compiled: CompiledModel) -> NumpyFunctions:
    """Common subexpressions are shared (``cse``): without it, printing a two-genotype
    model's Jacobian took minutes."""
    arguments = [*compiled.state_symbols, *compiled.parameter_symbols]
    return NumpyFunctions(
        initial=sympy.lambdify(compiled.parameter_symbols, list(compiled.initial), "numpy",
                               cse=True),
        observables=sympy.lambdify(arguments, list(compiled.observables), "numpy", cse=True),
        rhs=sympy.lambdify(arguments, list(compiled.rhs), "numpy", cse=True),
        jacobian=sympy.lambdify(arguments, [e for _, _, e in compiled.jacobian], "numpy",
                                cse=True),
    )


def _source(functions: NumpyFunctions) -> str:
    """One module's text: an import for each name a printer added to a function's namespace
    (e.g. ``functools.reduce`` for ``Max``), then each function's printed source under its
    own name."""
    base = _namespace()
    imports = {}
    for function in functions:
        for name, value in function.__globals__.items():
            if name not in base and not name.startswith("__"):
                imports[name] = f"from {value.__module__} import {value.__name__} as {name}"
    parts = [*sorted(set(imports.values()))]
    for name, function in functions._asdict().items():
        text = inspect.getsource(function)
        parts.append(text.replace(f"def {function.__name__}(", f"def {name}(", 1))
    return "\n\n".join(parts)


def _namespace() -> dict:
    """The names ``lambdify`` gives every function it prints for numpy (numpy's functions
    and sympy's translations of its own names), taken from a trivial lambdified function."""
    return dict(sympy.lambdify([], 0, "numpy").__globals__)


def _global_names(code) -> set[str]:
    """Global names a code object (and the code objects inside it) loads."""
    found = {instruction.argval for instruction in dis.get_instructions(code)
             if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for constant in code.co_consts:
        if inspect.iscode(constant):
            found |= _global_names(constant)
    return found


def _read(path: Path) -> NumpyFunctions | None:
    """The functions of a stored module, or None when it cannot be executed or uses a name
    it does not define (then it is printed again)."""
    namespace = _namespace()
    try:
        code = compile(path.read_text(), str(path), "exec")
        exec(code, namespace)  # noqa: S102 - our own cache, as numba's modules are
        functions = NumpyFunctions(*(namespace[name] for name in NumpyFunctions._fields))
    except Exception:  # noqa: BLE001 - a damaged entry is printed again
        return None
    known = set(namespace) | set(dir(builtins))
    if any(_global_names(f.__code__) - known for f in functions):
        return None
    return functions
