"""Built-in experiments of marrow failure and stress: IL-6 after irradiation (target IL-2),
aplastic anemia treated by transplant, and a leukemic clone treated by transplant.

The aplastic-anemia and leukemia experiments have no numeric target in
``shared/validation/targets.md``; their references are clinical definitions (Camitta
criteria of severe aplastic anemia, the WHO blast threshold of acute leukemia) and the
engraftment and chimerism ranges of marrow and blood grafts.
"""

from __future__ import annotations

import math

import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.readouts import (
    at_day,
    baseline,
    engraftment_day,
    first_day_at_or_above,
    low,
)
from hemasim.experiments.target import Target

INF = math.inf
CAMITTA = ("Camitta 1976 criteria of severe aplastic anemia (neutrophils < 0.5, platelets "
           "< 20, reticulocytes < 20 x10^9/L)")
CHAMPLIN_BM = "Champlin 2000 Blood 95:3702, marrow arm (median ANC day 19, platelets day 25)"
WHO_AML = "WHO classification: acute myeloid leukemia at >= 20 % blasts in marrow"


def _il6_after_irradiation(results: dict[str, xr.Dataset]) -> dict[str, float]:
    found = {}
    for label, result in results.items():
        anc0 = baseline(result, "ANC")
        platelets0 = baseline(result, "platelets")
        _, anc_day = low(result, "ANC", before=20.0)
        _, platelet_day = low(result, "platelets", before=20.0)
        found[label] = (first_day_at_or_above(result, "ANC", 0.8 * anc0, anc_day),
                        first_day_at_or_above(result, "platelets", 0.8 * platelets0,
                                              platelet_day))
    return {
        "IL-2 ANC recovery, days saved by IL-6": found["no IL-6"][0] - found["IL-6"][0],
        "IL-2 platelet recovery, days saved by IL-6": found["no IL-6"][1] - found["IL-6"][1],
    }


IL6_AFTER_IRRADIATION = Experiment(
    name="il6-after-irradiation",
    title="Mouse, 5 Gy irradiation with and without IL-6: recovery of neutrophils and platelets",
    description=(
        "Sublethal total-body irradiation (5 Gy), then recombinant IL-6 daily on days 1-10 "
        "or nothing. Recovery is the first day back at 80 % of baseline after the nadir. "
        "Target IL-2."),
    scenario_file="mouse-irradiation.yaml",
    main_label="no IL-6",
    arms=(("IL-6", "mouse-irradiation-il6.yaml"),),
    targets=(
        Target("IL-2 ANC recovery, days saved by IL-6", "neutrophil recovery (80 % of "
               "baseline) without minus with IL-6", 0.25, INF, "d",
               "Patchen 1991 Blood 77:472 (IL-6 speeds recovery after radiation)", "faster"),
        Target("IL-2 platelet recovery, days saved by IL-6", "platelet recovery (80 % of "
               "baseline) without minus with IL-6", 0.25, INF, "d",
               "Patchen 1991 Blood 77:472 (multilineage recovery)", "faster"),
    ),
    readouts=_il6_after_irradiation,
    figure_variables=("ANC", "platelets", "IL6", "HSC_cycling_percent"),
)

APLASTIC_GRAFT_DAY = 65.0


def _aplastic_anemia(result: xr.Dataset) -> dict[str, float]:
    return {
        "AA neutrophils day 60": at_day(result, "ANC", 60.0),
        "AA platelets day 60": at_day(result, "platelets", 60.0),
        "AA reticulocytes day 60": at_day(result, "reticulocytes", 60.0),
        "AA neutrophil engraftment": engraftment_day(result, "ANC", 0.5,
                                                     after=APLASTIC_GRAFT_DAY)
        - APLASTIC_GRAFT_DAY,
        "AA donor neutrophils day 100": at_day(result, "chimerism_neutrophils__donor",
                                               APLASTIC_GRAFT_DAY + 100),
    }


APLASTIC_ANEMIA = Experiment(
    name="aplastic-anemia-transplant",
    title="Immune aplastic anemia, then ATG/cyclophosphamide and a marrow graft",
    description=(
        "Autoreactive destruction of HSCs and MPPs empties the marrow into severe aplastic "
        "anemia; antithymocyte globulin stops the attack, cyclophosphamide conditions and a "
        "sibling marrow graft (3 x10^8 nucleated cells/kg) repopulates."),
    scenario_file="aplastic-anemia-transplant.yaml",
    targets=(
        Target("AA neutrophils day 60", "ANC before treatment (10^9/L)", 0.0, 0.5, "1e9/L",
               CAMITTA, "< 0.5"),
        Target("AA platelets day 60", "platelets before treatment (10^9/L)", 0.0, 20.0,
               "1e9/L", CAMITTA, "< 20"),
        Target("AA reticulocytes day 60", "reticulocytes before treatment (10^9/L)", 0.0,
               20.0, "1e9/L", CAMITTA, "< 20"),
        Target("AA neutrophil engraftment", "day after the graft: first of 3 days with ANC "
               ">= 0.5 x10^9/L", 14.0, 28.0, "d", CHAMPLIN_BM, "day 14-28 (median 19)"),
        Target("AA donor neutrophils day 100", "donor share of blood neutrophils 100 days "
               "after the graft, %", 90.0, 100.0, "%", "clinical practice", "> 90 %"),
    ),
    readouts=_aplastic_anemia,
    figure_variables=("ANC", "platelets", "reticulocytes", "HSC_number",
                      "chimerism_neutrophils__donor"),
)

LEUKEMIA_CONDITIONING_DAY = 600.0
LEUKEMIA_GRAFT_DAY = 607.0


def _clone_share_after_graft(result: xr.Dataset) -> float:
    return at_day(result, "chimerism_marrow_progenitors__clone", LEUKEMIA_GRAFT_DAY + 150)


def _leukemia(results: dict[str, xr.Dataset]) -> dict[str, float]:
    result = results[SIBLING_GRAFT]
    day = LEUKEMIA_CONDITIONING_DAY - 1
    return {
        "leukemic share of marrow progenitors before treatment": at_day(
            result, "chimerism_marrow_progenitors__clone", day),
        "marrow blasts before treatment": at_day(result, "leukemic_blast_percent", day),
        "ANC before treatment": at_day(result, "ANC", day),
        "platelets before treatment": at_day(result, "platelets", day),
        "leukemic share of marrow progenitors 150 days after graft":
            _clone_share_after_graft(result),
        "marrow blasts 150 days after graft": at_day(
            result, "leukemic_blast_percent", LEUKEMIA_GRAFT_DAY + 150),
        "donor neutrophils 150 days after graft": at_day(
            result, "chimerism_neutrophils__donor", LEUKEMIA_GRAFT_DAY + 150),
        "graft-versus-leukemia: twin / sibling leukemic share":
            _clone_share_after_graft(results[TWIN_GRAFT]) / _clone_share_after_graft(result),
    }


SIBLING_GRAFT = "HLA-identical sibling graft"
TWIN_GRAFT = "identical-twin graft"
HOROWITZ = ("Horowitz 1990 Blood 75:555 (IBMTR: leukemia relapses more often after "
            "identical-twin than after HLA-identical sibling grafts: graft-versus-leukemia)")


LEUKEMIA = Experiment(
    name="leukemia",
    title="A leukemic clone out-competes normal hematopoiesis; conditioning and a graft",
    description=(
        "A clone with a self-renewal, proliferation and niche advantage and a maturation "
        "block expands from 0.1 % and suppresses normal output; busulfan-cyclophosphamide "
        "and an allogeneic mobilized blood graft, whose T cells attack cells carrying the "
        "recipient's antigens, replace it with donor hematopoiesis."),
    scenario_file="leukemia.yaml",
    main_label=SIBLING_GRAFT,
    arms=((TWIN_GRAFT, "leukemia-twin-graft.yaml"),),
    targets=(
        Target("leukemic share of marrow progenitors before treatment", "clone share of "
               "marrow MPP, CMP and CFU-GM on day 599, %", 20.0, 100.0, "%", WHO_AML,
               ">= 20 % (blasts)"),
        Target("marrow blasts before treatment", "leukemic blasts, % of nucleated marrow "
               "cells on day 599", 20.0, 100.0, "%", WHO_AML, ">= 20 %"),
        Target("ANC before treatment", "ANC on day 599 (10^9/L)", 0.0, 1.8, "1e9/L",
               "clinical reference range lower limit 1.8 (suppressed normal output)",
               "below normal"),
        Target("platelets before treatment", "platelets on day 599 (10^9/L)", 0.0, 150.0,
               "1e9/L", "clinical reference range lower limit 150", "below normal"),
        Target("leukemic share of marrow progenitors 150 days after graft", "clone share of "
               "marrow progenitors 150 days after the graft, %", 0.0, 5.0, "%",
               "complete remission: < 5 % blasts (ELN 2017)", "< 5 %"),
        Target("marrow blasts 150 days after graft", "leukemic blasts, % of nucleated "
               "marrow cells 150 days after the graft", 0.0, 5.0, "%",
               "complete remission: < 5 % blasts (ELN 2017)", "< 5 %"),
        Target("donor neutrophils 150 days after graft", "donor share of blood neutrophils "
               "150 days after the graft, %", 90.0, 100.0, "%", "clinical practice", "> 90 %"),
        Target("graft-versus-leukemia: twin / sibling leukemic share", "clone share of marrow "
               "progenitors 150 days after an identical-twin graft / after a sibling graft",
               1.01, INF, "1", HOROWITZ, "higher (ratio > 1)"),
    ),
    readouts=_leukemia,
    figure_variables=("ANC", "platelets", "leukemic_blast_percent",
                      "chimerism_marrow_progenitors__clone", "chimerism_neutrophils__donor"),
)
