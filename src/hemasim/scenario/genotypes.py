"""Genotypes and knockouts of a scenario file, resolved against the integrated model.

``genotypes`` become ``Genotype`` values (the host first, keeping the share the others leave);
``knockouts`` become parameter overrides of the pathway components (cell components per
genotype, environment components per animal). Problems raise the loader's ``ScenarioError``
through the ``error(key, problem)`` factory it passes in.
"""

from __future__ import annotations

from collections.abc import Callable

from hemasim.model.expressions import suggest
from hemasim.models.hematopoiesis.genotype import (
    CELL_COMPONENTS,
    ENVIRONMENT_COMPONENTS,
    Genotype,
)
from hemasim.scenario.schema import ScenarioFile

ErrorFactory = Callable[[str, str], Exception]


def resolve_genotypes(spec: ScenarioFile, error: ErrorFactory) -> tuple[Genotype, ...]:
    """The host first, then the file's genotypes, then graft donors not declared (wild type,
    none at time zero); the host keeps the share left over."""
    if not spec.genotypes and not spec.transplants:
        return ()
    if spec.model != "hematopoiesis":
        raise error("genotypes" if spec.genotypes else "transplants",
                    f"model '{spec.model}' has no genotypes; use the 'hematopoiesis' model")
    found: dict[str, Genotype] = {}
    for index, item in enumerate(spec.genotypes):
        key = f"genotypes[{index}]"
        if item.name in found:
            raise error(f"{key}.name", f"genotype '{item.name}' is given twice")
        for component in item.modifiers:
            if component not in CELL_COMPONENTS:
                raise error(f"{key}.modifiers.{component}",
                            f"unknown component '{component}'"
                            f"{suggest(component, CELL_COMPONENTS)}; known: "
                            f"{', '.join(CELL_COMPONENTS)}")
        found[item.name] = Genotype(item.name, item.initial_fraction, item.modifiers)
    others = sum(g.initial_fraction for name, g in found.items() if name != "host")
    if others > 1 + 1e-12:
        raise error("genotypes", f"initial fractions add up to {others:g}, more than 1")
    leftover = max(0.0, 1.0 - others)
    host = found.pop("host", Genotype("host"))
    _check_host_share(spec, leftover, error)
    found = {"host": Genotype("host", leftover, host.modifiers), **found}
    for index, transplant in enumerate(spec.transplants):
        donor = transplant.donor
        if donor == "host":
            raise error(f"transplants[{index}].donor", "the graft's donor cannot be the host; "
                        "name the donor genotype (e.g. 'donor')")
        found.setdefault(donor, Genotype(donor, 0.0))
        if transplant_match(spec, index) == "allogeneic":
            found[donor] = _without_recipient_antigens(found[donor])
    return tuple(found.values())


def _check_host_share(spec: ScenarioFile, leftover: float, error: ErrorFactory) -> None:
    """A declared host (to give its own cells modifiers) keeps the share the other genotypes
    leave; an explicit, different ``initial_fraction`` for it is refused rather than
    silently starting the animal with too few or too many cells."""
    for index, item in enumerate(spec.genotypes):
        if (item.name == "host" and "initial_fraction" in item.model_fields_set
                and abs(item.initial_fraction - leftover) > 1e-9):
            raise error(f"genotypes[{index}].initial_fraction",
                        f"the host keeps the share the other genotypes leave ({leftover:g}); "
                        f"leave 'initial_fraction' out for the host (got "
                        f"{item.initial_fraction:g})")


def transplant_match(spec: ScenarioFile, index: int) -> str:
    """``allogeneic`` or ``syngeneic`` for transplant ``index``: as written, else by species
    (clinical grafts come from another person; laboratory mice are inbred or congenic)."""
    written = spec.transplants[index].match
    if written is not None:
        return written
    return "allogeneic" if (spec.species or "human") == "human" else "syngeneic"


def _without_recipient_antigens(genotype: Genotype) -> Genotype:
    """An allogeneic donor's cells lack the recipient's minor antigens (unless the file set
    ``recipient_antigens`` for that genotype itself)."""
    modifiers = dict(genotype.modifiers)
    modifiers.setdefault("recipient_antigens", 0.0)
    return Genotype(genotype.name, genotype.initial_fraction, modifiers)


def knockout_overrides(spec: ScenarioFile, genotypes: tuple[Genotype, ...],
                       error: ErrorFactory) -> tuple[tuple[str, float, None], ...]:
    """Knockouts as parameter overrides (component parameters scaled from time zero)."""
    overrides = []
    genotype_names = [g.name for g in (genotypes or (Genotype("host"),))]
    for index, item in enumerate(spec.knockouts):
        key = f"knockouts[{index}]"
        if spec.model != "hematopoiesis":
            raise error(key, f"model '{spec.model}' has no pathway components; "
                        "use the 'hematopoiesis' model")
        in_cells = item.component in CELL_COMPONENTS
        if item.component in ENVIRONMENT_COMPONENTS:
            if item.genotype != "all" and not in_cells:
                raise error(f"{key}.genotype", f"'{item.component}' belongs to the "
                            "animal, not to one genotype's cells")
            if item.genotype == "all":
                # the whole animal: the environment's copy, and the cells' copy if any
                overrides.append((f"{item.component}_production", item.scale, None))
                if not in_cells:
                    continue
        known = list(dict.fromkeys([*CELL_COMPONENTS, *ENVIRONMENT_COMPONENTS]))
        if not in_cells:
            raise error(f"{key}.component", f"unknown pathway component "
                        f"'{item.component}'{suggest(item.component, known)}; known "
                        f"components: {', '.join(known)}")
        if item.genotype != "all" and item.genotype not in genotype_names:
            raise error(f"{key}.genotype", f"unknown genotype '{item.genotype}'; "
                        f"genotypes: {', '.join(genotype_names)}")
        targets = genotype_names if item.genotype == "all" else [item.genotype]
        overrides.extend((f"{item.component}__{name}", item.scale, None) for name in targets)
    return tuple(overrides)
