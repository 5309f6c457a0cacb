"""From a declared ``Model`` to plain symbolic equations in consistent numbers.

Compilation resolves every unit once: each symbol is converted to coherent base units, the
rate laws are evaluated there, and each derivative is converted back to its species' own
unit per day. The result is a list of sympy expressions in indexed state and parameter
symbols (``y_0``, ``p_3``) with all unit factors folded in, plus the exact Jacobian's sparse
entries. Every engine (compiled Rosenbrock, scipy reference, SBML export) starts from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

from hemasim.model.expressions import parse_expression
from hemasim.model.model import Model
from hemasim.units import TIME_UNIT, base_factor

INFUSION_PREFIX = "infusion_rate__"
"""Prefix of the input parameters (zero outside infusions) added for each dosed species."""


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """A model as numbered equations.

    Attributes:
        model: the declaration it came from.
        species_names: state order.
        parameter_names: declared parameters, then one infusion input per dosed species.
        state_symbols: ``y_i`` symbols.
        parameter_symbols: ``p_j`` symbols.
        rhs: d(state)/dt per state, in the state's unit per day.
        jacobian: sparse entries (row, column, expression) of d(rhs_i)/d(y_j).
        initial: initial value per state as an expression of parameters.
        observables: observable expressions in their declared units.
        derived: derived-quantity expressions (of parameters) in their declared units.
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
        """Full parameter vector: declared values followed by zero infusion inputs."""
        full = np.zeros(self.n_parameters)
        full[: len(self.model.parameters)] = declared_values
        return full

    def jacobian_pattern(self) -> tuple[tuple[int, int], ...]:
        """(row, column) of every structurally non-zero Jacobian entry."""
        return tuple((i, j) for i, j, _ in self.jacobian)


@lru_cache(maxsize=32)
def compile_model(model: Model) -> CompiledModel:
    """Turn a checked model into numbered symbolic equations (cached per model value)."""
    species = model.species
    dosed = tuple(dict.fromkeys(target.species for target in model.dosing))
    parameter_names = (*model.parameter_names, *(INFUSION_PREFIX + name for name in dosed))
    y = tuple(sympy.Symbol(f"y_{i}") for i in range(len(species)))
    p = tuple(sympy.Symbol(f"p_{j}") for j in range(len(parameter_names)))

    # Each named symbol in coherent base units, expressed through the numbered symbols.
    in_base: dict[sympy.Symbol, sympy.Expr] = {}
    for i, s in enumerate(species):
        in_base[sympy.Symbol(s.name)] = base_factor(s.unit) * y[i]
    for j, parameter in enumerate(model.parameters):
        in_base[sympy.Symbol(parameter.name)] = base_factor(parameter.unit) * p[j]

    named = model.symbols()
    for derived in model.derived:
        expr = parse_expression(derived.expression, named).xreplace(in_base)
        in_base[sympy.Symbol(derived.name)] = expr
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
    infusion_index = {}
    for k, name in enumerate(dosed):
        j = len(model.parameters) + k
        infusion_index[name] = j
        derivative[index[name]] += p[j]
    rhs = tuple(sympy.expand_mul(d) if d.is_Add else d for d in derivative)

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
    derived = tuple(in_base[sympy.Symbol(d.name)] / base_factor(d.unit) for d in model.derived)
    return CompiledModel(
        derived=derived,
        model=model,
        species_names=model.species_names,
        parameter_names=parameter_names,
        state_symbols=y,
        parameter_symbols=p,
        rhs=rhs,
        jacobian=tuple(jacobian),
        initial=initial,
        observables=observables,
        infusion_index=infusion_index,
    )
