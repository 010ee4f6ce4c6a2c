"""``--gif`` and ``--gif-size`` of ``spridning report`` and ``spridning compare``: animated maps, their size."""

from __future__ import annotations

import argparse
import sys


def gif_size(text: str) -> tuple[int, int]:
    """``--gif-size WxH``: the animations' frame size in pixels (see
    :func:`model.charts.animation.parse_size` for what is allowed)."""
    from ..charts.animation import parse_size

    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def animation_request(args: argparse.Namespace) -> tuple[int, int] | bool:
    """What the report draws for ``--gif``/``--gif-size``: False (no animation) or the frame size; prints one
    line on stderr when no MP4 can be written beside the GIFs (ffmpeg not installed)."""
    from ..charts.animation import DEFAULT_SIZE, mp4_available

    size = getattr(args, "gif_size", None)
    if not (getattr(args, "gif", False) or size):
        return False
    if not mp4_available():
        print("note: ffmpeg is not installed, so the animations are GIFs only (no MP4)", file=sys.stderr)
    return size or DEFAULT_SIZE
