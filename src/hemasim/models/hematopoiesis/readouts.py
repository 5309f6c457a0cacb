"""The read-outs of the integrated model: what clinicians and experimentalists measure.

Blood counts per litre or microlitre, marrow cellularity and leukemic blasts, stem-cell
numbers and cycling, trafficking (``trafficking.trafficking_readouts``) and, with more than
one genotype, each genotype's share of every lineage (chimerism).
"""

from __future__ import annotations

from hemasim.model.declaration import Observable
from hemasim.models.hematopoiesis.genotype import Genotype
from hemasim.models.hematopoiesis.populations import (
    BLAST_POOLS,
    CELL_POPULATIONS,
    ERYTHROID_MARROW,
    GRANULOCYTIC_MARROW,
    blocked_share,
    cell,
    nucleated_cells,
    total,
    with_stages,
)
from hemasim.models.hematopoiesis.trafficking import trafficking_readouts


def blocked_progenitors(genotypes: tuple[Genotype, ...]) -> str:
    """Text of the maturation-blocked stem-like and progenitor cells (CD34+ blasts): each
    genotype's MPP, CMP and CFU-GM pools weighted by its block (``blocked_share``)."""
    return " + ".join(
        f"{blocked_share(g.name)} * ("
        + " + ".join(cell(name, g.name) for name in with_stages(BLAST_POOLS)) + ")"
        for g in genotypes)


def leukemic_blasts(genotypes: tuple[Genotype, ...]) -> str:
    """Text of all maturation-blocked cells in the marrow: the blocked stem-like and
    progenitor cells and the leukemic blasts (myeloid precursors that cannot mature). A
    normal genotype has none."""
    return (f"{blocked_progenitors(genotypes)} + "
            + " + ".join(cell("BLAST", g.name) for g in genotypes))


def readouts(genotypes: tuple[Genotype, ...]) -> list[Observable]:
    """Reported observables: blood counts, marrow, stem cells, trafficking and chimerism."""
    t = {name: total(name, genotypes) for name, *_ in CELL_POPULATIONS}
    readouts = [
        ("ANC", f"{t['NEU']} / blood_volume", "1e9/L", "absolute neutrophil count"),
        ("lymphocytes", f"({t['B_NF']} + {t['B']} + {t['T']} + {t['T_GRAFT']} + {t['NK']})"
                        " / blood_volume",
         "1e9/L", "blood lymphocytes (B + T + NK)"),
        ("monocytes", f"{t['MONO']} / blood_volume", "1e9/L", "blood monocytes"),
        ("WBC", "ANC + lymphocytes + monocytes", "1e9/L", "white blood cells"),
        ("lymphocyte_percent", "100 * lymphocytes / WBC", "1", "lymphocytes, % of WBC"),
        ("RBC", f"{t['RBC']} / blood_volume", "1e12/L", "red blood cells"),
        ("platelets", f"{t['PLT']} / blood_volume", "1e9/L", "platelet count"),
        ("reticulocytes", f"{t['RET']} / blood_volume", "1e9/L", "reticulocyte count"),
        ("reticulocyte_percent", f"100 * {t['RET']} / ({t['RET']} + {t['RBC']})", "1",
         "reticulocytes, % of red cells"),
        ("CD34_per_uL", f"({t['HSC_B']} + {t['MPP_B']} + {t['CMP_B']} + {t['CFU_GM_B']})"
                        f" / blood_volume", "cell/uL",
         "CD34+ HSPCs in blood (HSC, MPP, CMP, CFU-GM), human read-out"),
        ("SKL_per_uL", f"({t['HSC_B']} + {t['MPP_B']}) / blood_volume", "cell/uL",
         "Sca-1+ c-Kit+ Lin- cells in blood (HSC + MPP), mouse read-out"),
        ("CFU_GM_per_mL", f"{t['CFU_GM_B']} / blood_volume", "cell/mL",
         "CFU-GM colony-forming cells per mL of blood"),
        ("marrow_cells", "marrow_relative * marrow_cells0", "1e9 cell",
         "nucleated marrow cells of the modelled lineages"),
        ("marrow_cellularity", "100 * marrow_relative", "1",
         "marrow cellularity, % of steady state"),
        ("marrow_erythroid_percent",
         f"100 * ({nucleated_cells(ERYTHROID_MARROW, genotypes)}) / marrow_cells", "1",
         "erythroid cells (BFU-E, CFU-E, erythroblasts), % of the modelled nucleated marrow "
         "cells (no lymphocytes, plasma cells, monocytic or eosinophilic precursors)"),
        ("marrow_granulocytic_percent",
         f"100 * ({nucleated_cells(GRANULOCYTIC_MARROW, genotypes)}) / marrow_cells", "1",
         "granulocytic cells (CFU-GM, neutrophil precursors and reserve, leukemic blasts), % "
         "of the modelled nucleated marrow cells; over marrow_erythroid_percent it is the "
         "myeloid:erythroid ratio"),
        ("leukemic_blast_percent", f"100 * ({leukemic_blasts(genotypes)}) / marrow_cells", "1",
         "leukemic (maturation-blocked) blasts, % of nucleated marrow cells; the marrow "
         "differential's blast count (AML: 20 % or more; remission: under 5 %) less the "
         "1-3 % normal myeloblasts, which the model does not separate"),
        ("marrow_progenitors",
         " + ".join(t[name] for name in with_stages(("CMP", "CFU_GM", "BFU_E", "MKP"))),
         "1e6 cell", "marrow myeloid progenitors (CFU-GM, CMP, BFU-E, MkP)"),
        ("HSC_number", f"{t['HSC_Q']} + {t['HSC_A']} + {t['HSC_B']}", "cell",
         "HSCs in the animal"),
        ("HSC_cycling_percent", f"100 * {t['HSC_A']} / ({t['HSC_Q']} + {t['HSC_A']})", "1",
         "cycling (non-quiescent) HSCs, % of marrow HSCs"),
        ("HSC_division_interval",
         f"({t['HSC_Q']} + {t['HSC_A']}) / (hsc_division_rate * {t['HSC_A']})", "day",
         "mean time between divisions per HSC"),
    ]
    found = [Observable(*item) for item in readouts]
    found.extend(trafficking_readouts())
    if len(genotypes) > 1:
        for g in genotypes:
            for label, names in (("HSC", ("HSC_Q", "HSC_A")),
                                 ("marrow_progenitors", with_stages(BLAST_POOLS)),
                                 ("neutrophils", ("NEU",)),
                                 ("B_cells", ("B_NF", "B")), ("T_cells", ("T", "T_GRAFT")),
                                 ("platelets", ("PLT",)), ("RBC", ("RBC",))):
                own = " + ".join(cell(n, g.name) for n in names)
                every = " + ".join(t[n] for n in names)
                found.append(Observable(f"chimerism_{label}__{g.name}",
                                        f"100 * ({own}) / ({every})", "1",
                                        f"{g.name} share of {label.replace('_', ' ')}, %"))
    return found
