"""The robustness section of the HTML report: :func:`robustness_section` turns a results folder of
``spridning robust`` into an HTML fragment (headings, tables, charts embedded as data URIs), so the report
(:mod:`model.report`) can place it as it is. It reads only the folder's files."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from .outputs import MANIFEST, TABLE_FILES
from .voi_text import CHART as VOI_CHART, FILE as VOI_FILE, voi_html

CHARTS = (("distributions.png", "Outcomes across plausible worlds"), ("regret.png", "Regret"),
          ("satisficing.png", "Satisficing"), ("ranks.png", "Ranking stability"),
          ("discovery.png", "Scenario discovery"), (VOI_CHART, "Value of information"))


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width:100%"></figure>'


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    shown = frame[[c for c in columns if c in frame.columns]]
    return shown.to_html(index=False, border=0, classes="robustness-table", float_format=lambda v: f"{v:.3g}",
                         na_rep="n/a")


def robustness_section(folder: str | Path) -> str:
    """An HTML fragment (one ``<section>``) describing the robustness results in ``folder``: the ensemble,
    minimax-regret and satisficing tables, 'A beats B' charts, PRIM's box and the budget search's front,
    with every chart embedded. Raises FileNotFoundError if ``folder`` holds no robustness manifest."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    worlds = manifest.get("worlds", {})
    parts = ['<section class="robustness">', "<h2>Robustness across plausible worlds</h2>",
             f"<p>{len(manifest.get('portfolios', []))} portfolios, each run in {worlds.get('n')} worlds "
             f"({html.escape(str(worlds.get('sampler')))}, {len(worlds.get('factors', []))} uncertain factors) with "
             f"{manifest.get('replications')} replications on common random numbers. Regret: how far a portfolio "
             "falls short of the best portfolio of each world; satisficing: the share of worlds in which it meets "
             "every threshold.</p>"]
    regret = folder / TABLE_FILES["regret"]
    if regret.exists():
        table = pd.read_csv(regret)
        parts.append("<h3>Regret</h3>")
        parts.append(_table(table.sort_values(["criterion", "rank_max_regret"]),
                            ["criterion", "portfolio", "mean_regret", "mean_low", "mean_high", "max_regret",
                             "share_best", "rank_max_regret"]))
    satisficing = folder / TABLE_FILES["satisficing"]
    if satisficing.exists():
        rules = ", ".join(f"{o} {'≥ ' + format(t['min'], 'g') if t.get('min') is not None else ''}"
                          f"{' ' if t.get('min') is not None and t.get('max') is not None else ''}"
                          f"{'≤ ' + format(t['max'], 'g') if t.get('max') is not None else ''}"
                          for o, t in manifest.get("thresholds", {}).items())
        parts.append(f"<h3>Satisficing ({html.escape(rules)})</h3>")
        parts.append(_table(pd.read_csv(satisficing).sort_values("rank"),
                            ["portfolio", "share_satisficing", "low", "high", "rank"]))
    if (folder / VOI_FILE).exists():
        parts.append(voi_html(pd.read_csv(folder / VOI_FILE)))
    for name, title in CHARTS:
        if (folder / "charts" / name).exists():
            parts.append(f"<h3>{html.escape(title)}</h3>" + _image(folder / "charts" / name, title))
    for path in sorted((folder / "charts").glob("pairwise-*.png")):
        criterion = path.stem.removeprefix("pairwise-")
        parts.append(f"<h3>Who beats whom: {html.escape(criterion)}</h3>" + _image(path, f"pairwise {criterion}"))
    front = folder / "search" / "front.csv"
    if front.exists():
        parts.append("<h3>Budget search: the Pareto front</h3>")
        table = pd.read_csv(front)
        parts.append(_table(table, [c for c in table.columns if c not in ("key", "trial", "generation", "front")]))
        if (folder / "search" / "pareto.png").exists():
            parts.append(_image(folder / "search" / "pareto.png", "Pareto front"))
    parts.append("</section>")
    return "\n".join(parts)
