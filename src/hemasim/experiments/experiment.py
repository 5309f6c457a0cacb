"""Built-in in-silico experiments: a scenario, read-outs and published reference values."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import xarray as xr

from hemasim.experiments.target import Target, TargetResult


@dataclass(frozen=True)
class ExperimentOutcome:
    """What an experiment produced: its simulations and each target's model value.

    Attributes:
        experiment: the experiment.
        result: the main arm's simulation.
        readouts: target id -> model value.
        arms: arm label -> simulation, the main arm first (one entry for a one-arm
            experiment).
    """

    experiment: Experiment
    result: xr.Dataset
    readouts: dict[str, float]
    arms: dict[str, xr.Dataset] = field(default_factory=dict)

    def target_results(self) -> list[TargetResult]:
        return [TargetResult(t, self.experiment.name, self.readouts.get(t.id, float("nan")))
                for t in self.experiment.targets]

    def prediction_rows(self) -> list[dict]:
        """One row per prediction: its model value and the direction it shows."""
        return [p.as_row(self.readouts.get(p.id, float("nan")))
                for p in self.experiment.predictions]


@dataclass(frozen=True)
class Prediction:
    """A read-out the model predicts where no published value is available to judge it.

    Attributes:
        id: short identifier.
        observable: what is computed, with its unit.
        neutral: the value meaning "no effect" (1 for a ratio, 0 for a difference).
        rationale: why the model predicts what it does (the mechanism).
    """

    id: str
    observable: str
    neutral: float
    rationale: str

    def direction(self, value: float) -> str:
        """``higher``, ``lower`` or ``unchanged`` (within 1 % of the neutral value)."""
        if not math.isfinite(value):
            return "not computed"
        scale = max(abs(self.neutral), 1.0)
        if abs(value - self.neutral) <= 0.01 * scale:
            return "unchanged"
        return "higher" if value > self.neutral else "lower"

    def as_row(self, value: float) -> dict:
        return {"id": self.id, "observable": self.observable,
                "model": None if not math.isfinite(value) else round(float(value), 6),
                "direction": self.direction(value), "rationale": self.rationale}


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
        arms: further arms compared with the main one, as (label, scenario file) pairs;
            when given, ``readouts`` receives a dict label -> result with the main arm
            under ``main_label`` first.
        main_label: label of the main arm in multi-arm experiments.
        predictions: read-outs without a published value, printed with their direction.
    """

    name: str
    title: str
    description: str
    scenario_file: str
    targets: tuple[Target, ...]
    readouts: Callable[[xr.Dataset], dict[str, float]]
    figure_variables: tuple[str, ...] = ()
    arms: tuple[tuple[str, str], ...] = ()
    main_label: str = "main"
    predictions: tuple[Prediction, ...] = ()

    def scenario_path(self, file_name: str | None = None) -> Path:
        return Path(str(resources.files("hemasim.experiments") / "scenarios" /
                        (file_name or self.scenario_file)))

    def arm_files(self) -> tuple[tuple[str, str], ...]:
        """(label, scenario file) of every arm, the main arm first."""
        return ((self.main_label, self.scenario_file), *self.arms)

    def arm_scenario(self, file_name: str, parameters: Mapping[str, str | float] | None = None):
        """One arm's scenario, with ``parameters`` overriding the file's own values.

        Args:
            file_name: the arm's scenario file (see ``arm_files``).
            parameters: parameter name -> value, a number in the parameter's unit or text
                with a unit ('100 pg/mL'); checked as a scenario file's ``parameters`` are.

        Raises:
            ScenarioError: an unknown parameter, a wrong unit or an implausible value.
        """
        from hemasim.scenario.loading import load_scenario

        return load_scenario(self.scenario_path(file_name), parameters)

    def arm_parameter_names(self) -> dict[str, set[str]]:
        """Arm scenario file -> names of the parameters of the model that arm runs."""
        from hemasim.models import scenario_model

        return {file_name: set(scenario_model(self.arm_scenario(file_name)).parameter_names)
                for _, file_name in self.arm_files()}

    def parameter_names(self) -> set[str]:
        """Names of the parameters of the models its arms run (what ``run`` can change)."""
        return set().union(*self.arm_parameter_names().values())

    def run(self, parameters: Mapping[str, str | float] | None = None) -> ExperimentOutcome:
        """Load each arm's scenario, simulate it with the default engine and compute the
        read-outs.

        Args:
            parameters: parameter name -> value applied on top of each arm's scenario (a
                what-if against the same published references); an arm whose model lacks a
                parameter that another arm's model has runs without it (an experiment can
                pair an in-vitro model with the integrated one); default none.

        Raises:
            ScenarioError: a parameter no arm's model has, a wrong unit or an implausible
                value.
        """
        from hemasim.models import scenario_model
        from hemasim.solve.simulate import simulate

        per_arm = {file_name: parameters for _, file_name in self.arm_files()}
        if parameters:
            known = self.arm_parameter_names()
            anywhere = set().union(*known.values())
            per_arm = {file_name: {name: value for name, value in parameters.items()
                                   if name in names or name not in anywhere}
                       for file_name, names in known.items()}  # unknown anywhere: refused
        scenarios = {label: self.arm_scenario(file_name, per_arm[file_name])
                     for label, file_name in self.arm_files()}  # all checked before any run
        results = {label: simulate(scenario_model(scenario), scenario)
                   for label, scenario in scenarios.items()}
        main = results[self.main_label]
        readouts = {key: float(value) for key, value in
                    self.readouts(results if self.arms else main).items()}
        return ExperimentOutcome(self, main, readouts, results)
