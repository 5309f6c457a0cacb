"""The built-in models, looked up by name.

The registry is fixed at import; nothing adds to it at run time (architecture principle 3).
Published single-purpose models are fixed values (``MODELS``); the integrated model is a
family built on demand for a species and a set of genotypes (``get_model("hematopoiesis",
species="mouse", genotypes=...)``), each build cached.
"""

from __future__ import annotations

from types import MappingProxyType

from hemasim.model.expressions import suggest
from hemasim.model.model import Model
from hemasim.models.friberg2002 import FRIBERG2002_DOCETAXEL, FRIBERG2002_PACLITAXEL
from hemasim.models.hematopoiesis import SPECIES_KINDS, hematopoiesis_model
from hemasim.models.hematopoiesis.genotype import HOST, Genotype
from hemasim.models.transwell import TRANSWELL_CHEMOTAXIS

MODELS: MappingProxyType[str, Model] = MappingProxyType(
    {model.name: model for model in (FRIBERG2002_DOCETAXEL, FRIBERG2002_PACLITAXEL,
                                     TRANSWELL_CHEMOTAXIS)}
)
"""Fixed models by name."""

MODEL_FAMILIES = MappingProxyType({"hematopoiesis": hematopoiesis_model})
"""Models built for a species and genotypes: name -> builder(species_kind, genotypes)."""


class UnknownModelError(KeyError):
    """A model name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def model_names() -> tuple[str, ...]:
    """Names of all registered models."""
    return (*MODELS, *MODEL_FAMILIES)


def get_model(name: str, species: str | None = None,
              genotypes: tuple[Genotype, ...] | None = None) -> Model:
    """The registered model called ``name``.

    Args:
        name: model name (``hemasim models`` lists them).
        species: ``"human"`` or ``"mouse"`` for the integrated model (default human); a fixed
            model accepts only its own species.
        genotypes: genotypes of the integrated model (default: the host alone).

    Raises ``UnknownModelError`` (listing the known names) or ``ValueError``.
    """
    if name in MODEL_FAMILIES:
        if species is not None and species not in SPECIES_KINDS:
            raise ValueError(f"unknown species '{species}'; known: {', '.join(SPECIES_KINDS)}")
        return MODEL_FAMILIES[name](species or "human", tuple(genotypes or (HOST,)))
    try:
        model = MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model '{name}'{suggest(name, model_names())}; known models: "
            f"{', '.join(model_names())}") from None
    if species is not None and species != model.species_kind:
        raise ValueError(f"model '{name}' is a {model.species_kind} model; species "
                         f"'{species}' is not available")
    if genotypes and tuple(genotypes) != (HOST,):
        raise ValueError(f"model '{name}' has no genotypes; use the 'hematopoiesis' model")
    return model


def scenario_model(scenario) -> Model:
    """The model a ``Scenario`` runs: its name, species and genotypes."""
    return get_model(scenario.model, scenario.species, scenario.genotypes or None)
