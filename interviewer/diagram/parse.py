"""Find Mermaid flowchart blocks in an answer and parse them into a Diagram.

A hand-written grammar (no maintained pure-Python Mermaid parser exists on PyPI: the ones there
wrap mermaid.js or are single unmaintained releases). Supported: ``flowchart``/``graph`` headers
with TD/TB/LR/RL/BT, the node shapes in syntax.py, links ``-->`` ``---`` ``-.->`` ``==>`` ``~~~``
(with ``x``/``o``/``<`` heads), link text (``-- text -->``, ``-->|text|``), chains and ``&``
groups, ``;`` between statements, nested ``subgraph ID [title] ... end``, ``%%`` comments and
front matter; ``classDef``/``class``/``style``/``linkStyle``/``click``/``direction`` are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.diagram.labels import clean_label, unquote
from interviewer.diagram.model import (
    MAX_EDGES,
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_NODES,
    Diagram,
    DiagramError,
    Edge,
    Node,
    Subgraph,
)
from interviewer.diagram.syntax import Statement

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w-]*)")
# an unfenced block starts with a bare header line: lower-case keyword, a known direction or none
_LOOSE_HEADER = re.compile(r"^[ \t]*(?:flowchart|graph)(?:[ \t]+(?i:TD|TB|LR|RL|BT)(?:[ \t]*;.*)?)?[ \t]*$")
_HEADER = re.compile(r"(flowchart|graph)(?:[ \t]+([^\s;]+))?[ \t]*(;.*)?$")
_ALIASES = {"TD": "TD", "TB": "TB", "LR": "LR", "RL": "RL", "BT": "BT",
            "V": "TD", ">": "LR", "<": "RL", "^": "BT"}
_OTHER_KINDS = ("sequenceDiagram", "classDiagram", "stateDiagram", "erDiagram", "gantt", "pie",
                "journey", "gitGraph", "mindmap", "timeline", "quadrantChart", "block-beta",
                "architecture-beta", "sankey-beta", "xychart-beta", "C4Context", "requirementDiagram")
_SKIP = re.compile(r"(?:classDef|class|style|linkStyle|click|direction)[ \t]+\w|acc(?:Title|Descr)\b")
_END = re.compile(r"end[ \t]*(?:;|%%|$)")
_SUBGRAPH = re.compile(r"subgraph(?:[ \t]+|$)")
_SUB_TITLED = re.compile(r"(\w+(?:-\w+)*)[ \t]*\[(.*)\]$")


@dataclass(frozen=True, slots=True)
class Block:
    """A diagram found in a text: its source, where it sits (character offsets of the whole
    block, fences included) and the line of its first diagram line in the text (1-based)."""
    text: str
    start: int
    end: int
    line: int
    fenced: bool


@dataclass(slots=True)
class ParsedText:
    """An answer split into its prose and its diagrams (or the error of each bad block)."""
    prose: str
    blocks: list[Block] = field(default_factory=list)
    results: list[Diagram | DiagramError] = field(default_factory=list)

    @property
    def diagrams(self) -> list[Diagram]:
        return [r for r in self.results if isinstance(r, Diagram)]

    @property
    def errors(self) -> list[DiagramError]:
        return [r for r in self.results if isinstance(r, DiagramError)]


def find_blocks(text: str) -> list[Block]:
    """```mermaid fences (or bare fences holding a flowchart), and unfenced blocks that start
    with a ``flowchart``/``graph`` header line and end at a blank line or the end of the text."""
    lines = (text or "").splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    blocks, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence:
            mark, lang = fence.group(1), fence.group(2).lower()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark[0] * len(mark)):
                j += 1
            body = "".join(lines[i + 1:j])
            first = next((ln for ln in lines[i + 1:j] if ln.strip()), "")
            if lang == "mermaid" or (not lang and _LOOSE_HEADER.match(first.rstrip("\r\n"))):
                blocks.append(Block(body, offsets[i], offsets[min(j + 1, len(lines))], i + 2, True))
            i = j + 1
            continue
        if _LOOSE_HEADER.match(lines[i].rstrip("\r\n")) and (
                ";" in lines[i] or (i + 1 < len(lines) and lines[i + 1].strip())):
            j = i + 1
            while j < len(lines) and lines[j].strip() and not _FENCE.match(lines[j]):
                j += 1
            blocks.append(Block("".join(lines[i:j]), offsets[i], offsets[j], i + 1, False))
            i = j
            continue
        i += 1
    return blocks


def prose(text: str, blocks: list[Block] | None = None) -> str:
    """The text with its diagram blocks taken out."""
    text = text or ""
    blocks = find_blocks(text) if blocks is None else blocks
    parts, at = [], 0
    for b in blocks:
        parts.append(text[at:b.start])
        at = b.end
    parts.append(text[at:])
    return "\n\n".join(p.strip() for p in parts if p.strip())


def parse_text(text: str) -> ParsedText:
    """Every diagram block of an answer, parsed, and the prose around them."""
    blocks = find_blocks(text)
    results: list[Diagram | DiagramError] = []
    for b in blocks:
        try:
            results.append(parse(b.text))
        except DiagramError as exc:
            results.append(exc)
    return ParsedText(prose(text, blocks), blocks, results)


def parse(text: str) -> Diagram:
    """Parse one flowchart block; raise DiagramError (line counted from the block's first line)."""
    lines = (text or "").splitlines()
    if len(lines) > MAX_LINES:
        raise DiagramError(MAX_LINES + 1, f"the diagram is over {MAX_LINES:,} lines "
                                          f"({len(lines):,}); draw the main components only")
    n = _skip_preamble(lines)
    if n >= len(lines):
        raise DiagramError(max(n, 1), "expected a 'flowchart' or 'graph' header (e.g. 'flowchart LR')")
    b = _Builder(_header(lines[n].strip(), n + 1))
    rest = _HEADER.match(lines[n].strip()).group(3)
    if rest:
        b.line(rest, n + 1)
    for k in range(n + 1, len(lines)):
        b.line(lines[k], k + 1)
    if b.stack:
        sg = b.diagram.subgraphs[b.stack[-1]]
        raise DiagramError(sg.line, f"subgraph '{sg.title}' is not closed (expected 'end')")
    return b.finish()


def _skip_preamble(lines: list[str]) -> int:
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("%%")):
        n += 1
    if n < len(lines) and lines[n].strip() == "---":          # front matter (title, config)
        end = next((k for k in range(n + 1, len(lines)) if lines[k].strip() == "---"), None)
        if end is None:
            raise DiagramError(n + 1, "front matter is not closed (expected '---')")
        n = end + 1
        while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("%%")):
            n += 1
    return n


def _header(line: str, lineno: int) -> str:
    m = _HEADER.match(line)
    if not m:
        word = line.split()[0] if line.split() else line
        if word.rstrip(";") in _OTHER_KINDS or word.startswith("stateDiagram"):
            raise DiagramError(lineno, f"only flowchart/graph diagrams are read, this one is a '{word}'")
        raise DiagramError(lineno, f"expected a 'flowchart' or 'graph' header (e.g. 'flowchart LR'), "
                                   f"got '{line[:30]}'")
    word = m.group(2) or "TD"
    if word.upper() not in _ALIASES:
        raise DiagramError(lineno, f"unknown direction '{word}' (expected TD, TB, LR, RL or BT)")
    return _ALIASES[word.upper()]


class _Builder:
    def __init__(self, direction: str):
        self.diagram = Diagram(direction)
        self.stack: list[str] = []
        self.explicit: set[str] = set()

    def line(self, text: str, lineno: int) -> None:
        if len(text) > MAX_LINE_CHARS:
            raise DiagramError(lineno, f"the line is over {MAX_LINE_CHARS:,} characters; split it")
        pos = len(text) - len(text.lstrip())
        if text.startswith("%%", pos):
            return
        while pos < len(text):
            while pos < len(text) and text[pos] in " \t;":
                pos += 1
            if pos >= len(text) or text.startswith("%%", pos):
                return
            if _SKIP.match(text, pos):
                return
            if _END.match(text, pos):
                if not self.stack:
                    raise DiagramError(lineno, "'end' without an open subgraph")
                self.stack.pop()
                pos += 3
                continue
            if _SUBGRAPH.match(text, pos):
                self.subgraph(text[pos + len("subgraph"):].strip().rstrip(";").strip(), lineno)
                return
            st = Statement(text, lineno, pos)
            self.add(*st.scan(), lineno)
            pos = st.pos

    def subgraph(self, rest: str, lineno: int) -> None:
        if not rest:
            raise DiagramError(lineno, "expected a name after 'subgraph'")
        m = _SUB_TITLED.match(rest)
        sid, title = (m.group(1), m.group(2)) if m else (unquote(rest), rest)
        title = clean_label(unquote(title)) or sid
        if sid in self.diagram.subgraphs:
            raise DiagramError(lineno, f"subgraph '{sid}' is already declared on line "
                                       f"{self.diagram.subgraphs[sid].line}")
        parent = self.stack[-1] if self.stack else None
        self.diagram.subgraphs[sid] = Subgraph(sid, title, parent, lineno)
        self.stack.append(sid)

    def add(self, groups, links, lineno: int) -> None:
        nodes, where = self.diagram.nodes, self.stack[-1] if self.stack else None
        for group in groups:
            for ref in group:
                node = nodes.get(ref.id)
                if node is None:
                    if len(nodes) >= MAX_NODES:
                        raise DiagramError(lineno, f"too many nodes (over {MAX_NODES:,}); "
                                                   "draw the main components only")
                    node = nodes[ref.id] = Node(ref.id, ref.id, "box", where, lineno)
                elif node.subgraph is None:
                    node.subgraph = where
                if ref.label is not None:
                    node.label, node.shape = ref.label, ref.shape or "box"
                    self.explicit.add(ref.id)
        edges = self.diagram.edges
        for k, link in enumerate(links):
            for s in groups[k]:
                for d in groups[k + 1]:
                    src, dst = (d.id, s.id) if link.arrow == "backward" else (s.id, d.id)
                    arrow = "forward" if link.arrow == "backward" else link.arrow
                    edges.append(Edge(src, dst, link.label, link.style, arrow, lineno))
            if len(edges) > MAX_EDGES:
                raise DiagramError(lineno, f"too many links (over {MAX_EDGES:,})")

    def finish(self) -> Diagram:
        d = self.diagram
        for sid in d.subgraphs:            # an edge to a subgraph's id links the subgraph
            if sid in d.nodes and sid not in self.explicit:
                del d.nodes[sid]
        return d
