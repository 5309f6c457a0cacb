"""Endpoints a scenario adds to its run's endpoint table.

Two kinds: the read-outs a scenario asks for on given days (``endpoints``), and, in a
scenario with a transplant, the clinical engraftment days and donor chimerism counted from
the graft (day 0 of a transplant is the day of the infusion), so that ``hemasim run`` reports
engraftment on day +14 where the run's own clock says day 21.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hemasim.analysis.endpoints import Endpoint
from hemasim.analysis.standard import standard_endpoints
from hemasim.model.expressions import suggest
from hemasim.model.model import Model
from hemasim.scenario.fields import time_in_days
from hemasim.scenario.schema import EndpointSpec, TransplantSpec

ErrorFactory = Callable[[str, str], Exception]

GRAFT_CHIMERISM_DAYS = (30.0, 100.0)
"""Days after the graft on which each donor's chimerism is reported when the run lasts that
long: day +30, the first assessment after neutrophil engraftment, and day +100, the day of
the CIBMTR 100-day follow-up and of target TX-H2 [assumed: the usual clinical schedule]."""


def _slug(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


def transplant_endpoints(model: Model, transplants: Sequence[TransplantSpec],
                         duration: float) -> list[Endpoint]:
    """Engraftment days after the first graft and each donor's chimerism on days +30, +100.

    Args:
        model: the integrated model, with the donors' genotypes.
        transplants: the scenario's grafts (none: no endpoints).
        duration: length of the run, days.

    Returns:
        For each ``above`` threshold of the model (ANC >= 0.5 x10^9/L, platelets >= 20
        x10^9/L), the first of 3 consecutive days at or above it after the nadir that follows
        the first graft, in days after that graft; then, for each donor, neutrophil and HSC
        chimerism (%) on the days of ``GRAFT_CHIMERISM_DAYS`` after its first graft that lie
        within the run.
    """
    if not transplants:
        return []
    first_graft = min(time_in_days(graft.at) for graft in transplants)
    endpoints = [
        Endpoint(f"day_{_slug(threshold.label.replace('recovery', 'engraftment'))}"
                 "_after_graft", threshold.variable, "engraftment", threshold=threshold.value,
                 unit="d", after=first_graft, origin=first_graft)
        for threshold in model.thresholds if threshold.direction == "above"]
    donors: dict[str, float] = {}
    for graft in transplants:
        at = time_in_days(graft.at)
        donors[graft.donor] = min(at, donors.get(graft.donor, at))
    for donor, graft_day in donors.items():
        for lineage in ("neutrophils", "HSC"):
            read_out = f"chimerism_{lineage}__{donor}"
            endpoints += [Endpoint(f"{read_out}_day_{day:g}_after_graft", read_out, "value_at",
                                   unit="%", after=graft_day + day)
                          for day in GRAFT_CHIMERISM_DAYS if graft_day + day <= duration]
    return endpoints


def requested_endpoints(specs: Sequence[EndpointSpec], model: Model,
                        transplants: Sequence[TransplantSpec], duration: float,
                        taken: Sequence[str], error: ErrorFactory) -> list[Endpoint]:
    """The ``endpoints`` items as value-at-a-day endpoints, each checked against the model.

    Args:
        specs: the scenario's ``endpoints`` items.
        model: the model the scenario runs (its read-outs and states).
        transplants: the scenario's grafts; the first one's day is day zero of
            ``after: graft``.
        duration: length of the run, days.
        taken: endpoint names the run already has (an item may not reuse one).
        error: makes the ScenarioError naming a key.

    Raises:
        ScenarioError: an unknown read-out, ``after: graft`` without a graft, a day before
            day zero or after the end of the run, or a name already used.
    """
    meanings = {o.name: o.meaning for o in model.observables if o.reported}
    known = [*model.species_names, *meanings]
    used = set(taken)
    endpoints = []
    for index, spec in enumerate(specs):
        key = f"endpoints[{index}]"
        if spec.read_out not in known:
            hint = suggest(spec.read_out, known) or "; 'hemasim steady-state' lists them"
            raise error(f"{key}.read_out", f"unknown read-out '{spec.read_out}' of model "
                                           f"'{model.name}'{hint}")
        day_zero = 0.0
        if spec.after == "graft":
            if not transplants:
                raise error(f"{key}.after", "'graft' counts from a transplant, but the "
                                            "scenario has none in 'transplants'")
            day_zero = min(time_in_days(graft.at) for graft in transplants)
        at = time_in_days(spec.at)
        if at < 0:
            raise error(f"{key}.at", f"must not be negative (got '{spec.at}')")
        if day_zero + at > duration + 1e-9:
            raise error(f"{key}.at", f"'{spec.at}' after the {spec.after} is day "
                                     f"{day_zero + at:g} of the run, after its end (duration "
                                     f"{duration:g} d)")
        suffix = "_after_graft" if spec.after == "graft" else ""
        name = spec.name or f"{spec.read_out}_day_{at:g}{suffix}"
        if name in used:
            raise error(f"{key}.name" if spec.name else key,
                        f"the endpoint '{name}' already exists; give this item another 'name'")
        used.add(name)
        unit = model.unit_of(spec.read_out)
        if unit == "1" and "%" in meanings.get(spec.read_out, ""):
            unit = "%"  # a percentage read-out (its meaning says so; its unit is the ratio's)
        endpoints.append(Endpoint(name, spec.read_out, "value_at", unit=unit,
                                  after=day_zero + at))
    return endpoints


def scenario_endpoints(specs: Sequence[EndpointSpec], model: Model,
                       transplants: Sequence[TransplantSpec], duration: float,
                       error: ErrorFactory) -> tuple[Endpoint, ...]:
    """Every endpoint the scenario adds to the model's standard ones: the transplant
    endpoints (integrated model), then the requested ones."""
    graft = transplant_endpoints(model, transplants, duration) \
        if model.name == "hematopoiesis" else []
    taken = [spec.name for spec in (*standard_endpoints(model), *graft)]
    return (*graft, *requested_endpoints(specs, model, transplants, duration, taken, error))
