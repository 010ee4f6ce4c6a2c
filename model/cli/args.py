"""Argument types every command shares: whole numbers, seeds and ``--set PATH=VALUE`` overrides.

Each is an ``argparse`` type: it returns the parsed value or raises ``argparse.ArgumentTypeError`` whose
message says what is allowed (argparse prints it with the option's name and exits with status 2).
"""

from __future__ import annotations

import argparse
from typing import Any


def whole_number(text: str, minimum: int) -> int:
    """A command-line whole number of at least ``minimum``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (replications, workers)."""
    return whole_number(text, 1)


def seed(text: str) -> int:
    """A root seed: a whole number of at least 0."""
    return whole_number(text, 0)


def override(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` of ``--set``: the dotted path and the value read as YAML."""
    import yaml

    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE (e.g. parameters.p_external=0.05), got '{text}'")
    path, value = text.split("=", 1)
    return path.strip(), yaml.safe_load(value)
