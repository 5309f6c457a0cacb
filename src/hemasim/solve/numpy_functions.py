"""numpy functions of a compiled model: initial states, right-hand side and Jacobian entries,
for whole arrays of patients at once.

They serve what runs outside the compiled kernel: initial states, the steady-state Newton
solver and the scipy engine (observables are evaluated by the compiled module,
``observables_kernel``). sympy prints them (``lambdify`` with
shared subexpressions), which takes seconds for the integrated model, so the printed source
is kept in the model-build cache (``build_cache``) and later processes execute it instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import sympy

from hemasim.build_cache import cached_functions, entry_path
from hemasim.model.compile import CompiledModel, equation_sources


class NumpyFunctions(NamedTuple):
    """Each takes numbered arguments (states ``y_i`` then parameters ``p_j``; ``initial``
    parameters only) and returns a list with one value or array per item."""

    initial: object
    rhs: object
    jacobian: object


_LOADED: dict[str, NumpyFunctions] = {}


def numpy_functions(compiled: CompiledModel) -> NumpyFunctions:
    """The model's numpy functions, shared by models of the same structure: from this
    process's memory, else from the cache on disk, else printed by sympy (and stored)."""
    key = compiled.model.structure_hash
    if key not in _LOADED:
        found = cached_functions("numpy", key, numpy_sources(),
                                 lambda: _lambdify(compiled)._asdict())
        _LOADED[key] = NumpyFunctions(**found)
    return _LOADED[key]


def numpy_sources() -> tuple[Path, ...]:
    """The code the printed functions come from: the key of their ``build_cache`` entries."""
    return Path(__file__), *equation_sources()


def entry_path_of(key: str) -> Path:
    """The stored module of a structure's functions (``build_cache``)."""
    return entry_path("numpy", key, numpy_sources(), suffix=".py")


def _lambdify(compiled: CompiledModel) -> NumpyFunctions:
    """Common subexpressions are shared (``cse``): without it, printing a two-genotype
    model's Jacobian took minutes."""
    arguments = [*compiled.state_symbols, *compiled.parameter_symbols]
    return NumpyFunctions(
        initial=sympy.lambdify(compiled.parameter_symbols, list(compiled.initial), "numpy",
                               cse=True),
        rhs=sympy.lambdify(arguments, list(compiled.rhs), "numpy", cse=True),
        jacobian=sympy.lambdify(arguments, [e for _, _, e in compiled.jacobian], "numpy",
                                cse=True),
    )
