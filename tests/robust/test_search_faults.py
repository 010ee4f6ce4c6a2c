"""The budget search when objectives have no value (Optuna's rule: such a trial fails, and the command
says so) and when its stored state is damaged (a line naming the file and what to do, or the damaged
batch evaluated again)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from model.cli import main
from model.errors import InputError
from model.robust.study import run_experiment

from .common import TOY, write

SEARCH = {
    "name": "gapsearch",
    "model": f"{TOY}:budget_gaps",
    "baseline": {"name": "nothing", "constants": {}},
    "replications": 1,
    "seed": 5,
    "search": {"budget_msek_per_year": 10, "step_msek": 1,
               "levers": ["a", {"type": "b", "targets": ["small", "all"]}],
               "trials": 24, "population": 8,
               "objectives": [{"name": "reach_years", "better": "lower"}, {"name": "spend", "better": "lower"}]},
}


def _with(objectives: list, **search) -> dict:
    return {**SEARCH, "search": {**SEARCH["search"], "objectives": objectives, **search}}


def test_an_objective_without_any_value_gives_no_front_and_says_why(tmp_path):
    exp = write(tmp_path, _with([{"name": "never", "better": "lower"}, {"name": "spend", "better": "lower"}]))
    result = run_experiment(exp, tmp_path / "out", workers=1, progress=False)
    distinct = result.search.trials["key"].nunique()
    assert len(result.search.front) == 0
    note = next(n for n in result.warnings if n.startswith("search: never"))
    assert f"no value for any of the {distinct} allocations tried (24 trials)" in note and "no Pareto front" in note
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert note in manifest["warnings"] and note in manifest["search"]["notes"]
    assert not (tmp_path / "out" / "search" / "pareto.png").exists()  # no empty chart drawn as if fine
    assert not (tmp_path / "out" / "search" / "front").exists()
    assert len(pd.read_csv(tmp_path / "out" / "search" / "trials.csv")) == 24


def test_allocations_without_a_value_fail_their_trials_with_a_count(tmp_path):
    result = run_experiment(write(tmp_path, SEARCH), tmp_path / "out", workers=1, progress=False)
    trials = result.search.trials.drop_duplicates("key")
    bad = int(trials["reach_years"].isna().sum())
    assert 0 < bad < len(trials)
    assert (f"search: reach_years has no value for {bad} of the {len(trials)} allocations tried (NaN or infinite in "
            "at least one world); Optuna failed those trials and they are not on the front") in result.warnings
    front = result.search.front
    assert len(front) and front["reach_years"].notna().all() and (front["a_msek"] >= 5).all()
    assert (tmp_path / "out" / "search" / "pareto.png").exists()


def test_an_objective_is_nan_when_any_world_has_none(tmp_path):
    """Over several worlds an allocation is judged on all of them, never on the worlds where it happens to
    have a value: reach_years has none where the factor u > 0.5, so no allocation has one."""
    exp = {**SEARCH, "factors": [{"path": "u", "bounds": [0.0, 1.0]}], "worlds": {"sampler": "lhs", "n": 4}}
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False)
    assert result.search.trials["reach_years"].isna().all() and len(result.search.front) == 0
    assert any(n.startswith("search: reach_years has no value for any") for n in result.warnings)


def _search_folder(tmp_path) -> tuple:
    exp = write(tmp_path, _with([{"name": "diffusion", "better": "higher"}, {"name": "spend", "better": "lower"}]))
    whole = run_experiment(exp, tmp_path / "out", workers=1, progress=False).search
    return exp, whole, tmp_path / "out" / "search"


def test_a_garbled_or_truncated_state_file_stops_with_what_to_do(tmp_path, capsys):
    exp, _, folder = _search_folder(tmp_path)
    state = folder / "search.json"
    for damage in (state.read_text(encoding="utf-8")[:40], "\x00\x01garbage", "[]"):
        state.write_text(damage, encoding="utf-8")
        with pytest.raises(InputError, match=r"search\.json: the budget search's state is damaged .*remove the "
                                             r"folder .*search to start the search afresh"):
            run_experiment(exp, tmp_path / "out", workers=1, progress=False)
    code = main(["robust", str(exp), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1", "--no-charts"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "search.json" in err and len(err.strip().splitlines()) == 1


def test_a_damaged_swapped_or_edited_batch_is_evaluated_again(tmp_path):
    exp, whole, folder = _search_folder(tmp_path)
    batches = sorted((folder / "evaluated").glob("batch-*.parquet"))
    assert len(batches) >= 3
    # a truncated file, a flipped value, a batch of another search put in place of this one's
    batches[0].write_bytes(batches[0].read_bytes()[:100])
    table = pd.read_parquet(batches[1])
    table.iloc[0, 1] += 1.0
    table.to_parquet(batches[1], index=False)  # rewritten without the search's record and checksum
    other = tmp_path / "other"
    other.mkdir()
    run_experiment(write(other, _with(SEARCH["search"]["objectives"][:0] + [{"name": "diffusion", "better": "higher"},
                                                                           {"name": "spend", "better": "lower"}],
                                      trials=8), "o.yaml"), other / "out", workers=1, progress=False)
    batches[2].write_bytes(sorted((other / "out" / "search" / "evaluated").glob("batch-*.parquet"))[0].read_bytes())
    again = run_experiment(exp, tmp_path / "out", workers=1, progress=False)
    notes = [n for n in again.warnings if "evaluated again" in n]
    assert len(notes) == 3
    assert "cannot be read" in notes[0] and "has no record" in notes[1] and "another search" in notes[2]
    assert again.search.runs_done > 0  # the damaged batches' allocations were run again
    pd.testing.assert_frame_equal(again.search.trials, whole.trials)  # and the search ends where it did


def test_an_edited_value_keeping_the_record_is_caught_by_the_checksum(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    exp, whole, folder = _search_folder(tmp_path)
    path = sorted((folder / "evaluated").glob("batch-*.parquet"))[0]
    arrow = pq.read_table(path)
    table = arrow.to_pandas()
    table.iloc[0, 1] = table.iloc[0, 1] * 2 + 1
    edited = pa.Table.from_pandas(table, preserve_index=False).replace_schema_metadata(arrow.schema.metadata)
    pq.write_table(edited, path)
    again = run_experiment(exp, tmp_path / "out", workers=1, progress=False)
    assert any("do not match their checksum" in n for n in again.warnings)
    pd.testing.assert_frame_equal(again.search.trials, whole.trials)
