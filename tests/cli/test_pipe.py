"""A reader that closes the output early (``spridning levers | head``) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import BROKEN_PIPE

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["levers"], ["levers", "change_teams"], ["--help"]])
def test_a_closed_stdout_ends_quietly_with_141(argv):
    # the reader is gone before the command writes its first line: every write meets a closed pipe
    proc = subprocess.Popen([sys.executable, "-m", "model", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    status = proc.wait()
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err
    # argparse's --help exits through SystemExit(0) after its write failed: quiet too
    assert status in ((BROKEN_PIPE,) if argv != ["--help"] else (BROKEN_PIPE, 0)), err


@pytest.mark.slow
def test_piped_into_head_prints_one_line_and_no_traceback():
    shell = f"'{sys.executable}' -m model levers | head -1"
    done = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, env=_env(), cwd=ROOT)
    assert done.returncode == 0  # head's status
    assert len(done.stdout.splitlines()) == 1 and "change_teams" in done.stdout
    assert done.stderr == ""
