"""The parts a model is declared from: references, sources, parameters, species, processes,
observables, variability and dosing targets.

Every part is a frozen value. Units are text that ``hemasim.units`` parses; rates and
observables are symbolic expressions (text parsed by sympy), never Python callables, so the
same declaration drives the compiled ODE engine, SBML export and the generated model card.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reference:
    """A publication behind a model or a number.

    Attributes:
        key: short handle used in sources (``"friberg2002"``).
        citation: authors, year, title, journal, volume and pages, as one line.
        doi: the DOI without ``https://doi.org/`` (empty when none).
    """

    key: str
    citation: str
    doi: str = ""

    def formatted(self) -> str:
        """One line: the citation followed by the DOI link when there is one."""
        return f"{self.citation} https://doi.org/{self.doi}" if self.doi else self.citation


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a reference and the place in it, or an explicit assumption.

    Attributes:
        reference: the publication, or ``None`` when the value is assumed.
        location: table, figure, equation or section in the reference (``"Table 4"``).
        assumed: why the value is assumed, when there is no reference for it.
        note: anything a reader must know (re-implementation used, conversion made).
    """

    reference: Reference | None = None
    location: str = ""
    assumed: str = ""
    note: str = ""

    @property
    def is_given(self) -> bool:
        """True when the source names a reference or states why the value is assumed."""
        return self.reference is not None or bool(self.assumed.strip())

    def describe(self) -> str:
        """Human-readable one-liner for tables and ``hemasim cite``."""
        if self.reference is None:
            text = f"assumed: {self.assumed}" if self.assumed else "(no source)"
        else:
            text = self.reference.citation.split(".")[0]
            text = f"{self.reference.key}" + (f", {self.location}" if self.location else "")
        return text + (f" ({self.note})" if self.note else "")


def assumed(why: str) -> Source:
    """A source that states an assumption and its reason."""
    return Source(assumed=why)


@dataclass(frozen=True)
class Parameter:
    """A model constant.

    Attributes:
        name: symbol used in rate expressions.
        value: typical (population) value in ``unit``.
        unit: unit text (``"1/h"``, ``"1e9/L"``, ``"L/umol"``; ``"1"`` for dimensionless).
        meaning: one line saying what it is.
        source: where the value comes from.
        bounds: plausible (lower, upper) range in ``unit``; the value must lie inside.
    """

    name: str
    value: float
    unit: str
    meaning: str
    source: Source
    bounds: tuple[float, float] = (0.0, float("inf"))


@dataclass(frozen=True)
class Species:
    """A state variable: an amount or a concentration of cells, cytokine or drug.

    Attributes:
        name: symbol used in rate expressions.
        unit: unit of the state (``"1e9/L"``, ``"mg"``).
        compartment: where it lives (``"bone marrow"``, ``"blood"``, ``"central"``).
        meaning: one line saying what it is.
        initial: initial value as an expression of parameters (``"Circ0"``) or a number, in
            ``unit``.
    """

    name: str
    unit: str
    compartment: str
    meaning: str
    initial: str | float = 0.0


@dataclass(frozen=True)
class Process:
    """A flux that changes one or more species.

    The rate expression is evaluated in consistent units and contributes
    ``coefficient * rate`` to the time derivative of each species in ``changes``. Its unit
    must be the species' unit per time for every species it changes.

    Attributes:
        name: what happens (``"proliferation"``, ``"transit T1 -> T2"``).
        rate: symbolic rate expression of species and parameters (text).
        changes: species name -> stoichiometric coefficient (``{"T1": -1, "T2": 1}``).
    """

    name: str
    rate: str
    changes: dict[str, float] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.name, self.rate, tuple(sorted(self.changes.items()))))


@dataclass(frozen=True)
class Derived:
    """A constant computed from parameters (a steady-state flux, a rate fixed by a balance).

    Derived quantities are how a model parametrised by observable baselines (blood counts,
    lifespans, pool sizes) gets the rate constants that put its steady state exactly there,
    as Friberg's ``Circ0`` does. They may be used in initial values, rates and observables,
    but are not reported over time.

    Attributes:
        name: identifier.
        expression: expression of parameters and earlier derived quantities (text).
        unit: unit of the value.
        meaning: one line saying what it is and which balance defines it.
        bounds: the range the value must lie in for the balance to be feasible (a share
            must be a fraction); parameters that put it outside are refused.
    """

    name: str
    expression: str
    unit: str
    meaning: str
    bounds: tuple[float, float] = (-float("inf"), float("inf"))


@dataclass(frozen=True)
class Observable:
    """A read-out in the unit users read, computed from states and parameters.

    Attributes:
        name: read-out name (``"ANC"``).
        expression: symbolic expression of species and parameters (text).
        unit: unit the read-out is reported in (``"1e9/L"``, ``"cells/uL"``, ``"g/dL"``).
        meaning: one line saying what it is.
        reported: whether results carry it over time (``False`` for internal signals that
            rates use, such as a receptor-weighted cell mass).
    """

    name: str
    expression: str
    unit: str
    meaning: str
    reported: bool = True


@dataclass(frozen=True)
class Variability:
    """Log-normal inter-individual variability of one parameter.

    A patient's value is ``typical * exp(eta)`` with ``eta ~ Normal(0, omega**2)``.

    Attributes:
        parameter: parameter name.
        omega: standard deviation of eta (the log scale); ``omega = sqrt(log(1 + cv**2))``.
        source: where the variance comes from.
    """

    parameter: str
    omega: float
    source: Source

    @staticmethod
    def from_cv(parameter: str, cv: float, source: Source) -> Variability:
        """Variability from a coefficient of variation (0.3 for 30 %)."""
        import math

        return Variability(parameter, math.sqrt(math.log(1.0 + cv * cv)), source)


@dataclass(frozen=True)
class Correlation:
    """Correlation between the etas of two parameters with variability."""

    first: str
    second: str
    coefficient: float
    source: Source


@dataclass(frozen=True)
class DosingTarget:
    """Where a drug given by a route enters the model.

    A bolus adds the dose (converted to the species' unit) to ``species``; an infusion adds
    it at a constant rate over its duration.

    Attributes:
        drug: drug name used in scenarios (``"docetaxel"``).
        route: administration route (``"iv"``, ``"sc"``, ``"ip"``, ``"oral"``).
        species: the state the dose enters; its unit must be an amount compatible with doses.
        meaning: one line, e.g. "intravenous docetaxel into the central compartment".
    """

    drug: str
    route: str
    species: str
    meaning: str = ""


@dataclass(frozen=True)
class Threshold:
    """A clinically meaningful level of a read-out (toxicity grade, retreatment criterion).

    Attributes:
        variable: species or observable it applies to.
        value: the level, in the variable's unit.
        label: short name used for endpoints (``"grade 4 neutropenia"``).
        direction: ``"below"`` when being under it is the event (toxicity), ``"above"`` when
            reaching it is (recovery, engraftment).
        source: where the level comes from.
    """

    variable: str
    value: float
    label: str
    direction: str
    source: Source
