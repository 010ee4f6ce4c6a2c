"""Every mistake at once: ``spridning validate`` reports all problems of a file in one pass — top level,
innovations, levers, targets, repeated keys — ordered by line, each ``FILE:LINE: field: problem``."""

import pytest

import model
from model.errors import InputError, Problem, render

from ..support import cli_lines, write

MANY = """\
name: many
horizon_years: 0
replications: 5
parameters:
  p_external: 0.9
innovations:
  - name: x
    complexity: 2
levers:
  - type: peer_review
    budget_msek_per_year: 5
    cost_per_reviw_msek: 0.3
  - type: peer_reveiw
    budget_msek_per_year: 5
  - type: change_teams
    budget_msek_per_year: -1
    target:
      by: region
      regions: [Narnia]
replications: 6
"""


def test_validate_reports_every_problem_of_a_file_ordered_by_line(tmp_path, capsys):
    path = write(tmp_path, MANY)
    code, out, err = cli_lines(capsys, "validate", path)
    assert code == 2 and out == []
    assert [line.split(": ")[0] for line in err] == [f"{path}:{n}" for n in (2, 5, 8, 12, 13, 16, 19, 20)]
    assert [line.split(": ")[1] for line in err] == [
        "horizon_years", "parameters.p_external", "innovations[0].complexity", "levers[0].cost_per_reviw_msek",
        "levers[1].type", "levers[2].budget_msek_per_year", "levers[2].target.regions", "replications"]
    assert "did you mean 'cost_per_review_msek'" in err[3] and "did you mean 'peer_review'" in err[4]
    assert "unknown region 'Narnia'" in err[6] and "given twice (lines 3 and 20)" in err[7]
    with pytest.raises(InputError) as exc:
        model.load_scenario(path)
    assert str(exc.value).splitlines() == err
    locs = [p.loc for p in exc.value.problems]  # the parts, for callers that re-render them
    assert len(locs) == 8 and ("replications",) in locs and ("levers", 2, "target", "regions") in locs


LEVER = "innovations:\n  - name: x\nlevers:\n  - type: peer_review\n    budget_msek_per_year: {budget}\n" \
        "    start_year: 2040\n"


@pytest.mark.parametrize("top, budget, expected", [
    # the calendar is valid, so the lever's timing is checked against it
    ("seed: -1", 5, ["2: seed: input should be greater than or equal to 0 (got -1)",
                     "8: levers[0].start_year: 2040 is after the horizon (the scenario simulates 2026-2035); "
                     "allowed: 2026-2035"]),
    # the calendar is invalid: each entry is still checked, its timing cannot be
    ("horizon_years: many", "lots", ["2: horizon_years: expected a whole number, got text ('many')",
                                     "7: levers[0].budget_msek_per_year: expected a number, got text ('lots')"]),
])
def test_levers_are_checked_when_the_top_level_is_invalid(tmp_path, capsys, top, budget, expected):
    path = write(tmp_path, f"name: t\n{top}\n" + LEVER.format(budget=budget))
    code, _, err = cli_lines(capsys, "validate", path)
    assert code == 2 and err == [f"{path}:{line}" for line in expected]


def test_every_file_is_reported(tmp_path, capsys):
    good = write(tmp_path, "name: t\ninnovations:\n  - name: x\n", "good.yaml")
    bad = write(tmp_path, "name: t\ninnovations: []\nhorizon_years: 0\n", "bad.yaml")
    code, out, err = cli_lines(capsys, "validate", bad, good)
    assert code == 2
    assert out == [f"{good}: ok (t: 1 innovation, 0 levers, 10 years)"]
    assert err == [f"{bad}:2: innovations: list should have at least 1 item after validation, not 0",
                   f"{bad}:3: horizon_years: input should be greater than or equal to 1 (got 0)"]


def test_a_problem_without_a_line_comes_last_and_a_file_problem_has_no_field():
    problems = [Problem(("b",), "second"), Problem((), "the file is odd"), Problem(("a",), "first")]

    class Lines:
        def line(self, loc):
            return {("a",): 3, ("b",): 7}.get(tuple(loc))

        def text(self, loc):
            return None

    assert render("f.yaml", problems, Lines()).splitlines() == [
        "f.yaml:3: a: first", "f.yaml:7: b: second", "f.yaml: the file is odd"]
    assert render("f.yaml", problems).splitlines() == ["f.yaml: b: second", "f.yaml: the file is odd",
                                                       "f.yaml: a: first"]
