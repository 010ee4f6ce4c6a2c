"""The value-of-information chart: bars at each parameter's EVPPI (in pp for shares), the EVPI as a line,
largest first, a panel that says so when nothing is to be learnt, and a clear refusal of a wrong table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from model.charts.voi import voi_chart, voi_figure
from tests.charts.support import assert_png, drawn_texts, shown_as


def table() -> pd.DataFrame:
    rows = [("final_adoption", "slow_$x$", 0.002, 0.001, 0.003, 0.006),
            ("final_adoption", "fast", 0.005, 0.004, 0.006, 0.006), ("gap_small_large", "fast", 0.0, 0.0, 0.0, 0.0)]
    frame = pd.DataFrame(rows, columns=["criterion", "parameter", "evppi", "evppi_low", "evppi_high", "evpi"])
    return frame.assign(chosen_now="status_quo")


def test_bars_line_and_labels(tmp_path):
    fig = voi_figure(table(), "caption")
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)][0]
    assert np.allclose([b.get_width() for b in bars], [0.5, 0.2])  # pp, largest first
    assert [shown_as(t) for t in ax.get_yticklabels()] == ["fast", "slow_$x$"]
    assert any(np.allclose(line.get_xdata(), 0.6) for line in ax.get_lines())  # the EVPI
    assert "EVPI 0: the same portfolio\nis best in every world" in [shown_as(t) for t in drawn_texts(fig)]
    assert_png(voi_chart(table(), tmp_path / "voi.png"))


def test_a_wrong_table_is_refused():
    with pytest.raises(ValueError, match="lacks column"):
        voi_figure(table().drop(columns="evpi"))
    with pytest.raises(ValueError, match="no criterion"):
        voi_figure(table().assign(evpi=np.nan))
