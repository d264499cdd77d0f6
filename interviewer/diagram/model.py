"""What a parsed diagram is made of: nodes, edges, subgraphs, and the one-line parse error."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LINES = 2_000
MAX_NODES = 1_000
MAX_EDGES = 5_000
MAX_LINE_CHARS = 4_000

DIRECTIONS = ("TD", "TB", "LR", "RL", "BT")

SHAPES = ("box", "round", "stadium", "subroutine", "database", "circle", "double_circle",
          "asymmetric", "rhombus", "hexagon", "parallelogram", "parallelogram_alt",
          "trapezoid", "trapezoid_alt")


class DiagramError(ValueError):
    """A malformed diagram block. ``line`` counts from the block's first line (the header is 1)."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"diagram line {line}: {message}")


@dataclass(slots=True)
class Node:
    id: str
    label: str
    shape: str = "box"
    subgraph: str | None = None     # id of the innermost subgraph it was declared in
    line: int = 0


@dataclass(frozen=True, slots=True)
class Edge:
    src: str
    dst: str
    label: str = ""
    style: str = "solid"            # solid | dotted | thick | invisible
    arrow: str = "forward"          # forward | none | both
    line: int = 0


@dataclass(slots=True)
class Subgraph:
    id: str
    title: str
    parent: str | None = None
    line: int = 0


@dataclass(slots=True)
class Diagram:
    direction: str = "TD"
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    subgraphs: dict[str, Subgraph] = field(default_factory=dict)

    def label(self, node_id: str) -> str:
        """A node's or subgraph's label, or the id itself."""
        if node_id in self.nodes:
            return self.nodes[node_id].label
        if node_id in self.subgraphs:
            return self.subgraphs[node_id].title
        return node_id

    def members(self, subgraph_id: str) -> list[str]:
        """Node ids inside a subgraph, nested ones included, in declaration order."""
        inside = {subgraph_id}
        changed = True
        while changed:
            changed = False
            for sg in self.subgraphs.values():
                if sg.parent in inside and sg.id not in inside:
                    inside.add(sg.id)
                    changed = True
        return [n.id for n in self.nodes.values() if n.subgraph in inside]
