"""An answer read for its diagram: the prose, the last well-formed diagram, its check report,
the words a listener or grader hears, and the one-line error of a malformed block.

The engine, the feedback service and the app all read answers through ``read_answer``, so a
diagram means the same thing in the chat, in ``interviewer feedback`` and on the Feedback page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from interviewer.diagram.checks import DiagramReport, check
from interviewer.diagram.model import Diagram, DiagramError
from interviewer.diagram.parse import Block, find_blocks, parse, parse_text
from interviewer.diagram.render import to_dot, to_sentences


def error_line(block: Block, err: DiagramError, *, in_text: bool = False) -> str:
    """One line naming the diagram's line (and the message's, when there is more than the diagram)."""
    where = f"diagram line {err.line}"
    if in_text:
        where += f" (message line {block.line + err.line - 1})"
    return f"{where}: {err.message}"


@dataclass
class DrawnAnswer:
    text: str
    prose: str
    diagram: Diagram | None = None      # the last well-formed diagram of the answer
    source: str = ""                    # its Mermaid text
    error: str | None = None            # the first malformed block, as one line
    blocks: int = 0
    sentences: list[str] = field(default_factory=list)

    @property
    def has_blocks(self) -> bool:
        return self.blocks > 0

    @cached_property
    def report(self) -> DiagramReport | None:
        return check(self.diagram) if self.diagram is not None else None

    @property
    def heard(self) -> str:
        """The prose and the diagram's labels as sentences: what the candidate said."""
        return "\n\n".join(p for p in (self.prose, " ".join(self.sentences)) if p.strip())

    def dot(self) -> str:
        return to_dot(self.diagram) if self.diagram is not None else ""


def _may_hold_diagram(text: str) -> bool:
    return "graph" in text or "flowchart" in text or "mermaid" in text


def read_answer(text: str | None) -> DrawnAnswer:
    """Every diagram block of ``text`` parsed; the answer as it stands without one."""
    text = text or ""
    if not _may_hold_diagram(text):
        return DrawnAnswer(text, text)              # the common case: no diagram, no parsing
    parsed = parse_text(text)
    if not parsed.blocks:
        return DrawnAnswer(text, text)
    out = DrawnAnswer(text, parsed.prose, blocks=len(parsed.blocks))
    for block, result in zip(parsed.blocks, parsed.results):
        if isinstance(result, DiagramError):
            if out.error is None:
                out.error = error_line(block, result,
                                       in_text=len(parsed.blocks) > 1 or bool(parsed.prose.strip()))
        else:
            out.diagram, out.source = result, block.text.strip("\n")
    if out.diagram is not None:
        out.sentences = to_sentences(out.diagram)
    return out


@dataclass
class Preview:
    """The app's diagram box as it stands: the DOT to draw, or the one-line error, and the
    covered / missing lines of its checks."""
    source: str
    dot: str = ""
    error: str | None = None
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def preview(box: str | None) -> Preview:
    """Read the diagram box: the text is the diagram itself, with or without a ```mermaid fence."""
    box = (box or "").strip()
    if not box:
        return Preview("", error="the diagram is empty: start from the template or type 'flowchart LR'")
    drawn = read_answer(box if read_answer(box).has_blocks else as_message(box))
    if drawn.error or drawn.report is None:
        return Preview(box, error=drawn.error or "no diagram found: start with 'flowchart LR'")
    return Preview(drawn.source, drawn.dot(), None, [f.text for f in drawn.report.covered],
                   [f.text for f in drawn.report.missing])


def as_message(box: str, prose: str = "") -> str:
    """The chat message that sends the box's diagram (after the prose, if any)."""
    box = (box or "").strip()
    if read_answer(box).has_blocks and box.startswith(("```", "~~~")):
        diagram = box
    else:
        diagram = f"```mermaid\n{box}\n```"
    return f"{prose.strip()}\n\n{diagram}" if prose.strip() else diagram


def dot_of(source: str) -> str:
    """DOT for a saved diagram's Mermaid source ("" if it no longer parses)."""
    drawn = read_answer(as_message(source))
    return drawn.dot() if drawn.diagram is not None else ""


def preview_answer(text: str | None) -> Preview | None:
    """A written answer's diagram for a preview: None when the answer holds none."""
    drawn = read_answer(text)
    if not drawn.has_blocks:
        return None
    if drawn.error or drawn.diagram is None:
        return Preview("", error=drawn.error)
    report = drawn.report
    return Preview(drawn.source, drawn.dot(), None, [f.text for f in report.covered] if report else [],
                   [f.text for f in report.missing] if report else [])


@dataclass(frozen=True)
class Piece:
    """One part of a chat message as it is shown: Markdown prose, or a diagram block with the
    DOT to draw it (``dot`` is "" and ``error`` one line when the block does not parse)."""
    kind: str                           # "text" or "diagram"
    text: str                           # the prose, or the diagram's Mermaid source
    dot: str = ""
    error: str | None = None


def message_pieces(text: str | None) -> list[Piece]:
    """A chat message split for display: its prose runs and each diagram block in its place
    (fences dropped: the block is drawn, or shown as source when it cannot be)."""
    text = text or ""
    blocks = find_blocks(text) if _may_hold_diagram(text) else []
    if not blocks:
        return [Piece("text", text)] if text.strip() else []
    out, at = [], 0
    many = len(blocks) > 1
    for block in blocks:
        before = text[at:block.start].strip()
        if before:
            out.append(Piece("text", before))
        at = block.end
        try:
            diagram = parse(block.text)
        except DiagramError as err:
            out.append(Piece("diagram", block.text.strip("\n"), error=error_line(
                block, err, in_text=many or bool(before) or bool(text[block.end:].strip()))))
            continue
        out.append(Piece("diagram", block.text.strip("\n"), to_dot(diagram)))
    after = text[at:].strip()
    if after:
        out.append(Piece("text", after))
    return out
