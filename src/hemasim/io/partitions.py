"""A run directory written chunk by chunk (large cohorts), resumable after any interruption.

Layout of a partitioned run directory::

    RUN/
      run.json                   provenance; "complete": false until the very last write
      manifest.json              the plan: patients, chunk size, seed, tolerances (written once)
      chunks.jsonl               one JSON line per finished chunk, appended after its files
      scenario.yaml              the scenario text the run was started with (resume reads it)
      timecourse/part-000000.parquet   trajectories of chunk 0 (patients 0 .. chunk_size-1)
      endpoints/part-000000.parquet    per-patient endpoints of chunk 0
      ...
      summary.csv, summary.json  endpoint distributions over the cohort (written at the end)
      figure.png                 median and 5-95 % band (written at the end)

Chunk ``k`` holds patients ``k * chunk_size`` up to the next chunk's first patient. A
timecourse partition is a complete result file (``hemasim.io.results.read_parquet`` reads it);
an endpoints partition has a ``patient`` column and one float64 column per endpoint, whose
unit is in the field metadata (key ``unit``).

Guarantees, whatever kills the writing process (Ctrl-C, SIGKILL, power loss):

* every partition is written to a temporary file, synced, and renamed into place, and the
  directory is synced, before its chunk is appended to ``chunks.jsonl`` (itself synced), so a
  chunk listed there has both its files complete; a file not listed is redone on resume;
* ``run.json`` says ``"complete": true`` only after everything else is in place; a reader
  that checks it never takes a partial run for a finished one;
* one process at a time writes a run directory (an advisory lock on ``RUN/.lock``, released
  by the operating system when the process dies).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from hemasim.analysis.cohort_store import (
    CHUNK_LOG_FILE,
    ENDPOINTS_DIRECTORY,
    MANIFEST_FILE,
    PARTITIONED_LAYOUT,
    RUN_RECORD_FILE,
    TIMECOURSE_DIRECTORY,
)
from hemasim.io.atomic import atomic_destination
from hemasim.result import make_result

SCENARIO_FILE = "scenario.yaml"
"""Copy of the scenario text inside a partitioned run directory."""

LOCK_FILE = ".lock"
"""Advisory lock file held by the process writing a partitioned run."""

MANIFEST_FORMAT = "hemasim.partitioned-run"
MANIFEST_FORMAT_VERSION = 1


class RunDirectoryError(ValueError):
    """A run directory cannot be created, resumed or read (message names it and why)."""


def partition_name(index: int) -> str:
    """File name of chunk ``index``'s partitions: ``part-000123.parquet``."""
    return f"part-{index:06d}.parquet"


@dataclass(frozen=True)
class Chunk:
    """One chunk of a cohort: patients ``first`` .. ``first + patients - 1``."""

    index: int
    first: int
    patients: int


def plan_chunks(patients: int, chunk_size: int) -> list[Chunk]:
    """Split ``patients`` into chunks of ``chunk_size`` (the last one may be smaller)."""
    if patients < 1 or chunk_size < 1:
        raise ValueError(f"patients and chunk_size must be positive, got {patients}, "
                         f"{chunk_size}")
    return [Chunk(index, first, min(chunk_size, patients - first))
            for index, first in enumerate(range(0, patients, chunk_size))]


class PartitionedRun:
    """A partitioned run directory open for writing (create a new one, or open one to resume).

    Use as a context manager, or call ``close()``: it holds the directory's lock.
    """

    def __init__(self, path: Path, manifest: dict, record: dict, done: dict[int, dict],
                 lock) -> None:
        self.path = path
        self.manifest = manifest
        self.record = record
        self.done = done
        self._lock = lock

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, manifest: dict, record: dict,
               scenario_text: str) -> PartitionedRun:
        """Start a new partitioned run in ``path`` (which must not exist, or be empty).

        Args:
            path: the run directory.
            manifest: the plan; must hold ``patients`` and ``chunk_size`` (ints).
            record: provenance for ``run.json`` (``complete`` and ``layout`` are set here).
            scenario_text: the scenario YAML, kept as ``scenario.yaml`` for resuming.

        Raises:
            RunDirectoryError: if ``path`` exists and is not an empty directory.
        """
        path = Path(path)
        check_new_run_directory(path)
        (path / TIMECOURSE_DIRECTORY).mkdir(parents=True, exist_ok=True)
        (path / ENDPOINTS_DIRECTORY).mkdir(exist_ok=True)
        lock = _acquire_lock(path)
        manifest = dict(manifest, format=MANIFEST_FORMAT, format_version=MANIFEST_FORMAT_VERSION,
                        chunks=len(plan_chunks(manifest["patients"], manifest["chunk_size"])))
        record = dict(record, complete=False, layout=PARTITIONED_LAYOUT)
        _write_text(path / SCENARIO_FILE, scenario_text)
        _write_json(path / MANIFEST_FILE, manifest)
        _write_text(path / CHUNK_LOG_FILE, "")
        _write_json(path / RUN_RECORD_FILE, record)
        return cls(path, manifest, record, {}, lock)

    @classmethod
    def open(cls, path: str | os.PathLike) -> PartitionedRun:
        """Open an existing partitioned run to finish it.

        Chunks listed in ``chunks.jsonl`` whose two files exist with the recorded sizes count
        as done; everything else (temporary files, partitions of unlisted chunks) is redone.

        Raises:
            RunDirectoryError: if ``path`` is not a partitioned hemasim run, or another
                process is writing it.
        """
        path = Path(path)
        record = read_json(path / RUN_RECORD_FILE, path)
        if record.get("layout") != PARTITIONED_LAYOUT:
            raise RunDirectoryError(f"{path}: a run of {record.get('patients', '?')} patients "
                                    "written in one piece; there is nothing to resume")
        manifest = read_json(path / MANIFEST_FILE, path)
        if manifest.get("format") != MANIFEST_FORMAT:
            raise RunDirectoryError(f"{path}/{MANIFEST_FILE}: not a hemasim manifest")
        lock = _acquire_lock(path)
        for directory in (TIMECOURSE_DIRECTORY, ENDPOINTS_DIRECTORY):
            (path / directory).mkdir(exist_ok=True)
            for leftover in (path / directory).glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
        done = {}
        for entry in read_chunk_log(path):
            name = partition_name(entry["index"])
            files = (path / TIMECOURSE_DIRECTORY / name, path / ENDPOINTS_DIRECTORY / name)
            sizes = (entry["timecourse_bytes"], entry["endpoints_bytes"])
            if all(f.is_file() and f.stat().st_size == s for f, s in zip(files, sizes,
                                                                          strict=True)):
                done[entry["index"]] = entry
        # Rewrite the log with the valid lines only (a torn last line is dropped).
        _write_text(path / CHUNK_LOG_FILE,
                    "".join(json.dumps(done[k], sort_keys=True) + "\n" for k in sorted(done)))
        return cls(path, manifest, record, done, lock)

    # -- state ------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """Whether ``run.json`` says the run is finished."""
        return bool(self.record.get("complete"))

    def chunks(self) -> list[Chunk]:
        """Every chunk of the plan, in order."""
        return plan_chunks(self.manifest["patients"], self.manifest["chunk_size"])

    def pending(self) -> list[Chunk]:
        """Chunks not yet written, in order."""
        return [chunk for chunk in self.chunks() if chunk.index not in self.done]

    def patients_done(self) -> int:
        """Patients in the chunks written so far."""
        return sum(entry["patients"] for entry in self.done.values())

    def failed_patients(self) -> int:
        """Patients whose solve failed, over the chunks written so far."""
        return sum(entry["failed"] for entry in self.done.values())

    def failure_messages(self, limit: int = 10) -> list[str]:
        """Up to ``limit`` failure messages, in patient order."""
        messages = [m for k in sorted(self.done) for m in self.done[k]["failures"]]
        return messages[:limit]

    # -- writing ----------------------------------------------------------------------------
    def write_chunk(self, chunk: Chunk, timecourse: bytes, endpoints: bytes, failed: int,
                    failures: list[str]) -> None:
        """Write one finished chunk's two partitions atomically, then log it as done.

        Args:
            chunk: the chunk (from ``chunks()``).
            timecourse: the chunk's result as Parquet bytes (``write_parquet``'s format).
            endpoints: the chunk's endpoint table as Parquet bytes.
            failed: patients of the chunk whose solve failed.
            failures: their messages (at most a few are kept).
        """
        name = partition_name(chunk.index)
        _write_bytes(self.path / TIMECOURSE_DIRECTORY / name, timecourse)
        _write_bytes(self.path / ENDPOINTS_DIRECTORY / name, endpoints)
        entry = {"index": chunk.index, "first": chunk.first, "patients": chunk.patients,
                 "failed": int(failed), "failures": list(failures)[:10],
                 "timecourse_bytes": len(timecourse), "endpoints_bytes": len(endpoints)}
        with open(self.path / CHUNK_LOG_FILE, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, sort_keys=True) + "\n")
            log.flush()
            os.fsync(log.fileno())
        self.done[chunk.index] = entry

    def finish(self, writers: dict[str, Callable[[Path], object]], record: dict) -> None:
        """Write the closing files, then ``run.json`` with ``complete: true`` (last).

        Args:
            writers: file name -> function writing that file at the (temporary) path given.
            record: the final provenance; ``complete``, ``layout``, ``files`` and
                ``partitions`` are set here.

        Raises:
            RunDirectoryError: if some chunks are not written yet.
        """
        if self.pending():
            raise RunDirectoryError(f"{self.path}: {len(self.pending())} chunks are missing")
        for name, write in writers.items():
            with atomic_destination(self.path / name) as temporary:
                write(temporary)
        # Chunks were logged in the order they finished; the finished log is in chunk order,
        # so that a run's files do not depend on scheduling.
        _write_text(self.path / CHUNK_LOG_FILE, "".join(
            json.dumps(self.done[k], sort_keys=True) + "\n" for k in sorted(self.done)))
        _fsync_directory(self.path)  # the closing files are durable before run.json says so
        files = sorted({*writers, RUN_RECORD_FILE, MANIFEST_FILE, CHUNK_LOG_FILE, SCENARIO_FILE,
                        f"{TIMECOURSE_DIRECTORY}/", f"{ENDPOINTS_DIRECTORY}/"})
        record = dict(record, complete=True, layout=PARTITIONED_LAYOUT, files=files,
                      partitions=len(self.done))
        _write_json(self.path / RUN_RECORD_FILE, record)
        self.record = record
        (self.path / LOCK_FILE).unlink(missing_ok=True)
        self.close()

    def close(self) -> None:
        """Release the directory's lock (the run stays resumable)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> PartitionedRun:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def check_new_run_directory(path: str | os.PathLike) -> None:
    """Raise RunDirectoryError (saying what to do) unless ``path`` is free for a new run."""
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise RunDirectoryError(_occupied_message(path))


# -- reading ------------------------------------------------------------------------------
def read_json(path: Path, run: Path) -> dict:
    """A JSON file of a run directory (RunDirectoryError naming the run when absent)."""
    if not path.is_file():
        raise RunDirectoryError(f"{run}: not a hemasim run directory (no {path.name})")
    return json.loads(path.read_text(encoding="utf-8"))


def partition_files(path: str | os.PathLike, directory: str) -> list[Path]:
    """Partition files of one kind (``timecourse`` or ``endpoints``), in chunk order."""
    return sorted((Path(path) / directory).glob("part-*.parquet"))


def read_timecourse(path: str | os.PathLike) -> xr.Dataset:
    """All trajectories of a partitioned run as one result (for cohorts that fit in memory).

    Raises:
        RunDirectoryError: if the run has no timecourse partitions.
    """
    from hemasim.io.results import read_parquet
    from hemasim.result import concat_patients

    files = partition_files(path, TIMECOURSE_DIRECTORY)
    if not files:
        raise RunDirectoryError(f"{path}: no timecourse partitions")
    chunks = [read_parquet(file) for file in files]
    result = chunks[0] if len(chunks) == 1 else concat_patients(chunks)
    result.attrs["patients"] = int(result.sizes["patient"])
    return result


def read_sample(path: str | os.PathLike, variables: list[str], patients: int,
                provenance: dict) -> xr.Dataset:
    """The first ``patients`` patients' trajectories of some variables, as a result.

    Only the partitions holding those patients are opened, and of them only the ``value``
    column: ``write_parquet`` stores the rows ordered by patient, time and variable, one row
    per cell, so positions give the cells. Memory: ``patients x times x len(variables)``
    values plus one partition's values.

    Args:
        path: a partitioned run directory.
        variables: variables to read (species or observables).
        patients: how many patients, from patient 0 on.
        provenance: attributes of the returned result (``patients`` is set here).
    """
    values, ids, layout, chosen = [], [], None, []
    for file in partition_files(path, TIMECOURSE_DIRECTORY):
        metadata = pq.read_schema(file).metadata
        layout = json.loads(metadata[b"hemasim.layout"])
        chunk_ids = np.asarray(layout["patient"], dtype=np.int64)
        keep = chunk_ids < patients
        if not keep.any():
            break  # partitions hold increasing patient ids
        chosen = [name for name in layout["variable"] if name in variables]
        positions = [layout["variable"].index(name) for name in chosen]
        shape = (chunk_ids.size, len(layout["time"]), len(layout["variable"]))
        column = pq.read_table(file, columns=["value"]).column("value").to_numpy()
        if column.size != np.prod(shape):
            raise RunDirectoryError(f"{file}: {column.size} values, expected {shape}")
        values.append(column.reshape(shape)[keep][:, :, positions])
        ids.append(chunk_ids[keep])
    if layout is None or not values:
        raise RunDirectoryError(f"{path}: no timecourse partitions")
    chosen_index = [layout["variable"].index(name) for name in chosen]
    count = sum(len(i) for i in ids)
    return make_result(
        values=np.concatenate(values), times=layout["time"], variables=chosen,
        units=[layout["unit"][i] for i in chosen_index],
        kinds=[layout["kind"][i] for i in chosen_index], patient_ids=np.concatenate(ids),
        parameter_names=[], parameter_units=[], parameter_values=np.zeros((count, 0)),
        status=np.zeros(count, dtype=np.int64), messages=[""] * count,
        provenance=dict(provenance, patients=count))


def endpoints_table_bytes(table, units: dict[str, str]) -> bytes:
    """An endpoint table (``patient`` + one float column per endpoint) as Parquet bytes,
    each endpoint's unit in its field metadata."""
    fields = [pa.field("patient", pa.int64())]
    arrays = [pa.array(table["patient"].to_numpy(dtype=np.int64))]
    for name in table.columns:
        if name == "patient":
            continue
        fields.append(pa.field(name, pa.float64(), metadata={"unit": units[name]}))
        arrays.append(pa.array(table[name].to_numpy(dtype=np.float64)))
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), sink,
                   compression="zstd")
    return sink.getvalue().to_pybytes()


# -- helpers ------------------------------------------------------------------------------
def _occupied_message(path: Path) -> str:
    record_path = path / RUN_RECORD_FILE
    if record_path.is_file():
        with contextlib.suppress(ValueError, OSError):
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("layout") == PARTITIONED_LAYOUT and not record.get("complete"):
                return (f"{path} holds an unfinished run; finish it with "
                        f"'hemasim run --resume {path}', or choose another --out")
            return (f"{path} holds a finished run; a large run never replaces one: remove it "
                    "or choose another --out")
    return f"{path} exists and is not empty; choose another --out"


def _acquire_lock(path: Path):
    handle = open(path / LOCK_FILE, "a+")  # noqa: SIM115 - held for the run's lifetime
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise RunDirectoryError(f"{path} is being written by another hemasim process") from None
    return handle


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_destination(path) as temporary:
        temporary.write_bytes(data)
    _fsync_directory(path.parent)


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_json(path: Path, data: dict) -> None:
    _write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_chunk_log(run: str | os.PathLike) -> list[dict]:
    """The valid entries of a partitioned run's ``chunks.jsonl`` (torn lines are skipped)."""
    path = Path(run) / CHUNK_LOG_FILE
    entries = []
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line torn by a crash: its chunk is redone
        if isinstance(entry, dict) and {"index", "patients", "timecourse_bytes",
                                        "endpoints_bytes"} <= entry.keys():
            entries.append(entry)
    return entries
