"""How often the paths of the skill and know-how levers bind: the numbers in docs/levers.md ("Skills and
know-how: what the three levers measure").

For each shipped lever scenario (training networks, job shadowing, learning networks), over ``--reps``
runs: of the (organisation, innovation) pair-quarters in which skill or know-how is held on development
work, the share in which capacity is short (an aware pair's free capacity below what a pilot takes, a
running pilot's below what its scale-up takes) — only there can saving effort matter; training's share of
member-quarters in which its time cost keeps a member out and of skilled organisation-quarters in which
the skill is in use; the share of placement- or member-quarters in which a partner had done something the
learner still lacked.

    python benchmarks/knowhow_paths.py [--reps 10] [--mechanism]

``--mechanism``: in the mechanism tests' world (pre-calibration values, tests.support.mechanism_world).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import model
from model.levers import knowhow
from model.levers.targeting import free_capacity
from model.model import InnovationModel
from model.stages import AWARE, PILOTING

ROOT = Path(__file__).resolve().parent.parent
LEVERS = ("training_networks", "job_shadowing", "learning_networks")


def short_cells(ctx, level: np.ndarray) -> tuple[int, int]:
    """(pair-quarters holding skill or know-how on development work, of which capacity is short) now."""
    lv = level if level.ndim == 2 else np.broadcast_to(level[:, None], ctx.applicable.shape)
    cells = knowhow.developing(ctx) & (lv > 0)
    if not cells.any():
        return 0, 0
    free, inn, stage = free_capacity(ctx)[:, None], ctx.innovations, ctx.state.stage
    short = np.where(stage == AWARE, free < inn.pilot_need,
                     np.where(stage == PILOTING, free + inn.pilot_need < inn.scale_need, free < 0))
    return int(cells.sum()), int((cells & short).sum())


def measure(scenario, reps: int) -> dict[str, float]:
    """The shares above for the scenario's one lever, summed over ``reps`` runs."""
    held = short = 0
    lever = None
    counts = np.zeros(6)  # taken part, member-quarters, skill used, skilled, taught, placed
    for seed in range(reps):
        m = InnovationModel(scenario, seed=seed)
        lever = m.levers[0]
        for _ in range(m.n_steps):
            h, s = short_cells(m.context, lever.skill if hasattr(lever, "skill") else lever.knowhow)
            held, short = held + h, short + s
            m.step()
        if hasattr(lever, "skill"):
            counts[:4] += (lever.quarters_taken_part.sum(), lever.quarters_member.sum(), lever.quarters_used,
                           lever.quarters_skilled)
        else:
            counts[4:] += (lever.taught_quarters, getattr(lever, "placed_quarters", None)
                           or getattr(lever, "member_quarters", 0))
    out = {"capacity short where held": short / max(held, 1), "pair-quarters held per run": held / reps}
    if hasattr(lever, "skill"):
        out.update({"time cost keeps members out": 1 - counts[0] / max(counts[1], 1),
                    "skill in use": counts[2] / max(counts[3], 1)})
    else:
        out["a partner had something new"] = counts[4] / max(counts[5], 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--mechanism", action="store_true")
    args = parser.parse_args()
    if args.mechanism:
        sys.path.insert(0, str(ROOT))
        from tests.support import mechanism_world
    for name in LEVERS:
        scenario = model.load_scenario(ROOT / "scenarios" / f"lever_{name}.yaml")
        if args.mechanism:
            scenario = mechanism_world(scenario)
        shares = measure(scenario, args.reps)
        print(f"{name}: " + "; ".join(f"{k} {v:.3f}" if v < 10 else f"{k} {v:.0f}" for k, v in shares.items()))


if __name__ == "__main__":
    main()
