"""What ``spridning compare`` prints: each scenario's paired difference from the baseline with its 95 %
interval (in percentage points) and the cost per extra adoption, not only the levels."""

import pandas as pd

from model.cli.compare import difference_lines


def test_the_printed_summary_gives_paired_differences_with_their_intervals():
    rows = [("baseline", "final_adoption", 0.222, 0, 0, 0), ("baseline", "gap_small_large", 0.04, 0, 0, 0),
            ("baseline", "cost_per_extra_adoption_msek", float("nan"), 0, 0, 0),
            ("more", "final_adoption", 0.233, 0.011, 0.008, 0.014),
            ("more", "gap_small_large", 0.03, -0.010, -0.021, 0.002),
            ("more", "cost_per_extra_adoption_msek", 90.4, 0, 0, 0)]
    table = pd.DataFrame(rows, columns=["scenario", "outcome", "mean", "diff_vs_baseline", "diff_ci95_low",
                                        "diff_ci95_high"])
    header, base, more = difference_lines(table, "baseline")
    assert "Δ vs baseline (95 % CI)" in header and "MSEK per extra adoption" in header
    assert base.split() == ["baseline", "22.2%"]  # the baseline: its level only
    assert more.split() == ["more", "23.3%", "+1.1", "pp", "(+0.8", "to", "+1.4)", "-1.0", "pp", "(-2.1", "to",
                            "+0.2)", "90"]
