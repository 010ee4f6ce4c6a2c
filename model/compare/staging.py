"""Where a comparison is built: a hidden staging folder beside its results folder, which survives an
interruption (Ctrl-C, a kill, running out of memory) so that the same command, run again, continues.

``compare ... --out results/cmp`` builds ``results/.cmp.partial``: one sub-folder per scenario, each
written atomically as its runs finish, and ``progress.json``, which records for every finished scenario
what it is (:func:`scenario_key`: the scenario as resolved, its file, the root seed, the replications and
anything else that changes its runs) and the SHA-256 of every file of its folder. A rerun reuses a
scenario only when both match; anything else in the staging folder (a scenario half run, a changed one,
one no longer compared, a damaged file) is this command's own work and is removed and run again. Only
when every output is written does the staging folder become ``results/cmp`` (:meth:`Staging.publish`),
so nothing that looks like a finished comparison exists before it is one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..results import atomic_folder, write_json
from ..version import __version__

PROGRESS = "progress.json"
KIND = "spridning comparison in progress"


def staging_folder(out: Path) -> Path:
    """The hidden folder beside ``out`` where the comparison ``out`` is built."""
    out = Path(out)
    return out.parent / f".{out.name}.partial"


def scenario_key(resolved: dict[str, Any], source: str | None, root_seed: int, replications: int,
                 extra: dict[str, Any] | None = None) -> str:
    """SHA-256 (hex) of what a scenario's runs depend on: the scenario as resolved (defaults filled in),
    the file it came from (its manifest names it), the root seed, the replications, ``extra`` (e.g. a
    posterior ensemble's content) and the tool's version."""
    text = json.dumps({"scenario": resolved, "source": source, "root_seed": root_seed,
                       "replications": replications, "extra": extra or {}, "version": __version__},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    hashes = {}
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        with open(path, "rb") as handle:
            hashes[path.relative_to(folder).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return hashes


class Staging:
    """The staging folder of one comparison (see the module docstring): :meth:`open` it, ask
    :meth:`finished` for each scenario, :meth:`record` each one written, then :meth:`publish`."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.path = staging_folder(self.out)
        self.done: dict[str, dict[str, Any]] = {}

    def open(self) -> "Staging":
        """Create the staging folder, or take up the one an interrupted run of this comparison left.
        InputError when a folder of that name exists that this tool did not make (it is not touched)."""
        progress = self.path / PROGRESS
        if self.path.exists():
            try:
                state = json.loads(progress.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = None
            if not isinstance(state, dict) or state.get("kind") != KIND or not isinstance(state.get("scenarios"), dict):
                raise InputError(f"{self.path}: exists but is not an unfinished comparison of this tool (no valid "
                                 f"{PROGRESS}); move it away or remove it, then run the comparison again")
            self.done = state["scenarios"]
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # made complete under a temporary name, so a folder of this name always has its progress record
        # named as atomic_folder's partial folders (.NAME.partial-XXXXXXXX), so one a kill left is litter the
        # next command removes
        tmp = self.path.parent / f"{self.path.name}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()  # not mkdtemp: the folder published at the end keeps these, the usual, permissions
        write_json({"kind": KIND, "scenarios": {}}, tmp / PROGRESS)
        os.replace(tmp, self.path)
        return self

    def finished(self, name: str, folder: str, key: str) -> str | None:
        """None when scenario ``name`` was recorded with ``key`` and every file of its sub-folder
        ``folder`` is as recorded; otherwise why not (``""``: never recorded)."""
        record = self.done.get(name)
        if record is None:
            return ""
        if record.get("key") != key or record.get("folder") != folder:
            return "its scenario, seed or replications changed"
        sub = self.path / folder
        if not sub.is_dir() or file_hashes(sub) != record.get("files"):
            return "a file of its folder is missing or changed"
        return None

    def keep_only(self, folders: dict[str, str]) -> None:
        """Remove from the staging folder everything but ``progress.json`` and the sub-folders of the
        scenarios ``folders`` (name -> sub-folder) that :meth:`finished` accepted; all of it was written
        by this comparison (half-written scenarios, earlier outputs)."""
        keep = {PROGRESS} | {folders[n] for n in self.done if n in folders}
        self.done = {n: r for n, r in self.done.items() if n in folders}
        self._save()
        for item in self.path.iterdir():
            if item.name not in keep:
                shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()

    def forget(self, name: str) -> None:
        """Drop scenario ``name``'s record (its folder is removed by :meth:`keep_only`)."""
        if self.done.pop(name, None) is not None:
            self._save()

    def record(self, name: str, folder: str, key: str) -> None:
        """Note that scenario ``name``'s sub-folder ``folder`` is complete, with ``key`` and its files'
        hashes."""
        self.done[name] = {"folder": folder, "key": key, "files": file_hashes(self.path / folder)}
        self._save()

    def _save(self) -> None:
        write_json({"kind": KIND, "scenarios": self.done}, self.path / PROGRESS)

    def abandon(self) -> bool:
        """After an interruption: remove the staging folder when no scenario was finished (nothing to
        continue from); return whether it was kept."""
        if self.done:
            return True
        shutil.rmtree(self.path, ignore_errors=True)
        return False

    def publish(self) -> Path:
        """Make the staging folder (without its progress record) the results folder ``out``
        (:func:`model.results.atomic_folder`: it appears whole)."""
        with atomic_folder(self.out) as tmp:
            tmp.rmdir()  # the staging folder takes the place of the empty one made for the results
            os.replace(self.path, tmp)
            (tmp / PROGRESS).unlink()
        return self.out
