"""benchmarks/lever_effects.py, the generator of docs/levers.md's effect table: its shares of draws are
computed from the draws' paired values, and ``--write``/``--markdown-out`` replace only the generated
section."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import model
from model.calibrate.ensemble import SHIPPED, load_ensemble
from model.outcomes.intervals import mean_interval
from model.runner import replication_seed

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lever_effects", ROOT / "benchmarks" / "lever_effects.py")
effects = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(effects)


def _runs(values: list[float], draws: int = 3, per_draw: int = 2) -> pd.DataFrame:
    """A replications table: ``draw``, the outcomes effect_row reads (final adoption ``values``)."""
    n = draws * per_draw
    frame = pd.DataFrame({"draw": np.repeat(np.arange(draws), per_draw), "final_adoption": values,
                          "adoptions_final": np.array(values) * 1000, "spend_msek": [10.0] * n,
                          "budget_msek": [12.0] * n})
    for outcome, _ in effects.COLUMNS[1:]:
        frame[outcome] = 0.5
    return frame


def test_shares_and_ranks_come_from_the_draws_means():
    base = _runs([.10, .20, .30, .30, .20, .20])  # draw means .15, .30, .20
    a = _runs([.20, .20, .25, .25, .10, .20])  # .20, .25, .15: beats the baseline in draw 0 only
    b = _runs([.10, .10, .40, .40, .30, .40])  # .10, .40, .35: draws 1 and 2
    row = effects.effect_row(a, base)
    assert row["beats"] == pytest.approx(1 / 3)
    low, high = mean_interval(np.array([.05, -.05, -.05]))[1:]  # over the three draws, not six runs
    assert row["final_adoption"] == f"−0.017 ± {(high - low) / 2:.3f}"
    assert row["cost"] == "no gain"  # 16.7 fewer adoptions for its money
    assert effects.effect_row(b, base)["beats"] == pytest.approx(2 / 3)
    ranks = effects.rankings({"a": a, "b": b}, base)
    # draw 0: a > base > b; draw 1: b > base > a; draw 2: b > base > a
    assert ranks.share_first.to_dict() == pytest.approx({"baseline": 0, "a": 1 / 3, "b": 2 / 3})
    assert ranks.mean_rank.to_dict() == pytest.approx({"baseline": 2, "a": 7 / 3, "b": 5 / 3})
    pairs = effects.pairwise({"a": a, "b": b, "baseline": base})
    assert pairs.at["a", "b"] == pytest.approx(1 / 3) and pairs.at["b", "a"] == pytest.approx(2 / 3)
    assert pairs.at["b", "baseline"] == pytest.approx(2 / 3) and np.isnan(pairs.at["a", "a"])


def _section(text: str = "old\n") -> str:
    return f"# Levers\n\nprose before\n\n{effects.START}\n{text}{effects.END}\n\nprose after\n"


def test_replace_section_writes_between_the_markers_only(tmp_path):
    path = tmp_path / "levers.md"
    path.write_text(_section(), encoding="utf-8")
    assert effects.replace_section(path, "| new | table |\n") is True
    assert path.read_text(encoding="utf-8") == _section("| new | table |\n")
    assert effects.replace_section(path, "| new | table |") is False  # already current
    assert [p.name for p in tmp_path.iterdir()] == ["levers.md"]  # no temporary file left
    path.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lever-effects:start"):
        effects.replace_section(path, "x")
    assert path.read_text(encoding="utf-8") == "no markers\n"


@pytest.mark.slow
def test_ensemble_table_on_a_tiny_case_matches_the_draws_run_by_hand(tmp_path):
    """2 posterior draws x 2 paired replications, two levers, three years: each lever's difference, the
    share of draws in which it beats the baseline and in which it ranks first are those of the same runs
    made one by one."""
    levers = ("lever_learning_networks", "lever_pilot_grants")
    out = tmp_path / "levers.md"
    out.write_text(_section(), encoding="utf-8")
    effects.main(["--draws", "2", "--reps", "2", "--horizon", "3", "--workers", "1", "--only", *levers,
                  "--markdown-out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Levers\n\nprose before\n") and text.endswith("prose after\n")
    assert "over 2 posterior draws × 2 replications" in text
    table = text.split("\n\n| ", 1)[1].split("\n\n", 1)[0]  # the effect table, after the paragraph
    lines = [line for line in ("| " + table).splitlines() if line.startswith("| ")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {r["scenario"].strip("`"): r for r in (dict(zip(head, (c.strip() for c in line.strip("|").split("|"))))
                                                  for line in lines[1:])}
    assert list(rows) == list(levers)

    scenarios = {n: effects.load(ROOT / "scenarios" / f"{n}.yaml", horizon=3) for n in ("baseline", *levers)}
    seed = scenarios["baseline"].seed
    shipped = load_ensemble(SHIPPED)
    # final adoption per draw (mean of its two replications) and scenario, run one by one: draw d's values as
    # the ensemble applies them (a fitted event's values skipped where the scenario has no such event), its
    # replication r on the ensemble's run seed d * 2 + r (each run its own stream)
    final = pd.DataFrame({n: [np.mean([model.run(drawn, replication_seed(seed, d * 2 + r)).summary["final_adoption"]
                                       for r in range(2)]) for d, drawn in enumerate(shipped.scenarios(s)[:2])]
                          for n, s in scenarios.items()})
    best = final.eq(final.max(axis=1), axis=0)
    first = best.div(best.sum(axis=1), axis=0).mean()  # ties shared
    for name in levers:
        diffs = (final[name] - final["baseline"]).to_numpy()
        assert rows[name]["draws beating baseline"] == f"{np.mean(diffs > 0):.0%}"
        assert rows[name]["Δ final adoption"].startswith(f"{diffs.mean():+.3f} ±".replace("-", "−"))
        assert rows[name]["draws ranked first"] == f"{first[name]:.0%}"


def test_markdown_out_makes_a_new_file_and_refuses_one_without_markers(tmp_path, monkeypatch, capsys):
    """``--markdown-out NEW`` writes the section alone between the markers; an existing file without them is
    refused with one line and exit 2, not a traceback, and left as it was (the measuring itself is stubbed:
    it is tested above)."""
    monkeypatch.setattr(effects, "measure", lambda *a, **k: (None, None, None, None))
    monkeypatch.setattr(effects, "section", lambda *a, **k: "| the | table |")
    new = tmp_path / "assumed.md"
    effects.main(["--markdown-out", str(new), "--only", "lever_procurement"])
    assert new.read_text(encoding="utf-8") == f"{effects.START}\n| the | table |\n{effects.END}\n"
    mine = tmp_path / "notes.md"
    mine.write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        effects.main(["--markdown-out", str(mine), "--only", "lever_procurement"])
    assert exit_.value.code == 2
    assert "cannot write the table" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
