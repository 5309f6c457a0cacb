"""Built-in mobilization experiments: G-CSF and plerixafor in humans and mice, apheresis,
knockouts and inhibitors of the trafficking pathway, and the Adamiak 2017 design
(targets MO-H1 to MO-H4, MO-M1, MO-M2, MO-K1 to MO-K5).

Blood is read as the papers read it: human donors each morning before that day's G-CSF
dose (day 1 is the first dose), mice 6 h after the last G-CSF dose or 1 h after AMD3100.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from hemasim.experiments.experiment import Experiment, Prediction
from hemasim.experiments.readouts import (
    at_day,
    baseline,
    engraftment_day,
    high,
    trajectory,
)
from hemasim.experiments.target import Target
from hemasim.models.hematopoiesis.populations import with_stages

INF = math.inf
HOUR = 1.0 / 24.0
GCSF_SAMPLE_DAY = 5.25
"""Mouse G-CSF read-out time: 6 h after the sixth daily dose (given on days 0-5)."""
AMD3100_SAMPLE_DAY = HOUR
"""Mouse AMD3100 read-out time: 1 h after the dose."""
STRONCEK = "Stroncek 1997 Transfus Med 7:19 (day 4: 61 +/- 40, day 5: 128 +/- 136 /uL)"
VASU = "Vasu 2008 Blood 112:2092 (day-5 medians 79-104 /uL)"
LILES = "Liles 2003 Blood 102:2728 (2.6 -> 40.4 /uL at 9 h, 15.5x); Mozobil label (peak 6-9 h)"
ADAMIAK = "Adamiak 2017 Stem Cell Rev Rep 13:92 (abstract: iNOS-/- mice mobilize more)"
ABOVE_ONE = 1.01
"""A ratio counts as 'higher' when it exceeds 1 by more than 1 % (numerical noise)."""


def _morning_values(result: xr.Dataset, variable: str, days: int) -> np.ndarray:
    """Values on study days 1..days, read just before that day's dose (run day d - 1)."""
    return np.array([at_day(result, variable, float(day - 1)) for day in range(1, days + 1)])


def _human_gcsf(result: xr.Dataset) -> dict[str, float]:
    cd34 = _morning_values(result, "CD34_per_uL", 9)
    wbc = _morning_values(result, "WBC", 9)
    times, collected = trajectory(result, "CD34_collected_per_kg")
    return {
        "MO-H1 baseline CD34+": cd34[0],
        "MO-H1 peak day": float(np.argmax(cd34) + 1),
        "MO-H1 day-5 CD34+": cd34[4],
        "MO-H1 day 5 / day 4": cd34[4] / cd34[3],
        "MO-H2 WBC days 5-6": float(max(wbc[4], wbc[5])),
        "MO-H4 CD34+ collected": float(collected[-1]),
    }


HUMAN_GCSF_MOBILIZATION = Experiment(
    name="human-gcsf-mobilization",
    title="Healthy donor, filgrastim 10 ug/kg/day s.c. x 5, apheresis on day 5",
    description=(
        "Filgrastim 10 ug/kg s.c. each morning on days 1-5; blood CD34+ and WBC before each "
        "dose; a leukapheresis of 2.5 blood volumes over 4 h starting 2 h after the fifth "
        "dose (collection efficiency 58 %). Targets MO-H1, MO-H2, MO-H4."),
    scenario_file="human-gcsf-mobilization.yaml",
    targets=(
        Target("MO-H1 baseline CD34+", "blood CD34+ before G-CSF, /uL", 2.0, 4.0, "cell/uL",
               "Liles 2003 (2.6 +/- 0.3 and 3.8 +/- 0.5 /uL)", "2-4 /uL"),
        Target("MO-H1 peak day", "study day of the highest morning CD34+", 4.0, 6.0, "day",
               STRONCEK, "day 5 (4-6)"),
        Target("MO-H1 day-5 CD34+", "blood CD34+ on day 5, /uL", 60.0, 150.0, "cell/uL",
               f"{STRONCEK}; {VASU}", "60-150 /uL"),
        Target("MO-H1 day 5 / day 4", "CD34+ on day 5 / day 4", 1.0, INF, "1", STRONCEK,
               "day 4 lower than day 5"),
        Target("MO-H2 WBC days 5-6", "highest WBC of days 5 and 6, x10^9/L", 30.0, 50.0,
               "1e9/L", "Stroncek 1997 (WBC peak 43.8 +/- 13.9 on day 6)", "30-50 x10^9/L"),
        Target("MO-H4 CD34+ collected", "CD34+ cells collected per kg, processing 2.5 blood "
               "volumes", 2.0, INF, "1e6/kg", "clinical practice (literature 2.5, 2.7): the "
               "usual minimum graft", ">= 2 x10^6/kg"),
    ),
    readouts=_human_gcsf,
    figure_variables=("CD34_per_uL", "WBC", "marrow_SDF1", "CD34_collected_per_kg"),
)


def _human_plerixafor(result: xr.Dataset) -> dict[str, float]:
    start = baseline(result, "CD34_per_uL")
    peak, day = high(result, "CD34_per_uL")
    return {
        "MO-H3 peak time": day * 24.0,
        "MO-H3 peak / baseline": peak / start,
        "MO-H3 24 h / peak": at_day(result, "CD34_per_uL", 1.0) / peak,
    }


HUMAN_PLERIXAFOR = Experiment(
    name="human-plerixafor",
    title="Healthy volunteer, plerixafor 240 ug/kg s.c. once",
    description="Blood CD34+ over 48 h after one s.c. dose of plerixafor. Target MO-H3.",
    scenario_file="human-plerixafor.yaml",
    targets=(
        Target("MO-H3 peak time", "time of the highest blood CD34+, h after the dose", 6.0,
               10.0, "h", LILES, "6-10 h"),
        Target("MO-H3 peak / baseline", "highest blood CD34+ / before the dose", 10.0, 20.0,
               "1", LILES, "10-20x"),
        Target("MO-H3 24 h / peak", "blood CD34+ at 24 h / at the peak", 0.0, 0.999, "1",
               LILES, "lower at 24 h than at the peak"),
    ),
    readouts=_human_plerixafor,
    figure_variables=("CD34_per_uL", "WBC", "plasma_S1P"),
)


def _mouse_gcsf(result: xr.Dataset) -> dict[str, float]:
    return {"MO-M1 CFU-GM fold": at_day(result, "CFU_GM_per_mL", GCSF_SAMPLE_DAY)
            / baseline(result, "CFU_GM_per_mL")}


MOUSE_GCSF_MOBILIZATION = Experiment(
    name="mouse-gcsf-mobilization",
    title="Mouse, G-CSF 100 ug/kg/day s.c. x 6, blood 6 h after the last dose",
    description="CFU-GM per mL of blood after 6 days of G-CSF, relative to before. MO-M1.",
    scenario_file="mouse-gcsf-mobilization.yaml",
    targets=(
        Target("MO-M1 CFU-GM fold", "CFU-GM per mL blood, G-CSF / control", 15.0, 40.0, "1",
               "literature 2.8 (42 -> 1013 per mL, 24x)", "15-40x"),
    ),
    readouts=_mouse_gcsf,
    figure_variables=("CFU_GM_per_mL", "SKL_per_uL", "WBC", "marrow_SDF1"),
)


def _mouse_amd3100(result: xr.Dataset) -> dict[str, float]:
    peak, day = high(result, "CFU_GM_per_mL")
    return {"MO-M2 peak time": day * 24.0,
            "MO-M2 peak / baseline": peak / baseline(result, "CFU_GM_per_mL")}


MOUSE_AMD3100 = Experiment(
    name="mouse-amd3100",
    title="Mouse, AMD3100 5 mg/kg i.p. once",
    description="Blood CFU-GM over 12 h after one dose of AMD3100. Target MO-M2.",
    scenario_file="mouse-amd3100.yaml",
    targets=(
        Target("MO-M2 peak time", "time of the highest blood CFU-GM, h after the dose", 0.5,
               3.0, "h", "Broxmeyer 2005 J Exp Med 201:1307", "0.5-3 h"),
        Target("MO-M2 peak / baseline", "highest blood CFU-GM / before the dose", ABOVE_ONE,
               INF, "1", "Broxmeyer 2005 J Exp Med 201:1307", "above baseline"),
    ),
    readouts=_mouse_amd3100,
    figure_variables=("CFU_GM_per_mL", "SKL_per_uL", "WBC"),
)


def _ratio(results: dict[str, xr.Dataset], arm: str, reference: str, variable: str,
           day: float) -> float:
    return at_day(results[arm], variable, day) / at_day(results[reference], variable, day)


def _modifiers(results: dict[str, xr.Dataset]) -> dict[str, float]:
    found = {}
    for arm, key in (("SnPP + G-CSF", "MO-K3"), ("HO-1-/- G-CSF", "MO-K4"),
                     ("C5-/- G-CSF", "MO-K5")):
        for variable, label in (("SKL_per_uL", "SKL"), ("CFU_GM_per_mL", "CFU-GM")):
            found[f"{key} {label} ratio"] = _ratio(results, arm, "G-CSF", variable,
                                                   GCSF_SAMPLE_DAY)
    for variable, label in (("ANC", "ANC"), ("platelets", "platelets"), ("Hb", "Hb"),
                            ("CFU_GM_per_mL", "CFU-GM")):
        found[f"MO-K4 steady-state {label}"] = (baseline(results["HO-1-/- G-CSF"], variable)
                                                / baseline(results["G-CSF"], variable))
    found["WBC ratio, SnPP"] = _ratio(results, "SnPP + G-CSF", "G-CSF", "WBC",
                                      GCSF_SAMPLE_DAY)
    return found


def _higher(target_id: str, what: str, source: str) -> Target:
    return Target(target_id, what, ABOVE_ONE, INF, "1", source, "higher (ratio > 1)")


def _normal(label: str) -> Target:
    return Target(f"MO-K4 steady-state {label}", f"HO-1-/- / wild type, {label} at steady "
                  "state", 0.9, 1.1, "1", "ASH 2011 abstract 315 (normal blood counts and "
                  "circulating CFU-GM)", "normal (within 10 %)")


MOUSE_MOBILIZATION_MODIFIERS = Experiment(
    name="mouse-mobilization-modifiers",
    title="Mouse G-CSF mobilization with SnPP, in HO-1-/- and in C5-/- mice",
    description=(
        "G-CSF 100 ug/kg/day x 6 in wild-type mice (main arm), with the HO-1 inhibitor SnPP, "
        "and in HO-1-/- and C5-/- mice; blood 6 h after the last dose. Targets MO-K3, MO-K4, "
        "MO-K5."),
    scenario_file="mouse-gcsf-mobilization.yaml",
    main_label="G-CSF",
    arms=(("SnPP + G-CSF", "mouse-snpp-gcsf.yaml"),
          ("HO-1-/- G-CSF", "mouse-gcsf-mobilization-ho1-knockout.yaml"),
          ("C5-/- G-CSF", "mouse-gcsf-mobilization-c5-knockout.yaml")),
    targets=(
        _higher("MO-K3 SKL ratio", "SnPP + G-CSF / G-CSF, SKL per uL",
                "Wysoczynski 2015 Stem Cell Rev Rep 11:110"),
        _higher("MO-K3 CFU-GM ratio", "SnPP + G-CSF / G-CSF, CFU-GM per mL",
                "Wysoczynski 2015 Stem Cell Rev Rep 11:110"),
        *(_normal(label) for label in ("ANC", "platelets", "Hb", "CFU-GM")),
        _higher("MO-K4 SKL ratio", "HO-1-/- / wild type after G-CSF, SKL per uL",
                "ASH 2011 abstract 315; Adamiak 2017 introduction (easy mobilizers)"),
        _higher("MO-K4 CFU-GM ratio", "HO-1-/- / wild type after G-CSF, CFU-GM per mL",
                "ASH 2011 abstract 315; Adamiak 2017 introduction (easy mobilizers)"),
        Target("MO-K5 SKL ratio", "C5-/- / wild type after G-CSF, SKL per uL", 0.0, 0.99,
               "1", "Lee 2009 Leukemia 23:2052", "lower (ratio < 1)"),
        Target("MO-K5 CFU-GM ratio", "C5-/- / wild type after G-CSF, CFU-GM per mL", 0.0,
               0.99, "1", "Lee 2009 Leukemia 23:2052", "lower (ratio < 1)"),
    ),
    readouts=_modifiers,
    figure_variables=("SKL_per_uL", "CFU_GM_per_mL", "marrow_HO1", "plasma_S1P"),
    predictions=(
        Prediction("WBC ratio, SnPP", "SnPP + G-CSF / G-CSF, WBC per uL", 1.0,
                   "HO-1 also brakes granulocyte chemotaxis and complement (C5a pulls "
                   "granulocytes out)"),
    ),
)

DONOR_MARROW_HSPC = tuple(f"{name}__donor"
                          for name in with_stages(("HSC_Q", "HSC_A", "MPP", "CMP", "CFU_GM")))
GRAFT_DAY = 1.0
"""Run day of the Adamiak homing/engraftment grafts (the day after irradiation)."""


def _donor_marrow_hspc(result: xr.Dataset, day: float) -> float:
    """Donor HSPCs in the marrow (1e6 cells; HSCs converted from cells)."""
    return sum(at_day(result, name, day) * (1e-6 if name.startswith("HSC") else 1.0)
               for name in DONOR_MARROW_HSPC)


def _adamiak(results: dict[str, xr.Dataset]) -> dict[str, float]:
    found = {}
    for arm, reference, day, key in (("iNOS-/- G-CSF", "wild type G-CSF", GCSF_SAMPLE_DAY,
                                      "G-CSF"),
                                     ("iNOS-/- AMD3100", "wild type AMD3100",
                                      AMD3100_SAMPLE_DAY, "AMD3100")):
        for variable, label in (("SKL_per_uL", "SKL"), ("CFU_GM_per_mL", "CFU-GM")):
            found[f"MO-K1 {key} {label} ratio"] = _ratio(results, arm, reference, variable,
                                                         day)
        found[f"{key} WBC ratio"] = _ratio(results, arm, reference, "WBC", day)
    lines = {label: results[f"cell line, {label}"] for label in ("control", "iNOS down",
                                                                  "iNOS up")}
    for label in ("iNOS down", "iNOS up"):
        for variable in ("HO1", "percent_migrated"):
            found[f"MO-K2 {label} {variable}"] = (
                float(trajectory(lines[label], variable)[1][-1])
                / float(trajectory(lines["control"], variable)[1][-1]))
    wild, knockout = results["homing, wild-type donor"], results["homing, iNOS-/- donor"]
    homed_wt = _donor_marrow_hspc(wild, GRAFT_DAY + 1.0)
    found["homing ratio"] = _donor_marrow_hspc(knockout, GRAFT_DAY + 1.0) / homed_wt
    found["engraftment day difference"] = (engraftment_day(knockout, "ANC", 0.5, GRAFT_DAY)
                                           - engraftment_day(wild, "ANC", 0.5, GRAFT_DAY))
    found["donor HSC day 28 ratio"] = (at_day(knockout, "chimerism_HSC__donor", 28.0)
                                       / at_day(wild, "chimerism_HSC__donor", 28.0))
    return found


def _k2(label: str, variable: str, higher: bool) -> Target:
    what = "HO-1" if variable == "HO1" else "fraction migrated toward SDF-1"
    lower, upper = (ABOVE_ONE, INF) if higher else (0.0, 0.99)
    return Target(f"MO-K2 {label} {variable}", f"cell line {label} / control, {what}", lower,
                  upper, "1", "Adamiak 2017 (abstract)", "higher (ratio > 1)" if higher
                  else "lower (ratio < 1)")


ADAMIAK_2017 = Experiment(
    name="adamiak2017",
    title="Adamiak 2017: iNOS as a negative regulator of HSPC trafficking (whole design)",
    description=(
        "iNOS down- and up-regulated hematopoietic cell lines in a 4-h transwell assay toward "
        "SDF-1 (HO-1 and migration); iNOS-/- vs wild-type mice mobilized with G-CSF "
        "(100 ug/kg/day x 6, blood 6 h after the last dose) and with AMD3100 (5 mg/kg, blood "
        "at 1 h): WBC, SKL and CFU-GM; homing (donor HSPCs in marrow 24 h after infusion) "
        "and engraftment of iNOS-/- vs wild-type marrow in lethally irradiated wild-type "
        "mice. Targets MO-K1 and MO-K2; homing and engraftment are model predictions "
        "(docs/experiments/adamiak2017.md)."),
    scenario_file="mouse-gcsf-mobilization.yaml",
    main_label="wild type G-CSF",
    arms=(("iNOS-/- G-CSF", "mouse-gcsf-mobilization-inos-knockout.yaml"),
          ("wild type AMD3100", "mouse-amd3100.yaml"),
          ("iNOS-/- AMD3100", "mouse-amd3100-inos-knockout.yaml"),
          ("cell line, control", "transwell-control.yaml"),
          ("cell line, iNOS down", "transwell-inos-down.yaml"),
          ("cell line, iNOS up", "transwell-inos-up.yaml"),
          ("homing, wild-type donor", "adamiak2017-homing-wt-donor.yaml"),
          ("homing, iNOS-/- donor", "adamiak2017-homing-inos-donor.yaml")),
    targets=(
        *(_higher(f"MO-K1 {drug} {label} ratio",
                  f"iNOS-/- / wild type after {drug}, {label} per "
                  f"{'uL' if label == 'SKL' else 'mL'}", ADAMIAK)
          for drug in ("G-CSF", "AMD3100") for label in ("SKL", "CFU-GM")),
        _k2("iNOS down", "HO1", False), _k2("iNOS down", "percent_migrated", True),
        _k2("iNOS up", "HO1", True), _k2("iNOS up", "percent_migrated", False),
    ),
    readouts=_adamiak,
    figure_variables=("SKL_per_uL", "CFU_GM_per_mL", "WBC", "marrow_HO1"),
    predictions=(
        Prediction("G-CSF WBC ratio", "iNOS-/- / wild type after G-CSF, WBC per uL", 1.0,
                   "HO-1 brakes granulocyte egress, but after 6 days of G-CSF blood "
                   "neutrophils are set by production, so the brake barely shows"),
        Prediction("AMD3100 WBC ratio", "iNOS-/- / wild type after AMD3100, WBC per uL", 1.0,
                   "one hour after AMD3100 the marrow reserve is released a little faster "
                   "without the HO-1 brake: a small rise"),
        Prediction("homing ratio", "iNOS-/- / wild-type donor HSPCs in marrow 24 h after "
                   "infusion", 1.0, "iNOS-/- HSPCs make less HO-1 and respond more to the "
                   "SDF-1 that irradiation induces, so they home faster; but 95 % of blood "
                   "HSPCs home anyway, so the fraction homed barely changes"),
        Prediction("engraftment day difference", "iNOS-/- minus wild-type donor: neutrophil "
                   "engraftment day (first of 3 days with ANC >= 0.5 x10^9/L), d", 0.0,
                   "engraftment is set by niche lodging and self-renewal, which the "
                   "iNOS/HO-1 pathway does not touch; negative means faster"),
        Prediction("donor HSC day 28 ratio", "iNOS-/- / wild-type donor share of marrow "
                   "HSCs on day 28", 1.0, "the recipient is fully ablated, so both grafts end "
                   "near 100 % donor"),
    ),
)
