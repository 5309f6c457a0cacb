"""The populations of the integrated model and the groups that processes act on.

Each population is one row (name, unit, compartment, meaning, steady-state value); the
named groups (marrow pools, progenitor pools, blast pools, alloreactive targets,
radiosensitivity groups) say which populations a signal counts or an injury hits.

The common myeloid and granulocyte-monocyte progenitor pools are each a chain of
``PROGENITOR_STAGES`` division stages (``CMP``, ``CMP_2``, ``CMP_3``): a cell has to make its
divisions one after another before it leaves the pool, so the time it spends there is
gamma- rather than exponentially distributed (the transit-compartment delay of Friberg 2002,
the fixed proliferation delay tau_NP of Craig 2016). A pool emptied by a cytotoxic drug then
sends nothing on until cells entering its first stage have passed all its stages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hemasim.models.hematopoiesis.genotype import Genotype

CELL = "cell"
MILLION = "1e6 cell"
BILLION = "1e9 cell"

PROGENITOR_STAGES = 3
"""Division stages of each staged progenitor pool (assumed: about one division per stage, as
the three transit compartments of Friberg 2002 and of the model's maturation chains)."""

STAGED_POOLS = ("CMP", "CFU_GM")
"""Progenitor pools that are chains of division stages; the first stage keeps the pool's
name, grafts and homing cells enter it, and cells leave the pool from its last stage."""


def stages_of(name: str) -> tuple[str, ...]:
    """The populations making up pool ``name`` (its division stages, or itself)."""
    if name not in STAGED_POOLS:
        return (name,)
    return (name, *(f"{name}_{stage}" for stage in range(2, PROGENITOR_STAGES + 1)))


def with_stages(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` with each staged pool replaced by all of its stages."""
    return tuple(stage for name in names for stage in stages_of(name))


def _staged(name: str, meaning: str, count: str) -> tuple[tuple[str, str, str, str, str], ...]:
    """Population rows of the stages of a staged pool (steady state: ``<count>_stage<k>``)."""
    return tuple((stage, MILLION, "marrow", f"{meaning}, division stage {k}", f"{count}_stage{k}")
                 for k, stage in enumerate(stages_of(name), start=1))


# name, unit, compartment, meaning, steady-state value (derived quantity or expression)
CELL_POPULATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("HSC_Q", CELL, "marrow niche", "quiescent HSCs in niches", "hsc_quiescent0"),
    ("HSC_A", CELL, "marrow", "cycling HSCs out of the niche", "hsc_active0"),
    ("HSC_B", CELL, "blood", "HSCs in blood", "hsc_blood0"),
    ("MPP", MILLION, "marrow", "short-term HSCs and multipotent progenitors", "mpp_count"),
    ("MPP_B", MILLION, "blood", "MPPs in blood", "mpp_blood0"),
    *_staged("CMP", "common myeloid progenitors", "cmp_count"),
    ("CMP_B", MILLION, "blood", "CMPs in blood", "cmp_blood0"),
    ("CLP", MILLION, "marrow", "common lymphoid progenitors", "clp_count"),
    ("BFU_E", MILLION, "marrow", "burst-forming unit-erythroid", "bfu_e_count"),
    ("CFU_E", MILLION, "marrow", "colony-forming unit-erythroid", "cfu_e_count"),
    ("EB1", BILLION, "marrow", "erythroblasts, first stage (counted as the reticulocytes "
     "they will make)", "erythroblasts0"),
    ("EB2", BILLION, "marrow", "erythroblasts, second stage (counted as the reticulocytes "
     "they will make)", "erythroblasts0"),
    ("EB3", BILLION, "marrow", "erythroblasts, third stage (counted as the reticulocytes "
     "they will make)", "erythroblasts0"),
    ("RET", BILLION, "blood", "reticulocytes", "reticulocytes0"),
    ("RBC", BILLION, "blood", "erythrocytes", "rbc0"),
    ("MKP", MILLION, "marrow", "megakaryocyte progenitors", "mkp_count"),
    ("MK1", BILLION, "marrow", "megakaryocytes, first stage", "megakaryocytes0"),
    ("MK2", BILLION, "marrow", "megakaryocytes, second stage", "megakaryocytes0"),
    ("MK3", BILLION, "marrow", "megakaryocytes, third stage", "megakaryocytes0"),
    ("PLT", BILLION, "blood", "platelets", "platelets0"),
    *_staged("CFU_GM", "granulocyte-monocyte progenitors", "cfu_gm_count"),
    ("CFU_GM_B", MILLION, "blood", "CFU-GM in blood", "cfu_gm_blood0"),
    ("NP1", BILLION, "marrow", "neutrophil precursors, first stage", "neutrophil_precursors0"),
    ("NP2", BILLION, "marrow", "neutrophil precursors, second stage",
     "neutrophil_precursors0"),
    ("NP3", BILLION, "marrow", "neutrophil precursors, third stage", "neutrophil_precursors0"),
    ("NR", BILLION, "marrow", "marrow neutrophil reserve", "neutrophil_reserve0"),
    ("BLAST", BILLION, "marrow", "leukemic blasts: maturation-blocked myeloid precursors", "0"),
    ("NEU", BILLION, "blood", "blood neutrophils", "neutrophils0"),
    ("MONO", BILLION, "blood", "blood monocytes", "monocytes0"),
    ("B_PRE", BILLION, "marrow", "B-cell precursors", "b_precursors0"),
    ("B_NF", BILLION, "blood", "newly formed (transitional) B cells, the blood's share",
     "b_newly_formed0"),
    ("B", BILLION, "blood", "mature B cells, the blood's share", "b_cells0"),
    ("T", BILLION, "blood", "T cells made in the body (thymic output), the blood's share",
     "t_cells0"),
    ("T_GRAFT", BILLION, "blood", "mature T cells infused with a graft, the blood's share",
     "0"),
    ("NK", BILLION, "blood", "NK cells", "nk_cells0"),
)

CYTOKINES: tuple[tuple[str, str, str], ...] = (
    ("GCSF", "ng/mL", "granulocyte colony-stimulating factor (serum)"),
    ("TPO", "pg/mL", "thrombopoietin (plasma)"),
    ("EPO", "mIU/mL", "erythropoietin (serum)"),
    ("IL6", "pg/mL", "interleukin-6 (serum)"),
)

MARROW_POOLS = with_stages(("MPP", "CMP", "CLP", "BFU_E", "CFU_E", "MKP", "CFU_GM", "EB1", "EB2",
                             "EB3", "NP1", "NP2", "NP3", "NR", "BLAST", "B_PRE"))
"""Populations counted as nucleated marrow cells (cellularity)."""

MARROW_CELLS_PER_STATE = {"EB1": "erythroblast_cells_per_output_stage1",
                          "EB2": "erythroblast_cells_per_output_stage2",
                          "EB3": "erythroblast_cells_per_output_stage3"}
"""Nucleated cells present per unit of a population's state, where the state is not a head
count. The erythroblast stages count the reticulocytes a cohort will make: the model applies
the terminal divisions as cells enter (``erythroblast_amplification``), so the stages are a
pure maturation delay. The cells present are fewer, because a cohort grows through its
divisions during the transit; with the divisions spread evenly over it, a cohort in stage k of
3 holds (g - 1) / (ln g * g^(4 - k)) cells per reticulocyte it will make, g = amplification^(1/3)
(its mean size over the stage). Counting the stages as head counts made erythroblasts 74 % of
the human model's marrow, against about a quarter in real marrow (myeloid:erythroid ratio
about 3:1)."""

ERYTHROID_MARROW = ("BFU_E", "CFU_E", "EB1", "EB2", "EB3")
"""Marrow populations of the erythroid series (the erythroid side of the M:E ratio)."""

GRANULOCYTIC_MARROW = (*with_stages(("CFU_GM",)), "NP1", "NP2", "NP3", "NR", "BLAST")
"""Marrow populations of the granulocytic series, leukemic blasts included (the myeloid side
of the M:E ratio; the model has no monocytic or eosinophilic precursors)."""

PROGENITOR_POOLS = with_stages(("MPP", "CMP", "CLP", "BFU_E", "CFU_E", "MKP", "CFU_GM"))
"""Stem and progenitor pools whose depletion is the marrow-injury signal for IL-6."""

BLAST_POOLS = ("MPP", "CMP", "CFU_GM")
"""Stem-like and progenitor pools where a maturation-blocked clone's blasts accumulate (pool
names: ``with_stages`` gives their populations)."""

ALLOREACTIVE_TARGETS = (*with_stages(("HSC_Q", "HSC_A", "MPP", "CMP", "CFU_GM")), "BLAST",
                        "B_NF", "B", "T", "NK")
"""Cells an allogeneic donor's T cells attack when they carry the recipient's antigens: the
marrow stem and progenitor pools (CD34+, where leukemic stem-like cells sit), leukemic blasts
and the recipient's long-lived lymphocytes (minor antigens such as HA-1 are carried by
hematopoietic cells; donor lymphocyte infusions turn mixed T-cell chimerism into full donor
chimerism this way)."""

RADIATION_GROUPS: dict[str, tuple[str, ...]] = {
    "stem": ("HSC_Q", "HSC_A", "HSC_B", "MPP", "MPP_B"),
    "progenitor": with_stages(("CMP", "CMP_B", "CLP", "BFU_E", "CFU_E", "MKP", "CFU_GM",
                               "CFU_GM_B")),
    "precursor": ("EB1", "EB2", "EB3", "NP1", "NP2", "NP3", "MK1", "MK2", "MK3", "BLAST",
                  "B_PRE"),
    "lymphocyte": ("B_NF", "B", "T", "T_GRAFT", "NK"),
}
"""Populations sharing one linear-quadratic radiosensitivity (``<group>_radiation_alpha``,
``<group>_radiation_beta``); mature red cells, platelets, neutrophils and monocytes are
radioresistant (they die on their own schedule)."""


NICHE_SOFTNESS = 0.01
"""Width of the smooth floor at zero of the free-niche fraction (numerical, not biological):
free = s * log(1 + exp((1 - occupied) / s)) equals 1 - occupied to within 1e-6 when more than
9 % of niches are free, and tends to 0 (never below) when they are over-full. The steady-state
balance uses the same function, so the steady state is exact."""


def cell(name: str, genotype: str) -> str:
    """Species name of population ``name`` in ``genotype``."""
    return f"{name}__{genotype}"


def total(name: str, genotypes: tuple[Genotype, ...]) -> str:
    """Text of the sum of population ``name`` over all genotypes."""
    return "(" + " + ".join(cell(name, g.name) for g in genotypes) + ")"


def nucleated_cells(names: tuple[str, ...], genotypes: tuple[Genotype, ...]) -> str:
    """Text of the nucleated cells present in populations ``names``, all genotypes."""
    return " + ".join(_weighted(name, total(name, genotypes)) for name in names)


def steady_state_nucleated_cells(names: tuple[str, ...]) -> str:
    """Text of the nucleated cells present in populations ``names`` at steady state (from
    each population's steady-state value), so that relative read-outs are 1 at rest."""
    steady = {name: value for name, *_, value in CELL_POPULATIONS}
    return " + ".join(_weighted(name, steady[name]) for name in names)


def _weighted(name: str, amount: str) -> str:
    weight = MARROW_CELLS_PER_STATE.get(name)
    return f"{weight} * {amount}" if weight else amount


def blocked_share(genotype: str) -> str:
    """Text of the share of ``genotype``'s maturing cells that cannot mature (its maturation
    block, ``max(0, 1 - maturation)``; 0 for a normal genotype or one that matures faster)."""
    return f"max(0, 1 - maturation__{genotype})"
