"""Writing results: atomically, with everything needed to reproduce the run.

Every file is written to a temporary name in the same folder and renamed into place, so an interrupted
run (Ctrl-C, a killed worker) never leaves a half-written file: a file is either absent or complete.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

_UMASK = os.umask(0)
os.umask(_UMASK)

#: where results folders go unless ``--out`` says otherwise (relative to the current folder)
RESULTS_ROOT = Path("results")

PACKAGES = ("spridning", "mesa", "numpy", "scipy", "pandas", "pyarrow", "networkx", "pydantic", "matplotlib",
            "SALib", "dask", "distributed")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def replace_between(path: str | Path, start: str, end: str, body: str) -> bool:
    """Put ``body`` between the markers ``start`` and ``end`` in the text file ``path`` (atomically: a
    generated part of a document); True if the file changed. ValueError when the file has not exactly one
    ``start`` followed by one ``end``."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{path}: needs one {start} followed by one {end}")
    head, rest = text.split(start, 1)
    old, tail = rest.split(end, 1)
    new = "\n" + body.strip("\n") + "\n"
    if old == new:
        return False
    with atomic_path(path) as tmp:
        tmp.write_text(head + start + new + end + tail, encoding="utf-8")
    return True


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``path`` (``.NAME.partial-XXXXXXXX``); on success it gets
    an :data:`~model.folders.INVENTORY` of its files and replaces ``path`` (an earlier folder of that name
    is removed only then), on error or Ctrl-C it is removed. So a results folder is either complete or
    absent: nothing half-written ever carries its name. Whether ``path`` may be replaced is the caller's
    to check (:func:`model.folders.claim`: the commands replace only their own earlier result)."""
    from .folders import INVENTORY, hidden, inventory

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=hidden(path.name, "partial-", spare=8), dir=path.parent))
    os.chmod(tmp, 0o777 & ~_UMASK)
    try:
        yield tmp
        listing = inventory(tmp)
        write_with(tmp / INVENTORY, lambda file: file.write_text(listing, encoding="utf-8"))
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=hidden(path.name, "old-", spare=8), dir=path.parent))
            os.replace(path, old / "folder")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_with(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Write ``path`` atomically by calling ``writer(temporary_path)``."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to Parquet atomically."""
    return write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to CSV atomically."""
    return write_with(path, lambda tmp: frame.to_csv(tmp, index=False))


#: rows gathered before a streamed Parquet file gets a row group: large enough for quick reading and good
#: compression, small enough (about 15 MB of a run's timeseries) that memory stays flat however many runs
ROW_GROUP_ROWS = 2 ** 17


class _Appended:
    """A file written piece by piece under a temporary name beside ``path`` (:func:`atomic_path`):
    :meth:`close` moves it into place, :meth:`discard` (or leaving a ``with`` block by an exception)
    removes it, so it is either absent or complete."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._atomic = atomic_path(self.path)
        self._tmp = self._atomic.__enter__()
        self._open = True

    def _finish(self) -> None:
        """Complete the temporary file (subclasses)."""

    def close(self) -> Path:
        """Complete the file, move it into place and return its path."""
        self._open = False
        try:
            self._finish()
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        self._atomic.__exit__(None, None, None)
        return self.path

    def discard(self) -> None:
        """Remove the temporary file (a file already at ``path`` is left as it was); nothing once closed."""
        if self._open:
            self._open = False
            self._atomic.__exit__(RuntimeError, RuntimeError("discarded"), None)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


class ParquetAppender(_Appended):
    """A Parquet file written piece by piece, in the order :meth:`add` is called, holding one row group in
    memory: the pieces (Arrow tables or pandas frames, all of the first piece's schema) are gathered into
    row groups of about :data:`ROW_GROUP_ROWS` rows. Reading the file back gives the frame
    ``pandas.concat`` of the pieces would (same columns, dtypes and values). Atomic (:class:`_Appended`).
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._writer = None
        self._schema = None
        self._pending: list = []
        self._rows = 0

    def add(self, piece: "pa.Table | pd.DataFrame") -> None:
        """Append ``piece`` (a pandas frame without its index); raises ValueError (from pyarrow) when its
        columns cannot be cast to the first piece's types."""
        import pyarrow as pa

        table = pa.Table.from_pandas(piece, preserve_index=False) if isinstance(piece, pd.DataFrame) else piece
        if self._schema is None:
            self._schema = table.schema
        elif not table.schema.equals(self._schema, check_metadata=False):
            table = table.cast(self._schema)
        self._pending.append(table)
        self._rows += table.num_rows
        if self._rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, self._schema)
        if self._pending:
            self._writer.write_table(pa.concat_tables(self._pending), row_group_size=max(self._rows, 1))
        self._pending, self._rows = [], 0

    def _finish(self) -> None:
        if self._schema is None:
            raise ValueError(f"{self.path.name}: nothing to write (a Parquet file needs a schema)")
        self._flush()
        self._writer.close()

    def discard(self) -> None:
        """Stop writing and remove the temporary file."""
        if self._writer is not None:
            self._writer.close()
        self._pending = []
        super().discard()


class CsvAppender(_Appended):
    """A CSV file written frame by frame: the header from the first frame, then each frame's rows, as
    ``pandas.concat(frames).to_csv(index=False)`` writes them when each column holds one type in every
    frame. Atomic (:class:`_Appended`)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._file = self._tmp.open("w", encoding="utf-8", newline="")
        self._columns: list | None = None

    def add(self, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (the first frame also writes the header); raises ValueError when its
        columns differ from the first frame's."""
        if self._columns is None:
            self._columns = list(frame.columns)
            frame.to_csv(self._file, index=False)
        elif list(frame.columns) != self._columns:
            raise ValueError(f"{self.path.name}: columns {list(frame.columns)} differ from {self._columns}")
        elif len(frame):
            frame.to_csv(self._file, index=False, header=False)

    def _finish(self) -> None:
        self._file.close()

    def discard(self) -> None:
        """Stop writing and remove the temporary file."""
        self._file.close()
        super().discard()


def write_json(data: Any, path: str | Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON atomically (NumPy values and paths included)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    return write_with(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def versions() -> dict[str, str]:
    """Versions of Python and of every package a result depends on."""
    return dict(_versions())


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    """:func:`versions`, read once per process (the packages' metadata files: 20 ms, read ahead by
    :func:`model.batch.stream_replications` while the runs go)."""
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def summary_table(summaries: pd.DataFrame) -> pd.DataFrame:
    """Each outcome's mean over replications, a 95 % confidence interval of the mean (t-based; NaN with a
    single replication, and clipped to [0, 1] for shares) and the 2.5-97.5 % range of single runs.

    ``summaries``: one row per replication, one column per scalar outcome. Returns one row per outcome
    with columns outcome, mean, ci95_low, ci95_high, run_p2.5, run_p97.5, n.
    """
    from .outcomes.intervals import mean_interval

    rows = []
    for column in summaries.columns:
        values = summaries[column].to_numpy(dtype=float)
        ok = values[~np.isnan(values)]
        n = len(ok)
        mean, low, high = mean_interval(values, share=_is_share(column))
        rows.append({
            "outcome": column,
            "mean": mean,
            "ci95_low": low,
            "ci95_high": high,
            "run_p2.5": np.percentile(ok, 2.5) if n else np.nan,
            "run_p97.5": np.percentile(ok, 97.5) if n else np.nan,
            "n": n,
        })
    return pd.DataFrame(rows)


def _is_share(name: str) -> bool:
    from .outcomes.catalogue import is_outcome, outcome

    return is_outcome(name) and outcome(name).format == "percent"
