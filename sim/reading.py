"""Reading the files a user names: bounded, regular files only, never echoed back.

Every scenario, sweep, base, states and CSV file goes through :func:`read_text`, which

- opens without blocking (a FIFO or a terminal never stalls the program) and accepts only
  a regular file: devices such as ``/dev/zero``, folders and FIFOs are refused;
- refuses a file larger than its limit before reading it (:data:`LIMITS`);
- decodes UTF-8 (a byte-order mark is allowed) and names the line of a NUL byte or of the
  first byte that is not UTF-8;
- never puts the file's contents in a message: a file that is not what was expected is
  named, with what was expected.

YAML goes through :func:`load_yaml`: the safe loader, plus a refusal of duplicate keys
(the last one would silently win), of nesting deeper than :data:`MAX_DEPTH` and of more
than :data:`MAX_NODES` nodes, each alias counted as all it repeats (a "billion laughs" file
of a few hundred bytes); the limit counts every node, so a long plain file meets it too.
libyaml's parser reads the file; where it finds a problem, PyYAML's reads it again, so
that the message is PyYAML's.

When a file was named by a field of another file (``states: FILE``, ``pairs.csv``,
``extends``, ``reference``), a problem with the file *as a file* is reported against the
field that named it: :class:`FileProblem` carries the path, and :func:`blame_field`
re-raises it with the referring file, field and line.

Limits (far above any real study):

=====================  ===========================================
scenario / sweep YAML  5 MB
CSV table              50 MB
YAML nesting           50 levels
YAML nodes             100,000 (an alias counts as all it repeats)
=====================  ===========================================
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError
from sim.scenario.limits import where_of

MB = 1024 * 1024
LIMITS = {"yaml": 5 * MB, "csv": 50 * MB}
MAX_DEPTH = 50
MAX_NODES = 100_000


class FileProblem(InputError):
    """The named path is not a readable file of the expected kind (as opposed to a bad value in it)."""

    def __init__(self, path: str | Path, expected: str, *, line: int | None = None):
        self.path = Path(path)
        super().__init__(path, None, expected, line=line)


def read_bytes(path: str | Path, *, kind: str = "yaml", what: str = "a scenario file") -> bytes:
    """The bytes of a regular file of at most ``LIMITS[kind]`` bytes."""
    path = Path(path)
    limit = LIMITS[kind]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        noun = what.removeprefix("a ").removeprefix("an ")
        raise FileProblem(path, f"an existing {noun}") from None
    except OSError as exc:
        why = "a loop of symbolic links" if exc.errno == errno.ELOOP else (exc.strerror or type(exc).__name__)
        raise FileProblem(path, f"a readable file ({what}; {why})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem(path, f"a regular file ({what}); this is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem(path, f"a regular file ({what}); this is a device, FIFO or socket")
        if st.st_size > limit:
            raise FileProblem(path, f"a file of at most {limit // MB} MB ({what}); this one has "
                              f"{st.st_size / MB:.0f} MB")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while being read
                raise FileProblem(path, f"a file of at most {limit // MB} MB ({what})")
    except OSError as exc:
        raise FileProblem(path, f"a readable file ({what}; {exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def decode(data: bytes, path: str | Path, *, what: str = "a scenario file") -> str:
    """UTF-8 text (an optional BOM dropped); a NUL byte or a non-UTF-8 byte names its line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(path, f"UTF-8 text ({what}); this file is UTF-16", line=1)
    nul = data.find(b"\0")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if 0 <= nul < exc.start:
            exc = None
        else:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FileProblem(path, f"UTF-8 text ({what}); byte 0x{data[exc.start]:02x} on line {line} "
                              "is not UTF-8 (save the file as UTF-8)", line=line) from None
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FileProblem(path, f"text ({what}); the file holds a NUL byte on line {line}", line=line)
    return text


def read_text(path: str | Path, *, kind: str = "yaml", what: str = "a scenario file") -> str:
    return decode(read_bytes(path, kind=kind, what=what), path, what=what)


def blame_field(exc: FileProblem, source: str | Path, field: str, line: int | None) -> InputError:
    """The problem with a named file, reported against the field that named it."""
    inner = exc.expected
    if exc.line and f"line {exc.line}" not in inner:
        inner += f" (line {exc.line})"
    return InputError(source, field, f"{inner} in {exc.path}", line=line)


def blame_file(sc, exc: FileProblem) -> InputError:
    """A problem with a file named by a scenario field (``pairs.csv``, ``inputs.states``,
    ``inputs.dyads``, ``reference``), reported against that field and its line."""
    target = os.path.abspath(exc.path)
    for keys in (("pairs", "csv"), ("inputs", "states"), ("inputs", "dyads"), ("reference",)):
        value = sc
        for k in keys:
            value = getattr(value, k, None)
        if isinstance(value, str) and os.path.abspath(sc.resolve(value)) == target:
            file, line = where_of(sc, *keys)  # in a base scenario when inherited (extends)
            return blame_field(exc, file, ".".join(keys), line)
    return exc


# ---------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------


class YamlProblem(Exception):
    def __init__(self, expected: str, mark, field: str | None = None):
        self.expected, self.line, self.field = expected, (mark.line + 1) if mark else None, field
        super().__init__(expected)


class BoundedComposer(yaml.composer.Composer):
    """The composer of the safe loader with a nesting limit, an alias budget and no duplicate keys."""

    def compose_node(self, parent, index):
        path = self.__dict__.setdefault("_path", [])
        path.append((index.value, index.start_mark) if isinstance(index, yaml.ScalarNode) else (index, None))
        try:
            if len(path) > MAX_DEPTH:
                # Blame the top-level key (its line), and say where the limit is crossed.
                mark = self.peek_event().start_mark
                top = next(((k, m) for k, m in path[1:] if k is not None), (None, None))
                where = f" (level {MAX_DEPTH + 1} is on line {mark.line + 1})"
                raise YamlProblem(f"nesting of at most {MAX_DEPTH} levels{where}", top[1] or mark,
                                  field=dotted([top[0]]) if top[0] is not None else None)
            return super().compose_node(parent, index)
        finally:
            path.pop()

    def compose_document(self):
        node = super().compose_document()
        count_nodes(node)
        _no_duplicate_keys(node, [], set())
        return node


class BoundedLoader(BoundedComposer, yaml.SafeLoader):
    """The safe loader, bounded: PyYAML's own reader, scanner and parser (the messages of
    :func:`load_yaml` name their problems)."""


if yaml.__with_libyaml__:
    class FastBoundedLoader(BoundedComposer, yaml.cyaml.CParser, yaml.constructor.SafeConstructor,
                            yaml.resolver.Resolver):
        """The same loader on libyaml's parser: the same checks and data, 20 times faster to
        read (scanning and parsing were nine tenths of reading a scenario, which every
        command does two or three times)."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            BoundedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    FastBoundedLoader = BoundedLoader


def compose_yaml(text: str) -> yaml.Node | None:
    """The composed document of ``text``, bounded; libyaml's parser reads it, and PyYAML's
    reads it again to raise its own error where libyaml found one."""
    try:
        return yaml.compose(text, Loader=FastBoundedLoader)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=BoundedLoader)


def dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _no_duplicate_keys(node, path: list, seen_nodes: set) -> None:
    """Refuse a mapping that gives a key twice (the last would silently win), naming its path."""
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _no_duplicate_keys(v, path + [i], seen_nodes)
    elif isinstance(node, yaml.MappingNode):
        keys = set()
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.tag == "tag:yaml.org,2002:null":
                raise YamlProblem("a key name (this key is empty or null: '~', 'null' or nothing before "
                                  "the colon)", k.start_mark, field=dotted(path) or None)
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                if (k.tag, k.value) in keys:
                    raise YamlProblem(f"each key once in a mapping ('{k.value}' appears twice; the second would "
                                      "silently replace the first)", k.start_mark, field=dotted(path + [k.value]))
                keys.add((k.tag, k.value))
                _no_duplicate_keys(v, path + [k.value], seen_nodes)


def count_nodes(root, budget: int = MAX_NODES) -> int:
    """Nodes of a composed document with every alias expanded; refuse beyond ``budget``."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a recursive alias counts once
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(v) for v in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        if total > budget:
            raise YamlProblem(f"at most {budget:,} YAML nodes in the document (each key, value, list and mapping is "
                              "one; a '*name' reference counts as all it repeats)", node.start_mark)
        sizes[key] = total
        return total

    return size(root) if root is not None else 0


def load_yaml(text: str, path: str | Path) -> Any:
    """Parse one YAML document safely; problems become an InputError with the line."""
    try:
        try:
            return yaml.load(text, Loader=FastBoundedLoader)
        except yaml.YAMLError:  # read again for PyYAML's own message
            return yaml.load(text, Loader=BoundedLoader)
    except YamlProblem as exc:
        raise InputError(path, exc.field, exc.expected, line=exc.line) from None
    except RecursionError:
        raise InputError(path, None, f"nesting of at most {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark else None
        if line is None and getattr(exc, "position", None) is not None:  # a ReaderError
            line = text.count("\n", 0, exc.position) + 1
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "a syntax error"
        context = getattr(exc, "context", None)
        detail = f"{context}, {problem}" if context else problem
        raise InputError(path, None, f"valid YAML ({detail})", line=line) from None
