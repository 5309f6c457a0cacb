"""Drugs of the integrated model: pharmacokinetics and what each drug does to the cells.

Every drug has linear compartmental PK (Bruno 1996 and Friberg 2002 style): a central
compartment (amount, with clearance and volume), optional peripheral compartments
(inter-compartmental clearance and volume), and, for the extravascular routes (s.c., i.p.,
oral), an absorption depot with a first-order rate and a bioavailability. i.v. doses enter
the central compartment (bolus or infusion). One depot serves all extravascular routes of a
drug (a simplification: the routes differ in how the scenario names them, not in their
kinetics).

Actions, all shared by every genotype:

* ``cycle_specific`` cytotoxics (5-fluorouracil, docetaxel, paclitaxel) kill cells as they
  divide: a population dividing at rate r (1/day) is killed at rate ``r * k * C`` where C is
  the drug concentration (umol/L) and k the lethal fraction of divisions per umol/L. This is
  Friberg's drug effect (proliferation times ``slope * C``) applied to every dividing pool;
  quiescent HSCs do not divide and are spared, which is why 5-FU enriches for them.
  Methotrexate (short-course GVHD prophylaxis after a graft, Storb 1986) stops DNA synthesis
  once plasma drug exceeds about 1e-8 M in marrow (Chabner 1973: marrow DNA synthesis is
  back at half once plasma methotrexate falls to 1e-8 M, whatever the dose), so its lethal
  fraction saturates: ``max * C / (C + C50)`` with C50 that threshold.
* ``alkylating`` agents (cyclophosphamide, busulfan) add a cycle-independent kill
  ``q * C`` (1/day) of every nucleated marrow population, quiescent HSCs included;
  cyclophosphamide (``lymphotoxic``) also kills the resting blood lymphocytes.
* ``gcsf`` drugs (filgrastim, pegfilgrastim) add to the G-CSF concentration the receptors
  see, and are cleared as G-CSF is (renal route plus neutrophil receptors).
* ``il6`` (recombinant IL-6) adds to the IL-6 concentration.
* ``cxcr4_antagonist`` (plerixafor, AMD3100) occupies CXCR4: on marrow HSPCs and neutrophils
  through an effect compartment (the marrow extravascular space it must reach), on blood
  HSPCs directly from plasma (see ``trafficking.py``).
* ``ho_inhibitor`` (tin protoporphyrin, SnPP) blocks heme oxygenase activity; tissue HO
  inhibition outlasts plasma drug by days (rat: up to 7 d after one dose), an effect
  compartment with a slow half-life.
* ``nos_inhibitor`` (L-NMMA) blocks NO synthesis by iNOS and the constitutive isoforms.

5-fluorouracil acts through nucleotides retained in cells long after plasma 5-FU is gone
(the 20-h beta phase of Finn 1975); this is an effect compartment (Sheiner 1979) whose
concentration follows plasma with a half-life ``fluorouracil_effect_half_life``.
"""

from __future__ import annotations

from typing import NamedTuple

from hemasim.model.declaration import DosingTarget, Observable, Process, Species
from hemasim.models.hematopoiesis.populations import with_stages
from hemasim.models.hematopoiesis.spec import FRACTION, ParameterSpec


class Drug(NamedTuple):
    """One drug of the integrated model.

    Attributes:
        name: name used in scenarios (``doses[].drug``) and as the prefix of its states and
            parameters.
        meaning: one line for tables.
        action: ``cycle_specific``, ``alkylating``, ``gcsf``, ``il6``, ``cxcr4_antagonist``,
            ``ho_inhibitor`` or ``nos_inhibitor`` (module docstring).
        amount_unit: unit of its amounts (``mg`` or ``ug``).
        peripherals: number of peripheral compartments (0, 1 or 2).
        routes: administration routes; ``iv`` enters the central compartment, the others
            the absorption depot.
        effect_compartment: True when the effect follows an effect compartment.
        saturable_kill: True when the lethal fraction of divisions saturates with the
            concentration (``max * C / (C + C50)``) instead of rising linearly (``k * C``).
        lymphotoxic: True for an alkylator that also kills resting blood lymphocytes (at
            its marrow rate), as cyclophosphamide does; busulfan ablates the marrow but
            spares lymphocytes, which is why conditioning pairs it with cyclophosphamide.
    """

    name: str
    meaning: str
    action: str
    amount_unit: str
    peripherals: int
    routes: tuple[str, ...]
    effect_compartment: bool = False
    saturable_kill: bool = False
    lymphotoxic: bool = False

    @property
    def absorbed(self) -> bool:
        return any(route != "iv" for route in self.routes)

    @property
    def cytotoxic(self) -> bool:
        return self.action in ("cycle_specific", "alkylating")

    @property
    def concentration_unit(self) -> str:
        """Unit of its plasma (and effect-site) concentration."""
        if self.cytotoxic:
            return "umol/L"
        return "pg/mL" if self.action == "il6" else "ng/mL"

    @property
    def cleared_linearly(self) -> bool:
        """True when its elimination is a clearance (not the cytokine receptor routes)."""
        return self.action not in ("gcsf", "il6")


DRUGS: tuple[Drug, ...] = (
    Drug("fluorouracil", "5-fluorouracil (antimetabolite, S phase)", "cycle_specific", "mg", 0,
         ("iv", "ip"), effect_compartment=True),
    Drug("docetaxel", "docetaxel (taxane, mitosis)", "cycle_specific", "mg", 2, ("iv",)),
    Drug("paclitaxel", "paclitaxel (taxane, mitosis)", "cycle_specific", "mg", 1, ("iv",)),
    Drug("methotrexate", "methotrexate (antifolate, S phase)", "cycle_specific", "mg", 1,
         ("iv",), saturable_kill=True),
    Drug("cyclophosphamide", "cyclophosphamide (alkylating agent)", "alkylating", "mg", 0,
         ("iv", "ip", "oral"), lymphotoxic=True),
    Drug("busulfan", "busulfan (alkylating agent, depletes quiescent HSCs)", "alkylating",
         "mg", 0, ("iv", "ip", "oral")),
    Drug("filgrastim", "filgrastim (recombinant G-CSF)", "gcsf", "ug", 0, ("sc", "iv")),
    Drug("pegfilgrastim", "pegfilgrastim (pegylated G-CSF)", "gcsf", "ug", 0, ("sc",)),
    Drug("il6", "recombinant interleukin-6", "il6", "ug", 0, ("sc", "ip", "iv")),
    Drug("plerixafor", "plerixafor (AMD3100, CXCR4 antagonist)", "cxcr4_antagonist", "ug", 0,
         ("sc", "ip", "iv"), effect_compartment=True),
    Drug("snpp", "tin protoporphyrin IX (SnPP, heme oxygenase inhibitor)", "ho_inhibitor",
         "ug", 0, ("sc", "ip", "iv"), effect_compartment=True),
    Drug("l_nmma", "L-NMMA (NG-monomethyl-L-arginine, NOS inhibitor)", "nos_inhibitor", "ug",
         0, ("iv", "sc", "ip")),
)

CYCLE_KILL_TARGETS = with_stages(("HSC_A", "MPP", "CMP", "CLP", "BFU_E", "CFU_E", "MKP",
                                  "CFU_GM", "EB1", "EB2", "NP1", "NP2", "MK1", "BLAST", "B_PRE"))
"""Dividing populations hit by cycle-specific kill (HSC_Q is quiescent; the last erythroblast
and neutrophil stages and mature megakaryocytes no longer synthesise DNA; the first
megakaryocyte stage replicates its DNA in endomitosis; leukemic blasts keep dividing)."""

ALKYLATOR_TARGETS = with_stages(("HSC_Q", "HSC_A", "MPP", "CMP", "CLP", "BFU_E", "CFU_E", "MKP",
                                 "CFU_GM", "EB1", "EB2", "EB3", "NP1", "NP2", "NP3", "BLAST",
                                 "B_PRE"))
"""Nucleated marrow populations hit by the cycle-independent alkylator kill."""

LYMPHOCYTE_TARGETS = ("B_NF", "B", "T", "T_GRAFT", "NK")
"""Blood lymphocytes, killed at rest by the lymphotoxic alkylators (cyclophosphamide): what
makes cyclophosphamide conditioning immunosuppressive. Assumed: at the drug's marrow rate."""


def division_rate_of(population: str) -> str:
    """Text of the rate (1/day) at which cells of ``population`` divide."""
    if population == "HSC_A":
        return "hsc_division_rate"
    if population == "MPP":
        return "mpp_division_rate"
    if population in ("EB1", "EB2", "NP1", "NP2", "MK1", "BLAST", "B_PRE"):
        return "precursor_division_rate"
    return "progenitor_division_rate"


def _compartments(drug: Drug) -> list[tuple[str, str]]:
    """(suffix, meaning) of each amount state of ``drug``."""
    found = []
    if drug.absorbed:
        found.append(("depot", "absorption depot (s.c./i.p./oral)"))
    found.append(("central", "central compartment"))
    if drug.peripherals >= 1:
        found.append(("peripheral", "peripheral compartment"))
    if drug.peripherals >= 2:
        found.append(("deep", "deep peripheral compartment"))
    return found


def drug_parameter_specs() -> tuple[ParameterSpec, ...]:
    """The PK and effect parameters of every drug."""
    specs: list[ParameterSpec] = [
        ParameterSpec("progenitor_division_rate", "1/day", "division rate of committed "
                      "progenitors (CMP, CLP, BFU-E, CFU-E, MkP, CFU-GM): sets how fast "
                      "cycle-specific drugs kill them"),
        ParameterSpec("precursor_division_rate", "1/day", "division rate of dividing "
                      "precursors (early erythroblasts, myelocytes, B-cell precursors)"),
    ]
    for drug in DRUGS:
        d = drug.name
        if drug.action == "gcsf" and d == "pegfilgrastim":
            specs += [
                ParameterSpec(f"{d}_renal_elimination_rate", "1/h", f"{d} elimination "
                              "independent of neutrophils"),
                ParameterSpec(f"{d}_receptor_elimination_rate", "1/h", f"{d} elimination by "
                              "neutrophil G-CSF receptors at the steady-state neutrophil mass"),
            ]
        elif drug.cleared_linearly:
            specs.append(ParameterSpec(f"{d}_clearance", "L/h", f"{d} clearance"))
        specs.append(ParameterSpec(f"{d}_volume", "L", f"{d} central volume of distribution"))
        if drug.peripherals >= 1:
            specs += [ParameterSpec(f"{d}_intercompartmental_clearance", "L/h",
                                    f"{d} clearance between central and peripheral"),
                      ParameterSpec(f"{d}_peripheral_volume", "L",
                                    f"{d} peripheral volume")]
        if drug.peripherals >= 2:
            specs += [ParameterSpec(f"{d}_deep_clearance", "L/h",
                                    f"{d} clearance between central and deep peripheral"),
                      ParameterSpec(f"{d}_deep_volume", "L", f"{d} deep peripheral volume")]
        if drug.absorbed:
            specs += [ParameterSpec(f"{d}_absorption_rate", "1/h", f"{d} absorption rate "
                                    "from the s.c./i.p./oral depot"),
                      ParameterSpec(f"{d}_bioavailability", "1", f"fraction of an "
                                    f"extravascular {d} dose that reaches the plasma",
                                    FRACTION)]
        if drug.effect_compartment:
            specs.append(ParameterSpec(f"{d}_effect_half_life", "h", f"half-life of "
                                       f"equilibration of the {d} effect site with plasma"))
        if drug.action in ("cxcr4_antagonist", "ho_inhibitor", "nos_inhibitor"):
            specs.append(ParameterSpec(f"{d}_half_maximal_concentration", "ng/mL",
                                       f"{d} concentration occupying half of its target"))
        if drug.cytotoxic:
            specs.append(ParameterSpec(f"{d}_molar_mass", "mg/umol", f"{d} molar mass"))
        if drug.cytotoxic and drug.saturable_kill:
            specs += [ParameterSpec(f"{d}_max_kill_per_division", "1", f"lethal fraction of "
                                    f"divisions at saturating {d}", FRACTION),
                      ParameterSpec(f"{d}_half_maximal_kill_concentration", "umol/L",
                                    f"{d} concentration of half the maximal kill")]
        elif drug.cytotoxic:
            specs.append(ParameterSpec(f"{d}_kill_per_division", "L/umol", f"lethal fraction "
                                       f"of divisions per umol/L of {d}"))
        if drug.action == "alkylating":
            specs.append(ParameterSpec(f"{d}_quiescent_kill", "L/umol/day", f"{d} kill rate "
                                       "of non-dividing marrow cells per umol/L"))
    return tuple(specs)


def drug_species() -> tuple[Species, ...]:
    """Amount states of every drug (all start at zero)."""
    return tuple(Species(f"{drug.name}_{suffix}", drug.amount_unit,
                         "depot" if suffix == "depot" else "plasma",
                         f"{drug.meaning}: {meaning}", 0.0)
                 for drug in DRUGS for suffix, meaning in _compartments(drug)) + tuple(
        Species(f"{drug.name}_effect", drug.concentration_unit, "effect site",
                f"{drug.meaning}: effect-compartment concentration", 0.0)
        for drug in DRUGS if drug.effect_compartment)


def _elimination(drug: Drug) -> str:
    d = drug.name
    if d == "pegfilgrastim":
        return (f"({d}_renal_elimination_rate + {d}_receptor_elimination_rate"
                f" * gcsf_receptor_mass) * {d}_central")
    if drug.action == "gcsf":
        return (f"gcsf_elimination_rate * (1 - gcsf_receptor_clearance_fraction"
                f" + gcsf_receptor_clearance_fraction * gcsf_receptor_mass) * {d}_central")
    if drug.action == "il6":
        return f"il6_elimination_rate * {d}_central"
    return f"{d}_clearance / {d}_volume * {d}_central"


def drug_processes() -> tuple[Process, ...]:
    """Absorption, distribution, elimination and effect-site equilibration."""
    found: list[Process] = []
    for drug in DRUGS:
        d = drug.name
        central = f"{d}_central"
        if drug.absorbed:
            found += [
                Process(f"{d} absorption", f"{d}_bioavailability * {d}_absorption_rate"
                        f" * {d}_depot", {f"{d}_depot": -1, central: 1}),
                Process(f"{d} presystemic loss", f"(1 - {d}_bioavailability)"
                        f" * {d}_absorption_rate * {d}_depot", {f"{d}_depot": -1}),
            ]
        found.append(Process(f"{d} elimination", _elimination(drug), {central: -1}))
        for suffix, clearance, volume in (("peripheral", "intercompartmental_clearance",
                                           "peripheral_volume"),
                                          ("deep", "deep_clearance", "deep_volume")):
            if suffix == "peripheral" and drug.peripherals < 1:
                continue
            if suffix == "deep" and drug.peripherals < 2:
                continue
            other = f"{d}_{suffix}"
            found += [
                Process(f"{d} distribution to {suffix}",
                        f"{d}_{clearance} / {d}_volume * {central}", {central: -1, other: 1}),
                Process(f"{d} return from {suffix}",
                        f"{d}_{clearance} / {d}_{volume} * {other}", {other: -1, central: 1}),
            ]
        if drug.effect_compartment:
            found.append(Process(
                f"{d} effect-site equilibration",
                f"log(2) / {d}_effect_half_life * (C_{d} - {d}_effect)", {f"{d}_effect": 1}))
    return tuple(found)


def _lethal_fraction(drug: Drug) -> str:
    """Text of the lethal fraction of divisions (1) that ``drug`` causes."""
    d = drug.name
    concentration = f"{d}_effect" if drug.effect_compartment else f"C_{d}"
    if drug.saturable_kill:
        return (f"{d}_max_kill_per_division * {concentration}"
                f" / ({concentration} + {d}_half_maximal_kill_concentration)")
    return f"{d}_kill_per_division * {concentration}"


def drug_signals() -> tuple[Observable, ...]:
    """Plasma concentrations and the shared kill signals (internal observables)."""
    found = []
    for drug in DRUGS:
        d = drug.name
        if drug.cytotoxic:
            found.append(Observable(f"C_{d}", f"{d}_central / ({d}_volume * {d}_molar_mass)",
                                    "umol/L", f"{drug.meaning} plasma concentration"))
        else:
            # amount / volume; the compiler converts ug/L to the declared ng/mL or pg/mL
            found.append(Observable(f"C_{d}", f"{d}_central / {d}_volume",
                                    drug.concentration_unit,
                                    f"{drug.meaning} serum concentration"))
    cycle = " + ".join(_lethal_fraction(d) for d in DRUGS if d.cytotoxic)
    alkylator = " + ".join(f"{d.name}_quiescent_kill * C_{d.name}"
                           for d in DRUGS if d.action == "alkylating")
    lymphotoxic = " + ".join(f"{d.name}_quiescent_kill * C_{d.name}"
                             for d in DRUGS if d.lymphotoxic)
    found += [
        Observable("cycle_kill", cycle, "1", "lethal fraction of divisions from "
                   "cytotoxic drugs (multiplies each population's division rate)",
                   reported=False),
        Observable("alkylator_kill", alkylator, "1/day", "cycle-independent kill rate from "
                   "alkylating agents", reported=False),
        Observable("lymphocyte_kill", lymphotoxic, "1/day", "kill rate of resting blood "
                   "lymphocytes from the lymphotoxic alkylators", reported=False),
    ]
    return tuple(found)


def drug_dosing() -> tuple[DosingTarget, ...]:
    """Where each drug and route enters."""
    return tuple(
        DosingTarget(drug.name, route, f"{drug.name}_central" if route == "iv"
                     else f"{drug.name}_depot",
                     f"{drug.meaning}, {route}")
        for drug in DRUGS for route in drug.routes)


def kill_processes(cell_of: dict[str, str], g: str) -> tuple[Process, ...]:
    """Drug kill of the populations of genotype ``g`` (``cell_of``: population -> species)."""
    found = [Process(f"cytotoxic kill of dividing {population} ({g})",
                     f"cycle_kill * {division_rate_of(population)} * {cell_of[population]}",
                     {cell_of[population]: -1}) for population in CYCLE_KILL_TARGETS]
    found += [Process(f"alkylator kill of {population} ({g})",
                      f"alkylator_kill * {cell_of[population]}", {cell_of[population]: -1})
              for population in ALKYLATOR_TARGETS]
    found += [Process(f"lymphotoxic kill of {population} ({g})",
                      f"lymphocyte_kill * {cell_of[population]}", {cell_of[population]: -1})
              for population in LYMPHOCYTE_TARGETS]
    return tuple(found)
