"""Built-in in-silico experiments with their published reference values.

The registry is a fixed mapping built at import (no run-time registration).
"""

from __future__ import annotations

from types import MappingProxyType

from hemasim.experiments.experiment import Experiment, ExperimentOutcome
from hemasim.experiments.friberg2002 import FRIBERG2002_DOCETAXEL
from hemasim.experiments.injury import (
    DOCETAXEL_CYCLES_INTEGRATED,
    DOCETAXEL_GCSF_SUPPORT,
    MOUSE_5FU,
)
from hemasim.experiments.invitro import TRANSWELL_INOS
from hemasim.experiments.marrow_failure import APLASTIC_ANEMIA, IL6_AFTER_IRRADIATION, LEUKEMIA
from hemasim.experiments.mobilization import (
    ADAMIAK_2017,
    HUMAN_GCSF_MOBILIZATION,
    HUMAN_PLERIXAFOR,
    MOUSE_AMD3100,
    MOUSE_GCSF_MOBILIZATION,
    MOUSE_MOBILIZATION_MODIFIERS,
)
from hemasim.experiments.steady_state import STEADY_STATE_HUMAN, STEADY_STATE_MOUSE
from hemasim.experiments.target import Target, TargetResult
from hemasim.experiments.transplant import HUMAN_PBSC_TRANSPLANT, MOUSE_BMT
from hemasim.model.expressions import suggest

EXPERIMENTS: MappingProxyType[str, Experiment] = MappingProxyType(
    {experiment.name: experiment for experiment in (
        FRIBERG2002_DOCETAXEL, STEADY_STATE_HUMAN, STEADY_STATE_MOUSE,
        DOCETAXEL_CYCLES_INTEGRATED, MOUSE_5FU, DOCETAXEL_GCSF_SUPPORT, HUMAN_PBSC_TRANSPLANT,
        MOUSE_BMT, IL6_AFTER_IRRADIATION, APLASTIC_ANEMIA, LEUKEMIA, HUMAN_GCSF_MOBILIZATION,
        HUMAN_PLERIXAFOR, MOUSE_GCSF_MOBILIZATION, MOUSE_AMD3100, MOUSE_MOBILIZATION_MODIFIERS,
        ADAMIAK_2017, TRANSWELL_INOS)}
)


class UnknownExperimentError(KeyError):
    """An experiment name that is not built in; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def get_experiment(name: str) -> Experiment:
    """The built-in experiment called ``name``."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise UnknownExperimentError(
            f"unknown experiment '{name}'{suggest(name, EXPERIMENTS)}; built in: "
            f"{', '.join(EXPERIMENTS)}") from None


__all__ = ["EXPERIMENTS", "Experiment", "ExperimentOutcome", "Target", "TargetResult",
           "get_experiment", "UnknownExperimentError"]
