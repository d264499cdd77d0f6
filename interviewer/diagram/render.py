"""A diagram shown and read back: Graphviz DOT for ``st.graphviz_chart`` (rendered offline by the
browser-side Graphviz that Streamlit ships), and plain sentences for a text listener."""

from __future__ import annotations

import re

from interviewer.diagram.model import Diagram, Edge
from interviewer.diagram.roles import RoleIndex, load_roles

_RANKDIR = {"TD": "TB", "TB": "TB", "LR": "LR", "RL": "RL", "BT": "BT"}
# our shape -> DOT node attributes
_DOT_SHAPES = {
    "box": "shape=box", "round": 'shape=box, style="rounded"',
    "stadium": 'shape=box, style="rounded"', "subroutine": "shape=box, peripheries=2",
    "database": "shape=cylinder", "circle": "shape=circle", "double_circle": "shape=doublecircle",
    "asymmetric": "shape=cds", "rhombus": "shape=diamond", "hexagon": "shape=hexagon",
    "parallelogram": "shape=parallelogram", "parallelogram_alt": "shape=parallelogram",
    "trapezoid": "shape=trapezium", "trapezoid_alt": "shape=invtrapezium",
}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_READ_FROM = frozenset({"feature_store", "cache", "storage"})
_MASS_ENDINGS = ("ion", "ing", "al")       # "candidate generation", "retrieval": no "the"
_DETERMINERS = frozenset({"the", "a", "an", "our", "my", "each", "every", "all", "any", "some"})
_DIGITS = re.compile(r"\d+")
GROUP_NAMES = 6     # a subgraph's sentence names at most this many of its boxes
SENTENCE_BUDGET = 60  # past this many, links between boxes of the same roles are said once


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\n."""
    text = _CONTROL.sub(" ", text or "").replace("\r", "")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(diagram: Diagram) -> str:
    ids = {nid: f"n{i}" for i, nid in enumerate(diagram.nodes)}
    clusters = {sid: f"cluster_{i}" for i, sid in enumerate(diagram.subgraphs)}
    by_sg: dict[str | None, list[str]] = {}
    for node in diagram.nodes.values():
        by_sg.setdefault(node.subgraph, []).append(node.id)
    children: dict[str | None, list[str]] = {}
    for sg in diagram.subgraphs.values():
        children.setdefault(sg.parent, []).append(sg.id)
    members = {sid: diagram.members(sid) for sid in diagram.subgraphs}
    anchors = {sid: ids[m[0]] if m else f"{clusters[sid]}_anchor" for sid, m in members.items()}
    lines = ["digraph diagram {", f"  rankdir={_RANKDIR.get(diagram.direction, 'TB')};",
             "  compound=true;", '  node [shape=box, fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10];']

    def emit(sid: str | None, pad: str) -> None:
        for nid in by_sg.get(sid, []):
            node = diagram.nodes[nid]
            lines.append(f"{pad}{ids[nid]} [label={quote(node.label)}, {_DOT_SHAPES.get(node.shape, 'shape=box')}];")
        for child in children.get(sid, []):
            lines.append(f"{pad}subgraph {clusters[child]} {{")
            lines.append(f"{pad}  label={quote(diagram.subgraphs[child].title)};")
            if not members[child]:
                lines.append(f'{pad}  {anchors[child]} [shape=point, style=invis, label=""];')
            emit(child, pad + "  ")
            lines.append(f"{pad}}}")

    emit(None, "  ")
    inside = {k: set(v) for k, v in members.items()}
    for e in diagram.edges:
        lines.append("  " + _dot_edge(e, ids, anchors, clusters, inside))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_edge(e: Edge, ids, anchors, clusters, members) -> str:
    src, dst = ids.get(e.src) or anchors[e.src], ids.get(e.dst) or anchors[e.dst]
    attrs = []
    if e.label:
        attrs.append(f"label={quote(e.label)}")
    if src != dst:      # not when one end sits inside the other's cluster (Graphviz ignores it)
        if e.src in clusters and e.dst not in members[e.src]:
            attrs.append(f"ltail={clusters[e.src]}")
        if e.dst in clusters and e.src not in members[e.dst]:
            attrs.append(f"lhead={clusters[e.dst]}")
    attrs += {"dotted": ["style=dashed"], "thick": ["penwidth=2"], "invisible": ["style=invis"]}.get(e.style, [])
    attrs += {"none": ["arrowhead=none"], "both": ["dir=both"]}.get(e.arrow, [])
    return f"{src} -> {dst}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"


def to_sentences(diagram: Diagram, roles: RoleIndex | None = None) -> list[str]:
    """Links and boxes as plain sentences: "Candidate generation sends data to the ranker.",
    "Ranker gets features from the feature store.", "Monitoring is not connected to anything.".
    Each has a common finite verb (sends, gets, has, is), so a reader that tells clauses from
    keyword lists by their verbs (the offline grader) reads them as sentences. A link between
    numbered copies of boxes already linked ("Shard 2 sends data to ranker 2" after "Shard 1 ...
    ranker 1") is said once: the copies add nothing a listener could hear, and each sentence
    heard is an embedding to compute (most of the time a big diagram takes to grade). For the
    same reason a subgraph's sentence names its first ``GROUP_NAMES`` boxes and counts the rest,
    and a group of more boxes than that names only those no link names.
    A diagram that still says more than ``SENTENCE_BUDGET`` sentences (a big one without
    numbered copies: "EU ranker", "US ranker") is said again with each box known by its roles:
    one sentence per kind of link (ranker gets features from the feature store), since a
    listener hears the same key points in every copy of it; boxes of no known role keep their
    own label. The graph checks still read every node and edge."""
    index = roles or load_roles()
    out = _sentences(diagram, index, by_role=False)
    return out if len(out) <= SENTENCE_BUDGET else _sentences(diagram, index, by_role=True)


def _sentences(diagram: Diagram, index: RoleIndex, *, by_role: bool) -> list[str]:
    """The diagram as sentences: each box's label (or its roles, ``by_role``), then each kind of
    link once. One function with small inner helpers, because naming a box, grouping its
    links and wording a group share the same role assignment and vocabulary."""
    assigned = index.assign(diagram)
    proper = {w.lower() for w in index.vocab.proper_names}
    verbs = sorted((v.lower() for v in index.vocab.link_verbs), key=len, reverse=True)

    def name(nid: str, first: bool = False) -> str:
        text = " ".join(diagram.label(nid).split()).rstrip(".")
        head = text.partition(" ")[0]
        common = head.lower() not in proper and (head.islower() or (head[:1].isupper() and head[1:].islower()))
        if first:
            return text[:1].upper() + text[1:]
        if common:
            text = text[:1].lower() + text[1:]
            last = text.rsplit(" ", 1)[-1].lower()
            if head.lower() not in _DETERMINERS and not last.endswith(_MASS_ENDINGS):
                text = "the " + text
        return text

    out, linked, said = [], set(), set()

    def copy_key(*labels: str) -> tuple[str, ...]:
        """Numbered copies of one box ("Shard 1", "Shard 2") read alike: one sentence says it."""
        return tuple(_DIGITS.sub("#", " ".join(x.lower().split())) for x in labels)

    def box_key(nid: str) -> str:
        """What a box is to a listener: its roles (``by_role``, where it has any), else its label."""
        known = assigned.get(nid) if by_role else None
        return "+".join(sorted(known)) if known else copy_key(diagram.label(nid))[0]

    def group_key(sid: str, ids: list[str]) -> tuple[str, ...]:
        """A group is its title and boxes; ``by_role``, the roles of both where its boxes have any
        (fourteen "Feed <name>" groups of the same parts read as one)."""
        kinds = sorted({box_key(n) for n in ids if assigned.get(n)}) if by_role else []
        if kinds:
            return ("+".join(sorted(assigned.get(sid, ()))), *kinds)
        return (box_key(sid), *(box_key(n) for n in ids))

    def say(key: tuple[str, ...], sentence: str) -> None:
        if key not in said:
            said.add(key)
            out.append(sentence)

    for e in diagram.edges:
        if e.style == "invisible":
            continue
        linked.update((e.src, e.dst))
        label = " ".join(e.label.split()).rstrip(".")
        key = ("edge", e.arrow, label.lower(), box_key(e.src), box_key(e.dst))
        if e.arrow == "none":
            say(key, f"{name(e.src, True)} is linked to {name(e.dst)}" + (f" ({label})." if label else "."))
        elif e.arrow == "both":
            say(key, f"{name(e.src, True)} and {name(e.dst)} send {label or 'data'} to each other.")
        elif assigned.get(e.src, frozenset()) & _READ_FROM and not assigned.get(e.dst, frozenset()) & _READ_FROM:
            what = label or ("features" if "feature_store" in assigned[e.src] else "data")
            say(key, f"{name(e.dst, True)} gets {what} from {name(e.src)}.")
        elif label and any(label.lower() == v or label.lower().startswith(v + " ") for v in verbs):
            say(key, f"{name(e.src, True)} {label} {name(e.dst)}.")
        elif label:
            say(key, f"{name(e.src, True)} sends {label} to {name(e.dst)}.")
        else:
            say(key, f"{name(e.src, True)} sends data to {name(e.dst)}.")
    for sg in diagram.subgraphs.values():
        ids = diagram.members(sg.id)
        if by_role or len(ids) > GROUP_NAMES:
            # a big diagram's or a big group's links already name its boxes: the group lists
            # only the boxes no link names (a list sentence is as many clauses to embed)
            ids = [n for n in ids if n not in linked]
            if not ids:
                say(("group", *group_key(sg.id, diagram.members(sg.id))),
                    f"{name(sg.id, True)} groups {len(diagram.members(sg.id))} linked boxes.")
                continue
        members = [name(n) for n in ids[:GROUP_NAMES]]
        if len(ids) > GROUP_NAMES:      # the rest are named in their links' sentences
            members[-1:] = [f"{len(ids) - GROUP_NAMES + 1} more boxes"]
        if members:
            listed = members[0] if len(members) == 1 else ", ".join(members[:-1]) + " and " + members[-1]
            say(("group", *group_key(sg.id, ids)), f"{name(sg.id, True)} has {listed}.")
    for nid in diagram.nodes:
        if nid not in linked:
            say(("alone", box_key(nid)), f"{name(nid, True)} is not connected to anything.")
    return out
