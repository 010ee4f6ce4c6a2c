"""Style: figures without pyplot, PNGs at the one DPI, literal user text, labels and outcome descriptions."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import pytest

from model.charts import style
from model.outcomes.catalogue import BY_NAME
from tests.charts.support import assert_png, drawn_texts, shown_as


def test_a_label_with_dollars_is_drawn_literally():
    fig = style.new_figure(4, 3)
    ax = fig.add_subplot()
    # unescaped, "$\notacommand$" is mathtext that fails to parse when drawn; "$x$" would lose its dollars
    ax.set_title(style.literal(r"costs $x$ and $\notacommand$"))
    style.titles(fig, "Plan $x$", "Scenario: $5 budget $y$")
    shown = [shown_as(t) for t in drawn_texts(fig) if t.get_text()]
    assert r"costs $x$ and $\notacommand$" in shown
    assert "Plan $x$" in shown and "Scenario: $5 budget $y$" in shown


def test_literal_leaves_text_without_dollars_alone():
    assert style.literal("Digital home care (v2)") == "Digital home care (v2)"
    assert style.literal(3) == "3"


def test_save_writes_a_png_at_the_style_dpi_and_leaves_no_temporary_file(tmp_path):
    fig = style.new_figure(5, 4)
    fig.add_subplot().plot([0, 1], [0, 1])
    path = style.save(fig, tmp_path / "nested" / "line.png")
    assert path == tmp_path / "nested" / "line.png"
    assert_png(path)
    assert [p.name for p in path.parent.iterdir()] == ["line.png"]


def _two_panel_chart_with_a_caption_below():
    """Constrained layout, a legend, a suptitle and a caption under the figure (outside it: the tight box
    must grow past the figure to keep it), as the scenario charts have."""
    import numpy as np

    fig = style.new_figure(7, 3.5)
    for i, ax in enumerate(fig.subplots(1, 2)):
        ax.plot(np.arange(40), np.sqrt(np.arange(40)) * (i + 1), label="adoption")
        ax.set_title(f"Panel {i}")
        ax.legend(loc="best")
    style.titles(fig, "Adoption over time", "Scenario: baseline · 40 replications\nA second caption line")
    return fig


def test_save_draws_once_the_pixels_savefig_draws_twice(tmp_path):
    """:func:`style.save` lays the figure out and draws it once, savefig twice: the same image, to the pixel
    (guards the private matplotlib helpers it uses across upgrades)."""
    import numpy as np
    from PIL import Image

    style.save(_two_panel_chart_with_a_caption_below(), tmp_path / "once.png")
    _two_panel_chart_with_a_caption_below().savefig(tmp_path / "twice.png", format="png", dpi=style.DPI,
                                                     bbox_inches="tight", pad_inches=style.PAD_INCHES,
                                                     facecolor="white")
    once, twice = (np.asarray(Image.open(tmp_path / name)) for name in ("once.png", "twice.png"))
    assert once.shape == twice.shape and once.shape[0] > 3.5 * style.DPI  # the caption below kept
    assert (once == twice).all()


def test_styled_applies_the_style_only_while_the_chart_is_made():
    @style.styled
    def title_weight() -> str:
        return matplotlib.rcParams["axes.titleweight"]

    before = matplotlib.rcParams["axes.titleweight"]
    assert title_weight() == "bold"
    assert matplotlib.rcParams["axes.titleweight"] == before


def test_pretty_labels():
    assert style.pretty("digital_home_care") == "Digital home care"
    assert style.pretty("ai_casework") == "AI casework"


def test_signed_uses_a_typographic_minus_and_an_unsigned_zero():
    assert style.signed(3.46) == "+3.5"
    assert style.signed(-1.2) == "\u22121.2"
    assert style.signed(-0.01) == "0"


def test_describe_reads_the_catalogue_and_stands_in_for_other_names():
    gap = style.describe("gap_small_large")
    assert gap is BY_NAME["gap_small_large"] and gap.format == "pp" and gap.better == "lower"
    own = style.describe("queue_length_days")
    assert (own.title, own.unit, own.format, own.better) == ("Queue length days", "", "number", None)


@pytest.mark.parametrize("axis", ["x", "y"])
def test_percent_and_points_axes_format_ticks(axis):
    fig = style.new_figure(4, 3)
    ax = fig.add_subplot()
    style.percent_axis(ax, axis)
    formatter = (ax.xaxis if axis == "x" else ax.yaxis).get_major_formatter()
    assert formatter(0.25, 0) == "25%"
    style.points_axis(ax, axis)
    formatter = (ax.xaxis if axis == "x" else ax.yaxis).get_major_formatter()
    assert formatter(-5.0, 0) == "\u22125" and formatter(10.0, 0) == "+10"


def test_chart_modules_import_only_downward_and_never_pyplot():
    """Every import in model/charts, at the top or inside a function, stays below the charts."""
    allowed = {"outcomes.catalogue", "results", "world.organisations", "stages", "processes"}
    folder = Path(style.__file__).parent
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module in allowed, (path.name, node.module)
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                assert (folder / f"{node.module}.py").is_file(), (path.name, node.module)
            elif isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("model", "matplotlib.pyplot")), (path.name, node.module)
                assert not (node.module == "matplotlib" and any(a.name == "pyplot" for a in node.names)), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith(("model", "matplotlib.pyplot")) for a in node.names), path.name
            elif isinstance(node, ast.Attribute) and node.attr == "use":
                assert not (isinstance(node.value, ast.Name) and node.value.id == "matplotlib"), path.name


def test_save_charts_draws_on_two_processes_as_one_would_and_reports_refusals_in_order(tmp_path, monkeypatch):
    import os

    from model.charts.style import new_figure, save_charts

    def chart(value):
        fig = new_figure(3, 2)
        fig.add_subplot().plot([0, 1], [0, value])
        return fig

    def refused():
        raise ValueError("no data")

    charts = {f"c{i}.png": (lambda i=i: chart(i), tmp_path / "two" / f"c{i}.png") for i in range(3)}
    charts["r.png"] = (refused, tmp_path / "two" / "r.png")
    two = save_charts(charts)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    one = save_charts({n: (make, tmp_path / "one" / n) for n, (make, _) in charts.items()})
    assert [(n, e) for n, _, e in two] == [(n, e) for n, _, e in one] == \
        [("c0.png", None), ("c1.png", None), ("c2.png", None), ("r.png", "no data")]
    for name in ("c0.png", "c1.png", "c2.png"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
