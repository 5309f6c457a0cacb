"""The ``Model`` value: a checked, immutable declaration of a hematopoiesis model.

Building a ``Model`` checks it (unknown names, rate units, missing sources, bounds,
variability) and raises ``ModelError`` listing every problem found, so a model that exists is
a model that is consistent. A change makes a new model (``with_parameters``); nothing mutates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import keyword
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import sympy

from hemasim.build_cache import is_marked, mark
from hemasim.model.declaration import (
    Correlation,
    Derived,
    DosingTarget,
    Observable,
    Parameter,
    Process,
    Reference,
    Species,
    Threshold,
    Variability,
)
from hemasim.model.expressions import ExpressionError, check_unit, parse_expression, suggest
from hemasim.units import TIME_UNIT, parse_unit

RESERVED_NAMES = frozenset({"t", "time"})


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A name in an expression (species, parameter, derived quantity, observable or function)."""


class ModelError(ValueError):
    """A model declaration that is inconsistent; the message lists every problem."""

    def __init__(self, model_name: str, problems: list[str]):
        self.model_name = model_name
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"model '{model_name}' has {len(problems)} problem(s):\n{listing}")


@dataclass(frozen=True)
class Model:
    """A declared model: species, parameters with sources, processes, observables, variability.

    Attributes:
        name: registry name (``"friberg2002-docetaxel"``).
        title: one-line title.
        description: a paragraph on what the model is and is not.
        references: the publications the model as a whole rests on.
        species: state variables.
        parameters: constants, each with unit and source.
        processes: fluxes with symbolic rates.
        observables: read-outs in clinical units.
        derived: constants computed from parameters (used by initial values and rates).
        variability: log-normal inter-individual variability.
        correlations: correlations between variability terms.
        dosing: where each drug and route enters.
        plot_variables: variables shown by default in figures.
        species_kind: ``"human"`` or ``"mouse"``; sets the default body size.
    """

    name: str
    title: str
    description: str
    references: tuple[Reference, ...]
    species: tuple[Species, ...]
    parameters: tuple[Parameter, ...]
    processes: tuple[Process, ...]
    observables: tuple[Observable, ...] = ()
    variability: tuple[Variability, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    dosing: tuple[DosingTarget, ...] = ()
    plot_variables: tuple[str, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    species_kind: str = "human"
    derived: tuple[Derived, ...] = ()

    def __post_init__(self) -> None:
        problems = check_model(self)
        if problems:
            raise ModelError(self.name, problems)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def species_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def observable_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.observables)

    @property
    def drugs(self) -> tuple[str, ...]:
        """Drug names the model accepts, in declaration order without repeats."""
        return tuple(dict.fromkeys(target.drug for target in self.dosing))

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (KeyError with a suggestion otherwise)."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(f"model '{self.name}' has no parameter '{name}'"
                       f"{suggest(name, self.parameter_names)}")

    def species_named(self, name: str) -> Species:
        """The species called ``name`` (KeyError with a suggestion otherwise)."""
        for species in self.species:
            if species.name == name:
                return species
        raise KeyError(f"model '{self.name}' has no species '{name}'"
                       f"{suggest(name, self.species_names)}")

    def unit_of(self, variable: str) -> str:
        """Unit text of a species or observable."""
        for item in (*self.species, *self.observables):
            if item.name == variable:
                return item.unit
        raise KeyError(f"model '{self.name}' has no variable '{variable}'")

    def dosing_target(self, drug: str, route: str) -> DosingTarget:
        """Where ``drug`` given by ``route`` enters; KeyError naming what the model accepts."""
        for target in self.dosing:
            if target.drug == drug and target.route == route:
                return target
        if drug not in self.drugs:
            raise KeyError(f"unknown drug '{drug}'{suggest(drug, self.drugs)}; model "
                           f"'{self.name}' accepts: {', '.join(self.drugs) or 'none'}")
        routes = [t.route for t in self.dosing if t.drug == drug]
        raise KeyError(f"drug '{drug}' cannot be given by route '{route}' in model "
                       f"'{self.name}'; routes: {', '.join(routes)}")

    def typical_parameters(self) -> np.ndarray:
        """Typical parameter values, in declaration order and in each parameter's unit."""
        return np.array([p.value for p in self.parameters], dtype=float)

    # -- new models from old ---------------------------------------------------------------
    def with_parameters(self, **values: float) -> Model:
        """A new model with some parameter values replaced (values in each parameter's unit)."""
        for name in values:
            self.parameter(name)
        parameters = tuple(
            dataclasses.replace(p, value=float(values[p.name])) if p.name in values else p
            for p in self.parameters
        )
        return dataclasses.replace(self, parameters=parameters)

    # -- identity --------------------------------------------------------------------------
    @cached_property
    def content_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of everything that changes the model's numbers."""
        content = {
            "species": [(s.name, s.unit, str(s.initial)) for s in self.species],
            "parameters": [(p.name, repr(p.value), p.unit) for p in self.parameters],
            "processes": [(p.name, p.rate, sorted(p.changes.items())) for p in self.processes],
            "derived": [(d.name, d.expression, d.unit) for d in self.derived],
            "observables": [(o.name, o.expression, o.unit) for o in self.observables],
            "variability": [(v.parameter, repr(v.omega)) for v in self.variability],
            "correlations": [(c.first, c.second, repr(c.coefficient)) for c in self.correlations],
            "dosing": [(d.drug, d.route, d.species) for d in self.dosing],
        }
        text = json.dumps(content, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @cached_property
    def structure_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the equations alone, without parameter values
        and without names.

        Every species, parameter, derived quantity and observable is replaced by its kind
        and position before hashing, so models that differ only in parameter values
        (knockouts, overrides) or in names (a genotype called ``donor`` or ``clone``) share
        compiled code, which takes states and parameters by position.
        """
        token = {s.name: f"S{i}" for i, s in enumerate(self.species)}
        token.update((p.name, f"P{j}") for j, p in enumerate(self.parameters))
        token.update((d.name, f"D{k}") for k, d in enumerate(self.derived))
        token.update((o.name, f"O{m}") for m, o in enumerate(self.observables))

        def canonical(text: object) -> str:
            return _IDENTIFIER.sub(lambda match: token.get(match.group(0), match.group(0)),
                                   str(text))

        content = {
            "species": [(s.unit, canonical(s.initial)) for s in self.species],
            "parameters": [p.unit for p in self.parameters],
            "processes": [(canonical(p.rate), sorted((token[name], coefficient)
                                                     for name, coefficient in p.changes.items()))
                          for p in self.processes],
            "derived": [(canonical(d.expression), d.unit) for d in self.derived],
            "observables": [(canonical(o.expression), o.unit) for o in self.observables],
            "dosing": [token[name] for name in dict.fromkeys(d.species for d in self.dosing)],
        }
        text = json.dumps(content, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def all_references(self) -> tuple[Reference, ...]:
        """The model's references plus every reference a parameter, variability or clinical
        threshold cites."""
        found: dict[str, Reference] = {r.key: r for r in self.references}
        for item in (*self.parameters, *self.variability, *self.correlations, *self.thresholds):
            reference = item.source.reference
            if reference is not None:
                found.setdefault(reference.key, reference)
        return tuple(found.values())

    def symbols(self) -> dict[str, sympy.Symbol]:
        """Name -> sympy Symbol for every species and parameter."""
        return {name: sympy.Symbol(name) for name in (*self.species_names, *self.parameter_names)}


def _check_names(model: Model, problems: list[str]) -> None:
    seen: dict[str, str] = {}
    groups = (("species", model.species), ("parameter", model.parameters),
              ("derived quantity", model.derived), ("observable", model.observables))
    for kind, items in groups:
        for item in items:
            if not item.name.isidentifier() or keyword.iskeyword(item.name):
                problems.append(f"{kind} name '{item.name}' is not a valid identifier")
            if item.name in RESERVED_NAMES:
                problems.append(f"{kind} name '{item.name}' is reserved")
            if item.name in seen:
                problems.append(f"name '{item.name}' is used by a {seen[item.name]} and a {kind}")
            seen[item.name] = kind


def _check_units(model: Model, problems: list[str]) -> dict[str, str]:
    units: dict[str, str] = {}
    for kind, items in (("species", model.species), ("parameter", model.parameters),
                        ("derived quantity", model.derived), ("observable", model.observables)):
        for item in items:
            try:
                parse_unit(item.unit)
            except Exception as error:  # pint raises several error types
                problems.append(f"{kind} '{item.name}': unit '{item.unit}' is not a unit ({error})")
                continue
            units[item.name] = item.unit
    return units


def _check_parameters(model: Model, problems: list[str]) -> None:
    for p in model.parameters:
        if not p.source.is_given:
            problems.append(f"parameter '{p.name}' has no source (give a reference or "
                            f"'assumed: why')")
        if not p.meaning.strip():
            problems.append(f"parameter '{p.name}' has no meaning")
        low, high = p.bounds
        if not (math.isfinite(p.value) and low <= p.value <= high):
            problems.append(f"parameter '{p.name}' = {p.value} lies outside its bounds "
                            f"[{low}, {high}]")


def _check_expressions(model: Model, units: dict[str, str], problems: list[str]) -> None:
    """Parse every expression, resolve its names and check its dimension.

    Rates may use species, parameters and observables (named algebraic expressions, like
    SBML assignment rules); an observable may use the observables declared before it.
    """
    symbols = model.symbols()
    observable_symbols = {name: sympy.Symbol(name) for name in model.observable_names}
    symbol_units = {sympy.Symbol(name): unit for name, unit in units.items()}
    parameter_symbols = {name: symbols[name] for name in model.parameter_names}
    per_time = f"/{TIME_UNIT}"
    for derived in model.derived:
        try:
            expr = parse_expression(derived.expression, parameter_symbols)
            check_unit(expr, symbol_units, derived.unit)
        except ExpressionError as error:
            problems.append(f"derived quantity '{derived.name}': {error}")
        parameter_symbols[derived.name] = sympy.Symbol(derived.name)
    symbols.update((d.name, sympy.Symbol(d.name)) for d in model.derived)
    for s in model.species:
        try:
            expr = parse_expression(s.initial, parameter_symbols)
            if not (isinstance(s.initial, int | float) and s.initial == 0):
                check_unit(expr, symbol_units, s.unit)
        except ExpressionError as error:
            problems.append(f"species '{s.name}' initial value: {error}")
    earlier = dict(symbols)
    for observable in model.observables:
        try:
            expr = parse_expression(observable.expression, earlier)
            check_unit(expr, symbol_units, observable.unit)
        except ExpressionError as error:
            problems.append(f"observable '{observable.name}': {error}")
        earlier[observable.name] = observable_symbols[observable.name]
    for process in model.processes:
        try:
            rate = parse_expression(process.rate, earlier)
        except ExpressionError as error:
            problems.append(f"process '{process.name}': {error}")
            continue
        if not process.changes:
            problems.append(f"process '{process.name}' changes no species")
        for name in process.changes:
            if name not in model.species_names:
                problems.append(f"process '{process.name}' changes unknown species '{name}'"
                                f"{suggest(name, model.species_names)}")
                continue
            try:
                check_unit(rate, symbol_units, f"({units.get(name, '1')}){per_time}")
            except ExpressionError as error:
                problems.append(f"process '{process.name}' rate (changing '{name}') {error}")


def _check_variability(model: Model, problems: list[str]) -> None:
    names = set(model.parameter_names)
    with_variability = set()
    for v in model.variability:
        if v.parameter not in names:
            problems.append(f"variability on unknown parameter '{v.parameter}'"
                            f"{suggest(v.parameter, names)}")
        if not (v.omega >= 0 and math.isfinite(v.omega)):
            problems.append(f"variability of '{v.parameter}': omega {v.omega} must be >= 0")
        if not v.source.is_given:
            problems.append(f"variability of '{v.parameter}' has no source")
        with_variability.add(v.parameter)
    for c in model.correlations:
        for name in (c.first, c.second):
            if name not in with_variability:
                problems.append(f"correlation names '{name}', which has no variability")
        if not -1 < c.coefficient < 1:
            problems.append(f"correlation {c.first}-{c.second} = {c.coefficient} not in (-1, 1)")
    if model.correlations and not problems:
        order = [v.parameter for v in model.variability]
        matrix = np.eye(len(order))
        for c in model.correlations:
            i, j = order.index(c.first), order.index(c.second)
            matrix[i, j] = matrix[j, i] = c.coefficient
        if np.linalg.eigvalsh(matrix).min() <= 0:
            problems.append("the correlation matrix is not positive definite")


def _check_dosing(model: Model, problems: list[str]) -> None:
    for target in model.dosing:
        if target.species not in model.species_names:
            problems.append(f"dosing of '{target.drug}' ({target.route}) targets unknown species "
                            f"'{target.species}'{suggest(target.species, model.species_names)}")
    for threshold in model.thresholds:
        if threshold.variable not in (*model.species_names, *model.observable_names):
            problems.append(f"threshold '{threshold.label}' names unknown variable "
                            f"'{threshold.variable}'")
        if threshold.direction not in ("below", "above"):
            problems.append(f"threshold '{threshold.label}': direction must be 'below' or "
                            f"'above'")
        if not threshold.source.is_given:
            problems.append(f"threshold '{threshold.label}' has no source")
    for name in model.plot_variables:
        if name not in (*model.species_names, *model.observable_names):
            problems.append(f"plot variable '{name}' is neither a species nor an observable")


_SOUND_EXPRESSIONS: set[str] = set()
"""Structure hashes whose expressions have been parsed and unit-checked without a problem.

The check depends only on the equations and units, which the structure hash covers (names
enter by position), so a model that differs from a checked one in parameter values or names
(every ``with_parameters`` override, every renamed genotype) is not checked again; the
check takes tens of seconds on the two-genotype transplant models. A structure that passed is
also marked on disk (``build_cache``), so later processes skip the check too."""


def sound_entry_sources() -> tuple[Path, ...]:
    """The code that checks a model's expressions (this module, the expression parser, the
    units): part of the key of the on-disk marker of a structure that passed."""
    from hemasim import units
    from hemasim.model import expressions

    return Path(__file__), Path(expressions.__file__), Path(units.__file__)


def _sound_entry(key: str) -> tuple[str, str, tuple[Path, ...]]:
    """The on-disk marker of a structure whose expressions check (``build_cache``)."""
    return "sound", key, sound_entry_sources()


def _structure_key(model: Model) -> str | None:
    try:
        return model.structure_hash
    except KeyError:  # a process changes an unknown species: the full check reports it
        return None


def check_model(model: Model) -> list[str]:
    """Every problem in a model declaration, as sentences (empty when the model is sound)."""
    problems: list[str] = []
    _check_names(model, problems)
    units = _check_units(model, problems)
    _check_parameters(model, problems)
    key = _structure_key(model) if not problems else None
    if key is not None and key not in _SOUND_EXPRESSIONS and is_marked(*_sound_entry(key)):
        _SOUND_EXPRESSIONS.add(key)
    if key is None or key not in _SOUND_EXPRESSIONS:
        before = len(problems)
        _check_expressions(model, units, problems)
        if key is not None and len(problems) == before:
            _SOUND_EXPRESSIONS.add(key)
            mark(*_sound_entry(key))
    _check_variability(model, problems)
    _check_dosing(model, problems)
    return problems
