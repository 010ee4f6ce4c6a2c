"""The model documentation cannot drift from the code.

- ``docs/parameters.md`` holds exactly the current parameter table of ``model.parameters`` between its
  markers;
- ``docs/ODD.md`` mentions every parameter, and ``docs/parameters.md`` every scenario key;
- the YAML shown in ``docs/bass.md`` is a valid scenario with the settings that reduce the model to Bass.

Regenerate the parameter table after changing ``model/parameters.py``::

    python tests/test_docs.py --write
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from model.parameters import PARAMETERS, markdown_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
REGENERATE = (
    "docs/parameters.md is out of date with model/parameters.py: run `python tests/test_docs.py --write` "
    f"(it rewrites the table between the markers {START} and {END})"
)


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _between_markers(text: str) -> str:
    assert text.count(START) == 1 and text.count(END) == 1, f"docs/parameters.md needs one {START} and one {END}"
    return text.split(START, 1)[1].split(END, 1)[0]


def write_parameter_table(path: Path = DOCS / "parameters.md") -> bool:
    """Replace the table between the markers with the current one; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    old = _between_markers(text)
    new = "\n" + markdown_table() + "\n"
    if old == new:
        return False
    path.write_text(text.replace(START + old + END, START + new + END), encoding="utf-8")
    return True


def test_parameter_table_is_current():
    assert _between_markers(_read("parameters.md")).strip() == markdown_table().strip(), REGENERATE


def test_odd_mentions_every_parameter():
    odd = _read("ODD.md")
    missing = [p.name for p in PARAMETERS if not re.search(rf"\b{re.escape(p.name)}\b", odd)]
    assert not missing, f"docs/ODD.md does not mention these parameters (describe them in §7): {', '.join(missing)}"


def test_parameters_doc_covers_every_scenario_key():
    from model.scenario import Innovation, Mechanisms, Networks, Scenario, World

    text = _read("parameters.md")
    expected = (
        [f"`{f}`" for f in Scenario.model_fields]
        + [f"`{f}`" for f in Innovation.model_fields]
        + [f"`world.{f}`" for f in World.model_fields if f != "networks"]
        + [f"`world.networks.{f}`" for f in Networks.model_fields]
        + [f"`mechanisms.{f}`" for f in Mechanisms.model_fields]
    )
    missing = [key for key in expected if key not in text]
    assert not missing, f"docs/parameters.md does not document these scenario keys: {', '.join(missing)}"


def _bass_yaml() -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", _read("bass.md"), flags=re.S)
    assert blocks, "docs/bass.md should show the Bass configuration as a ```yaml block"
    return yaml.safe_load(blocks[0])


BASS_SETTINGS = {
    ("world", "networks", "complete"): True,
    ("mechanisms", "lifecycle"): "one_step",
    ("parameters", "initial_adopters"): 0,
    ("parameters", "drop_base"): 0,
    ("parameters", "drop_no_protector"): 0,
    ("parameters", "drop_no_enthusiast"): 0,
    ("parameters", "drop_overload"): 0,
}


def _get(data: dict, path: tuple[str, ...]):
    for key in path:
        data = data[key]
    return data


def test_bass_doc_yaml_is_a_valid_bass_scenario():
    import math

    from model.scenario import parse_scenario

    data = _bass_yaml()
    scenario = parse_scenario(data, "docs/bass.md")
    for path, value in BASS_SETTINGS.items():
        assert _get(data, path) == value, f"docs/bass.md: {'.'.join(path)} should be {value}"
    # the parameters shown are p = 0.004 and q = 0.06 per quarter with M = 290 municipalities
    assert scenario.innovations[0].applies_to == ["municipality"]
    assert scenario.parameters.p_external == pytest.approx(1 - math.exp(-0.004), rel=1e-6)
    assert scenario.parameters.beta_national == pytest.approx(1 - math.exp(-0.06 / 290), rel=1e-6)


def test_shipped_bass_scenario_has_the_bass_settings():
    path = ROOT / "scenarios" / "bass.yaml"
    if not path.exists():
        pytest.skip("scenarios/bass.yaml not shipped yet")
    from model.scenario import load_scenario

    load_scenario(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for keys, value in BASS_SETTINGS.items():
        try:
            got = _get(data, keys)
        except (KeyError, TypeError):
            pytest.fail(f"scenarios/bass.yaml: {'.'.join(keys)} must be set to {value} (see docs/bass.md)")
        assert got == value, f"scenarios/bass.yaml: {'.'.join(keys)} is {got}, should be {value} (docs/bass.md)"


if __name__ == "__main__":  # regenerate the generated part of docs/parameters.md
    if sys.argv[1:] == ["--write"]:
        changed = write_parameter_table()
        print("docs/parameters.md: table updated" if changed else "docs/parameters.md: table already current")
    else:
        print(__doc__)
        sys.exit(2)
