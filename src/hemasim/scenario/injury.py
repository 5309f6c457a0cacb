"""Irradiation and transplants of a scenario file, resolved into state jumps.

Irradiation: each fraction of dose d (Gy) multiplies every population of every genotype by
its linear-quadratic surviving fraction ``exp(-alpha d - beta d^2)`` (the populations'
radiosensitivity groups are ``RADIATION_GROUPS`` of the integrated model). Fractions are
independent (full repair between them), so n fractions of d survive as ``S(d)^n``.

Transplant: the graft's stem and progenitor cells (composition from ``grafts.py``) are added
to the donor genotype's blood pools, the blood share of its T cells to the donor's T cells
(the rest spread through the lymphoid organs, which the model does not hold); homing, lodging in
free niches and engraftment are the model's own processes from then on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from hemasim.model.compile import compile_model
from hemasim.model.model import Model
from hemasim.models.hematopoiesis.grafts import (
    BLOOD_POOL,
    GRAFT_SOURCES,
    STEADY_STATE_SIZE,
    composition,
)
from hemasim.models.hematopoiesis.structure import RADIATION_GROUPS, cell
from hemasim.scenario.events import StateJump
from hemasim.scenario.fields import time_in_days
from hemasim.scenario.schema import IrradiationSpec, TransplantSpec
from hemasim.units import base_factor, conversion_factor, parse_quantity

ErrorFactory = Callable[[str, str], Exception]
TimeReader = Callable[[str, str], float]


def surviving_fraction(alpha: float, beta: float, dose_gy: float) -> float:
    """Linear-quadratic surviving fraction of one fraction of ``dose_gy`` Gy.

    Args:
        alpha: linear coefficient, 1/Gy.
        beta: quadratic coefficient, 1/Gy^2.
        dose_gy: dose of the fraction, Gy.

    Any dose gives a fraction in [0, 1]: a dose so large that the exponent overflows
    leaves no survivors (0.0) instead of raising.
    """
    exponent = alpha * dose_gy + beta * dose_gy * dose_gy  # inf, not OverflowError
    return math.exp(-exponent)


def _typical(model: Model, overrides: dict[str, float]) -> dict[str, float]:
    return {p.name: overrides.get(p.name, p.value) for p in model.parameters}


def irradiation_jumps(key: str, spec: IrradiationSpec, model: Model,
                      overrides: dict[str, float], time: TimeReader,
                      error: ErrorFactory) -> list[StateJump]:
    """One scaling jump per population and genotype for each fraction."""
    if model.name != "hematopoiesis":
        raise error(key, f"model '{model.name}' has no radiosensitivities; use the "
                         "'hematopoiesis' model")
    total_gy = float(parse_quantity(spec.dose).to("Gy").magnitude)
    per_fraction = total_gy / spec.fractions
    first = time(f"{key}.at", spec.at)
    interval = time_in_days(spec.every) if spec.every is not None else 0.0
    values = _typical(model, overrides)
    genotypes = sorted({name.split("__", 1)[1] for name in model.species_names
                        if name.startswith("HSC_Q__")})
    jumps = []
    for count in range(spec.fractions):
        at = first + count * interval
        if count:
            at = time(f"{key}.fractions", f"{at} d")
        for group, populations in RADIATION_GROUPS.items():
            survival = surviving_fraction(values[f"{group}_radiation_alpha"],
                                          values[f"{group}_radiation_beta"], per_fraction)
            jumps.extend(StateJump(cell(population, g), at, "scale", survival)
                         for population in populations for g in genotypes)
    return jumps


def _steady_state_sizes(model: Model) -> tuple[dict[str, float], float]:
    """Steady-state size of each graft pool and the measured nucleated marrow cells, in cells."""
    compiled = compile_model(model)
    vector = compiled.parameter_vector(model.typical_parameters())
    value = dict(zip(compiled.parameter_names, np.asarray(vector, dtype=float), strict=True))
    sizes = {pool: value[name] * base_factor(unit)
             for pool, (name, unit) in STEADY_STATE_SIZE.items()}
    return sizes, value["marrow_nucleated_cells"] * base_factor("1e9 cell")


def transplant_jumps(key: str, spec: TransplantSpec, model: Model, weight_kg: float,
                     overrides: dict[str, float], time: TimeReader,
                     error: ErrorFactory) -> list[StateJump]:
    """The graft's cells added to the donor genotype's blood pools and T cells.

    The graft's stem and progenitor cells enter the blood pools whole (they home from
    there). Its T cells spread through the body's lymphoid organs as the host's do, so blood
    keeps the blood share of them (``t_blood_fraction``, 2 % in man: Westermann & Pabst
    1992); the model's T cells are those in blood.
    """
    if model.name != "hematopoiesis":
        raise error(key, f"model '{model.name}' has no transplants; use the "
                         "'hematopoiesis' model")
    source = GRAFT_SOURCES[spec.source]
    counted = spec.counted or source.counted
    if counted == "sorted" and spec.source != "sorted_hspc":
        raise error(f"{key}.counted", "'sorted' counts a sorted_hspc graft; this graft's "
                                      f"source is {spec.source}")
    try:
        quantity = parse_quantity(spec.dose)
    except Exception:  # pint raises several error types on text that is no quantity
        raise error(f"{key}.dose", f"expected a number of cells ('2e6 cells') or cells per "
                                   f"kg ('5e6 cells/kg'), got '{spec.dose}'") from None
    dimension = str(quantity.dimensionality)
    if dimension == "dimensionless":
        cells = float(quantity.to("dimensionless").magnitude)
    elif dimension == "1 / [mass]":
        cells = float(quantity.to("1/kg").magnitude) * weight_kg
    else:
        raise error(f"{key}.dose", f"expected a number of cells ('2e6 cells') or cells per "
                                   f"kg ('5e6 cells/kg'), got '{spec.dose}'")
    if not cells > 0 or not math.isfinite(cells):
        raise error(f"{key}.dose", f"must be a positive number of cells, got '{spec.dose}'")
    at = time(f"{key}.at", spec.at)
    sizes, marrow_cells = _steady_state_sizes(model)
    per_cell = composition(source, counted, sizes, marrow_cells)
    jumps = []
    for pool, fraction in per_cell.items():
        species = cell(BLOOD_POOL[pool], spec.donor)
        unit = model.species_named(species).unit
        jumps.append(StateJump(species, at, "add",
                               cells * fraction * conversion_factor("cell", unit)))
    if source.t_cells_per_counted_cell > 0:
        species = cell("T_GRAFT", spec.donor)
        unit = model.species_named(species).unit
        in_blood = _typical(model, overrides)["t_blood_fraction"]
        jumps.append(StateJump(species, at, "add", cells * source.t_cells_per_counted_cell
                               * in_blood * conversion_factor("cell", unit)))
    return jumps
