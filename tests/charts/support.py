"""Synthetic frames with known values, and the check that a file is a chart PNG, shared by the chart tests."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd

from model.charts.comparison import DEFAULT_OUTCOMES
from model.charts.maps import map_shapes
from model.charts.style import DPI
from model.world.organisations import SIZE_BANDS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = 2026
ROOT = Path(__file__).resolve().parents[2]


def band_share(band: int, step: int, rep: int) -> float:
    """Adoption share of size band ``band`` (0 = <10k ... 4 = >100k) at ``step`` in replication ``rep``."""
    return (band + 1) * 0.01 * step + (0.03 * rep if band == 0 else 0.0)


def make_timeseries(reps: int = 3, steps: int = 8, innovations=("alpha", "beta")) -> pd.DataFrame:
    """A ``timeseries`` frame as ``model.batch`` writes it, with shares and pilot counts that are known."""
    rows = []
    for rep in range(reps):
        for step in range(steps + 1):
            for innovation in [*innovations, "all"]:
                groups = [("overall", "all", 0.02 * step + 0.01 * rep), ("kind", "municipality", 0.02 * step)]
                groups += [("size_band", name, band_share(b, step, rep)) for b, name in enumerate(SIZE_BANDS)]
                for group_type, group, share in groups:
                    rows.append(dict(
                        step=step, year=START + step / 4, innovation=innovation, group_type=group_type,
                        group=group, adoption_share=share, adoption_share_pop=min(1.0, share * 1.5),
                        piloting_share=0.01 * rep + 0.005 * step, stalled_share=0.002 * step,
                        pilots_started=float(rep + 1) if step else 0.0,
                        pilots_scaled=float(rep) if step else 0.0,
                        pilots_stalled=1.0 if step else 0.0, adoptions_dropped=0.0, replication=rep))
    return pd.DataFrame(rows)


def make_municipalities(reps: int = 2) -> pd.DataFrame:
    """A ``municipalities`` frame: replication 0 runs 0 to 100 % over the map's order, replication 1 20-60 %."""
    codes, names, _, _ = map_shapes()
    frames = []
    for rep in range(reps):
        share = np.linspace(0.0, 1.0, len(codes)) if rep == 0 else np.linspace(0.2, 0.6, len(codes))
        frames.append(pd.DataFrame({
            "code": codes, "name": names, "county": "X", "population": 5000.0 + np.arange(len(codes)) * 2000,
            "size_band": [SIZE_BANDS[i % len(SIZE_BANDS)] for i in range(len(codes))], "skr_group": "A1",
            "adopted": 0, "applicable": 3, "adoption_share": share, "replication": rep}))
    return pd.concat(frames, ignore_index=True)


def comparison_inputs(timeseries: pd.DataFrame, with_differences: bool = False, names=("base", "more")):
    """Two scenarios' timeseries and a summaries table of the first five default outcomes."""
    other = timeseries.assign(adoption_share=timeseries.adoption_share * 1.2)
    series = dict(zip(names, (timeseries, other)))
    rows = []
    for s, scenario in enumerate(series):
        for o, outcome in enumerate(DEFAULT_OUTCOMES[:5]):
            mean = 0.2 + 0.1 * s + 0.05 * o
            row = dict(scenario=scenario, outcome=outcome, mean=mean, ci95_low=mean - 0.02, ci95_high=mean + 0.03)
            if with_differences:
                diff = 0.1 * s
                row.update(diff_vs_baseline=diff, diff_ci95_low=diff - 0.01, diff_ci95_high=diff + 0.01)
            rows.append(row)
    return series, pd.DataFrame(rows)


def assert_png(path: Path, smallest: int = 600) -> None:
    """``path`` is a PNG of a sensible size, at least ``smallest`` pixels a side, recorded at the charts' DPI."""
    assert path.is_file(), path
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert len(data) > 5000, f"{path.name} is suspiciously small"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert smallest <= width <= 4000 and smallest <= height <= 4000, (path.name, width, height)
    phys = data.find(b"pHYs")
    assert phys > 0, "no resolution recorded"
    per_metre = struct.unpack(">I", data[phys + 4: phys + 8])[0]
    assert round(per_metre * 0.0254) == DPI


def drawn_texts(fig) -> list:
    """Every text artist of ``fig`` after drawing it (tick labels exist only once drawn)."""
    fig.canvas.draw()
    return fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "_preprocess_math"))


def shown_as(text) -> str:
    """The string a text artist shows, and whether matplotlib reads it as mathtext (it must not)."""
    shown, is_math = text._preprocess_math(text.get_text())
    assert not is_math, text.get_text()
    return shown
