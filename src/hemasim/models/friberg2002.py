"""Friberg et al. 2002 semi-mechanistic model of chemotherapy-induced myelosuppression.

A proliferating pool (Prol) feeds three transit compartments (T1-T3) and the circulating
cells (Circ). The drug lowers proliferation linearly in its plasma concentration, and
circulating cells feed back on proliferation through (Circ0 / Circ)**gamma:

    dProl/dt = ktr * Prol * (1 - E) * (Circ0 / Circ)**gamma - ktr * Prol
    dT1/dt   = ktr * (Prol - T1);  dT2/dt = ktr * (T1 - T2);  dT3/dt = ktr * (T2 - T3)
    dCirc/dt = ktr * T3 - ktr * Circ,      ktr = 4 / MTT,  E = slope * C

Two parameter sets of the paper are provided as two models:

* ``friberg2002-docetaxel``: neutrophils (ANC) with docetaxel, three-compartment PK of
  Bruno et al. 1996;
* ``friberg2002-paclitaxel``: leukocytes (WBC) with paclitaxel, two-compartment PK of the
  DDMORE model DDMODEL00000186.

References:
    Friberg LE et al. J Clin Oncol 2002;20:4713-4721.
    Bruno R et al. J Pharmacokinet Biopharm 1996;24:153-172.
"""

from __future__ import annotations

import math

from hemasim.model.declaration import (
    DosingTarget,
    Observable,
    Parameter,
    Process,
    Reference,
    Source,
    Species,
    Threshold,
    Variability,
    assumed,
)
from hemasim.model.model import Model
from hemasim.models.clinical import CTCAE_5

FRIBERG_2002 = Reference(
    "friberg2002",
    "Friberg LE, Henningsson A, Maas H, Nguyen L, Karlsson MO. Model of chemotherapy-induced "
    "myelosuppression with parameter consistency across drugs. J Clin Oncol. "
    "2002;20(24):4713-4721",
    "10.1200/JCO.2002.02.140",
)
BRUNO_1996 = Reference(
    "bruno1996",
    "Bruno R, Vivier N, Vergniol JC, De Phillips SL, Montay G, Sheiner LB. A population "
    "pharmacokinetic model for docetaxel (Taxotere): model building and validation. "
    "J Pharmacokinet Biopharm. 1996;24(2):153-172",
    "10.1007/BF02353487",
)
DDMORE_186 = Reference(
    "ddmodel00000186",
    "DDMORE Foundation Model Repository, DDMODEL00000186: Friberg 2002 paclitaxel "
    "myelosuppression model (leukocytes), as encoded in nlmixr2lib "
    "inst/modeldb/ddmore/Friberg_2002_paclitaxel.R",
)

DOCETAXEL_LABEL = Reference(
    "taxotere-label",
    "TAXOTERE (docetaxel) injection concentrate, prescribing information, sanofi-aventis; "
    "section 2 (Dosage and Administration): treat only when neutrophils are >= 1500 cells/mm3",
)
_MYELO = "radivot/myelo inst/doc/fribergPars02.R"
_DDMORE = "nlmixr2lib Friberg_2002_paclitaxel.R"


def _chain(cell: str) -> tuple[tuple[Species, ...], tuple[Process, ...]]:
    """The proliferation -> transit -> circulation chain, all starting at Circ0."""
    species = (
        Species("Prol", "1e9/L", "bone marrow", f"proliferating {cell} progenitors", "Circ0"),
        Species("T1", "1e9/L", "bone marrow", "maturing cells, first transit compartment",
                "Circ0"),
        Species("T2", "1e9/L", "bone marrow", "maturing cells, second transit compartment",
                "Circ0"),
        Species("T3", "1e9/L", "bone marrow", "maturing cells, third transit compartment",
                "Circ0"),
        Species("Circ", "1e9/L", "blood", f"circulating {cell}", "Circ0"),
    )
    processes = (
        Process("proliferation under drug effect and feedback",
                "(4 / MTT) * Prol * (1 - drug_effect) * (Circ0 / Circ)**gamma", {"Prol": 1}),
        Process("maturation Prol -> T1", "(4 / MTT) * Prol", {"Prol": -1, "T1": 1}),
        Process("maturation T1 -> T2", "(4 / MTT) * T1", {"T1": -1, "T2": 1}),
        Process("maturation T2 -> T3", "(4 / MTT) * T2", {"T2": -1, "T3": 1}),
        Process("release T3 -> blood", "(4 / MTT) * T3", {"T3": -1, "Circ": 1}),
        Process("elimination from blood", "(4 / MTT) * Circ", {"Circ": -1}),
    )
    return species, processes


def _docetaxel_model() -> Model:
    chain_species, chain_processes = _chain("neutrophils")
    bruno = Source(BRUNO_1996, "population PK model", note=f"values as used in {_MYELO}")
    table = Source(FRIBERG_2002, "docetaxel ANC, linear drug model",
                   note=f"values as re-implemented in {_MYELO}")
    species = (
        Species("A_central", "mg", "central", "docetaxel in the central compartment"),
        Species("A_peripheral1", "mg", "peripheral", "docetaxel, first peripheral compartment"),
        Species("A_peripheral2", "mg", "peripheral", "docetaxel, second (deep) peripheral "
                "compartment"),
        *chain_species,
    )
    parameters = (
        Parameter("Circ0", 5.05, "1e9/L", "baseline absolute neutrophil count", table,
                  (0.5, 20.0)),
        Parameter("MTT", 88.7, "h", "mean transit time from Prol to Circ", table, (24, 400)),
        Parameter("gamma", 0.161, "1", "feedback exponent on (Circ0/Circ)", table, (0, 1)),
        Parameter("slope", 8.58, "L/umol", "linear drug effect per unit plasma concentration",
                  table, (0, 1000)),
        Parameter("V1", 7.4, "L", "central volume of distribution", Source(
            BRUNO_1996, "population PK model", note="CL 38.5 L/h / k10 5.2 /h"), (1, 100)),
        Parameter("k10", 5.2, "1/h", "elimination rate constant from the central compartment",
                  bruno, (0, 100)),
        Parameter("k12", 1.06, "1/h", "rate constant central -> peripheral 1", bruno, (0, 100)),
        Parameter("k21", 1.51, "1/h", "rate constant peripheral 1 -> central", bruno, (0, 100)),
        Parameter("k13", 1.26, "1/h", "rate constant central -> peripheral 2", bruno, (0, 100)),
        Parameter("k31", 0.084, "1/h", "rate constant peripheral 2 -> central", bruno, (0, 100)),
        Parameter("molar_mass", 0.808, "mg/umol", "docetaxel molar mass (807.9 g/mol)",
                  Source(BRUNO_1996, note=f"MW 0.808 mg/umol as in {_MYELO}"), (0.1, 10)),
    )
    processes = (
        Process("elimination", "k10 * A_central", {"A_central": -1}),
        Process("distribution to peripheral 1", "k12 * A_central",
                {"A_central": -1, "A_peripheral1": 1}),
        Process("return from peripheral 1", "k21 * A_peripheral1",
                {"A_peripheral1": -1, "A_central": 1}),
        Process("distribution to peripheral 2", "k13 * A_central",
                {"A_central": -1, "A_peripheral2": 1}),
        Process("return from peripheral 2", "k31 * A_peripheral2",
                {"A_peripheral2": -1, "A_central": 1}),
        *chain_processes,
    )
    observables = (
        Observable("C_docetaxel", "A_central / (V1 * molar_mass)", "umol/L",
                   "docetaxel plasma concentration"),
        Observable("drug_effect", "slope * C_docetaxel", "1",
                   "fractional inhibition of proliferation by docetaxel"),
        Observable("ANC", "Circ", "1e9/L", "absolute neutrophil count"),
        Observable("ANC_per_uL", "Circ", "cells/uL", "absolute neutrophil count per microlitre"),
    )
    table4 = Source(FRIBERG_2002, "Table 4, docetaxel row",
                    note="IIV as quoted by the DTAT package vignette (sd of log: Circ0 0.42, "
                         "MTT 0.16)")
    variability = (
        Variability("Circ0", 0.42, table4),
        Variability("MTT", 0.16, table4),
        Variability("slope", math.sqrt(0.176), assumed(
            "docetaxel slope IIV not retrieved; the paclitaxel slope variance of the same "
            "paper (0.176 on the log scale, DDMODEL00000186) is used")),
    )
    return Model(
        name="friberg2002-docetaxel",
        title="Friberg 2002 myelosuppression model, docetaxel and neutrophils",
        description=__doc__ or "",
        references=(FRIBERG_2002, BRUNO_1996),
        species=species,
        parameters=parameters,
        processes=processes,
        observables=observables,
        variability=variability,
        dosing=(DosingTarget("docetaxel", "iv", "A_central",
                             "intravenous docetaxel into the central compartment"),),
        plot_variables=("ANC", "C_docetaxel"),
        thresholds=(
            Threshold("ANC", 0.5, "grade 4 neutropenia", "below",
                      Source(CTCAE_5, "Neutrophil count decreased, grade 4: < 500/mm3")),
            Threshold("ANC", 1.0, "grade 3 neutropenia", "below",
                      Source(CTCAE_5, "Neutrophil count decreased, grade 3: < 1000/mm3")),
            Threshold("ANC", 1.5, "fit for the next cycle", "above",
                      Source(DOCETAXEL_LABEL, "section 2")),
        ),
    )


def _paclitaxel_model() -> Model:
    chain_species, chain_processes = _chain("leukocytes")
    table = Source(DDMORE_186, "structural parameters", note=f"as encoded in {_DDMORE}")
    pk = Source(DDMORE_186, "PK data columns", note=(
        "median of the per-subject empirical-Bayes PK estimates (CL 285 L/h, V1 290 L, "
        f"V2 995 L) and fixed Q 204 L/h, {_DDMORE}"))
    species = (
        Species("A_central", "mg", "central", "paclitaxel in the central compartment"),
        Species("A_peripheral", "mg", "peripheral", "paclitaxel in the peripheral compartment"),
        *chain_species,
    )
    parameters = (
        Parameter("Circ0", 7.21, "1e9/L", "baseline white blood cell count", table, (0.5, 30)),
        Parameter("MTT", 124.0, "h", "mean transit time from Prol to Circ", table, (24, 400)),
        Parameter("gamma", 0.239, "1", "feedback exponent on (Circ0/Circ)", table, (0, 1)),
        Parameter("slope", 28.9, "L/umol", "linear drug effect per unit plasma concentration",
                  table, (0, 1000)),
        Parameter("CL", 285.0, "L/h", "paclitaxel clearance", pk, (1, 2000)),
        Parameter("V1", 290.0, "L", "central volume of distribution", pk, (1, 5000)),
        Parameter("V2", 995.0, "L", "peripheral volume of distribution", pk, (1, 10000)),
        Parameter("Q", 204.0, "L/h", "inter-compartmental clearance", pk, (1, 2000)),
        Parameter("molar_mass", 0.8539, "mg/umol", "paclitaxel molar mass (853.9 g/mol)",
                  Source(DDMORE_186, note="MW 853.9 g/mol quoted in " + _DDMORE), (0.1, 10)),
    )
    processes = (
        Process("elimination", "CL / V1 * A_central", {"A_central": -1}),
        Process("distribution", "Q / V1 * A_central", {"A_central": -1, "A_peripheral": 1}),
        Process("return", "Q / V2 * A_peripheral", {"A_peripheral": -1, "A_central": 1}),
        *chain_processes,
    )
    observables = (
        Observable("C_paclitaxel", "A_central / (V1 * molar_mass)", "umol/L",
                   "paclitaxel plasma concentration"),
        Observable("drug_effect", "slope * C_paclitaxel", "1",
                   "fractional inhibition of proliferation by paclitaxel"),
        Observable("WBC", "Circ", "1e9/L", "white blood cell count"),
    )
    omega = Source(DDMORE_186, "$OMEGA (variances on the log scale)", note=_DDMORE)
    variability = (
        Variability("Circ0", math.sqrt(0.107), omega),
        Variability("MTT", math.sqrt(0.0296), omega),
        Variability("slope", math.sqrt(0.176), omega),
    )
    return Model(
        name="friberg2002-paclitaxel",
        title="Friberg 2002 myelosuppression model, paclitaxel and leukocytes",
        description=__doc__ or "",
        references=(FRIBERG_2002, DDMORE_186),
        species=species,
        parameters=parameters,
        processes=processes,
        observables=observables,
        variability=variability,
        dosing=(DosingTarget("paclitaxel", "iv", "A_central",
                             "intravenous paclitaxel into the central compartment"),),
        plot_variables=("WBC", "C_paclitaxel"),
        thresholds=(
            Threshold("WBC", 1.0, "grade 4 leukopenia", "below",
                      Source(CTCAE_5, "White blood cell decreased, grade 4: < 1000/mm3")),
            Threshold("WBC", 2.0, "grade 3 leukopenia", "below",
                      Source(CTCAE_5, "White blood cell decreased, grade 3: < 2000/mm3")),
        ),
    )


FRIBERG2002_DOCETAXEL = _docetaxel_model()
FRIBERG2002_PACLITAXEL = _paclitaxel_model()
