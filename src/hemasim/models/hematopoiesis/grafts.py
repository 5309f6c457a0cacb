"""Graft sources for transplantation: which cells a graft of each source contains.

A graft's stem and progenitor cells are a sample of the donor's marrow at steady state: the
model's own pool sizes (HSC, MPP, CMP, CFU-GM) give the composition, so a graft is
consistent with the donor it comes from. What differs between sources is what the dose
counts, which pools are present, and how many T cells come along.

Composition per counted cell:

* ``nucleated``: each pool divided by the measured nucleated cells of the whole marrow
  (``marrow_nucleated_cells``: Harrison 1962, Colvin 2004): a marrow graft dosed as
  nucleated cells (mice, and some human BM grafts). The model's own marrow pools cover only
  the modelled lineages (human: 588 of 728 x10^9 cells; mouse: 202 of 466 x10^6, because its
  granulocytic precursors are sized from the blood count), so they are not used as the
  denominator;
* ``CD34``: each pool divided by the CD34+ pools (HSC + MPP + CMP + CFU-GM, the cells the
  ``CD34_per_uL`` read-out counts): clinical grafts dosed as CD34+ cells per kg;
* ``sorted``: HSC and MPP only (Lin- Sca-1+ c-Kit+ sorting), divided by their sum.
"""

from __future__ import annotations

from dataclasses import dataclass

from hemasim.model.declaration import Source, assumed

GRAFT_POOLS = ("HSC", "MPP", "CMP", "CFU_GM")
"""Stem and progenitor pools a graft carries; each enters the donor's blood pool."""

BLOOD_POOL = {"HSC": "HSC_B", "MPP": "MPP_B", "CMP": "CMP_B", "CFU_GM": "CFU_GM_B"}
"""Blood species (before the genotype suffix) a graft pool is infused into."""

STEADY_STATE_SIZE = {"HSC": ("hsc_total", "cell"), "MPP": ("mpp_count", "1e6 cell"),
                     "CMP": ("cmp_count", "1e6 cell"), "CFU_GM": ("cfu_gm_count", "1e6 cell")}
"""Parameter holding each pool's steady-state size, and its unit."""


@dataclass(frozen=True)
class GraftSource:
    """What a graft of one source contains besides its stem and progenitor cells.

    Attributes:
        name: ``bone_marrow``, ``mobilized_blood`` or ``sorted_hspc``.
        pools: stem and progenitor pools present.
        counted: default of what the dose counts (``nucleated``, ``CD34`` or ``sorted``).
        t_cells_per_counted_cell: mature T cells infused per counted cell.
        source: where the T-cell content comes from.
    """

    name: str
    pools: tuple[str, ...]
    counted: str
    t_cells_per_counted_cell: float
    source: Source


GRAFT_SOURCES: dict[str, GraftSource] = {
    "bone_marrow": GraftSource(
        "bone_marrow", GRAFT_POOLS, "nucleated", 0.03,
        assumed("T cells are about 3 % of nucleated marrow cells [recall]")),
    "mobilized_blood": GraftSource(
        "mobilized_blood", GRAFT_POOLS, "CD34", 50.0,
        assumed("G-CSF-mobilized blood grafts carry about 2-3 x10^8 CD3+ per kg with 4-5 "
                "x10^6 CD34+ per kg, about 10 times the T cells of a marrow graft (Champlin "
                "2000 discussion) [recall]; HSPC composition as marrow (repopulating cells "
                "per CD34+ cell similar in both sources)")),
    "sorted_hspc": GraftSource(
        "sorted_hspc", ("HSC", "MPP"), "sorted", 0.0,
        assumed("sorting removes mature T cells")),
}
"""The graft sources a scenario can name."""


def composition(source: GraftSource, counted: str, sizes: dict[str, float],
                marrow_cells: float) -> dict[str, float]:
    """Cells of each pool per counted cell (cells per cell).

    Args:
        source: the graft source.
        counted: ``nucleated``, ``CD34`` or ``sorted``.
        sizes: steady-state size of each pool of ``GRAFT_POOLS``, cells.
        marrow_cells: measured nucleated cells of the whole marrow, cells.
    """
    if counted == "nucleated":
        denominator = marrow_cells
    elif counted == "CD34":
        denominator = sum(sizes[pool] for pool in GRAFT_POOLS)
    else:
        denominator = sum(sizes[pool] for pool in source.pools)
    return {pool: sizes[pool] / denominator for pool in source.pools}
