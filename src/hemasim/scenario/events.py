"""Timed interventions of a scenario, as frozen values in canonical units.

A scenario file is read and validated into these objects (see ``scenario.loading``); the
solver turns them into integration segments (``solve.schedule``). Every time is in days from
the start of the simulation. Events are explicit discontinuities: the integration stops at
each event time, the event is applied, and a new segment starts (architecture principle 6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from hemasim.analysis.endpoints import Endpoint
from hemasim.models.hematopoiesis.genotype import Genotype

Route = Literal["iv", "sc", "ip", "oral"]
DoseBasis = Literal["absolute", "per_kg", "per_m2"]


@dataclass(frozen=True)
class Dose:
    """One administration of a drug.

    Attributes:
        drug: drug name as the model declares it in its dosing table (``"docetaxel"``).
        time: start of the administration, days.
        amount: dose amount in ``unit`` (per kg body weight or per m2 body surface when
            ``basis`` says so).
        unit: unit of ``amount`` as text (``"mg"``, ``"ug"``, ``"umol"``).
        basis: ``"absolute"``, ``"per_kg"`` (times body weight) or ``"per_m2"`` (times BSA).
        route: ``"iv"``, ``"sc"``, ``"ip"`` or ``"oral"``; the model maps each route it accepts
            to the state the dose enters.
        duration: infusion duration, days; 0 means a bolus (a jump of the target state).
    """

    drug: str
    time: float
    amount: float
    unit: str
    basis: DoseBasis = "absolute"
    route: Route = "iv"
    duration: float = 0.0


@dataclass(frozen=True)
class ParameterChange:
    """A window in which a model parameter is scaled or replaced (inhibitor, knockout).

    Attributes:
        parameter: model parameter name.
        start: start of the window, days.
        end: end of the window, days (``math.inf`` for the rest of the simulation).
        scale: multiply the parameter by this factor in the window (0 knocks it out), or
        value: replace the parameter by this value, given in ``unit`` (exactly one of
            ``scale`` and ``value`` is set).
        unit: unit of ``value``; ``None`` means the parameter's own unit.
    """

    parameter: str
    start: float = 0.0
    end: float = math.inf
    scale: float | None = None
    value: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class StateJump:
    """An instantaneous change of one state (irradiation, transplant, a bleed).

    Attributes:
        species: model species name.
        time: when, days.
        mode: ``"scale"`` (multiply), ``"add"`` (add ``value``) or ``"set"`` (replace).
        value: the factor, or the amount in ``unit`` for ``add``/``set``.
        unit: unit of ``value`` for ``add``/``set``; ``None`` means the species' own unit.
    """

    species: str
    time: float
    mode: Literal["scale", "add", "set"]
    value: float
    unit: str | None = None


@dataclass(frozen=True)
class Subject:
    """Body size of the simulated individual, used to turn mg/kg and mg/m2 doses into amounts.

    Attributes:
        weight_kg: body weight, kg.
        bsa_m2: body surface area, m2.
    """

    weight_kg: float = 70.0
    bsa_m2: float = 1.8


Event = Dose | ParameterChange | StateJump


@dataclass(frozen=True)
class Scenario:
    """What to simulate: a model, a time span, the interventions and the read-out times.

    Attributes:
        name: short identifier.
        model: registered model name (``hemasim models`` lists them).
        duration: simulated time span, days.
        output_step: spacing of reported time points, days.
        events: doses, parameter windows and state jumps, in any order.
        subject: body size for dose normalisation.
        parameters: parameter overrides, name -> (value, unit); unit ``None`` means the
            parameter's own unit.
        description: free text for the reader.
        patients: default cohort size (the CLI's ``--patients`` overrides it).
        seed: default random seed for the cohort.
        source: file the scenario was read from, if any.
        species: ``"human"`` or ``"mouse"`` for the integrated model; ``None`` for the
            model's own.
        genotypes: the integrated model's genotypes (empty: the host alone).
        start: ``"declared"`` starts from the model's declared initial state;
            ``"steady_state"`` first finds the steady state of each patient's parameters
            (knockouts and genotype modifiers move it).
        endpoints: endpoints the scenario adds to the model's standard ones (requested
            read-outs on given days; engraftment and chimerism counted from a graft).
    """

    name: str
    model: str
    duration: float
    output_step: float = 0.1
    events: tuple[Event, ...] = ()
    subject: Subject = field(default_factory=Subject)
    parameters: tuple[tuple[str, float, str | None], ...] = ()
    description: str = ""
    patients: int = 1
    seed: int = 0
    source: str | None = None
    species: str | None = None
    genotypes: tuple[Genotype, ...] = ()
    start: Literal["declared", "steady_state"] = "declared"
    endpoints: tuple[Endpoint, ...] = ()

    def output_times(self) -> tuple[float, ...]:
        """Reported time points, days: 0, step, 2*step ... up to and including duration."""
        count = int(math.floor(self.duration / self.output_step + 1e-9))
        times = [round(i * self.output_step, 12) for i in range(count + 1)]
        if times[-1] < self.duration - 1e-12:
            times.append(self.duration)
        return tuple(times)
