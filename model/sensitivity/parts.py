"""The part files of a sweep: written with a record of their content, verified before a resume uses them.

A chunk's runs go to ``OUT/runs/part-NNNNNN.parquet`` (written atomically). Its Parquet schema metadata
carries the chunk's number and the experiment's fingerprint (``spridning.chunk``,
``spridning.fingerprint``), and ``OUT/runs/_parts.jsonl`` gets one line per part written::

    {"chunk": 12, "rows": 50, "bytes": 20113, "sha256": "9f2c...", "fingerprint": "4be1..."}

The file is serialised in memory and hashed there, so recording costs no second read; the line is appended
before the part is moved into place (a part killed half-way leaves a line without a part, which is
harmless). Tools reading ``runs/`` as a Parquet dataset skip the ``_``-prefixed record.

When a sweep resumes, :func:`verified_chunks` reads every part once: a part is used only if its size, its
sha256, its chunk and the fingerprint match the record and the experiment. Any other part (a flipped bit,
a part copied over another chunk's, a part of another experiment or seed, a truncated file, a part without
a record) is named on stderr with what was wrong, removed, and its chunk recomputed; it is never used.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results import write_with

RUNS = "runs"
RECORDS = "_parts.jsonl"  # leading "_": Parquet dataset readers (pyarrow, pandas, Dask) skip it
CHUNK_KEY = b"spridning.chunk"
FINGERPRINT_KEY = b"spridning.fingerprint"
SHOWN = 8  # faulty parts named one by one; the rest are counted


def part_path(out: Path, chunk: int) -> Path:
    """Where the runs of ``chunk`` are stored: ``OUT/runs/part-NNNNNN.parquet``."""
    return out / RUNS / f"part-{chunk:06d}.parquet"


def _shown(out: Path, chunk: int) -> str:
    return f"{RUNS}/{part_path(out, chunk).name}"


def write_part(out: Path, chunk: int, columns: dict[str, Any], fingerprint: str) -> None:
    """Write a chunk's columns (equal-length arrays) to its part file atomically, with the chunk number
    and ``fingerprint`` in its schema metadata, and record its size and sha256 in ``runs/_parts.jsonl``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(columns)
    table = table.replace_schema_metadata({CHUNK_KEY: str(chunk).encode(), FINGERPRINT_KEY: fingerprint.encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    record = {"chunk": chunk, "rows": table.num_rows, "bytes": len(data),
              "sha256": hashlib.sha256(data).hexdigest(), "fingerprint": fingerprint}
    with open(out / RUNS / RECORDS, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    write_with(part_path(out, chunk), lambda tmp: tmp.write_bytes(data))


@dataclass
class Check:
    """The verdict on one part file: ``ok``, else ``why`` it cannot be used."""

    ok: bool
    why: str = ""


def _read_records(out: Path) -> tuple[dict[int, dict], bool]:
    """The last record of each chunk, and whether the records file exists (torn or foreign lines are
    skipped: their parts then have no record and are recomputed)."""
    path = out / RUNS / RECORDS
    records: dict[int, dict] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return records, False
    for line in text.splitlines():
        try:
            record = json.loads(line)
            records[int(record["chunk"])] = record
        except (ValueError, KeyError, TypeError):
            continue
    return records, True


def _embedded(path: Path) -> tuple[int | None, str | None]:
    """The chunk and fingerprint a part's schema metadata names (None where absent); OSError or
    pyarrow's errors if the file is not readable Parquet."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    chunk = meta.get(CHUNK_KEY)
    fingerprint = meta.get(FINGERPRINT_KEY)
    return (int(chunk) if chunk is not None else None), (fingerprint.decode() if fingerprint else None)


def check_part(path: Path, chunk: int, rows: int, record: dict | None, fingerprint: str) -> Check:
    """Whether the part file of ``chunk`` (``rows`` runs) may be used, given its ``record``: it is read once
    to hash it; only a part that fails is opened again, to say why."""
    if record is None:
        return Check(False, "no record of its content (written just before an interruption, or by an "
                            "older spridning)")
    if record.get("fingerprint") != fingerprint:
        return Check(False, "recorded for another experiment or seed than this folder's")
    try:
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        size = path.stat().st_size
    except OSError as exc:
        return Check(False, f"unreadable ({exc.strerror or exc})")
    if digest == record.get("sha256") and size == record.get("bytes") and record.get("rows") == rows:
        return Check(True)
    try:
        embedded_chunk, embedded_fp = _embedded(path)
    except Exception:  # noqa: BLE001 - any failure to parse means a damaged file
        embedded_chunk, embedded_fp = None, None
        if size < int(record.get("bytes") or 0):
            return Check(False, f"truncated ({size} of {record.get('bytes')} bytes)")
        return Check(False, "not a readable Parquet file (damaged after it was written)")
    if embedded_fp is not None and embedded_fp != fingerprint:
        return Check(False, "holds runs of another experiment or seed (its fingerprint differs)")
    if embedded_chunk is not None and embedded_chunk != chunk:
        return Check(False, f"holds the runs of chunk {embedded_chunk}, not chunk {chunk} (a part copied "
                            "over another?)")
    if record.get("rows") != rows:
        return Check(False, f"recorded with {record.get('rows')} runs, but chunk {chunk} has {rows}")
    return Check(False, "content does not match its record (changed after it was written)")


def verified_chunks(out: Path, spans: list[tuple[int, int]], fingerprint: str,
                    notes: list[str] | None = None) -> set[int]:
    """The chunks (indices into ``spans``, each ``(start, stop)`` of runs) whose part file is on disk and
    verified against its record and ``fingerprint``.

    Every other part file is named on stderr with what is wrong ("runs/part-000012.parquet: content does
    not match its record (changed after it was written); recomputing chunk 12"), removed, and left for
    the caller to recompute; one summary line is appended to ``notes``. Half-written temporary files are
    removed. The records file is rewritten (atomically) to hold the verified parts only."""
    runs = out / RUNS
    for leftover in runs.glob(".part-*.tmp"):  # a write killed before its rename (never a complete file)
        leftover.unlink(missing_ok=True)
    records, have_records = _read_records(out)
    present = [c for c in range(len(spans)) if part_path(out, c).exists()]
    done: set[int] = set()
    failed: list[tuple[int, str]] = []
    for chunk in present:
        start, stop = spans[chunk]
        verdict = check_part(part_path(out, chunk), chunk, stop - start, records.get(chunk), fingerprint)
        if verdict.ok:
            done.add(chunk)
        else:
            failed.append((chunk, verdict.why))
    for chunk, _ in failed:
        part_path(out, chunk).unlink(missing_ok=True)
    _report(out, failed, have_records, notes)
    if have_records or done:
        kept = "".join(json.dumps(records[c]) + "\n" for c in sorted(done))
        write_with(runs / RECORDS, lambda tmp: tmp.write_text(kept, encoding="utf-8"))
    return done


def _report(out: Path, failed: list[tuple[int, str]], have_records: bool, notes: list[str] | None) -> None:
    """Say on stderr which parts are recomputed and why; add one summary line to ``notes``."""
    if not failed:
        return
    chunks = [c for c, _ in failed]
    if not have_records:
        lines = [f"{RUNS}/: {len(failed)} part file(s) have no record of their content ({RECORDS} is missing: "
                 "written by an older spridning, or removed), so they cannot be verified; recomputing them"]
    else:
        lines = [f"{_shown(out, c)}: {why}; recomputing chunk {c}" for c, why in failed[:SHOWN]]
        if len(failed) > SHOWN:
            lines.append(f"{RUNS}/: {len(failed) - SHOWN} more part file(s) failed verification; recomputing them")
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)
    if notes is not None:
        listed = ", ".join(map(str, chunks[:20])) + (", ..." if len(chunks) > 20 else "")
        notes.append(f"{len(failed)} part file(s) on disk failed verification and were recomputed (chunk "
                     f"{listed}); the reasons were printed when the sweep started")
