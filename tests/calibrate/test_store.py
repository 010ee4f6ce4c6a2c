"""A fit's folder is never left in a state a rerun cannot repair, and a resume verifies what it reads: every
generation in ``history.db`` is checked against the record written when it was stored; what cannot be used
is named, and the fit goes on from the last generation that can — giving exactly the posterior of a fit
that ran through."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from model.calibrate.fit import fit
from model.calibrate.plan import load_calibration
from model.errors import InputError

from .conftest import write_problem


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A calibration of three generations of 20 parameter sets, and its fit made straight through."""
    path = write_problem(tmp_path_factory.mktemp("store"), runs=400, population=20, generations=3)
    plan = load_calibration(path)
    done = fit(plan, path.parent / "done", workers=1, progress=False)
    assert len(done.generations) == 3 and not done.notes
    return plan, done


def copy(tiny, tmp_path) -> Path:
    out = tmp_path / "fit"
    shutil.copytree(tiny[1].out, out)
    return out


def sql(out: Path, *statements: str) -> list:
    with closing(sqlite3.connect(out / "history.db")) as conn, conn:
        return [conn.execute(s).fetchall() for s in statements]


def refit(tiny, out: Path, **kwargs):
    plan, done = tiny
    again = fit(plan, out, workers=1, progress=False, say=lambda text: None, **kwargs)
    pd.testing.assert_frame_equal(again.posterior, done.posterior)
    pd.testing.assert_frame_equal(again.generations, done.generations)
    return again


def state(out: Path) -> dict:
    return json.loads((out / "calibration.json").read_text(encoding="utf-8"))


def test_every_generation_is_recorded_and_an_intact_folder_resumes_without_a_word(tiny, tmp_path):
    out = copy(tiny, tmp_path)
    assert sorted(state(out)["generations"], key=int) == ["-1", "0", "1", "2"]
    again = refit(tiny, out)
    assert again.notes == [] and again.runs_computed == 0


def test_an_edited_value_is_named_and_the_fit_resumes_before_it(tiny, tmp_path):
    out = copy(tiny, tmp_path)
    sql(out, "UPDATE parameters SET value = value * 1.01 WHERE id = (SELECT max(id) FROM parameters)")
    again = refit(tiny, out)
    assert again.notes == [f"{out / 'history.db'}: generation 2 does not match its record (its parameter values "
                           "differ); resuming from generation 1"]
    assert 0 < again.runs_computed < tiny[1].runs  # generation 2 again, not the whole fit


def test_a_generation_stored_twice_keeps_the_copy_that_matches_its_record(tiny, tmp_path):
    import pyabc

    out = copy(tiny, tmp_path)
    # what a second fit writing the same folder does: generation 1 stored again (once more with its
    # weights changed), after generation 2
    history = pyabc.History(f"sqlite:///{out / 'history.db'}", _id=1)
    population = history.get_population(t=1)
    history.append_population(1, 5.0, population, 32, ["model"])
    for particle in population.particles:
        particle.weight *= 2
    history.append_population(1, 5.0, population, 32, ["model"])
    again = refit(tiny, out)
    assert again.runs_computed == 0
    assert again.notes == [f"{out / 'history.db'}: generation 1 was stored 3 times (two fits wrote this folder at "
                           "once?); the copy that matches its record is kept"]
    [counts] = sql(out, "SELECT t, count(*) FROM populations GROUP BY t ORDER BY t")
    assert counts == [(-1, 1), (0, 1), (1, 1), (2, 1)]


def test_a_generation_without_a_record_is_computed_again(tiny, tmp_path):
    # a fit stopped between pyabc storing generation 2 and its record being written
    out = copy(tiny, tmp_path)
    data = state(out)
    del data["generations"]["2"]
    (out / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
    again = refit(tiny, out)
    assert again.notes == [f"{out / 'history.db'}: generation 2 has no record (the fit stopped while storing it); "
                           "it is computed again"]
    assert again.runs_computed > 0 and "2" in state(out)["generations"]


def test_a_folder_from_before_records_is_checked_for_consistency(tiny, tmp_path):
    out = copy(tiny, tmp_path)
    data = state(out)
    del data["generations"]
    (out / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
    again = refit(tiny, out)
    assert again.notes == [] and again.runs_computed == 0
    assert state(out)["generations"] == state(tiny[1].out)["generations"]
    # ... and one with a generation whose weights do not sum to 1 resumes before it
    (out / "calibration.json").write_text(json.dumps(data), encoding="utf-8")
    sql(out, "UPDATE particles SET w = w * 2 WHERE model_id = (SELECT m.id FROM models m JOIN populations p "
             "ON m.population_id = p.id WHERE p.t = 2)")
    again = refit(tiny, out)
    assert again.notes == [f"{out / 'history.db'}: generation 2 cannot be used (its weights sum to 2, not 1); "
                           "resuming from generation 1"]


@pytest.mark.slow
@pytest.mark.parametrize("damage, expected", [
    ("missing", "missing; its 3 recorded generation(s) cannot be used; starting over from generation 0"),
    ("truncated", "damaged ("),
    ("garbled", "damaged (file is not a database); its 3 recorded generation(s) cannot be used; starting over "
                "from generation 0"),
])
def test_a_database_that_cannot_be_used_says_so_before_starting_over(tiny, tmp_path, damage, expected):
    out = copy(tiny, tmp_path)
    db = out / "history.db"
    if damage == "missing":
        db.unlink()
    elif damage == "truncated":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    else:
        db.write_bytes(b"not a database, " * 4096)
    heard = []
    again = fit(tiny[0], out, workers=1, progress=False, say=heard.append)
    assert again.notes and again.notes[0].startswith(f"{db}: {expected}"), again.notes
    assert heard[0] == again.notes[0]  # said before the first generation is run
    assert heard[1].startswith("generation 0:") or heard[1].startswith("compiling")
    pd.testing.assert_frame_equal(again.posterior, tiny[1].posterior)


def test_notes_go_to_stderr_when_nothing_else_is_said(tiny, tmp_path, capsys):
    out = copy(tiny, tmp_path)
    sql(out, "UPDATE samples SET distance = distance + 1 WHERE id = (SELECT max(id) FROM samples)")
    fit(tiny[0], out, workers=1, progress=False)
    assert "generation 2 does not match its record (its distances differ); resuming from generation 1" in \
        capsys.readouterr().err


@pytest.mark.slow
def test_a_corrected_file_is_accepted_by_a_folder_whose_fit_never_finished_a_generation(tiny, tmp_path):
    plan, _ = tiny

    class Interrupt(Exception):
        pass

    def stop(t, accepted, evaluated):
        raise Interrupt

    other = plan.with_budget(population=10)  # a different calibration (the population is in its fingerprint)
    with pytest.raises(Interrupt):
        fit(other, tmp_path / "fit", workers=1, progress=False, hook=stop)
    again = fit(plan, tmp_path / "fit", workers=1, progress=False, say=lambda text: None)
    assert again.notes == [f"--out {tmp_path / 'fit'}: the earlier fit there (budget changed since) never finished "
                           "a generation; starting over with this calibration"]
    pd.testing.assert_frame_equal(again.posterior, tiny[1].posterior)
    # a folder with finished generations still refuses another calibration
    with pytest.raises(InputError, match="holds a fit of a different calibration"):
        fit(other, tmp_path / "fit", workers=1, progress=False)


def test_complete_only_after_the_last_output_and_a_rerun_writes_missing_outputs(tiny, tmp_path, monkeypatch):
    from model.calibrate import outputs

    out = copy(tiny, tmp_path)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write_ensemble", killed)
    with pytest.raises(KeyboardInterrupt):
        outputs.calibrate(tiny[0], out, workers=1, progress=False, charts=False)
    assert state(out)["status"] == "writing outputs" and not (out / "manifest.json").exists()
    monkeypatch.undo()
    result, _ = outputs.calibrate(tiny[0], out, workers=1, progress=False, charts=False)
    assert result.runs_computed == 0 and state(out)["status"] == "complete"
    for name in ("ensemble.yaml", "targets.csv", "predictive_paths.parquet", "manifest.json"):
        assert (out / name).is_file()


def test_a_full_disk_or_an_out_below_a_file_is_a_message(tiny, tmp_path, monkeypatch, capsys):
    import sqlalchemy.exc

    from model.calibrate import store
    from model.cli import main

    out = copy(tiny, tmp_path)
    sql(out, "UPDATE samples SET distance = distance + 1 WHERE id = (SELECT max(id) FROM samples)")

    def full(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError("INSERT INTO populations", {}, sqlite3.OperationalError(
            "database or disk is full"))

    monkeypatch.setattr(store, "save_population", full)  # the fit stores through it
    with pytest.raises(InputError, match=r"history.db: cannot write the fit's database \(database or disk is full\); "
                                         "the finished generations are kept"):
        fit(tiny[0], out, workers=1, progress=False, say=lambda text: None)
    moved = sqlite3.OperationalError("attempt to write a readonly database")
    moved.sqlite_errorname = "SQLITE_READONLY_DBMOVED"  # what SQLite says when the file was replaced under it

    def replaced(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError("INSERT INTO populations", {}, moved)

    monkeypatch.setattr(store, "save_population", replaced)
    with pytest.raises(InputError, match=r"history.db: the database changed under this fit \(OperationalError: the "
                                         r"file was removed or replaced\); was another fit writing this folder"):
        fit(tiny[0], out, workers=1, progress=False, say=lambda text: None)
    monkeypatch.undo()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    status = main(["calibrate", tiny[0].source, "--out", str(tmp_path / "file" / "fit"), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert str(tmp_path / "file") in err


def test_a_lost_dask_scheduler_is_one_line_and_the_rerun_resumes(tiny, tmp_path, monkeypatch, capsys):
    from distributed.comm.core import CommClosedError

    from model.calibrate import fit as fit_module
    from model.calibrate.sampler import DaskWorkers
    from model.cli import main

    out = copy(tiny, tmp_path)
    sql(out, "UPDATE samples SET distance = distance + 1 WHERE id = (SELECT max(id) FROM samples)")

    class Client:  # a client whose scheduler has gone away
        def nthreads(self):
            return {"w": 1}

        def scatter(self, *args, **kwargs):
            return "payload"

        def submit(self, *args, **kwargs):
            raise CommClosedError("in <TCP (closed) ConnectionPool.submit local=tcp://127.0.0.1:1>: Stream is closed")

        def cancel(self, futures):
            raise CommClosedError("Stream is closed")

        def close(self):
            raise CommClosedError("Stream is closed")

    monkeypatch.setattr(fit_module, "make_backend", lambda *args: DaskWorkers(Client(), "tcp://127.0.0.1:1", own=True))
    status = main(["calibrate", tiny[0].source, "--out", str(out), "--quiet", "--no-charts"])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err, err
    assert err.splitlines()[-1] == (
        "calibrate: the Dask cluster at tcp://127.0.0.1:1: the connection to the Dask scheduler was lost while "
        "running a chunk of candidates (CommClosedError); the finished generations are "
        f"kept in {out}; run the same command again to continue after the last finished generation (with the "
        "scheduler and its workers running)")
    monkeypatch.undo()
    refit(tiny, out)


def test_pyabc_stopping_on_its_database_is_a_message_and_our_own_errors_are_not_hidden(tiny, tmp_path, monkeypatch):
    import pyabc

    out = copy(tiny, tmp_path)
    sql(out, "UPDATE samples SET distance = distance + 1 WHERE id = (SELECT max(id) FROM samples)")

    def doubled(*args, **kwargs):  # what pyabc says when a generation was stored twice under it
        raise AssertionError("The population total weight 2.0 is not normalized.")

    monkeypatch.setattr(pyabc.History, "get_distribution", doubled)
    with pytest.raises(InputError, match=r"the database changed under this fit \(AssertionError: The population "
                                         r"total weight 2.0 is not normalized.\); was another fit writing"):
        fit(tiny[0], out, workers=1, progress=False, say=lambda text: None)
    monkeypatch.undo()

    def bug(*args, **kwargs):
        raise ValueError("a bug of ours")

    from model.calibrate import fit as fit_module

    monkeypatch.setattr(fit_module, "_stop_reason", bug)
    with pytest.raises(ValueError, match="a bug of ours"):
        fit(tiny[0], out, workers=1, progress=False, say=lambda text: None)
