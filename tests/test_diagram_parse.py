"""Mermaid flowchart blocks: finding them in an answer, parsing them, and every malformed case."""

from __future__ import annotations

import time

import pytest

from interviewer.diagram import (
    Diagram,
    DiagramError,
    find_blocks,
    parse,
    parse_text,
    prose,
)
from interviewer.diagram.model import MAX_LINES, MAX_NODES


def nodes(d: Diagram) -> dict[str, tuple[str, str]]:
    return {n.id: (n.label, n.shape) for n in d.nodes.values()}


def edges(d: Diagram) -> list[tuple[str, str, str]]:
    return [(e.src, e.dst, e.label) for e in d.edges]


# ---------------------------------------------------------------- finding blocks in an answer

ANSWER = """I'd split it into retrieval and ranking.

```mermaid
flowchart LR
  U[User] --> C[Retrieval] --> R[Ranker]
```

Offline:
graph TD
  L[Impression log] --> T[Trainer]

A graph neural network could help here.
```python
graph TD
print("not a diagram")
```
```
flowchart TB
  A --> B
```
"""


def test_find_blocks_fenced_unfenced_and_bare_fence():
    blocks = find_blocks(ANSWER)
    assert [b.fenced for b in blocks] == [True, False, True]
    assert blocks[0].text.startswith("flowchart LR") and blocks[0].line == 4
    assert blocks[1].text == "graph TD\n  L[Impression log] --> T[Trainer]\n" and blocks[1].line == 9
    assert blocks[2].text.startswith("flowchart TB")
    for b in blocks:
        assert ANSWER[b.start:b.end].strip().endswith(("```", "[Trainer]"))


def test_prose_is_the_answer_without_its_diagrams():
    text = prose(ANSWER)
    assert "I'd split it into retrieval and ranking." in text
    assert "Offline:" in text and "A graph neural network could help here." in text
    assert "-->" not in text.replace('print("not a diagram")', "")
    assert 'print("not a diagram")' in text        # other code blocks stay prose
    assert "\n\n" in text                           # paragraphs kept apart


def test_parse_text_reports_each_block():
    got = parse_text(ANSWER + "\n```mermaid\nflowchart LR\n  A -->\n```\n")
    assert len(got.diagrams) == 3 and len(got.errors) == 1
    assert str(got.errors[0]) == "diagram line 2: expected a node after '-->'"
    assert edges(got.diagrams[0]) == [("U", "C", ""), ("C", "R", "")]


@pytest.mark.parametrize("text", [
    "The graph is small.\nIt has two parts.",
    "graph\n",                                   # a lone word with nothing after it
    "We draw a flowchart TD style picture\nA --> B",
    "graph neural networks\nare good",
    "Graph\nThe graph shows two stages.",
    "FLOWCHART LR\nA --> B",
    "```\ngraph neural networks\n```",
    "",
])
def test_prose_lines_are_not_diagrams(text):
    assert find_blocks(text) == []
    assert parse_text(text).results == []


def test_unfenced_block_ends_at_blank_line_and_one_line_form():
    text = "Design:\ngraph TD; A-->B; B-->C\nthen more prose"
    (b,) = find_blocks(text)                    # no blank line: the prose is read as diagram
    with pytest.raises(DiagramError, match="diagram line 2: unexpected 'more prose' after node 'then'"):
        parse(b.text)
    text2 = "graph TD; A-->B; B-->C\n\nthen more prose"
    (b2,) = find_blocks(text2)
    assert edges(parse(b2.text)) == [("A", "B", ""), ("B", "C", "")]
    assert prose(text2) == "then more prose"


def test_unclosed_mermaid_fence_runs_to_the_end():
    (b,) = find_blocks("text\n```mermaid\nflowchart LR\n A --> B\n")
    assert edges(parse(b.text)) == [("A", "B", "")]
    assert prose("text\n```mermaid\nflowchart LR\n A --> B\n") == "text"


def test_tilde_fences_and_crlf():
    text = "intro\r\n~~~mermaid\r\nflowchart LR\r\n  A[One] --> B[Two]\r\n~~~\r\nafter\r\n"
    (b,) = find_blocks(text)
    assert nodes(parse(b.text)) == {"A": ("One", "box"), "B": ("Two", "box")}
    assert prose(text).split() == ["intro", "after"]


# ---------------------------------------------------------------- good diagrams

@pytest.mark.parametrize("header, direction", [
    ("flowchart LR", "LR"), ("flowchart TD", "TD"), ("graph TB", "TB"), ("graph RL", "RL"),
    ("flowchart BT", "BT"), ("flowchart", "TD"), ("graph lr", "LR"), ("graph TD;", "TD"),
])
def test_headers(header, direction):
    assert parse(f"{header}\n  A --> B").direction == direction


@pytest.mark.parametrize("src, label, shape", [
    ("A[Box]", "Box", "box"), ("A(Round)", "Round", "round"), ("A([Stadium])", "Stadium", "stadium"),
    ("A[[Sub]]", "Sub", "subroutine"), ("A[(Feature store)]", "Feature store", "database"),
    ("A((Circle))", "Circle", "circle"), ("A(((Double)))", "Double", "double_circle"),
    ("A>Flag]", "Flag", "asymmetric"), ("A{Decide?}", "Decide?", "rhombus"),
    ("A{{Hex}}", "Hex", "hexagon"), ("A[/In/]", "In", "parallelogram"),
    ("A[\\Out\\]", "Out", "parallelogram_alt"), ("A[/Trap\\]", "Trap", "trapezoid"),
    ("A[\\Inv/]", "Inv", "trapezoid_alt"), ("A", "A", "box"),
    ('A["Quoted (with) [brackets]"]', "Quoted (with) [brackets]", "box"),
    ('A@{ shape: cyl, label: "Kafka, events" }', "Kafka, events", "database"),
    ("A@{ shape: diamond }", "A", "rhombus"), ("A@{ shape: no-such-shape, label: X }", "X", "box"),
    ("A[Box]:::hot", "Box", "box"), ("A [Spaced]", "Spaced", "box"),
])
def test_node_shapes(src, label, shape):
    d = parse(f"flowchart LR\n  {src}")
    assert nodes(d) == {"A": (label, shape)}


@pytest.mark.parametrize("link, style, arrow, label", [
    ("-->", "solid", "forward", ""), ("---", "solid", "none", ""), ("-.->", "dotted", "forward", ""),
    ("-.-", "dotted", "none", ""), ("==>", "thick", "forward", ""), ("===", "thick", "none", ""),
    ("~~~", "invisible", "none", ""), ("--x", "solid", "forward", ""), ("--o", "solid", "forward", ""),
    ("<-->", "solid", "both", ""), ("<-.->", "dotted", "both", ""), ("---->", "solid", "forward", ""),
    ("-- top 500 -->", "solid", "forward", "top 500"), ("--text-->", "solid", "forward", "text"),
    ("-->|top 500|", "solid", "forward", "top 500"), ("--> |spaced|", "solid", "forward", "spaced"),
    ('-->|"quoted | pipe"|', "solid", "forward", "quoted | pipe"),
    ("-. maybe .->", "dotted", "forward", "maybe"), ("== hot path ==>", "thick", "forward", "hot path"),
    ("-- real-time --- ", "solid", "none", "real-time"), ("---|plain|", "solid", "none", "plain"),
])
def test_links(link, style, arrow, label):
    d = parse(f"flowchart LR\n  A {link} B")
    (e,) = d.edges
    assert (e.src, e.dst, e.style, e.arrow, e.label) == ("A", "B", style, arrow, label)


def test_links_without_spaces_and_backward_arrow():
    assert edges(parse("flowchart LR\n  A-->B-.->C==>D-->|x|E")) == [
        ("A", "B", ""), ("B", "C", ""), ("C", "D", ""), ("D", "E", "x")]
    (e,) = parse("flowchart LR\n  A <--- B").edges
    assert (e.src, e.dst, e.arrow) == ("B", "A", "forward")


def test_chains_and_groups():
    d = parse("flowchart LR\n  A & B --> C --> D & E")
    assert edges(d) == [("A", "C", ""), ("B", "C", ""), ("C", "D", ""), ("C", "E", "")]


def test_labels_kept_from_the_definition_and_updated_by_a_later_one():
    d = parse("flowchart LR\n  R[Ranker] --> S\n  R --> T\n  S[Serving]\n  T")
    assert nodes(d) == {"R": ("Ranker", "box"), "S": ("Serving", "box"), "T": ("T", "box")}
    assert d.nodes["S"].line == 2


def test_label_markup():
    d = parse('flowchart LR\n  A["Feature store<br/>#quot;online#quot; #35;1"] --> B["`**Bold** md`"]\n'
              "  C[<b>Tagged</b> fa:fa-user user]")
    assert d.nodes["A"].label == 'Feature store\n"online" #1'
    assert d.nodes["B"].label == "Bold md"
    assert d.nodes["C"].label == "Tagged user"


def test_ids_with_hyphens_underscores_unicode_and_keyword_prefixes():
    d = parse("flowchart LR\n  real-time-features --> ranker_v2\n  end-point --> classifier\n"
              "  endpoint --> stylist\n  Modèle[Modèle] --> 排序")
    assert list(d.nodes) == ["real-time-features", "ranker_v2", "end-point", "classifier",
                             "endpoint", "stylist", "Modèle", "排序"]


def test_subgraphs_nested_titles_and_membership():
    d = parse("""flowchart LR
    subgraph online [Online serving]
      API[Feed service] --> R[Ranker]
      subgraph cands[Candidate generation]
        C1[ANN] & C2[Popular]
      end
    end
    subgraph "Offline training"
      T[Trainer]
    end
    subgraph batch jobs
      B[Spark]
    end
    C1 & C2 --> R
    U[User] --> API
    """)
    sg = d.subgraphs
    assert (sg["online"].title, sg["online"].parent) == ("Online serving", None)
    assert (sg["cands"].title, sg["cands"].parent) == ("Candidate generation", "online")
    assert sg["Offline training"].title == "Offline training"
    assert sg["batch jobs"].title == "batch jobs"
    assert d.nodes["API"].subgraph == "online" and d.nodes["C1"].subgraph == "cands"
    assert d.nodes["T"].subgraph == "Offline training" and d.nodes["U"].subgraph is None
    assert d.members("online") == ["API", "R", "C1", "C2"]


def test_edge_to_a_subgraph_id_is_not_a_node():
    d = parse("flowchart LR\n  subgraph train [Training]\n    T[Trainer]\n  end\n  L[Log] --> train")
    assert list(d.nodes) == ["T", "L"] and edges(d) == [("L", "train", "")]
    assert d.label("train") == "Training"


def test_comments_styles_and_front_matter_are_skipped():
    d = parse("""%%{init: {"theme": "dark"}}%%
---
title: Feed
---
flowchart LR
  %% the request path
  A[User] --> B[API]; B --> C[Ranker]
  classDef hot fill:#f96
  class A,B hot
  style A fill:#fff,stroke:#333
  linkStyle 0 stroke:#f00
  click A "https://example.invalid" "tooltip"
  direction TB
  accTitle: The feed
  C --> D %% trailing comment
""")
    assert edges(d) == [("A", "B", ""), ("B", "C", ""), ("C", "D", "")]


def test_empty_flowchart_is_an_empty_diagram():
    d = parse("flowchart LR\n")
    assert d.nodes == {} and d.edges == []


# ---------------------------------------------------------------- malformed diagrams

MALFORMED = [
    ("flowchart LR\n  A -->", 2, "expected a node after '-->'"),
    ("flowchart LR\n  A --> B\n  B -->|ok|", 3, "expected a node after '-->|ok|'"),
    ("flowchart LR\n  A & --> B", 2, "expected a node after '&', got '--> B'"),
    ("flowchart LR\n  --> B", 2, "expected a node id, got '--> B'"),
    ("flowchart LR\n  A[Ranker", 2, "unclosed '[' in node 'A' (expected ']')"),
    ("flowchart LR\n  A(Ranker] --> B", 2, "unclosed '(' in node 'A' (expected ')')"),
    ("flowchart LR\n  A[(DB] --> B", 2, "unclosed '[(' in node 'A' (expected ')]')"),
    ('flowchart LR\n  A["Ranker] --> B', 2, "unclosed quote in the label of node 'A'"),
    ('flowchart LR\n  A["Ranker" --> B', 2, "expected ']' after the label of node 'A'"),
    ("flowchart LR\n  A@{ shape: cyl", 2, "unclosed '@{' in node 'A'"),
    ("flowchart LR\n  A[x]] --> B", 2, "unexpected '] --> B' after node 'A'"),
    ("flowchart LR\n  A --> B C", 2, "unexpected 'C' after node 'B'"),
    ("flowchart LR\n  A -- text B", 2, "unclosed link text after '--' (expected '-->' or '---')"),
    ("flowchart LR\n  A == text B", 2, "unclosed link text after '==' (expected '==>' or '===')"),
    ("flowchart LR\n  A -. text B", 2, "unclosed link text after '-.' (expected '.->' or '.-')"),
    ("flowchart LR\n  A -->|top 500 B", 2, "unclosed '|' in the label of '-->'"),
    ('flowchart LR\n  A -->|"top | 500| B', 2, "unclosed quote in the label of '-->'"),
    ("flowchart LR\n  A --> end", 2, "'end' closes a subgraph and cannot be a node id"),
    ("flowchart LR\n  A --> B\n  end", 3, "'end' without an open subgraph"),
    ("flowchart LR\n  A --> B\n  subgraph s [S]\n    C\n", 3, "subgraph 'S' is not closed (expected 'end')"),
    ("flowchart LR\n  subgraph\n  end", 2, "expected a name after 'subgraph'"),
    ("flowchart LR\n  subgraph s\n  end\n  subgraph s\n  end", 4, "subgraph 's' is already declared on line 2"),
    ("graph XY\n  A --> B", 1, "unknown direction 'XY' (expected TD, TB, LR, RL or BT)"),
    ("sequenceDiagram\n  A->>B: hi", 1, "only flowchart/graph diagrams are read, this one is a 'sequenceDiagram'"),
    ("hello there\n  A --> B", 1, "expected a 'flowchart' or 'graph' header (e.g. 'flowchart LR'), got 'hello there'"),
    ("", 1, "expected a 'flowchart' or 'graph' header"),
    ("%% only a comment\n", 1, "expected a 'flowchart' or 'graph' header"),
    ("---\ntitle: x\nflowchart LR", 1, "front matter is not closed (expected '---')"),
    ("\n\nflowchart LR\n  A -->", 4, "expected a node after '-->'"),
]


@pytest.mark.parametrize("text, line, message", MALFORMED)
def test_malformed_blocks_name_the_line_and_what_was_expected(text, line, message):
    with pytest.raises(DiagramError) as info:
        parse(text)
    err = info.value
    assert err.line == line
    assert message in err.message
    assert str(err).startswith(f"diagram line {line}: ") and "\n" not in str(err)


# ---------------------------------------------------------------- limits and huge input

def test_over_max_lines_is_a_clear_error():
    text = "flowchart LR\n" + "\n".join(f"  A{i} --> A{i + 1}" for i in range(MAX_LINES))
    with pytest.raises(DiagramError) as info:
        parse(text)
    assert info.value.line == MAX_LINES + 1 and "over 2,000 lines" in str(info.value)


def test_over_max_nodes_is_a_clear_error():
    body = "\n".join(f"  N{i}[Node {i}]" for i in range(MAX_NODES + 1))
    with pytest.raises(DiagramError) as info:
        parse("flowchart LR\n" + body)
    assert info.value.line == MAX_NODES + 2 and "too many nodes (over 1,000)" in str(info.value)


def test_group_product_over_max_edges_is_a_clear_error():
    left = " & ".join(f"A{i}" for i in range(80))
    right = " & ".join(f"B{i}" for i in range(80))
    with pytest.raises(DiagramError, match="diagram line 2: too many links"):
        parse(f"flowchart LR\n  {left} --> {right}")


def test_overlong_line_is_a_clear_error():
    with pytest.raises(DiagramError, match="diagram line 2: the line is over 4,000 characters"):
        parse("flowchart LR\n  A[" + "x" * 5000 + "]")


def test_largest_allowed_diagram_parses_quickly():
    text = "flowchart LR\n" + "\n".join(f"  N{i}[Step {i}] --> N{i + 1}" for i in range(MAX_NODES - 1))
    t0 = time.perf_counter()
    d = parse(text)
    assert time.perf_counter() - t0 < 2.0
    assert len(d.nodes) == MAX_NODES and len(d.edges) == MAX_NODES - 1


def test_huge_answer_text_is_scanned_linearly():
    text = ("Lots of prose about the design. " * 20 + "\n") * 5000 + "```mermaid\nflowchart LR\n A --> B\n```\n"
    t0 = time.perf_counter()
    got = parse_text(text)
    assert time.perf_counter() - t0 < 2.0
    assert len(got.diagrams) == 1 and "```" not in got.prose
