"""Bad experiment files give clear errors: exit status 2, one line per problem naming the file, the line
and the field, what is allowed; never a traceback, never a results folder."""

from __future__ import annotations

import pandas as pd
import pytest

from .common import SCENARIOS, TOY, run_cli

HEAD = f"""name: bad
model: "{TOY}:linear"
baseline: {{name: flat, constants: {{level: 0.5, slope: 0.0}}}}
portfolios:
  - {{name: rising, constants: {{level: 0.0, slope: 1.0}}}}
"""
WORLDS = """factors:
  - {path: u, bounds: [0, 1]}
worlds: {sampler: lhs, n: 8}
"""
MODEL = f"""name: bad
overrides: {{horizon_years: 1}}
baseline: {SCENARIOS / 'baseline.yaml'}
portfolios:
  - {SCENARIOS / 'portfolio_status_quo.yaml'}
"""

CASES = {
    "unknown key, with its line and a suggestion": (
        HEAD + WORLDS + "replicatons: 2\n",
        [":9: replicatons: unknown key 'replicatons' (did you mean 'replications'?)", "allowed keys:"]),
    "unknown sampler": (
        HEAD + "factors:\n  - {path: u, bounds: [0, 1]}\nworlds: {sampler: latin, n: 8}\n",
        [":8: worlds.sampler: 'latin' is not allowed", "'lhs'"]),
    "a sampler without n": (
        HEAD + "factors:\n  - {path: u, bounds: [0, 1]}\nworlds: {sampler: sobol}\n",
        [":8: worlds: sampler 'sobol' needs 'n'"]),
    "factors without worlds": (
        HEAD + "factors:\n  - {path: u, bounds: [0, 1]}\n",
        ["give 'worlds'"]),
    "bounds low above high": (
        HEAD + "factors:\n  - {path: u, bounds: [1, 0]}\nworlds: {sampler: lhs, n: 8}\n",
        [":7: factors[0].bounds: [1, 0]: low (1) must be below high (0)"]),
    "a threshold the model does not report": (
        HEAD + WORLDS + "thresholds:\n  scor: {min: 0.5}\n",
        [":10: thresholds.scor: unknown outcome 'scor' (did you mean 'score'?)", "allowed:"]),
    "a threshold without min or max": (
        HEAD + WORLDS + "thresholds:\n  score: {}\n",
        [":10: thresholds.score: give 'min', 'max' or both"]),
    "discovery of an unknown portfolio": (
        HEAD + WORLDS + "thresholds: {score: {min: 0.5}}\ndiscovery: {portfolio: risng}\n",
        [":10: discovery.portfolio: no portfolio 'risng'", "flat, rising"]),
    "a regret outcome without a better direction": (
        HEAD + WORLDS + "regret: [score]\n",
        [":9: regret[0]: 'score' has no better direction", "better: higher"]),
    "a reserved portfolio name": (
        HEAD + "  - {name: world, constants: {level: 1}}\n",
        [":6: portfolios[1].name: 'world' is reserved"]),
    "a key given twice": (
        HEAD + "replications: 2\nreplications: 3\n",
        ["replications: given twice (lines 6 and 7)"]),
    "a scenario portfolio file that does not exist": (
        MODEL + f"  - {SCENARIOS / 'portfolio_nonesuch.yaml'}\n",
        [":6: portfolios[1].scenario: file", "portfolio_nonesuch.yaml' not found"]),
    "a misspelt parameter path": (
        MODEL + "factors:\n  - parameters.p_extrnal\nworlds: {sampler: lhs, n: 4}\n",
        [":7: factors[0].path: 'parameters.p_extrnal' does not exist", "did you mean 'p_external'?"]),
    "a search lever that is not a lever": (
        MODEL + "search:\n  budget_msek_per_year: 10\n  levers: [peer_reveiw]\n",
        [":8: search.levers[0]", "unknown lever 'peer_reveiw' (did you mean 'peer_review'?)"]),
    "neither portfolios nor search": (
        f"name: bad\nmodel: \"{TOY}:linear\"\n",
        ["give 'portfolios'"]),
    "not a mapping": ("- a\n- b\n", ["must be a mapping"]),
    "a share threshold no value can meet (5 for 0-1)": (
        MODEL + "thresholds:\n  final_adoption: {min: 5}\n",
        [":7: thresholds.final_adoption.min: 5 is above any value final_adoption can take (0 to 1; shares are "
         "written 0-1, 0.25 for 25 %); no world could meet it"]),
    "a money threshold below zero": (
        HEAD + WORLDS + "thresholds:\n  spend_msek: {max: -1}\n",
        [":10: thresholds.spend_msek.max: -1 is below any value spend_msek can take (0 or more); no world could "
         "meet it"]),
    "an impossible discovery threshold": (
        HEAD + WORLDS + "thresholds: {score: {min: 0.5}}\ndiscovery: {portfolio: rising, fails: {adoptions_final: "
        "{max: -3}}}\n",
        [":10: discovery.fails.adoptions_final.max: -3 is below any value"]),
    "NaN in a bounded number": (HEAD + WORLDS + "confidence_level: .nan\n",
                                [":9: confidence_level: input should be a finite number (got nan)"]),
    "infinity in a threshold": (HEAD + WORLDS + "thresholds: {score: {min: .inf}}\n",
                                [":9: thresholds.score.min: input should be a finite number (got inf)"]),
    "infinity in an open-ended number": (
        MODEL + "search:\n  budget_msek_per_year: 10\n  step_msek: .inf\n  levers: [peer_review]\n",
        [":8: search.step_msek: input should be a finite number (got inf)"]),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=list(CASES))
def test_bad_files_are_refused(tmp_path, capsys, text, expected):
    for flags in (("--check",), ()):
        code, err, path = run_cli(tmp_path, capsys, text, *flags)
        assert code == 2, err
        assert err.startswith(path), err
        for part in expected:
            assert part in err, (part, err)
        assert not (tmp_path / "out").exists()


def test_a_posterior_without_weights(tmp_path, capsys):
    pd.DataFrame({"u": [0.1, 0.2]}).to_parquet(tmp_path / "post.parquet")
    code, err, path = run_cli(tmp_path, capsys, HEAD + "worlds: {sampler: posterior, posterior: post.parquet}\n")
    assert code == 2 and err.startswith(f"{path}:6: worlds.posterior") and "has no 'weight' column" in err


def test_a_posterior_value_the_model_refuses(tmp_path, capsys):
    pd.DataFrame({"parameters.p_external": [0.1, -0.5], "weight": [1.0, 1.0]}).to_parquet(tmp_path / "post.parquet")
    code, err, _ = run_cli(tmp_path, capsys, MODEL + "worlds: {sampler: posterior, posterior: post.parquet}\n")
    assert code == 2 and "column 'parameters.p_external': the value -0.5 cannot be set" in err
