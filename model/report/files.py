"""Where a report's files go in each language: English under their own names, Swedish beside them
(``report.sv.html``, ``comparison.sv.md``, charts in ``charts/sv/``), so one language never overwrites
the other."""

from __future__ import annotations

from pathlib import Path


def localised(name: str, lang: str) -> str:
    """A file's name in ``lang``: itself in English, with ``.sv`` before the suffix in Swedish
    (``report.html`` -> ``report.sv.html``)."""
    if lang == "en":
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{lang}.{suffix}" if dot else f"{name}.{lang}"


def chart_folder(folder: str | Path, lang: str) -> Path:
    """The folder of a results folder's charts in ``lang``: ``charts/`` (English), ``charts/sv/``."""
    return Path(folder) / "charts" if lang == "en" else Path(folder) / "charts" / lang
