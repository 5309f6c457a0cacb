"""The built-in models, looked up by name.

The registry is a fixed mapping built at import; nothing adds to it at run time
(architecture principle 3).
"""

from __future__ import annotations

from types import MappingProxyType

from hemasim.model.expressions import suggest
from hemasim.model.model import Model
from hemasim.models.friberg2002 import FRIBERG2002_DOCETAXEL, FRIBERG2002_PACLITAXEL

MODELS: MappingProxyType[str, Model] = MappingProxyType(
    {model.name: model for model in (FRIBERG2002_DOCETAXEL, FRIBERG2002_PACLITAXEL)}
)


class UnknownModelError(KeyError):
    """A model name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def get_model(name: str) -> Model:
    """The registered model called ``name``; ``UnknownModelError`` lists the known names."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model '{name}'{suggest(name, MODELS)}; known models: {', '.join(MODELS)}"
        ) from None


def model_names() -> tuple[str, ...]:
    """Names of all registered models."""
    return tuple(MODELS)
