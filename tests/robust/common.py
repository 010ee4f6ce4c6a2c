"""What the robustness tests share: toy experiments with known answers and a command-line runner that
checks the contract of every refusal (exit status 2, no traceback, no results folder)."""

from __future__ import annotations

from pathlib import Path

import yaml

from model.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TOY = "tests.robust.toy"


def write(tmp_path: Path, data: dict, name: str = "exp.yaml") -> Path:
    """``data`` written as YAML to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def toy_experiment(**changes) -> dict:
    """Three portfolios of :func:`tests.robust.toy.linear` over one factor ``u`` in [0, 1]:
    ``flat`` scores 0.5 everywhere, ``rising`` scores u, ``falling`` 1 - u (keys given as None are left out)."""
    exp = {
        "name": "toy",
        "model": f"{TOY}:linear",
        "baseline": {"name": "flat", "constants": {"level": 0.5, "slope": 0.0}},
        "portfolios": [{"name": "rising", "constants": {"level": 0.0, "slope": 1.0, "spend": 10.0}},
                       {"name": "falling", "constants": {"level": 1.0, "slope": -1.0, "spend": 10.0}}],
        "factors": [{"path": "u", "bounds": [0.0, 1.0]}],
        "worlds": {"sampler": "lhs", "n": 40},
        "replications": 1,
        "seed": 11,
        "regret": [{"name": "score", "better": "higher"}],
        "thresholds": {"score": {"min": 0.6}},
    }
    exp.update(changes)
    return {k: v for k, v in exp.items() if v is not None}


def run_cli(tmp_path: Path, capsys, text: str, *extra: str) -> tuple[int, str, str]:
    """``spridning robust`` on an experiment file holding ``text``, into ``tmp_path / "out"``; returns the
    exit status, stderr and the file's path. Never a traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["robust", str(path), "--out", str(tmp_path / "out"), "--quiet", *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err, str(path)
