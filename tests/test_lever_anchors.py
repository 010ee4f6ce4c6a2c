"""The lever effect anchors (model/levers/anchors.py): every effect parameter of every lever has a sane,
cited or labelled range, and robust worlds and the levers' docs use that one table."""

from __future__ import annotations

import re

import annotated_types
import pytest

from model.levers import REGISTRY
from model.levers.base import LeverParams
from model.levers.anchors import ANCHORS, BY_KEY, apply, field_default, markdown, varied

#: fields that are not effect sizes: what the money buys, how a lever is delivered, who it reaches
NOT_EFFECTS = {
    "peer_review": {"cost_per_review_msek", "opt_in_share", "request_lead_quarters"},
    "change_teams": {"team_cost_msek_per_year", "orgs_per_team", "stay_quarters", "repeat_visits",
                     "request_lead_quarters"},
    "training_networks": {"cost_per_member_msek"},
    "job_shadowing": {"cost_per_quarter_msek", "quarters", "sender_maturity_quantile"},
    "learning_networks": {"cost_per_member_msek"},
    "procurement": {"cost_per_member_msek"},
    "infrastructure": {"build_msek"},
}
#: levers whose only effect is the money they hand out
MONEY_ONLY = {"pilot_grants", "scale_up_grants", "small_actor_grants"}


def _bounds(lever: str, field: str) -> tuple[float, float]:
    info = REGISTRY[lever].Params.model_fields[field]
    low, high = -float("inf"), float("inf")
    for m in info.metadata:
        if isinstance(m, (annotated_types.Ge, annotated_types.Gt)):
            low = float(getattr(m, "ge", getattr(m, "gt", low)))
        if isinstance(m, (annotated_types.Le, annotated_types.Lt)):
            high = float(getattr(m, "le", getattr(m, "lt", high)))
    return low, high


@pytest.mark.parametrize("anchor", ANCHORS, ids=lambda a: a.name)
def test_every_anchor_is_a_field_with_its_default_inside_its_range(anchor):
    assert anchor.field in REGISTRY[anchor.lever].Params.model_fields
    assert anchor.low <= anchor.default <= anchor.high and anchor.low < anchor.high
    assert field_default(anchor) == anchor.default  # one value: the lever's default is the anchor's
    low, high = _bounds(anchor.lever, anchor.field)
    assert low <= anchor.low and anchor.high <= high  # every value of the range is one the lever accepts
    assert anchor.kind in ("evaluation", "assumption") and len(anchor.source) > 40
    if anchor.kind == "evaluation":  # an evaluation is cited with its year
        assert re.search(r"(19|20)\d\d", anchor.source)
    assert anchor.integer == isinstance(field_default(anchor), int) and not isinstance(field_default(anchor), bool)


def test_every_effect_field_of_every_lever_is_anchored():
    for name, cls in REGISTRY.items():
        own = set(cls.Params.model_fields) - set(LeverParams.model_fields)
        if name in MONEY_ONLY:
            assert not [a for a in ANCHORS if a.lever == name]
            continue
        anchored = {a.field for a in ANCHORS if a.lever == name}
        assert anchored | NOT_EFFECTS[name] == own, name
        assert not anchored & NOT_EFFECTS[name]
    assert len(BY_KEY) == len(ANCHORS)


def test_effects_are_set_only_on_levers_of_their_type_left_at_their_default():
    levers = [{"type": "peer_review", "budget_msek_per_year": 5.0},
              {"type": "peer_review", "budget_msek_per_year": 5.0, "scale_bonus": 0.2},
              {"type": "change_teams", "budget_msek_per_year": 5.0}]
    data = {"levers": [dict(x) for x in levers]}
    assert apply(data, "lever_effects.peer_review.scale_bonus", 0.3) == 1
    assert [x.get("scale_bonus") for x in data["levers"]] == [0.3, 0.2, None]
    assert apply(data, "lever_effects.procurement.call_off_discount", 0.1) == 0
    assert apply(data, "lever_effects.peer_review.bonus_quarters", 5.6) == 2
    assert data["levers"][0]["bonus_quarters"] == 6  # whole quarters
    names = [a.name for a in varied(levers)]
    assert "peer_review.scale_bonus" in names and "change_teams.scale_bonus" in names
    assert not [n for n in names if n.startswith("procurement")]
    assert not varied([{"type": "peer_review", "budget_msek_per_year": 0.0}])


def test_the_markdown_table_lists_every_anchor():
    text = markdown()
    assert len(text.splitlines()) == len(ANCHORS) + 2
    for a in ANCHORS:
        assert f"| `{a.lever}` | `{a.field}` |" in text


def test_docs_list_every_effect_parameter_as_the_module_declares_it():
    from pathlib import Path

    from model.levers.listing import EFFECTS_END, EFFECTS_START

    text = (Path(__file__).resolve().parents[1] / "docs" / "levers.md").read_text(encoding="utf-8")
    shown = text.split(EFFECTS_START, 1)[1].split(EFFECTS_END, 1)[0].strip()
    assert shown == markdown(), "docs/levers.md effect table is out of date: run `python -m model.levers.listing --write`"
