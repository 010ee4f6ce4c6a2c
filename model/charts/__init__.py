"""Charts of a scenario's replications, of a comparison between scenarios and of sensitivity indices.

One job per module, imported downward only (style and shaping at the bottom):

- :mod:`~model.charts.style` — the one style (rc parameters, colours, DPI), figures on an Agg canvas
  without pyplot, atomic PNG saving (several charts on two processes), titles and captions, axis
  formatters, :func:`~model.charts.style.pretty` labels and :func:`~model.charts.style.literal` for user text (a ``$`` is drawn, not read as mathtext).
- :mod:`~model.charts.shaping` — the numbers behind the charts, pandas in and out: selections, the mean
  and 2.5th–97.5th percentile band over replications, the small–large gap, pilot events per year, final
  values per municipality, municipal adoption over time.
- :mod:`~model.charts.bands` — drawing a mean with its band, the band's legend entry and caption text.
- :mod:`~model.charts.maps` — the municipality shapes, the coloured map, the final-adoption map and its
  animation over time.
- :mod:`~model.charts.scenario` — the charts of one scenario, :func:`scenario_charts`, which writes them,
  and :func:`folder_charts`, which writes them from a results folder, each chart reading only its rows.
- :mod:`~model.charts.comparison` — the charts comparing scenarios and :func:`comparison_charts`.
- :mod:`~model.charts.sensitivity` — Sobol' index bars and Morris mu*–sigma plots.

Callers import from the modules (``from model.charts.scenario import scenario_charts``); this package
imports none of them, so that e.g. the sensitivity charts or the data shaping load only what they need.

Uncertainty is always shown and always labelled: in time charts the line is the mean over replications
and the band spans where 95 % of runs fall; the comparison outcome charts show the 95 % confidence
interval of the mean, as ``summary.csv`` gives it, and say so.
"""
