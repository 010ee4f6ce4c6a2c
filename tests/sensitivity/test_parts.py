"""Part files verified on resume (model.sensitivity.parts): a flipped bit, a part copied over another
chunk's, a part of another experiment, a truncated part and parts without records are each named,
recomputed and never used, so the indices equal an uninterrupted sweep's."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from model.sensitivity import run_experiment
from model.sensitivity.parts import RECORDS, part_path
from model.sensitivity.sweep import RUNS

from .common import ishigami_experiment, write

CHUNKS = 8  # N=64, 3 factors: 320 runs in chunks of 40


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted sweep, and the same experiment with another seed (its parts are 'foreign')."""
    root = tmp_path_factory.mktemp("reference")
    exp = write(root, ishigami_experiment(N=64, chunk_size=40))
    full = run_experiment(exp, root / "full", workers=1, progress=False, plots=False)
    other = write(root, ishigami_experiment(N=64, chunk_size=40, seed=8), "other.yaml")
    run_experiment(other, root / "other", workers=1, progress=False, plots=False)
    assert full.stats.n_chunks == CHUNKS
    return exp, full, root


def _flip_a_data_byte(out, chunk):
    path = part_path(out, chunk)
    column = pq.read_metadata(path).row_group(0).column(0)
    at = column.data_page_offset + column.total_compressed_size // 2  # inside the data, not the footer
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _swap(out, _):
    shutil.copyfile(part_path(out, 3), part_path(out, 5))


def _foreign(out, chunk, root):
    shutil.copyfile(part_path(root / "other", chunk), part_path(out, chunk))


def _truncate(out, chunk):
    path = part_path(out, chunk)
    path.write_bytes(path.read_bytes()[:-100])


FAULTS = {
    "flipped bit": (lambda out, root: _flip_a_data_byte(out, 5),
                    "runs/part-000005.parquet: content does not match its record (changed after it was written); "
                    "recomputing chunk 5"),
    "swapped part": (lambda out, root: _swap(out, 5),
                     "runs/part-000005.parquet: holds the runs of chunk 3, not chunk 5"),
    "foreign part": (lambda out, root: _foreign(out, 5, root),
                     "runs/part-000005.parquet: holds runs of another experiment or seed"),
    "truncated part": (lambda out, root: _truncate(out, 5),
                       "runs/part-000005.parquet: truncated"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_damaged_part_is_named_and_recomputed(reference, tmp_path, capsys, fault):
    exp, full, root = reference
    out = tmp_path / "out"
    shutil.copytree(root / "full", out)
    damage, message = FAULTS[fault]
    damage(out, root)
    capsys.readouterr()
    again = run_experiment(exp, out, workers=1, progress=False, plots=False)
    err = capsys.readouterr().err
    assert message in err and "recomputing chunk 5" in err
    assert again.stats.runs_done_now == 40  # chunk 5 only; the other seven are verified and reused
    assert any("failed verification and were recomputed (chunk 5)" in w for w in again.warnings)
    pd.testing.assert_frame_equal(again.indices("y"), full.indices("y"))
    pd.testing.assert_frame_equal(pd.read_parquet(out / RUNS), pd.read_parquet(root / "full" / RUNS))
    # the recomputed part is recorded again: a third run uses everything
    capsys.readouterr()
    third = run_experiment(exp, out, workers=1, progress=False, plots=False)
    assert third.stats.runs_done_now == 0 and "recomputing" not in capsys.readouterr().err


def test_the_damage_would_otherwise_change_the_indices(reference, tmp_path):
    """Why verification matters: a flipped bit still reads as a valid Parquet file, with other numbers."""
    _, _, root = reference
    out = tmp_path / "out"
    shutil.copytree(root / "full", out)
    _flip_a_data_byte(out, 5)
    before = pq.read_table(part_path(root / "full", 5)).to_pandas()
    try:
        after = pq.read_table(part_path(out, 5)).to_pandas()
    except Exception:  # noqa: BLE001 - the flip may also break a compressed page: also caught by the hash
        return
    assert not before.equals(after)


def test_parts_without_records_are_recomputed_once_with_one_line(reference, tmp_path, capsys):
    exp, full, root = reference
    out = tmp_path / "out"
    shutil.copytree(root / "full", out)
    (out / RUNS / RECORDS).unlink()  # as a folder written before parts had records
    capsys.readouterr()
    again = run_experiment(exp, out, workers=1, progress=False, plots=False)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "recomputing" in line]
    assert len(lines) == 1 and f"{CHUNKS} part file(s) have no record of their content" in lines[0]
    assert again.stats.runs_done_now == full.stats.n_runs
    pd.testing.assert_frame_equal(again.indices("y"), full.indices("y"))


def test_a_record_of_another_experiment_is_not_trusted(reference, tmp_path, capsys):
    exp, full, root = reference
    out = tmp_path / "out"
    shutil.copytree(root / "full", out)
    lines = (out / RUNS / RECORDS).read_text().splitlines()
    for i, line in enumerate(lines):  # another writer's record for chunk 2 (another seed, same bytes)
        record = json.loads(line)
        if record["chunk"] == 2:
            record["fingerprint"] = "0" * 64
            lines[i] = json.dumps(record)
    (out / RUNS / RECORDS).write_text("\n".join(lines) + "\n")
    again = run_experiment(exp, out, workers=1, progress=False, plots=False)
    assert "runs/part-000002.parquet: recorded for another experiment or seed" in capsys.readouterr().err
    assert again.stats.runs_done_now == 40
    pd.testing.assert_frame_equal(again.indices("y"), full.indices("y"))


def test_every_part_carries_its_chunk_and_fingerprint(reference):
    _, full, root = reference
    state = json.loads((root / "full" / "experiment.json").read_text())
    records = [json.loads(line) for line in (root / "full" / RUNS / RECORDS).read_text().splitlines()]
    assert sorted(r["chunk"] for r in records) == list(range(CHUNKS))
    for chunk in range(CHUNKS):
        meta = pq.read_schema(part_path(root / "full", chunk)).metadata
        assert meta[b"spridning.chunk"] == str(chunk).encode()
        assert meta[b"spridning.fingerprint"].decode() == state["fingerprint"]
