"""The self-contained HTML report (placeholder until the full report lands)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..results import write_with


def render_folder(folder: Path, lang: str = "en", outcomes: Any = None, gif: bool = False) -> Path:
    """Write a minimal ``report.html`` naming the folder."""
    text = f"<!doctype html><html lang='{lang}'><meta charset='utf-8'><title>{html.escape(folder.name)}</title></html>"
    return write_with(folder / "report.html", lambda tmp: tmp.write_text(text, encoding="utf-8"))
