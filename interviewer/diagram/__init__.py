"""Design diagrams as text: Mermaid flowchart blocks in an answer, parsed, checked and rendered.

    parse_text(answer)   -> ParsedText(prose, blocks, results)   every block of an answer
    find_blocks(text)    -> [Block]                              where the diagrams are
    parse(block_text)    -> Diagram                              or DiagramError (one line)
    answer.read_answer(t)-> DrawnAnswer                          prose, last diagram, report, heard
    check(diagram)       -> DiagramReport                        funnel, logging loop, ...
    to_dot(diagram)      -> str                                  Graphviz DOT
    to_sentences(diagram)-> [str]                                labels as plain sentences

No UI and no engine or grading imports: callers decide what to do with the report.
"""

from interviewer.diagram.checks import CHECK_IDS, DiagramReport, Finding, check
from interviewer.diagram.model import Diagram, DiagramError, Edge, Node, Subgraph
from interviewer.diagram.parse import (
    Block,
    ParsedText,
    find_blocks,
    parse,
    parse_text,
    prose,
)
from interviewer.diagram.render import to_dot, to_sentences
from interviewer.diagram.roles import DiagramVocab, RoleIndex, load_roles
from interviewer.diagram.template import STARTER_TEMPLATE

__all__ = [
    "CHECK_IDS", "STARTER_TEMPLATE", "Block", "Diagram", "DiagramError", "DiagramReport",
    "DiagramVocab", "Edge", "Finding", "Node", "ParsedText", "RoleIndex", "Subgraph", "check",
    "find_blocks", "load_roles", "parse", "parse_text", "prose", "to_dot", "to_sentences",
]
