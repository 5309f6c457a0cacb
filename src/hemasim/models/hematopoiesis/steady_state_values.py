"""The steady state of the host, as derived quantities of the parameters.

The model is parametrised by what is measured (blood counts, pool sizes, residence times,
lifespans, division intervals), as Friberg's model is by ``Circ0``. Each balance below turns
those into the rate constants and amplifications that hold the wild-type animal exactly at
that steady state; the dynamics (feedback gains, receptors, cytokines) then decide how it
responds when pushed away. Root finding (``hemasim.analysis.steady_state``) confirms the
state and finds the new one for knockouts and other genotypes.

Each entry: (name, expression, unit, meaning), and, where the balance can be infeasible, the
(low, high) range the value must lie in.
"""

from __future__ import annotations

from hemasim.models.hematopoiesis.populations import (
    MARROW_POOLS,
    stages_of,
    steady_state_nucleated_cells,
)


def _stage_balance(name: str, pool: str) -> tuple[tuple[str, str, str, str], ...]:
    """Steady state of a staged progenitor pool (``populations.STAGED_POOLS``).

    Cells pass the ``K`` stages at rate ``r = K / residence_time`` each and leave every stage
    for the blood at ``progenitor_egress_rate`` (``e``); those homing back enter the first
    stage. Each stage holds ``q = r / (r + e)`` times the one before it."""
    k = len(stages_of(name))
    rate, ratio = f"{pool}_stage_rate", f"{pool}_stage_ratio"
    powers = [" * ".join([ratio] * j) or "1" for j in range(k)]
    rows = [
        (rate, f"{k} / {pool}_residence_time", "1/day",
         f"rate at which a {pool} cell passes each of its {k} division stages"),
        (ratio, f"{rate} / ({rate} + progenitor_egress_rate)", "1",
         "steady-state size of each stage relative to the one before it"),
        (f"{pool}_stage_sum", " + ".join(powers), "1", "sum of the relative stage sizes"),
    ]
    rows += [(f"{pool}_count_stage{j + 1}", f"{pool}_count * {power} / {pool}_stage_sum",
              "1e6 cell", f"{pool} cells in division stage {j + 1} at steady state")
             for j, power in enumerate(powers)]
    return tuple(rows)


def _entry_amplification(pool: str, influx: str) -> str:
    """Cells made per cell entering a staged pool: the first stage's inflow replaces what it
    passes on and sends to blood, less the cells homing back."""
    return (f"(({pool}_stage_rate + progenitor_egress_rate) / {pool}_stage_sum"
            f" - homing_fraction * progenitor_egress_rate) * {pool}_count / ({influx})")


DERIVED: tuple[tuple, ...] = (
    ("blood_exit_rate", "1 / blood_residence_time", "1/day",
     "rate at which an HSPC leaves the blood (homing or death)"),
    ("blood_loss_fraction", "1 - homing_fraction", "1",
     "probability that an HSPC leaving the blood dies there"),
    ("hsc_quiescent0", "hsc_total * hsc_quiescent_fraction", "cell",
     "quiescent niche HSCs at steady state"),
    ("hsc_active0", "hsc_total * (1 - hsc_quiescent_fraction)", "cell",
     "cycling HSCs at steady state"),
    ("niche_capacity", "hsc_quiescent0 / niche_occupancy", "cell", "number of HSC niches"),
    ("hsc_division_rate", "1 / (hsc_mean_division_interval * (1 - hsc_quiescent_fraction))",
     "1/day", "division rate of a cycling HSC (mean interval over all HSCs is the parameter)"),
    ("niche_free0", "0.01 * log(1 + exp((1 - niche_occupancy) / 0.01))", "1",
     "free-niche fraction at steady state (1 - occupancy, with the model's smooth floor)"),
    ("hsc_return_rate",
     "hsc_activation_rate * hsc_quiescent0 / (niche_free0 * hsc_active0)", "1/day",
     "rate of return to quiescence per free-niche fraction (balances activation)"),
    ("hsc_self_renewal0",
     "(1 + hsc_egress_rate * blood_loss_fraction / hsc_division_rate) / 2", "1",
     "self-renewal probability at steady state: replaces the divisions and the cells lost "
     "in blood"),
    ("hsc_feedback_gain", "hsc_self_renewal_max / hsc_self_renewal0 - 1", "1",
     "gain k of the self-renewal signal 1/(1 + k MPP/MPP0) (Marciniak-Czochra 2009)"),
    ("hsc_blood0", "hsc_egress_rate * hsc_active0 / blood_exit_rate", "cell",
     "HSCs in blood at steady state"),
    ("hsc_output0", "(hsc_division_rate - hsc_egress_rate * blood_loss_fraction) * hsc_active0",
     "cell/day", "MPPs made per day by differentiating HSC divisions"),
    ("mpp_division_rate",
     "1 / mpp_residence_time + progenitor_egress_rate * blood_loss_fraction"
     " - hsc_output0 / mpp_count", "1/day", "division rate of an MPP"),
    ("mpp_self_renewal0", "1 - 1 / (2 * mpp_division_rate * mpp_residence_time)", "1",
     "MPP self-renewal probability at steady state"),
    ("mpp_feedback_gain", "mpp_self_renewal_max / mpp_self_renewal0 - 1", "1",
     "gain of the MPP self-renewal signal"),
    ("mpp_blood0", "progenitor_egress_rate * mpp_count / blood_exit_rate", "1e6 cell",
     "MPPs in blood at steady state"),
    ("mpp_output0", "mpp_count / mpp_residence_time", "1e6 cell/day",
     "differentiating MPP progeny per day"),
    ("cmp_influx0", "(1 - lymphoid_fraction) * mpp_output0", "1e6 cell/day", "MPP -> CMP flux"),
    *_stage_balance("CMP", "cmp"),
    ("cmp_amplification", _entry_amplification("cmp", "cmp_influx0"), "1",
     "CMPs made per MPP progeny entering (transit amplification)"),
    ("cmp_blood0", "progenitor_egress_rate * cmp_count / blood_exit_rate", "1e6 cell",
     "CMPs in blood"),
    ("cmp_output0", f"cmp_stage_rate * cmp_count_stage{len(stages_of('CMP'))}", "1e6 cell/day",
     "CMP differentiation flux (out of the last stage)"),
    ("bfu_e_amplification",
     "bfu_e_count / (bfu_e_residence_time * erythroid_fraction * cmp_output0)", "1",
     "BFU-E made per CMP committing to the erythroid line"),
    ("bfu_e_output0", "bfu_e_count / bfu_e_residence_time", "1e6 cell/day", "BFU-E -> CFU-E"),
    ("cfu_e_amplification", "cfu_e_count / (cfu_e_residence_time * bfu_e_output0)", "1",
     "CFU-E made per BFU-E maturing"),
    ("cfu_e_output0", "cfu_e_count / cfu_e_residence_time", "1e6 cell/day",
     "CFU-E leaving to erythroblasts"),
    ("rbc0", "rbc_baseline * blood_volume", "1e9 cell", "red cells in blood"),
    ("rbc_production0", "rbc0 / rbc_lifespan", "1e9 cell/day", "red cells made per day"),
    ("reticulocytes0", "rbc_production0 * reticulocyte_blood_time", "1e9 cell",
     "reticulocytes in blood"),
    ("erythroblasts0", "rbc_production0 * erythroblast_transit_time / 3", "1e9 cell",
     "erythroblasts in each of the three maturation stages"),
    ("erythroblast_amplification", "rbc_production0 / cfu_e_output0", "1",
     "reticulocytes made per CFU-E leaving (terminal divisions)"),
    ("erythroblast_stage_growth", "erythroblast_amplification**(1/3)", "1",
     "growth of an erythroblast cohort in each of the three maturation stages (terminal "
     "divisions spread evenly over the transit)"),
    *(((f"erythroblast_cells_per_output_stage{k}",
        f"(erythroblast_stage_growth - 1) / (log(erythroblast_stage_growth)"
        f" * erythroblast_stage_growth**{4 - k})", "1",
        f"nucleated erythroblasts present in stage {k} per reticulocyte they will make "
        f"(mean size of a growing cohort over the stage)")) for k in (1, 2, 3)),
    ("hemoglobin0", "rbc_baseline * mean_cell_hemoglobin", "g/dL", "hemoglobin"),
    ("mkp_amplification",
     "mkp_count / (mkp_residence_time * megakaryocyte_fraction * cmp_output0)", "1",
     "megakaryocyte progenitors made per CMP committing to the megakaryocytic line"),
    ("mkp_output0", "mkp_count / mkp_residence_time", "1e6 cell/day", "MkP differentiation"),
    ("platelets0", "platelet_baseline * blood_volume", "1e9 cell", "platelets in blood"),
    ("platelet_production0", "platelets0 / platelet_lifespan", "1e9 cell/day",
     "platelets made per day"),
    ("platelet_senescence_time",
     "1 / (1 / platelet_lifespan - platelet_fixed_requirement"
     " / (platelet_baseline + platelet_requirement_half_count))", "day",
     "mean platelet life span without the fixed requirement (Hanson 1985: the survival "
     "measured at the normal count is shortened by it)"),
    ("megakaryocyte_flux0", "platelet_production0 / platelets_per_megakaryocyte",
     "1e9 cell/day", "megakaryocytes maturing per day"),
    ("megakaryocyte_amplification", "megakaryocyte_flux0 / mkp_output0", "1",
     "megakaryocytes per MkP leaving"),
    ("megakaryocytes0", "megakaryocyte_flux0 * megakaryocyte_maturation_time / 3",
     "1e9 cell", "megakaryocytes per maturation stage"),
    *_stage_balance("CFU_GM", "cfu_gm"),
    ("cfu_gm_amplification",
     _entry_amplification("cfu_gm", "(1 - erythroid_fraction - megakaryocyte_fraction)"
                                    " * cmp_output0"), "1",
     "CFU-GM made per CMP committing to the granulocyte-monocyte line"),
    ("cfu_gm_blood0", "progenitor_egress_rate * cfu_gm_count / blood_exit_rate", "1e6 cell",
     "CFU-GM in blood"),
    ("cfu_gm_output0", f"cfu_gm_stage_rate * cfu_gm_count_stage{len(stages_of('CFU_GM'))}",
     "1e6 cell/day", "CFU-GM differentiation flux (out of the last stage)"),
    ("neutrophils0", "anc_baseline * blood_volume", "1e9 cell", "neutrophils in blood"),
    ("neutrophil_production0", "neutrophils0 / neutrophil_blood_lifetime", "1e9 cell/day",
     "neutrophils made per day"),
    ("neutrophil_precursors0", "neutrophil_production0 * neutrophil_maturation_time / 3",
     "1e9 cell", "neutrophil precursors per maturation stage"),
    ("neutrophil_reserve0", "neutrophil_production0 * neutrophil_reserve_time", "1e9 cell",
     "marrow neutrophil reserve"),
    ("neutrophil_amplification",
     "neutrophil_production0 / ((1 - monocyte_fraction) * cfu_gm_output0)", "1",
     "neutrophils made per CFU-GM cell entering granulocytic maturation"),
    ("monocytes0", "monocyte_baseline * blood_volume", "1e9 cell", "monocytes in blood"),
    ("monocyte_amplification",
     "monocytes0 / monocyte_blood_lifetime / (monocyte_fraction * cfu_gm_output0)", "1",
     "monocytes made per CFU-GM cell entering monocytic maturation"),
    ("clp_amplification", "clp_count / (clp_residence_time * lymphoid_fraction * mpp_output0)",
     "1", "CLPs made per MPP progeny entering the lymphoid line"),
    ("clp_output0", "clp_count / clp_residence_time", "1e6 cell/day", "CLP differentiation"),
    ("b_newly_formed0", "b_newly_formed_share * b_cell_baseline * blood_volume", "1e9 cell",
     "newly formed B cells in blood"),
    ("b_cells0", "(1 - b_newly_formed_share) * b_cell_baseline * blood_volume", "1e9 cell",
     "mature B cells in blood"),
    ("b_maturing_fraction",
     "b_cells0 / b_cell_lifespan / (b_newly_formed0 / b_newly_formed_lifetime)", "1",
     "share of newly formed B cells that join the mature pool (the rest die)", (0.0, 1.0)),
    ("b_marrow_output0", "b_newly_formed0 / b_newly_formed_lifetime / b_blood_fraction",
     "1e9 cell/day", "newly formed B cells leaving the marrow per day (whole body)"),
    ("b_precursors0", "b_marrow_output0 / b_marrow_survival * b_precursor_time", "1e9 cell",
     "B-cell precursors in marrow"),
    ("b_amplification", "b_precursors0 / b_precursor_time / (b_fraction * clp_output0)", "1",
     "B-cell precursors made per CLP progeny"),
    ("t_cells0", "t_cell_baseline * blood_volume", "1e9 cell", "T cells in blood"),
    ("t_amplification", "t_cells0 / t_cell_lifespan / (t_fraction * clp_output0)", "1",
     "T cells made per CLP progeny"),
    ("nk_cells0", "nk_cell_baseline * blood_volume", "1e9 cell", "NK cells in blood"),
    ("nk_amplification",
     "nk_cells0 / nk_cell_lifespan / ((1 - b_fraction - t_fraction) * clp_output0)", "1",
     "NK cells made per CLP progeny"),
    ("progenitors0",
     "mpp_count + cmp_count + clp_count + bfu_e_count + cfu_e_count + mkp_count"
     " + cfu_gm_count", "1e6 cell", "marrow stem and progenitor pools (MPP to CFU-GM)"),
    ("marrow_cells0", steady_state_nucleated_cells(MARROW_POOLS), "1e9 cell",
     "nucleated marrow cells of the modelled lineages"),
)
