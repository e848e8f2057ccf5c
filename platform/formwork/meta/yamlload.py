"""Read YAML with the safe loader while remembering the line of every node.

Errors must point at a file and line, so each document is returned together
with a map from its JSON path (a tuple of keys and indexes) to a line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DefinitionError
from .limits import MAX_DOCUMENT_CHARS, MAX_FILE_BYTES

JsonPath = tuple[str | int, ...]
PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
DOCUMENT_MARKER = re.compile(r"---(\s|$)")


@dataclass
class Document:
    """One YAML document of a pack file, as plain data plus line numbers."""

    file: str
    data: Any
    lines: dict[JsonPath, int] = field(default_factory=dict)
    pack: str = ""
    #: a tenant's customization rather than a pack's definition: it may use every installed pack, required or not
    customization: bool = False

    @property
    def kind(self) -> str | None:
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) else None

    def line_of(self, path: JsonPath) -> int:
        """The line of the deepest node on `path` that exists (1-based)."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: JsonPath, message: str) -> DefinitionError:
        return DefinitionError(self.file, self.line_of(path), format_path(path), message)


def format_path(path: JsonPath) -> str:
    """`fields[2].name` style, as an implementer would point at it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    """Turns a composed node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[JsonPath, int] = {}
        self.errors: list[DefinitionError] = []
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: JsonPath = ()) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.CollectionNode):
            # An alias makes the composer hand back a node it gave before: refused, so a definition can
            # neither refer to itself nor multiply into millions of nodes ("billion laughs").
            if id(node) in self.seen:
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not supported in definitions", node.start_mark
                )
            self.seen.add(id(node))
        if isinstance(node, yaml.CollectionNode) and node.tag not in PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"tag {node.tag!r} is not allowed", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(self.loader.construct_object(key_node, deep=True))
            if key in result:
                self.errors.append(
                    DefinitionError(
                        self.file,
                        key_node.start_mark.line + 1,
                        format_path((*path, key)),
                        f"key '{key}' appears twice in the same mapping",
                    )
                )
            result[key] = self.build(value_node, (*path, key))
        return result


def parse_documents(text: str, file: str) -> tuple[list[Document], list[DefinitionError]]:
    """Parse every document in `text`; a syntax error becomes a DefinitionError, not an exception.

    A syntax error ends the YAML stream, which would hide every document after it; parsing starts again at the
    next document marker (`---` at the start of a line always begins a document), so they are checked too.
    """
    documents: list[Document] = []
    errors: list[DefinitionError] = []
    lines = text.splitlines(keepends=True)
    start: int | None = 0
    while start is not None:
        # blank lines in front keep every mark at its line in the file
        syntax_line = _parse_stream("\n" * start + "".join(lines[start:]), file, documents, errors)
        start = None if syntax_line is None else _next_document(lines, after=start, from_line=syntax_line)
    return documents, errors


def _parse_stream(text: str, file: str, documents: list[Document], errors: list[DefinitionError]) -> int | None:
    """Add the documents of `text` and their errors; the 0-based line of a syntax error that stopped it, if any."""
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if too_big := _size_error(node, file):
                errors.append(too_big)
                continue
            builder = _Builder(loader, file)
            documents.append(Document(file, builder.build(node), builder.lines))
            errors.extend(builder.errors)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(DefinitionError(file, line + 1, "", f"invalid YAML: {problem}"))
        return line
    finally:
        loader.dispose()
    return None


def _next_document(lines: list[str], after: int, from_line: int) -> int | None:
    """The first document marker at or below `from_line` that is past `after`, where parsing started last."""
    return next((i for i in range(max(from_line, after + 1), len(lines)) if DOCUMENT_MARKER.match(lines[i])), None)


def _size_error(node: yaml.Node, file: str) -> DefinitionError | None:
    """A document past MAX_DOCUMENT_CHARS is not built: checking it would take long, and no tenant needs one."""
    size = node.end_mark.index - node.start_mark.index
    if size <= MAX_DOCUMENT_CHARS:
        return None
    return DefinitionError(
        file,
        node.start_mark.line + 1,
        "",
        f"the document has {size:,} characters; a document may have at most {MAX_DOCUMENT_CHARS:,}: "
        "split it (a seed into several seeds, an entity into entities that refer to each other)",
    )


def read_text(path: Path) -> tuple[str | None, list[DefinitionError]]:
    """The text of a definition file, or why it cannot be read: too big, unreadable, or not UTF-8 (at the line and
    column of the first byte that is not)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                DefinitionError(
                    str(path),
                    1,
                    "",
                    f"the file has {size:,} bytes; a definition file may have at "
                    f"most {MAX_FILE_BYTES:,}: split it into several files",
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return None, [DefinitionError(str(path), 1, "", f"cannot read file: {exc.strerror or exc}")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [_decode_error(exc, str(path))]


def _decode_error(exc: UnicodeDecodeError, file: str) -> DefinitionError:
    before = exc.object[: exc.start]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    shown = " ".join(f"0x{byte:02x}" for byte in exc.object[exc.start : exc.end])
    return DefinitionError(
        file,
        before.count(b"\n") + 1,
        "",
        f"the file is not UTF-8 text: {shown} at column {column} cannot be decoded; save it as UTF-8",
    )


def read_documents(path: Path) -> tuple[list[Document], list[DefinitionError]]:
    text, errors = read_text(path)
    if text is None:
        return [], errors
    return parse_documents(text, str(path))
