"""Animated maps for a projector: a GIF (and an MP4 where ffmpeg is installed) of exactly the asked size.

:func:`write_map_animation` draws Sweden's municipalities once and recolours them frame by frame, on a
frame of ``size`` pixels (default 1920×1080), with a layout computed for that size: the title across
the top, wrapped to the frame's width; the map at the full height below it; beside it (below it on a
portrait frame) the year in large type, the colour bar and the caption, wrapped to the room left. Type
sizes grow with the frame's height, so a 1280×720 frame looks like a 1920×1080 one, smaller. Every text
lies inside the frame (:func:`texts_outside` checks it). Files are written atomically.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .language import tr
from .maps import adoption_map, map_values
from .style import CAPTION_COLOR, literal

DEFAULT_SIZE = (1920, 1080)
SIZE_LIMITS = (320, 3840)  # pixels, each side
DPI = 100  # inches are pixels / 100: the frame's pixel size is exact


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> ``(1280, 720)``. Raises ValueError saying what is allowed: two whole numbers of
    pixels joined by ``x``, each even (MP4 needs that) and within :data:`SIZE_LIMITS`."""
    width, sep, height = str(text).strip().lower().partition("x")
    lo, hi = SIZE_LIMITS
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"{text!r} is not a size; give WIDTHxHEIGHT in pixels, e.g. 1920x1080 or 1280x720")
    size = int(width), int(height)
    if not all(lo <= v <= hi and v % 2 == 0 for v in size):
        raise ValueError(f"{text}: width and height must be even numbers of pixels from {lo} to {hi}, "
                         "e.g. 1920x1080 or 1280x720")
    return size


def mp4_available() -> bool:
    """Whether ffmpeg is installed, so an MP4 is written beside each GIF."""
    return shutil.which("ffmpeg") is not None


def texts_outside(fig: Figure) -> list[str]:
    """The visible texts of ``fig`` (titles, captions, tick labels, colour-bar label) whose drawn box
    reaches outside the figure, as strings; empty when everything lies inside."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    out = []
    for text in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent")):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
            out.append(text.get_text())
    return out


def _wrap(fig: Figure, text: str, width_px: float, fontsize: float, **style) -> str:
    """``text`` wrapped (at words, keeping its own line breaks) to lines at most ``width_px`` wide when set in
    ``fontsize`` points, measured with the figure's renderer."""
    renderer = fig.canvas.get_renderer()
    probe = fig.text(0, 0, "", fontsize=fontsize, **style)

    def fits(line: str) -> bool:
        probe.set_text(line)
        return probe.get_window_extent(renderer).width <= width_px

    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and not fits(candidate):
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    probe.remove()
    return "\n".join(lines)


def _layout(fig: Figure, title: str, size: tuple[int, int]) -> tuple[list[float], list[float], float]:
    """Place the title; return the map's box and the side panel's box (figure fractions: left, bottom,
    width, height) and the scale of type (1 at 1080 pixels high)."""
    width, height = size
    scale = min(height, width * 9 / 16) / 1080
    margin = 0.025
    title_text = fig.text(margin, 1 - margin, _wrap(fig, literal(title), width * (1 - 2 * margin), 30 * scale,
                                                    fontweight="bold"),
                          ha="left", va="top", fontsize=30 * scale, fontweight="bold", gid="title")
    fig.canvas.draw()
    top = title_text.get_window_extent().y0 / height - margin
    map_height = top - margin
    map_width = min(map_height * height * 0.62 / width, 0.55)  # Sweden with the Stockholm inset: ~0.62 wide as tall
    if width / height >= 1.1:  # landscape: the panel beside the map
        left = margin + 0.02
        panel = [left + map_width + 0.03, margin, 1 - (left + map_width + 0.03) - margin, map_height]
        box = [left, margin, map_width, map_height]
    else:  # portrait or square: the panel below the map
        box = [margin, 0.38, 1 - 2 * margin, top - 0.38]
        panel = [margin, margin, 1 - 2 * margin, 0.38 - 2 * margin]
    return box, panel, scale


def write_map_animation(frames: Mapping[float, pd.Series], path: str | Path, title: str, caption: str,
                        color: dict, stamp: Callable[[float], str], size: Sequence[int] = DEFAULT_SIZE,
                        fps: float = 2, hold_last: int = 3, lang: str = "en") -> list[Path]:
    """An animated map of ``frames`` (year -> value by municipality code, already in the colour bar's unit):
    a GIF at ``path`` and, when ffmpeg is installed, an MP4 beside it (same name, ``.mp4``); returns the
    files written. ``color``: :func:`~model.charts.maps.adoption_map`'s ``cmap``, ``vmin``, ``vmax`` and the
    colour bar's ``label`` and ``formatter``; ``stamp(year)``: the large text naming each frame's moment;
    ``size``: (width, height) pixels (:func:`parse_size`'s limits). The last frame is held ``hold_last``
    frames more; ``lang`` the language of the map's own labels. Raises ValueError when ``frames`` is empty."""
    fig, update, years = animation_figure(frames, title, caption, color, stamp, size, lang)
    sequence = years + [years[-1]] * max(0, int(hold_last))
    written = [_save(FuncAnimation(fig, update, frames=sequence, blit=False), Path(path), PillowWriter(fps=fps))]
    if mp4_available():
        written.append(_save(FuncAnimation(fig, update, frames=sequence, blit=False), Path(path).with_suffix(".mp4"),
                             FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])))
    return written


def animation_figure(frames: Mapping[float, pd.Series], title: str, caption: str, color: dict,
                     stamp: Callable[[float], str], size: Sequence[int] = DEFAULT_SIZE, lang: str = "en"):
    """The figure of :func:`write_map_animation` drawn at its last year, its ``update(year)`` (recolours the
    map and sets the stamp) and the sorted years. Raises ValueError when ``frames`` is empty."""
    years = sorted(frames)
    if not years:
        raise ValueError("no years to animate")
    size = (int(size[0]), int(size[1]))
    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    box, panel, scale = _layout(fig, title, size)
    ax = fig.add_axes(box)
    adoption_map(frames[years[0]], ax=ax, cmap=color["cmap"], vmin=color["vmin"], vmax=color["vmax"],
                 colorbar=False)
    for inset in fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == "stockholm_inset"):
        inset.set_title(tr("Stockholm county", lang), fontsize=13 * scale, loc="left", pad=2)
    ax.set_anchor("W" if panel[1] < box[1] + 0.01 and panel[0] > box[0] else "C")
    for text in ax.findobj(lambda a: hasattr(a, "set_fontsize") and hasattr(a, "get_text")):
        text.set_fontsize(max(text.get_fontsize(), 13 * scale))  # the inset's title, "no data"
    collections = fig.findobj(lambda a: isinstance(a, PolyCollection) and a.get_gid() == "municipalities")
    x, y, w, h = panel
    year_text = fig.text(x, y + h, "", ha="left", va="top", fontsize=56 * scale, fontweight="bold", color="0.2",
                         gid="stamp")
    bar_ax = fig.add_axes([x, y + h - 0.19, min(w * 0.9, 0.45), 0.035])
    bar = fig.colorbar(collections[0], cax=bar_ax, orientation="horizontal")
    bar.set_label(literal(color["label"]), fontsize=18 * scale)
    bar.formatter = color["formatter"]
    bar.update_ticks()
    bar_ax.tick_params(labelsize=15 * scale)
    bar.outline.set_visible(False)
    fig.text(x, y + h - 0.29, _wrap(fig, literal(caption), w * size[0] * 0.98, 16 * scale), ha="left", va="top",
             fontsize=16 * scale, color=CAPTION_COLOR, linespacing=1.4, gid="caption")

    def update(year):
        data = map_values(frames[year])
        for collection in collections:
            collection.set_array(data)
        year_text.set_text(stamp(year))
        return [*collections, year_text]

    update(years[-1])
    fig.canvas.draw()
    return fig, update, years


def _save(animation: FuncAnimation, path: Path, writer) -> Path:
    """Save ``animation`` to ``path`` atomically (a partial file keeping the suffix, which picks the format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        animation.save(partial, writer=writer, dpi=DPI)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path

