"""Experiments ``steady-state-human`` and ``steady-state-mouse`` (targets SS-H1-6, SS-M1-6).

The integrated model is started at its steady state (found by root finding) and left alone
for a year; the read-outs are taken at the end of that year, so they check both where the
steady state lies and that it holds. Blood counts are parametrised by normal values and
the blood HSPC read-outs by an identified egress rate (see the parameter files), so SS-H1-5
and SS-M1-4, SS-M6 check consistency of the whole model at those values; the HSC numbers
and division intervals (SS-H6, SS-M5) come from the stem-cell kinetics.
"""

from __future__ import annotations

from collections.abc import Callable

import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.target import Target

CLINICAL = "clinical reference range (literature digest 2.1)"


def _final_values(names: dict[str, tuple[str, float]]) -> Callable[[xr.Dataset], dict]:
    """Read-out function: target id -> observable value at the last time, times a factor."""

    def readouts(result: xr.Dataset) -> dict[str, float]:
        values = result["value"].isel(patient=0, time=-1)
        return {target: float(values.sel(variable=variable)) * factor
                for target, (variable, factor) in names.items()}

    return readouts


STEADY_STATE_HUMAN = Experiment(
    name="steady-state-human",
    title="Human steady state: blood counts, CD34+ in blood, HSC division interval",
    description=__doc__ or "",
    scenario_file="steady-state-human.yaml",
    targets=(
        Target("SS-H1", "ANC (10^9/L)", 1.8, 7.5, "1e9/L", f"{CLINICAL}; Friberg 2002 Circ0 5.05"),
        Target("SS-H2", "platelets (10^9/L)", 150, 450, "1e9/L", "Langlois 2017"),
        Target("SS-H3 RBC", "red cells (10^12/L)", 4.2, 5.9, "1e12/L", CLINICAL),
        Target("SS-H3 Hb", "hemoglobin (g/dL)", 12, 17.5, "g/dL", CLINICAL),
        Target("SS-H4", "lymphocytes (10^9/L)", 1.0, 4.0, "1e9/L", CLINICAL),
        Target("SS-H5", "blood CD34+ (/uL)", 2, 4, "cell/uL", "Liles 2003 Blood 102:2728"),
        Target("SS-H6", "mean time between HSC divisions (weeks)", 25, 50, "week",
               "Catlin 2011 Blood 117:4460"),
    ),
    readouts=_final_values({
        "SS-H1": ("ANC", 1.0), "SS-H2": ("platelets", 1.0), "SS-H3 RBC": ("RBC", 1.0),
        "SS-H3 Hb": ("Hb", 1.0), "SS-H4": ("lymphocytes", 1.0),
        "SS-H5": ("CD34_per_uL", 1.0), "SS-H6": ("HSC_division_interval", 1 / 7),
    }),
    figure_variables=("ANC", "platelets", "Hb", "CD34_per_uL"),
)

MOUSE_COUNTS = "Taconic FVB/N sheet; Silva-Santana 2020; C57BL/6 typical values (digest 2.1)"

STEADY_STATE_MOUSE = Experiment(
    name="steady-state-mouse",
    title="Mouse steady state: blood counts, HSC number and division, blood CFU-GM",
    description=__doc__ or "",
    scenario_file="steady-state-mouse.yaml",
    targets=(
        Target("SS-M1 WBC", "WBC (10^3/uL)", 4, 10, "1e9/L", MOUSE_COUNTS),
        Target("SS-M1 lymphocytes", "lymphocytes (% of WBC)", 70, 90, "%", MOUSE_COUNTS),
        Target("SS-M2", "neutrophils (10^3/uL)", 0.5, 2, "1e9/L", MOUSE_COUNTS),
        Target("SS-M3", "platelets (10^6/uL)", 0.9, 1.6, "1e12/L", MOUSE_COUNTS),
        Target("SS-M4 RBC", "red cells (10^6/uL)", 9, 11, "1e12/L", "Taconic FVB/N sheet"),
        Target("SS-M4 Hb", "hemoglobin (g/dL)", 14, 17, "g/dL", "Taconic FVB/N sheet"),
        Target("SS-M5 HSC", "HSCs per mouse", 1e4, 2e4, "cell",
               "Abkowitz 2002 Blood 100:2665; Busch 2015 Nature 518:542"),
        Target("SS-M5 division", "mean time between HSC divisions (weeks)", 2, 4, "week",
               "Shepherd 2007 Blood 110:1806"),
        Target("SS-M6", "blood CFU-GM per mL", 20, 80, "1/mL",
               "control arm of the G-CSF mobilization table (digest 2.8)"),
    ),
    readouts=_final_values({
        "SS-M1 WBC": ("WBC", 1.0), "SS-M1 lymphocytes": ("lymphocyte_percent", 1.0),
        "SS-M2": ("ANC", 1.0), "SS-M3": ("platelets", 1e-3), "SS-M4 RBC": ("RBC", 1.0),
        "SS-M4 Hb": ("Hb", 1.0), "SS-M5 HSC": ("HSC_number", 1.0),
        "SS-M5 division": ("HSC_division_interval", 1 / 7),
        "SS-M6": ("CFU_GM_per_mL", 1.0),
    }),
    figure_variables=("WBC", "ANC", "platelets", "HSC_number"),
)
