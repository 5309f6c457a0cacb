"""Genotypes: copies of the cell hierarchy that share one environment.

Every cell population of the integrated model is indexed by genotype (the host, a donor, a
leukemic clone, a knockout). A genotype is the same structure with its own copies of the
cell-intrinsic pathway components (receptors, self-renewal), which scale that genotype's
parameters; the niche, the cytokines and the drugs are shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

CELL_COMPONENTS = MappingProxyType({
    "self_renewal": "HSC self-renewal propensity (scales the maximal self-renewal fraction)",
    "gcsf_receptor": "G-CSF receptor (CSF3R) on granulocytic progenitors and neutrophils",
    "mpl": "thrombopoietin receptor c-Mpl on HSCs, megakaryocytes and platelets",
    "epo_receptor": "erythropoietin receptor on CFU-E",
    "il6_receptor": "IL-6 receptor signalling (gp130) in HSCs and myeloid progenitors",
    "progenitor_self_renewal": "MPP/ST-HSC self-renewal propensity (scales the maximal MPP "
                        "self-renewal fraction; a leukemic advantage)",
    "progenitor_proliferation": "MPP/ST-HSC division rate (scales the MPP division rate; "
                                "leukemic stem-like cells divide faster, Stiehl 2015)",
    "niche_affinity": "affinity for the HSC niche (scales the return of cycling HSCs into "
                      "free niches)",
    "maturation": "ability of progenitors to mature into precursors (scales every myeloid "
                  "and erythroid amplification; a leukemic maturation block lowers it)",
    "immune_target": "recognition of the genotype's HSPCs by autoreactive T cells (aplastic "
                     "anemia)",
    "recipient_antigens": "the transplant recipient's minor histocompatibility antigens on the "
                          "genotype's cells: 1 for the host and clones arising in it, 0 for "
                          "the donor of an allogeneic graft, whose T cells then attack the "
                          "cells that carry them (graft-versus-leukemia)",
    "cxcr4": "CXCR4, the SDF-1 receptor, on the genotype's HSPCs and neutrophils (marrow "
             "retention and homing)",
    "inos": "inducible nitric oxide synthase (iNOS, NOS2) in the genotype's HSPCs and "
            "granulocytes",
    "ho1": "heme oxygenase-1 (HO-1, HMOX1) in the genotype's HSPCs and granulocytes",
    "s1p_receptor": "S1P receptor S1P1 on the genotype's HSPCs (pull toward plasma S1P)",
})
"""Pathway components carried by the cells of each genotype (name -> what it is)."""

ENVIRONMENT_COMPONENTS = MappingProxyType({
    "gcsf": "G-CSF production",
    "tpo": "thrombopoietin production (liver)",
    "epo": "erythropoietin production (kidney)",
    "il6": "IL-6 production (marrow stroma, inflammation)",
    "inos": "iNOS of the marrow environment (stroma, host myeloid cells)",
    "ho1": "HO-1 of the marrow environment (stroma, macrophages)",
    "c3": "complement component C3",
    "c5": "complement component C5",
    "s1p": "S1P production (red cells, sphingosine kinases)",
    "sdf1": "marrow SDF-1 (CXCL12) production by osteoblasts and stroma",
})
"""Components of the shared environment (name -> what it is); one copy per animal. A name
that is also a cell component (iNOS, HO-1) knocked out for the whole animal is removed from
both the environment and every genotype's cells."""


@dataclass(frozen=True)
class Genotype:
    """One genotype of cells.

    Attributes:
        name: identifier used as the suffix of its species and parameters (``host``, ``donor``).
        initial_fraction: share of the steady-state host populations this genotype holds at
            the start (the host holds 1 by default, added genotypes 0).
        modifiers: (component, scale) pairs: the scale factor of a cell-intrinsic component
            in this genotype (0 knocks it out, 1.1 raises it by 10 %); see
            ``CELL_COMPONENTS``. A mapping is accepted and stored as sorted pairs.
    """

    name: str
    initial_fraction: float = 1.0
    modifiers: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"genotype name '{self.name}' must be an identifier")
        if not self.initial_fraction >= 0:
            raise ValueError(f"genotype '{self.name}': initial_fraction must be >= 0")
        pairs = dict(self.modifiers.items() if hasattr(self.modifiers, "items")
                     else self.modifiers)
        for component, scale in pairs.items():
            if component not in CELL_COMPONENTS:
                known = ", ".join(CELL_COMPONENTS)
                raise ValueError(f"genotype '{self.name}': unknown component '{component}'; "
                                 f"known components: {known}")
            if not scale >= 0:
                raise ValueError(f"genotype '{self.name}': {component} scale must be >= 0")
        object.__setattr__(self, "modifiers",
                           tuple(sorted((c, float(v)) for c, v in pairs.items())))

    def scale_of(self, component: str) -> float:
        """The scale of ``component`` in this genotype (1 when not modified)."""
        return dict(self.modifiers).get(component, 1.0)


HOST = Genotype("host")
