"""The compiled grant calls and free capacity (model/levers/funding_kernel.py, targeting_kernel.py) give the
results of the vectorised NumPy rules they replaced, bit for bit: the rules are kept here as oracles, and
runs with the oracle patched in are compared with runs of the package, array by array."""

import math
from contextlib import contextmanager

import numpy as np
import pytest

import model
from model import economy
from model.levers import funding
from model.levers.targeting_kernel import Loads, free_capacity
from model.model import InnovationModel
from model.stages import ADOPTED, AWARE, PILOTING, QUARTERS_PER_YEAR
from tests.support import mechanism_world

from tests.conftest import SCENARIOS


# --- the vectorised rules, as they were before they were compiled (the oracles) ---------------------------
def held_numpy(stage, pilot_age, pilot_need, scale_need, adoption_need, scaling_quarters):
    implementing = (stage == ADOPTED) & (pilot_age < scaling_quarters)
    return ((stage == PILOTING) * pilot_need + implementing * scale_need
            + ((stage == ADOPTED) & ~implementing) * adoption_need)


def free_numpy(ctx):
    s, inn, e = ctx.state, ctx.innovations, ctx.effects
    held = held_numpy(s.stage, s.pilot_age, inn.pilot_need, inn.scale_need, inn.adoption_need,
                      int(ctx.params.scaling_quarters))
    return s.capacity + e.capacity_bonus - (held * e.load_factor).sum(1)


def _candidates(lever, ctx):
    s, e = ctx.state, ctx.effects
    if lever.purpose == "scale":
        due = s.pilot_age + 2 >= ctx.innovations.pilot_quarters[None, :]
        return (s.stage == PILOTING) & due & ctx.applicable & ~lever.funded
    return (s.stage == AWARE) & ctx.applicable & ~lever.funded & ~e.funded_start


def _years(lever, ctx, cols):
    if lever.purpose == "scale":
        return np.full(len(cols), max(ctx.params.scaling_quarters / QUARTERS_PER_YEAR, 0.25))
    return np.maximum(ctx.innovations.pilot_quarters[cols] / QUARTERS_PER_YEAR, 0.25)


def _amounts(lever, ctx, rows, cols):
    inn, years = ctx.innovations, _years(lever, ctx, cols)
    if lever.purpose == "scale":
        cost = economy.scale_up_cost(inn.scale_cost_fixed[cols], inn.scale_cost_per_10k[cols], ctx.scale[rows],
                                     ctx.effects.fixed_cost_factor[rows, cols])
    else:
        cost = economy.pilot_cost_per_year(inn.pilot_cost[cols], ctx.effects.fixed_cost_factor[rows, cols]) * years
    return cost, lever.p.staff_msek_per_year * years


def _running(lever, ctx):
    s = ctx.state
    if lever.purpose == "scale":
        implementing = (s.stage == ADOPTED) & (s.pilot_age < int(ctx.params.scaling_quarters))
        return (s.stage == PILOTING) | implementing
    return s.stage == PILOTING


def _keeps(lever, ctx):
    if lever.purpose == "pilot" and not lever.p.start_at_once:
        return lever.funded & (ctx.state.stage == AWARE)
    return np.zeros_like(lever.funded)


def oracle_step(self, ctx, t, year, quarter, active):
    p = self.p
    self.pot = 0.0
    if active:
        self.use(ctx, year, self.delivered[year] * p.admin_share / QUARTERS_PER_YEAR)
        if (quarter - 1) % (4 // p.calls_per_year) == 0:
            if quarter == 1:
                self.carry = 0.0
            oracle_round(self, ctx, year)
    oracle_follow_up(self, ctx)
    self.any_funded = bool(self.funded.any())


def oracle_round(self, ctx, year):
    p, tg = self.p, self.p.target
    money = self.delivered[year] * (1.0 - p.admin_share) / p.calls_per_year + self.carry
    candidates = _candidates(self, ctx) & self.targeting.pool[:, None]
    has = candidates.any(1) & (ctx.state.enthusiasts > 0)
    free = np.maximum(free_numpy(ctx), 0.0)
    u, z, pick = self.rng.random(ctx.n), self.rng.standard_normal(ctx.n), self.rng.random((ctx.n, ctx.k))
    applicants = has & (u < free / (free + tg.application_half_capacity))
    self.charge(ctx, applicants, tg.application_overhead_msek, tg.application_overhead_capacity)
    idx = np.flatnonzero(applicants)
    self.applications += len(idx)
    self.usage(ctx, year).applications += len(idx)
    awarded = 0.0
    if len(idx):
        # the C library's log, as the kernel takes it (targeting_kernel.log_capacity_of), not NumPy's SIMD loop
        log_cap = np.array([math.log(c) for c in np.maximum((ctx.state.capacity + ctx.effects.capacity_bonus)[idx],
                                                            1e-9).tolist()])
        quality = (log_cap if p.selection == "quality" else -log_cap) + tg.application_noise * z[idx]
        order = idx[np.argsort(-quality, kind="stable")]
        ks = (pick * candidates)[order].argmax(1)
        if self.targeting.limit is not None:
            order, ks = order[: self.targeting.limit], ks[: self.targeting.limit]
        costs, staff = _amounts(self, ctx, order, ks)
        amounts = np.minimum(costs + staff, p.max_grant_msek)
        won = np.zeros(len(order), dtype=bool)
        for r, amount in enumerate(amounts.tolist()):
            if amount > money - awarded + 1e-9:
                continue
            awarded += amount
            won[r] = True
        if won.any():
            oracle_award(self, ctx, order[won], ks[won], amounts[won], staff[won], year)
    self.carry = max(0.0, money - awarded)


def oracle_award(self, ctx, rows, cols, amounts, staff, year):
    earmark = np.maximum(amounts - staff, 0.0)
    ctx.effects.grant_msek[rows, cols] += earmark
    self.earmarked[rows, cols] += earmark
    self.staff[rows, cols] = economy.staff_units(np.minimum(staff, amounts), ctx.params) / _years(self, ctx, cols)
    self.funded[rows, cols] = True
    self.award_year[rows, cols] = year
    if self.purpose == "pilot" and self.p.start_at_once:
        ctx.effects.funded_start[rows, cols] = True
    self.grants += len(rows)
    self.recipients[rows] = True
    use = self.usage(ctx, year)
    for amount in amounts.tolist():
        self.awarded_msek += amount
        use.used += amount
        use.placed += 1
    use.takers[rows] = True


def oracle_follow_up(self, ctx):
    if not self.funded.any():
        return
    running = _running(self, ctx) & self.funded
    if running.any():
        self.lend_capacity(ctx, (self.staff * running).sum(1))
    ended = self.funded & ~running & ~ctx.effects.funded_start & ~_keeps(self, ctx)
    if not ended.any():
        return
    self.funded[ended] = False
    rows, cols = np.nonzero(ended & (ctx.state.stage != ADOPTED))
    back = np.minimum(ctx.effects.grant_msek[rows, cols], self.earmarked[rows, cols])
    ctx.effects.grant_msek[rows, cols] -= back
    for amount, award_year in zip(back.tolist(), self.award_year[rows, cols].tolist()):
        self.returned_msek += amount
        use = self.usage(ctx, award_year)
        use.returned += amount
        use.used -= amount
    self.earmarked[ended] = 0.0


@contextmanager
def oracle(monkeypatch):
    """The grant calls run by the NumPy rules above instead of the compiled kernels, quarter by quarter (not
    inside the compiled loop: model.levers.compiled)."""
    with monkeypatch.context() as patch:
        patch.setattr(funding._Call, "step", oracle_step)
        patch.setattr(funding._Call, "compiled", lambda self, ctx, t: None)
        yield


# --- the checks -------------------------------------------------------------------------------------------
def bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


@pytest.mark.parametrize("k", [1, 3, 4, 7, 8, 9, 16, 17, 31, 128, 129, 300, 1000])
def test_free_capacity_is_the_vectorised_rule_bit_for_bit(k):
    rng = np.random.default_rng(k)
    n = 40
    stage = rng.integers(0, 5, (n, k)).astype(np.int8)
    pilot_age = rng.integers(0, 9, (n, k)).astype(np.int16)
    needs = [rng.random(k) * rng.choice([0.01, 1.0, 100.0], k) for _ in range(3)]
    capacity, bonus = rng.random(n) * 5, rng.normal(0, 1, n)
    load = rng.random((n, k)) * 2
    free = free_capacity(capacity, bonus, load, Loads(stage, pilot_age, *needs, 4))
    expected = capacity + bonus - (held_numpy(stage, pilot_age, *needs, 4) * load).sum(1)
    assert np.array_equal(bits(free), bits(expected))


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 127, 128, 129, 255, 256, 257, 324, 1000, 2049])
def test_a_row_sum_is_numpy_s_sum_of_a_vector_bit_for_bit(n):
    """targeting_kernel.row_sum adds as ndarray.sum adds a vector (pairwise, in blocks of eight): what the
    compiled formula grants' shares and returns are summed with (formula_kernel)."""
    from model.levers.targeting_kernel import row_sum

    rng = np.random.default_rng(n)
    for scale in (1e-3, 1.0, 1e3):
        x = rng.random(n) * scale
        x[rng.random(n) < 0.4] = 0.0
        assert row_sum(x, 0, n) == x.sum()


def test_applications_are_ranked_in_numpy_s_stable_order_also_where_qualities_are_equal():
    from model.world.lever_ties import stable_order as _stable_order

    rng = np.random.default_rng(3)
    for m in (0, 1, 2, 3, 7, 8, 9, 100, 333):
        for keys in (rng.random(m), rng.integers(0, 3, m) * 0.5, rng.choice([0.0, -0.0], m), rng.normal(0, 1, m)):
            assert np.array_equal(_stable_order(keys), np.argsort(keys, kind="stable")), (m, keys)


def test_applications_are_ranked_on_the_c_library_s_log_of_capacity_at_least_1e_9():
    """The ranking's log is the C library's (math.log) on every machine and in both paths; NumPy's np.log
    differs from it in the last bit for a few values in 10 000 on a CPU with AVX-512 (its own SIMD loop)."""
    from model.levers.targeting_kernel import log_capacity_of

    values = np.random.default_rng(5).uniform(1e-3, 50.0, 20_000).tolist()
    assert [log_capacity_of(v) for v in values] == [math.log(v) for v in values]
    assert log_capacity_of(0.0) == log_capacity_of(-3.0) == math.log(1e-9)
    assert math.isnan(log_capacity_of(math.nan))


def grants(kind, **extra):
    return {"type": kind, "budget_msek_per_year": 60, "duration_years": 4, **extra}


VARIANTS = {
    "pilot grants after infrastructure (cost and load factors)": [
        {"type": "infrastructure", "budget_msek_per_year": 100}, grants("pilot_grants")],
    "pilot grants by need, not tied to a start, limited, overhead in money, beside know-how": [
        grants("pilot_grants", selection="need", start_at_once=False, calls_per_year=4,
               target={"by": "application", "kinds": ["municipality", "region"], "count": 25,
                       "application_overhead_msek": 0.02, "application_noise": 0.0}),
        {"type": "learning_networks", "budget_msek_per_year": 20}],
    "scale-up grants after infrastructure": [
        {"type": "infrastructure", "budget_msek_per_year": 100}, grants("scale_up_grants")],
    "pilot grants without capacity overhead, overhead in money": [
        grants("pilot_grants", target={"by": "application", "application_overhead_capacity": 0.0,
                                       "application_overhead_msek": 0.05})],
    "scale-up grants by need, a share, no staff, one call": [
        grants("scale_up_grants", selection="need", staff_msek_per_year=0.0, calls_per_year=1, budget_msek_per_year=8,
               target={"by": "application", "share": 0.3})],
}


@pytest.fixture(scope="module")
def world():
    return model.with_overrides(mechanism_world(model.load_scenario(SCENARIOS / "baseline.yaml")),
                                {"horizon_years": 6})


def finished(scenario, seed):
    m = InnovationModel(scenario, seed=seed)
    m.run_model()
    return m


@pytest.mark.parametrize("variant", VARIANTS)
def test_compiled_grant_calls_give_the_vectorised_rules_results_bit_for_bit(world, variant, monkeypatch):
    scenario = model.with_overrides(world, {"levers": VARIANTS[variant]})
    for seed in (3, 8):
        compiled = finished(scenario, seed)
        with oracle(monkeypatch):
            expected = finished(scenario, seed)
        lever, reference = (next(x for x in m.levers if isinstance(x, funding._Call)) for m in (compiled, expected))
        assert reference.grants > 0 and reference.applications > reference.grants  # money binds: some lose
        for name in ("earmarked", "staff", "funded", "award_year", "recipients"):
            assert np.array_equal(bits(getattr(lever, name)), bits(getattr(reference, name))), name
        for name in ("grants", "applications", "awarded_msek", "returned_msek", "carry"):
            assert getattr(lever, name) == getattr(reference, name), name
        assert np.array_equal(compiled.context.record.stage_history, expected.context.record.stage_history)
        for name in ("capacity_bonus", "grant_msek", "funded_start"):
            assert np.array_equal(bits(getattr(compiled.effects, name)), bits(getattr(expected.effects, name)))
        mine, theirs = compiled.context.ledger.usage, expected.context.ledger.usage
        assert mine.keys() == theirs.keys()
        for key in mine:
            a, b = vars(mine[key]), vars(theirs[key])
            assert all(np.array_equal(a[f], b[f]) for f in a), key



def test_the_kernels_caches_are_keyed_on_every_file_they_compile_in():
    """numba keys a cached kernel on its own file; the grant kernels compile in free capacity, the stages'
    codes, the lever stream and the stable order (model/world/lever_ties.py), as the targeting kernels (a
    target's call) do, so their caches are stamped with a hash of those files too (a change to any recompiles
    them) — and of what those compile in: the cost kernels take the stable order through the members' call."""
    import hashlib
    from pathlib import Path

    from model import stages
    from model.levers import calls_kernel, cost_kernel, funding_kernel, members_kernel, streams, targeting_kernel
    from model.world import lever_ties

    def digest(*modules):
        return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).digest()

    def stamps_of(module):
        kernels = [k for k in vars(module).values() if getattr(k, "__module__", None) == module.__name__
                   and hasattr(k, "py_func")]
        assert kernels
        return {kernel._cache._cache_file._source_stamp for kernel in kernels}

    assert stamps_of(targeting_kernel) == {digest(targeting_kernel, stages, streams, lever_ties)}
    assert stamps_of(funding_kernel) == {digest(funding_kernel, targeting_kernel, stages, streams, lever_ties)}
    for module in (members_kernel, cost_kernel, calls_kernel):
        [stamp] = stamps_of(module)
        files = targeting_kernel.compiled_in(module.__file__, module._COMPILED_IN)
        assert stamp == hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).digest()
        assert {Path(m.__file__).name for m in (targeting_kernel, lever_ties, streams, stages)} <= \
            {Path(f).name for f in files}, module.__name__
        assert len(files) == len(set(files))


@pytest.mark.slow  # two fresh processes that compile the dynamics and the grant kernels (10-60 s each)
def test_a_changed_free_capacity_kernel_recompiles_the_grant_kernels_that_call_it(tmp_path):
    import os
    import re
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    package, cache = tmp_path / "src", tmp_path / "numba-cache"
    shutil.copytree(root / "model", package / "model", ignore=shutil.ignore_patterns("__pycache__"))
    run = f"import model; model.run(model.load_scenario({str(SCENARIOS / 'lever_pilot_grants.yaml')!r}), seed=1)"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(package))
    kernels = ("funding_kernel.call_round", "funding_kernel.follow_up", "funding_kernel.applications",
               "targeting_kernel.free_capacity_of")

    def saved() -> dict[str, int]:
        """Run, then each kernel's cache index and when it was written: a first run with levers compiles their
        kernels in a forked process (model.runner), whose output goes nowhere, so the cache files say what was
        compiled and saved, not numba's messages."""
        subprocess.run([sys.executable, "-c", run], cwd=package, env=env, capture_output=True, text=True, check=True)
        return {re.sub(r"-\d+\.py\d+\.nbi$", "", index.name): index.stat().st_mtime_ns
                for index in cache.rglob("*.nbi")}

    first = saved()
    assert set(kernels) <= set(first), sorted(first)
    kernel = package / "model" / "levers" / "targeting_kernel.py"
    kernel.write_text(kernel.read_text() + "\n# a change to free capacity's source\n")
    again = saved()
    assert all(again[name] > first[name] for name in kernels), {name: (first[name], again[name]) for name in kernels}
