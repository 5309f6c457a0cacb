"""Species, processes and observables of the integrated model, for any set of genotypes.

Cell populations are absolute numbers per animal (cells move between marrow and blood, so
counts, not concentrations, are conserved); observables convert to the units clinicians and
experimentalists read. Every population exists once per genotype (suffix ``__<genotype>``);
the niche, the cytokines (G-CSF, TPO, EPO, IL-6) and the infection input are shared.

Feedback responses all have one form, a receptor-gated stimulation normalised to 1 at steady
state::

    S(x) = basal + (1 - basal) * receptor * x * max / (x + max - 1),   x = level / baseline

so ``S(1) = 1``, ``S(0) = basal`` (no ligand or no receptor: what a knockout keeps) and
``S(inf) = basal + (1 - basal) * max``.

Stem cells follow Marciniak-Czochra et al. 2009: each division is self-renewing with a
probability inhibited by the downstream MPP pool (``a / (1 + k MPP/MPP0)``), which is what
gives fast repopulation after injury. Quiescent HSCs occupy a finite number of niches
(Ashcroft 2017); cycling HSCs return to a free niche, IL-6 and vacant niches activate
quiescent ones, and IL-6 holds activated HSCs in cycle (it slows their return) until the
progenitor pools, whose depletion raises IL-6, have refilled.
Committed progenitor pools (CMP, CLP, BFU-E, CFU-E, MkP, CFU-GM) are transit-amplifying:
the cells entering a pool are amplified by the divisions they make while they pass through
it (an amplification factor on the influx, raised by the lineage cytokine), and the pool
empties within its residence time when its input stops; committed progenitors cannot
maintain themselves. The CMP and CFU-GM pools, the proliferative phase of granulopoiesis,
are chains of division stages (``populations.STAGED_POOLS``), so their output restarts only
after a refilling cohort has made its divisions. Density feedback acts upstream, on MPP
divisions, so an injured marrow refills at the pace of its transit times (as Friberg's
proliferating pool does).
Maturation delays are chains of three transit compartments (Friberg 2002). Each lineage
cytokine acts twice, as in the knockouts that define it: on progenitor amplification and on
the amplification of its precursors (EPO: erythroblast survival; TPO: megakaryocyte ploidy
and platelet yield; G-CSF: neutrophil precursor divisions and survival, Liu 1996). TPO sets
a megakaryocyte's ploidy, and so its platelet yield, as it enters maturation (endomitosis;
Kuter 2002), not when it sheds: the MK states count megakaryocytes of steady-state ploidy,
and TPO cannot raise the output of megakaryocytes that are already mature. Platelets die of
senescence and, in man, a fixed number is used every day to keep the vessels intact
(Hanson & Slichter 1985), so they live shorter when the count is low.
A maturation-blocked genotype (a leukemic clone, ``maturation`` < 1) sends the blocked share
of its granulocytic precursors into a pool of leukemic blasts: they divide as normal
precursors do but die in the marrow instead of maturing (``leukemic_blast_lifetime``), so
they fill the marrow and give the clinical blast percentage (the leukemic compartments of
Stiehl et al. 2015, Cancer Res 75:940).
"""

from __future__ import annotations

from hemasim.model.declaration import Observable, Process, Species
from hemasim.models.hematopoiesis.drugs import (
    drug_processes,
    drug_signals,
    drug_species,
    kill_processes,
)
from hemasim.models.hematopoiesis.genotype import Genotype
from hemasim.models.hematopoiesis.grafts import STEADY_STATE_SIZE
from hemasim.models.hematopoiesis.populations import (  # noqa: F401 (re-exported)
    ALLOREACTIVE_TARGETS,
    BILLION,
    BLAST_POOLS,
    CELL,
    CELL_POPULATIONS,
    CYTOKINES,
    MARROW_POOLS,
    MILLION,
    NICHE_SOFTNESS,
    PROGENITOR_POOLS,
    RADIATION_GROUPS,
    blocked_share,
    cell,
    nucleated_cells,
    stages_of,
    total,
    with_stages,
)
from hemasim.models.hematopoiesis.readouts import blocked_progenitors, readouts
from hemasim.models.hematopoiesis.trafficking import (
    trafficking_processes,
    trafficking_signals,
    trafficking_species,
)


def niche_free_text(occupied: str) -> str:
    """Text of the free-niche fraction for an occupied fraction (a softplus floor at 0)."""
    return (f"{NICHE_SOFTNESS} * log(1 + exp((1 - {occupied}) / {NICHE_SOFTNESS}))")


def stimulation(basal: str, receptor: str, level: str, maximum: str) -> str:
    """Text of the receptor-gated response S(x), 1 at steady state (module docstring)."""
    return (f"({basal} + (1 - {basal}) * {receptor} * ({level}) * {maximum}"
            f" / (({level}) + {maximum} - 1))")


def species(genotypes: tuple[Genotype, ...]) -> tuple[Species, ...]:
    """All species: cell populations per genotype, then the shared cytokines."""
    found = []
    for g in genotypes:
        for name, unit, compartment, meaning, steady in CELL_POPULATIONS:
            found.append(Species(cell(name, g.name), unit, compartment,
                                 f"{meaning} ({g.name})",
                                 f"{steady} * initial_fraction__{g.name}"))
    baselines = {"GCSF": "gcsf_baseline", "TPO": "tpo_baseline", "EPO": "epo_baseline",
                 "IL6": "il6_baseline"}
    for name, unit, meaning in CYTOKINES:
        found.append(Species(name, unit, "plasma", meaning, baselines[name]))
    return (*found, *drug_species(), *trafficking_species(genotypes))


def _shared_signals(genotypes: tuple[Genotype, ...]) -> list[Observable]:
    gcsf_mass = " + ".join(f"gcsf_receptor__{g.name} * ({cell('NEU', g.name)} + "
                           f"{cell('NR', g.name)})" for g in genotypes)
    platelet_mass = " + ".join(f"mpl__{g.name} * {cell('PLT', g.name)}" for g in genotypes)
    mk_mass = " + ".join(f"mpl__{g.name} * ({cell('MK1', g.name)} + {cell('MK2', g.name)} + "
                         f"{cell('MK3', g.name)})" for g in genotypes)
    marrow = nucleated_cells(MARROW_POOLS, genotypes)
    # only a graft's mature T cells: T cells made after the graft mature in the recipient's
    # thymus and are tolerant of its antigens
    alloreactive = " + ".join(f"(1 - recipient_antigens__{g.name}) * {cell('T_GRAFT', g.name)}"
                              for g in genotypes)
    blasts = blocked_progenitors(genotypes)
    blast_room = " + ".join(STEADY_STATE_SIZE[name][0] for name in BLAST_POOLS)
    internal = [
        ("gcsf_relative", "(GCSF + C_filgrastim + C_pegfilgrastim) / gcsf_baseline", "1",
         "G-CSF (endogenous plus filgrastim and pegfilgrastim) relative to steady state"),
        ("tpo_relative", "TPO / tpo_baseline", "1", "TPO relative to steady state"),
        ("epo_relative", "EPO / epo_baseline", "1", "EPO relative to steady state"),
        ("il6_relative", "(IL6 + C_il6) / il6_baseline", "1",
         "IL-6 (endogenous plus recombinant) relative to steady state"),
        ("mpp_relative", f"{total('MPP', genotypes)} / mpp_count", "1",
         "marrow MPPs relative to steady state (the self-renewal signal)"),
        ("niche_free", niche_free_text(f"{total('HSC_Q', genotypes)} / niche_capacity"),
         "1", "fraction of HSC niches free (never negative)"),
        ("hsc_relative", f"({total('HSC_Q', genotypes)} + {total('HSC_A', genotypes)})"
         " / hsc_total", "1", "marrow HSCs relative to steady state"),
        ("niche_vacancy_signal", "(1 + niche_vacancy_activation_gain * niche_free)"
         " / (1 + niche_vacancy_activation_gain * niche_free0)", "1",
         "activation of quiescent HSCs by vacant niches (1 at steady state)"),
        ("progenitor_relative",
         f"({' + '.join(total(n, genotypes) for n in PROGENITOR_POOLS)}) / progenitors0", "1",
         "marrow stem and progenitor pools relative to steady state (the injury signal)"),
        ("hsc_feedback", "1 / (1 + hsc_feedback_gain * (hsc_density_weight * hsc_relative"
         " + (1 - hsc_density_weight) * mpp_relative))", "1",
         "inhibition of HSC self-renewal by the HSC and MPP pools (Marciniak-Czochra 2009)"),
        ("mpp_feedback", "1 / (1 + mpp_feedback_gain * mpp_relative)", "1",
         "inhibition of MPP self-renewal by the MPP pool"),
        ("blast_burden", f"({blasts}) / ({blast_room})",
         "1", "maturation-blocked (leukemic blast) stem and progenitor cells relative to the "
         "normal steady-state pools they occupy"),
        ("gcsf_receptor_mass",
         f"({gcsf_mass}) / (neutrophils0 + neutrophil_reserve0)", "1",
         "G-CSF receptor-bearing neutrophil mass relative to steady state"),
        ("tpo_receptor_mass",
         f"(1 - tpo_megakaryocyte_share) * ({platelet_mass}) / platelets0"
         f" + tpo_megakaryocyte_share * ({mk_mass}) / (3 * megakaryocytes0)", "1",
         "c-Mpl-bearing platelet and megakaryocyte mass relative to steady state"),
        ("marrow_relative", f"({marrow}) / marrow_cells0", "1",
         "nucleated marrow cells relative to steady state"),
        ("Hb", f"{total('RBC', genotypes)} * mean_cell_hemoglobin / blood_volume", "g/dL",
         "hemoglobin"),
        ("alloreactive_t_cells", f"({alloreactive}) / t_cells0", "1",
         "infused T cells of allogeneic donors (lacking the recipient's antigens) relative to the "
         "healthy blood T-cell count"),
    ]
    return [*drug_signals(),
            *(Observable(name, expression, unit, meaning, reported=(name == "Hb"))
              for name, expression, unit, meaning in internal)]


def _density(name: str, count: str, genotypes: tuple[Genotype, ...]) -> str:
    return (f"(1 + progenitor_density_feedback) / (1 + progenitor_density_feedback * "
            f"{total(name, genotypes)} / {count})")


def _genotype_signals(g: str) -> list[Observable]:
    il6_myeloid = stimulation("il6_independent_fraction", f"il6_receptor__{g}", "il6_relative",
                              "il6_myeloid_max")
    signals = [
        ("il6_activation", stimulation("il6_independent_fraction", f"il6_receptor__{g}",
                                       "il6_relative", "il6_activation_max"),
         "IL-6 stimulation of HSC activation"),
        ("il6_myeloid", il6_myeloid, "IL-6 myeloid skew"),
        ("differentiation_block",
         f"1 / (1 + blast_differentiation_block_gain * maturation__{g} * blast_burden)",
         "share of MPP progeny that still become committed progenitors next to leukemic "
         "blasts (Miraki-Moud 2013)"),
        ("tpo_quiescence", stimulation("tpo_quiescence_independent_fraction", f"mpl__{g}",
                                       "tpo_relative", "tpo_proliferation_max"),
         "TPO support of HSC return to quiescence"),
        ("hsc_self_renewal", f"hsc_self_renewal_max * self_renewal__{g} * hsc_feedback",
         "probability that an HSC division self-renews"),
        ("mpp_self_renewal", f"mpp_self_renewal_max * progenitor_self_renewal__{g} * mpp_feedback",
         "probability that an MPP division self-renews"),
        ("lymphoid_share", f"lymphoid_fraction / (lymphoid_fraction + (1 - lymphoid_fraction)"
                           f" * il6_myeloid__{g})", "lymphoid share of MPP progeny"),
        ("epo_signal", stimulation("epo_independent_fraction", f"epo_receptor__{g}",
                                   "epo_relative", "epo_proliferation_max"),
         "EPO stimulation of CFU-E"),
        ("tpo_signal", stimulation("tpo_independent_fraction", f"mpl__{g}", "tpo_relative",
                                   "tpo_proliferation_max"),
         "TPO stimulation of megakaryocyte progenitors"),
        ("gcsf_signal",
         f"gcsf_independent_fraction * il6_myeloid__{g} + (1 - gcsf_independent_fraction)"
         f" * gcsf_receptor__{g} * gcsf_relative * gcsf_proliferation_max"
         f" / (gcsf_relative + gcsf_proliferation_max - 1)",
         "G-CSF (and IL-6) stimulation of the CFU-GM pool"),
        ("gcsf_stage_gain", f"(gcsf_signal__{g})**(1 / {len(stages_of('CFU_GM'))})",
         "G-CSF stimulation of the divisions in each CFU-GM stage (the pool's gain spread "
         "evenly over its stages, so G-CSF also acts on the cells already dividing)"),
        ("neutrophil_release", stimulation("gcsf_release_independent_fraction",
                                           f"gcsf_receptor__{g}", "gcsf_relative",
                                           "gcsf_release_max"),
         "G-CSF acceleration of neutrophil release"),
    ]
    return [Observable(f"{name}__{g}", expression, "1", f"{meaning} ({g})", reported=False)
            for name, expression, meaning in signals]


def _trafficking(marrow: str, blood: str, egress: str, g: str) -> list[Process]:
    """Egress to blood, homing back and loss in blood; cells are conserved except the loss.

    A staged pool sends cells to blood from every stage, and homing cells enter its first
    stage. Egress and homing are scaled by the chemotactic balances of the trafficking
    pathway (``trafficking.py``; 1 at rest)."""
    m, b = cell(marrow, g), cell(blood, g)
    return [
        *(Process(f"{stage} egress to blood ({g})",
                  f"{egress} * hspc_egress__{g} * {cell(stage, g)}",
                  {cell(stage, g): -1, b: 1}) for stage in stages_of(marrow)),
        Process(f"{marrow} homing from blood ({g})",
                f"homing_fraction * hspc_homing__{g} * blood_exit_rate * {b}", {b: -1, m: 1}),
        Process(f"{marrow} loss in blood ({g})", f"blood_loss_fraction * blood_exit_rate * {b}",
                {b: -1}),
    ]


def _chain(stages: tuple[str, ...], time: str, g: str, end: str | None) -> list[Process]:
    """Transit chain: each stage passes on at rate 3 / time to the next (or to ``end``)."""
    found = []
    targets = (*stages[1:], end)
    for stage, target in zip(stages, targets, strict=True):
        if target is None:
            continue
        found.append(Process(f"{stage} -> {target} ({g})", f"3 / {time} * {cell(stage, g)}",
                             {cell(stage, g): -1, cell(target, g): 1}))
    return found


def _stage_passage(pool: str, rate: str, g: str, gain: str | None = None) -> list[Process]:
    """Passage of a staged progenitor pool's cells from each division stage to the next.

    With a ``gain`` (1 at steady state), a cytokine changes the cells each passage yields
    (more or fewer divisions in the next stage), so it also acts on cells already in the
    pool."""
    stages = stages_of(pool)
    found = []
    for stage, target in zip(stages, stages[1:], strict=False):
        leaving = f"{rate} * {cell(stage, g)}"
        if gain is None:
            found.append(Process(f"{stage} -> {target} ({g})", leaving,
                                 {cell(stage, g): -1, cell(target, g): 1}))
            continue
        found += [Process(f"{stage} leaving its division stage ({g})", leaving,
                          {cell(stage, g): -1}),
                  Process(f"{target} from {stage} divisions ({g})", f"{gain} * {leaving}",
                          {cell(target, g): 1})]
    return found


def _cell_processes(genotypes: tuple[Genotype, ...], g: str) -> list[Process]:
    c = {name: cell(name, g) for name, *_ in CELL_POPULATIONS}
    mpp_division = (f"mpp_division_rate * progenitor_proliferation__{g}"
                    f" * {_density('MPP', 'mpp_count', genotypes)}")
    mpp_progeny = f"2 * {mpp_division} * (1 - mpp_self_renewal__{g}) * {c['MPP']}"
    cmp_last, gm_last = stages_of("CMP")[-1], stages_of("CFU_GM")[-1]
    gm_out = f"cfu_gm_stage_rate * {c[gm_last]}"
    cmp_out = f"cmp_stage_rate * {c[cmp_last]}"
    clp_out = f"{c['CLP']} / clp_residence_time"
    processes = [
        # stem cells
        Process(f"HSC return to quiescence ({g})",
                f"hsc_return_rate * niche_affinity__{g} * tpo_quiescence__{g}"
                f" / il6_activation__{g} * niche_free"
                f" * {c['HSC_A']}", {c["HSC_A"]: -1, c["HSC_Q"]: 1}),
        Process(f"HSC activation ({g})", f"hsc_activation_rate * il6_activation__{g}"
                f" * niche_vacancy_signal * {c['HSC_Q']}", {c["HSC_Q"]: -1, c["HSC_A"]: 1}),
        Process(f"HSC self-renewing division ({g})",
                f"hsc_division_rate * hsc_self_renewal__{g} * {c['HSC_A']}", {c["HSC_A"]: 1}),
        Process(f"HSC differentiating division ({g})",
                f"2 * hsc_division_rate * (1 - hsc_self_renewal__{g}) * {c['HSC_A']}",
                {c["HSC_A"]: -0.5, c["MPP"]: 1}),
        *_trafficking("HSC_A", "HSC_B", "hsc_egress_rate", g),
        # multipotent progenitors
        Process(f"MPP self-renewing division ({g})",
                f"{mpp_division} * mpp_self_renewal__{g} * {c['MPP']}", {c["MPP"]: 1}),
        Process(f"MPP differentiating division ({g})", mpp_progeny, {c["MPP"]: -0.5}),
        Process(f"CLP from MPP progeny ({g})", f"clp_amplification * differentiation_block__{g}"
                f" * {mpp_progeny} * lymphoid_share__{g}", {c["CLP"]: 1}),
        Process(f"CMP from MPP progeny ({g})", f"cmp_amplification * differentiation_block__{g}"
                f" * {mpp_progeny} * (1 - lymphoid_share__{g})", {c["CMP"]: 1}),
        *_trafficking("MPP", "MPP_B", "progenitor_egress_rate", g),
        *_stage_passage("CMP", "cmp_stage_rate", g),
        Process(f"CMP differentiation ({g})", cmp_out, {c[cmp_last]: -1}),
        Process(f"BFU-E from CMP ({g})", f"bfu_e_amplification"
                f" * erythroid_fraction * {cmp_out}", {c["BFU_E"]: 1}),
        Process(f"MkP from CMP under TPO ({g})", f"mkp_amplification"
                f" * tpo_signal__{g} * megakaryocyte_fraction * {cmp_out}", {c["MKP"]: 1}),
        Process(f"CFU-GM from CMP under G-CSF ({g})", f"cfu_gm_amplification"
                f" * gcsf_stage_gain__{g}"
                f" * (1 - erythroid_fraction - megakaryocyte_fraction) * {cmp_out}",
                {c["CFU_GM"]: 1}),
        *_trafficking("CMP", "CMP_B", "progenitor_egress_rate", g),
        # erythroid line
        Process(f"BFU-E maturation ({g})", f"{c['BFU_E']} / bfu_e_residence_time",
                {c["BFU_E"]: -1}),
        Process(f"CFU-E from BFU-E under EPO ({g})", f"cfu_e_amplification"
                f" * epo_signal__{g} * {c['BFU_E']}"
                f" / bfu_e_residence_time", {c["CFU_E"]: 1}),
        Process(f"CFU-E maturation ({g})", f"{c['CFU_E']} / cfu_e_residence_time",
                {c["CFU_E"]: -1}),
        Process(f"erythroblasts from CFU-E ({g})",
                f"erythroblast_amplification * maturation__{g} * epo_signal__{g} * {c['CFU_E']}"
                f" / cfu_e_residence_time",
                {c["EB1"]: 1}),
        *_chain(("EB1", "EB2", "EB3"), "erythroblast_transit_time", g, "RET"),
        Process(f"reticulocyte maturation ({g})", f"{c['RET']} / reticulocyte_blood_time",
                {c["RET"]: -1, c["RBC"]: 1}),
        Process(f"red-cell senescence ({g})", f"{c['RBC']} / rbc_lifespan", {c["RBC"]: -1}),
        # megakaryocytic line
        Process(f"MkP maturation ({g})", f"{c['MKP']} / mkp_residence_time", {c["MKP"]: -1}),
        Process(f"megakaryocytes from MkP, ploidy set by TPO ({g})",
                f"megakaryocyte_amplification * maturation__{g} * tpo_signal__{g}"
                f" * {c['MKP']} / mkp_residence_time",
                {c["MK1"]: 1}),
        *_chain(("MK1", "MK2", "MK3"), "megakaryocyte_maturation_time", g, None),
        Process(f"megakaryocyte fragmentation ({g})",
                f"3 / megakaryocyte_maturation_time * {c['MK3']}", {c["MK3"]: -1}),
        Process(f"platelet shedding ({g})", f"platelets_per_megakaryocyte"
                f" * 3 / megakaryocyte_maturation_time * {c['MK3']}", {c["PLT"]: 1}),
        Process(f"platelet senescence ({g})", f"{c['PLT']} / platelet_senescence_time",
                {c["PLT"]: -1}),
        Process(f"platelet use for vascular integrity ({g})",
                f"platelet_fixed_requirement * blood_volume * {c['PLT']}"
                f" / ({total('PLT', genotypes)} + platelet_requirement_half_count"
                f" * blood_volume)", {c["PLT"]: -1}),
        # granulocyte-monocyte line
        *_stage_passage("CFU_GM", "cfu_gm_stage_rate", g, f"gcsf_stage_gain__{g}"),
        Process(f"CFU-GM maturation ({g})", gm_out, {c[gm_last]: -1}),
        Process(f"neutrophil precursors from CFU-GM ({g})",
                f"neutrophil_amplification * maturation__{g} * gcsf_signal__{g}"
                f" * (1 - monocyte_fraction)"
                f" * {gm_out}",
                {c["NP1"]: 1}),
        Process(f"leukemic blasts from CFU-GM ({g})",
                f"neutrophil_amplification * {blocked_share(g)} * gcsf_signal__{g}"
                f" * (1 - monocyte_fraction) * {gm_out}", {c["BLAST"]: 1}),
        Process(f"leukemic blast death ({g})", f"{c['BLAST']} / leukemic_blast_lifetime",
                {c["BLAST"]: -1}),
        Process(f"monocytes from CFU-GM ({g})",
                f"monocyte_amplification * maturation__{g} * monocyte_fraction * {gm_out}",
                {c["MONO"]: 1}),
        *_trafficking("CFU_GM", "CFU_GM_B", "progenitor_egress_rate", g),
        *_chain(("NP1", "NP2", "NP3"), "neutrophil_maturation_time", g, "NR"),
        Process(f"neutrophil release ({g})",
                f"neutrophil_release__{g} * neutrophil_egress__{g} * {c['NR']}"
                f" / neutrophil_reserve_time",
                {c["NR"]: -1, c["NEU"]: 1}),
        Process(f"neutrophil loss from blood ({g})",
                f"(1 + infection_neutrophil_consumption * infection) * {c['NEU']} / "
                f"neutrophil_blood_lifetime", {c["NEU"]: -1}),
        Process(f"monocyte loss from blood ({g})", f"{c['MONO']} / monocyte_blood_lifetime",
                {c["MONO"]: -1}),
        # lymphoid line
        Process(f"CLP differentiation ({g})", clp_out, {c["CLP"]: -1}),
        Process(f"B precursors from CLP ({g})", f"b_amplification * b_fraction * {clp_out}",
                {c["B_PRE"]: 1}),
        Process(f"T cells from CLP ({g})", f"t_amplification * t_fraction * {clp_out}",
                {c["T"]: 1}),
        Process(f"NK cells from CLP ({g})",
                f"nk_amplification * (1 - b_fraction - t_fraction) * {clp_out}", {c["NK"]: 1}),
        Process(f"B-cell precursors leave the precursor pool ({g})",
                f"{c['B_PRE']} / b_precursor_time", {c["B_PRE"]: -1}),
        Process(f"newly formed B cells reach blood ({g})",
                f"b_marrow_survival * b_blood_fraction * {c['B_PRE']} / b_precursor_time",
                {c["B_NF"]: 1}),
        Process(f"newly formed B cells mature ({g})",
                f"b_maturing_fraction * {c['B_NF']} / b_newly_formed_lifetime",
                {c["B_NF"]: -1, c["B"]: 1}),
        Process(f"newly formed B cells die ({g})",
                f"(1 - b_maturing_fraction) * {c['B_NF']} / b_newly_formed_lifetime",
                {c["B_NF"]: -1}),
        Process(f"B-cell death ({g})", f"{c['B']} / b_cell_lifespan", {c["B"]: -1}),
        Process(f"T-cell death ({g})", f"{c['T']} / t_cell_lifespan", {c["T"]: -1}),
        Process(f"death of infused T cells ({g})", f"{c['T_GRAFT']} / t_cell_lifespan",
                {c["T_GRAFT"]: -1}),
        Process(f"NK-cell death ({g})", f"{c['NK']} / nk_cell_lifespan", {c["NK"]: -1}),
        # injury: drugs and immune destruction (aplastic anemia)
        *kill_processes(c, g),
        *(Process(f"immune destruction of {name} ({g})",
                  f"immune_destruction_rate * immune_target__{g} * {c[name]}", {c[name]: -1})
          for name in ("HSC_Q", "HSC_A", "MPP")),
        *(Process(f"alloreactive T-cell kill of {name} ({g})",
                  f"alloreactive_kill_rate * alloreactive_t_cells * recipient_antigens__{g}"
                  f" * {c[name]}", {c[name]: -1})
          for name in ALLOREACTIVE_TARGETS),
    ]
    return processes


def _cytokine_processes() -> list[Process]:
    return [
        Process("G-CSF production", "gcsf_baseline * gcsf_elimination_rate * gcsf_production"
                " * (1 + infection_gcsf_gain * infection)", {"GCSF": 1}),
        Process("G-CSF elimination (renal and neutrophil receptors)",
                "gcsf_elimination_rate * GCSF * (1 - gcsf_receptor_clearance_fraction"
                " + gcsf_receptor_clearance_fraction * gcsf_receptor_mass)", {"GCSF": -1}),
        Process("TPO production (liver; IL-6 raises it)",
                "tpo_baseline * tpo_elimination_rate * tpo_production * "
                + stimulation("1 / (1 + tpo_il6_gain)", "1", "il6_relative", "tpo_il6_max"),
                {"TPO": 1}),
        Process("TPO elimination (c-Mpl on platelets and megakaryocytes)",
                "tpo_elimination_rate * TPO * (1 - tpo_receptor_clearance_fraction"
                " + tpo_receptor_clearance_fraction * tpo_receptor_mass)", {"TPO": -1}),
        Process("EPO production (kidney, rises as hemoglobin falls)",
                "epo_baseline * epo_elimination_rate * epo_production"
                " * exp(epo_hemoglobin_slope * (hemoglobin0 - Hb))", {"EPO": 1}),
        Process("EPO elimination", "epo_elimination_rate * EPO", {"EPO": -1}),
        Process("IL-6 production (rises as the progenitor pools empty and with infection)",
                "il6_baseline * il6_elimination_rate * il6_production"
                " * (1 + il6_marrow_injury_gain)"
                " / (1 + il6_marrow_injury_gain * progenitor_relative)"
                " * (1 + infection_il6_gain * infection)", {"IL6": 1}),
        Process("IL-6 elimination", "il6_elimination_rate * IL6", {"IL6": -1}),
    ]


def processes(genotypes: tuple[Genotype, ...]) -> tuple[Process, ...]:
    """All processes: per-genotype cell kinetics, then the shared cytokines."""
    found: list[Process] = []
    for g in genotypes:
        found.extend(_cell_processes(genotypes, g.name))
    found.extend(_cytokine_processes())
    found.extend(drug_processes())
    found.extend(trafficking_processes(genotypes))
    return tuple(found)


def observables(genotypes: tuple[Genotype, ...]) -> tuple[Observable, ...]:
    """Internal signals (shared, then per genotype), then the reported read-outs."""
    found = [*_shared_signals(genotypes), *trafficking_signals(genotypes)]
    for g in genotypes:
        found.extend(_genotype_signals(g.name))
    found.extend(readouts(genotypes))
    return tuple(found)
