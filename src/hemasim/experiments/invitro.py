"""Built-in in-vitro experiments (target MO-K2).

``transwell-inos``: a hematopoietic cell line with a control vector, with iNOS knocked down
(30 % of control) and over-expressing iNOS (3 x control), each seeded in a transwell with
SDF-1 300 ng/mL below and counted in the lower well after 4 h (model
``transwell-chemotaxis``). Adamiak et al. 2017 (Stem Cell Rev Rep 13:92) report directions
only: down-regulating iNOS lowered HO-1 and raised migration, up-regulating iNOS raised
HO-1 and lowered migration. The targets are the ratios of each modified line to the control
line; the fold changes of the paper were not retrieved, so a ratio passes when it moves in
the reported direction by at least 5 % (a change within that margin would not be seen
against the scatter of a transwell assay).
"""

from __future__ import annotations

import math

import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.readouts import trajectory
from hemasim.experiments.target import Target

ADAMIAK = ("Adamiak 2017 Stem Cell Rev Rep 13:92 (abstract: iNOS down- and up-regulated in "
           "hematopoietic cell lines), direction only")
MARGIN = 0.05
"""Smallest relative change that counts as a change in the reported direction."""
INF = math.inf
LOWER = f"lower: <= {1 - MARGIN:g} (direction, {100 * MARGIN:g} % margin)"
HIGHER = f"higher: >= {1 + MARGIN:g} (direction, {100 * MARGIN:g} % margin)"


def _end(result: xr.Dataset, variable: str) -> float:
    """Value at the end of the assay."""
    return float(trajectory(result, variable)[1][-1])


def _transwell(results: dict[str, xr.Dataset]) -> dict[str, float]:
    def ratio(label: str, variable: str) -> float:
        return _end(results[label], variable) / _end(results["control"], variable)

    return {
        "MO-K2a HO-1, iNOS down / control": ratio("iNOS down", "HO1"),
        "MO-K2b migration, iNOS down / control": ratio("iNOS down", "percent_migrated"),
        "MO-K2c HO-1, iNOS up / control": ratio("iNOS up", "HO1"),
        "MO-K2d migration, iNOS up / control": ratio("iNOS up", "percent_migrated"),
    }


TRANSWELL_INOS = Experiment(
    name="transwell-inos",
    title="Cell line with iNOS down- or up-regulated: HO-1 and 4-h transwell migration toward "
          "SDF-1",
    description=__doc__ or "",
    scenario_file="transwell-control.yaml",
    main_label="control",
    arms=(("iNOS down", "transwell-inos-down.yaml"),
          ("iNOS up", "transwell-inos-up.yaml")),
    targets=(
        Target("MO-K2a HO-1, iNOS down / control", "HO-1 of the iNOS knock-down line / "
               "control line", 0.0, 1.0 - MARGIN, "1", ADAMIAK, LOWER),
        Target("MO-K2b migration, iNOS down / control", "cells in the lower well after 4 h "
               "toward SDF-1 300 ng/mL, iNOS knock-down / control", 1.0 + MARGIN, INF, "1",
               ADAMIAK, HIGHER),
        Target("MO-K2c HO-1, iNOS up / control", "HO-1 of the iNOS over-expressing line / "
               "control line", 1.0 + MARGIN, INF, "1", ADAMIAK, HIGHER),
        Target("MO-K2d migration, iNOS up / control", "cells in the lower well after 4 h "
               "toward SDF-1 300 ng/mL, iNOS over-expression / control", 0.0, 1.0 - MARGIN,
               "1", ADAMIAK, LOWER),
    ),
    readouts=_transwell,
    figure_variables=("percent_migrated", "HO1", "NO"),
)
