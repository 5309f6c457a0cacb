"""The standard endpoints of a run, derived from the model's main read-out and thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hemasim.analysis.endpoints import Endpoint
from hemasim.model.model import Model

if TYPE_CHECKING:
    from hemasim.scenario.events import Scenario


def _slug(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


AML_BLAST_PERCENT = 20.0
"""Marrow blasts (% of nucleated cells) at which a myeloid neoplasm is acute myeloid leukemia
(WHO classification; Arber DA, et al. Blood 2016;127:2391-2405)."""

POOR_MOBILIZER_CD34 = 20.0
"""Peak blood CD34+ (/uL) below which a donor is a poor mobilizer (Olivieri J, et al. Bone
Marrow Transplant 2012;47:342-351, GITMO criteria: < 20 CD34+/uL after G-CSF); the cohort
mean of ``poor_mobilizer`` (1 or 0 per patient) is the fraction of poor mobilizers."""


def _has_leukemic_genotype(model: Model) -> bool:
    """Whether a genotype of the integrated model has a maturation block (``maturation`` < 1)."""
    return any(p.name.startswith("maturation__") and p.value < 1 for p in model.parameters)


def standard_endpoints(model: Model) -> list[Endpoint]:
    """Nadir, peak and AUC of the main read-out, plus one endpoint per declared threshold.

    The main read-out is the model's first plot variable. The integrated model adds the day
    ANC and platelets are back at 95 % of baseline after their nadir, the marrow cellularity
    nadir (% of the resting marrow) and its day and, with more than one
    genotype, each non-host genotype's chimerism (neutrophils, HSCs) at the end of the run;
    with a maturation-blocked (leukemic) genotype, the peak and final marrow blast percentage
    and the first day of 3 in a row with blasts at or above the WHO threshold for AML.
    Then one endpoint per threshold, last, in declaration order: a ``below`` threshold gives
    the days spent below it; an ``above`` threshold gives the first day back at or above it
    after the nadir (for the integrated model the first of 3 consecutive days, the
    engraftment definition).
    """
    variable = model.plot_variables[0]
    unit = model.unit_of(variable)
    endpoints = [
        Endpoint(f"{variable}_nadir", variable, "nadir", unit=unit),
        Endpoint(f"{variable}_nadir_day", variable, "nadir_time", unit="d"),
        Endpoint(f"{variable}_peak", variable, "peak", unit=unit),
        Endpoint(f"{variable}_peak_day", variable, "peak_time", unit="d"),
        Endpoint(f"{variable}_auc", variable, "auc", unit=f"{unit}*d"),
    ]
    integrated = model.name == "hematopoiesis"
    if integrated:
        endpoints += [Endpoint(f"{name}_day_back_to_95_percent", name, "recovery_fraction",
                               threshold=0.95, unit="d") for name in ("ANC", "platelets")]
        endpoints += [
            Endpoint("marrow_cellularity_nadir", "marrow_cellularity", "nadir", unit="%"),
            Endpoint("marrow_cellularity_nadir_day", "marrow_cellularity", "nadir_time",
                     unit="d"),
        ]
        endpoints += [Endpoint(f"{name}_at_end", name, "final_value", unit="%")
                      for name in model.observable_names
                      if name.startswith(("chimerism_neutrophils__", "chimerism_HSC__"))
                      and not name.endswith("__host")]
        endpoints += [
            Endpoint("CD34_per_uL_peak", "CD34_per_uL", "peak", unit="cell/uL"),
            Endpoint("poor_mobilizer", "CD34_per_uL", "peak_below",
                     threshold=POOR_MOBILIZER_CD34, unit="1"),
            Endpoint("CD34_collected_per_kg_at_end", "CD34_collected_per_kg", "final_value",
                     unit="1e6 cell/kg"),
        ]
        if _has_leukemic_genotype(model):
            endpoints += [
                Endpoint("leukemic_blast_percent_peak", "leukemic_blast_percent", "peak",
                         unit="%"),
                Endpoint("day_AML_blasts", "leukemic_blast_percent", "first_sustained_above",
                         threshold=AML_BLAST_PERCENT, unit="d"),
                Endpoint("leukemic_blast_percent_at_end", "leukemic_blast_percent",
                         "final_value", unit="%"),
            ]
    for threshold in model.thresholds:
        label = _slug(threshold.label)
        if threshold.direction == "below":
            endpoints.append(Endpoint(f"days_{label}", threshold.variable, "time_below",
                                      threshold=threshold.value, unit="d"))
        else:
            endpoints.append(Endpoint(f"day_{label}", threshold.variable,
                                      "engraftment" if integrated else "recovery_time",
                                      threshold=threshold.value, unit="d"))
    return endpoints


def run_endpoints(model: Model, scenario: Scenario | None = None) -> list[Endpoint]:
    """The endpoints of a run: the model's standard ones, then the scenario's own
    (``Scenario.endpoints``: requested read-outs on given days, engraftment and chimerism
    counted from a graft)."""
    return [*standard_endpoints(model), *(scenario.endpoints if scenario is not None else ())]
