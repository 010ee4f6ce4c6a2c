"""The dashboard page (Solara) over :class:`~model.dashboard.live.DashboardModel`, made for a projector.

Served by Solara (``spridning dashboard`` runs ``solara run model.dashboard.app`` on 127.0.0.1). Every
browser session (tab, reload) gets its own model, built in the page component (``solara.use_memo``), so
two people never step each other's model and a reload starts at quarter 0. The side bar holds *Reset*,
*Play*/*Pause* and *Step*, the scenario picker and the sliders, each showing its value; a changed input
takes effect at *Reset*, which builds the model from the scenario file with only what was moved changed
(:func:`~model.dashboard.live.model_arguments`). The page shows the status line (``2031 Q1``), the map of
municipalities by stage, fitted to the window's height with its legend, and the diffusion and equality
plots. English or Swedish: the switch in the bar, starting from ``$SPRIDNING_LANG`` (``--lang``).

Mesa's own SolaraViz page is not used: its controls are English only and meant for model developers
(threads, render interval, page tabs) and its draggable grid crops a tall map; the controls here do
what its *Reset*/*Play*/*Step* do, for this model.
"""

from __future__ import annotations

import io
import os
import threading
import time

import solara

from .live import PARAMETERS, DashboardModel, controls, decimals, history_figure, model_arguments, scenario_names, \
    snap, stage_map
from .server import LANG_ENV
from .words import LANGUAGES, number, say

PLAY_SECONDS = 0.4  # between quarters when playing: slow enough to follow on a projector
#: the layout: the map takes the window's height below the bar and the status line, the plots share it
CSS = """
.spridning-status { font-size: 1.25rem; font-weight: bold; margin: 4px 0 8px 0; }
.spridning-main { display: flex; gap: 12px; align-items: flex-start; width: 100%; }
.spridning-map-box { flex: 0 0 auto; }
.spridning-map { height: calc(100vh - 175px) !important; width: auto !important; max-width: 100%;
                 object-fit: contain; display: block; }
.spridning-plots { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; gap: 8px; }
.spridning-plot { max-height: calc((100vh - 190px) / 2) !important; width: auto !important;
                  max-width: 100% !important; height: auto; object-fit: contain; display: block; }
.spridning-value { font-weight: bold; }
.spridning-heading { font-weight: bold; display: block; margin-top: 12px; }
.spridning-slider-label { font-size: 0.95rem; margin-bottom: -14px; }
.spridning-slider-label > * { display: inline; }
"""


def starting_language() -> str:
    """``$SPRIDNING_LANG`` when it is a known language, else English."""
    lang = os.environ.get(LANG_ENV, "en")
    return lang if lang in LANGUAGES else "en"


def png(fig) -> bytes:
    """``fig`` as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


@solara.component
def Sliders(picked: str, values: solara.Reactive, lang: str):
    """A slider per control of the scenario ``picked``, its label showing its value (``values``: control
    name -> value, the pending inputs for the next Reset). Headings are plain text: Markdown would load a
    maths renderer from a CDN."""
    found = controls(picked)

    def slider(name: str):
        control = found[name]
        value = values.value.get(name, control.value)
        label = say("Seed", lang) if name == "seed" else say(name, lang)
        shown = number(value, lang, decimals(control.step)) if not control.whole else f"{int(value)}"
        with solara.Div(classes=["spridning-slider-label"]):
            solara.Text(f"{label}: ")
            solara.Text(shown, classes=["spridning-value"])

        def moved(new, name=name):
            values.value = {**values.value, name: snap(new, found[name])}

        kind = solara.SliderInt if control.whole else solara.SliderFloat
        kind("", value=value, min=control.low, max=control.high, step=control.step, on_value=moved,
             thumb_label=False)

    slider("seed")
    solara.Text(say("Key parameters", lang), classes=["spridning-heading"])
    for name in PARAMETERS:
        slider(name)
    solara.Text(say("Extra money a year (MSEK)", lang), classes=["spridning-heading"])
    for name in found:
        if name != "seed" and name not in PARAMETERS:
            slider(name)


@solara.component
def Page():
    """The dashboard: one model per browser session (see the module's docstring)."""
    names = solara.use_memo(scenario_names, [])
    start = "baseline" if "baseline" in names else names[0]
    lang = solara.use_reactive(starting_language())
    picked = solara.use_reactive(start)
    values = solara.use_reactive({})  # control name -> value moved to (the rest: the scenario's own)
    lock = solara.use_memo(threading.Lock, [])
    first = solara.use_memo(lambda: DashboardModel(**model_arguments(start, {})), [])
    model = solara.use_reactive(first)
    tick = solara.use_reactive(0)  # counts steps, so the figures are redrawn
    playing = solara.use_reactive(False)
    words = lang.value

    def reset():
        playing.value = False
        model.value = DashboardModel(**model_arguments(picked.value, values.value))
        tick.value += 1

    def step():
        with lock:
            model.value.step()
        tick.value += 1

    def play_loop():
        while playing.value and model.value.running and model.value.quarter < model.value.n_steps:
            time.sleep(PLAY_SECONDS)
            if playing.value:
                step()
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def pick(name: str):
        picked.value = name
        values.value = {}  # the new scenario's own values

    solara.Style(CSS)
    solara.Title("spridning")
    with solara.AppBar():
        solara.AppBarTitle(say("Innovations spreading across Sweden's public sector", words))
        solara.ToggleButtonsSingle(value=lang, values=list(LANGUAGES), dense=True)
    with solara.Sidebar():
        with solara.Row():
            solara.Button(say("Reset", words), color="primary", on_click=reset)
            solara.Button(say("Pause", words) if playing.value else say("Play", words), color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=not model.value.running)
            solara.Button(say("Step", words), color="primary", on_click=step,
                          disabled=playing.value or not model.value.running)
        solara.Select(say("Scenario", words), value=picked.value, values=names, on_value=pick)
        solara.Text(say("Settings take effect at Reset.", words), style={"font-style": "italic"})
        solara.Button(say("Scenario's values", words), text=True, on_click=lambda: values.set({}))
        Sliders(picked.value, values, words)
    Figures(model.value, tick.value, words, lock)


@solara.component
def Figures(model: DashboardModel, tick: int, lang: str, lock):
    """The status line, the map and the two plots of ``model`` after ``tick`` steps."""
    def draw():
        with lock:
            return (model.status(lang), png(stage_map(model, lang)), png(history_figure(model, "diffusion", lang)),
                    png(history_figure(model, "equality", lang)))

    status, stage, diffusion, equality = solara.use_memo(draw, [model, tick, lang, model.quarter])
    solara.Text(status, classes=["spridning-status"])
    with solara.Div(classes=["spridning-main"]):
        with solara.Div(classes=["spridning-map-box"]):
            solara.Image(stage, classes=["spridning-map"])
        with solara.Div(classes=["spridning-plots"]):
            solara.Image(diffusion, classes=["spridning-plot"])
            solara.Image(equality, classes=["spridning-plot"])
