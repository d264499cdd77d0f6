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
from interviewer.diagram.parse import Block, parse_text
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


def read_answer(text: str | None) -> DrawnAnswer:
    """Every diagram block of ``text`` parsed; the answer as it stands without one."""
    text = text or ""
    if "graph" not in text and "flowchart" not in text and "mermaid" not in text:
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
