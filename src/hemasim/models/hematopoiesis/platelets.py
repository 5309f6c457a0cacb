"""Platelets in blood: ageing to a senescence timer, and a fixed daily requirement.

A platelet's life ends by an internal timer, not by random hits (Mason et al. 2007, Cell
128:1173; Dowling et al. 2010, Blood 116:1776), so 51Cr-labelled platelets disappear along a
nearly linear curve and, once production stops, the last platelets have gone within about
ten days (the platelet count after myeloablation, Fliedner et al. 2002, Cancer Biother
Radiopharm 17:405). A first-order clearance would instead keep a third of them after one
lifespan. Blood platelets are therefore a chain of ``PLATELET_AGE_STAGES`` age stages,
passed at rate ``platelet_ageing_rate`` each, so the senescence age is gamma-distributed
around ``platelet_senescence_age``.

Besides senescence, a fixed number of platelets is used every day to keep the vessels sealed,
whatever the count (Hanson & Slichter 1985: 7,100 platelets/uL/day, about 18 % of normal
turnover; all ages alike). At normal counts this is a small share of the turnover; in marrow
failure it shortens platelet survival, from 9.6 days to 5.1 days below 50 x10^9/L in their
patients. The per-platelet consumption rate is therefore ``platelet_consumption_rate0 *
(platelets0 + K) / (platelets + K)``: a constant number per day while the count is well
above ``K`` (``platelet_consumption_half_count``), falling to zero with the count.

Steady state: with production ``J``, consumption rate ``r`` and passage rate ``k``, stage
``i`` holds ``J / (k + r) * q**(i - 1)`` with ``q = k / (k + r)``; the sum equals ``J *
(1 - q**n) / r``. Requiring the mean residence ``platelets0 / J`` to be ``platelet_lifespan``
(``L``) and the consumption share to be ``f = r * L`` gives ``q**n = 1 - f``, which fixes
``k``. With the human values (``L`` 9.5 d, ``f`` 0.17, 6 stages) the senescence age is
10.6 days, close to the maximum lifespan of 10.5 days that Hanson and Slichter fitted to
their survival curves, a number not used to set it.
"""

from __future__ import annotations

from hemasim.model.declaration import Process

PLATELET_AGE_STAGES = 6
"""Age stages of blood platelets (assumed: six stages give a senescence age with CV 0.41, a
compromise between the nearly fixed lifespan of the timer and model size)."""

PLATELET_AGES = ("PLT", *(f"PLT_{k}" for k in range(2, PLATELET_AGE_STAGES + 1)))
"""Populations of blood platelets, youngest first; megakaryocytes shed into ``PLT``."""


def platelet_population_rows() -> tuple[tuple[str, str, str, str, str], ...]:
    """Population rows (name, unit, compartment, meaning, steady state) of the age stages."""
    return tuple((name, "1e9 cell", "blood", f"platelets, age stage {k}", f"platelets0_age{k}")
                 for k, name in enumerate(PLATELET_AGES, start=1))


def platelet_steady_state() -> tuple[tuple[str, str, str, str], ...]:
    """Derived steady-state quantities of the platelet age chain (module docstring)."""
    n = PLATELET_AGE_STAGES
    rows = [
        ("platelet_consumption_rate0", "platelet_fixed_requirement_fraction / platelet_lifespan",
         "1/day", "per-platelet rate of use by the fixed requirement at steady state"),
        ("platelet_age_ratio", f"(1 - platelet_fixed_requirement_fraction)**(1 / {n})", "1",
         "steady-state size of each age stage relative to the one before it"),
        ("platelet_ageing_rate", "platelet_consumption_rate0 * platelet_age_ratio"
         " / (1 - platelet_age_ratio)", "1/day",
         f"rate at which a platelet passes each of its {n} age stages"),
        ("platelet_senescence_age", f"{n} / platelet_ageing_rate", "day",
         "mean age at which a platelet not used before dies of senescence"),
    ]
    rows += [(f"platelets0_age{k}", "platelet_production0"
              " / (platelet_ageing_rate + platelet_consumption_rate0)"
              + "".join(" * platelet_age_ratio" for _ in range(k - 1)),
              "1e9 cell", f"platelets in age stage {k} at steady state")
             for k in range(1, n + 1)]
    return tuple(rows)


def platelet_consumption_signal(all_platelets: str) -> tuple[str, str, str, str]:
    """Observable row of the per-platelet consumption rate, given total platelets (1e9)."""
    half = "platelet_consumption_half_count * blood_volume"
    return ("platelet_consumption_rate",
            f"platelet_consumption_rate0 * (platelets0 + {half}) / ({all_platelets} + {half})",
            "1/day", "per-platelet rate of use by the fixed daily requirement")


def platelet_processes(species: dict[str, str], genotype: str) -> list[Process]:
    """Ageing, senescence and consumption of one genotype's platelets.

    Args:
        species: species name of each of ``PLATELET_AGES`` in this genotype.
        genotype: genotype name, for the process labels.
    """
    found = []
    for name, older in zip(PLATELET_AGES, (*PLATELET_AGES[1:], None), strict=True):
        leaving = f"platelet_ageing_rate * {species[name]}"
        if older is None:
            found.append(Process(f"platelet senescence ({genotype})", leaving,
                                 {species[name]: -1}))
        else:
            found.append(Process(f"platelet ageing {name} -> {older} ({genotype})", leaving,
                                 {species[name]: -1, species[older]: 1}))
        found.append(Process(f"platelet use by the fixed requirement, {name} ({genotype})",
                             f"platelet_consumption_rate * {species[name]}",
                             {species[name]: -1}))
    return found
