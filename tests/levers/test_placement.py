"""Money that cannot be placed is caught before running: a target that admits nobody is refused (exit 2,
FILE:LINE of the target), a budget its target or operator cannot take is warned about with the numbers."""

from __future__ import annotations

import re
from pathlib import Path


import model
from model.cli import main
from model.levers import REGISTRY
from model.levers.placement import placement_lines, placement_warnings, placements
from model.scenario import load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[2]
TEAMS = ROOT / "scenarios" / "lever_change_teams.yaml"


def _variant(tmp_path: Path, name: str, target: str, budget: int = 60, extra: str = "") -> Path:
    """lever_change_teams.yaml with another target block (and budget)."""
    text = TEAMS.read_text(encoding="utf-8")  # it extends the shipped baseline, named absolutely from tmp_path
    text = text.replace("extends: baseline.yaml", f"extends: {TEAMS.parent / 'baseline.yaml'}")
    text = text.replace("budget_msek_per_year: 30 ", f"budget_msek_per_year: {budget} ")
    head, _, _ = text.partition("    target:\n")
    path = tmp_path / f"{name}.yaml"
    path.write_text(head + "    target:\n" + target + extra, encoding="utf-8")
    return path


NORRLAND = "      by: region\n      kinds: [municipality]\n      regions: [Norrbottens län, Västerbottens län]\n"


def test_a_target_that_admits_nobody_is_refused_naming_its_line_and_the_filter(tmp_path, capsys):
    path = _variant(tmp_path, "gotland", "      by: size_band\n      kinds: [municipality]\n"
                                         "      size_bands: ['<10k']\n      regions: [Gotland]\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    line = path.read_text(encoding="utf-8").splitlines().index("    target:") + 1
    assert err.startswith(f"{path}:{line}: levers[0].target: this target admits nobody")
    assert "the 1 organisation of kind municipality in regions [Gotland] is in size bands [50-100k], none in [<10k]" in err
    assert "Traceback" not in err


def test_a_target_with_no_organisation_of_its_kind_in_its_regions_is_refused(tmp_path, capsys):
    path = _variant(tmp_path, "agency", "      by: region\n      kinds: [agency]\n      regions: [Gotland]\n")
    assert main(["validate", str(path)]) == 2
    assert "there is no agency in regions [Gotland]" in capsys.readouterr().err


def test_change_teams_beyond_their_target_are_warned_with_the_numbers_and_still_valid(tmp_path, capsys):
    path = _variant(tmp_path, "norrland", NORRLAND)
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "ok" in out
    line = path.read_text(encoding="utf-8").splitlines().index(
        next(ln for ln in path.read_text(encoding="utf-8").splitlines() if "budget_msek_per_year: 60" in ln)) + 1
    assert err.startswith(f"{path}:{line}: warning: levers[0].budget_msek_per_year: lever 'change_teams': "
                          "about 228 of the 300 MSEK budgeted over 2026-2030 (60.0 MSEK/year) cannot be placed")
    # 14 + 15 municipalities in Norrbotten and Västerbotten, one 2.5 MSEK visit each
    assert "can absorb at most 72.5 MSEK (14.5/year): each of the 29 organisations" in err


def test_an_operator_short_of_capacity_is_warned_as_such(tmp_path):
    path = _variant(tmp_path, "rise", "      by: capacity\n      kinds: [municipality]\n", budget=30)
    scenario = with_overrides(load_scenario(path), {"world.delivery_msek_per_year": {"rise": 10.0}})
    [(loc, text)] = placement_warnings(scenario)
    assert loc == ("levers", 0, "budget_msek_per_year")
    assert "about 100 of the 150 MSEK" in text and "its operator can deliver 50.0 MSEK (10.0/year" in text


def test_the_shipped_scenarios_place_all_their_money():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert placement_lines(load_scenario(path), str(path)) == [], path.name


def test_every_lever_estimates_what_it_can_absorb_or_says_it_cannot():
    def absorbs(name: str, admitted: int):
        cls = REGISTRY[name]
        return cls.absorbable_msek(cls.Params.model_validate({"type": name, "budget_msek_per_year": 10}), admitted, 2)

    assert {name for name in REGISTRY if absorbs(name, 10) is None} == {"pilot_grants", "scale_up_grants"}
    # nobody admitted: nothing can be placed, except infrastructure, which is built for everyone
    assert {name: absorbs(name, 0).msek for name in REGISTRY if absorbs(name, 0) is not None and
            absorbs(name, 0).msek > 0} == {"infrastructure": float("inf")}


def test_the_warning_is_a_floor_close_to_what_the_run_leaves_unplaced(tmp_path):
    """The estimate (one visit per admitted municipality) bounds what is placed; the run places a little
    less (a visit needs an organisation working on something), so its unplaced money is at least the
    estimate and within 10 % of the budget of it."""
    scenario = load_scenario(_variant(tmp_path, "norrland", NORRLAND))
    [estimate] = placements(scenario)
    for seed in (1, 2):
        out = model.run(scenario, seed=seed)
        unplaced = out.summary["unplaced_no_taker_msek"] + out.summary["unplaced_capacity_msek"]
        assert estimate.unplaceable - 1e-6 <= unplaced <= estimate.unplaceable + 0.1 * estimate.budget, (seed, unplaced)
    assert re.search(r"about 228 of the 300", placement_warnings(scenario)[0][1])


def test_a_target_empty_in_the_scenarios_own_world_is_warned_even_for_a_grant_call():
    scenario = with_overrides(load_scenario(ROOT / "scenarios" / "lever_pilot_grants.yaml"),
                              {"world.regions": False, "levers.0.target.kinds": ["region"]})
    [(_, text)] = placement_warnings(scenario)
    assert "about 250 of the 250 MSEK" in text and "admits no organisation of this scenario's world" in text
