"""Profile the calibration's distance along each fitted parameter: which ones can the record identify?

For each fitted parameter of the calibration, the fit's distance (misses over their standard deviations,
Euclidean norm; :mod:`model.calibrate.identify`) at evenly spread values over its prior, the others at a
point (by default :data:`model.calibrate.identify.REFERENCE_POINT`, the posterior medians of the
fit in docs/validation.md of 2026-11-29), on common random numbers.
A parameter whose profile is flat (its spread, max − min of the mean distance, within a few standard
errors) is not identified by the targets. Cheap: parameters × points × replications runs (9 × 7 × 4 =
252 runs, about half a minute on one core).

    python benchmarks/profile_distance.py [calibrations/welfare_technology.yaml] [--points 7] \
        [--replications 4] [--at NAME=VALUE ...] [--csv profile.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.calibrate.identify import REFERENCE_POINT, distance_profile, flat_ranges
from model.calibrate.plan import load_calibration

ROOT = Path(__file__).resolve().parent.parent



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("calibration", nargs="?", default=str(ROOT / "calibrations" / "welfare_technology.yaml"))
    parser.add_argument("--points", type=int, default=7)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--at", action="append", default=[], help="NAME=VALUE: hold NAME there (repeatable)")
    parser.add_argument("--slack", type=float, default=0.5, help="distance above the minimum still 'flat'")
    parser.add_argument("--csv", help="also write the profile table here")
    args = parser.parse_args()
    plan = load_calibration(args.calibration)
    at = dict(REFERENCE_POINT)
    for item in args.at:
        name, _, value = item.partition("=")
        at[name] = float(value)
    table = distance_profile(plan, at, args.points, args.replications)
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(f"distance at the point (mean over {args.replications} runs) along each parameter's prior range:")
    for name, rows in table.groupby("parameter", sort=False):
        print(f"{name:40s} " + "  ".join(f"{v:.3g}:{d:.2f}" for v, d in zip(rows["value"], rows["distance"])))
    print(f"\nvalues within {args.slack} of each profile's smallest distance (flat_share: of the prior's range):")
    print(flat_ranges(table, plan, args.slack).to_string(index=False, float_format=lambda x: f"{x:.3g}"))

if __name__ == "__main__":
    main()
