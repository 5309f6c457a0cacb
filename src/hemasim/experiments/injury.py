"""Built-in experiments of injury and regeneration (targets CH-2 to CH-6 and IL-1).

All run the integrated model; nothing here is fitted to the targets: the read-outs are taken
from trajectories that the mechanism (drug PK, kill of dividing cells, niche vacancy,
cytokine feedback) produces. Reference ranges are those of ``shared/validation/targets.md``.
"""

from __future__ import annotations

import math

import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.readouts import (
    at_day,
    baseline,
    cohort_days_below,
    first_day_at_or_above,
    high,
    low,
)
from hemasim.experiments.target import Target

INF = math.inf
FRIBERG_FIG4 = "Friberg 2002 J Clin Oncol 20:4713, Fig. 4 (read by eye: ~0.6 at ~day 9)"
LABEL = "Taxotere label: retreat only when neutrophils >= 1.5 x10^9/L"
YEAGER = "Yeager 1983 Exp Hematol 11:944; PMC2686622 (literature 2.4)"
MARROW = "literature 2.4 (CFU-S nadir day 1-2, back by day 7-10; cellularity lowest day 4)"


# --------------------------------------------------------------------------- CH-2
def _docetaxel_cycles(result: xr.Dataset) -> dict[str, float]:
    found = {}
    for cycle in range(4):
        start = 21.0 * cycle
        value, day = low(result, "ANC", after=start, before=start + 21.0)
        found[f"CH-2 cycle {cycle + 1} nadir"] = value
        found[f"CH-2 cycle {cycle + 1} nadir day"] = day - start
        if cycle < 3:
            found[f"CH-2 ANC before cycle {cycle + 2}"] = at_day(result, "ANC", start + 21.0)
    return found


def _cycle_targets() -> tuple[Target, ...]:
    targets = []
    for cycle in range(1, 5):
        targets += [
            Target(f"CH-2 cycle {cycle} nadir", f"ANC nadir of cycle {cycle} (10^9/L)", 0.3,
                   1.2, "1e9/L", FRIBERG_FIG4),
            Target(f"CH-2 cycle {cycle} nadir day", f"day of the nadir within cycle {cycle}",
                   6.0, 10.0, "d", FRIBERG_FIG4),
        ]
        if cycle < 4:
            targets.append(Target(f"CH-2 ANC before cycle {cycle + 1}",
                                  f"ANC on the day of dose {cycle + 1} (10^9/L): recovered",
                                  1.5, INF, "1e9/L", LABEL, ">= 1.5 x10^9/L"))
    return tuple(targets)


DOCETAXEL_CYCLES_INTEGRATED = Experiment(
    name="docetaxel-cycles-integrated",
    title="Docetaxel 100 mg/m2 q3w x 4 in the integrated human model: nadir of each cycle",
    description=(
        "Four 3-weekly cycles of docetaxel 100 mg/m2 (1-h infusion) with Bruno 1996 PK. "
        "Docetaxel kills dividing cells at Friberg's slope per division; the hierarchy, the "
        "marrow neutrophil reserve and G-CSF feedback decide the nadir and the recovery. "
        "Target CH-2."),
    scenario_file="docetaxel-cycles-integrated.yaml",
    targets=_cycle_targets(),
    readouts=_docetaxel_cycles,
    figure_variables=("ANC", "C_docetaxel", "platelets", "GCSF"),
)


# ------------------------------------------------------------------ CH-3/4/5, IL-1
def _mouse_5fu(result: xr.Dataset) -> dict[str, float]:
    platelets0 = baseline(result, "platelets")
    wbc0 = baseline(result, "WBC")
    platelet_nadir, platelet_day = low(result, "platelets", before=12.0)
    rebound, rebound_day = high(result, "platelets", after=platelet_day)
    wbc_nadir, wbc_day = low(result, "WBC", before=14.0)
    _, progenitor_day = low(result, "marrow_progenitors", before=10.0)
    _, cellularity_day = low(result, "marrow_cellularity", before=10.0)
    progenitors0 = baseline(result, "marrow_progenitors")
    cycling0 = baseline(result, "HSC_cycling_percent")
    cycling_peak, _ = high(result, "HSC_cycling_percent", before=10.0)
    il6_peak, _ = high(result, "IL6", before=10.0)
    return {
        "CH-3 platelet nadir day": platelet_day,
        "CH-3 platelet nadir": 100 * platelet_nadir / platelets0,
        "CH-3 platelet rebound": rebound / platelets0,
        "CH-3 platelet rebound day": rebound_day,
        "CH-4 WBC nadir day": wbc_day,
        "CH-4 WBC nadir": 100 * wbc_nadir / wbc0,
        "CH-4 WBC back to baseline": first_day_at_or_above(result, "WBC", wbc0, wbc_day),
        "CH-5 progenitor nadir day": progenitor_day,
        "CH-5 cellularity nadir day": cellularity_day,
        "CH-5 progenitors recovered": first_day_at_or_above(
            result, "marrow_progenitors", 0.8 * progenitors0, progenitor_day),
        "IL-1 IL-6 rise": il6_peak / baseline(result, "IL6"),
        "IL-1 HSC cycling rise": cycling_peak - cycling0,
        "IL-1 HSC cycling at day 35": abs(at_day(result, "HSC_cycling_percent", 35.0)
                                          - cycling0),
    }


MOUSE_5FU = Experiment(
    name="mouse-5fu",
    title="Mouse, 5-fluorouracil 150 mg/kg: marrow, platelets, WBC and HSC activation",
    description=(
        "5-FU 150 mg/kg i.p. once in a C57BL/6 mouse. Dividing cells die, quiescent HSCs are "
        "spared, IL-6 rises as the progenitor pools empty and activates quiescent HSCs, which "
        "refill the hierarchy and return to quiescence. Targets CH-3, CH-4, CH-5 and IL-1."),
    scenario_file="mouse-5fu.yaml",
    targets=(
        Target("CH-3 platelet nadir day", "day of the platelet nadir", 6.0, 8.0, "d", YEAGER),
        Target("CH-3 platelet nadir", "platelet nadir, % of baseline", 30.0, 50.0, "%", YEAGER),
        Target("CH-3 platelet rebound", "platelet rebound peak / baseline", 2.0, 4.0, "1",
               YEAGER, "2-4x baseline"),
        Target("CH-3 platelet rebound day", "day of the platelet rebound peak", 10.0, 20.0,
               "d", YEAGER),
        Target("CH-4 WBC nadir day", "day of the WBC nadir", 6.0, 10.0, "d", YEAGER),
        Target("CH-4 WBC nadir", "WBC nadir, % of baseline", 30.0, 60.0, "%", YEAGER),
        Target("CH-4 WBC back to baseline", "first day WBC is back at baseline after the "
               "nadir", 12.0, 20.0, "d", YEAGER),
        Target("CH-5 progenitor nadir day", "day of the marrow progenitor nadir", 1.0, 3.0,
               "d", MARROW),
        Target("CH-5 cellularity nadir day", "day of the marrow cellularity nadir", 2.0, 5.0,
               "d", MARROW),
        Target("CH-5 progenitors recovered", "first day marrow progenitors are back at 80 % "
               "of baseline", 7.0, 12.0, "d", MARROW),
        Target("IL-1 IL-6 rise", "serum IL-6 peak / baseline", 1.5, INF, "1",
               "Patchen 1991; seed text (IL-6 rises after injury)", "rises"),
        Target("IL-1 HSC cycling rise", "peak rise of cycling HSCs, percentage points",
               5.0, INF, "%", "Wilson 2008 (dormant HSCs activate after 5-FU)", "rises"),
        Target("IL-1 HSC cycling at day 35", "distance of cycling HSCs from baseline on "
               "day 35, percentage points", 0.0, 5.0, "%",
               "Wilson 2008 (activated HSCs return to dormancy)", "returns to baseline"),
    ),
    readouts=_mouse_5fu,
    figure_variables=("platelets", "WBC", "marrow_progenitors", "IL6",
                      "HSC_cycling_percent"),
)


# --------------------------------------------------------------------------- CH-6
def _gcsf_support(results: dict[str, xr.Dataset]) -> dict[str, float]:
    """Cohort means of grade-4 days; both arms hold the same virtual patients (same seed),
    so the days saved are a paired difference, as in a crossover trial."""
    without = cohort_days_below(results["without G-CSF"], "ANC", 0.5)
    with_support = cohort_days_below(results["with G-CSF"], "ANC", 0.5)
    return {
        "CH-6 grade-4 days without G-CSF": float(without.mean()),
        "CH-6 grade-4 days with G-CSF": float(with_support.mean()),
        "CH-6 days saved by G-CSF": float((without - with_support).mean()),
    }


DOCETAXEL_GCSF_SUPPORT = Experiment(
    name="docetaxel-gcsf-support",
    title="Docetaxel 100 mg/m2 with and without filgrastim: duration of grade-4 neutropenia",
    description=(
        "One cycle of docetaxel 100 mg/m2 with filgrastim 5 ug/kg/day s.c. on days 2-11 vs "
        "without. Filgrastim PK (s.c. absorption, renal and neutrophil-receptor clearance) "
        "feeds the same G-CSF signal as endogenous G-CSF. Both arms are the same 200 virtual "
        "patients (seed 1; between-patient variability of baseline ANC and of docetaxel's "
        "kill), and the read-outs are cohort means, as a trial reports them. Target CH-6."),
    scenario_file="docetaxel-without-filgrastim.yaml",
    main_label="without G-CSF",
    arms=(("with G-CSF", "docetaxel-with-filgrastim.yaml"),),
    targets=(
        Target("CH-6 grade-4 days without G-CSF", "days with ANC < 0.5 x10^9/L, no G-CSF "
               "(cohort mean)",
               0.0, INF, "d", "label: median ~7 days at 100 mg/m2 (literature 2.3)",
               "recorded"),
        Target("CH-6 grade-4 days with G-CSF", "days with ANC < 0.5 x10^9/L with filgrastim "
               "(cohort mean)",
               0.0, INF, "d", "Craig 2016; Scholz 2012", "recorded"),
        Target("CH-6 days saved by G-CSF", "grade-4 days without minus with G-CSF "
               "(cohort mean of each patient's difference)", 0.25,
               INF, "d", "Craig 2016; Scholz 2012 (direction)", "shorter with G-CSF"),
    ),
    readouts=_gcsf_support,
    figure_variables=("ANC", "GCSF", "C_filgrastim"),
)
