"""Writing results: atomically, with everything needed to reproduce the run.

Every file is written to a temporary name in the same folder and renamed into place, so an interrupted
run (Ctrl-C, a killed worker) never leaves a half-written file: a file is either absent or complete.
"""

from __future__ import annotations

import json
import os
import platform
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


def write_with(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Write ``path`` atomically by calling ``writer(temporary_path)``."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    return write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    return write_with(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_json(data: Any, path: str | Path) -> Path:
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
    """Each outcome's mean over replications, a 95 % confidence interval of the mean (t-based) and the
    2.5-97.5 % range of single runs."""
    from scipy import stats

    rows = []
    for column in summaries.columns:
        values = summaries[column].to_numpy(dtype=float)
        ok = values[~np.isnan(values)]
        n = len(ok)
        mean = ok.mean() if n else np.nan
        if n > 1:
            sem = ok.std(ddof=1) / np.sqrt(n)
            half = stats.t.ppf(0.975, n - 1) * sem
        else:
            half = np.nan
        rows.append({
            "outcome": column,
            "mean": mean,
            "ci95_low": mean - half,
            "ci95_high": mean + half,
            "run_p2.5": np.percentile(ok, 2.5) if n else np.nan,
            "run_p97.5": np.percentile(ok, 97.5) if n else np.nan,
            "n": n,
        })
    return pd.DataFrame(rows)
