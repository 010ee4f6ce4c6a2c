"""Maps that show only what is real: differences that cannot be told from zero are grey, one colour scale
per kind of map, targeted municipalities outlined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from model.charts import difference_maps as dm
from model.charts.maps import map_shapes
from model.levers.targeting import Target
from model.report.targets import targeted_codes
from tests.charts.support import drawn_texts

CODES = list(map_shapes()[0])
REAL = CODES[:30]  # a clear +5 pp effect in every replication


def _frames(reps: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline and portfolio municipalities.parquet frames: a real effect in REAL, pure noise elsewhere
    (differences +-2 pp alternating by replication, so their mean is zero and the interval includes it)."""
    rng = np.random.default_rng(1)
    base, mine = [], []
    for r in range(reps):
        level = rng.uniform(0.2, 0.4, len(CODES))
        noise = 0.02 * (1 if r % 2 else -1) * np.ones(len(CODES))
        if reps % 2 and r == reps - 1:
            noise[:] = 0.0
        effect = np.where(np.isin(CODES, REAL), 0.05 + 0.002 * (r % 3), noise)
        base.append(pd.DataFrame({"code": CODES, "replication": r, "adoption_share": level}))
        mine.append(pd.DataFrame({"code": CODES, "replication": r, "adoption_share": level + effect}))
    return pd.concat(mine), pd.concat(base)


def _caption(fig) -> str:
    """Every text drawn, with line breaks (captions wrap) as spaces."""
    return " ".join(" ".join(t.get_text() for t in drawn_texts(fig)).split())


def _overlay(fig, gid):
    return [c for ax in fig.axes for c in ax.collections if c.get_gid() == gid and ax.get_gid() != "stockholm_inset"]


def test_paired_differences_tell_a_real_effect_from_noise():
    paired = dm.paired_differences(*_frames(8))
    assert set(paired.index[paired["distinct"]]) == set(REAL)
    assert paired.loc[REAL[0], "diff"] == pytest.approx(0.05 + 0.002 * (0 + 1 + 2 + 0 + 1 + 2 + 0 + 1) / 8)
    assert (paired.loc[CODES[100], ["low", "high"]].to_numpy() * [1, -1] < 0).all()  # includes zero
    assert (paired["n"] == 8).all()


def test_noise_only_municipalities_are_grey_and_the_rule_is_in_the_caption():
    paired = dm.paired_differences(*_frames(8))
    fig = dm.difference_map(paired["diff"], distinct=paired["distinct"], replications=8)
    [grey] = _overlay(fig, "indistinct")
    assert len(grey.get_paths()) == len(CODES) - len(REAL)
    assert np.allclose(grey.get_facecolors(), to_rgba(dm.NEUTRAL_COLOR))
    # the real ones keep their colour of the scale: blue, above zero
    main = next(c for c in fig.axes[0].collections if c.get_gid() == "municipalities")
    colours = main.to_rgba(main.get_array())
    assert colours[CODES.index(REAL[0])][2] > colours[CODES.index(REAL[0])][0]
    texts = _caption(fig)
    assert "Grey: the 260 municipalities whose 95 % interval of the paired difference over 8 replications " \
           "includes zero" in texts
    assert "Told from zero: 30 municipalities higher, 0 lower." in texts


def test_with_too_few_replications_everything_is_grey_and_the_caption_says_why():
    paired = dm.paired_differences(*_frames(3))
    assert not paired["distinct"].any()
    fig = dm.difference_map(paired["diff"], distinct=paired["distinct"], replications=3)
    [grey] = _overlay(fig, "indistinct")
    assert len(grey.get_paths()) == len(CODES)
    assert "with 3 replications (fewer than 5) no municipality's difference can be told from zero" in _caption(fig)


def test_difference_maps_of_a_run_share_one_colour_scale():
    small = pd.Series(np.linspace(-0.01, 0.01, len(CODES)), index=CODES)
    large = pd.Series(np.linspace(-0.02, 0.08, len(CODES)), index=CODES)
    limit = dm.symmetric_limit([small, large])
    figures = [dm.difference_map(small, limit=limit), dm.difference_map(large, limit=limit),
               dm.map_small_multiples({2027.0: small, 2028.0: large}, "t", difference=True, limit=limit)]
    clims = {c.get_clim() for fig in figures for ax in fig.axes for c in ax.collections
             if c.get_gid() == "municipalities"}
    assert clims == {(-8.0, 8.0)}
    assert {tuple(np.round(fig.axes[-1].get_ylim(), 6)) for fig in figures} == {(-8.0, 8.0)}  # the colour bars
    assert "shared by every difference map of this comparison" in _caption(figures[0])
    # maps of adoption levels run from 0 to 100 %, as the final-adoption map does
    levels = dm.map_small_multiples({2027.0: small.abs(), 2028.0: large.abs()}, "t")
    assert {c.get_clim() for ax in levels.axes for c in ax.collections if c.get_gid() == "municipalities"} == {(0.0, 1.0)}


def test_targeted_municipalities_are_outlined():
    targeted = targeted_codes([Target(by="region", regions=["Norrbottens län"]), Target(by="region", regions=["Gotland"])])
    assert len(targeted) == 15 and "0980" in targeted  # Norrbotten's 14 and Gotland
    fig = dm.difference_map(pd.Series(0.01, index=CODES), targeted=targeted)
    [outline] = _overlay(fig, "targeted")
    assert len(outline.get_paths()) == 15
    assert np.allclose(outline.get_edgecolors(), to_rgba(dm.TARGET_EDGE))
    assert outline.get_facecolors().size == 0 or np.allclose(outline.get_facecolors()[:, 3], 0.0)  # no fill
    assert "Outlined in black: the 15 municipalities the portfolio's levers target." in _caption(fig)
    # a portfolio aimed at everyone outlines nothing, and says so
    everyone = dm.difference_map(pd.Series(0.01, index=CODES), targeted=set(CODES))
    assert not _overlay(everyone, "targeted")
    assert "Every municipality is targeted" in _caption(everyone)
