"""Reading a scenario file into a ``Scenario``: YAML, the file format, then the model.

Three steps, each reporting its problems as a one-line ``ScenarioError`` that names the file,
the key (``doses[0].dose``) and the problem:

1. YAML text -> a mapping (malformed YAML and duplicate keys are reported with a line);
2. the mapping -> ``schema.ScenarioFile`` (keys, types, times, rules between keys);
3. the checked file -> ``events.Scenario``, resolved against its model: drug, route,
   parameter and species names, dose and value units. Regimens are expanded into single
   doses, times are converted to days and values to the unit of what they change.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import pint
import yaml
from pydantic import ValidationError

from hemasim.model.expressions import suggest
from hemasim.model.model import Model
from hemasim.models import UnknownModelError, get_model
from hemasim.models.hematopoiesis.genotype import Genotype
from hemasim.scenario.apheresis import apheresis_windows
from hemasim.scenario.endpoint_requests import scenario_endpoints
from hemasim.scenario.events import (
    Dose,
    DoseBasis,
    Event,
    ParameterChange,
    Scenario,
    StateJump,
    Subject,
)
from hemasim.scenario.fields import describe_dimension, time_in_days
from hemasim.scenario.genotypes import knockout_overrides, resolve_genotypes
from hemasim.scenario.injury import irradiation_jumps, transplant_jumps
from hemasim.scenario.schema import (
    DoseSpec,
    ParameterChangeSpec,
    ScenarioFile,
    StateChangeSpec,
)
from hemasim.scenario.validation_messages import first_problem, kind_of
from hemasim.scenario.yaml_reading import UniqueKeyLoader, yaml_problem
from hemasim.units import parse_quantity, parse_unit

_NUMBER_THEN_UNIT = re.compile(
    r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_BASIS_SUFFIXES: tuple[tuple[re.Pattern[str], DoseBasis], ...] = (
    (re.compile(r"\s*/\s*kg\s*$"), "per_kg"),
    (re.compile(r"\s*/\s*m\s*(?:2|\^\s*2|\*\*\s*2)\s*$"), "per_m2"),
)
_TOLERANCE_DAYS = 1e-9


class ScenarioError(ValueError):
    """A scenario that cannot be read: which file, which key, what is wrong, on one line.

    Attributes:
        file: the file the scenario came from, or ``None`` for a scenario given as data.
        key: dotted path of the offending key (``doses[0].dose``); empty when the problem
            concerns the whole file (missing file, malformed YAML).
        problem: what is wrong, in plain words.
    """

    def __init__(self, file: str | None, key: str, problem: str):
        super().__init__(file, key, problem)
        self.file = file
        self.key = key
        self.problem = problem

    def __str__(self) -> str:
        parts = [self.file or "<scenario>", self.key, self.problem]
        return ": ".join(part for part in parts if part)


# -- entry points ---------------------------------------------------------------------------
def load_scenario(path: str | os.PathLike[str],
                  parameters: Mapping[str, str | float] | None = None) -> Scenario:
    """Read and check the scenario file at ``path``.

    Args:
        path: a YAML scenario file.
        parameters: parameter name -> value overriding the file's ``parameters`` (a number
            in the parameter's unit or text with a unit), checked as the file's are.

    Raises:
        ScenarioError: naming the file, the key and the problem.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, "", "is a directory, not a scenario file") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "is not UTF-8 text") from None
    except OSError as error:
        raise ScenarioError(source, "", f"cannot be read ({error.strerror})") from None
    return scenario_from_yaml_text(text, source, parameters)


def scenario_from_yaml_text(text: str, source: str | None = None,
                            parameters: Mapping[str, str | float] | None = None) -> Scenario:
    """Check a scenario given as YAML text.

    Args:
        text: the YAML document.
        source: where the text came from, used in error messages (a file name).
        parameters: parameter overrides on top of the document's own (see ``load_scenario``).

    Raises:
        ScenarioError: naming the source, the key and the problem.
    """
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader
    except yaml.MarkedYAMLError as error:
        raise ScenarioError(source, "", yaml_problem(error)) from None
    except yaml.YAMLError as error:
        raise ScenarioError(source, "", f"malformed YAML: {error}") from None
    if data is None:
        raise ScenarioError(source, "", "the file is empty; expected a mapping with the keys "
                                        "name, model and duration at least")
    return scenario_from_dict(with_parameters(data, parameters), source)


def with_parameters(data: Any, parameters: Mapping[str, str | float] | None) -> Any:
    """A scenario document with ``parameters`` overriding its own ``parameters`` mapping
    (anything that is not a mapping is returned as it is, for the checks to report)."""
    own = data.get("parameters") if isinstance(data, Mapping) else None
    if not parameters or not isinstance(data, Mapping) or not isinstance(own or {}, Mapping):
        return data
    return {**data, "parameters": {**(own or {}), **parameters}}


def scenario_text_with_parameters(text: str, parameters: Mapping[str, str | float] | None
                                  ) -> str:
    """The YAML text of a scenario with ``parameters`` written into it (``text`` itself when
    there are none), so that a stored scenario reloads with the same overrides."""
    if not parameters:
        return text
    data = with_parameters(yaml.load(text, Loader=UniqueKeyLoader), parameters)
    return ("# the scenario file with the command line's --parameter changes written in\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def scenario_from_dict(data: Mapping[str, Any], source: str | None = None) -> Scenario:
    """Check a scenario given as data (the mapping a YAML file holds).

    Args:
        data: keys and values as in a scenario file (times and quantities as text).
        source: where the data came from, used in error messages (a file name).

    Raises:
        ScenarioError: naming the source, the key and the problem.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(source, "", "the top level must be a mapping of keys (name, "
                                        f"model, duration, ...), not {kind_of(data)}")
    try:
        spec = ScenarioFile.model_validate(dict(data))
    except ValidationError as error:
        raise _from_validation_error(error, source) from None
    return _Resolution(spec, source).scenario()


def default_scenario_path() -> Path:
    """Path of the built-in default scenario (one cycle of docetaxel, Friberg 2002)."""
    return Path(str(files("hemasim.scenario").joinpath("builtin", "default.yaml")))


def default_scenario() -> Scenario:
    """The built-in default scenario, read and checked."""
    return load_scenario(default_scenario_path())


# -- step 1: YAML ---------------------------------------------------------------------------
# -- step 2: the file format (messages: ``validation_messages``) -------------------------
def _from_validation_error(error: ValidationError, source: str | None) -> ScenarioError:
    """The first problem of a pydantic error as a ``ScenarioError``."""
    return ScenarioError(source, *first_problem(error))


# -- step 3: the model ----------------------------------------------------------------------
def _dose_amount(text: str, species_unit: str) -> tuple[float, str, DoseBasis]:
    """Split dose text into amount, unit text and basis, checking its dimension.

    Args:
        text: dose as written (``"100 mg/m2"``, ``"10 ug/kg"``, ``"150 mg"``).
        species_unit: unit of the state the dose enters (``"mg"``).

    Returns:
        amount (in the returned unit), unit text as written (``"mg"``) and basis.

    Raises:
        ValueError: with a one-line message.
    """
    target = parse_unit(species_unit)
    expected = (f"expected {describe_dimension(target)} with a unit, e.g. "
                f"'100 {species_unit}/m2'")
    basis: DoseBasis = "absolute"
    rest = text
    for pattern, suffix_basis in _BASIS_SUFFIXES:
        if pattern.search(rest):
            rest, basis = pattern.sub("", rest), suffix_basis
            break
    match = _NUMBER_THEN_UNIT.match(rest)
    if match is None:
        raise ValueError(f"{expected} (got '{text}')")
    amount, unit = float(match[1]), match[2]
    if not unit:
        raise ValueError(f"{expected} (got '{text}', no unit)")
    try:
        quantity = parse_unit(unit)
    except Exception:  # pint raises several error types on text that is no unit
        raise ValueError(f"{expected}; '{unit}' is not a known unit") from None
    if quantity.dimensionality != target.dimensionality:
        raise ValueError(f"{expected} (got '{text}': '{unit}' is "
                         f"{describe_dimension(quantity)})")
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"must be a finite amount, zero or more (got '{text}')")
    return amount, unit, basis


def _in_unit(value: str | float, unit: str, owner: str) -> float:
    """A value as written, in ``unit``: a bare number is already in it, text with a unit is
    converted.

    Args:
        value: a number, or text with or without a unit (``"90 h"``, ``"0.16"``).
        unit: the unit wanted (the parameter's or species' own unit).
        owner: what the value belongs to, for messages (``"parameter 'MTT'"``).

    Raises:
        ValueError: with a one-line message when the text is no quantity or has the wrong
            dimension.
    """
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER_THEN_UNIT.match(value)
    if match is not None and not match[2]:
        return float(match[1])
    try:
        quantity = parse_quantity(value)
    except Exception:  # pint raises several error types on text that is no quantity
        raise ValueError(f"expected a number or a number with a unit, e.g. '1 {unit}' "
                         f"(got '{value}')") from None
    try:
        converted = float((quantity / parse_unit(unit)).to("dimensionless").magnitude)
    except pint.DimensionalityError:
        raise ValueError(f"'{value}' is {describe_dimension(quantity)}, but {owner} is in "
                         f"'{unit}' ({describe_dimension(parse_unit(unit))})") from None
    if not math.isfinite(converted):
        raise ValueError(f"expected a finite value (got '{value}')")
    return converted


class _Resolution:
    """A checked file being resolved against its model; every method raises
    ``ScenarioError`` naming the key it was working on.

    Args:
        spec: the checked file.
        source: file name for messages, or ``None``.
    """

    def __init__(self, spec: ScenarioFile, source: str | None):
        self.spec = spec
        self.source = source
        self.duration = time_in_days(spec.duration)
        try:
            get_model(spec.model)
        except UnknownModelError as error:
            raise self.error("model", str(error)) from None
        self.genotypes = self.resolve_genotypes()
        try:
            self.model: Model = get_model(spec.model, spec.species, self.genotypes or None)
        except ValueError as error:
            key = "species" if spec.species is not None and "species" in str(error) \
                else "genotypes"
            raise self.error(key, str(error)) from None

    def error(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, key, problem)

    def scenario(self) -> Scenario:
        spec = self.spec
        events: list[Event] = []
        for index, dose in enumerate(spec.doses):
            events.extend(self.doses(f"doses[{index}]", dose))
        for index, change in enumerate(spec.parameter_changes):
            events.append(self.parameter_change(f"parameter_changes[{index}]", change))
        for index, jump in enumerate(spec.state_changes):
            events.append(self.state_jump(f"state_changes[{index}]", jump))
        subject = self.subject()
        knockouts = self.knockouts()
        overrides = {name: value for name, value, _ in (
            *(self.parameter_override(name, value) for name, value in spec.parameters.items()),
            *knockouts)}
        for index, item in enumerate(spec.irradiation):
            events.extend(irradiation_jumps(f"irradiation[{index}]", item, self.model,
                                            overrides, self.time, self.error))
        for index, item in enumerate(spec.transplants):
            events.extend(transplant_jumps(f"transplants[{index}]", item, self.model,
                                           subject.weight_kg, overrides, self.time,
                                           self.error))
        for index, item in enumerate(spec.apheresis):
            events.extend(apheresis_windows(f"apheresis[{index}]", item, self.model,
                                            self.time, self.error))
        body = []
        if self.model.name == "hematopoiesis" and "body_weight" not in spec.parameters:
            body = [("body_weight", subject.weight_kg, None)]
        # A knockout animal lives at its own steady state; seeded genotypes start as seeded.
        start = spec.start or ("steady_state" if knockouts else "declared")
        return Scenario(
            name=spec.name,
            model=spec.model,
            duration=self.duration,
            output_step=time_in_days(spec.output_step),
            events=tuple(events),
            subject=subject,
            parameters=(*body, *(self.parameter_override(name, value)
                                 for name, value in spec.parameters.items()), *knockouts),
            description=spec.description.strip(),
            patients=spec.patients,
            seed=spec.seed,
            source=self.source,
            species=spec.species,
            genotypes=self.genotypes,
            start=start,
            endpoints=scenario_endpoints(spec.endpoints, self.model, spec.transplants,
                                         self.duration, self.error),
        )

    def subject(self) -> Subject:
        """Body size: the file's, or the species' default (70 kg, 1.8 m2 / 25 g, 84 cm2)."""
        given = self.spec.model_fields_set
        subject = self.spec.subject
        if self.model.species_kind == "mouse" and "subject" not in given:
            # Mouse body surface by Meeh's formula, 9.82 * (25 g)^(2/3) cm2.
            return Subject(weight_kg=0.025, bsa_m2=0.0084)
        return Subject(
            weight_kg=float(parse_quantity(subject.weight).to("kg").magnitude),
            bsa_m2=float(parse_quantity(subject.bsa).to("m**2").magnitude),
        )

    def resolve_genotypes(self) -> tuple[Genotype, ...]:
        return resolve_genotypes(self.spec, self.error)

    def knockouts(self) -> tuple[tuple[str, float, None], ...]:
        return knockout_overrides(self.spec, self.genotypes, self.error)

    def time(self, key: str, text: str) -> float:
        """An event time in days, which must come before the end of the run (an event at the
        very end would have no effect)."""
        value = time_in_days(text)
        if value >= self.duration - _TOLERANCE_DAYS:
            raise self.error(key, f"'{text}' is at or after the end of the run "
                                  f"(duration {self.spec.duration})")
        return value

    def parameter_name(self, key: str, name: str) -> str:
        names = self.model.parameter_names
        if name not in names:
            hint = suggest(name, names) or f"; parameters: {', '.join(names)}"
            raise self.error(key, f"unknown parameter '{name}' of model "
                                  f"'{self.model.name}'{hint}")
        return name

    def doses(self, key: str, spec: DoseSpec) -> list[Dose]:
        model = self.model
        if spec.drug not in model.drugs:
            hint = suggest(spec.drug, model.drugs)
            raise self.error(f"{key}.drug", f"unknown drug '{spec.drug}'{hint}; model "
                                            f"'{model.name}' accepts: "
                                            f"{', '.join(model.drugs) or 'no drugs'}")
        try:
            target = model.dosing_target(spec.drug, spec.route)
        except KeyError as error:
            raise self.error(f"{key}.route", str(error.args[0])) from None
        species_unit = model.species_named(target.species).unit
        try:
            amount, unit, basis = _dose_amount(spec.dose, species_unit)
        except ValueError as error:
            raise self.error(f"{key}.dose", str(error)) from None
        start = self.time(f"{key}.at", spec.at)
        interval = time_in_days(spec.every) if spec.every is not None else 0.0
        duration = time_in_days(spec.infusion) if spec.infusion is not None else 0.0
        times = [start + count * interval for count in range(spec.times)]
        if times[-1] >= self.duration - _TOLERANCE_DAYS:
            raise self.error(f"{key}.times", f"administration {spec.times} of {spec.times} "
                                             f"at day {times[-1]:g} is at or after the end of "
                                             f"the run (duration {self.spec.duration})")
        return [Dose(drug=spec.drug, time=time, amount=amount, unit=unit, basis=basis,
                     route=spec.route, duration=duration) for time in times]

    def parameter_override(self, name: str, value: str | float) -> tuple[str, float, None]:
        key = f"parameters.{name}"
        return name, self.plausible(key, self.parameter_name(key, name), value), None

    def plausible(self, key: str, name: str, value: str | float, scale: float = 1.0) -> float:
        """``value`` (times ``scale``) in the unit of parameter ``name``, refused outside the
        parameter's plausible range (a window's value is held to it as an override is)."""
        parameter = self.model.parameter(name)
        try:
            converted = _in_unit(value, parameter.unit, f"parameter '{name}'") * scale
        except ValueError as error:
            raise self.error(key, str(error)) from None
        low, high = parameter.bounds
        if not low <= converted <= high:
            unit = "" if parameter.unit in ("1", "dimensionless") else f" {parameter.unit}"
            given = f"{value!r}{f' x {scale:g}' if scale != 1 else ''}"
            if isinstance(value, str) or scale != 1:  # show what it came to
                given += f" ({converted:g}{unit})"
            raise self.error(key, f"{given} is outside the plausible "
                                  f"range of '{name}', [{low:g}, {high:g}]{unit}")
        return converted

    def parameter_change(self, key: str, spec: ParameterChangeSpec) -> ParameterChange:
        name = self.parameter_name(f"{key}.parameter", spec.parameter)
        start = self.time(f"{key}.from", spec.start)
        end = time_in_days(spec.until) if spec.until is not None else math.inf
        if spec.scale is not None:
            base = self.spec.parameters.get(spec.parameter, self.model.parameter(name).value)
            self.plausible(f"{key}.scale", name, base, spec.scale)  # of the run's own value
            return ParameterChange(parameter=name, start=start, end=end, scale=spec.scale)
        value = self.plausible(f"{key}.value", name, spec.value)
        return ParameterChange(parameter=name, start=start, end=end, value=value)

    def state_jump(self, key: str, spec: StateChangeSpec) -> StateJump:
        names = self.model.species_names
        if spec.species not in names:
            hint = suggest(spec.species, names) or f"; species: {', '.join(names)}"
            raise self.error(f"{key}.species", f"unknown species '{spec.species}' of model "
                                               f"'{self.model.name}'{hint}")
        time = self.time(f"{key}.at", spec.at)
        if spec.scale is not None:
            return StateJump(species=spec.species, time=time, mode="scale", value=spec.scale)
        mode, given = ("add", spec.add) if spec.add is not None else ("set", spec.set_to)
        unit = self.model.species_named(spec.species).unit
        try:
            value = _in_unit(given, unit, f"species '{spec.species}'")
        except ValueError as error:
            raise self.error(f"{key}.{mode}", str(error)) from None
        if mode == "set" and value < 0:
            raise self.error(f"{key}.set", f"a state cannot be set below zero (got '{given}')")
        return StateJump(species=spec.species, time=time, mode=mode, value=value)
