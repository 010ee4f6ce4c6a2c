"""The reported patterns the fit did not use, checked on the posterior predictive runs.

Beside the numbers, the sources report patterns (``model/data/observed/README.md``). Each check below
computes the pattern's quantity in every posterior predictive run and says whether the model reproduces it
(:class:`Check`: what was observed, what the model gives — median over runs and the share of runs that
show the pattern — and a verdict):

- **early adopters are larger**: the first quarter of the municipalities that took up digital night
  supervision have a larger median population than the rest;
- **a surge in 2020, then a stall**: digital night supervision grew fast in 2020 (from the survey of 2020
  to that of 2021) — at least :data:`SURGE_FACTOR` times its yearly growth of the two years before and at
  least :data:`SURGE_MIN` (the record gives no number for the surge: these are the stated reading of
  "spread relatively fast") — and in 2021 by the record's +2 pp (76 % → 78 %) within :data:`STALL_TOLERANCE`;
- **discontinuance in disability care 2022→2023**: both disability-care supervision series fall by the
  record's size (night −16 pp, day −7 pp) within :data:`SIZE_TOLERANCE` of it (within half: −8 to −24 pp,
  −3.5 to −10.5 pp);
- **levelling off by 2024**: the welfare technologies' mean yearly growth 2022–2024 is below a third of
  their growth 2016–2020;
- **the gradient by municipality size**: the largest municipalities lead in automation and e-services,
  while in welfare technology the largest do not stand out (the second-largest group often leads).

A pattern whose series the calibration does not map is reported as not checked. The surge and the
discontinuance, which have sizes, are judged by their sizes: reproduced when the median over runs lies
within the stated tolerance of the record (a sign alone is not enough); the others, which have no number,
when at least :data:`REPRODUCED_SHARE` of the runs show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..world.organisations import SIZE_BANDS
from .predictive import Predictive

NIGHT = "digital_nattillsyn_aldreomsorg"
DISABILITY = ("digital_tillsyn_natt_funktionshinder", "digital_tillsyn_dag_funktionshinder")
WELFARE = ("digital_nattillsyn_aldreomsorg", "digital_tillsyn_natt_funktionshinder",
           "digital_tillsyn_dag_funktionshinder", "gps_larm_aldreomsorg", "gps_larm_funktionshinder",
           "lakemedelsautomat", "trygghetslarm_enbart_digitala")
SERVICES = ("e_tjanst_ansokan_ekonomiskt_bistand", "automatiserad_handlaggning_ekonomiskt_bistand_robot")
#: a pattern without a recorded size counts as reproduced when at least this share of runs shows it
REPRODUCED_SHARE = 2 / 3
#: a recorded change is reproduced when the model's (median over runs) is within this share of its size
SIZE_TOLERANCE = 0.5
#: the 2022→2023 changes in disability care (night, day), shares (Socialstyrelsen via funktionshinderpolitik.se)
DISABILITY_DROP = (-0.16, -0.07)
#: the 2020 surge: growth in 2020 at least this many times the yearly growth 2018-2020, and at least SURGE_MIN
SURGE_FACTOR, SURGE_MIN = 2.0, 0.05
#: the stall: growth in 2021 (survey 2021 → 2022: 76 % → 78 %, SKR and IFN) and how far the model's may be
STALL_GROWTH, STALL_TOLERANCE = 0.02, 0.02


def within(change, record: float, tolerance: float):
    """Whether ``change`` (a number or a Series) lies within ``tolerance`` (absolute, a share) of ``record``."""
    return abs(change - record) <= tolerance + 1e-12


@dataclass
class Check:
    """One pattern: what was observed, what the model gives, and whether it reproduces it."""

    pattern: str
    observed: str
    model: str
    share_of_runs: float
    reproduced: bool | None  # None: not checked (the series is not mapped)

    @property
    def verdict(self) -> str:
        """``reproduced``, ``not reproduced`` or ``not checked``."""
        return "not checked" if self.reproduced is None else "reproduced" if self.reproduced else "not reproduced"


def _wide(predictive: Predictive, series: str) -> pd.DataFrame | None:
    rows = predictive.paths[predictive.paths["series"] == series]
    if rows.empty:
        return None
    return rows.pivot(index="run", columns="year", values="value")


def _pp(x: float) -> str:
    return f"{100 * x:+.1f} pp"


def early_adopters(predictive: Predictive) -> Check:
    """Early users of digital night supervision are larger municipalities than the rest."""
    ratio = predictive.early["ratio"].dropna()
    name = "Early adopters of digital night supervision are larger"
    if ratio.empty:
        return Check(name, "larger (reported)", "not measured", float("nan"), None)
    share = float((ratio > 1).mean())
    return Check(name, "early adopters larger than the rest (reported, no number)",
                 f"median population of the first quarter of users / the rest: {ratio.median():.2f} "
                 f"(95 % of runs {ratio.quantile(0.025):.2f}-{ratio.quantile(0.975):.2f})",
                 share, share >= REPRODUCED_SHARE)


def surge_then_stall(predictive: Predictive) -> Check:
    """Digital night supervision surged in 2020 and stalled in 2021."""
    name = "Surge in 2020, then a stall (digital night supervision)"
    w = _wide(predictive, NIGHT)
    if w is None or not {2018, 2019, 2020, 2021, 2022} <= set(w.columns):
        return Check(name, "fast in 2020, almost stopped in 2021", "not measured", float("nan"), None)
    before = ((w[2019] - w[2018]) + (w[2020] - w[2019])) / 2
    surge, after = w[2021] - w[2020], w[2022] - w[2021]

    def shown(b, up, down):  # a surge of the stated size, then the record's stall within its tolerance
        return (up >= SURGE_FACTOR * b) & (up >= SURGE_MIN) & within(down, STALL_GROWTH, STALL_TOLERANCE)

    share = float(shown(before, surge, after).mean())
    median = bool(shown(before.median(), surge.median(), after.median()))
    return Check(name, f"fast in 2020 (no number; stated: at least {SURGE_FACTOR:g} x the growth of 2018-2020 "
                       f"and {_pp(SURGE_MIN)}), then {_pp(STALL_GROWTH)} from 2021 to 2022 (76 % to 78 %; "
                       f"tolerance ±{100 * STALL_TOLERANCE:.0f} pp)",
                 f"yearly growth 2018-2020 {_pp(before.median())}, 2020 to 2021 {_pp(surge.median())}, "
                 f"2021 to 2022 {_pp(after.median())} (medians over runs)", share, median)


def disability_discontinuance(predictive: Predictive) -> Check:
    """Both disability-care supervision series fall from 2022 to 2023."""
    name = "Discontinuance in disability care 2022→2023"
    wides = [_wide(predictive, s) for s in DISABILITY]
    if any(w is None or not {2022, 2023} <= set(w.columns) for w in wides):
        return Check(name, "night 43 % → 27 %, day 20 % → 13 %", "not measured", float("nan"), None)
    changes = [w[2023] - w[2022] for w in wides]
    limits = [SIZE_TOLERANCE * abs(d) for d in DISABILITY_DROP]
    shown = within(changes[0], DISABILITY_DROP[0], limits[0]) & within(changes[1], DISABILITY_DROP[1], limits[1])
    median = all(bool(within(c.median(), d, lim)) for c, d, lim in zip(changes, DISABILITY_DROP, limits))
    return Check(name, "night 43 % → 27 % (−16 pp), day 20 % → 13 % (−7 pp); reproduced within half of each "
                       "(night −8 to −24 pp, day −3.5 to −10.5 pp)",
                 f"night {_pp(changes[0].median())}, day {_pp(changes[1].median())} (medians over runs)",
                 float(shown.mean()), median)


def levelling_off(predictive: Predictive) -> Check:
    """Welfare technology's extensive margin levelled off by 2024."""
    name = "Levelling off by 2024 (welfare technology offered)"
    wides = [w for w in (_wide(predictive, s) for s in WELFARE) if w is not None]
    if not wides or not {2016, 2020, 2022, 2024} <= set(wides[0].columns):
        return Check(name, "range of technologies offered flat by 2024", "not measured", float("nan"), None)
    early = sum((w[2020] - w[2016]) / 4 for w in wides) / len(wides)
    late = sum((w[2024] - w[2022]) / 2 for w in wides) / len(wides)
    shown = late < early / 3
    share = float(shown.mean())
    return Check(name, "users kept rising, the range offered did not (2024; no number)",
                 f"mean yearly growth of the {len(wides)} welfare technologies 2016-2020 {_pp(early.median())}, "
                 f"2022-2024 {_pp(late.median())} (medians)", share, share >= REPRODUCED_SHARE)


def size_gradient(predictive: Predictive) -> pd.DataFrame:
    """Median share in use by municipal size band (columns) for each series (rows) in the gradient year."""
    if predictive.bands.empty:
        return pd.DataFrame()
    table = predictive.bands.groupby(["series", "band"])["value"].median().unstack("band")
    return table[[b for b in SIZE_BANDS if b in table.columns]]


def gradient_checks(gradient: pd.DataFrame) -> list[Check]:
    """Larger municipalities lead in automation and e-services; in welfare technology the largest do not
    stand out (checked on the medians of :func:`size_gradient`)."""
    largest, second = SIZE_BANDS[-1], SIZE_BANDS[-2]
    out = []
    services = [s for s in SERVICES if s in gradient.index]
    if services:
        leads = [s for s in services if gradient.loc[s].idxmax() == largest]
        out.append(Check("Larger municipalities lead in automation and e-services",
                         "the largest lead (reported)",
                         f"the largest band ({largest}) has the highest share in {len(leads)} of {len(services)} "
                         "series", len(leads) / len(services), len(leads) == len(services)))
    welfare = [s for s in WELFARE if s in gradient.index]
    if welfare:
        stand_out = [s for s in welfare if gradient.loc[s, largest] > gradient.loc[s, second] + 0.05]
        second_leads = [s for s in welfare if gradient.loc[s].idxmax() == second]
        out.append(Check("Welfare technology: the largest do not stand out (the second largest often leads)",
                         "the second-largest group often leads; the largest do not stand out (reported)",
                         f"the largest band leads the second largest by more than 5 pp in {len(stand_out)} of "
                         f"{len(welfare)} series; the second largest leads in {len(second_leads)}",
                         1 - len(stand_out) / len(welfare), len(stand_out) <= len(welfare) / 3))
    return out


def all_checks(predictive: Predictive) -> tuple[list[Check], pd.DataFrame]:
    """Every pattern check, and the size gradient they rest on."""
    gradient = size_gradient(predictive)
    checks = [early_adopters(predictive), surge_then_stall(predictive), disability_discontinuance(predictive),
              levelling_off(predictive)] + gradient_checks(gradient)
    return checks, gradient


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    """The checks as a table."""
    return pd.DataFrame([dict(pattern=c.pattern, observed=c.observed, model=c.model,
                              share_of_runs=c.share_of_runs, verdict=c.verdict) for c in checks])
