"""Maps: all 290 municipalities, coloured by value, in Sweden's shape; the final-adoption map; the animation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageSequence

from model.charts import maps
from tests.charts.support import drawn_texts, shown_as


def map_collection(fig):
    found = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "municipalities"]
    assert found, "no municipality collection drawn"
    return found[0]


def test_map_draws_all_290_municipalities_coloured_by_value():
    codes, _, _, _ = maps.map_shapes()
    assert len(set(codes)) == 290
    values = {code: i / 289 * 0.8 + 0.1 for i, code in enumerate(codes)}
    fig = maps.adoption_map(values, title="test")
    collection = map_collection(fig)
    paths = collection.get_paths()
    assert len(paths) == 290  # one (compound) path per municipality, multipolygons included
    array = collection.get_array()
    assert len(array) == 290 and not np.ma.is_masked(array)
    assert array.min() == pytest.approx(0.1) and array.max() == pytest.approx(0.9)
    # the colours follow the values: the lowest- and highest-valued municipalities get the colour map's ends
    colours = collection.to_rgba(array)
    cmap, norm = collection.get_cmap(), collection.norm
    assert np.allclose(colours[int(np.argmin(array))], cmap(norm(0.1)))
    assert np.allclose(colours[int(np.argmax(array))], cmap(norm(0.9)))
    assert not np.allclose(colours[0], colours[-1])
    ax = fig.axes[0]
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0


def test_map_keeps_sweden_in_shape():
    fig = maps.adoption_map({"0180": 0.5}, stockholm_inset=False)
    collection = map_collection(fig)
    points = np.concatenate([p.vertices for p in collection.get_paths()])
    width, height = np.ptp(points[:, 0]), np.ptp(points[:, 1])
    # Sweden is about 2.2 times as tall as it is wide once longitude is scaled by cos(62 degrees)
    assert 1.9 < height / width < 2.6
    assert fig.axes[0].get_aspect() == 1.0


def test_map_accepts_series_and_numeric_codes_and_greys_out_missing():
    fig = maps.adoption_map(pd.Series({114: 0.2, "0180": 0.7}))
    array = map_collection(fig).get_array()
    assert array.count() == 2 and np.ma.count_masked(array) == 288
    assert array.min() == pytest.approx(0.2) and array.max() == pytest.approx(0.7)
    with pytest.raises(ValueError, match="not municipalities on the map"):
        maps.adoption_map({"9999": 0.5})
    with pytest.raises(ValueError, match="duplicate municipality codes"):
        maps.adoption_map(pd.Series([0.1, 0.2], index=[114, "0114"]))


def test_map_chart_colours_by_mean_final_share(municipalities):
    fig = maps.map_chart(municipalities, title="synthetic")
    array = map_collection(fig).get_array()
    expected = municipalities.groupby("code")["adoption_share"].mean()
    assert array.min() == pytest.approx(expected.min()) and array.max() == pytest.approx(expected.max())
    assert fig.axes[0].collections[0].norm.vmin == 0 and fig.axes[0].collections[0].norm.vmax == 1


def test_map_titles_are_drawn_literally(municipalities):
    fig = maps.adoption_map({"0180": 0.5}, title="Map of $x$", stockholm_inset=False)
    assert "Map of $x$" in [shown_as(t) for t in drawn_texts(fig)]
    fig = maps.map_chart(municipalities, title="Plan $x$")
    assert any(shown_as(t).startswith("Scenario: Plan $x$") for t in drawn_texts(fig))


def test_adoption_map_animation_writes_a_gif_with_one_frame_per_year(tmp_path):
    codes = maps.map_shapes()[0]
    shares = pd.concat([pd.DataFrame({"code": codes, "year": year, "adoption_share": np.linspace(0, share, 290)})
                        for year, share in ((2026.0, 0.1), (2027.5, 0.5), (2029.0, 0.9))])
    path = maps.adoption_map_animation(shares, tmp_path / "anim" / "map.gif", hold_last=0,
                                       stockholm_inset=False)
    data = path.read_bytes()
    assert data[:6] == b"GIF89a" and len(data) > 10_000
    with Image.open(path) as image:
        assert sum(1 for _ in ImageSequence.Iterator(image)) == 3
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.gif"]  # no partial file left
    assert maps.quarter_label(2027.5) == "2027 Q3" and maps.quarter_label(2029.0) == "2029"
    with pytest.raises(ValueError, match="adoption_share"):
        maps.adoption_map_animation(shares.drop(columns="adoption_share"), tmp_path / "x.gif")
