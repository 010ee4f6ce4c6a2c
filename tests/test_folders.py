"""Output folders (model.folders): one writer per folder, `--out` never deletes what the command did not
write, free default names, long names, litter of killed runs removed, disk faults as one line."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from model import folders
from model.cli import main
from model.folders import INVENTORY, claim, fit_name, hidden, writer_lock

ROOT = Path(__file__).resolve().parent.parent
TINY = ("name: tiny\nhorizon_years: 1\nreplications: 1\nworld: {regions: false, agencies: false}\n"
        "innovations:\n  - name: x\n")
SENSITIVITY = ("name: ishi\nmodel: model.sensitivity.testfunctions:ishigami\nmethod: sobol\nN: 8\nseed: 7\n"
               "outcomes: [y]\nfactors:\n" + "".join(f"  - {{path: x{i}, bounds: [-3.14, 3.14]}}\n" for i in (1, 2, 3)))
ROBUST = """\
name: toy
model: tests.robust.toy:linear
baseline: {name: flat, constants: {level: 0.5, slope: 0.0}}
portfolios:
  - {name: rising, constants: {level: 0.0, slope: 1.0, spend: 10.0}}
factors: [{path: u, bounds: [0.0, 1.0]}]
worlds: {sampler: lhs, n: 8}
replications: 1
seed: 11
regret: [{name: score, better: higher}]
"""


@pytest.fixture
def inputs(tmp_path):
    """The input files of every command, in ``tmp_path / "in"``."""
    here = tmp_path / "in"
    here.mkdir()
    (here / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (here / "other.yaml").write_text(TINY.replace("name: tiny", "name: other"), encoding="utf-8")
    (here / "sens.yaml").write_text(SENSITIVITY, encoding="utf-8")
    (here / "robust.yaml").write_text(ROBUST, encoding="utf-8")
    return here


def argv(command: str, inputs: Path, out: Path) -> list[str]:
    """A quick ``spridning COMMAND`` into ``out``."""
    return {
        "run": ["run", inputs / "tiny.yaml", "--workers", "1", "--no-report"],
        "compare": ["compare", inputs / "other.yaml", "--baseline", inputs / "tiny.yaml", "--workers", "1",
                    "--no-report"],
        "sensitivity": ["sensitivity", inputs / "sens.yaml", "--workers", "1", "--no-plots"],
        "robust": ["robust", inputs / "robust.yaml", "--workers", "1", "--no-charts"],
        "calibrate": ["calibrate", ROOT / "calibrations" / "welfare_technology.yaml", "--workers", "1",
                      "--no-charts"],
        "report": ["report", out],
    }[command] + ([] if command == "report" else ["--out", out]) + ["--quiet"] * (command != "report")


def cli(capsys, *args) -> tuple[int, str, str]:
    """Run the command in this process: exit status, stdout, stderr (never a traceback)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@contextmanager
def held(folder: Path, pid: int = 4242, command: str = "spridning calibrate"):
    """Hold ``folder``'s lock as another writer would (an open file of its own, so this process's
    commands are refused too)."""
    path = folder.parent / hidden(folder.name, "lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{pid} {command}\n".encode())
    try:
        yield path
    finally:
        os.close(fd)


COMMANDS = ("run", "compare", "sensitivity", "robust", "calibrate")


@pytest.mark.parametrize("command", COMMANDS + ("report",))
def test_a_second_writer_is_refused_and_told_who_writes(command, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    if command == "report":
        out.mkdir()
    with held(out):
        code, _, err = cli(capsys, *argv(command, inputs, out))
    flag = "report" if command == "report" else "--out"
    tail = "" if command == "report" else " or give another --out"
    assert code == 2
    assert err.strip() == f"{flag} {out}: another `spridning calibrate` (pid 4242) is writing this folder; " \
                          f"wait for it{tail}"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_the_users_own_files_is_refused_and_kept(command, inputs, tmp_path, capsys):
    out = tmp_path / "results"
    (out / "baseline-earlier").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes")
    (out / "baseline-earlier" / "summary.csv").write_text("an earlier result")
    code, _, err = cli(capsys, *argv(command, inputs, out))
    assert code == 2
    assert err.strip() == (f"--out {out}: the folder exists and is not a results folder of `spridning {command}` "
                           "(it holds baseline-earlier/, notes.txt); give a new folder, or a folder inside it")
    assert (out / "notes.txt").read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "results"]  # no lock or partial left


def test_overwrite_replaces_only_the_commands_own_result(inputs, tmp_path, capsys):
    out = tmp_path / "r"
    assert cli(capsys, *argv("run", inputs, out))[0] == 0
    listed = (out / INVENTORY).read_text().splitlines()
    assert "manifest.json" in listed and "charts/diffusion.png" in listed
    code, _, err = cli(capsys, *argv("run", inputs, out))
    assert code == 2 and "holds an earlier result of `spridning run`; add --overwrite to replace it" in err
    (out / "charts" / "mine.png").write_text("a user's chart")
    code, _, err = cli(capsys, *argv("run", inputs, out), "--overwrite")
    assert code == 2 and "files it did not write (charts/mine.png)" in err
    assert (out / "charts" / "mine.png").exists()
    (out / "charts" / "mine.png").unlink()
    assert cli(capsys, "report", out)[0] == 0  # what `report` adds is the product's too
    assert "report.html" in (out / INVENTORY).read_text().splitlines()
    before = (out / "manifest.json").stat().st_mtime_ns
    assert cli(capsys, *argv("run", inputs, out), "--overwrite")[0] == 0
    assert (out / "manifest.json").stat().st_mtime_ns != before
    # another command's result is never replaced, --overwrite or not
    code, _, err = cli(capsys, *argv("compare", inputs, out), "--overwrite")
    assert code == 2 and "is a results folder of `spridning run`, not of `spridning compare`" in err
    # a folder written before inventories were kept counts as the command's own
    (out / INVENTORY).unlink()
    assert cli(capsys, *argv("run", inputs, out), "--overwrite")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "r"]


def test_places_that_cannot_be_a_results_folder_are_refused(inputs, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "file.txt").write_text("x")
    monkeypatch.chdir(work)
    run = argv("run", inputs, Path("X"))[:-3]  # without --out X --quiet
    cases = {
        ".": "--out .: that is the current folder or one holding it; give a new folder for the results",
        "..": "--out ..: that is the current folder or one holding it",
        str(inputs): f"--out {inputs}: holds the input {inputs / 'tiny.yaml'}; give a new folder",
        "file.txt": "--out file.txt: cannot create the results folder: it is a file, not a folder",
        "file.txt/sub": "--out file.txt/sub: cannot create the results folder: file.txt is a file, not a folder",
        "x" * 256: "a folder name has 256 bytes; file systems allow 255",
    }
    for out, expected in cases.items():
        code, _, err = cli(capsys, *run, "--out", out, "--quiet")
        assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, (out, err)
    assert sorted(p.name for p in work.iterdir()) == ["file.txt"]
    assert sorted(p.name for p in inputs.iterdir()) == ["other.yaml", "robust.yaml", "sens.yaml", "tiny.yaml"]


def test_long_names_are_shortened_to_what_a_file_system_takes(inputs, tmp_path, capsys):
    long = "a" * 300
    assert len(fit_name(long).encode()) == 255 and fit_name(long) != fit_name("a" * 299 + "b")
    assert fit_name(long) == fit_name(long) and fit_name("short") == "short"
    swedish = fit_name("ö" * 200)  # two bytes each: never cut inside a letter
    assert len(swedish.encode()) <= 255 and swedish.startswith("ööö")
    assert len(hidden(long, "partial-", spare=8).encode()) == 255 - 8
    out = tmp_path / ("r" * 250)  # fits, but its hidden partial folder and lock would not without shortening
    assert cli(capsys, *argv("run", inputs, out))[0] == 0
    assert (out / "manifest.json").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in", out.name]
    default = tmp_path / "results" / ("s" * 260 + "-sensitivity")
    with claim(None, "sensitivity", default=default, resumable=True) as path:
        assert path.parent == default.parent and len(path.name.encode()) == 255


def test_default_folders_are_never_shared(tmp_path):
    base = tmp_path / "results" / "tiny-20260101-120000"
    with held(base):  # a command started in the same second holds the name
        with claim(None, "run", default=base) as first:
            assert first.name == "tiny-20260101-120000-2"
            first.mkdir()
            with claim(None, "run", default=base) as second:  # the same process, at once
                assert second.name == "tiny-20260101-120000-3"
    with claim(None, "run", default=base) as third:
        assert third == base


def test_the_litter_of_killed_runs_is_removed_and_nothing_else(inputs, tmp_path, capsys):
    out = tmp_path / "r"
    partial = tmp_path / ".r.partial-abc_1234"
    (partial / "charts").mkdir(parents=True)
    (partial / "timeseries.parquet").write_text("half")
    (tmp_path / ".r.old-zz99zz99").mkdir()
    (tmp_path / ".r.lock").write_text("999999 spridning run\n")  # its writer was killed: not held
    (tmp_path / ".r.partial-mine").mkdir()  # not a name this package makes
    (tmp_path / ".other.partial-abc_1234").mkdir()  # another folder's: its writer may live
    assert cli(capsys, *argv("run", inputs, out))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.partial-abc_1234", ".r.partial-mine", "in", "r"]
    # inside a resumable command's own folder: temporary files of atomic writes, never a user's file
    sens = tmp_path / "s"
    assert cli(capsys, *argv("sensitivity", inputs, sens))[0] == 0
    (sens / "runs" / ".part-00000.parquet.k2j4_x9q.tmp").write_text("half")
    (sens / "indices" / ".y.csv.abcdefgh.tmp").write_text("half")
    (sens / "my.tmp").write_text("mine")
    assert cli(capsys, *argv("sensitivity", inputs, sens))[0] == 0
    assert not list(sens.rglob(".*.tmp")) and (sens / "my.tmp").exists()


def _disk_full(monkeypatch, inside: Path, code: int = errno.ENOSPC, after: int = 0):
    """``os.replace`` into ``inside`` fails with ``code`` from its ``after``-th call on."""
    real, calls = os.replace, []

    def replace(src, dst, *args, **kwargs):
        if str(inside) in str(dst) and "/in/" not in str(dst):
            calls.append(dst)
            if len(calls) > after:
                raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("command", COMMANDS[:4])
def test_a_full_disk_is_one_line_that_says_what_was_kept(command, inputs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _disk_full(monkeypatch, tmp_path, after=3)
    code, _, err = cli(capsys, *argv(command, inputs, out))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"--out {out}: cannot write: No space left on device")
    if command in ("run", "compare"):
        assert "nothing was kept: a results folder is written whole or not at all" in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    else:
        assert f"finished work is kept in {out}; free space or fix the folder, then run the same command" in err
        monkeypatch.undo()
        assert cli(capsys, *argv(command, inputs, out))[0] == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_place_is_one_line_before_anything_runs(command, inputs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    real = os.open

    def read_only(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    code, _, err = cli(capsys, *argv(command, inputs, out))
    assert code == 2 and err.strip() == f"--out {out}: cannot write in {tmp_path} (Read-only file system); " \
                                        "give another --out"


def test_disk_faults_not_about_the_folder_stay_errors(tmp_path):
    out = tmp_path / "out"
    missing_input = OSError(errno.ENOENT, "No such file or directory", str(tmp_path / "in" / "x.csv"))
    assert not folders.disk_fault(missing_input, out)
    assert folders.disk_fault(OSError(errno.ENOENT, "gone", str(out / "runs" / "a")), out)
    assert folders.disk_fault(OSError("IOError: No space left on device"), out)  # pyarrow's, no errno
    try:  # a library's own error raised while handling the disk's
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise RuntimeError("writing failed")
    except RuntimeError as error:
        assert folders.disk_fault(error, out) is error.__context__
    # SQLite's, under pyabc's database, as SQLAlchemy raises it
    assert folders.disk_fault(RuntimeError("(sqlite3.OperationalError) database or disk is full"), out)
    assert folders.disk_fault(ValueError("a bug"), out) is None


HOLD = """\
import os, sys, time
from model.folders import writer_lock
with writer_lock(sys.argv[1], "spridning robust"):
    child = os.fork()
    if child == 0:  # a worker the command started: it must not keep the folder locked
        time.sleep(120)
        os._exit(0)
    print(child, flush=True)
    time.sleep(120)
"""


@pytest.mark.slow
def test_a_writer_in_another_process_holds_the_folder_until_it_dies(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    child = int(holder.stdout.readline())
    try:
        code, _, err = cli(capsys, *argv("run", inputs, out))
        assert code == 2 and f"another `spridning robust` (pid {holder.pid}) is writing this folder" in err
        holder.send_signal(signal.SIGKILL)  # as the out-of-memory killer would: the worker lives on
        holder.wait()
        assert cli(capsys, *argv("run", inputs, out))[0] == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]
    finally:
        holder.kill()
        os.kill(child, signal.SIGKILL)


@pytest.mark.slow
def test_a_run_killed_leaves_nothing_that_looks_complete_and_the_next_run_tidies(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "model", "run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "500",
               "--workers", "1", "--quiet", "--no-report", "--out", str(out)]
    run = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        partial = None
        while partial is None and run.poll() is None:  # wait for its partial folder to hold a file
            partial = next((p for p in tmp_path.glob(".out.partial-*") if any(p.iterdir())), None)
            time.sleep(0.05)
        assert partial is not None, "the run ended before writing"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert not out.exists() and partial.exists()
    assert cli(capsys, *argv("run", inputs, out))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]
