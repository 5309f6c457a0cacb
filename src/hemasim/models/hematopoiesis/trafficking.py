"""Marrow-blood trafficking of HSPCs and neutrophils: SDF-1/CXCR4 retention, complement,
S1P, and the iNOS -> NO -> HO-1 brake (Adamiak et al. 2017; model-scope section 4).

No published mechanistic mobilization model exists (trafficking.md section 1.5); this one is
ours, built from the directions the papers report and documented in
``docs/experiments/adamiak2017.md``. Every level is relative to wild-type rest, so with no
mobilizing stimulus the pathway sits at 1 (or 0 for an excess) and the steady state of the
rest of the model is exactly the one it had without the pathway.

* **Marrow SDF-1** (``SDF1``, turnover ODE). Osteoblasts (``OB``, activity relative to rest),
  its main source, are suppressed by G-CSF and recover over days once G-CSF is gone
  (Semerad 2005: osteoblast activity and CXCL12 mRNA and protein fall in step with
  mobilization), so daily G-CSF pulses add up to a sustained fall of SDF-1; neutrophil
  proteases degrade it in proportion to the excess of marrow neutrophils (Petit 2002;
  Levesque 2003), a minor route since mobilization is normal without them (Levesque 2004);
  HO-1 protects it (Wysoczynski 2015); marrow injury raises its production (Ponomaryov 2000).
* **Complement** is activated by mobilizing stimuli (Ratajczak 2010; Lee 2009): by the excess
  of activated marrow neutrophils (G-CSF) and by CXCR4 blockade (plerixafor), and damped by
  HO-1. C3 cleavage gives C3a, which primes HSPC retention by SDF-1 (Ratajczak 2004: C3-/-
  mice mobilize more); C5 is cleaved through C3 and through C3-independent proteases, giving
  C5a (granulocyte egress, which primes HSPC egress; Lee 2009) and C5b-9, which lyses red
  cells and raises plasma S1P (Ratajczak 2010).
* **iNOS -> NO -> HO-1**: complement up-regulates iNOS (Adamiak 2017); NO induces HO-1
  (``HO1`` in the marrow environment, ``HO1__<genotype>`` in each genotype's HSPCs and
  granulocytes); HO-1 damps chemotaxis, complement activation and SDF-1 loss
  (``trafficking_relations``).
* **Egress and homing** of HSPCs are chemotactic balances (``chemotactic_balance``):
  egress pulls toward plasma S1P (and C5a-primed granulocyte products) against the hold of
  marrow SDF-1 on CXCR4; homing pulls toward marrow SDF-1. Neutrophil release is the same
  balance with C5a as the pull. Cells are conserved: each move is -1 in one pool, +1 in the
  other.
* **Apheresis** removes blood HSPCs at the processing rate (blood volumes per day) times the
  collection efficiency into the collected product ``CD34_collected``.
"""

from __future__ import annotations

from hemasim.model.declaration import Observable, Process, Species
from hemasim.models.hematopoiesis.genotype import Genotype
from hemasim.models.hematopoiesis.spec import FRACTION, ParameterSpec
from hemasim.models.trafficking_relations import (
    chemotactic_balance,
    ho1_brake,
    ho1_induction,
    nitric_oxide,
    occupancy,
    smooth_excess,
)

HSPC_BLOOD_POOLS = ("HSC_B", "MPP_B", "CMP_B", "CFU_GM_B")
"""Blood HSPC pools counted as CD34+ cells. Stoichiometric coefficients count cells; the
compiler converts each species' unit (HSC_B counts cells, the product millions)."""

MARROW_NEUTROPHILS = ("NP1", "NP2", "NP3", "NR")
"""Marrow granulocytic cells whose proteases degrade SDF-1 and activate complement."""

TRAFFICKING_SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec("body_weight", "kg", "body weight (apheresis yield per kg)"),
    ParameterSpec("sdf1_turnover_rate", "1/day", "turnover rate of marrow SDF-1 (CXCL12) "
                  "protein and of its osteoblastic production"),
    ParameterSpec("osteoblast_recovery_rate", "1/day", "rate at which suppressed osteoblast "
                  "activity returns to rest"),
    ParameterSpec("osteoblast_gcsf_loss_rate", "1/day", "maximal rate of loss of osteoblast "
                  "activity under G-CSF"),
    ParameterSpec("sdf1_gcsf_half_maximal", "ng/mL", "G-CSF concentration above rest giving "
                  "half the maximal loss of osteoblast activity"),
    ParameterSpec("sdf1_injury_gain", "1", "rise of SDF-1 production per unit loss of the "
                  "marrow progenitor pools (DNA damage induces SDF-1)"),
    ParameterSpec("sdf1_protease_weight", "1", "extra SDF-1 degradation per unit excess of "
                  "marrow neutrophils (neutrophil elastase, cathepsin G)", (0.0, 0.5)),
    ParameterSpec("complement_protease_gain", "1", "complement activation per unit excess of "
                  "marrow neutrophils"),
    ParameterSpec("complement_cxcr4_gain", "1", "complement activation at full CXCR4 blockade "
                  "in the marrow"),
    ParameterSpec("complement_c3_dependent_share", "1", "share of C5 cleavage that goes "
                  "through C3 (the rest: C3-independent proteases, thrombin)", FRACTION),
    ParameterSpec("c3a_retention_gain", "1", "rise of SDF-1 retention of HSPCs per unit C3a "
                  "(C3a primes CXCR4 responses)"),
    ParameterSpec("s1p_mac_gain", "1", "rise of plasma S1P per unit C5b-9 (red-cell lysis)"),
    ParameterSpec("hspc_s1p_weight", "1", "weight of plasma S1P in the pull of HSPCs toward "
                  "blood", FRACTION),
    ParameterSpec("hspc_granulocyte_priming", "1", "rise of the pull of HSPCs toward blood "
                  "per unit C5a (granulocyte cathelicidin and beta-defensin)"),
    ParameterSpec("hspc_cxcr4_independent_retention", "1", "share of HSPC marrow retention "
                  "that does not depend on CXCR4 (VLA-4/VCAM-1), relative to the CXCR4 share"),
    ParameterSpec("hspc_cxcr4_independent_homing", "1", "share of HSPC homing that does not "
                  "depend on CXCR4 (VLA-4, CD44), relative to the CXCR4 share"),
    ParameterSpec("neutrophil_c5a_gain", "1", "rise of the pull of marrow neutrophils toward "
                  "blood per unit C5a"),
    ParameterSpec("neutrophil_cxcr4_independent_retention", "1", "share of neutrophil marrow "
                  "retention that does not depend on CXCR4, relative to the CXCR4 share"),
    ParameterSpec("inos_complement_gain", "1", "rise of iNOS activity per unit of the "
                  "anaphylatoxins C3a and C5a"),
    ParameterSpec("nos_constitutive_share", "1", "share of resting NO made by the constitutive "
                  "isoforms eNOS and nNOS (the rest by iNOS)", FRACTION),
    ParameterSpec("ho1_no_independent_share", "1", "share of resting HO-1 expression induced "
                  "independently of NO (heme, oxidative stress)", FRACTION),
    ParameterSpec("ho1_turnover_rate", "1/h", "turnover rate of HO-1 protein"),
    ParameterSpec("ho1_chemotaxis_damping", "1", "strength of HO-1 inhibition of chemotaxis "
                  "(responsiveness 1 + d when HO-1 is absent)"),
    ParameterSpec("ho1_complement_damping", "1", "strength of HO-1 damping of complement "
                  "activation"),
    ParameterSpec("ho1_sdf1_protection", "1", "strength of HO-1 protection of marrow SDF-1 "
                  "from protease degradation"),
    ParameterSpec("apheresis_rate", "1/day", "blood volumes processed per day by apheresis "
                  "(0 when no apheresis runs; a scenario's apheresis sets it in its window)"),
    ParameterSpec("apheresis_collection_efficiency", "1", "fraction of the CD34+ cells in the "
                  "processed blood that end in the product (CE2)", FRACTION),
)
"""Parameters of the trafficking pathway and of apheresis."""


def _total(name: str, genotypes: tuple[Genotype, ...]) -> str:
    return "(" + " + ".join(f"{name}__{g.name}" for g in genotypes) + ")"


def trafficking_species(genotypes: tuple[Genotype, ...]) -> tuple[Species, ...]:
    """Marrow SDF-1, environmental and per-genotype HO-1, and the apheresis product.

    Initial values are the resting steady state, knockouts included (HO-1 of a genotype
    without iNOS starts at its own lower level).
    """
    resting_env_no = nitric_oxide("inos_production", "1", "0")
    found = [
        Species("OB", "1", "marrow", "osteoblast activity (the main SDF-1 source) relative to "
                "rest", "1"),
        Species("SDF1", "1", "marrow", "marrow extracellular SDF-1 (CXCL12) relative to rest",
                "sdf1_production"),
        Species("HO1", "1", "marrow", "HO-1 protein of the marrow environment relative to "
                "wild-type rest", ho1_induction("ho1_production", resting_env_no)),
    ]
    for g in genotypes:
        resting_no = nitric_oxide(f"inos__{g.name}", "1", "0")
        found.append(Species(f"HO1__{g.name}", "1", "marrow", f"HO-1 protein of the HSPCs "
                             f"and granulocytes of {g.name}, relative to wild-type rest",
                             ho1_induction(f"ho1__{g.name}", resting_no)))
    found.append(Species("CD34_collected", "1e6 cell", "apheresis product",
                         "CD34+ cells collected by apheresis", 0.0))
    return tuple(found)


def trafficking_signals(genotypes: tuple[Genotype, ...]) -> tuple[Observable, ...]:
    """Shared pathway signals (internal observables), then the per-genotype ones."""
    neutrophils = " + ".join(_total(n, genotypes) for n in MARROW_NEUTROPHILS)
    anaphylatoxins = "(c3a_excess + c5_cleavage_excess) / 2"
    shared = [
        ("plerixafor_marrow_occupancy",
         occupancy("plerixafor_effect", "plerixafor_half_maximal_concentration"), "1",
         "fraction of marrow CXCR4 occupied by plerixafor"),
        ("plerixafor_blood_occupancy",
         occupancy("C_plerixafor", "plerixafor_half_maximal_concentration"), "1",
         "fraction of CXCR4 on blood cells occupied by plerixafor"),
        ("ho_inhibition", occupancy("snpp_effect", "snpp_half_maximal_concentration"), "1",
         "fraction of heme oxygenase activity blocked by SnPP"),
        ("nos_inhibition", occupancy("C_l_nmma", "l_nmma_half_maximal_concentration"), "1",
         "fraction of NOS activity blocked by L-NMMA"),
        ("marrow_neutrophil_relative",
         f"({neutrophils}) / (3 * neutrophil_precursors0 + neutrophil_reserve0)", "1",
         "marrow granulocytic mass relative to rest (the protease source)"),
        ("ho1_activity", "HO1 * (1 - ho_inhibition)", "1",
         "HO-1 activity of the marrow environment relative to rest"),
        ("complement_activation",
         smooth_excess("complement_protease_gain * (marrow_neutrophil_relative - 1)"
                       " + complement_cxcr4_gain * plerixafor_marrow_occupancy")
         + " * " + ho1_brake("ho1_activity", "ho1_complement_damping"), "1",
         "complement activation above rest, damped by HO-1"),
        ("c3a_excess", "c3_production * complement_activation", "1", "C3a above rest"),
        ("c5_cleavage_excess", "c5_production * (complement_c3_dependent_share"
         " * c3_production + 1 - complement_c3_dependent_share) * complement_activation",
         "1", "C5 cleavage (C5a and C5b-9) above rest"),
        ("s1p_relative", "s1p_production * (1 + s1p_mac_gain * c5_cleavage_excess)", "1",
         "plasma S1P relative to rest"),
        ("inos_stimulation", f"1 + inos_complement_gain * {anaphylatoxins}", "1",
         "induction of iNOS by the anaphylatoxins"),
        ("no_environment", nitric_oxide("inos_production", "inos_stimulation",
                                        "nos_inhibition"), "1",
         "NO production of the marrow environment relative to rest"),
        ("osteoblast_suppression",
         "(gcsf_relative - 1) * gcsf_baseline / ((gcsf_relative - 1) * gcsf_baseline"
         " + sdf1_gcsf_half_maximal)", "1", "G-CSF suppression of osteoblasts (0 at rest)"),
        ("sdf1_production_rate",
         "sdf1_production * OB * (1 + sdf1_injury_gain * "
         + smooth_excess("1 - progenitor_relative") + ")", "1",
         "marrow SDF-1 production relative to rest (osteoblasts make it, injury raises it)"),
    ]
    found = [Observable(name, expression, unit, meaning, reported=False)
             for name, expression, unit, meaning in shared]
    for g in genotypes:
        n = g.name
        responsiveness = ho1_brake(f"HO1__{n} * (1 - ho_inhibition)", "ho1_chemotaxis_damping")
        hold = (f"cxcr4__{n} * (1 - plerixafor_marrow_occupancy) * SDF1"
                " * (1 + c3a_retention_gain * c3a_excess)")
        pull = (f"1 + hspc_s1p_weight * (s1p_receptor__{n} * s1p_relative - 1)"
                " + hspc_granulocyte_priming * c5_cleavage_excess")
        per_genotype = [
            ("chemotactic_responsiveness", responsiveness,
             "chemotactic responsiveness of HSPCs and granulocytes (HO-1 brake)"),
            ("hspc_egress", chemotactic_balance("hspc_cxcr4_independent_retention",
                                                f"chemotactic_responsiveness__{n}", pull, hold),
             "HSPC egress relative to rest"),
            ("hspc_homing", chemotactic_balance(
                "hspc_cxcr4_independent_homing", f"chemotactic_responsiveness__{n}",
                f"cxcr4__{n} * (1 - plerixafor_blood_occupancy) * SDF1", "1"),
             "HSPC homing relative to rest"),
            ("neutrophil_egress", chemotactic_balance(
                "neutrophil_cxcr4_independent_retention", f"chemotactic_responsiveness__{n}",
                "1 + neutrophil_c5a_gain * c5_cleavage_excess",
                f"cxcr4__{n} * (1 - plerixafor_marrow_occupancy)"),
             "marrow neutrophil release relative to rest (C5a pull, CXCR4 hold)"),
            ("no", nitric_oxide(f"inos__{n}", "inos_stimulation", "nos_inhibition"),
             "NO production of the HSPCs relative to rest"),
        ]
        found += [Observable(f"{name}__{n}", expression, "1", f"{meaning} ({n})",
                             reported=False) for name, expression, meaning in per_genotype]
    return tuple(found)


def trafficking_processes(genotypes: tuple[Genotype, ...]) -> tuple[Process, ...]:
    """SDF-1 and HO-1 turnover, and apheresis collection."""
    found = [
        Process("osteoblast recovery", "osteoblast_recovery_rate * (1 - OB)", {"OB": 1}),
        Process("osteoblast suppression by G-CSF",
                "osteoblast_gcsf_loss_rate * osteoblast_suppression * OB", {"OB": -1}),
        Process("marrow SDF-1 production", "sdf1_turnover_rate * sdf1_production_rate",
                {"SDF1": 1}),
        Process("marrow SDF-1 loss (turnover and proteases, HO-1 protects)",
                "sdf1_turnover_rate * SDF1 * (1 + sdf1_protease_weight * "
                + smooth_excess("marrow_neutrophil_relative - 1") + " * "
                + ho1_brake("ho1_activity", "ho1_sdf1_protection") + ")", {"SDF1": -1}),
        Process("HO-1 induction (marrow environment)",
                "ho1_turnover_rate * " + ho1_induction("ho1_production", "no_environment"),
                {"HO1": 1}),
        Process("HO-1 turnover (marrow environment)", "ho1_turnover_rate * HO1", {"HO1": -1}),
    ]
    for g in genotypes:
        n = g.name
        found += [
            Process(f"HO-1 induction ({n})",
                    "ho1_turnover_rate * " + ho1_induction(f"ho1__{n}", f"no__{n}"),
                    {f"HO1__{n}": 1}),
            Process(f"HO-1 turnover ({n})", f"ho1_turnover_rate * HO1__{n}", {f"HO1__{n}": -1}),
        ]
        for pool in HSPC_BLOOD_POOLS:
            species = f"{pool}__{n}"
            found.append(Process(
                f"apheresis collection of {pool} ({n})",
                f"apheresis_rate * apheresis_collection_efficiency * {species}",
                {species: -1, "CD34_collected": 1}))
    return tuple(found)


def trafficking_readouts() -> tuple[Observable, ...]:
    """Reported read-outs of the pathway and of apheresis."""
    items = (
        ("marrow_SDF1", "100 * SDF1", "1", "marrow SDF-1, % of rest"),
        ("plasma_S1P", "100 * s1p_relative", "1", "plasma S1P, % of rest"),
        ("marrow_HO1", "100 * ho1_activity", "1", "HO-1 activity of the marrow "
         "environment, % of wild-type rest"),
        ("C5a", "100 * (1 + c5_cleavage_excess)", "1", "C5a and C5b-9 generation, % of rest"),
        ("CD34_collected_per_kg", "CD34_collected / body_weight", "1e6 cell/kg",
         "CD34+ cells collected by apheresis per kg body weight"),
    )
    return tuple(Observable(*item) for item in items)
