"""Drawing a mean over replications with its band, and saying how it was computed.

Every time chart shows uncertainty the same way: the mean as a line, the 2.5th to 97.5th percentile of
the replications (:data:`model.charts.shaping.BAND`) shaded in the same colour, a legend entry for the
band and a caption sentence from :func:`lines_text`. A single replication has no spread, so it gets no
band and a caption that says so.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .language import spoken, tr
from .shaping import BAND

BAND_TEXT = f"band: {BAND[0]:g}th–{BAND[1]:g}th percentile of replications (95 % of runs)"


def plot_band(ax, band: pd.DataFrame, color: str, label: str | None = None, x: str = "year",
              scale: float = 1.0, linestyle: str = "-", linewidth: float = 2.0, alpha: float = 0.18,
              zorder: float = 2, outline: bool = False) -> Line2D:
    """Draw a :func:`~model.charts.shaping.mean_band` result on ``ax`` and return the mean's line.

    ``band`` has columns ``x``, ``mean``, ``low``, ``high`` and optionally ``n``; values are multiplied by
    ``scale`` (100 turns shares into percentage points). The mean is a line, the band is shaded in the
    same colour unless every ``n`` is at most 1. ``outline`` also draws the band's edges as thin dashed
    lines (for a second band over a first one, so that overlapping shades stay readable). ``label`` is
    drawn as given: pass user text through :func:`model.charts.style.literal`.
    """
    if "n" in band.columns and band["n"].max() <= 1:  # one replication: nothing to shade
        outline = False
    else:
        ax.fill_between(band[x], band["low"] * scale, band["high"] * scale, color=color, alpha=alpha,
                        linewidth=0, zorder=zorder)
    if outline:
        for edge in ("low", "high"):
            ax.plot(band[x], band[edge] * scale, color=color, linewidth=0.7, alpha=0.7, linestyle=(0, (2, 2)),
                    zorder=zorder + 0.2)
    (line,) = ax.plot(band[x], band["mean"] * scale, color=color, linestyle=linestyle, linewidth=linewidth,
                      label=label, zorder=zorder + 0.5)
    return line


def band_handles(replications: int, color: str = "0.5") -> list[Patch]:
    """The legend entry for the bands, if there are any (one replication has no spread to show), in the
    language of the chart being drawn (:func:`~model.charts.language.spoken`)."""
    if replications < 2:
        return []
    return [Patch(facecolor=color, alpha=0.25, linewidth=0, label=tr("95 % of runs", spoken()))]


def lines_text(replications: int, lines: str = "Lines", lang: str | None = None) -> str:
    """How the lines and bands of a chart were computed, for its caption (``lines`` names the lines), in
    ``lang`` (default: the language of the chart being drawn)."""
    lang = lang or spoken()
    if lang == "sv":
        named = {"Lines": "Linjer", "Line": "Linje", "Right": "Höger"}.get(lines, lines)
        if replications >= 2:
            low, high = (f"{b:g}".replace(".", ",") for b in BAND)
            return (f"{named}: medelvärde över replikeringar; band: {low}:e–{high}:e percentilen av "
                    "replikeringarna (95 % av körningarna).")
        return (f"{named}: en enda replikering, så inget band: en körning visar ingen osäkerhet; kör fler "
                "replikeringar för att se den.")
    if replications >= 2:
        return f"{lines}: mean over replications; {BAND_TEXT}."
    return (f"{lines}: a single replication, so no band: one run shows none of the uncertainty; run more "
            "replications to see it.")
