"""What the sensitivity tests share: experiment builders and a command-line runner that checks the
contract of every refusal (exit status 2, no traceback, no results folder)."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from model.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
CASES = Path(__file__).resolve().parent / "cases"
FUNCS = "model.sensitivity.testfunctions"
PI = math.pi


def write(tmp_path: Path, data: dict, name: str = "exp.yaml") -> Path:
    """``data`` written as YAML to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def ishigami_experiment(**changes) -> dict:
    """A Sobol' experiment on the Ishigami function (N=1024 unless changed)."""
    exp = {
        "name": "ishigami",
        "model": f"{FUNCS}:ishigami",
        "factors": [{"path": f"x{i}", "bounds": [-PI, PI]} for i in (1, 2, 3)],
        "method": "sobol",
        "N": 1024,
        "seed": 7,
        "outcomes": ["y"],
    }
    exp.update(changes)
    return exp


def scenario_exp(**changes) -> dict:
    """A tiny Sobol' experiment on the diffusion model (keys given as None are left out)."""
    exp = {
        "scenario": BASELINE,
        "overrides": {"horizon_years": 1},
        "factors": ["parameters.p_external", "parameters.pilot_start_rate"],
        "method": "sobol",
        "N": 4,
        "outcomes": ["final_adoption"],
    }
    exp.update(changes)
    return {k: v for k, v in exp.items() if v is not None}


def function_exp(**changes) -> dict:
    """A tiny Sobol' experiment on the Ishigami function (keys given as None are left out)."""
    exp = {
        "model": f"{FUNCS}:ishigami",
        "factors": [{"path": f"x{i}", "bounds": [-math.pi, math.pi]} for i in (1, 2, 3)],
        "method": "sobol",
        "N": 8,
        "outcomes": ["y"],
    }
    exp.update(changes)
    return {k: v for k, v in exp.items() if v is not None}


def tiny_model_experiment() -> dict:
    """Sobol' on the diffusion model, 2 years, N=4, one replication: 16 runs of two outcomes."""
    return {
        "name": "tiny",
        "scenario": BASELINE,
        "overrides": {"horizon_years": 2},
        "factors": ["parameters.p_external", {"path": "parameters.pilot_start_rate", "bounds": [0.05, 0.3]}],
        "method": "sobol", "N": 4, "replications": 1, "seed": 3,
        "outcomes": ["final_adoption", "gini"],
    }


def within(estimate: float, conf: float, truth: float, slack: float = 0.0) -> bool:
    """Whether ``truth`` lies within the confidence interval ``estimate +/- conf`` (plus ``slack``)."""
    return abs(estimate - truth) <= conf + slack


def run_cli(tmp_path: Path, capsys, data=None, text: str | None = None, name: str = "bad.yaml",
            extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """``spridning sensitivity`` on an experiment file written from ``data`` (or ``text``), into
    ``tmp_path / "out"``; returns the exit status, stderr and the file's path. Never a traceback."""
    path = tmp_path / name
    if text is None:
        text = yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    code = main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--quiet", *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err, str(path)


def assert_refused(tmp_path: Path, capsys, data: dict, *expected: str, extra: tuple[str, ...] = ()) -> str:
    """The experiment ``data`` is refused at ``--check`` and before a run: exit 2, one message starting
    with the file's path and holding every ``expected`` part, and no results folder. Returns the message."""
    for flags in (("--check",), ()):
        code, err, path = run_cli(tmp_path, capsys, data, extra=(*flags, *extra))
        assert code == 2, err
        assert err.startswith(path) and len(err.strip().splitlines()) == 1, err
        for text in expected:
            assert text in err, (text, err)
        assert not (tmp_path / "out").exists()  # nothing ran
    return err
