"""Animated maps for a projector: frames of exactly the asked size, every text inside the frame, an MP4
beside the GIF where ffmpeg is installed, and ``--gif-size`` refused with one line when it is no size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from model.charts import animation
from model.charts.difference_maps import map_animation
from model.charts.maps import map_shapes
from model.charts.style import StepFormatter
from tests.support import cli_lines

LONG_TITLE = ("Difference from the baseline over the years: Equality first, with peer review and change teams "
              "for the small municipalities of Norrland − Status quo")


@pytest.fixture(scope="module")
def frames():
    codes = map_shapes()[0]
    return {2026.0 + y: pd.Series(np.linspace(-0.01, 0.01 * y, len(codes)), index=codes) for y in range(1, 4)}


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (720, 1280), (800, 800)])
def test_every_text_lies_inside_a_frame_of_the_asked_size(frames, size):
    color = dict(cmap="RdBu", vmin=-3, vmax=3, label="Difference in adoption share (pp)",
                 formatter=StepFormatter(1.0, "", sign=True))
    caption = ("Colour scale: −3.0 to +3.0 percentage points, fitted to the data (the largest difference either "
               "way); white = no difference. Each municipality's mean over 20 replications.")
    fig, update, years = animation.animation_figure(frames, LONG_TITLE, caption, color, lambda y: f"end of {y:.0f}",
                                                    size)
    fig.canvas.draw()
    assert (fig.bbox.width, fig.bbox.height) == size and years == sorted(frames)
    texts = [t.get_text() for t in fig.texts]
    assert any("Norrland" in t for t in texts) and any("white = no difference" in t for t in texts)
    assert animation.texts_outside(fig) == []
    title = next(t for t in fig.texts if t.get_gid() == "title")
    assert "\n" in title.get_text()  # the long title was wrapped to the frame, not cut


def test_texts_outside_finds_a_cut_title():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 7), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.02, 0.95, "a title much too long to fit in a frame only five hundred pixels wide", fontsize=20)
    fig.canvas.draw()
    assert len(animation.texts_outside(fig)) == 1


def test_map_animation_writes_a_gif_of_the_asked_size_and_an_mp4_where_ffmpeg_is(tmp_path, frames):
    path = map_animation(frames, tmp_path / "charts" / "difference.gif", LONG_TITLE, difference=True,
                         size=(640, 360), hold_last=1)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.size == (640, 360) and gif.n_frames >= len(frames)
    mp4 = path.with_suffix(".mp4")
    assert mp4.exists() == animation.mp4_available()
    if mp4.exists():
        assert mp4.read_bytes()[4:8] == b"ftyp"
    expected = {path.name} | ({mp4.name} if mp4.exists() else set())
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(expected)  # no partial file left


def test_the_default_frame_is_1920_by_1080(tmp_path, frames, monkeypatch):
    monkeypatch.setattr(animation, "mp4_available", lambda: False)
    path = map_animation({y: frames[y] for y in list(frames)[:1]}, tmp_path / "a.gif", "t", hold_last=0)
    with Image.open(path) as gif:
        assert gif.size == (1920, 1080)
    assert not (tmp_path / "a.mp4").exists()


@pytest.mark.parametrize("text, size", [("1280x720", (1280, 720)), (" 1920X1080 ", (1920, 1080))])
def test_parse_size(text, size):
    assert animation.parse_size(text) == size


EVEN = "width and height must be even numbers of pixels from 320 to 3840, e.g. 1920x1080 or 1280x720"


@pytest.mark.parametrize("text, message", [
    ("1281x720", f"1281x720: {EVEN}"), ("100x100", f"100x100: {EVEN}"),
    ("big", "'big' is not a size; give WIDTHxHEIGHT in pixels, e.g. 1920x1080 or 1280x720")])
def test_a_size_that_is_no_size_is_refused_with_one_line(capsys, tmp_path, text, message):
    with pytest.raises(SystemExit) as exit_:
        cli_lines(capsys, "report", tmp_path, "--gif-size", text)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"spridning report: error: argument --gif-size: {message}"


def test_without_ffmpeg_one_line_says_so(capsys, monkeypatch):
    import argparse

    from model.cli.gif import animation_request

    monkeypatch.setattr(animation, "mp4_available", lambda: False)
    assert animation_request(argparse.Namespace(gif=False, gif_size=None)) is False
    assert capsys.readouterr().err == ""
    assert animation_request(argparse.Namespace(gif=True, gif_size=None)) == (1920, 1080)
    assert animation_request(argparse.Namespace(gif=False, gif_size=(1280, 720))) == (1280, 720)
    assert capsys.readouterr().err.splitlines() == [
        "note: ffmpeg is not installed, so the animations are GIFs only (no MP4)"] * 2
