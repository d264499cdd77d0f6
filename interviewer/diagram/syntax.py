"""One flowchart statement, scanned by hand: nodes with shapes, ``&`` groups, links with labels.

A statement is ``group (link group)*`` where a group is ``node ('&' node)*`` and a node is an id
with an optional shape (``A[label]``, ``A[(label)]``, ``A@{ shape: cyl, label: "x" }``, ...)
and an optional ``:::class``. Every failure is a DiagramError naming the line and what was
expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.diagram.labels import clean_label, unquote
from interviewer.diagram.model import DiagramError

_ID = re.compile(r"\w+(?:-\w+)*")
_CLASS = re.compile(r":::[\w-]+")
_WS = re.compile(r"[ \t]*")

# opener -> [(closer, shape)], longest opener first; the earliest closer found wins
_SHAPES: list[tuple[str, list[tuple[str, str]]]] = [
    ("(((", [(")))", "double_circle")]),
    ("((", [("))", "circle")]),
    ("([", [("])", "stadium")]),
    ("(", [(")", "round")]),
    ("[[", [("]]", "subroutine")]),
    ("[(", [(")]", "database")]),
    ("[/", [("/]", "parallelogram"), ("\\]", "trapezoid")]),
    ("[\\", [("\\]", "parallelogram_alt"), ("/]", "trapezoid_alt")]),
    ("[", [("]", "box")]),
    ("{{", [("}}", "hexagon")]),
    ("{", [("}", "rhombus")]),
    (">", [("]", "asymmetric")]),
]

# Mermaid v11 ``A@{ shape: NAME }`` names -> our shapes; any other name draws a box
_NAMED_SHAPES = {
    "rect": "box", "rectangle": "box", "proc": "box", "process": "box",
    "rounded": "round", "event": "round", "stadium": "stadium", "pill": "stadium",
    "terminal": "stadium", "subproc": "subroutine", "subprocess": "subroutine",
    "subroutine": "subroutine", "fr-rect": "subroutine", "cyl": "database",
    "cylinder": "database", "database": "database", "db": "database", "h-cyl": "database",
    "das": "database", "lin-cyl": "database", "disk": "database", "circle": "circle",
    "circ": "circle", "dbl-circ": "double_circle", "double-circle": "double_circle",
    "diam": "rhombus", "diamond": "rhombus", "decision": "rhombus", "question": "rhombus",
    "hex": "hexagon", "hexagon": "hexagon", "prepare": "hexagon", "lean-r": "parallelogram",
    "in-out": "parallelogram", "lean-l": "parallelogram_alt", "out-in": "parallelogram_alt",
    "trap-b": "trapezoid", "priority": "trapezoid", "trap-t": "trapezoid_alt",
    "manual": "trapezoid_alt", "odd": "asymmetric",
}

_XO = r"[xo](?![\w])"
_LINK = re.compile(rf"(?P<lt><|(?<![^ \t])[xo](?=[-=.]))?(?P<body>-{{2,}}{_XO}|={{2,}}{_XO}|-\.+-{_XO}"
                   r"|-{2,}>|={2,}>|-\.+->|-{3,}|={3,}|-\.+-|~{3,})")
# a link with its text inside: start token, then the tokens that may end it
_TEXT_LINKS = [
    (re.compile(r"(?P<lt><)?--(?![->])"), re.compile(rf"-{{2,}}{_XO}|-{{2,}}>|-{{3,}}"), "-->' or '---"),
    (re.compile(r"(?P<lt><)?==(?![=>])"), re.compile(rf"={{2,}}{_XO}|={{2,}}>|={{3,}}"), "==>' or '==="),
    (re.compile(r"(?P<lt><)?-\.(?![.-])"), re.compile(rf"\.-+{_XO}|\.-+>|\.-+"), ".->' or '.-"),
]

@dataclass(slots=True)
class NodeRef:
    id: str
    label: str | None = None        # None: a bare reference, keeps any earlier label
    shape: str | None = None


@dataclass(slots=True)
class LinkRef:
    text: str                       # as written, for messages
    label: str
    style: str
    arrow: str                      # forward | none | both | backward


def _show(rest: str) -> str:
    rest = rest.strip()
    return f"'{rest[:24]}…'" if len(rest) > 24 else f"'{rest}'"


class Statement:
    """Scans the statements of one line (split by ';') from ``pos`` on."""

    def __init__(self, text: str, line: int, pos: int = 0):
        self.s, self.line, self.pos = text, line, pos

    def err(self, message: str) -> DiagramError:
        return DiagramError(self.line, message)

    def ws(self) -> None:
        self.pos = _WS.match(self.s, self.pos).end()

    def at_end(self) -> bool:
        self.ws()
        return self.pos >= len(self.s) or self.s[self.pos] == ";" or self.s.startswith("%%", self.pos)

    def scan(self) -> tuple[list[list[NodeRef]], list[LinkRef]]:
        """One statement: its node groups and the links between them; stops at ';' or the end."""
        groups, links = [self.group(None)], []
        while not self.at_end():
            link = self.link()
            if link is None:
                last = groups[-1][-1].id
                raise self.err(f"unexpected {_show(self.s[self.pos:])} after node '{last}' "
                               "(expected a link such as '-->', '&' or the end of the line)")
            if self.at_end():
                raise self.err(f"expected a node after '{link.text}'")
            groups.append(self.group(link.text))
            links.append(link)
        return groups, links

    def group(self, after: str | None) -> list[NodeRef]:
        nodes = [self.node(after)]
        while True:
            self.ws()
            if self.s.startswith("&", self.pos):
                self.pos += 1
                self.ws()
                nodes.append(self.node("&"))
            else:
                return nodes

    def node(self, after: str | None) -> NodeRef:
        m = _ID.match(self.s, self.pos)
        if not m:
            rest = self.s[self.pos:]
            if after:
                raise self.err(f"expected a node after '{after}', got {_show(rest)}")
            raise self.err(f"expected a node id, got {_show(rest)}")
        ref = NodeRef(m.group(0))
        if ref.id == "end":
            raise self.err("'end' closes a subgraph and cannot be a node id (write End or end_)")
        self.pos = m.end()
        if self.s.startswith("@{", self.pos):
            self.named_shape(ref)
        else:
            self.shape(ref)
        m = _CLASS.match(self.s, self.pos)
        if m:
            self.pos = m.end()
        return ref

    def shape(self, ref: NodeRef) -> None:
        start = self.pos
        self.ws()
        for opener, closers in _SHAPES:
            if self.s.startswith(opener, self.pos) and (opener != ">" or self.pos == start):
                break
        else:
            self.pos = start
            return
        self.pos += len(opener)
        self.ws()
        if self.s.startswith('"', self.pos):
            end = self.s.find('"', self.pos + 1)
            if end < 0:
                raise self.err(f"unclosed quote in the label of node '{ref.id}' (expected '\"')")
            label, self.pos = self.s[self.pos + 1:end], end + 1
            self.ws()
            for closer, shape in closers:
                if self.s.startswith(closer, self.pos):
                    break
            else:
                raise self.err(f"expected '{closers[0][0]}' after the label of node '{ref.id}'")
        else:
            found = [(i, closer, shape) for closer, shape in closers
                     if (i := self.s.find(closer, self.pos)) >= 0]
            if not found:
                raise self.err(f"unclosed '{opener}' in node '{ref.id}' (expected '{closers[0][0]}')")
            i, closer, shape = min(found)
            label, self.pos = self.s[self.pos:i], i
        self.pos += len(closer)
        ref.label, ref.shape = clean_label(label) or ref.id, shape

    def named_shape(self, ref: NodeRef) -> None:
        i, quoted = self.pos + 2, False
        while i < len(self.s) and (quoted or self.s[i] != "}"):
            quoted ^= self.s[i] == '"'
            i += 1
        if i >= len(self.s):
            raise self.err(f"unclosed '@{{' in node '{ref.id}' (expected '}}')")
        body, self.pos = self.s[self.pos + 2:i], i + 1
        fields = dict(re.findall(r'(\w+)\s*:\s*("[^"]*"|[^,]*)', body))
        ref.shape = _NAMED_SHAPES.get(unquote(fields.get("shape", "")).lower(), "box")
        ref.label = clean_label(unquote(fields.get("label", ""))) or ref.id

    def pipe_label(self, link: str) -> str:
        at = _WS.match(self.s, self.pos + 1).end()
        if self.s.startswith('"', at):
            close = self.s.find('"', at + 1)
            end = _WS.match(self.s, close + 1).end() if close >= 0 else -1
            if end < 0 or not self.s.startswith("|", end):
                raise self.err(f"unclosed quote in the label of '{link}' (expected '\"|')")
            label = self.s[at + 1:close]
        else:
            end = self.s.find("|", self.pos + 1)
            if end < 0:
                raise self.err(f"unclosed '|' in the label of '{link}' (expected '|')")
            label = self.s[self.pos + 1:end]
        self.pos = end + 1
        return label

    def link(self) -> LinkRef | None:
        start = self.pos
        m = _LINK.match(self.s, self.pos)
        if m:
            self.pos = m.end()
            body, label = m.group("body"), ""
        else:
            for opener, closer, expected in _TEXT_LINKS:
                m = opener.match(self.s, self.pos)
                if m:
                    break
            else:
                return None
            e = closer.search(self.s, m.end())
            if not e:
                raise self.err(f"unclosed link text after '{m.group(0).lstrip('<')}' (expected '{expected}')")
            body = m.group(0).lstrip("<") + e.group(0)
            label, self.pos = unquote(self.s[m.end():e.start()]), e.end()
        text, save = self.s[start:self.pos].strip(), self.pos
        self.ws()
        if self.s.startswith("|", self.pos):
            label = self.pipe_label(text)
            text = self.s[start:self.pos].strip()
        else:
            self.pos = save
        style = ("invisible" if body[0] == "~" else "thick" if body[0] == "=" else
                 "dotted" if "." in body else "solid")
        head = body[-1] in ">xo" and style != "invisible"
        tail = bool(m.group("lt"))
        arrow = ("both" if head and tail else "forward" if head else "backward" if tail else "none")
        return LinkRef(text, clean_label(label), style, arrow)
