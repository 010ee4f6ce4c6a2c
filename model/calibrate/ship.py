"""Ship a calibration's posterior with the package: what makes every scenario calibrated by default.

    make posterior                                          # fit, then ship (one command; resumes)
    python -m model.calibrate.ship --fit [--workers N]      # the same
    python -m model.calibrate.ship RESULTS_FOLDER           # ship a finished `spridning calibrate` folder

Shipping writes :data:`model.parameters.POSTERIOR` (``model/data/posterior/welfare_technology/``) from the
fit's folder, replacing what was there:

| file | what |
|---|---|
| ``posterior_summary.csv`` | per fitted parameter: prior, mean, median, 2.5 % and 97.5 % quantiles |
| ``ensemble.yaml`` | the posterior ensemble (draws by weight of the ``parameters.*`` paths), for run/compare |
| ``draws.parquet`` | the same draws, a column per path and ``weight`` 1: ``robust``'s default worlds |
| ``SOURCE.md`` | which calibration, scenario, observed data, seed, budget, date and version produced it |

The medians become the parameters' defaults (:mod:`model.parameters` reads the summary when imported), so
every scenario that leaves them unset inherits them; fitted paths outside ``parameters`` (the historical
scenario's events) are written into that scenario's file, the only one that has them. Then ``make docs``
regenerates ``docs/parameters.md`` (``make posterior`` does). Exit status 2 with one line for a folder that
holds no finished calibration.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..parameters import POSTERIOR
from ..results import atomic_folder, write_parquet, write_with
from ..version import __version__
from ..yamlio import read_yaml
from .ensemble import shipped_value
from .observed import BY_SIZE_FILE

CALIBRATION = Path("calibrations/welfare_technology.yaml")
NEEDED = ("posterior_summary.csv", "ensemble.yaml", "manifest.json")


def ship(fit: Path, posterior: Path = POSTERIOR) -> list[str]:
    """Write ``posterior`` (see the module docstring) from the finished calibration folder ``fit``, and the
    medians of fitted paths outside ``parameters`` into the fitted scenario's file; returns what it did,
    one line each. InputError when ``fit`` is not a finished calibration."""
    import json

    missing = [name for name in NEEDED if not (fit / name).is_file()]
    if missing:
        raise InputError(f"{fit}: not a finished `spridning calibrate` folder (no {', '.join(missing)}); run "
                         f"`spridning calibrate {CALIBRATION}` to completion first")
    manifest = json.loads((fit / "manifest.json").read_text(encoding="utf-8"))
    summary = pd.read_csv(fit / "posterior_summary.csv")
    ensemble, _ = read_yaml(fit / "ensemble.yaml")
    draws = pd.DataFrame(ensemble["draws"]).assign(weight=1.0)
    # robust's worlds: the model parameters, which every scenario has (the events' draws stay in
    # ensemble.yaml, for the scenario that has the events)
    draws = draws[[c for c in draws.columns if not c.startswith("events.")]]
    with atomic_folder(posterior) as tmp:
        shutil.copyfile(fit / "posterior_summary.csv", tmp / "posterior_summary.csv")
        shutil.copyfile(fit / "ensemble.yaml", tmp / "ensemble.yaml")
        write_parquet(draws, tmp / "draws.parquet")
        (tmp / "SOURCE.md").write_text(source_note(manifest, summary, len(draws)), encoding="utf-8")
    done = [f"{posterior}: {len(summary)} fitted parameters, {len(draws)} draws"]
    local = summary[~summary.path.str.startswith("parameters.")]
    if len(local):
        scenario = _here(manifest["scenario_file"])
        set_scenario_values(scenario, {p: shipped_value(m) for p, m in zip(local.path, local["median"])})
        done.append(f"{scenario}: {', '.join(local.path)} at their posterior medians")
    return done


def _here(path: str) -> Path:
    """A path the fit recorded, as in this checkout: relative to the current folder when inside it, else
    the file of that name under ``scenarios/`` or ``model/data/observed/`` here (a fit made in another
    checkout), else as recorded."""
    recorded = Path(path)
    try:
        return recorded.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        for folder in (Path("scenarios"), Path("model/data/observed")):
            if (folder / recorded.name).is_file():
                return folder / recorded.name
    return recorded


def source_note(manifest: dict[str, Any], summary: pd.DataFrame, draws: int) -> str:
    """``SOURCE.md``: the provenance of the shipped posterior and how to regenerate it."""
    given = manifest.get("calibration_given", {})
    budget = given.get("budget", {})
    banded = [s["series"] for s in given.get("targets", {}).get("series", [])
              if isinstance(s, dict) and s.get("by_size")]
    by_size = f" and, by size band ({', '.join(banded)}), `{_here(str(BY_SIZE_FILE))}`" if banded else ""
    rows = "\n".join(f"| `{r.path}` | {r['median']:.4g} | {r.q2_5:.4g} – {r.q97_5:.4g} | {r.prior} "
                     f"[{r.prior_low:g}, {r.prior_high:g}] |" for _, r in summary.iterrows())
    return f"""# The shipped posterior: welfare_technology

The calibration whose posterior medians are the defaults of the parameters it fits (`model/parameters.py`,
`docs/parameters.md`) and whose draws `run`, `compare` and `robust` use by default (docs/calibration.md,
"Calibrated by default").

- calibration file: `{manifest.get('calibration_file')}` (seed {given.get('seed')}, budget: at most
  {budget.get('runs')} runs, {budget.get('population')} per generation, {budget.get('generations')} generations)
- fitted scenario: `{_here(manifest.get('scenario_file', ''))}`; observed data:
  `{_here(manifest.get('observed_file', ''))}`{by_size}
- fit: {manifest.get('stop_reason')}; {manifest.get('generations')} generations, {manifest.get('runs')} runs;
  targets met {manifest.get('targets_met')} of {manifest.get('targets')}
- produced {manifest.get('created')} by spridning {manifest.get('version')} (code: git commit
  {manifest.get('revision') or 'not recorded'}: the fit's proposals after its first generation depend on the
  code, so that commit reproduces this posterior exactly, a later one an equivalent fit); shipped
  {datetime.now().astimezone():%Y-%m-%d} by spridning {__version__}
- `ensemble.yaml` and `draws.parquet`: {draws} draws by weight from the posterior (the calibration's
  `ensemble:` block)

| path | median | 95 % interval | prior |
|---|---|---|---|
{rows}

Regenerate (after a change to the calibration, the historical scenario or the observed data), from the
repository's root: `make posterior` (= `python -m model.calibrate.ship --fit`: fits into
`results/posterior-<fingerprint>`, resuming if interrupted, rewrites this folder and the event values of
the fitted scenario, then `make docs`). Then `make golden`: every default run changes.
"""


def set_scenario_values(path: Path, values: dict[str, float]) -> None:
    """Write ``values`` (``events.NAME.KEY`` or ``events.NAME.KEY.SUB`` paths) into the scenario file
    ``path`` in place, keeping its comments: the number after ``KEY:`` (or ``SUB:`` inside ``KEY: {...}``)
    in the event named NAME. InputError naming the path when the file does not have it in that form."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for dotted, value in values.items():
        parts = dotted.split(".")
        if parts[0] != "events" or len(parts) not in (3, 4):
            raise InputError(f"{path}: {dotted}: only events.NAME.KEY[.SUB] can be written into the scenario")
        start = next((i for i, line in enumerate(lines) if re.match(rf"\s*(- )?name:\s*{re.escape(parts[1])}\s*(#|$)",
                                                                      line)), None)
        key = parts[2] if len(parts) == 3 else parts[3]
        pattern = (rf"(^\s*{re.escape(key)}:\s*)[-+0-9.eE]+" if len(parts) == 3 else
                   rf"(^\s*{re.escape(parts[2])}:\s*\{{.*?\b{re.escape(key)}:\s*)[-+0-9.eE]+")
        for i in range(start + 1 if start is not None else len(lines), len(lines)):
            if re.match(r"\s*- ", lines[i]):  # the next event: the key was not found in this one
                break
            new, count = re.subn(pattern, rf"\g<1>{value:g}", lines[i])
            if count:
                lines[i] = new
                break
        else:
            raise InputError(f"{path}: cannot find {dotted} as a number to set to {value:g}; set it by hand")
    write_with(path, lambda tmp: tmp.write_text("".join(lines), encoding="utf-8"))


def fit(calibration: Path, workers: int | None, quiet: bool) -> Path:
    """Run (or continue) the calibration into ``results/posterior-<fingerprint>`` and return the folder."""
    from ..folders import claim
    from .outputs import calibrate
    from .plan import load_calibration

    plan = load_calibration(calibration)
    out = Path("results") / f"posterior-{plan.fingerprint_hash()}"
    say = None if quiet else (lambda text: print(text, file=sys.stderr))
    with claim(out, "calibrate", resumable=True) as folder:
        calibrate(plan, folder, workers, progress=not quiet, charts=False, say=say)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m model.calibrate.ship``: 0 shipped, 2 bad input."""
    parser = argparse.ArgumentParser(prog="python -m model.calibrate.ship", description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", help="a finished `spridning calibrate` folder")
    parser.add_argument("--fit", action="store_true", help=f"fit {CALIBRATION} first (resumes), then ship it")
    parser.add_argument("--workers", type=int, help="processes for the fit (default: all cores)")
    parser.add_argument("--quiet", action="store_true", help="no progress")
    args = parser.parse_args(argv)
    if bool(args.folder) == args.fit:
        print("give a finished calibration folder, or --fit (to fit and ship), not both", file=sys.stderr)
        return 2
    try:
        folder = fit(CALIBRATION, args.workers, args.quiet) if args.fit else Path(args.folder)
        for line in ship(folder):
            print(line)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("next: `make docs` (docs/parameters.md), then `make golden` (the defaults changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
