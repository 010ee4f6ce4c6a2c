"""Shocks and coercion (``events:``): a legal mandate, a crisis, an earmarked state grant — and the
discontinuance when temporary money ends."""

import numpy as np
import pytest

import model
from model.dynamics.events import MONEY, RELIEF_SINCE, TRIALS_ENDING, schedule, trials_ending
from model.dynamics.lifecycle import TALLY
from model.model import InnovationModel
from model.runner import replication_seed
from model.stages import ADOPTED, AWARE, DROPPED, PILOTING, STALLED
from model.world.organisations import MUNICIPALITY

from ..support import MINIMAL
from ..support import assert_scenario_rejected as bad

MANDATE = {"type": "mandate", "innovation": "digital_home_care", "year": 2027, "deadline": 2029}


def adopted_share(out, t, j, mask):
    return float((out.stage_history[t][mask, j] == ADOPTED).mean())


def test_a_mandate_raises_compliance_far_but_not_to_everyone_and_smaller_ones_lag(baseline):
    """Pressure raises the odds of starting, scaling and keeping the innovation, but the want of a champion,
    capacity or money still stalls and drops (issue 20): compliance a year after the deadline is far above
    the baseline's and below 100 % in every run."""
    scenario = model.with_overrides(baseline, {"events": [MANDATE], "horizon_years": 6})
    j = scenario.innovations.index(next(i for i in scenario.innovations if i.name == "digital_home_care"))
    deadline_end = 4 * (2029 + 1 - 2026)  # the quarter boundary at the end of the deadline year
    lag = 4  # a year
    small, large, done = [], [], []
    for r in range(8):
        out = model.run(scenario, replication_seed(1, r))
        muni = out.orgs.kind == MUNICIPALITY
        band = out.orgs.size_band
        done.append(adopted_share(out, deadline_end + lag, j, muni))
        # a year before the deadline and at it: the small ones, with least capacity to implement, lag
        small.append([adopted_share(out, t, j, muni & (band == 0)) for t in (deadline_end - 4, deadline_end)])
        large.append([adopted_share(out, t, j, muni & (band >= 3)) for t in (deadline_end - 4, deadline_end)])
    lag_small = np.array(large) - np.array(small)
    assert (lag_small.mean(0) > 0.05).all(), lag_small.mean(0)
    baseline_share = adopted_share(model.run(model.with_overrides(baseline, {"horizon_years": 6}), 0),
                                   deadline_end + lag, j, muni)
    assert min(done) > baseline_share + 0.3 and max(done) < 0.97, (baseline_share, done)


def test_compliance_under_a_mandate_rises_with_capacity(baseline):
    """The same mandate in the same runs (common random numbers) with half as much development capacity
    again: more comply by the deadline, and fewer than all do in either world."""
    scenario = model.with_overrides(baseline, {"events": [MANDATE], "horizon_years": 4})
    capacity = float(model.with_overrides(baseline, {}).parameters.capacity_scale)
    richer = model.with_overrides(scenario, {"parameters.capacity_scale": 1.5 * capacity})
    deadline_end = 4 * (2029 + 1 - 2026)

    def compliance(s, seed):
        out = model.run(s, seed)
        return adopted_share(out, deadline_end, 0, out.orgs.kind == MUNICIPALITY)

    seeds = [replication_seed(5, r) for r in range(20)]
    plain = np.array([compliance(scenario, s) for s in seeds])
    more = np.array([compliance(richer, s) for s in seeds])
    diff = more - plain
    assert diff.mean() - 1.96 * diff.std(ddof=1) / np.sqrt(len(seeds)) > 0, diff
    assert plain.max() < 1.0 and more.max() < 1.0


def test_a_funded_mandate_books_what_the_state_pays_in_spend_msek(baseline):
    """The financing principle's cost is booked: every quarter from the mandate's year the state pays each
    municipality's pilot running cost, scale-up instalment or running cost of the mandated innovation, as the
    stage history shows it; the run's spend_msek, the ledger's line for the mandate and the money paid under
    events are that sum (about a thousand MSEK here), to rounding."""
    scenario = model.with_overrides(baseline, {"events": [MANDATE], "horizon_years": 5})
    m = InnovationModel(scenario, seed=replication_seed(2, 0))
    m.run_model()
    out = model.run(scenario, replication_seed(2, 0))
    j, p, inn = 0, m.params, m.innovations
    hist = m.stage_history
    t0 = 4 * (MANDATE["year"] - 2026)
    q = int(p.scaling_quarters)
    cost = inn.scale_cost_fixed[j] + inn.scale_cost_per_10k[j] * m.scale / 1e4
    age = np.where(hist[0][:, j] == ADOPTED, 127, 0)
    expected = 0.0
    for t in range(len(hist) - 1):
        s = hist[t][:, j]
        if t > 0:  # quarters since the scale-up (the kernel counts them while it is paid: always, here)
            became = (s == ADOPTED) & (hist[t - 1][:, j] == PILOTING)
            age = np.where(became, 0, np.where(s == ADOPTED, np.minimum(age + 1, 127), age))
        if t < t0:
            continue
        running = np.where(age < q, cost / q, p.operating_cost_share * cost / 4.0)
        expected += float((s == PILOTING).sum() * inn.pilot_cost[j] / 4.0 + running[s == ADOPTED].sum())
    assert 300 < expected < 3000
    assert out.summary["spend_msek"] == pytest.approx(expected, rel=1e-9)
    assert out.summary["money_event_msek"] == pytest.approx(expected, rel=1e-9)
    booked = out.lever_usage
    assert set(booked["lever"]) == {"mandate:digital_home_care"} and (booked["operator"] == "state").all()
    assert booked["used_msek"].sum() == pytest.approx(expected, rel=1e-9)
    assert out.summary["budget_msek"] == pytest.approx(expected, rel=1e-9)
    unfunded = model.run(model.with_overrides(scenario, {"events": [{**MANDATE, "funded": False}]}), 0)
    assert unfunded.summary["spend_msek"] == 0.0


def test_a_mandate_ramps_up_to_its_pressure_at_the_deadline(baseline):
    target = {**MANDATE, "pressure": 0.5, "funded": False}
    m = InnovationModel(model.with_overrides(baseline, {"events": [target]}), seed=1)
    pressure = m.context.events.pressure[:, 0]
    assert (pressure[:4] == 0).all() and pressure[4] > 0
    assert pressure[15] == pytest.approx(0.5) and (pressure[16:] == 0.5).all()
    assert (np.diff(pressure[4:16]) > 0).all()
    assert (m.context.events.relax[:, MONEY, 0] == 0).all()  # not funded: nothing covers its costs
    funded = InnovationModel(model.with_overrides(baseline, {"events": [MANDATE]}), seed=1)
    assert (funded.context.events.relax[4:, MONEY, 0] == 1).all() and (funded.context.events.relax[:4, MONEY, 0] == 0).all()


def test_a_crisis_gives_a_surge_and_then_a_slowdown(baseline):
    crisis = {"type": "crisis", "start_year": 2028, "years": 1, "fade_years": 1, "innovations": ["digital_home_care"],
              "relaxes": {"capacity": 0.5, "social_proof": 1.0, "money": 0.5}}
    plain = model.with_overrides(baseline, {"horizon_years": 6})
    shocked = model.with_overrides(plain, {"events": [crisis]})

    def started_per_year(out):
        h = out.stage_history[:, :, 0]
        return ((h[:-1] == AWARE) & (h[1:] == PILOTING)).sum(1).reshape(-1, 4).sum(1)

    seeds = [replication_seed(7, r) for r in range(30)]
    with_crisis = np.array([started_per_year(model.run(shocked, s)) for s in seeds])
    without = np.array([started_per_year(model.run(plain, s)) for s in seeds])
    surge = with_crisis[:, 2] - without[:, 2]  # 2028
    half = 1.96 * surge.std(ddof=1) / np.sqrt(len(seeds))
    # at least half as many again (with simple contagion's one-tie proof, social proof rarely holds a start back,
    # so relaxing it adds less than capacity and money do; the surge was about +74 % when this was written)
    assert surge.mean() - half > 0.5 * without[:, 2].mean()
    # then a slowdown: after the crisis has faded, pilots start far less often than during it, and no more
    # often than without the crisis (those ready went during the crisis)
    drop = with_crisis[:, 2] - with_crisis[:, 4:6].mean(1)
    assert drop.mean() - 1.96 * drop.std(ddof=1) / np.sqrt(len(seeds)) > 0
    after = (with_crisis[:, 4:6] - without[:, 4:6]).mean(1)
    assert after.mean() < 1.96 * after.std(ddof=1) / np.sqrt(len(seeds))


def test_adoptions_that_depended_on_a_temporary_grant_can_be_discontinued_after_it_ends(baseline):
    """An earmarked state grant pays an innovation's costs in every municipality for three years (here more
    than they cost, and more than Socialstyrelsen could deliver by default); when it ends, those whose own
    money does not cover the running costs drop it (000 L2638-2645)."""
    costly = model.with_overrides(baseline, {"horizon_years": 6, "parameters.operating_cost_share": 0.8,
                                             "parameters.initial_adopters": 20,
                                             "innovations.digital_home_care.value": 1.0,
                                             "world.delivery_msek_per_year": {"socialstyrelsen": 2000}})
    grant = {"type": "earmarked_grant", "innovation": "digital_home_care", "start_year": 2026, "years": 3,
             "msek_per_year": 1500, "split": "equal"}
    funded = model.with_overrides(costly, {"events": [grant]})
    lasting = model.with_overrides(costly, {"events": [{**grant, "years": 6}]})
    j = 0  # digital_home_care

    def drops(scenario, seed):
        h = model.run(scenario, seed).stage_history[:, :, j]
        return ((h[:-1] == ADOPTED) & (h[1:] == DROPPED)).sum(1).reshape(-1, 4).sum(1)

    seeds = [replication_seed(3, r) for r in range(12)]
    ended = np.array([drops(funded, s) for s in seeds])
    kept = np.array([drops(lasting, s) for s in seeds])
    assert (ended[:, :3] == kept[:, :3]).all()  # the same runs while both grants pay
    more = (ended[:, 3:5] - kept[:, 3:5]).sum(1)  # 2029-2030: one grant has ended, the other goes on
    assert more.mean() - 1.96 * more.std(ddof=1) / np.sqrt(len(seeds)) > 0
    m = InnovationModel(funded, seed=seeds[0])
    m.run_model()
    lost = m.context.record.tally[:, TALLY.index("adoptions_lost_no_money")].reshape(-1, 4).sum(1)
    assert lost[3:5].sum() > lost[1:3].sum()
    out = model.run(funded, 0)
    usage = out.lever_usage.set_index("year")
    assert list(usage.index) == [2026, 2027, 2028]
    assert usage["operator"].eq("socialstyrelsen").all() and (usage["returned_msek"] > 0).all()
    assert np.allclose(usage["used_msek"] + usage["returned_msek"], 1500)


def test_events_are_validated_with_lines_and_suggestions(tmp_path, capsys):
    base = MINIMAL + "events:\n"
    bad(tmp_path, capsys, base + "  - type: mandat\n    innovation: x\n    year: 2027\n    deadline: 2028\n",
        "events[0].type", "unknown event 'mandat'", "did you mean 'mandate'")
    bad(tmp_path, capsys, base + "  - type: mandate\n    innovation: y\n    year: 2027\n    deadline: 2028\n",
        "events[0].innovation", "unknown innovation 'y'")
    bad(tmp_path, capsys, base + "  - type: mandate\n    innovation: x\n    year: 2029\n    deadline: 2028\n",
        "events[0]", "deadline 2028 is before year 2029")
    bad(tmp_path, capsys, base + "  - type: crisis\n    start_year: 2040\n    relaxes: {capacity: 0.5}\n",
        "events[0].start_year", "outside the simulated years", "2026-2030")
    bad(tmp_path, capsys, base + "  - type: crisis\n    start_year: 2027\n    relaxes: {capacity: 1.5}\n",
        "events[0].relaxes", "between 0 and 1")
    bad(tmp_path, capsys, base + "  - type: crisis\n    start_year: 2027\n    relaxes: {patience: 0.5}\n",
        "events[0].relaxes")
    bad(tmp_path, capsys, MINIMAL + "world:\n  agencies: false\nevents:\n  - type: earmarked_grant\n"
        "    innovation: x\n    start_year: 2027\n    msek_per_year: 10\n",
        "events[0].operator", "not in this world")


def test_the_shipped_event_scenarios_run(capsys):
    from model.cli import main

    for name in ("event_mandate", "event_crisis", "event_earmarked_grant"):
        path = f"scenarios/{name}.yaml"
        assert main(["validate", path]) == 0
        scenario = model.load_scenario(path)
        assert scenario.events and not scenario.levers
        assert 0 < model.run(model.with_overrides(scenario, {"horizon_years": 4}), 0).summary["final_adoption"] < 1


def test_trials_ending_hazard_is_the_share_in_the_quarter_the_relief_is_gone():
    """The relief's level per quarter (full, then a fade to 0): the hazard is the share only in the first
    quarter at 0 after a relieved one, and 0 before the crisis, while it holds, as it fades and after."""
    level = np.array([0, 0, 1, 1, 0.75, 0.5, 0.25, 0, 0, 0.0])
    assert trials_ending(level, 0.4).tolist() == [0, 0, 0, 0, 0, 0, 0, 0.4, 0, 0]
    assert not trials_ending(level, 0.0).any()
    names = ("digital_home_care", "other")
    relax = schedule([_crisis(ends_trials=0.3)], names, 2026, 24).relax
    t_end = 11  # relief from 2027 Q1 (quarter 4) for a year, then 0.75, 0.5, 0.25 and gone in quarter 11
    assert relax[:, TRIALS_ENDING, 0].nonzero()[0].tolist() == [t_end]
    assert relax[t_end, TRIALS_ENDING, 0] == 0.3 and relax[t_end, RELIEF_SINCE, 0] == 4
    assert not relax[:, TRIALS_ENDING:, 1].any()  # not one of its innovations


def _crisis(**changes):
    from model.dynamics.events import Crisis

    return Crisis(**{"type": "crisis", "start_year": 2027, "years": 1, "fade_years": 1,
                     "innovations": ["digital_home_care"], "relaxes": {"capacity": 0.5, "money": 0.8}, **changes})


def _pilot_began(h, t):
    """For each pair piloting at step ``t`` of the stage history ``h`` (steps, n): the quarter its pilot began
    (the last quarter it moved into PILOTING), else -1."""
    began = np.full(h.shape[1], -1)
    for i in np.nonzero(h[t] == PILOTING)[0]:
        s = t
        while s > 0 and h[s - 1, i] == PILOTING:
            s -= 1
        began[i] = s - 1
    return began


def test_trials_that_relied_on_a_crisis_relief_end_when_it_is_gone_and_only_those(baseline):
    """Paired runs (common random numbers) with and without ``ends_trials``: identical until the relief is
    gone; in that quarter every running pilot begun under the relief ends (share 1) or about half of them
    (0.5), those begun before it run on as without; at 0 the run is the crisis without the rule."""
    plain = model.with_overrides(baseline, {"horizon_years": 5})
    crisis = _crisis().model_dump()
    t0, t_end = 4, 11  # the relief from 2027 Q1 (quarter 4); gone in quarter 11 (the fade's 4th)
    ended = eligible = 0
    for r in range(6):
        seed = replication_seed(11, r)
        without = model.run(model.with_overrides(plain, {"events": [crisis]}), seed).stage_history[:, :, 0]
        off = model.run(model.with_overrides(plain, {"events": [{**crisis, "ends_trials": 0.0}]}), seed)
        assert (off.stage_history[:, :, 0] == without).all()
        every = model.run(model.with_overrides(plain, {"events": [{**crisis, "ends_trials": 1.0}]}), seed)
        half = model.run(model.with_overrides(plain, {"events": [{**crisis, "ends_trials": 0.5}]}), seed)
        h, h_half = every.stage_history[:, :, 0], half.stage_history[:, :, 0]
        assert (h[:t_end + 1] == without[:t_end + 1]).all() and (h_half[:t_end + 1] == without[:t_end + 1]).all()
        began = _pilot_began(without, t_end)
        under, before = began >= t0, (began >= 0) & (began < t0)
        assert under.sum() > 5
        assert (h[t_end + 1, under] == STALLED).all()
        assert (h[t_end + 1, before] == without[t_end + 1, before]).all()
        assert (h_half[t_end + 1, before] == without[t_end + 1, before]).all()
        gone = (h_half[t_end + 1, under] == STALLED) & (without[t_end + 1, under] != STALLED)
        ended += gone.sum()
        eligible += (without[t_end + 1, under] != STALLED).sum()
    # of those that would have run on, about half ended (binomial: within three standard errors)
    assert abs(ended / eligible - 0.5) < 3 * np.sqrt(0.25 / eligible), (ended, eligible)
