"""From a declared ``Model`` to plain symbolic equations in consistent numbers.

Compilation resolves every unit once: each symbol is converted to coherent base units, the
rate laws are evaluated there, and each derivative is converted back to its species' own
unit per day. The result is a list of sympy expressions in indexed state and parameter
symbols (``y_0``, ``p_3``) with all unit factors folded in, plus the exact Jacobian's sparse
entries. Every engine (compiled Rosenbrock, scipy reference, SBML export) starts from this.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy

from hemasim.build_cache import cached_functions, cached_value
from hemasim.model.declaration import Derived
from hemasim.model.expressions import names_in, parse_expression
from hemasim.model.model import Model, ModelError
from hemasim.units import TIME_UNIT, base_factor

INFUSION_PREFIX = "infusion_rate__"
"""Prefix of the input parameters (zero outside infusions) added for each dosed species."""


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """A model as numbered equations.

    Attributes:
        model: the declaration it came from.
        species_names: state order.
        parameter_names: declared parameters, then one infusion input per dosed species, then
            the derived quantities.
        state_symbols: ``y_i`` symbols.
        parameter_symbols: ``p_j`` symbols.
        rhs: d(state)/dt per state, in the state's unit per day.
        jacobian: sparse entries (row, column, expression) of d(rhs_i)/d(y_j).
        initial: initial value per state as an expression of parameters.
        observables: observable expressions in their declared units.
        derived: formula of each derived quantity (in its declared unit) in the parameter
            symbols; its value is the input parameter at the end of ``parameter_names``,
            filled by ``fill_derived``.
        infusion_index: species name -> index of its infusion input parameter.
    """

    model: Model
    species_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    state_symbols: tuple[sympy.Symbol, ...]
    parameter_symbols: tuple[sympy.Symbol, ...]
    rhs: tuple[sympy.Expr, ...]
    jacobian: tuple[tuple[int, int, sympy.Expr], ...]
    initial: tuple[sympy.Expr, ...]
    observables: tuple[sympy.Expr, ...]
    infusion_index: dict[str, int]
    derived: tuple[sympy.Expr, ...] = ()

    @property
    def n_states(self) -> int:
        return len(self.species_names)

    @property
    def n_parameters(self) -> int:
        return len(self.parameter_names)

    def parameter_vector(self, declared_values: np.ndarray) -> np.ndarray:
        """Full parameter vector: declared values, zero infusion inputs, derived values."""
        full = np.zeros(self.n_parameters)
        full[: len(self.model.parameters)] = declared_values
        return self.fill_derived(full)

    def fill_derived(self, parameters: np.ndarray) -> np.ndarray:
        """Compute the derived-quantity columns of full parameter arrays (..., parameters)
        in place, from the declared columns; returns the array."""
        if not self.derived:
            return parameters
        first = self.n_parameters - len(self.derived)
        columns = [parameters[..., j] for j in range(self.n_parameters)]
        for k, function in enumerate(_derived_functions(self)):
            value = np.asarray(function(*columns), dtype=float)
            _check_bounds(self.model, self.model.derived[k], value)
            parameters[..., first + k] = value
            columns[first + k] = parameters[..., first + k]
        return parameters

    def jacobian_pattern(self) -> tuple[tuple[int, int], ...]:
        """(row, column) of every structurally non-zero Jacobian entry."""
        return tuple((i, j) for i, j, _ in self.jacobian)


def _check_bounds(model: Model, derived: Derived, value: np.ndarray) -> None:
    """Refuse parameters that put a derived quantity outside its feasible range."""
    low, high = derived.bounds
    outside = value[(value < low) | (value > high)]
    if outside.size:
        used = sorted(names_in(derived.expression)[0])
        raise ModelError(model.name, [
            f"with these parameters the derived quantity '{derived.name}' ({derived.meaning})"
            f" is {float(outside.flat[0]):g}, outside [{low:g}, {high:g}]; it is computed "
            f"from {', '.join(used)}: change the parameters or overrides behind it"])


_DERIVED_FUNCTIONS: dict[str, list] = {}


def _derived_functions(compiled: CompiledModel) -> list:
    """One numpy function per derived quantity, in declaration order (a later one may use an
    earlier one's column), shared by models of the same structure and kept in
    ``build_cache``."""
    key = compiled.model.structure_hash
    if key not in _DERIVED_FUNCTIONS:
        def make() -> dict:
            return {f"derived_{k}": sympy.lambdify(compiled.parameter_symbols, formula,
                                                   "numpy")
                    for k, formula in enumerate(compiled.derived)}

        found = cached_functions("derived", key, equation_sources(), make)
        _DERIVED_FUNCTIONS[key] = [found[f"derived_{k}"] for k in range(len(compiled.derived))]
    return _DERIVED_FUNCTIONS[key]


def compile_model(model: Model) -> CompiledModel:
    """Turn a checked model into numbered symbolic equations.

    The equations depend only on the model's structure (parameters enter as inputs), so
    models that differ only in parameter values share one compilation, in this process and,
    through ``build_cache``, in later ones.
    """
    compiled = _compile_structure(model.structure_hash, model)
    if compiled.model is model:
        return compiled
    # Same equations by position; the names are this model's.
    parameter_names, infusion_index, _, _ = _symbols(model)
    return dataclasses.replace(compiled, model=model, species_names=model.species_names,
                               parameter_names=parameter_names, infusion_index=infusion_index)


_STRUCTURES: dict[str, CompiledModel] = {}


def _compile_structure(key: str, model: Model) -> CompiledModel:
    if key not in _STRUCTURES:
        if len(_STRUCTURES) >= 32:
            _STRUCTURES.pop(next(iter(_STRUCTURES)))
        equations = cached_value("equations", key, equation_sources(),
                                 lambda: _derive_equations(model))
        _STRUCTURES[key] = _assemble(model, equations)
    return _STRUCTURES[key]


def equation_sources() -> tuple[Path, ...]:
    """The code the equations come from: part of the key of every ``build_cache`` entry made
    from them."""
    from hemasim import units
    from hemasim.model import expressions

    return Path(__file__), Path(expressions.__file__), Path(units.__file__)


def _symbols(model: Model) -> tuple[tuple[str, ...], dict[str, int], tuple, tuple]:
    """Parameter vector names, the infusion-rate index of each dosed species, and the
    numbered state (``y_i``) and parameter (``p_j``) symbols."""
    dosed = tuple(dict.fromkeys(target.species for target in model.dosing))
    parameter_names = (*model.parameter_names, *(INFUSION_PREFIX + name for name in dosed),
                       *(d.name for d in model.derived))
    infusion_index = {name: len(model.parameters) + k for k, name in enumerate(dosed)}
    y = tuple(sympy.Symbol(f"y_{i}") for i in range(len(model.species)))
    p = tuple(sympy.Symbol(f"p_{j}") for j in range(len(parameter_names)))
    return parameter_names, infusion_index, y, p


def _assemble(model: Model, equations: tuple) -> CompiledModel:
    """A compiled model from its equations (``_derive_equations``) and the model's names."""
    derived, rhs, jacobian, initial, observables = equations
    parameter_names, infusion_index, y, p = _symbols(model)
    return CompiledModel(derived=derived, model=model, species_names=model.species_names,
                         parameter_names=parameter_names, state_symbols=y,
                         parameter_symbols=p, rhs=rhs, jacobian=jacobian, initial=initial,
                         observables=observables, infusion_index=infusion_index)


def _derive_equations(model: Model) -> tuple:
    """The symbolic equations in numbered symbols: derived-quantity formulas, right-hand
    side, Jacobian entries ``(row, column, expression)``, initial states and observables.
    Seconds of sympy for the integrated model (the Jacobian's derivatives most of it)."""
    species = model.species
    parameter_names, infusion_index, y, p = _symbols(model)
    derived_names = tuple(d.name for d in model.derived)

    # Each named symbol in coherent base units, expressed through the numbered symbols.
    in_base: dict[sympy.Symbol, sympy.Expr] = {}
    for i, s in enumerate(species):
        in_base[sympy.Symbol(s.name)] = base_factor(s.unit) * y[i]
    for j, parameter in enumerate(model.parameters):
        in_base[sympy.Symbol(parameter.name)] = base_factor(parameter.unit) * p[j]

    named = model.symbols()
    # Derived quantities are computed once per parameter vector (``fill_derived``) and enter
    # the equations as inputs, which keeps the generated code small.
    first_derived = len(parameter_names) - len(derived_names)
    derived_formulas = []
    for k, derived in enumerate(model.derived):
        expr = parse_expression(derived.expression, named).xreplace(in_base)
        derived_formulas.append(expr / base_factor(derived.unit))
        in_base[sympy.Symbol(derived.name)] = base_factor(derived.unit) * p[first_derived + k]
        named[derived.name] = sympy.Symbol(derived.name)
    observable_base: list[sympy.Expr] = []
    for observable in model.observables:
        expr = parse_expression(observable.expression, named).xreplace(in_base)
        in_base[sympy.Symbol(observable.name)] = expr
        named[observable.name] = sympy.Symbol(observable.name)
        observable_base.append(expr)

    derivative = [sympy.Integer(0) for _ in species]
    index = {s.name: i for i, s in enumerate(species)}
    for process in model.processes:
        rate = parse_expression(process.rate, named).xreplace(in_base)
        for name, coefficient in process.changes.items():
            i = index[name]
            scale = 1.0 / base_factor(f"({species[i].unit})/{TIME_UNIT}")
            derivative[i] += sympy.Float(coefficient * scale) * rate
    for name, j in infusion_index.items():
        derivative[index[name]] += p[j]
    # Top-level expansion only: it merges the terms of each derivative without multiplying
    # out the nested signal expressions (a deep expansion grows combinatorially with them).
    rhs = tuple(sympy.expand_mul(d, deep=False) if d.is_Add else d for d in derivative)

    jacobian = []
    for i, expr in enumerate(rhs):
        for j, state in enumerate(y):
            if expr.has(state):
                entry = sympy.diff(expr, state)
                if entry != 0:
                    jacobian.append((i, j, entry))

    parameter_named = {name: named[name]
                       for name in (*model.parameter_names, *(d.name for d in model.derived))}
    initial = tuple(
        parse_expression(s.initial, parameter_named).xreplace(in_base) / base_factor(s.unit)
        for s in species
    )
    observables = tuple(
        expr / base_factor(o.unit) for expr, o in zip(observable_base, model.observables,
                                                      strict=True)
    )
    return tuple(derived_formulas), rhs, tuple(jacobian), initial, observables
