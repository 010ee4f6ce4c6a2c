"""Comparing outputs with the golden record: whole numbers, strings and stages exactly, floats within a few
units in the last place (or 1e-12 relative), NaN equal to NaN.

Each function returns a list of readable differences (empty when all match): what (scenario, table,
column, row), both values and the difference; at most ``SHOW`` per column, with a count of the rest.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.stages import STAGES

ULPS = 4  # units in the last place a float may differ by (different BLAS kernels, libm, summation order)
RELATIVE = 1e-12  # or this much relative to the larger magnitude
SHOW = 5


def close(expected, got) -> np.ndarray:
    """Elementwise: equal, both NaN, or within ULPS units in the last place or RELATIVE of each other."""
    a, b = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(a), np.abs(b))
        tolerance = np.maximum(ULPS * np.spacing(scale), RELATIVE * scale)
        return (a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tolerance)


def _difference(expected, got) -> str:
    """'difference D (N ulp)' for two numbers, or '' for anything else."""
    try:
        a, b = float(expected), float(got)
    except (TypeError, ValueError):
        return ""
    if math.isnan(a) or math.isnan(b):
        return ""
    scale = max(abs(a), abs(b))
    ulps = abs(b - a) / np.spacing(scale) if a != b else 0.0
    size = f"{ulps:.0f} ulp" if ulps < 1000 else f"relative {abs(b - a) / scale:.2g}"
    return f" (difference {b - a:+.3g}, {size})"


def _show(value) -> str:
    """A cell as Python writes it (NumPy scalars as plain numbers)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def compare_values(where: str, expected: dict, got: dict) -> list[str]:
    """Two {name: number or None} mappings (summaries): the same names, every value close."""
    problems = [f"{where}: {name} is in the record but no longer computed" for name in sorted(set(expected) - set(got))]
    problems += [f"{where}: {name} is new (not in the record; regenerate it: make golden)"
                 for name in sorted(set(got) - set(expected))]
    for name in sorted(set(expected) & set(got)):
        a, b = expected[name], got[name]
        a, b = (np.nan if a is None else a), (np.nan if b is None else b)
        if not close(a, b):
            problems.append(f"{where}: {name}: recorded {a!r}, now {b!r}{_difference(a, b)}")
    return problems


def _float_column(series: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(series.dtype)


def compare_frames(where: str, expected: pd.DataFrame, got: pd.DataFrame, keys: list[str]) -> list[str]:
    """Two frames row by row: the same columns, the same rows (by ``keys``), every cell equal or close.
    Differences are named by the row's keys, first ``SHOW`` rows per column."""
    if list(expected.columns) != list(got.columns):
        return [f"{where}: columns changed: recorded {list(expected.columns)}, now {list(got.columns)}"]
    expected, got = expected.reset_index(drop=True), got.reset_index(drop=True)
    if len(expected) != len(got):
        return [f"{where}: recorded {len(expected)} rows, now {len(got)}"]
    keys = [k for k in keys if k in expected.columns]
    problems = []
    for column in expected.columns:
        a, b = expected[column], got[column]
        if _float_column(a) or _float_column(b):
            same = close(a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan))
        else:
            same = (a.astype(object).where(a.notna(), None).to_numpy()
                    == b.astype(object).where(b.notna(), None).to_numpy())
        bad = np.flatnonzero(~np.asarray(same, dtype=bool))
        for row in bad[:SHOW]:
            key = ", ".join(f"{k}={expected.at[row, k]}" for k in keys) or f"row {row}"
            problems.append(f"{where}: {column} at {key}: recorded {_show(a.iloc[row])}, now {_show(b.iloc[row])}"
                            f"{_difference(a.iloc[row], b.iloc[row])}")
        if len(bad) > SHOW:
            problems.append(f"{where}: {column}: {len(bad) - SHOW} more rows differ ({len(bad)} of {len(a)})")
    return problems


def compare_stages(where: str, expected: np.ndarray, got: np.ndarray) -> list[str]:
    """Two (quarters, organisations, innovations) stage histories, exactly: the first differing cells and
    how many organisations are in each stage in the first quarter that differs."""
    if expected.shape != got.shape:
        return [f"{where}: shape (quarters, organisations, innovations) recorded {expected.shape}, now {got.shape}"]
    cells = np.argwhere(expected != got)
    if len(cells) == 0:
        return []
    problems = [f"{where}: {len(cells)} of {expected.size} (quarter, organisation, innovation) stages differ"]
    for q, org, k in cells[:SHOW]:
        problems.append(f"{where}: quarter {q}, organisation {org}, innovation {k}: recorded "
                        f"{STAGES[expected[q, org, k]]}, now {STAGES[got[q, org, k]]}")
    q = cells[0][0]
    count = lambda h: {s: int((h[q] == i).sum()) for i, s in enumerate(STAGES)}  # noqa: E731
    problems.append(f"{where}: quarter {q} counts of (organisation, innovation) per stage: recorded "
                    f"{count(expected)}, now {count(got)}")
    return problems
