"""From scenario events to integration segments, parameter vectors and state jumps.

The span [0, duration] is cut at every event time. Within a segment the parameters are
constant (parameter windows and infusion inputs switch only at cuts); bolus doses and state
jumps apply at the start of the segment they open. The result is plain arrays, the form the
compiled kernel takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hemasim.model.compile import CompiledModel
from hemasim.scenario.events import Dose, ParameterChange, Scenario, StateJump
from hemasim.units import conversion_factor

JUMP_SCALE, JUMP_ADD, JUMP_SET = 0, 1, 2


@dataclass(frozen=True)
class Schedule:
    """Integration plan for a cohort.

    Attributes:
        segment_start, segment_end: segment bounds, days, shape (segments,).
        segment_parameters: parameter vector per patient and segment,
            shape (patients, segments, parameters).
        jump_segment, jump_state, jump_mode: which segment, state and kind of each jump.
        jump_value: per patient value of each jump, shape (patients, jumps).
        output_times: reported times, days.
        output_segment: index of the segment whose parameters hold at each output time.
    """

    segment_start: np.ndarray
    segment_end: np.ndarray
    segment_parameters: np.ndarray
    jump_segment: np.ndarray
    jump_state: np.ndarray
    jump_mode: np.ndarray
    jump_value: np.ndarray
    output_times: np.ndarray
    output_segment: np.ndarray


def dose_amount(dose: Dose, target_unit: str, weight_kg: float, bsa_m2: float) -> float:
    """The dose as an amount in the target state's unit, after body-size normalisation."""
    amount = dose.amount * conversion_factor(dose.unit, target_unit)
    if dose.basis == "per_kg":
        amount *= weight_kg
    elif dose.basis == "per_m2":
        amount *= bsa_m2
    return amount


def _cut_times(scenario: Scenario) -> list[float]:
    cuts = {0.0, float(scenario.duration)}
    for event in scenario.events:
        if isinstance(event, Dose):
            cuts.add(event.time)
            if event.duration > 0:
                cuts.add(event.time + event.duration)
        elif isinstance(event, ParameterChange):
            cuts.add(event.start)
            if math.isfinite(event.end):
                cuts.add(event.end)
        elif isinstance(event, StateJump):
            cuts.add(event.time)
    return sorted(t for t in cuts if 0.0 <= t <= scenario.duration)


def build_schedule(compiled: CompiledModel, scenario: Scenario,
                   parameters: np.ndarray) -> Schedule:
    """Segments, per-segment parameters and jumps for patients with these parameters.

    Args:
        compiled: the compiled model.
        scenario: the scenario (times in days).
        parameters: declared parameter values per patient, shape (patients, declared
            parameters), each in its parameter's unit.
    """
    model = compiled.model
    cuts = _cut_times(scenario)
    starts = np.array(cuts[:-1])
    ends = np.array(cuts[1:])
    n_patients = parameters.shape[0]
    full = np.zeros((n_patients, compiled.n_parameters))
    full[:, : parameters.shape[1]] = parameters
    segment_parameters = np.repeat(full[:, None, :], len(starts), axis=1)
    index_of_parameter = {name: j for j, name in enumerate(compiled.parameter_names)}
    index_of_state = {name: i for i, name in enumerate(compiled.species_names)}
    weight, bsa = scenario.subject.weight_kg, scenario.subject.bsa_m2

    jumps: list[tuple[int, int, int, float]] = []

    def segment_at(time: float) -> int:
        return int(np.searchsorted(starts, time + 1e-12, side="right") - 1)

    for event in scenario.events:
        if isinstance(event, ParameterChange):
            j = index_of_parameter[event.parameter]
            inside = (starts >= event.start - 1e-12) & (ends <= event.end + 1e-12)
            if event.scale is not None:
                segment_parameters[:, inside, j] *= event.scale
            else:
                unit = model.parameter(event.parameter).unit
                value = event.value * conversion_factor(event.unit or unit, unit)
                segment_parameters[:, inside, j] = value
        elif isinstance(event, Dose):
            target = model.dosing_target(event.drug, event.route)
            unit = model.species_named(target.species).unit
            amount = dose_amount(event, unit, weight, bsa)
            if event.time >= scenario.duration:
                continue
            if event.duration > 0:
                j = compiled.infusion_index[target.species]
                inside = (starts >= event.time - 1e-12) & (
                    ends <= event.time + event.duration + 1e-12)
                segment_parameters[:, inside, j] += amount / event.duration
            else:
                jumps.append((segment_at(event.time), index_of_state[target.species],
                              JUMP_ADD, amount))
        elif isinstance(event, StateJump):
            if event.time >= scenario.duration:
                continue
            unit = model.species_named(event.species).unit
            mode = {"scale": JUMP_SCALE, "add": JUMP_ADD, "set": JUMP_SET}[event.mode]
            value = event.value
            if mode != JUMP_SCALE and event.unit:
                value *= conversion_factor(event.unit, unit)
            jumps.append((segment_at(event.time), index_of_state[event.species], mode, value))

    compiled.fill_derived(segment_parameters)
    jumps.sort(key=lambda jump: jump[0])
    output_times = np.array(scenario.output_times())
    output_segment = np.clip(np.searchsorted(starts, output_times + 1e-12, side="right") - 1,
                             0, len(starts) - 1)
    return Schedule(
        segment_start=starts,
        segment_end=ends,
        segment_parameters=segment_parameters,
        jump_segment=np.array([j[0] for j in jumps], dtype=np.int64),
        jump_state=np.array([j[1] for j in jumps], dtype=np.int64),
        jump_mode=np.array([j[2] for j in jumps], dtype=np.int64),
        jump_value=np.tile(np.array([j[3] for j in jumps], dtype=float), (n_patients, 1)),
        output_times=output_times,
        output_segment=output_segment,
    )
