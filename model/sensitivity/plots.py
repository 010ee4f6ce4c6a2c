"""Plots of sensitivity indices: S1/ST bars with confidence intervals (Sobol'), mu*-sigma (Morris)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def sobol_bars(table: pd.DataFrame, outcome: str, path: Path, subtitle: str = "") -> Path:
    """First-order and total indices per factor, sorted by ST, with confidence intervals as error bars."""
    plt = _pyplot()
    t = table.sort_values("ST", ascending=False, na_position="last").reset_index(drop=True)
    n = len(t)
    x = np.arange(n)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * n + 2.0), 4.2))
    width = 0.38
    ax.bar(x - width / 2, t["S1"], width, yerr=t["S1_conf"], capsize=3, label="S1 (first order)",
           color="#4C72B0")
    ax.bar(x + width / 2, t["ST"], width, yerr=t["ST_conf"], capsize=3, label="ST (total)", color="#DD8452")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x)
    ax.set_xticklabels(t["factor"], rotation=40 if n > 4 else 0, ha="right" if n > 4 else "center", fontsize=8)
    ax.set_ylabel("Sobol' index")
    ax.set_ylim(min(-0.05, float(np.nanmin((t["S1"] - t["S1_conf"]).to_numpy(dtype=float), initial=0)) - 0.02),
                max(1.0, float(np.nanmax((t["ST"] + t["ST_conf"]).to_numpy(dtype=float), initial=0)) + 0.05))
    ax.set_title(f"{outcome}" + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path, plt)


def morris_scatter(table: pd.DataFrame, outcome: str, path: Path, subtitle: str = "", label_top: int = 12) -> Path:
    """mu* against sigma per factor; error bars are mu*'s confidence interval. Factors above the line
    sigma = mu* act non-linearly or through interactions."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    mu, sd, conf = (table[c].to_numpy(dtype=float) for c in ("mu_star", "sigma", "mu_star_conf"))
    ax.errorbar(mu, sd, xerr=conf, fmt="o", markersize=4, color="#4C72B0", ecolor="#9DB4D6", capsize=2)
    top = np.nanmax(np.concatenate([mu + np.nan_to_num(conf), sd]), initial=0.0)
    if top > 0:
        ax.plot([0, top * 1.05], [0, top * 1.05], linestyle="--", color="grey", linewidth=0.8, label="sigma = mu*")
        ax.legend(fontsize=8, loc="upper left")
    order = np.argsort(-np.nan_to_num(mu, nan=-np.inf))[:label_top]
    for i in order:
        ax.annotate(str(table["factor"].iloc[i]), (mu[i], sd[i]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(f"{outcome}" + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    fig.tight_layout()
    return _save(fig, path, plt)


def _save(fig, path: Path, plt) -> Path:
    from ..results import write_with

    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    return path
