"""The libraries' environment (model.environment): numba compiles in memory, said once, where it can write
its cache nowhere; a setting numba or matplotlib cannot read is said in one line and left out; one that
stops them is one line and exit 2; never a traceback."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from model import environment

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh(monkeypatch):
    """Nothing said yet in this 'command', and caching as at the start (both restored afterwards)."""
    monkeypatch.delenv(environment.SAID, raising=False)
    monkeypatch.setattr(environment, "caching", True)


def test_a_line_is_said_once_per_command_and_worker_processes_inherit_that(fresh, capsys):
    environment.say_once("k", "first   line\n  folded")
    environment.say_once("k", "again")
    assert capsys.readouterr().err == "first line folded\n"
    assert "k" in os.environ[environment.SAID].split(",")  # what a worker process inherits


def test_numba_with_nowhere_to_write_compiles_in_memory_and_says_so_once(fresh, capsys, monkeypatch):
    import numba

    calls, real = [], numba.njit

    def fake_njit(cache=False, **options):
        def decorate(function):
            calls.append(cache)
            if cache:
                raise RuntimeError(f"cannot cache function {function.__name__!r}: no locator available for file 'x'")
            return real(**options)(function)
        return decorate

    monkeypatch.setattr(numba, "njit", fake_njit)

    @environment.njit(error_model="numpy")
    def add(a, b):
        return a + b

    @environment.njit()
    def twice(a):
        return 2 * a

    assert add(2, 3) == 5 and twice(4) == 8
    assert calls == [True, False, False]  # decided at the first kernel, for all of them
    assert environment.caching is False
    err = capsys.readouterr().err.splitlines()
    assert err == [environment.NO_CACHE.replace("  ", " ")] and "NUMBA_CACHE_DIR" in err[0]


def test_another_numba_error_is_not_taken_for_a_missing_cache(fresh, monkeypatch):
    import numba

    def fake_njit(cache=False, **options):
        def decorate(function):
            raise RuntimeError("something else")
        return decorate

    monkeypatch.setattr(numba, "njit", fake_njit)
    with pytest.raises(RuntimeError, match="something else"):
        environment.njit()(lambda a: a)


#: a command that checks the environment first and then stops at once (its folder does not exist)
NO_FOLDER = "no such results folder"


def _command(tmp_path, env: dict, code: str = "") -> subprocess.CompletedProcess:
    """``spridning report NO_FOLDER`` (which checks the environment first, then refuses the folder) in a
    fresh interpreter with ``env`` added (a value None removes the variable), or ``code`` run there instead."""
    full = {k: v for k, v in {**os.environ, "PYTHONPATH": str(ROOT), **env}.items() if v is not None}
    full.pop(environment.SAID, None)
    argv = ["-c", code] if code else ["-m", "model", "report", NO_FOLDER]
    return subprocess.run([sys.executable, "-P", *argv], env=full, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("setting, works, line", [
    ("MPLBACKEND=nonexistent", True, "MPLBACKEND=nonexistent: not a matplotlib backend; ignored"),
    ("MPLCONFIGDIR=FILE", True, "MPLCONFIGDIR=FILE: matplotlib cannot write its configuration or cache there"),
    ("XDG_CACHE_HOME=FILE", True, "XDG_CACHE_HOME=FILE: matplotlib cannot write its configuration or cache there"),
    ("NUMBA_CACHE_DIR=FILE", True, "NUMBA_CACHE_DIR=FILE: not a folder numba can write in"),
    ("NUMBA_NUM_THREADS=abc", True, "NUMBA_NUM_THREADS=abc: numba cannot read this value; ignored"),
    ("NUMBA_NUM_THREADS=0", False, "NUMBA_NUM_THREADS=0: numba cannot start with this (Number of threads"),
])
def test_a_broken_library_setting_is_one_line_never_a_traceback(tmp_path, setting, works, line):
    file = tmp_path / "a file"
    file.write_text("not a folder")
    name, value = setting.split("=", 1)
    value, line = value.replace("FILE", str(file)), line.replace("FILE", str(file))
    done = _command(tmp_path, {"MPLCONFIGDIR": None, "XDG_CACHE_HOME": None, name: value})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(line), lines
    # a setting that works out goes on to the command (which refuses the folder); one that stops stops it
    assert lines[1:] == ([f"{NO_FOLDER}: no such folder; give a folder written by `spridning run` or "
                          "`spridning compare`"] if works else [])


@pytest.mark.slow
def test_a_read_only_install_without_a_writable_home_compiles_in_memory_with_the_same_results(tmp_path, baseline):
    """The kernels' source where no cache can be written beside it (its __pycache__ a plain file), a home
    whose cache folder is a file and no NUMBA_CACHE_DIR: a run there gives the same summary as here."""
    import shutil

    import model

    copy = tmp_path / "install"
    shutil.copytree(ROOT / "model", copy / "model", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [copy / "model", *(p for p in (copy / "model").rglob("*") if p.is_dir())]:
        (folder / "__pycache__").write_text("")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".cache").write_text("")
    code = textwrap.dedent(f"""
        import json, model
        s = model.with_overrides(model.load_scenario({str(ROOT / 'scenarios' / 'baseline.yaml')!r}), {{'horizon_years': 1}})
        print(json.dumps(model.run(s, seed=3).summary))
        """)
    done = _command(tmp_path, {"PYTHONPATH": str(copy), "HOME": str(home), "NUMBA_CACHE_DIR": None,
                               "XDG_CACHE_HOME": None}, code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.count("numba can write its compile cache nowhere") == 1
    import json

    shipped = model.load_scenario(ROOT / "scenarios" / "baseline.yaml")  # as the copy loads it (not the fixture's world)
    here = model.run(model.with_overrides(shipped, {"horizon_years": 1}), seed=3).summary
    assert json.loads(done.stdout.splitlines()[-1]) == pytest.approx(here, abs=0, rel=0, nan_ok=True)


def test_the_collector_is_paused_inside_and_left_as_it_was_after():
    import gc

    from model.environment import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with collector_paused(False):
        assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: not switched on by leaving
    finally:
        gc.enable()
    with pytest.raises(KeyboardInterrupt):
        with collector_paused():
            raise KeyboardInterrupt
    assert gc.isenabled()


def test_a_kernel_compiled_is_announced_once_per_command_before_compiling_and_a_loaded_one_never(fresh, capsys,
                                                                                                monkeypatch):
    monkeypatch.setattr(environment, "caching", False)  # compiled in memory: every first call compiles
    first = environment.njit(announce="a test kernel (about 0 s)")(lambda x: x + 1)
    second = environment.njit(announce="another test kernel")(lambda x: x + 2)
    quiet = environment.njit()(lambda x: x + 3)
    assert quiet(1) == 4 and capsys.readouterr().err == ""  # no announce: nothing said
    assert first(1) == 2 and second(1) == 3 and first(2) == 3
    assert capsys.readouterr().err == "compiling a test kernel (about 0 s) ...\n"  # one line per command
    monkeypatch.delenv(environment.SAID)  # a new command, the kernel already compiled: nothing to say
    assert first(5) == 6 and capsys.readouterr().err == ""


@pytest.mark.slow
def test_a_first_run_with_levers_says_it_compiles_them_once_and_a_second_says_nothing(tmp_path):
    """With an empty compile cache a command with a grant lever says, once (its worker processes too), that
    it compiles the dynamics and the levers' code; the same command again, the cache filled, says nothing."""
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    command = ("import runpy, sys; sys.argv = ['spridning', 'run', {!r}, '--reps', '3', '--workers', '2', "
               "'--no-charts', '--quiet', '--overwrite', '--out', 'out']; runpy.run_module('model', "
               "run_name='__main__')").format(str(ROOT / "scenarios" / "lever_pilot_grants.yaml"))
    first = _command(tmp_path, env, command)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert sum("compiling the model's dynamics" in s for s in lines) == 1, first.stderr
    assert sum("compiling the levers' code" in s for s in lines) == 1, first.stderr
    second = _command(tmp_path, env, command)
    assert second.returncode == 0 and "compiling" not in second.stderr, second.stderr


def test_a_cache_index_naming_a_class_that_is_gone_is_stale_not_an_error(tmp_path):
    """A kernel module whose named tuple was renamed: the cache index written by the old version names the old
    class, which numba unpickles before it looks at the source stamp. The new version compiles anew and
    gives its result (it raised ``AttributeError: Can't get attribute 'Old'``), and a third run loads it."""
    root = Path(__file__).resolve().parents[1]
    module = tmp_path / "kernels_demo.py"
    source = textwrap.dedent('''
        from collections import namedtuple
        from model.environment import njit
        {name} = namedtuple("{name}", ["a", "b"])

        @njit()
        def total(pair):
            return pair.a + pair.b

        print(total({name}(2.0, 3.5)))
    ''')
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=f"{root}{os.pathsep}{tmp_path}")

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "import kernels_demo"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)

    module.write_text(source.format(name="Old"))
    assert run().stdout.strip() == "5.5"
    module.write_text(source.format(name="New"))
    again = run()
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "5.5"
    index = next((tmp_path / "cache").rglob("*total*.nbi"))
    written = index.stat().st_mtime_ns
    assert run().stdout.strip() == "5.5" and index.stat().st_mtime_ns == written  # loaded, not compiled again
