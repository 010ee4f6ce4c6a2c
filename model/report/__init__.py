"""What a results folder says, for readers: comparison outputs, the SustainGov matrix and the report.

- :mod:`~model.report.costs` — cost per extra adoption with a bootstrap interval; the cost-effectiveness
  frontier (dominated and extendedly dominated portfolios).
- :mod:`~model.report.groups` — paired differences by county, size band, SKR group and lever target group.
- :mod:`~model.report.memo` — ``comparison.md`` and the wide, rounded ``comparison_wide.csv``.
- :mod:`~model.report.folder` — reading a run's or a comparison's folder back.
- :mod:`~model.report.assumptions` — what a scenario assumed: levers, budgets, targeting, events,
  parameters changed from their defaults.
- :mod:`~model.report.sustaingov` — SustainGov's feasibility–value placement beside the simulated value.
- :mod:`~model.report.html` — the one self-contained HTML file (images as data URIs, no network).
- :mod:`~model.report.build` — :func:`~model.report.build.write_report`: charts, maps and ``report.html``
  of a folder.

The package reads results (files, or the frames a comparison has in hand); it never runs the model and
never imports :mod:`model.batch` or :mod:`model.compare`, which call it.
"""
