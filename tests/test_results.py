"""Streamed files (model.results): written piece by piece, read back as the frame of all pieces, and either
complete or absent."""

import pandas as pd
import pytest

from model import results
from model.results import CsvAppender, ParquetAppender


def pieces(n: int = 7) -> list[pd.DataFrame]:
    return [pd.DataFrame({"step": range(5), "year": [2026 + s / 4 for s in range(5)],
                          "group": ["all", "kind", "size_band", "region", "all"], "share": [r / 7, 0.5, None, 1.0, 0.25],
                          "replication": r}) for r in range(n)]


def test_a_streamed_parquet_file_reads_back_as_the_stacked_frame(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "ROW_GROUP_ROWS", 12)  # several row groups, flushed mid-stream
    frames = pieces()
    with ParquetAppender(tmp_path / "t.parquet") as file:
        for frame in frames:
            file.add(frame)
        assert not (tmp_path / "t.parquet").exists()  # in place only when complete
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "t.parquet").num_row_groups > 1
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"),
                                  pd.read_parquet(results.write_parquet(pd.concat(frames, ignore_index=True),
                                                                        tmp_path / "whole.parquet")))


def test_a_streamed_csv_file_is_the_stacked_frame_as_csv(tmp_path):
    frames = [pd.DataFrame(columns=["lever", "msek", "replication"])] + [
        pd.DataFrame({"lever": ["a", "b"], "msek": [0.1 + r, 2.0], "replication": r}) for r in range(3)]
    with CsvAppender(tmp_path / "s.csv") as file:
        for frame in frames[1:]:
            file.add(frame)
    assert (tmp_path / "s.csv").read_text() == pd.concat(frames[1:], ignore_index=True).to_csv(index=False)
    with CsvAppender(tmp_path / "empty.csv") as file:
        file.add(frames[0])
    assert (tmp_path / "empty.csv").read_text() == "lever,msek,replication\n"


def test_an_interrupted_stream_leaves_no_file(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with ParquetAppender(tmp_path / "t.parquet") as parquet, CsvAppender(tmp_path / "t.csv") as csv:
            for frame in pieces(3):
                parquet.add(frame)
                csv.add(frame)
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_pieces_of_another_shape_are_refused(tmp_path):
    file = ParquetAppender(tmp_path / "t.parquet")
    file.add(pieces(1)[0])
    with pytest.raises((ValueError, KeyError)):
        file.add(pd.DataFrame({"other": [1]}))
    file.discard()
    with pytest.raises(ValueError, match="nothing to write"):
        ParquetAppender(tmp_path / "empty.parquet").close()
    assert list(tmp_path.iterdir()) == []
