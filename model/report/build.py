"""Writing a folder's report: its charts and maps in the reader's language, and ``report.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_report(folder: str | Path, lang: str = "en", outcomes: Any = None, gif: bool = False) -> Path:
    """Write ``report.html`` into the results ``folder`` (a run's or a comparison's) and return its path."""
    from .html import render_folder

    return render_folder(Path(folder), lang=lang, outcomes=outcomes, gif=gif)
