"""Built-in transplantation experiments (targets TX-H1, TX-H2, TX-M1 to TX-M3).

Conditioning (busulfan-cyclophosphamide, or total-body irradiation) empties the marrow; the
graft's cells enter the donor genotype's blood pools, home, lodge in free niches and
repopulate. Engraftment days are counted from the day of the graft, as clinicians count.
"""

from __future__ import annotations

import math

import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.readouts import (
    at_day,
    engraftment_day,
    first_day_at_or_above,
    high,
    low,
    parameter_value,
)
from hemasim.experiments.target import Target

INF = math.inf
CHAMPLIN = "Champlin 2000 Blood 95:3702, PBSC arm (median ANC day 14, platelets day 18)"
MOUSE_BMT = "literature 2.5 [recall, soft]: neutrophils > 500/uL by day 9-16"
PBSC_DAY = 7.0
"""Run day of the human graft (transplant day 0)."""
MOUSE_GRAFT_DAY = 1.0
"""Run day of the mouse graft."""


def _pbsc(result: xr.Dataset) -> dict[str, float]:
    neutrophils = engraftment_day(result, "ANC", 0.5, after=PBSC_DAY)
    platelets = engraftment_day(result, "platelets", 20.0, after=PBSC_DAY)
    return {
        "TX-H1 neutrophil engraftment": neutrophils - PBSC_DAY,
        "TX-H1 platelet engraftment": platelets - PBSC_DAY,
        "TX-H2 donor neutrophils day 100": at_day(result, "chimerism_neutrophils__donor",
                                                  PBSC_DAY + 100),
        "TX-H2 donor HSCs day 100": at_day(result, "chimerism_HSC__donor", PBSC_DAY + 100),
    }


HUMAN_PBSC_TRANSPLANT = Experiment(
    name="human-pbsc-transplant",
    title="Busulfan-cyclophosphamide and a mobilized blood graft (4.5 x10^6 CD34+/kg)",
    description=(
        "Myeloablative busulfan (16 x 0.8 mg/kg i.v.) and cyclophosphamide (2 x 60 mg/kg) "
        "conditioning, then 4.5 x10^6 CD34+ cells/kg of G-CSF-mobilized blood from a donor "
        "on day 0. Targets TX-H1 and TX-H2."),
    scenario_file="human-pbsc-transplant.yaml",
    targets=(
        Target("TX-H1 neutrophil engraftment", "day after the graft: first of 3 days with "
               "ANC >= 0.5 x10^9/L", 11.0, 17.0, "d", CHAMPLIN, "day 11-17 (median 14)"),
        Target("TX-H1 platelet engraftment", "day after the graft: first of 3 days with "
               "platelets >= 20 x10^9/L", 14.0, 22.0, "d", CHAMPLIN, "day 14-22 (median 18)"),
        Target("TX-H2 donor neutrophils day 100", "donor share of blood neutrophils on day "
               "100, %", 95.0, 100.0, "%", "clinical practice (full donor chimerism)", "> 95 %"),
        Target("TX-H2 donor HSCs day 100", "donor share of marrow HSCs on day 100, %", 95.0,
               100.0, "%", "clinical practice (full donor chimerism)", "> 95 %"),
    ),
    readouts=_pbsc,
    figure_variables=("ANC", "platelets", "chimerism_neutrophils__donor", "HSC_number"),
)


def _mouse_bmt(results: dict[str, xr.Dataset]) -> dict[str, float]:
    grafted = [label for label in results if label != "no graft"]
    engrafted = {label: engraftment_day(results[label], "ANC", 0.5, after=MOUSE_GRAFT_DAY)
                 - MOUSE_GRAFT_DAY for label in grafted}
    # dose response on a continuous scale: the first time ANC is back at 500/uL
    back = {}
    for label in grafted:
        _, nadir_day = low(results[label], "ANC", after=MOUSE_GRAFT_DAY)
        back[label] = first_day_at_or_above(results[label], "ANC", 0.5, nadir_day)
    ordered = [back["0.5e6 cells"], back["2e6 cells"], back["5e6 cells"]]
    monotone = all(a > b for a, b in zip(ordered, ordered[1:], strict=False))
    no_graft = results["no graft"]
    best_anc, _ = high(no_graft, "ANC", after=5.0, before=30.0)
    return {
        "TX-M1 neutrophils > 500/uL": engrafted["2e6 cells"],
        "TX-M1 donor chimerism week 8": at_day(results["2e6 cells"],
                                               "chimerism_neutrophils__donor", 57.0),
        "TX-M2 no graft: best ANC days 5-30": 100 * best_anc
        / parameter_value(no_graft, "anc_baseline"),
        "TX-M2 no graft: HSCs day 30": 100 * at_day(no_graft, "HSC_number", 30.0)
        / parameter_value(no_graft, "hsc_total"),
        "TX-M3 days gained, 0.5e6 -> 5e6 cells": ordered[0] - ordered[2],
        "TX-M3 engraftment monotone in dose": 1.0 if monotone else 0.0,
    }


MOUSE_BMT = Experiment(
    name="mouse-bmt",
    title="Mouse, lethal irradiation (9.5 Gy) and marrow grafts of 0, 0.5, 2 and 5 x10^6 cells",
    description=(
        "Total-body irradiation 9.5 Gy, then on day 1 a marrow graft of 2 x10^6 nucleated "
        "cells (main arm), 0.5 or 5 x10^6 cells, or none. Targets TX-M1, TX-M2 and TX-M3."),
    scenario_file="mouse-bmt.yaml",
    main_label="2e6 cells",
    arms=(("0.5e6 cells", "mouse-bmt-small-graft.yaml"),
          ("5e6 cells", "mouse-bmt-large-graft.yaml"),
          ("no graft", "mouse-tbi-no-graft.yaml")),
    targets=(
        Target("TX-M1 neutrophils > 500/uL", "day after the graft: first of 3 days with "
               "neutrophils >= 500/uL", 9.0, 16.0, "d", MOUSE_BMT),
        Target("TX-M1 donor chimerism week 8", "donor share of blood neutrophils 8 weeks "
               "after the graft, %", 90.0, 100.0, "%",
               "literature 2.5 [recall, soft]: > 90 % by week 4-8", "> 90 %"),
        Target("TX-M2 no graft: best ANC days 5-30", "highest ANC on days 5-30 without a "
               "graft, % of the steady-state ANC", 0.0, 50.0, "%",
               "basic radiobiology (aplasia persists; mice die of marrow failure in 10-20 "
               "days)", "< 500/uL (no recovery)"),
        Target("TX-M2 no graft: HSCs day 30", "HSCs on day 30 without a graft, % of "
               "the steady-state number", 0.0, 1.0, "%",
               "basic radiobiology (stem cells do not recover)", "< 1 %"),
        Target("TX-M3 days gained, 0.5e6 -> 5e6 cells", "first day back at 500/uL with "
               "0.5e6 cells minus with 5e6 cells", 0.5, INF, "d", "basic (dose response)",
               "faster with more cells"),
        Target("TX-M3 engraftment monotone in dose", "1 when engraftment is faster with each "
               "larger graft (0.5, 2, 5 x10^6 cells)", 1.0, 1.0, "1", "basic (dose response)",
               "monotone"),
    ),
    readouts=_mouse_bmt,
    figure_variables=("ANC", "platelets", "chimerism_neutrophils__donor", "HSC_number"),
)
