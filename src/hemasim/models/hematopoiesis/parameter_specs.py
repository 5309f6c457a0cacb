"""What each parameter of the integrated hematopoiesis model means, and its unit.

Values and sources live in the data files ``human.yaml`` and ``mouse.yaml`` beside this module:
one declaration, two parameter sets. A test checks that both files give every parameter
here, with a source, and nothing else.
"""

from __future__ import annotations

from hemasim.models.hematopoiesis.drugs import drug_parameter_specs
from hemasim.models.hematopoiesis.spec import FRACTION, ParameterSpec
from hemasim.models.hematopoiesis.structure import RADIATION_GROUPS
from hemasim.models.hematopoiesis.trafficking import TRAFFICKING_SPECS

PHYSIOLOGY_SPECS: tuple[ParameterSpec, ...] = (
    # body
    ParameterSpec("blood_volume", "L", "blood volume"),
    ParameterSpec("marrow_nucleated_cells", "1e9 cell", "nucleated cells in the whole marrow, "
                  "as measured (what a marrow graft dosed in nucleated cells is a sample of)"),
    # stem cells and niche
    ParameterSpec("hsc_total", "cell", "number of HSCs at steady state"),
    ParameterSpec("hsc_quiescent_fraction", "1", "fraction of HSCs quiescent (G0) in the niche "
                  "at steady state", FRACTION),
    ParameterSpec("hsc_activation_rate", "1/day", "rate at which a quiescent HSC leaves G0 "
                  "(enters cycle) at steady state"),
    ParameterSpec("hsc_mean_division_interval", "day", "mean time between divisions of an HSC, "
                  "averaged over all HSCs at steady state"),
    ParameterSpec("hsc_self_renewal_max", "1", "maximal probability that an HSC division is "
                  "self-renewing (no feedback inhibition)", FRACTION),
    ParameterSpec("hsc_density_weight", "1", "weight of the HSC pool itself (rest: the MPP "
                  "pool) in the signal that inhibits HSC self-renewal", FRACTION),
    ParameterSpec("niche_occupancy", "1", "fraction of HSC niches occupied at steady state",
                  (0.0, 0.9999)),
    ParameterSpec("hsc_egress_rate", "1/day", "fraction of cycling marrow HSCs entering the "
                  "blood per day"),
    ParameterSpec("progenitor_egress_rate", "1/day", "fraction of marrow MPPs, CMPs and "
                  "CFU-GM entering the blood per day"),
    ParameterSpec("blood_residence_time", "min", "mean time an HSPC spends in blood before it "
                  "homes or dies"),
    ParameterSpec("homing_fraction", "1", "probability that an HSPC leaving the blood homes "
                  "back to marrow (otherwise it is lost)", FRACTION),
    ParameterSpec("mpp_count", "1e6 cell", "ST-HSC/MPP cells in marrow at steady state"),
    ParameterSpec("mpp_residence_time", "day", "mean time an MPP lineage stays before its "
                  "progeny differentiate (MPP count / differentiating output)"),
    ParameterSpec("mpp_self_renewal_max", "1", "maximal self-renewal probability of an MPP "
                  "division", FRACTION),
    ParameterSpec("lymphoid_fraction", "1", "fraction of MPP progeny that become common "
                  "lymphoid progenitors at steady state", FRACTION),
    ParameterSpec("progenitor_density_feedback", "1", "gain of the density feedback on MPP "
                  "divisions: an emptied MPP pool divides (1 + gain)-fold faster"),
    # progenitor pools
    ParameterSpec("cmp_count", "1e6 cell", "common myeloid progenitors in marrow"),
    ParameterSpec("cmp_residence_time", "day", "mean residence time in the CMP pool"),
    ParameterSpec("erythroid_fraction", "1", "fraction of CMP output committed to BFU-E",
                  FRACTION),
    ParameterSpec("megakaryocyte_fraction", "1", "fraction of CMP output committed to "
                  "megakaryocyte progenitors", FRACTION),
    ParameterSpec("bfu_e_count", "1e6 cell", "BFU-E in marrow"),
    ParameterSpec("bfu_e_residence_time", "day", "mean residence time as BFU-E"),
    ParameterSpec("cfu_e_count", "1e6 cell", "CFU-E in marrow"),
    ParameterSpec("cfu_e_residence_time", "day", "mean residence time as CFU-E"),
    ParameterSpec("mkp_count", "1e6 cell", "megakaryocyte progenitors in marrow"),
    ParameterSpec("mkp_residence_time", "day", "mean residence time as megakaryocyte "
                  "progenitor"),
    ParameterSpec("cfu_gm_count", "1e6 cell", "granulocyte-monocyte progenitors (CFU-GM) in "
                  "marrow"),
    ParameterSpec("cfu_gm_residence_time", "day", "mean residence time as CFU-GM"),
    ParameterSpec("monocyte_fraction", "1", "fraction of CFU-GM output that becomes "
                  "monocytes", FRACTION),
    ParameterSpec("clp_count", "1e6 cell", "common lymphoid progenitors"),
    ParameterSpec("clp_residence_time", "day", "mean residence time as CLP"),
    ParameterSpec("b_fraction", "1", "fraction of CLP output to the B lineage", FRACTION),
    ParameterSpec("t_fraction", "1", "fraction of CLP output to the T lineage (thymus)",
                  FRACTION),
    # maturation and lifespans
    ParameterSpec("erythroblast_transit_time", "day", "proerythroblast to reticulocyte "
                  "maturation time"),
    ParameterSpec("reticulocyte_blood_time", "day", "time a reticulocyte circulates before "
                  "maturing to an erythrocyte"),
    ParameterSpec("rbc_lifespan", "day", "red-cell lifespan"),
    ParameterSpec("mean_cell_hemoglobin", "pg", "hemoglobin per red cell (MCH)"),
    ParameterSpec("megakaryocyte_maturation_time", "day", "megakaryocyte maturation time"),
    ParameterSpec("platelets_per_megakaryocyte", "1", "platelets shed per mature "
                  "megakaryocyte"),
    ParameterSpec("platelet_lifespan", "day", "mean platelet survival at the normal count "
                  "(labelled platelets: senescence and the fixed requirement together)"),
    ParameterSpec("platelet_fixed_requirement", "1e9/L/day", "platelets used per litre of "
                  "blood per day to keep the vessels intact, whatever the count (removed at "
                  "random, on top of senescence)"),
    ParameterSpec("platelet_requirement_half_count", "1e9/L", "platelet count at which the "
                  "fixed requirement is half met (it vanishes with the platelets)"),
    ParameterSpec("neutrophil_maturation_time", "day", "myeloblast to mature neutrophil "
                  "maturation time in marrow"),
    ParameterSpec("neutrophil_reserve_time", "day", "mean time a mature neutrophil waits in "
                  "the marrow reserve before release"),
    ParameterSpec("neutrophil_blood_lifetime", "h", "mean lifetime of a neutrophil in blood"),
    ParameterSpec("monocyte_blood_lifetime", "h", "mean lifetime of a monocyte in blood"),
    ParameterSpec("b_precursor_time", "day", "B-cell maturation time in marrow"),
    ParameterSpec("b_cell_lifespan", "day", "mean lifespan of a mature B cell"),
    ParameterSpec("b_newly_formed_share", "1", "newly formed (transitional) B cells, share "
                  "of the peripheral B cells at steady state; with the two lifetimes it must "
                  "feed the mature pool (derived b_maturing_fraction at most 1)", FRACTION),
    ParameterSpec("b_newly_formed_lifetime", "day", "mean time a newly formed B cell spends "
                  "before it dies or joins the mature pool"),
    ParameterSpec("b_blood_fraction", "1", "share of the body's peripheral B cells that is "
                  "in blood at any time (the rest is in spleen and lymph nodes)", FRACTION),
    ParameterSpec("t_blood_fraction", "1", "share of the body's T cells that is in blood "
                  "at any time: the share of a graft's infused T cells that stays in blood "
                  "once they have spread through the lymphoid organs", FRACTION),
    ParameterSpec("b_marrow_survival", "1", "share of B-cell precursors that survive to "
                  "leave the marrow as B cells", FRACTION),
    ParameterSpec("t_cell_lifespan", "day", "mean lifespan of a T cell"),
    ParameterSpec("nk_cell_lifespan", "day", "mean lifespan of an NK cell"),
    # steady-state blood counts
    ParameterSpec("anc_baseline", "1e9/L", "blood neutrophil count at steady state"),
    ParameterSpec("monocyte_baseline", "1e9/L", "blood monocyte count at steady state"),
    ParameterSpec("b_cell_baseline", "1e9/L", "blood B-cell count at steady state"),
    ParameterSpec("t_cell_baseline", "1e9/L", "blood T-cell count at steady state"),
    ParameterSpec("nk_cell_baseline", "1e9/L", "blood NK-cell count at steady state"),
    ParameterSpec("rbc_baseline", "1e12/L", "red-cell count at steady state"),
    ParameterSpec("platelet_baseline", "1e9/L", "platelet count at steady state"),
    # cytokines
    ParameterSpec("gcsf_baseline", "ng/mL", "serum G-CSF at steady state"),
    ParameterSpec("gcsf_elimination_rate", "1/h", "total G-CSF elimination rate constant at "
                  "steady state"),
    ParameterSpec("gcsf_receptor_clearance_fraction", "1", "share of G-CSF elimination "
                  "through neutrophil receptors at steady state", FRACTION),
    ParameterSpec("tpo_baseline", "pg/mL", "plasma thrombopoietin at steady state"),
    ParameterSpec("tpo_elimination_rate", "1/h", "total TPO elimination rate constant at "
                  "steady state"),
    ParameterSpec("tpo_receptor_clearance_fraction", "1", "share of TPO elimination through "
                  "c-Mpl on platelets and megakaryocytes", FRACTION),
    ParameterSpec("tpo_megakaryocyte_share", "1", "share of receptor-mediated TPO clearance "
                  "due to megakaryocytes (rest: platelets)", FRACTION),
    ParameterSpec("epo_baseline", "mIU/mL", "serum erythropoietin at steady state"),
    ParameterSpec("epo_elimination_rate", "1/h", "EPO elimination rate constant"),
    ParameterSpec("epo_hemoglobin_slope", "dL/g", "rise of ln(EPO production) per g/dL fall "
                  "in hemoglobin"),
    ParameterSpec("il6_baseline", "pg/mL", "serum IL-6 at steady state"),
    ParameterSpec("il6_elimination_rate", "1/h", "IL-6 elimination rate constant"),
    ParameterSpec("il6_marrow_injury_gain", "1", "IL-6 production with empty progenitor "
                  "pools is (1 + gain) times the steady-state production"),
    # responses: S = basal + (1 - basal) * receptor * x * max / (x + max - 1), x = level/baseline
    ParameterSpec("gcsf_independent_fraction", "1", "share of CFU-GM proliferative drive that "
                  "does not need G-CSF receptor signalling", FRACTION),
    ParameterSpec("gcsf_proliferation_max", "1", "maximal fold stimulation of CFU-GM "
                  "proliferation by G-CSF", (1.0, float("inf"))),
    ParameterSpec("gcsf_release_independent_fraction", "1", "share of neutrophil release from "
                  "the reserve that does not need G-CSF", FRACTION),
    ParameterSpec("gcsf_release_max", "1", "maximal fold increase of neutrophil release by "
                  "G-CSF", (1.0, float("inf"))),
    ParameterSpec("tpo_independent_fraction", "1", "share of megakaryocyte-progenitor "
                  "proliferative drive independent of c-Mpl", FRACTION),
    ParameterSpec("tpo_il6_gain", "1", "gain g of hepatic TPO production on IL-6: production "
                  "is the feedback response S with basal share 1 / (1 + g) (what IL-6-/- "
                  "keeps) and maximum tpo_il6_max"),
    ParameterSpec("tpo_il6_max", "1", "maximum of the IL-6 response of TPO production: it "
                  "rises to at most (1 + g M) / (1 + g)", (1.0, float("inf"))),
    ParameterSpec("tpo_proliferation_max", "1", "maximal fold stimulation of megakaryocyte "
                  "progenitors by TPO", (1.0, float("inf"))),
    ParameterSpec("tpo_quiescence_independent_fraction", "1", "share of HSC return to "
                  "quiescence independent of c-Mpl", FRACTION),
    ParameterSpec("epo_independent_fraction", "1", "share of CFU-E proliferation/survival "
                  "independent of EPO receptor signalling", FRACTION),
    ParameterSpec("epo_proliferation_max", "1", "maximal fold stimulation of CFU-E by EPO",
                  (1.0, float("inf"))),
    ParameterSpec("il6_independent_fraction", "1", "share of HSC activation, myeloid bias and "
                  "G-CSF-independent granulopoiesis not driven by IL-6", FRACTION),
    ParameterSpec("il6_activation_max", "1", "maximal fold increase of HSC activation by "
                  "IL-6", (1.0, float("inf"))),
    ParameterSpec("niche_vacancy_activation_gain", "1", "gain g of niche-vacancy activation: "
                  "activation scales with (1 + g * free fraction)"),
    ParameterSpec("il6_myeloid_max", "1", "maximal fold increase by IL-6 of the myeloid share "
                  "of MPP output and of G-CSF-independent granulopoiesis", (1.0, float("inf"))),
    # infection
    ParameterSpec("infection", "1", "infection intensity (0 healthy); raises neutrophil "
                  "consumption, G-CSF and IL-6", (0.0, 1e3)),
    ParameterSpec("infection_neutrophil_consumption", "1", "fold increase of blood neutrophil "
                  "loss per unit infection"),
    ParameterSpec("infection_gcsf_gain", "1", "fold increase of G-CSF production per unit "
                  "infection"),
    ParameterSpec("infection_il6_gain", "1", "fold increase of IL-6 production per unit "
                  "infection"),
)

INJURY_SPECS: tuple[ParameterSpec, ...] = (
    *(spec for group in RADIATION_GROUPS for spec in (
        ParameterSpec(f"{group}_radiation_alpha", "1/Gy", f"linear-quadratic alpha of {group}"
                      " populations: surviving fraction exp(-alpha D - beta D^2) per fraction"),
        ParameterSpec(f"{group}_radiation_beta", "1/Gy**2", f"linear-quadratic beta of {group}"
                      " populations"))),
    ParameterSpec("leukemic_blast_lifetime", "day", "mean time a leukemic blast (a myeloid "
                  "precursor that cannot mature) stays in the marrow before it dies"),
    ParameterSpec("blast_differentiation_block_gain", "1", "gain of the block that "
                  "maturation-blocked (leukemic) blasts put on the commitment of normal MPP "
                  "progeny: at a blast burden equal to the normal MPP, CMP and CFU-GM pools, "
                  "normal output is divided by 1 + gain"),
    ParameterSpec("immune_destruction_rate", "1/day", "rate at which autoreactive T cells "
                  "destroy HSCs and MPPs (aplastic anemia; 0 healthy)"),
    ParameterSpec("alloreactive_kill_rate", "1/day", "rate at which an allogeneic donor's T "
                  "cells, at the blood T-cell count of a healthy adult, kill stem and "
                  "progenitor cells carrying the recipient's antigens (graft-versus-leukemia)"),
)

PARAMETER_SPECS: tuple[ParameterSpec, ...] = (
    *PHYSIOLOGY_SPECS, *INJURY_SPECS, *TRAFFICKING_SPECS, *drug_parameter_specs())
"""Every declared parameter: physiology, injury (radiation, immune destruction), trafficking
and apheresis, drugs."""
