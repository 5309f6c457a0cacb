"""Endpoint distributions of a cohort stored on disk, read back with DuckDB.

A run directory holds one row of endpoints per patient: ``endpoints.csv`` for a run written
in one piece, or ``endpoints/part-*.parquet`` for a partitioned (streamed) run. The functions
here summarise those rows with DuckDB queries over the files: they never open the
trajectories (``timecourse``), and DuckDB streams the endpoint columns rather than loading
them into Python, so a summary of a million patients needs little memory.

Statistics, per endpoint, over the patients whose value is a number (NaN marks a failed solve
or an event that never happened; it is left out and not counted, as in
``hemasim.analysis.cohort.summarise``): ``n``, ``median``, ``p05`` and ``p95`` (5th and 95th
percentiles, linear interpolation between order statistics, DuckDB's ``quantile_cont``, the
same definition as numpy's default) and ``mean`` (DuckDB's ``favg``, compensated summation).
They equal ``summarise`` of the same table up to floating-point rounding (a few units in the
last place). DuckDB runs single-threaded here so that repeated summaries are bit-identical.

A fraction meeting a condition (``ANC_nadir < 0.5``: grade-4 neutropenia) is the share of the
patients with a number for that endpoint whose value meets it.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hemasim.analysis.cohort import SUMMARY_COLUMNS

RUN_RECORD_FILE = "run.json"
"""Provenance of a run; ``complete: true`` once it is finished."""

MANIFEST_FILE = "manifest.json"
"""Plan of a partitioned run (patients, chunk size, seed, tolerances)."""

CHUNK_LOG_FILE = "chunks.jsonl"
"""One line per finished chunk of a partitioned run."""

TIMECOURSE_DIRECTORY = "timecourse"
"""Folder of a partitioned run holding one trajectory file per chunk."""

ENDPOINTS_DIRECTORY = "endpoints"
"""Folder of a partitioned run holding one endpoint file per chunk."""

PARTITIONED_LAYOUT = "partitioned"
"""Value of ``layout`` in ``run.json`` for a partitioned run."""

SINGLE_ENDPOINTS_FILE = "endpoints.csv"
"""Per-patient endpoints of a run written in one piece."""

FRACTION_COLUMNS = ("condition", "endpoint", "operator", "threshold", "unit", "label", "n",
                    "meeting", "fraction")
"""Columns of the table ``threshold_fractions`` returns, in order."""

OPERATORS = ("<=", ">=", "<", ">")
"""Comparisons a condition may use."""


class CohortStoreError(ValueError):
    """A run directory cannot be summarised (message names it and why)."""


@dataclass(frozen=True)
class Condition:
    """A per-patient condition on one endpoint, e.g. ``ANC_nadir < 0.5``.

    Attributes:
        endpoint: endpoint column name.
        operator: one of ``OPERATORS``.
        threshold: the value compared with, in the endpoint's unit.
        label: what meeting it means (``"grade 4 neutropenia"``), or ``""``.
    """

    endpoint: str
    operator: str
    threshold: float
    label: str = ""

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise CohortStoreError(f"condition {self.text}: the comparison must be one of "
                                   f"{', '.join(OPERATORS)}")
        if not math.isfinite(self.threshold):
            raise CohortStoreError(f"condition {self.text}: the threshold must be a number")

    @property
    def text(self) -> str:
        """The condition as written: ``"ANC_nadir < 0.5"``."""
        return f"{self.endpoint} {self.operator} {self.threshold:g}"


def parse_condition(text: str) -> Condition:
    """A condition from text such as ``"ANC_nadir < 0.5"`` or ``"days_grade_4_neutropenia>0"``.

    Raises:
        CohortStoreError: if the text is not ``ENDPOINT OPERATOR NUMBER``.
    """
    match = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*(\S+)\s*", text)
    number = None
    if match:
        try:
            number = float(match.group(3))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise CohortStoreError(f"condition {text!r}: expected ENDPOINT OPERATOR NUMBER with "
                               "an operator among <, <=, >, >=, e.g. 'ANC_nadir < 0.5'")
    return Condition(match.group(1), match.group(2), number)


@dataclass(frozen=True)
class StoredCohort:
    """What a run directory says about its stored endpoints.

    Attributes:
        path: the run directory.
        record: its ``run.json``.
        complete: whether the run is finished.
        partitioned: whether endpoints are in ``endpoints/part-*.parquet``.
        files: the endpoint files to read (for a partial run: the chunks logged as done).
        units: unit of each endpoint, by name.
    """

    path: Path
    record: dict
    complete: bool
    partitioned: bool
    files: tuple[Path, ...]
    units: dict[str, str]

    @property
    def endpoint_names(self) -> list[str]:
        """Endpoint columns, in stored order."""
        return list(self.units)

    def default_conditions(self) -> list[Condition]:
        """One condition per 'below' threshold of the run's model: ``days_<label> > 0``
        (the patient spent some time below it, e.g. had grade-4 neutropenia)."""
        conditions = []
        for threshold in self.record.get("thresholds", []):
            if threshold.get("direction") == "below" and threshold.get("endpoint") in self.units:
                conditions.append(Condition(threshold["endpoint"], ">", 0.0,
                                            label=threshold.get("label", "")))
        return conditions


def open_cohort(path: str | os.PathLike, *, allow_partial: bool = False) -> StoredCohort:
    """Find a run directory's endpoint files and units.

    Args:
        path: a run directory written by ``hemasim run``.
        allow_partial: accept an unfinished partitioned run (its finished chunks are read);
            by default an unfinished run is an error, never summarised as if complete.

    Raises:
        FileNotFoundError: if ``path`` is not a run directory.
        CohortStoreError: if the run is unfinished (and not allowed) or has no endpoints.
    """
    path = Path(path)
    record_path = path / RUN_RECORD_FILE
    if not record_path.is_file():
        raise FileNotFoundError(f"{path}: not a hemasim run directory (no {RUN_RECORD_FILE})")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    complete = bool(record.get("complete"))
    partitioned = record.get("layout") == PARTITIONED_LAYOUT
    if not complete and not allow_partial:
        raise CohortStoreError(f"{path}: the run is not finished (run.json says complete: "
                               f"false); finish it with 'hemasim run --resume {path}', or "
                               "summarise the finished chunks with --partial")
    if partitioned:
        files = tuple(_done_partitions(path, complete))
        if not files:
            raise CohortStoreError(f"{path}: no finished chunk yet")
        units = _parquet_units(files[0])
    else:
        files = (path / SINGLE_ENDPOINTS_FILE,)
        if not files[0].is_file():
            raise CohortStoreError(f"{path}: no {SINGLE_ENDPOINTS_FILE} (a run without "
                                   "per-patient endpoints, e.g. an experiment)")
        units = _single_file_units(path, record)
    return StoredCohort(path, record, complete, partitioned, files, units)


def endpoint_summary(path: str | os.PathLike | StoredCohort, *,
                     allow_partial: bool = False) -> pd.DataFrame:
    """Distribution of every endpoint over a stored cohort.

    Args:
        path: a run directory (or an opened ``StoredCohort``).
        allow_partial: summarise the finished chunks of an unfinished run.

    Returns:
        DataFrame with columns ``SUMMARY_COLUMNS`` (endpoint, unit, n, median, p05, p95,
        mean), one row per endpoint in stored order; values in each endpoint's unit, NaN
        when n is 0.
    """
    cohort = path if isinstance(path, StoredCohort) else open_cohort(
        path, allow_partial=allow_partial)
    parts = []
    for name in cohort.endpoint_names:
        column, valid = _quoted(name), _valid(name)
        parts.append(f"count({column}) FILTER (WHERE {valid}), "
                     f"quantile_cont({column}, [0.5, 0.05, 0.95]) FILTER (WHERE {valid}), "
                     f"favg({column}) FILTER (WHERE {valid})")
    row = _query(cohort, "SELECT " + ", ".join(parts))[0]
    rows = []
    for position, name in enumerate(cohort.endpoint_names):
        n, quantiles, mean = row[3 * position: 3 * position + 3]
        median, p05, p95 = quantiles if n else (math.nan,) * 3
        rows.append({"endpoint": name, "unit": cohort.units[name], "n": int(n),
                     "median": float(median), "p05": float(p05), "p95": float(p95),
                     "mean": float(mean) if n else math.nan})
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype({"n": "int64"})


def threshold_fractions(path: str | os.PathLike | StoredCohort,
                        conditions: list[Condition] | None = None, *,
                        allow_partial: bool = False) -> pd.DataFrame:
    """Share of patients meeting each condition (e.g. grade-4 neutropenia).

    Args:
        path: a run directory (or an opened ``StoredCohort``).
        conditions: the conditions; default ``StoredCohort.default_conditions()`` (one per
            'below' threshold of the model, such as grade-4 and grade-3 neutropenia).
        allow_partial: use the finished chunks of an unfinished run.

    Returns:
        DataFrame with columns ``FRACTION_COLUMNS``: the condition's text, endpoint, operator,
        threshold and the endpoint's unit, its label, ``n`` (patients with a number for the
        endpoint), ``meeting`` (how many of them meet it) and ``fraction`` (meeting / n, NaN
        when n is 0).

    Raises:
        CohortStoreError: if a condition names an endpoint the run does not have.
    """
    cohort = path if isinstance(path, StoredCohort) else open_cohort(
        path, allow_partial=allow_partial)
    conditions = cohort.default_conditions() if conditions is None else list(conditions)
    unknown = [c.endpoint for c in conditions if c.endpoint not in cohort.units]
    if unknown:
        raise CohortStoreError(f"condition on {unknown[0]!r}: no such endpoint in "
                               f"{cohort.path}; endpoints: {', '.join(cohort.endpoint_names)}")
    rows = []
    if conditions:
        parts = []
        for condition in conditions:
            column, valid = _quoted(condition.endpoint), _valid(condition.endpoint)
            parts.append(f"count({column}) FILTER (WHERE {valid}), count({column}) FILTER "
                         f"(WHERE {valid} AND {column} {condition.operator} "
                         f"{float(condition.threshold)!r})")
        row = _query(cohort, "SELECT " + ", ".join(parts))[0]
        for position, condition in enumerate(conditions):
            n, meeting = int(row[2 * position]), int(row[2 * position + 1])
            rows.append({"condition": condition.text, "endpoint": condition.endpoint,
                         "operator": condition.operator, "threshold": condition.threshold,
                         "unit": cohort.units[condition.endpoint], "label": condition.label,
                         "n": n, "meeting": meeting,
                         "fraction": meeting / n if n else math.nan})
    return pd.DataFrame(rows, columns=list(FRACTION_COLUMNS))


def stored_patients(path: str | os.PathLike | StoredCohort, *,
                    allow_partial: bool = False) -> int:
    """Number of patients (endpoint rows) stored in a run directory."""
    cohort = path if isinstance(path, StoredCohort) else open_cohort(
        path, allow_partial=allow_partial)
    return int(_query(cohort, "SELECT count(*)")[0][0])


# -- helpers ------------------------------------------------------------------------------
def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _valid(name: str) -> str:
    return f"NOT isnan({_quoted(name)})"


def _query(cohort: StoredCohort, select: str) -> list[tuple]:
    import duckdb

    connection = duckdb.connect(config={"threads": 1})
    try:
        if cohort.partitioned:
            files = ", ".join("'" + str(f).replace("'", "''") + "'" for f in cohort.files)
            source = f"read_parquet([{files}])"
        else:
            table = pd.read_csv(cohort.files[0]).astype(
                {name: "float64" for name in cohort.endpoint_names})
            connection.register("endpoint_table", table)
            source = "endpoint_table"
        return connection.execute(f"{select} FROM {source}").fetchall()
    finally:
        connection.close()


def _done_partitions(path: Path, complete: bool) -> list[Path]:
    directory = path / ENDPOINTS_DIRECTORY
    if complete:
        return sorted(directory.glob("part-*.parquet"))
    done = set()
    log = path / CHUNK_LOG_FILE
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                done.add(int(json.loads(line)["index"]))
            except (ValueError, KeyError, TypeError):
                continue
    return [directory / f"part-{index:06d}.parquet" for index in sorted(done)
            if (directory / f"part-{index:06d}.parquet").is_file()]


def _parquet_units(file: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    schema = pq.read_schema(file)
    return {field.name: (field.metadata or {}).get(b"unit", b"").decode()
            for field in schema if field.name != "patient"}


def _single_file_units(path: Path, record: dict) -> dict[str, str]:
    columns = [c for c in pd.read_csv(path / SINGLE_ENDPOINTS_FILE, nrows=0).columns
               if c != "patient"]
    units = dict(record.get("endpoint_units", {}))
    summary_path = path / "endpoints.json"
    if summary_path.is_file() and not all(c in units for c in columns):
        summary = json.loads(summary_path.read_text(encoding="utf-8")).get("summary", [])
        units.update({row["endpoint"]: row["unit"] for row in summary})
    return {column: units.get(column, "") for column in columns}
