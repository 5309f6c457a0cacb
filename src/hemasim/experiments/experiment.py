"""Built-in in-silico experiments: a scenario, read-outs and published reference values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import xarray as xr

from hemasim.experiments.target import Target, TargetResult


@dataclass(frozen=True)
class ExperimentOutcome:
    """What an experiment produced: its simulation and each target's model value."""

    experiment: Experiment
    result: xr.Dataset
    readouts: dict[str, float]

    def target_results(self) -> list[TargetResult]:
        return [TargetResult(t, self.experiment.name, self.readouts.get(t.id, float("nan")))
                for t in self.experiment.targets]


@dataclass(frozen=True)
class Experiment:
    """A published experiment as a runnable scenario with its reference values.

    Attributes:
        name: ``hemasim experiment NAME``.
        title: one line.
        description: what was done and what is compared.
        scenario_file: scenario file name under ``hemasim/experiments/scenarios``.
        targets: reference values with sources.
        readouts: function of the simulation result giving target id -> model value.
        figure_variables: variables shown in the experiment's figure.
    """

    name: str
    title: str
    description: str
    scenario_file: str
    targets: tuple[Target, ...]
    readouts: Callable[[xr.Dataset], dict[str, float]]
    figure_variables: tuple[str, ...] = ()

    def scenario_path(self) -> Path:
        return Path(str(resources.files("hemasim.experiments") / "scenarios" /
                        self.scenario_file))

    def run(self) -> ExperimentOutcome:
        """Load the scenario, simulate it with the default engine and compute the read-outs."""
        from hemasim.models import scenario_model
        from hemasim.scenario.loading import load_scenario
        from hemasim.solve.simulate import simulate

        scenario = load_scenario(self.scenario_path())
        result = simulate(scenario_model(scenario), scenario)
        return ExperimentOutcome(self, result, self.readouts(result))
