"""The budget search's stored state, verified before it is used: ``search/search.json`` (the search's
fingerprint) and ``search/evaluated/batch-NNNNN.parquet`` (each generation's objectives).

Every batch carries, in its Parquet metadata, the fingerprint of the search that wrote it and a SHA-256
of its rows. On resume a batch that cannot be read, belongs to another search or whose rows changed
(a flipped bit, an edit, a batch copied from elsewhere) is named in a warning and removed, and its
allocations are evaluated again, so a damaged batch costs its runs, never a wrong front. A
``search.json`` that cannot be read stops the command with one line naming the file and what to do
(:class:`~model.errors.InputError`, exit status 2); one of another search is refused the same way.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..results import write_json, write_with

STATE = "search.json"
EVALUATED = "evaluated"
#: the key of the batch record in a batch file's Parquet metadata
META = b"spridning.search"


def rows_hash(table: pd.DataFrame) -> str:
    """SHA-256 of a batch's rows (column names and values, floats exactly), independent of the file format."""
    text = json.dumps([list(table.columns)] + table.astype(object).values.tolist(), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def write_batch(folder: Path, table: pd.DataFrame, fingerprint: str) -> Path:
    """Write the next ``batch-NNNNN.parquet`` of ``folder`` atomically, with the search's fingerprint
    and the rows' hash in its metadata; return its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    numbers = [int(p.stem.split("-")[1]) for p in folder.glob("batch-*.parquet") if p.stem.split("-")[1].isdigit()]
    path = folder / f"batch-{max(numbers, default=-1) + 1:05d}.parquet"
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    record = json.dumps({"fingerprint": fingerprint, "sha256": rows_hash(table)}).encode()
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), META: record})
    return write_with(path, lambda tmp: pq.write_table(arrow, tmp))


def _check_batch(path: Path, fingerprint: str, columns: list[str]) -> tuple[pd.DataFrame | None, str]:
    """A batch's rows if it is readable, this search's and unchanged; else None and why not."""
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(path)
        record = json.loads((arrow.schema.metadata or {}).get(META, b"null"))
        table = arrow.to_pandas()
    except Exception as exc:  # noqa: BLE001 - any reader error means the file is damaged
        return None, f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    if not isinstance(record, dict):
        return None, "has no record of the search that wrote it"
    if record.get("fingerprint") != fingerprint:
        return None, "was written by another search"
    if list(table.columns) != columns or record.get("sha256") != rows_hash(table):
        return None, "has changed since it was written (its rows do not match their checksum)"
    return table, ""


def open_state(out: Path, state: dict[str, Any], source: str, columns: list[str]) -> tuple[dict[str, list[float]], list[str]]:
    """Create or check the search folder ``out`` for the search whose fingerprint record is ``state``;
    return the objectives of every allocation evaluated before (by key; ``columns`` is ``["key"] +
    objectives``) and warnings about batches that were removed to be evaluated again.

    Raises InputError for a ``search.json`` that cannot be read or belongs to another search."""
    state_file = out / STATE
    remedy = f"remove the folder {out} to start the search afresh (the rest of the results folder is kept)"
    if state_file.exists():
        try:
            stored = json.loads(state_file.read_text(encoding="utf-8"))
            if not isinstance(stored, dict) or not isinstance(stored.get("fingerprint"), str):
                raise ValueError("no fingerprint in it")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{state_file}: the budget search's state is damaged ({str(exc).splitlines()[0]}); "
                             f"{remedy}") from None
        if stored["fingerprint"] != state["fingerprint"]:
            raise InputError(f"{out}: holds a different budget search than {source} (its settings, baseline, "
                             f"worlds or seed changed); use another --out, or {remedy}")
    (out / EVALUATED).mkdir(parents=True, exist_ok=True)
    if not state_file.exists():
        write_json({"tool": "spridning robust (search)", **state}, state_file)
    cache: dict[str, list[float]] = {}
    notes = []
    for path in sorted((out / EVALUATED).glob("batch-*.parquet")):
        table, why = _check_batch(path, state["fingerprint"], columns)
        if table is None:
            path.unlink()
            notes.append(f"search: {path} {why}; removed, its allocations are evaluated again")
            continue
        for row in table.itertuples(index=False):
            cache[row[0]] = [float(v) for v in row[1:]]
    return cache, notes
