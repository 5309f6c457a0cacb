"""A hematopoietic cell line in a transwell chemotaxis assay, with the iNOS -> NO -> HO-1 brake.

Cells are seeded in the upper chamber; the lower well holds SDF-1 and/or S1P. Cells cross the
membrane at a first-order rate and stay in the lower well, so the migrated fraction after an
assay of length T is ``1 - exp(-k T)`` (``k`` constant while HO-1 holds still):

    d(Upper)/dt = -k * Upper;   d(Lower)/dt = k * Upper;   Upper + Lower = 1
    k = basal_migration_rate + directed_migration_rate * responsiveness * attraction
    attraction     = cxcr4_expression * SDF-1 occupancy + s1p1_expression * S1P occupancy
    responsiveness = ho1_brake(HO1_protein): 1 at wild-type HO-1, > 1 below it, < 1 above it
    d(HO1_protein)/dt = ho1_turnover_rate * (ho1_induction(NO) - HO1_protein)
    NO = nitric_oxide(iNOS expression, no stimulation in vitro, nos_inhibition)

The relations (NO from iNOS, HO-1 induction by NO, HO-1 braking chemotaxis) are the very
expressions of the whole-animal model (``trafficking_relations``) with its parameter names
and values (``hematopoiesis/human.yaml``), so the in-vitro assay checks the same biology
(target MO-K2: Adamiak et al. 2017 up- and down-regulated iNOS in hematopoietic cell lines;
lower iNOS gave lower HO-1 and more migration, higher iNOS the opposite; Wysoczynski et al.
2015: HO-1 reduces chemotaxis toward SDF-1 and S1P).

HO-1 starts at its own steady state for the cells' iNOS expression (a stable knock-down or
over-expression line has had days to settle), so the whole assay runs at that HO-1 level.
Random migration (chemokinesis) is not braked by HO-1: the brake acts on the stimulated,
receptor-driven part only, as in the whole-animal model.

Not modelled: the bell shape of chemotaxis at very high chemokine concentrations, receptor
desensitisation and internalisation during the assay, gradient decay across the membrane,
cells returning to the upper chamber, cell death and division. The migration rates and
half-maximal concentrations are assumptions placing a typical assay (10-30 % of input toward
300 ng/mL SDF-1 in 3-4 h) in range; the directions of MO-K2 do not depend on them.
"""

from __future__ import annotations

from hemasim.model.declaration import Observable, Parameter, Process, Reference, Source, Species
from hemasim.model.declaration import assumed as _assumed
from hemasim.model.model import Model
from hemasim.models.hematopoiesis import parameter_set
from hemasim.models.hematopoiesis import references as _hematopoiesis_references
from hemasim.models.trafficking_relations import (
    ho1_brake,
    ho1_induction,
    nitric_oxide,
    occupancy,
)

SHARED_PARAMETERS = ("nos_constitutive_share", "ho1_no_independent_share", "ho1_turnover_rate",
                     "ho1_chemotaxis_damping")
"""Parameters of the pathway taken, with value, unit, meaning and source, from the
whole-animal model's human parameter file."""

ADAMIAK_2017: Reference = _hematopoiesis_references()["adamiak2017"]
WYSOCZYNSKI_2015: Reference = _hematopoiesis_references()["wysoczynski2015"]

NO_LEVEL = nitric_oxide("inos_expression", "1", "nos_inhibition")
"""NO production of the cells relative to wild-type rest (no iNOS stimulation in vitro)."""
HO1_STEADY = ho1_induction("1", NO_LEVEL)
"""HO-1 protein the cells settle at for their NO production (wild-type HO-1 gene dose)."""
SDF1_OCCUPANCY = occupancy("sdf1_concentration", "sdf1_half_maximal_concentration")
S1P_OCCUPANCY = occupancy("s1p_concentration", "s1p_half_maximal_concentration")


def _shared() -> tuple[Parameter, ...]:
    by_name = {parameter.name: parameter for parameter in parameter_set("human")}
    return tuple(by_name[name] for name in SHARED_PARAMETERS)


def _own_parameters() -> tuple[Parameter, ...]:
    return (
        Parameter("inos_expression", 1.0, "1", "iNOS expression of the cell line relative to "
                  "the wild-type (control-vector) line: 1 control, below 1 knock-down (shRNA), "
                  "above 1 over-expression",
                  Source(ADAMIAK_2017, "abstract: iNOS was up- and down-regulated in "
                         "hematopoietic cell lines",
                         note="the paper's fold changes were not retrieved; 1 is the control "
                              "line, the scenarios use 0.3 and 3"), (0.0, 100.0)),
        Parameter("nos_inhibition", 0.0, "1", "fraction of NOS activity blocked by an "
                  "inhibitor in the medium (an L-NMMA-like compound; 0 none, 1 complete)",
                  _assumed("no inhibitor unless the scenario adds one"), (0.0, 1.0)),
        Parameter("sdf1_concentration", 300.0, "ng/mL", "SDF-1 (CXCL12) in the lower well",
                  _assumed("SDF-1 300 ng/mL, the concentration Ratajczak-lab transwell assays "
                           "commonly use [recall, not read here]"), (0.0, 1e5)),
        Parameter("s1p_concentration", 0.0, "nmol/L", "sphingosine-1-phosphate in the lower "
                  "well", _assumed("SDF-1 alone (MO-K2 is migration toward SDF-1); S1P "
                                   "assays of the same lab use about 100 nM [recall]"),
                  (0.0, 1e5)),
        Parameter("sdf1_half_maximal_concentration", 50.0, "ng/mL", "SDF-1 concentration "
                  "giving half the maximal directed migration (occupancy, Hill 1)",
                  _assumed("CD34+ and HSPC-line chemotaxis toward SDF-1 rises over about "
                           "10-300 ng/mL (roughly 1-40 nM at 8 kDa) [recall]; the fall at "
                           "very high concentrations is not modelled"), (0.1, 1e4)),
        Parameter("s1p_half_maximal_concentration", 20.0, "nmol/L", "S1P concentration "
                  "giving half the maximal directed migration (occupancy, Hill 1)",
                  _assumed("HSPC chemotaxis toward S1P is seen at 10-1000 nM, S1P1 responds "
                           "in the low nM range [recall]"), (0.01, 1e4)),
        Parameter("basal_migration_rate", 0.005, "1/h", "rate of random migration "
                  "(chemokinesis) across the membrane without an attractant",
                  _assumed("about 2 % of input in the lower well after 4 h without "
                           "attractant, typical of transwell controls [recall]"), (0.0, 10.0)),
        Parameter("directed_migration_rate", 0.06, "1/h", "maximal rate of directed "
                  "migration toward one saturating attractant, at wild-type receptor "
                  "expression and HO-1",
                  _assumed("HSPC lines reach roughly 10-30 % of input toward 300 ng/mL SDF-1 "
                           "in 3-4 h [recall]; 0.06 /h gives 20 % in 4 h with the basal rate "
                           "and 50 ng/mL half-maximal SDF-1"), (0.0, 10.0)),
        Parameter("cxcr4_expression", 1.0, "1", "CXCR4 (SDF-1 receptor) expression relative "
                  "to the wild-type line", _assumed("wild type; scale for a receptor "
                                                    "knock-down or blockade"), (0.0, 100.0)),
        Parameter("s1p1_expression", 1.0, "1", "S1P1 (S1P receptor) expression relative to "
                  "the wild-type line", _assumed("wild type; scale for a receptor knock-down "
                                                 "or blockade"), (0.0, 100.0)),
    )


def _model() -> Model:
    species = (
        Species("Upper", "1", "upper chamber", "cells in the upper chamber, fraction of the "
                "seeded cells", 1.0),
        Species("Lower", "1", "lower well", "cells migrated to the lower well, fraction of the "
                "seeded cells", 0.0),
        Species("HO1_protein", "1", "cells", "HO-1 protein of the cells relative to the wild-type "
                "line at rest; starts at its steady state for the iNOS expression",
                HO1_STEADY),
    )
    observables = (
        Observable("nitric_oxide", NO_LEVEL, "1", "NO production relative to wild-type rest",
                   reported=False),
        Observable("responsiveness", ho1_brake("HO1_protein", "ho1_chemotaxis_damping"), "1",
                   "chemotactic responsiveness of the cells, 1 at wild-type HO-1 (HO-1 "
                   "brakes chemotaxis)", reported=False),
        Observable("attraction", f"cxcr4_expression * {SDF1_OCCUPANCY}"
                   f" + s1p1_expression * {S1P_OCCUPANCY}", "1",
                   "receptor-weighted occupancy by SDF-1 and S1P (0 without attractant)",
                   reported=False),
        Observable("migration_rate", "basal_migration_rate + directed_migration_rate * "
                   "responsiveness * attraction", "1/h", "rate at which cells in the upper "
                   "chamber cross to the lower well", reported=False),
        Observable("percent_migrated", "100 * Lower", "1", "cells in the lower well, % of "
                   "the seeded cells"),
        Observable("HO1", "100 * HO1_protein", "1", "HO-1 protein, % of the wild-type line"),
        Observable("NO", "100 * nitric_oxide", "1", "NO production, % of wild-type rest"),
    )
    processes = (
        Process("migration to the lower well", "migration_rate * Upper",
                {"Upper": -1, "Lower": 1}),
        Process("HO-1 synthesis induced by NO", f"ho1_turnover_rate * {HO1_STEADY}",
                {"HO1_protein": 1}),
        Process("HO-1 turnover", "ho1_turnover_rate * HO1_protein", {"HO1_protein": -1}),
    )
    return Model(
        name="transwell-chemotaxis",
        title="Transwell chemotaxis of a hematopoietic cell line with the iNOS-NO-HO-1 brake",
        description=__doc__ or "",
        references=(ADAMIAK_2017, WYSOCZYNSKI_2015),
        species=species,
        parameters=(*_own_parameters(), *_shared()),
        processes=processes,
        observables=observables,
        plot_variables=("percent_migrated", "HO1", "NO"),
    )


TRANSWELL_CHEMOTAXIS = _model()
