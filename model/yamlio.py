"""Reading YAML strictly: the one reader of scenario and experiment files (and of ``--set`` values).

Use :func:`read_yaml` (``data, where = read_yaml(path)``) to read a file: it raises an
:class:`~model.errors.InputError` for a missing file, a file that is not UTF-8, invalid YAML (with the line,
and what to do: "indent with spaces, not tabs", "unclosed '['", "put the text in quotes") and for a key given
twice anywhere (top level, nested mappings, list items: ``FILE:LINE: parameters.p_external: given twice
(lines 7 and 9)``). ``where`` is a :class:`SourceMap`: the line of every key and list item, so that later
errors can name the line (:func:`model.errors.render`). :func:`load_document` reads the same but returns
repeated keys as problems, for a loader that reports them together with every other mistake.

The reader (:class:`StrictLoader`, a subclass of PyYAML's ``SafeLoader``) reads numbers as YAML 1.2 does —
``01`` and ``08`` are the whole numbers 1 and 8 (never octal), ``1e-3`` is a number, ``1:30`` is text — and
keeps YAML 1.1's yes/no words (``yes``, ``no``, ``on``, ``off``, ``true``, ``false``) as true/false, for
switches such as ``needs_infrastructure: yes``. Whether a yes/no value may stand where a number belongs is
the schema's business (:class:`model.errors.Checked` refuses it and names the word the file used).

This module is low-level: it imports only :mod:`model.errors`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem, render

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+)$")
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
                      |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                      |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)


def nearest(table: dict[tuple, Any], loc: Sequence[Any]) -> Any | None:
    """``table``'s entry for ``loc`` or for its nearest enclosing key or item (None if none has one)."""
    loc = tuple(loc)
    while loc:
        if loc in table:
            return table[loc]
        loc = loc[:-1]
    return None


@dataclass
class SourceMap:
    """Where the values of a parsed YAML text stand: ``lines`` maps a location (a path of keys and list
    indices, e.g. ``("levers", 0, "target")``) to the 1-based line of its key or list item; ``texts`` maps
    the location of a scalar that YAML did not read as text (a yes/no word, a date, a number) to the
    text as written (``on``)."""

    lines: dict[tuple, int] = field(default_factory=dict)
    texts: dict[tuple, str] = field(default_factory=dict)

    def line(self, loc: Sequence[Any]) -> int | None:
        """The line of ``loc``, or of its nearest enclosing key or item that has one (None if none does)."""
        return nearest(self.lines, loc)

    def text(self, loc: Sequence[Any]) -> str | None:
        """The scalar at ``loc`` as written, when YAML read it as something other than text."""
        return self.texts.get(tuple(loc))


@dataclass
class Document:
    """A parsed YAML text: its ``data``, where each value stands (``where``) and every key given more than
    once (``duplicates``: one :class:`~model.errors.Problem` per repeated key)."""

    data: Any
    where: SourceMap
    duplicates: list[Problem]


def _marked(construct):
    """A constructor that turns a bad scalar (``!!int x``, a date that does not exist) into a YAML error
    with the value's line, instead of a Python exception."""

    def wrapped(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(None, None, f"cannot read '{node.value}' ({exc})",
                                                    node.start_mark) from None

    return wrapped


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    """A whole number in decimal (leading zeros allowed: ``08`` is 8), ``0x..`` hex or ``0o..`` octal."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text[:2] in ("0x", "0X"):
        return sign * int(text[2:], 16)
    if text[:2] in ("0o", "0O"):
        return sign * int(text[2:], 8)
    return sign * int(text, 10)


class StrictLoader(yaml.SafeLoader):
    """PyYAML's ``SafeLoader`` with YAML 1.2 numbers (see the module's docstring) and constructors that
    report bad scalars with their line."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
StrictLoader.add_constructor("tag:yaml.org,2002:int", _marked(_construct_int))
StrictLoader.add_constructor("tag:yaml.org,2002:float", _marked(yaml.SafeLoader.construct_yaml_float))
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _marked(yaml.SafeLoader.construct_yaml_timestamp))


def _times(lines: list[int]) -> str:
    distinct = list(dict.fromkeys(lines))
    where = f"line {lines[0]}" if len(distinct) == 1 else \
        "lines " + ", ".join(str(n) for n in distinct[:-1]) + f" and {distinct[-1]}"
    return f"given {'twice' if len(lines) == 2 else f'{len(lines)} times'} ({where}); keep one of them"


def _survey(loader: StrictLoader, node: Node, loc: tuple, where: SourceMap, duplicates: list[Problem],
            stack: set[int]) -> None:
    """Record the line of every key and item under ``node`` and the text of non-text scalars; collect
    repeated keys."""
    if id(node) in stack:  # an alias that refers to itself
        return
    stack = stack | {id(node)}
    if isinstance(node, ScalarNode):
        if node.tag != _STR:
            where.texts[loc] = node.value
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            where.lines[loc + (i,)] = item.start_mark.line + 1
            _survey(loader, item, loc + (i,), where, duplicates, stack)
    elif isinstance(node, MappingNode):
        seen: dict[Any, list[int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                continue
            key = key_node.value if key_node.tag == _STR else loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            seen.setdefault(key, []).append(line)
            where.lines[loc + (key,)] = line
            _survey(loader, value_node, loc + (key,), where, duplicates, stack)
        duplicates.extend(Problem(loc + (key,), _times(lines)) for key, lines in seen.items() if len(lines) > 1)


def yaml_reason(exc: yaml.YAMLError) -> tuple[str, str]:
    """``(what is wrong, what to do)`` for a PyYAML error, in words an analyst can act on (without the
    position; ``what to do`` may be empty)."""
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    at_end = "<stream end>" in problem or "end of stream" in problem or "'<document end>'" in problem
    if "flow sequence" in context and (at_end or "expected ',' or ']'" in problem):
        return "unclosed '['", "close it with ']'"
    if "flow mapping" in context and (at_end or "expected ',' or '}'" in problem):
        return "unclosed '{'", "close it with '}'"
    if "flow node" in context and at_end:
        return "unclosed '[' or '{'", "close it"
    if "quoted scalar" in context and at_end:
        return "unclosed quote", "end the text with the quote it starts with"
    if match := re.search(r"found character '(.)' that cannot start any token", problem):
        return f"a value cannot start with '{match.group(1)}'", "put the text in quotes"
    if "mapping values are not allowed here" in problem:
        return "': ' inside a value, or a key at the wrong indentation", "put text with ': ' in quotes"
    return problem.strip(), ""


def _unclosed(text: str) -> tuple[str, int, int] | None:
    """The last '[' or '{' in ``text`` left open (bracket, line, column; 1-based), outside quotes and
    comments, or None."""
    stack: list[tuple[str, int, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        quote = None
        for column, char in enumerate(line, 1):
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"" and (column == 1 or line[column - 2] in " [{,:"):
                quote = char
            elif char == "#" and (column == 1 or line[column - 2] in " \t"):
                break
            elif char in "[{":
                stack.append((char, number, column))
            elif char in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _tab_line(text: str) -> int | None:
    """The first line whose indentation contains a tab."""
    for number, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return number
    return None


def _parse(text: str) -> Document:
    """Parse ``text`` with :class:`StrictLoader`; PyYAML's errors pass through."""
    loader = StrictLoader(text)
    doc = Document(None, SourceMap(), [])
    try:
        node = loader.get_single_node()
        if node is not None:
            _survey(loader, node, (), doc.where, doc.duplicates, set())
            doc.data = loader.construct_document(node)
    finally:
        loader.dispose()
    return doc


def parse_yaml(text: str, source: str = "<text>") -> Document:
    """Parse YAML ``text`` (named ``source`` in messages) strictly; raises InputError if it is not valid
    YAML (``source: invalid YAML at line L, column C: what is wrong; what to do``). Repeated keys are
    returned in :attr:`Document.duplicates`, not raised."""
    try:
        return _parse(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise InputError(f"{source}:{line}: a character YAML does not allow (#x{exc.character:04x}); "
                         "save the file as plain UTF-8 text") from None
    except yaml.YAMLError as exc:
        tab = _tab_line(text)
        if tab is not None:
            raise InputError(f"{source}:{tab}: a tab in the indentation; indent with spaces, not tabs") from None
        reason, hint = yaml_reason(exc)
        mark = getattr(exc, "context_mark", None) if reason.startswith("unclosed") else None
        mark = mark or getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = (mark.line + 1, mark.column + 1) if mark else None
        if reason == "unclosed '[' or '{'" and (open_ := _unclosed(text)):
            bracket, *where = open_
            reason, hint = f"unclosed '{bracket}'", f"close it with '{']' if bracket == '[' else '}'}'"
        head = f"{source}: invalid YAML at line {where[0]}, column {where[1]}" if where else f"{source}: invalid YAML"
        raise InputError(f"{head}: {reason}" + (f"; {hint}" if hint else "")) from None


def parse_value(text: str) -> tuple[Any, SourceMap]:
    """A value typed on the command line (``--set PATH=VALUE``) read as YAML by the same rules as files:
    ``(value, where)``; ``ValueError`` saying what is wrong (e.g. ``unclosed '['``) if it is not valid
    YAML or repeats a key."""
    try:
        doc = _parse(text)
    except yaml.YAMLError as exc:
        raise ValueError(yaml_reason(exc)[0]) from None
    if doc.duplicates:
        raise ValueError("; ".join(f"{p.loc[-1]}: {p.text.split(' (')[0]}" for p in doc.duplicates))
    return doc.data, doc.where


def _decode(path: Path, raw: bytes) -> str:
    """The text of a file, or an InputError saying to save it as UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: the file is UTF-16 text, not UTF-8; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{byte:02x}, '{guess}' in Windows-1252/Latin-1); "
                         "save the file as UTF-8") from None


def load_document(path: str | Path) -> Document:
    """Read and parse the YAML file ``path`` (see :func:`parse_yaml`); raises InputError for a missing
    file, a folder, a file that is not UTF-8 or invalid YAML, and returns repeated keys as problems."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a YAML file")
    return parse_yaml(_decode(path, path.read_bytes()), str(path))


def read_yaml(path: str | Path) -> tuple[Any, SourceMap]:
    """``(data, where)`` of the YAML file ``path``: the parsed data (None for an empty file) and the
    :class:`SourceMap` of its lines. Raises InputError for every problem :func:`load_document` raises
    and for keys given more than once (one line per repeated key)."""
    doc = load_document(path)
    if doc.duplicates:
        raise InputError(render(str(path), doc.duplicates, doc.where), doc.duplicates)
    return doc.data, doc.where


# --- files that extend another file ---------------------------------------------------------------------
@dataclass
class Origins:
    """Where each value of a document merged from several files (see :func:`load_extended`) was written:
    ``lines`` maps a location to ``(file, line)``, ``texts`` a non-text scalar's location to its text as
    written. ``top`` is the file that was read (the source of values no file states, such as a missing
    required field). Works wherever a :class:`SourceMap` does (``line``, ``text``), and :meth:`source`
    names the file of a location: the parent's for an inherited value, the child's for one it states."""

    top: str
    lines: dict[tuple, tuple[str, int]] = field(default_factory=dict)
    texts: dict[tuple, str] = field(default_factory=dict)

    def _at(self, loc: Sequence[Any]) -> tuple[str, int] | None:
        return nearest(self.lines, loc)

    def line(self, loc: Sequence[Any]) -> int | None:
        """The line of ``loc`` (or of its nearest enclosing key or item) in the file that wrote it."""
        found = self._at(loc)
        return found[1] if found else None

    def source(self, loc: Sequence[Any]) -> str:
        """The file that wrote the value at ``loc`` (``top`` when no file wrote it or an enclosing key)."""
        found = self._at(loc)
        return found[0] if found else self.top

    def head(self, problem: Problem) -> str:
        """The file to name in the message of ``problem`` (for :func:`model.errors.render`)."""
        return self.source(problem.loc)

    def text(self, loc: Sequence[Any]) -> str | None:
        """The scalar at ``loc`` as written, when YAML read it as something other than text."""
        return self.texts.get(tuple(loc))

    def _drop(self, loc: tuple) -> None:
        """Forget every origin at or under ``loc`` (the value there is replaced)."""
        n = len(loc)
        for table in (self.lines, self.texts):
            for key in [k for k in table if k[:n] == loc]:
                del table[key]

    def _take(self, where: SourceMap, source: str, loc: tuple, into: tuple) -> None:
        """Record the origins under ``loc`` of a file (``where``) at ``into`` (list items shifted when
        ``into`` ends with an index offset: see :func:`_overlay`)."""
        n = len(loc)
        for key, line in where.lines.items():
            if key[:n] == loc:
                self.lines[into + key[n:]] = (source, line)
        for key, text in where.texts.items():
            if key[:n] == loc:
                self.texts[into + key[n:]] = text


@dataclass
class Extended:
    """A file read with the files it extends (:func:`load_extended`): the merged ``data``, where each value
    was written (``origins``), the ``chain`` of files (the file read first, then its parent, ...) and the
    keys the file read gives twice (``duplicates``; a parent's are raised as an error)."""

    data: Any
    origins: Origins
    chain: list[str]
    duplicates: list[Problem]


def _append(target: dict, key: str, value: Any, where: SourceMap, source: str, origins: Origins, loc: tuple,
            child: dict) -> None:
    """``key`` is ``NAME+``: append the child's list ``value`` to the parent's list ``NAME``."""
    name, here = key[:-1], loc + (key,)
    line = where.lines.get(here)
    head = f"{source}:{line}" if line else source
    if name in child:
        raise InputError(f"{head}: {name}+: give either '{name}' (replaces the list of the file this one extends) "
                         f"or '{name}+' (adds to it), not both")
    old = target.get(name, [])
    if not isinstance(old, list) or not isinstance(value, list):
        raise InputError(f"{head}: {name}+: adds items to a list, so both it and the extended file's '{name}' "
                         "must be lists (write '- item' lines)")
    target[name] = old + copy.deepcopy(value)
    if (loc + (name,)) not in origins.lines and line:
        origins.lines[loc + (name,)] = (source, line)
    for i in range(len(value)):
        origins._take(where, source, here + (i,), loc + (name, len(old) + i))


def _overlay(target: dict, child: dict, where: SourceMap, source: str, origins: Origins, loc: tuple = ()) -> None:
    """Merge the mapping ``child`` (of file ``source``, lines in ``where``) into ``target`` in place:
    mappings key by key, recursively; any other value (lists included) replaces the parent's whole;
    ``NAME+: [...]`` appends to the parent's list ``NAME``."""
    for key, value in child.items():
        here = loc + (key,)
        if isinstance(key, str) and len(key) > 1 and key.endswith("+"):
            _append(target, key, value, where, source, origins, loc, child)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            if here in where.lines:
                origins.lines[here] = (source, where.lines[here])
            _overlay(target[key], value, where, source, origins, here)
        else:
            origins._drop(here)
            target[key] = copy.deepcopy(value)
            origins._take(where, source, here, here)


def load_extended(path: str | Path, key: str = "extends", own: Sequence[str] = (),
                  _seen: tuple[Path, ...] = ()) -> Extended:
    """Read the YAML file ``path``; if its top level has ``key`` (``extends: baseline.yaml``, a path
    relative to the file), read that file the same way (chains allowed) and merge this file over it:
    mappings key by key, recursively; lists and other values replace the parent's whole; ``NAME+: [...]``
    appends to the parent's list ``NAME``. The keys ``own`` are never inherited (each file's own, such as
    a name). A file without ``key`` reads as :func:`load_document` does.

    Raises InputError naming the file and line of ``key`` for a parent that is missing, is not a mapping,
    or extends its child (a cycle, with the chain named); a parent's own problems (invalid YAML, a key
    given twice) name the parent.
    """
    path = Path(path)
    doc = load_document(path)
    source = str(path)
    origins = Origins(source)
    origins._take(doc.where, source, (), ())
    if not isinstance(doc.data, dict) or key not in doc.data:
        return Extended(doc.data, origins, [source], doc.duplicates)
    line = doc.where.lines.get((key,))
    head = f"{source}:{line}" if line else source
    ref = doc.data.pop(key)
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(f"{head}: {key}: the name of the file this one extends, relative to this file "
                         f"(e.g. {key}: baseline.yaml)")
    parent_path = path.parent / ref.strip()
    seen = _seen + (path.resolve(),)
    if parent_path.resolve() in seen:
        cycle = " -> ".join(p.name for p in seen + (parent_path.resolve(),))
        raise InputError(f"{head}: {key}: {ref} extends this file again (a cycle: {cycle}); "
                         "a file may only extend files that do not extend it")
    if not parent_path.is_file():
        raise InputError(f"{head}: {key}: {ref} not found (looked for {parent_path}); "
                         "give the path of an existing file, relative to this one")
    parent = load_extended(parent_path, key, own, seen)
    if parent.duplicates:
        raise InputError(render(parent.origins.head, parent.duplicates, parent.origins), parent.duplicates)
    if not isinstance(parent.data, dict):
        raise InputError(f"{head}: {key}: {ref} is not a mapping of keys to values (it is "
                         f"{'empty' if parent.data is None else type(parent.data).__name__}); "
                         "extend a scenario file")
    data = parent.data
    merged = parent.origins
    merged.top = source
    for name in own:
        if name in data:
            del data[name]
            merged._drop((name,))
    if line:
        merged.lines[(key,)] = (source, line)
    _overlay(data, doc.data, doc.where, source, merged)
    return Extended(data, merged, [source] + parent.chain, doc.duplicates)
