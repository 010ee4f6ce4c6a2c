"""Writing results: atomically, with everything needed to reproduce the run.

Every file is written to a temporary name in the same folder and renamed into place, so an interrupted
run (Ctrl-C, a killed worker) never leaves a half-written file: a file is either absent or complete.
"""

from __future__ import annotations

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
from typing import Any, Iterator

import numpy as np
import pandas as pd

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


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``path``; on success it replaces ``path`` (an earlier folder
    of that name is removed only then), on error or Ctrl-C it is removed. So a results folder is either
    complete or absent: nothing half-written ever carries its name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_UMASK)
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, old / path.name)
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
