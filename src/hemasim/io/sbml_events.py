"""A scenario's interventions as SBML events, for ``hemasim.io.sbml``.

One SBML event per event time, so that simultaneous interventions compose exactly as in
hemasim's schedule (``hemasim.solve.schedule``): at each time the parameter windows and
infusion inputs take the values of the segment that starts there, and the state jumps
(bolus doses, scale/add/set changes) are folded in scenario order into one assignment per
species. Every assignment reads the values from before the event, as SBML requires.

* a bolus dose adds a constant ``dose_<k>`` (the amount in the target species' unit, after
  body-size normalisation) to its species;
* an infusion sets ``infusion_rate__<species>`` to the sum of ``dose_<k> / duration`` over
  the infusions running, at its start and at its end;
* a parameter changed by windows becomes non-constant; its declared value is kept in
  ``<parameter>__declared`` and each window's scale or value is applied to that.
"""

from __future__ import annotations

import math

import libsbml

from hemasim.io.sbml_math import apply, name_node, number_node, time_node
from hemasim.model.compile import INFUSION_PREFIX
from hemasim.model.declaration import Parameter
from hemasim.scenario.events import Dose, ParameterChange, Scenario, StateJump
from hemasim.solve.schedule import dose_amount
from hemasim.units import TIME_UNIT, conversion_factor

DECLARED_SUFFIX = "__declared"
"""Suffix of the constant holding a parameter's declared value when scenario windows change
the parameter itself."""


class ScenarioEvents:
    """Writes one scenario's doses and events into an exporter's SBML model.

    Attributes:
        owner: the exporter (its SBML model, unit table and id and annotation helpers).
        scenario: the scenario.
        model: the hemasim model.
        changed: parameters that windows change, in scenario order.
        dose_ids: index of each dose in ``scenario.events`` -> id of its amount constant.
    """

    def __init__(self, owner, scenario: Scenario):
        self.owner = owner
        self.scenario = scenario
        self.model = owner.model_declaration
        names = [e.parameter for e in scenario.events if isinstance(e, ParameterChange)]
        self.changed: tuple[str, ...] = tuple(dict.fromkeys(names))
        self.dose_ids: dict[int, str] = {}

    def write_doses(self) -> None:
        """One constant per dose: its amount in the target species' unit."""
        scenario = self.scenario
        model = self.model
        for index, event in enumerate(scenario.events):
            if isinstance(event, Dose) and event.time < scenario.duration:
                target = model.dosing_target(event.drug, event.route)
                unit = model.species_named(target.species).unit
                amount = dose_amount(event, unit, scenario.subject.weight_kg,
                                     scenario.subject.bsa_m2)
                identifier = self.owner.new_id(f"dose_{len(self.dose_ids) + 1}")
                parameter = self.owner.parameter(identifier, amount, unit, True)
                basis = {"per_kg": f" per kg x {scenario.subject.weight_kg:g} kg",
                         "per_m2": f" per m2 x {scenario.subject.bsa_m2:g} m2"}.get(
                             event.basis, "")
                kind = (f"infusion over {event.duration * 24:g} h" if event.duration > 0
                        else "bolus")
                self.owner.annotate(parameter, None, f"{event.drug} {event.route} {kind} on day "
                                    f"{event.time:g}: {event.amount:g} {event.unit}{basis} = "
                                    f"{amount:g} {unit} into {target.species}.")
                self.dose_ids[index] = identifier

    def write_events(self) -> None:
        scenario = self.scenario
        times = {t for t in self._event_times() if 0.0 <= t < scenario.duration}
        if self.changed or any(self.infusions(species) for species in self.owner.dosed):
            times.add(0.0)
        for number, time in enumerate(sorted(times), start=1):
            assignments = self._assignments_at(time)
            if not assignments:
                continue
            event = self.owner.sbml.createEvent()
            event.setId(self.owner.new_id(f"event_{number}"))
            event.setName(f"day {time:g}")
            event.setUseValuesFromTriggerTime(True)
            trigger = event.createTrigger()
            trigger.setInitialValue(False)
            trigger.setPersistent(True)
            trigger.setMath(apply(">=", time_node(),
                                  number_node(time, self.owner.units.unit_id(TIME_UNIT))))
            for variable, math_node in assignments:
                assignment = event.createEventAssignment()
                assignment.setVariable(variable)
                assignment.setMath(math_node)

    def _event_times(self) -> list[float]:
        found = []
        for event in self.scenario.events:
            if isinstance(event, Dose):
                found += [event.time] + ([event.time + event.duration]
                                         if event.duration > 0 else [])
            elif isinstance(event, ParameterChange):
                found += [event.start] + ([event.end] if math.isfinite(event.end) else [])
            elif isinstance(event, StateJump):
                found.append(event.time)
        return found

    def _assignments_at(self, time: float) -> list[tuple[str, libsbml.ASTNode]]:
        """Event assignments at ``time``: parameter windows and infusion inputs for the
        segment that starts there, then state jumps folded in scenario order (each
        assignment sees the values before the event).

        At time 0 every window-changed parameter and every used infusion input is assigned
        too, although its initial value already holds it: a simulator that resets only the
        species between runs (libRoadRunner's ``reset()``) would otherwise start a second
        run with the values the first run's last event left."""
        scenario = self.scenario
        model = self.model
        found: list[tuple[str, libsbml.ASTNode]] = []
        for name in self.changed:
            bounds = [t for e in scenario.events if isinstance(e, ParameterChange)
                      and e.parameter == name for t in (e.start, e.end)]
            if time == 0.0 or any(abs(t - time) < 1e-12 for t in bounds):
                found.append((name, self.window_value(model.parameter(name), time)))
        for species in self.owner.dosed:
            bounds = [t for e in self.infusions(species) for t in (e.time, e.time + e.duration)]
            if bounds and (time == 0.0 or any(abs(t - time) < 1e-12 for t in bounds)):
                found.append((INFUSION_PREFIX + species, self.infusion_rate(species, time)))
        jumps: dict[str, libsbml.ASTNode] = {}
        for index, event in enumerate(scenario.events):
            if isinstance(event, Dose) and event.duration == 0 and abs(event.time - time) < 1e-12:
                species = model.dosing_target(event.drug, event.route).species
                current = jumps.get(species) or name_node(species)
                jumps[species] = apply("+", current, name_node(self.dose_ids[index]))
            elif isinstance(event, StateJump) and abs(event.time - time) < 1e-12:
                current = jumps.get(event.species) or name_node(event.species)
                unit = model.species_named(event.species).unit
                if event.mode == "scale":
                    jumps[event.species] = apply("*", current, number_node(event.value))
                    continue
                value = event.value * (conversion_factor(event.unit, unit) if event.unit
                                       else 1.0)
                amount = number_node(value, self.owner.units.unit_id(unit))
                jumps[event.species] = (apply("+", current, amount) if event.mode == "add"
                                        else amount)
        return found + list(jumps.items())

    def infusions(self, species: str, time: float | None = None) -> list[Dose]:
        model = self.model
        found = [e for e in self.scenario.events if isinstance(e, Dose) and e.duration > 0
                 and e.time < self.scenario.duration
                 and model.dosing_target(e.drug, e.route).species == species]
        if time is None:
            return found
        return [e for e in found if e.time - 1e-12 <= time < e.time + e.duration - 1e-12]

    def infusion_rate(self, species: str, time: float) -> libsbml.ASTNode:
        """Sum of dose / duration over the infusions into ``species`` running from ``time``."""
        index = {id(e): i for i, e in enumerate(self.scenario.events)}
        node = None
        for dose in self.infusions(species, time):
            term = apply("/", name_node(self.dose_ids[index[id(dose)]]),
                         number_node(dose.duration, self.owner.units.unit_id(TIME_UNIT)))
            node = term if node is None else apply("+", node, term)
        if node is None:
            unit = f"({self.model.species_named(species).unit})/{TIME_UNIT}"
            node = number_node(0, self.owner.units.unit_id(unit))
        return node

    def window_value(self, declared: Parameter, time: float) -> libsbml.ASTNode:
        """The value of a changed parameter in the segment starting at ``time``: its
        declared value with the windows active there applied in scenario order."""
        node = name_node(declared.name + DECLARED_SUFFIX)
        for event in self.scenario.events:
            if not (isinstance(event, ParameterChange) and event.parameter == declared.name
                    and event.start - 1e-12 <= time < event.end - 1e-12):
                continue
            if event.scale is not None:
                node = apply("*", node, number_node(event.scale))
            else:
                value = event.value * conversion_factor(event.unit or declared.unit,
                                                        declared.unit)
                node = number_node(value, self.owner.units.unit_id(declared.unit))
        return node
