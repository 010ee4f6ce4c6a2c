"""The live dashboard: a Solara page over one run of the model per browser session, for a projector,
started by ``spridning dashboard``.

- :mod:`~model.dashboard.live` — :class:`~model.dashboard.live.DashboardModel`, the model the dashboard
  steps (a scenario picked by name, main lever budgets and key parameters from sliders), the sliders'
  grids and the exact Reset (:func:`~model.dashboard.live.model_arguments`), what it records each quarter,
  and the figures drawn from it (map coloured by stage, diffusion, equality).
- :mod:`~model.dashboard.words` — its words in English and Swedish, number and quarter formats.
- :mod:`~model.dashboard.server` — the port check and the Solara server, quiet and calling no one.
- :mod:`~model.dashboard.app` — the page (imports solara; loaded only by the Solara server).
"""
