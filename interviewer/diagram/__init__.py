"""Design diagrams as text: Mermaid flowchart blocks in an answer, parsed.

    parse_text(answer)   -> ParsedText(prose, blocks, results)   every block of an answer
    find_blocks(text)    -> [Block]                              where the diagrams are
    parse(block_text)    -> Diagram                              or DiagramError (one line)

No UI and no engine or grading imports.
"""

from interviewer.diagram.model import Diagram, DiagramError, Edge, Node, Subgraph
from interviewer.diagram.parse import (
    Block,
    ParsedText,
    find_blocks,
    parse,
    parse_text,
    prose,
)

__all__ = [
    "Block", "Diagram", "DiagramError", "Edge", "Node", "ParsedText", "Subgraph",
    "find_blocks", "parse", "parse_text", "prose",
]
