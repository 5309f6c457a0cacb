"""Experiment ``friberg2002-docetaxel``: one cycle of docetaxel 100 mg/m2 (target CH-1).

Docetaxel 100 mg/m2 as a 1-h infusion (BSA 1.8 m2, 180 mg) with the Bruno 1996 PK drives the
Friberg 2002 docetaxel-ANC model. The reference numbers are those of the published model
simulated independently (literature digest 1.1, "[DERIVED] Docetaxel benchmark curve"):
nadir 0.90 x10^9/L on day 7.6, back at baseline on day 15.6, rebound 6.3 x10^9/L at about
day 19.8; Friberg's Fig. 4 data (read by eye) show ~0.6 at ~day 9 and 7-8.6 by days 20-22.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from hemasim.experiments.experiment import Experiment
from hemasim.experiments.target import Target

SOURCE = ("Friberg 2002 J Clin Oncol 20:4713 docetaxel-ANC parameters with Bruno 1996 PK, "
          "simulated (literature digest 1.1)")


def readouts(result: xr.Dataset) -> dict[str, float]:
    """Nadir, its day, the day ANC is back at baseline, and the rebound peak and its day."""
    anc = result["value"].sel(variable="ANC").isel(patient=0).values
    times = result["time"].values
    baseline = anc[0]
    nadir_index = int(np.argmin(anc))
    after = np.flatnonzero((times > times[nadir_index]) & (anc >= baseline))
    if after.size:
        k = after[0]
        fraction = (baseline - anc[k - 1]) / (anc[k] - anc[k - 1])
        recovery = times[k - 1] + fraction * (times[k] - times[k - 1])
    else:
        recovery = float("nan")
    late = times > times[nadir_index]
    peak_index = int(np.flatnonzero(late)[np.argmax(anc[late])])
    return {
        "CH-1 nadir": float(anc[nadir_index]),
        "CH-1 nadir day": float(times[nadir_index]),
        "CH-1 baseline again": float(recovery),
        "CH-1 rebound": float(anc[peak_index]),
        "CH-1 rebound day": float(times[peak_index]),
    }


FRIBERG2002_DOCETAXEL = Experiment(
    name="friberg2002-docetaxel",
    title="Docetaxel 100 mg/m2, one cycle: neutrophil nadir, recovery and rebound",
    description=__doc__ or "",
    scenario_file="friberg2002-docetaxel.yaml",
    targets=(
        Target("CH-1 nadir", "ANC nadir (10^9/L)", 0.8, 1.0, "1e9/L", SOURCE),
        Target("CH-1 nadir day", "day of the ANC nadir", 7.2, 8.0, "d", SOURCE),
        Target("CH-1 baseline again", "first day ANC is back at baseline after the nadir",
               15.0, 16.5, "d", SOURCE),
        Target("CH-1 rebound", "ANC rebound peak (10^9/L)", 5.8, 6.8, "1e9/L", SOURCE,
               "~6.3 x10^9/L"),
        Target("CH-1 rebound day", "day of the rebound peak", 19.0, 21.0, "d", SOURCE,
               "around day 19-21"),
    ),
    readouts=readouts,
    figure_variables=("ANC", "C_docetaxel"),
)
