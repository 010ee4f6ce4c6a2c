"""The live dashboard: a Mesa SolaraViz app of one run, started by ``spridning dashboard``.

- :mod:`~model.dashboard.live` — :class:`~model.dashboard.live.DashboardModel`, the model the dashboard
  steps (a scenario picked by name, main lever budgets and key parameters from sliders), what it records
  each quarter, and the figures drawn from it (map coloured by stage, diffusion, equality).
- :mod:`~model.dashboard.app` — the SolaraViz page (imports solara and Mesa's visualisation; loaded only
  by the Solara server).
"""
