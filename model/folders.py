"""Output folders: one writer per folder, nothing deleted that the command did not write, no litter.

Every command that writes a folder (``run``, ``compare``, ``sensitivity``, ``robust``, ``calibrate``,
``report``) enters :func:`claim` for the life of the command. It

- refuses, before anything runs (an :class:`~model.errors.InputError`, exit status 2), an ``--out`` that
  is a file or below one, the current folder or one holding it, the folder of the command's own input
  files, and an existing folder that is not this command's own earlier result (:func:`kind_of` tells
  them apart by the state or manifest file each command writes). Replacing an earlier result of a
  command that writes its folder whole (``run``, ``compare``) takes ``--overwrite``, and even then a file
  the user added to that folder stops it (:func:`user_files`, from the folder's :data:`INVENTORY`);
  the resumable commands continue their own folder;
- holds an advisory lock (``fcntl.flock`` on ``PARENT/.NAME.lock``, beside the folder so that it also
  covers a folder that does not exist yet or is replaced whole); a second writer is told who holds it;
- picks a free default name (``NAME``, ``NAME-2``, ...) so two commands started in the same second never
  share a folder, and shortens names longer than a file system allows (:func:`fit_name`);
- removes the hidden partial folders and temporary files of this command's own earlier killed runs
  (stale for certain: their writer would hold the lock) (:func:`remove_litter`);
- turns a disk fault while writing (full, read-only, not a folder, name too long) into one line that says
  what was kept.

This module is low-level: it imports only :mod:`model.errors`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .errors import InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks (the folder checks still apply)
    fcntl = None

#: bytes a file or folder name may have on common file systems (ext4, APFS, NTFS in UTF-16 units)
NAME_MAX = 255
#: hidden file in a folder written whole (:func:`model.results.atomic_folder`): one relative path a line,
#: every file the command wrote, so ``--overwrite`` can tell them from files a user added later
INVENTORY = ".spridning-files"
#: what each command's folder holds that says it wrote it: (file, the ``tool`` it records or None)
_MARKS = {
    "calibrate": (("calibration.json", None), ("manifest.json", "spridning calibrate")),
    "compare": (("comparability.json", None),),
    "sensitivity": (("experiment.json", "spridning sensitivity"), ("manifest.json", "spridning sensitivity")),
    "robust": (("experiment.json", "spridning robust"), ("manifest.json", "spridning robust"),
               ("search/search.json", "spridning robust (search)")),
    "run": (("manifest.json", "spridning"),),
}
#: what a resumable command writes before its state file (a folder killed in between is still its own)
_FIRST = {"sensitivity": {"samples.parquet", "runs"}, "robust": {"worlds.parquet", "runs", "search"},
          "calibrate": {"history.db"}}
#: files a desktop makes in any folder; not the user's work, never a reason to refuse a folder
_DESKTOP = {".DS_Store", "Thumbs.db", "desktop.ini"}
#: temporary names this package makes: atomic_path's ``.NAME.XXXXXXXX.tmp``, a map's ``.NAME.partial.gif``,
#: atomic_folder's ``.NAME.partial-XXXXXXXX`` and ``.NAME.old-XXXXXXXX`` (XXXXXXXX: tempfile's 8 characters)
_TEMP_FILE = re.compile(r"^\..+\.([a-z0-9_]{8}\.tmp|partial\.[a-z]+)$")
_TEMP_DIR = re.compile(r"^\..+\.(partial|old)-[a-z0-9_]{8}$")
#: errors that mean the disk, not the input, is at fault, whatever the file
_DISK = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}
#: errors that are the disk's fault when they name a path inside the output folder
_PLACE = {errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ENOENT, errno.EISDIR, errno.EEXIST,
          errno.EBUSY, errno.EXDEV}
#: locks this process holds: lock file -> descriptor (closed in forked children, see below)
_HELD: dict[Path, int] = {}


class FolderBusy(InputError):
    """Another process is writing the folder (its lock is held)."""


def fit_name(name: str, spare: int = 0) -> str:
    """``name`` if it has at most :data:`NAME_MAX` - ``spare`` bytes (UTF-8), else its start and
    ``~`` with 8 hex digits of its SHA-1 (so two long names that differ only at the end stay apart)."""
    limit = NAME_MAX - spare
    raw = name.encode("utf-8")
    if len(raw) <= limit:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:8]
    return raw[:limit - 9].decode("utf-8", "ignore") + "~" + digest


def hidden(name: str, tag: str, spare: int = 0) -> str:
    """The hidden working name ``.NAME.TAG`` beside a folder ``NAME`` (``spare`` bytes left for a
    random suffix), with ``NAME`` shortened so the whole fits (:func:`fit_name`)."""
    return f".{fit_name(name, spare + len(tag) + 2)}.{tag}"


def _lock_file(folder: Path) -> Path:
    # absolute: one key in this process's held locks however the folder was spelled
    return Path(os.path.abspath(folder.parent)) / hidden(Path(os.path.abspath(folder)).name, "lock")


def _close_in_child() -> None:
    # a forked worker must not keep a lock alive after its parent died: flock locks belong to the open file,
    # which a fork shares; closing the child's copy leaves the parent's lock held
    for fd in _HELD.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


def holder(folder: Path) -> str:
    """Who holds ``folder``'s lock, as its lock file says (``"spridning run (pid 123)"``), or ``""``."""
    try:
        text = _lock_file(folder).read_text(encoding="utf-8").split()
    except OSError:
        return ""
    if len(text) < 2 or not text[0].isdigit():
        return ""
    return f"`{' '.join(text[1:])}` (pid {text[0]})"


@contextmanager
def writer_lock(folder: str | Path, command: str, flag: str = "--out") -> Iterator[None]:
    """Hold the advisory lock of ``folder`` (``PARENT/.NAME.lock``, made with its parent folders) while the
    block runs; ``command`` (``"spridning run"``) is written in it for the next one to read. Raises
    :class:`FolderBusy` if another process holds it, InputError if the lock file cannot be made. The lock
    file is removed at the end (an ending holder unlinks it while still holding it; a waiting process that
    opened the old file sees that its inode is gone and tries again)."""
    folder = Path(folder)
    path = _lock_file(folder)
    if fcntl is None or path in _HELD:  # no locks on this system / this process holds it already
        yield
        return
    _make_parent(folder, flag)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise InputError(f"{flag} {folder}: cannot write in {folder.parent} ({exc.strerror}); "
                             f"give another {flag}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            who = holder(folder) or "`spridning`"
            other = f" or give another {flag}" if flag.startswith("--") else ""
            raise FolderBusy(f"{flag} {folder}: another {who} is writing this folder; wait for it{other}") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder ended and removed the file between our open and our lock: start again
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()} {command}\n".encode())
    _HELD[path] = fd
    try:
        yield
    finally:
        _HELD.pop(path, None)
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)


def _make_parent(folder: Path, flag: str) -> None:
    for up in [folder.parent, *folder.parent.parents]:
        if up.exists() and not up.is_dir():
            raise InputError(f"{flag} {folder}: {up} is a file, not a folder; give another {flag}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{flag} {folder}: cannot make the folder {folder.parent} ({exc.strerror}); "
                         f"give another {flag}") from None


def _tool(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("tool") if isinstance(data, dict) else None


def _entries(folder: Path) -> list[Path]:
    """What ``folder`` holds, without desktop files and this package's temporary names."""
    skip = _DESKTOP | {INVENTORY}
    return sorted(p for p in folder.iterdir()
                  if p.name not in skip and not _TEMP_FILE.match(p.name) and not _TEMP_DIR.match(p.name))


def kind_of(folder: str | Path) -> str | None:
    """The command whose results ``folder`` holds (``"run"``, ``"compare"``, ``"sensitivity"``,
    ``"robust"``, ``"calibrate"``), by the state or manifest file it writes; None for anything else."""
    folder = Path(folder)
    for kind, marks in _MARKS.items():
        for name, tool in marks:
            path = folder / name
            if path.is_file() and (tool is None or _tool(path) == tool):
                return kind
    return None


def _is_own(folder: Path, kind: str) -> bool:
    found = kind_of(folder)
    if found is not None:
        return found == kind
    names = {p.name for p in _entries(folder)}
    return bool(names) and names <= _FIRST.get(kind, set())


def user_files(folder: str | Path) -> list[str]:
    """Paths (relative, ``/``-separated, folders ending in ``/``) in a folder written whole that its
    :data:`INVENTORY` does not list: what a user added. Empty when the folder has no inventory (written
    before inventories were kept): such a folder is taken to be the command's own."""
    folder = Path(folder)
    try:
        listed = set((folder / INVENTORY).read_text(encoding="utf-8").splitlines())
    except OSError:
        return []
    parents = {str(Path(p).parent.as_posix()) for p in listed}
    parents |= {q.as_posix() for p in listed for q in Path(p).parents}
    found = []
    for root, dirs, files in os.walk(folder):
        here = Path(root).relative_to(folder)
        for d in list(dirs):
            rel = (here / d).as_posix()
            if rel not in parents and rel not in listed:
                found.append(rel + "/")
                dirs.remove(d)
        found += [(here / f).as_posix() for f in files
                  if (here / f).as_posix() not in listed and f != INVENTORY and f not in _DESKTOP]
    return sorted(found)


def inventory(folder: str | Path) -> str:
    """The text of ``folder``'s :data:`INVENTORY`: every file below it, relative, sorted."""
    folder = Path(folder)
    return "".join(f"{p.relative_to(folder).as_posix()}\n" for p in sorted(folder.rglob("*"))
                   if p.is_file() and p.name != INVENTORY)


def _record(folder: Path, added: set[str]) -> None:
    """Add ``added`` (files a command wrote into an existing results folder, as ``report`` does) to the
    folder's inventory, atomically, so that ``--overwrite`` still knows them as the product's."""
    if not added:
        return
    listed = set((folder / INVENTORY).read_text(encoding="utf-8").splitlines())
    fd, tmp = tempfile.mkstemp(prefix=f".{INVENTORY}.", suffix=".tmp", dir=folder)  # litter if killed
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write("".join(f"{p}\n" for p in sorted(listed | added)))
    os.replace(tmp, folder / INVENTORY)


def _show(paths: Iterable[str], most: int = 4) -> str:
    paths = list(paths)
    text = ", ".join(paths[:most])
    return text + (f" and {len(paths) - most} more" if len(paths) > most else "")


def check_out(out: Path, command: str, *, overwrite: bool = False, resumable: bool = False,
              inputs: Iterable[str | Path] = (), flag: str = "--out") -> None:
    """Raise InputError (one line) unless ``out`` may be written by ``command`` (``"run"``): see the
    module docstring. ``inputs``: the command's input files (a folder holding one is refused)."""
    out_abs, cwd = out.resolve(), Path.cwd().resolve()
    name = f"`spridning {command}`"
    if out_abs == cwd or out_abs in cwd.parents:
        raise InputError(f"{flag} {out}: that is the current folder or one holding it; give a new folder for "
                         f"the results, e.g. {flag} results/NAME")
    longest = max(out_abs.parts, key=lambda part: len(part.encode("utf-8")))
    if len(longest.encode("utf-8")) > NAME_MAX:
        raise InputError(f"{flag} {out}: a folder name has {len(longest.encode('utf-8'))} bytes; file systems "
                         f"allow {NAME_MAX}; give a shorter name")
    for up in [out, *out.parents]:
        if up.exists() and not up.is_dir():
            what = "it is a file" if up == out else f"{up} is a file"
            raise InputError(f"{flag} {out}: cannot create the results folder: {what}, not a folder; give "
                             "a new folder")
    for given in inputs:
        source = Path(given).resolve()
        if out_abs in source.parents and not resumable:
            raise InputError(f"{flag} {out}: holds the input {given}; give a new folder for the results")
    if not out.is_dir():
        return
    entries = _entries(out)
    if not entries:
        return
    shown = _show(p.name + ("/" if p.is_dir() else "") for p in entries)
    if not _is_own(out, command):
        kind = kind_of(out)
        what = f"a results folder of `spridning {kind}`, not of {name}" if kind else "not a results folder of " + name
        raise InputError(f"{flag} {out}: the folder exists and is {what} (it holds {shown}); give a new folder, "
                         "or a folder inside it")
    if resumable:
        return
    if not overwrite:
        raise InputError(f"{flag} {out}: holds an earlier result of {name}; add --overwrite to replace it, or "
                         "give a new folder")
    added = user_files(out)
    if added:
        raise InputError(f"{flag} {out}: holds an earlier result of {name} and files it did not write "
                         f"({_show(added)}); move them elsewhere before --overwrite, or give a new folder")


def remove_litter(out: Path, inside: bool) -> list[Path]:
    """Remove what earlier killed writers of ``out`` left: ``PARENT/.NAME.partial-*`` and ``.NAME.old-*``,
    and (``inside``: ``out`` is this command's own folder) temporary files and partial folders below
    ``out``. Only call with ``out``'s lock held: then no live writer owns them. Returns what was removed."""
    removed = []
    if out.parent.is_dir():
        for tag in ("partial-", "old-"):
            prefix = hidden(out.name, tag, spare=8)
            removed += [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()
                        and len(p.name) == len(prefix) + 8]
    if inside and out.is_dir():
        for root, dirs, files in os.walk(out):
            removed += [Path(root) / d for d in dirs if _TEMP_DIR.match(d)]
            dirs[:] = [d for d in dirs if not _TEMP_DIR.match(d)]
            removed += [Path(root) / f for f in files if _TEMP_FILE.match(f)]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


#: what libraries say for a full or read-only disk when they raise their own errors (pyarrow without an
#: errno; SQLite, under pyabc's history database, through SQLAlchemy)
_DISK_TEXT = ("No space left on device", "Read-only file system", "database or disk is full",
              "attempt to write a readonly database", "Disk quota exceeded")


def disk_fault(exc: BaseException, out: Path) -> OSError | Exception | None:
    """The error in ``exc`` or its causes that is the disk's fault while writing ``out`` (full, read-only,
    not a folder, ...), or None for anything else: a bug, a missing input file, a user's interrupt."""
    seen = set()
    while exc is not None and id(exc) not in seen and isinstance(exc, Exception):
        if isinstance(exc, InputError):  # already a user's message (a missing input file, say): kept as it is
            return None
        seen.add(id(exc))
        if isinstance(exc, OSError) and (exc.errno in _DISK or _about(exc, out)):
            return exc
        if any(text in str(exc) for text in _DISK_TEXT):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _about(exc: OSError, out: Path) -> bool:
    """Whether ``exc`` (a place error: permission, not a folder, name too long, ...) names a path of
    ``out``, or the hidden partial folder or lock beside it."""
    if exc.errno not in _PLACE:
        return False
    root = out.resolve()
    for name in (exc.filename, exc.filename2):
        if name is None:
            continue
        path = Path(os.fsdecode(name)).resolve()
        for up in (path, *path.parents):
            if up == root or (up.parent == root.parent and up.name.startswith(f".{root.name[:20]}")):
                return True
    return False


def _free_name(base: Path, command: str, flag: str, stack: ExitStack) -> Path:
    """The first of ``base``, ``base-2``, ``base-3``, ... that does not exist and whose lock this process
    takes (held until ``stack`` closes)."""
    for n in range(1, 10_000):
        name = base.name if n == 1 else f"{fit_name(base.name, len(str(n)) + 1)}-{n}"
        path = base.parent / name
        if path.exists():
            continue
        inner = ExitStack()
        try:
            inner.enter_context(writer_lock(path, f"spridning {command}", flag))
        except FolderBusy:
            continue
        if path.exists():  # finished by another writer between the check and the lock
            inner.close()
            continue
        stack.push(inner)
        return path
    raise InputError(f"{base.parent}: no free folder name {base.name}-N; give {flag}")


@contextmanager
def claim(out: str | Path | None, command: str, *, default: str | Path | None = None, overwrite: bool = False,
          resumable: bool = False, inputs: Iterable[str | Path] = (), existing: bool = False,
          flag: str = "--out") -> Iterator[Path]:
    """Hold ``out`` (or, when it is None, a free variant of ``default``: the resumable commands resume
    ``default`` itself) for ``command`` (``"run"``) while the block runs, and yield its path; see the
    module docstring. ``existing``: only lock a folder that must exist (``report``), no checks of what it
    holds. A disk fault in the block becomes an InputError that says whether finished work was kept."""
    with ExitStack() as stack:
        if out is None and not resumable and not existing:
            path = _free_name(Path(default).parent / fit_name(Path(default).name), command, flag, stack)
        else:
            path = Path(out) if out is not None else Path(default).parent / fit_name(Path(default).name)
            if not existing:  # refuse before making anything (the lock file's parent folders)
                check_out(path, command, overwrite=overwrite, resumable=resumable, inputs=inputs, flag=flag)
            stack.enter_context(writer_lock(path, f"spridning {command}", flag))
        if not existing:  # again under the lock: what another writer did meanwhile counts
            check_out(path, command, overwrite=overwrite, resumable=resumable, inputs=inputs, flag=flag)
            remove_litter(path, inside=path.is_dir())
        before = set(inventory(path).splitlines()) if existing and (path / INVENTORY).is_file() else None
        try:
            yield path
            if before is not None:
                _record(path, set(inventory(path).splitlines()) - before)
        except Exception as exc:
            fault = disk_fault(exc, path)
            if fault is None:
                raise
            why = fault.strerror if isinstance(fault, OSError) and fault.strerror else \
                next((t for t in _DISK_TEXT if t in str(fault)), str(fault))
            where = f" ({fault.filename})" if isinstance(fault, OSError) and fault.filename else ""
            kept = (f"finished work is kept in {path}; free space or fix the folder, then run the same command "
                    "to continue") if resumable or existing else (
                    "nothing was kept: a results folder is written whole or not at all; the runs must be run again")
            raise InputError(f"{flag} {path}: cannot write: {why}{where}; {kept}") from None
