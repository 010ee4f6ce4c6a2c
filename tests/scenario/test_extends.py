"""Scenario files that extend another (``extends: baseline.yaml``): merge rules, errors that name the file
and line a value came from, and the shipped files that state only what differs from the baseline."""

from pathlib import Path

import pytest

import model
from model.batch import ScenarioResults, manifest
from model.scenario import read_scenario_data, with_set_arguments
from model.yamlio import read_yaml

from ..support import BASELINE, MINIMAL, cli_lines, write

SCENARIOS = BASELINE.parent
EXTENDING = sorted(p for p in SCENARIOS.glob("*.yaml") if "extends" in (read_yaml(p)[0] or {}))

PARENT = """\
name: parent
description: the parent
horizon_years: 5
seed: 7
parameters:
  p_external: 0.05
  enthusiast_leave_rate: 0.1
world:
  networks:
    county: false
innovations:
  - name: x
  - name: y
levers:
  - type: peer_review
    budget_msek_per_year: 5
"""


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_child_states_only_what_differs(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nparameters:\n  p_external: 0.01\nworld:\n  regions: false\n",
                  "child.yaml")
    scen = model.load_scenario(child)
    # mappings merge key by key, recursively
    assert scen.parameters.p_external == 0.01 and scen.parameters.enthusiast_leave_rate == 0.1
    assert scen.world.regions is False and scen.world.networks.county is False
    assert (scen.horizon_years, scen.seed, [i.name for i in scen.innovations]) == (5, 7, ["x", "y"])
    assert [lever.type for lever in scen.levers] == ["peer_review"]
    # name and description are each file's own: the name defaults to the file's
    assert (scen.name, scen.description) == ("child", "")
    assert scen.files == [str(child), str(tmp_path / "parent.yaml")]


def test_lists_replace_whole_and_name_plus_appends(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    replaced = write(tmp_path, "extends: parent.yaml\nlevers: []\ninnovations:\n  - name: z\n", "r.yaml")
    scen = model.load_scenario(replaced)
    assert scen.levers == [] and [i.name for i in scen.innovations] == ["z"]
    added = write(tmp_path, "extends: parent.yaml\nlevers+:\n  - type: change_teams\n    budget_msek_per_year: 7\n",
                  "a.yaml")
    scen = model.load_scenario(added)
    assert [(lever.type, lever.budget_msek_per_year) for lever in scen.levers] == [("peer_review", 5), ("change_teams", 7)]


def test_an_appended_item_is_named_at_its_own_line(tmp_path, capsys):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nlevers+:\n  - type: change_teams\n    budget_msek_per_year: -7\n",
                  "a.yaml")
    code, _, err = cli_lines(capsys, "validate", child)
    assert code == 2
    assert err == [f"{child}:4: levers[1].budget_msek_per_year: input should be greater than or equal to 0 (got -7)"]


def test_both_a_list_and_its_plus_are_refused(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nlevers: []\nlevers+: []\n", "a.yaml")
    with pytest.raises(model.InputError, match=r"a\.yaml:3: levers\+: give either 'levers'.*or 'levers\+'.*not both"):
        model.load_scenario(child)


def test_chains_merge_in_order(tmp_path):
    write(tmp_path, PARENT, "a.yaml")
    write(tmp_path, "extends: a.yaml\nseed: 8\nhorizon_years: 6\n", "b.yaml")
    c = write(tmp_path, "extends: b.yaml\nseed: 9\n", "c.yaml")
    scen = model.load_scenario(c)
    assert (scen.seed, scen.horizon_years, scen.parameters.p_external) == (9, 6, 0.05)
    assert [Path(f).name for f in scen.files] == ["c.yaml", "b.yaml", "a.yaml"]


def test_an_error_names_the_file_and_line_that_wrote_the_value(tmp_path, capsys):
    parent = write(tmp_path, PARENT.replace("enthusiast_leave_rate: 0.1", "enthusiast_leave_rate: 7"), "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nparameters:\n  p_external: 0.9\n", "child.yaml")
    code, _, err = cli_lines(capsys, "validate", child)
    assert code == 2
    leave = line_of(parent, "enthusiast_leave_rate")
    assert f"{child}:3: parameters.p_external: input should be less than or equal to 0.5 (got 0.9)" in err
    assert f"{parent}:{leave}: parameters.enthusiast_leave_rate: input should be less than or equal to 0.5 (got 7)" in err
    assert len(err) == 2


def test_an_overridden_value_is_no_longer_the_parents_error(tmp_path):
    write(tmp_path, PARENT.replace("p_external: 0.05", "p_external: 0.9"), "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nparameters:\n  p_external: 0.01\n", "child.yaml")
    assert model.load_scenario(child).parameters.p_external == 0.01


@pytest.mark.parametrize("files, expected", [
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"},
     "b.yaml:1: extends: a.yaml extends this file again (a cycle: a.yaml -> b.yaml -> a.yaml)"),
    ({"a.yaml": "extends: a.yaml\n"}, "a.yaml:1: extends: a.yaml extends this file again (a cycle: a.yaml -> a.yaml)"),
    ({"a.yaml": "seed: 3\nextends: gone.yaml\n"}, "a.yaml:2: extends: gone.yaml not found (looked for "),
    ({"a.yaml": "extends: [b.yaml]\n"}, "a.yaml:1: extends: the name of the file this one extends"),
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "- 1\n"}, "a.yaml:1: extends: b.yaml is not a mapping"),
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "seed: 1\nseed: 2\n"}, "b.yaml:2: seed: given twice (lines 1 and 2)"),
    ({"a.yaml": "extends: b.yaml\n", "b.yaml": "seed: [1\n"}, "b.yaml: invalid YAML at line 1"),
])
def test_bad_chains_are_one_line_naming_the_file(tmp_path, capsys, files, expected):
    for name, text in files.items():
        write(tmp_path, text, name)
    code, _, err = cli_lines(capsys, "validate", tmp_path / "a.yaml")
    assert code == 2 and len(err) == 1 and expected in err[0], err


def test_set_overrides_an_inherited_value(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nseed: 3\n", "child.yaml")
    scen = with_set_arguments(model.load_scenario(child), ["parameters.p_external=0.02"], str(child))
    assert scen.parameters.p_external == 0.02 and scen.seed == 3
    assert scen.files[0] == str(child)  # the chain survives the override
    with pytest.raises(model.InputError, match=r"^--set parameters\.p_external=0\.9: parameters\.p_external"):
        with_set_arguments(model.load_scenario(child), ["parameters.p_external=0.9"], str(child))


def test_the_manifest_records_the_chain_of_files(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\n", "child.yaml")
    scen = model.load_scenario(child)
    m = manifest(ScenarioResults(scen, [], 1, 0.0), str(child), 1, {})
    assert m["scenario_files"] == [str(child), str(tmp_path / "parent.yaml")]
    assert m["scenario_resolved"]["seed"] == 7


def test_a_standalone_copy_has_no_extends(tmp_path):
    write(tmp_path, PARENT, "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nseed: 3\n", "child.yaml")
    data = read_scenario_data(child)
    assert "extends" not in data and data["seed"] == 3 and data["horizon_years"] == 5
    assert model.parse_scenario(data).seed == 3


def test_a_file_without_extends_reads_as_before(tmp_path):
    scen = model.load_scenario(write(tmp_path, MINIMAL))
    assert scen.name == "t" and scen.files == [str(tmp_path / "s.yaml")]


# --- the shipped files ------------------------------------------------------------------------------------
def test_the_shipped_levers_portfolios_and_events_extend_the_baseline():
    names = {p.stem for p in EXTENDING}
    assert {p.stem for p in SCENARIOS.glob("lever_*.yaml")} <= names
    assert {p.stem for p in SCENARIOS.glob("portfolio_*.yaml")} <= names
    assert {p.stem for p in SCENARIOS.glob("event_*.yaml")} <= names


@pytest.mark.parametrize("path", EXTENDING, ids=lambda p: p.stem)
def test_a_shipped_file_differs_from_the_baseline_only_in_what_it_states(path):
    base = model.load_scenario(BASELINE).model_dump(mode="json")
    scen = model.load_scenario(path)
    mine = scen.model_dump(mode="json")
    stated = set(read_yaml(path)[0]) - {"extends"}
    assert stated, path
    assert {k for k in mine if mine[k] != base[k]} <= stated
    for key in set(mine) - stated - {"name", "description"}:
        assert mine[key] == base[key], key
    assert scen.files == [str(path), str(BASELINE)]
    assert read_yaml(path)[0]["extends"] == "baseline.yaml"


def test_the_files_own_problems_come_first_then_the_parents(tmp_path, capsys):
    parent = write(tmp_path, "seed: -1\nhorizon_years: 5\nparameters:\n  enthusiast_leave_rate: 7\n"
                             "innovations:\n  - name: x\n", "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nparameters:\n  p_external: 0.9\nreplications: 0\n", "child.yaml")
    code, _, err = cli_lines(capsys, "validate", child)
    assert code == 2
    assert [line.split(": ")[0] for line in err] == [f"{child}:3", f"{child}:4", f"{parent}:1", f"{parent}:4"]
