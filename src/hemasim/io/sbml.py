"""Export a model (and optionally a scenario) as SBML Level 3 Version 2.

The SBML document is built from the model's declaration alone, so it follows the model as
it grows (principle 9: one declaration drives every engine and format):

* one compartment per declared compartment name (a label: its size, 1 L, enters no equation
  because every species is either an amount or a concentration exactly as declared);
* species with their declared units: amounts (``hasOnlySubstanceUnits``) for counts, masses
  and moles, concentrations for a substance per volume (Friberg's ``1e9/L``);
* parameters with their values, unit definitions, meaning, bounds, variability and source
  (XHTML notes; DOIs as ``bqbiol:isDescribedBy`` annotations);
* derived quantities as initial assignments (assignment rules where a scenario window
  changes a parameter they depend on, since hemasim recomputes them in each window);
* observables, internal ones included, as non-constant parameters with assignment rules;
* one rate rule per species from the processes (``coefficient * rate``, converted to the
  species' unit per day; the model's time unit is the day);
* one input parameter ``infusion_rate__<species>`` per dosed species (0 unless an infusion
  runs), as in hemasim's compiled model;
* given a scenario: bolus doses, infusions (the input switched at their start and end),
  parameter windows and state jumps as SBML events, one event per event time.

Initial values: ``start="declared"`` exports the declared initial values (initial
assignments, so they follow the parameters as in Friberg's ``Circ0``); ``"steady_state"``
exports numbers at the steady state found by root finding for the typical parameters (the
integrated model's start). Unit conversions are explicit numbers in the math
(``hemasim.io.sbml_math``), so any SBML simulator reproduces hemasim's numbers.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import libsbml
import numpy as np

from hemasim.io.sbml_events import DECLARED_SUFFIX, ScenarioEvents
from hemasim.io.sbml_math import (
    ExpressionWriter,
    UnitTable,
    apply,
    name_node,
    number_node,
)
from hemasim.model.compile import INFUSION_PREFIX, compile_model
from hemasim.model.declaration import Parameter, Source
from hemasim.model.model import Model
from hemasim.scenario.events import Scenario
from hemasim.units import TIME_UNIT, base_factor, parse_unit

SBML_LEVEL, SBML_VERSION = 3, 2
XHTML = "http://www.w3.org/1999/xhtml"

_SUBSTANCE_DIMENSIONS = {"[mass]", "[substance]", "[biological_activity]"}


class SbmlExportError(ValueError):
    """A model or scenario that cannot be written as SBML; the message says why."""


def default_start(model: Model, scenario: Scenario | None) -> str:
    """Where an export starts when not told: the scenario's start, else the steady state for
    models built per species (the integrated model), else the declared initial values."""
    from hemasim.models import MODEL_FAMILIES

    if scenario is not None:
        return scenario.start
    return "steady_state" if model.name in MODEL_FAMILIES else "declared"


def sbml_document(model: Model, scenario: Scenario | None = None, *,
                  start: str | None = None) -> libsbml.SBMLDocument:
    """The SBML L3V2 document of ``model`` (with the scenario's events when given).

    Args:
        model: the model; a scenario's parameter overrides are applied to it first.
        scenario: optional interventions: doses, infusions, parameter windows, state jumps.
        start: ``"declared"`` or ``"steady_state"`` initial values (see the module
            docstring); default ``default_start(model, scenario)``.

    Raises:
        SbmlExportError: on something SBML cannot carry.
    """
    from hemasim.solve.simulate import apply_overrides

    if scenario is not None:
        model = apply_overrides(model, scenario)
    start = start or default_start(model, scenario)
    if start not in ("declared", "steady_state"):
        raise SbmlExportError(f"start must be 'declared' or 'steady_state', got '{start}'")
    return _Exporter(model, scenario, start).document


def export_sbml(model: Model, scenario: Scenario | None = None, *,
                start: str | None = None) -> str:
    """The SBML text of ``model`` (see ``sbml_document`` for the arguments)."""
    return libsbml.writeSBMLToString(sbml_document(model, scenario, start=start))


def write_sbml(model: Model, path: str | Path, scenario: Scenario | None = None, *,
               start: str | None = None) -> Path:
    """Write the SBML of ``model`` to ``path`` and return the path."""
    path = Path(path)
    path.write_text(export_sbml(model, scenario, start=start), encoding="utf-8")
    return path


def consistency_problems(document: libsbml.SBMLDocument) -> list[tuple[str, int, str]]:
    """libsbml's full consistency check (units included): (severity, id, message) each."""
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    document.checkConsistency()
    log = document.getErrorLog()
    return [(log.getError(i).getSeverityAsString(), log.getError(i).getErrorId(),
             log.getError(i).getMessage().strip()) for i in range(log.getNumErrors())]


def sbml_id(text: str) -> str:
    """A valid SBML id from free text (``friberg2002-docetaxel`` -> ``friberg2002_docetaxel``)."""
    identifier = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_") or "unnamed"
    return identifier if not identifier[0].isdigit() else f"_{identifier}"


def _notes(*paragraphs: str) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return f'<body xmlns="{XHTML}">{body}</body>'


def _source_paragraphs(source: Source) -> list[str]:
    lines = [f"Source: {source.describe()}."]
    if source.reference is not None:
        lines.append(f"Reference: {source.reference.formatted()}")
    if source.assumed:
        lines.append(f"Assumed: {source.assumed}")
    return lines


def _species_form(unit: str) -> str:
    """``"amount"`` for counts, masses, moles and IU; ``"concentration"`` for those per
    volume; ``"other"`` otherwise (exported as an amount in its unit)."""
    dimensions = {str(k): v for k, v in parse_unit(unit).dimensionality.items() if v}
    substance = {k: v for k, v in dimensions.items() if k != "[length]"}
    if len(substance) > 1 or any(k not in _SUBSTANCE_DIMENSIONS or v != 1
                                 for k, v in substance.items()):
        return "other"
    length = dimensions.get("[length]", 0)
    return "amount" if length == 0 else ("concentration" if length == -3 else "other")


class _Exporter:
    """Builds one SBML document; see ``sbml_document``."""

    def __init__(self, model: Model, scenario: Scenario | None, start: str):
        self.model_declaration = model
        self.scenario = scenario
        self.start = start
        self.document = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
        self.sbml = self.document.createModel()
        self.units = UnitTable(self.sbml)
        self.taken = {*model.species_names, *model.parameter_names, *model.observable_names,
                      *(d.name for d in model.derived)}
        self.dosed = tuple(dict.fromkeys(target.species for target in model.dosing))
        self.events = ScenarioEvents(self, scenario) if scenario is not None else None
        self.changed = self.events.changed if self.events else ()
        symbol_units = {s.name: s.unit for s in model.species}
        symbol_units |= {p.name: p.unit for p in model.parameters}
        symbol_units |= {d.name: d.unit for d in model.derived}
        symbol_units |= {o.name: o.unit for o in model.observables}
        self.writer = ExpressionWriter(self.units, symbol_units)
        self._build()

    # -- helpers ---------------------------------------------------------------------------
    def new_id(self, stem: str) -> str:
        identifier, count = sbml_id(stem), 1
        while identifier in self.taken:
            count += 1
            identifier = f"{sbml_id(stem)}_{count}"
        self.taken.add(identifier)
        return identifier

    def annotate(self, element: libsbml.SBase, source: Source | None, *paragraphs: str):
        element.setMetaId(f"meta_{element.getId()}")
        texts = list(paragraphs) + (_source_paragraphs(source) if source else [])
        element.setNotes(_notes(*texts))
        if source is not None and source.reference is not None and source.reference.doi:
            self._describe_by(element, source.reference.doi)

    @staticmethod
    def _describe_by(element: libsbml.SBase, doi: str) -> None:
        term = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
        term.setBiologicalQualifierType(libsbml.BQB_IS_DESCRIBED_BY)
        term.addResource(f"https://identifiers.org/doi:{doi}")
        element.addCVTerm(term)

    def parameter(self, identifier: str, value: float, unit: str, constant: bool
                   ) -> libsbml.Parameter:
        parameter = self.sbml.createParameter()
        parameter.setId(identifier)
        parameter.setValue(float(value))
        parameter.setUnits(self.units.unit_id(unit))
        parameter.setConstant(constant)
        return parameter

    # -- the document ----------------------------------------------------------------------
    def _build(self) -> None:
        model = self.model_declaration
        identifier = sbml_id(model.name if model.name not in ("hematopoiesis",)
                             else f"{model.name}_{model.species_kind}")
        self.sbml.setId(identifier)
        self.sbml.setName(model.title)
        self.sbml.setTimeUnits(self.units.unit_id(TIME_UNIT))
        self.sbml.setVolumeUnits("litre")
        self._model_notes()
        self._compartments()
        if self.events:
            self.events.write_doses()
        self._parameters()
        self._derived()
        self._species()
        self._observables()
        self._rate_rules()
        if self.events:
            self.events.write_events()

    def _model_notes(self) -> None:
        from hemasim import __version__

        model = self.model_declaration
        paragraphs = [
            model.description.strip(),
            f"Exported by hemasim {__version__} from model '{model.name}' (species "
            f"{model.species_kind}, content hash {model.content_hash}). Time is in days. "
            "Unit conversions between declared units are explicit numbers in the math.",
            "Initial values: " + ("the steady state found by root finding for the typical "
                                  "parameters" if self.start == "steady_state"
                                  else "the declared initial values") + ".",
            *(f"Reference: {reference.formatted()}" for reference in model.all_references()),
            *(f"Threshold '{t.label}': {t.variable} {t.direction} {t.value:g} "
              f"({t.source.describe()})" for t in model.thresholds),
        ]
        if self.scenario is not None:
            scenario = self.scenario
            paragraphs.append(
                f"Scenario '{scenario.name}': {scenario.description.strip()} Duration "
                f"{scenario.duration:g} days, output every {scenario.output_step:g} days; "
                f"subject {scenario.subject.weight_kg:g} kg, {scenario.subject.bsa_m2:g} m2. "
                "Its interventions are the events of this model.")
        self.annotate(self.sbml, None, *paragraphs)
        for reference in model.references:
            if reference.doi:
                self._describe_by(self.sbml, reference.doi)

    def _compartments(self) -> None:
        self.compartment_ids: dict[str, str] = {}
        for species in self.model_declaration.species:
            if species.compartment in self.compartment_ids:
                continue
            identifier = self.new_id(species.compartment)
            compartment = self.sbml.createCompartment()
            compartment.setId(identifier)
            compartment.setName(species.compartment)
            compartment.setSpatialDimensions(3)
            compartment.setSize(1.0)
            compartment.setUnits("litre")
            compartment.setConstant(True)
            compartment.setMetaId(f"meta_{identifier}")
            compartment.setNotes(_notes(
                f"Compartment '{species.compartment}'. Its size (1 L) is nominal and enters no "
                "equation: the species in it are amounts or concentrations exactly as "
                "hemasim declares them."))
            self.compartment_ids[species.compartment] = identifier

    def _parameters(self) -> None:
        model = self.model_declaration
        variability = {v.parameter: v for v in model.variability}
        for declared in model.parameters:
            paragraphs = [declared.meaning + ".", _bounds_text(declared)]
            if declared.name in variability:
                v = variability[declared.name]
                paragraphs.append(f"Inter-individual variability: log-normal, omega "
                                  f"{v.omega:.4g} ({v.source.describe()}).")
            changed = declared.name in self.changed
            if changed:
                base = self.parameter(declared.name + DECLARED_SUFFIX, declared.value,
                                      declared.unit, True)
                self.taken.add(base.getId())
                self.annotate(base, declared.source, f"Declared value of {declared.name}. "
                              + paragraphs[0], *paragraphs[1:])
                paragraphs.append(f"Changed by the scenario's windows (events); its declared "
                                  f"value is {declared.name}{DECLARED_SUFFIX}.")
            parameter = self.parameter(declared.name, declared.value, declared.unit,
                                       not changed)
            self.annotate(parameter, declared.source, *paragraphs)
            if changed:
                assignment = self.sbml.createInitialAssignment()
                assignment.setSymbol(declared.name)
                assignment.setMath(self.events.window_value(declared, 0.0))
        for species in self.dosed:
            unit = f"({self.model_declaration.species_named(species).unit})/{TIME_UNIT}"
            identifier = INFUSION_PREFIX + species
            self.taken.add(identifier)
            parameter = self.parameter(identifier, 0.0, unit, False)
            self.annotate(parameter, None, f"Infusion input into {species}: zero except while "
                          "an infusion runs, when events set it to dose / duration.")
            if self.events and self.events.infusions(species, 0.0):
                assignment = self.sbml.createInitialAssignment()
                assignment.setSymbol(identifier)
                assignment.setMath(self.events.infusion_rate(species, 0.0))

    def _derived(self) -> None:
        model = self.model_declaration
        follows = set(self.changed)
        for derived in model.derived:
            names = _names(derived.expression)
            dynamic = bool(names & follows)
            if dynamic:
                follows.add(derived.name)
            parameter = self.parameter(derived.name, float("nan"), derived.unit, not dynamic)
            parameter.unsetValue()
            self.annotate(parameter, None, derived.meaning + ".",
                          f"Derived quantity: {derived.expression} [{derived.unit}]." + (
                               " An assignment rule, since scenario windows change what it "
                               "depends on." if dynamic else ""))
            rule = (self.sbml.createAssignmentRule() if dynamic
                    else self.sbml.createInitialAssignment())
            if dynamic:
                rule.setVariable(derived.name)
            else:
                rule.setSymbol(derived.name)
            rule.setMath(self.writer.expression(derived.expression, derived.unit))

    def _species(self) -> None:
        initial = self._steady_state() if self.start == "steady_state" else None
        for declared in self.model_declaration.species:
            species = self.sbml.createSpecies()
            species.setId(declared.name)
            species.setCompartment(self.compartment_ids[declared.compartment])
            species.setBoundaryCondition(False)
            species.setConstant(False)
            form = _species_form(declared.unit)
            concentration = form == "concentration"
            species.setHasOnlySubstanceUnits(not concentration)
            substance = f"({declared.unit}) * L" if concentration else declared.unit
            species.setSubstanceUnits(self.units.unit_id(substance))
            if initial is not None:
                value = float(initial[declared.name])
            elif isinstance(declared.initial, int | float):
                value = float(declared.initial)
            else:
                value = float("nan")
                assignment = self.sbml.createInitialAssignment()
                assignment.setSymbol(declared.name)
                assignment.setMath(self.writer.expression(declared.initial, declared.unit))
            if math.isnan(value):
                (species.setInitialConcentration if concentration
                 else species.setInitialAmount)(0.0)
                (species.unsetInitialConcentration if concentration
                 else species.unsetInitialAmount)()
            elif concentration:
                species.setInitialConcentration(value)
            else:
                species.setInitialAmount(value)
            self.annotate(species, None, f"{declared.meaning} [{declared.unit}], "
                          f"{declared.compartment}; exported as "
                          f"{'a concentration' if concentration else 'an amount'}.")

    def _steady_state(self) -> dict[str, float]:
        from hemasim.solve.cohort import sample_parameters
        from hemasim.solve.schedule import build_schedule
        from hemasim.solve.simulate import initial_states
        from hemasim.solve.steady import find_steady_states

        model = self.model_declaration
        compiled = compile_model(model)
        declared = sample_parameters(model, np.zeros(1, dtype=np.int64), 0, False)
        if self.scenario is not None:
            # the windows in force at time 0 (a knockout from day 0) shape the steady state;
            # an infusion running from time 0 is treatment, not part of it
            parameters = build_schedule(compiled, self.scenario, declared
                                        ).segment_parameters[:, 0, :].copy()
            parameters[:, list(compiled.infusion_index.values())] = 0.0
        else:
            parameters = compiled.parameter_vector(declared[0])[None, :]
        start = initial_states(compiled, parameters)
        states = find_steady_states(compiled, start, parameters)[0]
        return dict(zip(compiled.species_names, states.tolist(), strict=True))

    def _observables(self) -> None:
        for observable in self.model_declaration.observables:
            parameter = self.parameter(observable.name, float("nan"), observable.unit, False)
            parameter.unsetValue()
            self.annotate(parameter, None, f"{observable.meaning} [{observable.unit}]; "
                          + ("a read-out" if observable.reported else
                             "an internal signal the rates use") + ".",
                          f"hemasim expression: {observable.expression}")
            rule = self.sbml.createAssignmentRule()
            rule.setVariable(observable.name)
            rule.setMath(self.writer.expression(observable.expression, observable.unit))

    def _rate_rules(self) -> None:
        model = self.model_declaration
        terms: dict[str, list[tuple[float, str, str]]] = {s.name: [] for s in model.species}
        for process in model.processes:
            for name, coefficient in process.changes.items():
                terms[name].append((float(coefficient), process.rate, process.name))
        for declared in model.species:
            target = f"({declared.unit})/{TIME_UNIT}"
            parts: list[tuple[float, libsbml.ASTNode]] = []
            for coefficient, rate, _ in terms[declared.name]:
                node, scale = self.writer.scaled(rate)
                node = self.writer.convert(node, scale, base_factor(target))
                if abs(coefficient) != 1.0:
                    node = apply("*", number_node(abs(coefficient)), node)
                parts.append((math.copysign(1.0, coefficient), node))
            if declared.name in self.dosed:
                parts.append((1.0, name_node(INFUSION_PREFIX + declared.name)))
            if not parts:
                continue
            sign, expression = parts[0]
            if sign < 0:
                expression = apply("neg", expression)
            for sign, node in parts[1:]:
                expression = apply("+" if sign > 0 else "-", expression, node)
            rule = self.sbml.createRateRule()
            rule.setVariable(declared.name)
            rule.setMath(expression)
            rule.setMetaId(f"meta_rate_{declared.name}")
            rule.setNotes(_notes("Processes: " + "; ".join(
                f"{name} ({'+' if c > 0 else '-'}{abs(c):g})"
                for c, _, name in terms[declared.name]) + "."))


def _bounds_text(parameter: Parameter) -> str:
    low, high = parameter.bounds
    return f"Value {parameter.value:g} {parameter.unit}; plausible range [{low:g}, {high:g}]."


def _names(text: str | float) -> set[str]:
    from hemasim.model.expressions import names_in

    return set() if isinstance(text, int | float) else names_in(str(text))[0]
