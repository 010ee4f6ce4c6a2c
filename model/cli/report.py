"""``spridning report``: a results folder's charts, maps and one self-contained ``report.html``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .gif import animation_request, gif_size

LANGUAGES = ("en", "sv")


def add_parser(sub) -> None:
    """Register the ``report`` command."""
    p = sub.add_parser("report", help="write a results folder's self-contained report.html (and redraw its charts)",
                       description="Draw the charts and maps of a folder written by `spridning run` or "
                                   "`spridning compare` and write report.html: one file with every image "
                                   "embedded, to open offline or send.")
    p.add_argument("folder", metavar="RESULTS_DIR", help="a folder written by `spridning run` or `spridning compare`")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of labels and report (default: en)")
    p.add_argument("--gif", action="store_true", help="also write animated maps over the years (GIF, and MP4 where "
                   "ffmpeg is installed), 1920x1080 pixels unless --gif-size says otherwise")
    p.add_argument("--gif-size", type=gif_size, metavar="WxH", help="the animations' frame size in pixels, e.g. "
                   "1280x720 (implies --gif; default 1920x1080)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report and print its path."""
    from ..errors import InputError
    from ..report.build import write_report

    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; give a folder written by `spridning run` or `spridning compare`")
    from ..folders import claim

    with claim(folder, "report", existing=True, flag="report"):
        path = write_report(folder, lang=args.lang, gif=animation_request(args), redraw=True)
    print(f"report: {path}")
    return 0
