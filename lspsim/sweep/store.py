"""The sweep's output directory: streamed, resumable, consolidated at the end.

Layout of DIR::

    manifest.json        experiment hash, versions, seeds, design summary, batch size, status
    experiment.json      the validated experiment;  scenario.toml: the resolved base scenario
    design.parquet       one row per design point (values, and unit coordinates if sampled)
    runs/part-NNNNNN.parquet     one file per finished batch (while running)
    series/part-NNNNNN.parquet   the batch's monthly series, written before its runs part
    runs.parquet         one row per run, sorted by (point, replication)    } after the
    series.parquet       one row per run and month, same order               } last batch

Batch b always holds runs ``b*B .. (b+1)*B - 1`` of the (point, replication) order, and its runs
part is written atomically (temporary file + rename) after its series part: a batch is done if
and only if its runs part exists. Resuming reruns exactly the batches without one, so no run is
lost or duplicated, and consolidating the parts in batch order gives the same sorted dataset
whatever the interruption, worker count or executor.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lspsim.errors import InputError
from lspsim.io import write_json

MANIFEST = "manifest.json"
ROW_GROUP = 200_000


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("lspsim", "mesa", "numpy", "scipy", "SALib", "pyarrow", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover - lspsim run from a checkout
            out[pkg] = "unknown"
    from lspsim._version import __version__

    out["lspsim"] = __version__
    out["blas"] = blas()
    return out


def blas() -> str:
    """The BLAS numpy uses and the kernel it picked for this CPU (e.g. "openblas 0.3.31
    Haswell"): sweeps run on CPUs whose BLAS picks different kernels agree only to the last
    bits (README, "bit-identical"), so the manifest records it."""
    import numpy  # noqa: F401 - its BLAS is loaded (and listed) once numpy is
    from threadpoolctl import threadpool_info

    found = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
    # numpy's own (scipy may load a second one), else the first
    found.sort(key=lambda lib: "numpy" not in str(lib.get("filepath", "")))
    if not found:
        return "unknown"
    lib = found[0]
    return " ".join(str(x) for x in (lib.get("internal_api"), lib.get("version"),
                                      lib.get("architecture")) if x)


def _arrow_type(values: list[Any]) -> pa.DataType:
    vals = [v for v in values if v is not None]
    if vals and all(isinstance(v, bool) for v in vals):
        return pa.bool_()
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return pa.int64()
    if vals and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return pa.float64()
    return pa.string()


class SweepStore:
    """Reads and writes one sweep directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.runs_dir = self.path / "runs"
        self.series_dir = self.path / "series"

    # -- manifest ----------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any]:
        if not self.exists():
            raise InputError(str(self.path), MANIFEST, None, "a sweep directory written by "
                             "`lspsim sweep` (no manifest.json here)")
        try:
            data = json.loads(self.manifest_path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InputError(str(self.manifest_path), "(file)", None,
                             f"a readable manifest ({type(exc).__name__}: {exc})") from None
        if not isinstance(data, dict):
            raise InputError(str(self.manifest_path), "(file)", type(data).__name__,
                             "a JSON object, as `lspsim sweep` writes")
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / f".{MANIFEST}.tmp"
        write_json(tmp, manifest)
        os.replace(tmp, self.manifest_path)

    # -- schema ------------------------------------------------------------------------
    def runs_schema(self, design_values: list[dict[str, Any]], names: list[str],
                    metrics: list[str]) -> pa.Schema:
        fields = [pa.field("point", pa.int64()), pa.field("replication", pa.int64()),
                  pa.field("seed", pa.int64())]
        for n in names:
            fields.append(pa.field(n, _arrow_type([v[n] for v in design_values])))
        fields += [pa.field(m, pa.float64()) for m in metrics]
        fields += [pa.field("status", pa.string()), pa.field("attempts", pa.int8()),
                   pa.field("error", pa.string())]
        return pa.schema(fields)

    @staticmethod
    def series_schema(series: list[str]) -> pa.Schema:
        return pa.schema([pa.field("point", pa.int64()), pa.field("replication", pa.int64()),
                          pa.field("month", pa.int64())]
                         + [pa.field(s, pa.float64()) for s in series])

    # -- parts -------------------------------------------------------------------------
    def part_name(self, batch: int) -> str:
        return f"part-{batch:06d}.parquet"

    def prepare(self) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.series_dir.mkdir(parents=True, exist_ok=True)

    def done_batches(self) -> set[int]:
        """Batches whose runs part is written; stray temporary files and orphan series parts
        (a kill between the two writes) are removed."""
        done: set[int] = set()
        if not self.runs_dir.is_dir():
            return done
        for p in self.runs_dir.iterdir():
            if p.name.startswith("part-") and p.suffix == ".parquet":
                done.add(int(p.stem.split("-")[1]))
            elif p.name.startswith("."):
                p.unlink(missing_ok=True)
        if self.series_dir.is_dir():
            for p in self.series_dir.iterdir():
                orphan = p.name.startswith("part-") and int(p.stem.split("-")[1]) not in done
                if p.name.startswith(".") or orphan:
                    p.unlink(missing_ok=True)
        return done

    @staticmethod
    def _write_atomic(table: pa.Table, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, tmp, compression="none")  # temporary: speed over size
        os.replace(tmp, path)

    def write_batch(self, batch: int, runs: pa.Table, series: pa.Table | None) -> None:
        if series is not None:
            self._write_atomic(series, self.series_dir / self.part_name(batch))
        self._write_atomic(runs, self.runs_dir / self.part_name(batch))

    def consolidate(self, n_batches: int, runs_schema: pa.Schema,
                    series_schema: pa.Schema | None) -> None:
        """Stream the parts, in batch order, into runs.parquet and series.parquet."""
        jobs = [("runs", self.runs_dir, runs_schema)]
        if series_schema is not None:
            jobs.append(("series", self.series_dir, series_schema))
        for name, folder, schema in jobs:
            final = self.path / f"{name}.parquet"
            tmp = self.path / f".{name}.parquet.tmp"
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                buf: list[pa.Table] = []
                rows = 0
                for b in range(n_batches):
                    part = folder / self.part_name(b)
                    if not part.is_file():
                        raise RuntimeError(f"missing {part}: the sweep is not complete")
                    buf.append(pq.read_table(part, schema=schema))
                    rows += buf[-1].num_rows
                    if rows >= ROW_GROUP:  # bounded memory, few row groups
                        writer.write_table(pa.concat_tables(buf), row_group_size=ROW_GROUP)
                        buf, rows = [], 0
                if buf:
                    writer.write_table(pa.concat_tables(buf), row_group_size=ROW_GROUP)
            os.replace(tmp, final)

    def forget_batches(self, batches: list[int]) -> None:
        """Remove these batches' parts, so that they are run again."""
        for b in batches:
            (self.runs_dir / self.part_name(b)).unlink(missing_ok=True)
            (self.series_dir / self.part_name(b)).unlink(missing_ok=True)

    def remove_leftovers(self) -> None:
        """Temporary files of a write that was interrupted (the next write redoes it)."""
        for name in (MANIFEST, "runs.parquet", "series.parquet"):
            (self.path / f".{name}.tmp").unlink(missing_ok=True)

    def remove_parts(self) -> None:
        shutil.rmtree(self.runs_dir, ignore_errors=True)
        shutil.rmtree(self.series_dir, ignore_errors=True)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def runs_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """A batch's runs as an Arrow table (missing metrics of failed runs are null)."""
    cols = {f.name: [row.get(f.name) for row in rows] for f in schema}
    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)


def series_table(chunks: list[tuple[int, int, dict[str, np.ndarray]]], series: list[str],
                 schema: pa.Schema) -> pa.Table:
    """A batch's monthly series (long format: one row per run and month)."""
    pts, reps, months = [], [], []
    data: dict[str, list[np.ndarray]] = {s: [] for s in series}
    for point, rep, arrays in chunks:
        t = len(next(iter(arrays.values()))) if arrays else 0
        pts.append(np.full(t, point, np.int64))
        reps.append(np.full(t, rep, np.int64))
        months.append(np.arange(t, dtype=np.int64))
        for s in series:
            data[s].append(np.asarray(arrays.get(s, np.full(t, np.nan)), dtype=float))
    cat = (lambda xs, dt: np.concatenate(xs) if xs else np.empty(0, dt))  # noqa: E731
    cols = {"point": cat(pts, np.int64), "replication": cat(reps, np.int64),
            "month": cat(months, np.int64)}
    cols.update({s: cat(data[s], float) for s in series})
    return pa.table(cols, schema=schema)
