"""The per-run tables built with NumPy (:meth:`Outcomes.timeseries_columns`, ``municipality_columns``) and
written as Arrow tables on a cached schema (:func:`model.batch.folder_parts`): the same rows, values, types
and pandas metadata as the pandas frames they replace, and shares that agree with the scalar outcomes."""

import numpy as np
import pyarrow as pa
import pytest

import model
from model.batch import folder_parts
from model.outcomes.collect import Labels, _group_sums, groups, population_weights
from model.runner import replication_seed
from model.stages import STAGES
from model.world.organisations import load_organisations

PORTFOLIO = "scenarios/portfolio_sustaingov.yaml"


@pytest.fixture(scope="module")
def runs():
    scenario = model.with_overrides(model.load_scenario(PORTFOLIO), {"horizon_years": 3})
    return [model.run(scenario, replication_seed(5, r)) for r in range(3)]


def test_parts_are_the_tables_pandas_would_make(runs):
    """The first part of a schema goes through pandas, the later ones straight from the arrays: every one
    equals ``pyarrow.Table.from_pandas`` of the frame with its replication column, metadata included."""
    for r, outcome in enumerate(runs):
        part = folder_parts(outcome, r)
        for name in ("timeseries", "municipalities"):
            expected = pa.Table.from_pandas(getattr(outcome, name).assign(replication=r), preserve_index=False)
            assert part.frames[name].equals(expected, check_metadata=True), (name, r)
            assert part.frames[name].column("replication").to_pylist() == [r] * expected.num_rows


def test_overall_share_in_the_last_quarter_is_the_final_adoption(runs):
    for outcome in runs:
        ts = outcome.timeseries
        last = ts[(ts.step == ts.step.max()) & (ts.group_type == "overall") & (ts.innovation == "all")]
        assert last.adoption_share.item() == pytest.approx(outcome.summary["final_adoption"], abs=1e-12)
        for name in outcome.innovation_names:
            row = ts[(ts.step == ts.step.max()) & (ts.group_type == "overall") & (ts.innovation == name)]
            assert row.adoption_share.item() == pytest.approx(outcome.summary[f"final_adoption.{name}"], abs=1e-12)


def test_rows_without_applicable_members_are_left_out(runs):
    ts = runs[0].timeseries
    assert not ts.adoption_share.isna().any()
    steps = runs[0].stage_history.shape[0]
    assert (ts.groupby(["innovation", "group_type", "group"]).size() == steps).all()  # every quarter or none


def test_string_columns_are_labels_and_codes(runs):
    columns = runs[0].municipality_columns()
    stage = columns[f"stage_{runs[0].innovation_names[0]}"]
    assert isinstance(stage, Labels)
    assert set(stage.values()) <= set(STAGES) | {"not_applicable"}
    assert list(stage.values()) == runs[0].municipalities[f"stage_{runs[0].innovation_names[0]}"].tolist()


def test_group_sums_by_matrix_product_equal_member_by_member_sums():
    """Whole weights and 0/1 values: one product gives the same bits as summing each group's members."""
    rng = np.random.default_rng(0)
    flags = load_organisations().key
    member = groups(*flags)[1]
    weights = member * population_weights(load_organisations(*flags))
    values = rng.random((9, member.shape[1], 3)) < 0.3
    for w in (member, weights):
        fast = _group_sums(w, values)
        slow = np.stack([(values[:, np.flatnonzero(row), :] * row[np.flatnonzero(row)][None, :, None]).sum(1)
                         for row in w], axis=1)
        assert np.array_equal(fast, slow)
