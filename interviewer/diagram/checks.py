"""What the graph of a design diagram shows that prose cannot: the funnel, the logging loop,
the feature paths and the boxes connected to nothing.

- funnel: a path request -> candidate generation -> ranking (-> re-ranking when drawn), in that
  order. With no request/client box drawn, the path may start at any box nothing points to.
- logging_loop: a path from the serving side (request, serving, candidates, ranker, model)
  through event logging to training, and on from training back to a serving-side box.
- feature_paths: a batch and a streaming feature box both reach the model side (ranker,
  re-ranker, model, serving, candidate generation); a link drawn from the model side to a
  feature store ("ranker --> feature store") counts as reading from it.
- isolated: every box has at least one link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.diagram.graph import Graph
from interviewer.diagram.model import Diagram
from interviewer.diagram.roles import RoleIndex, load_roles

CHECK_IDS = ("funnel", "logging_loop", "feature_paths", "isolated")

SERVING_SIDE = frozenset({"serving", "ranking", "reranking", "model", "candidate_generation"})
STORES = frozenset({"feature_store", "cache", "storage"})


@dataclass(slots=True)
class Finding:
    id: str                                 # a check id
    text: str                               # one line for a person
    reason: str | None = None               # why it is missing (a key of the check's `missing`)
    nodes: list[str] = field(default_factory=list)  # node ids on the path(s) found, or those named


@dataclass(slots=True)
class DiagramReport:
    nodes: int
    edges: int
    covered: list[Finding]
    missing: list[Finding]
    roles: dict[str, list[str]]             # node id -> role ids
    isolated: list[str]                     # labels of the boxes with no link

    @property
    def covered_ids(self) -> list[str]:
        return [f.id for f in self.covered]

    @property
    def missing_ids(self) -> list[str]:
        return [f.id for f in self.missing]

    def as_dict(self) -> dict:
        """For feedback JSON: counts, the check ids covered and missing, one line per check."""
        return {"nodes": self.nodes, "edges": self.edges, "covered": self.covered_ids,
                "missing": self.missing_ids,
                "notes": {f.id: f.text for f in [*self.covered, *self.missing]}}


def check(diagram: Diagram, roles: RoleIndex | None = None) -> DiagramReport:
    index = roles or load_roles()
    assigned = index.assign(diagram)
    graph = Graph(diagram)
    having = _by_role(diagram, assigned)
    texts = index.vocab.checks
    label = _labeller(diagram)
    results = [_funnel(graph, having), _loop(graph, having), _features(graph, having, assigned),
               _isolated(graph)]
    covered, missing = [], []
    for cid, (ok, reason, paths) in zip(CHECK_IDS, results):
        text = texts[cid]
        shown = "; ".join(" → ".join(label(n) for n in p) for p in paths)
        nodes = list(dict.fromkeys(n for p in paths for n in p))
        if ok:
            covered.append(Finding(cid, text.covered.format(path=shown), None, nodes))
        else:
            line = text.missing.get(reason or "default", text.missing["default"])
            missing.append(Finding(cid, line.format(nodes=", ".join(label(n) for n in nodes)),
                                   reason or "default", nodes))
    edges = sum(1 for e in diagram.edges if e.style != "invisible")
    return DiagramReport(len(diagram.nodes), edges, covered, missing,
                         {n: sorted(assigned.get(n, ())) for n in diagram.nodes},
                         [label(n) for n in graph.isolated()])


def _by_role(diagram: Diagram, assigned: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    having: dict[str, set[str]] = {}
    for n in diagram.nodes:
        for r in assigned.get(n, ()):
            having.setdefault(r, set()).add(n)
    return having


def _labeller(diagram: Diagram):
    return lambda n: " ".join(diagram.label(n).split())


def _union(having: dict[str, set[str]], roles) -> set[str]:
    out: set[str] = set()
    for r in roles:
        out |= having.get(r, set())
    return out


Result = tuple[bool, str | None, list[list[str]]]   # ok, reason, paths


def _funnel(g: Graph, having: dict[str, set[str]]) -> Result:
    cands, rankers = having.get("candidate_generation", set()), having.get("ranking", set())
    if not cands:
        return False, "no_candidates", []
    if not rankers:
        return False, "no_ranker", []
    pointed_to = {m for ms in g.out.values() for m in ms}
    start = having.get("request") or {n for n in g.nodes if n not in pointed_to}
    rerank = having.get("reranking", set())
    path = (g.path([start, cands, rankers, rerank]) if rerank else None) or g.path([start, cands, rankers])
    if path is None and not having.get("request"):
        path = g.path([cands, rankers])
    return (True, None, [path]) if path else (False, "order", [])


def _loop(g: Graph, having: dict[str, set[str]]) -> Result:
    logs, training = having.get("event_logging", set()), having.get("training", set())
    if not logs:
        return False, "no_logging", []
    if not training:
        return False, "no_training", []
    source = _union(having, SERVING_SIDE | {"request"})
    back = _union(having, SERVING_SIDE)
    path = g.path([source, logs, training, back])
    if path:
        return True, None, [path]
    if g.path([source, logs, training]):
        return False, "not_deployed", []
    return False, "default", []


def _features(g: Graph, having: dict[str, set[str]], assigned) -> Result:
    target = _union(having, SERVING_SIDE)
    reads = g.add_reverse(lambda u, v: bool(assigned.get(v, frozenset()) & STORES)
                          and bool(assigned.get(u, frozenset()) & SERVING_SIDE))
    batch = reads.path([having.get("batch_features", set()), target])
    stream = reads.path([having.get("streaming_features", set()), target])
    if batch and stream:
        return True, None, [batch, stream]
    if batch:
        return False, "batch_only", [batch]
    if stream:
        return False, "streaming_only", [stream]
    if reads.path([having.get("feature_store", set()), target]):
        return False, "unsplit", []
    return False, "default", []


def _isolated(g: Graph) -> Result:
    if not g.nodes:
        return False, "empty", []
    lonely = g.isolated()
    return (False, "default", [lonely]) if lonely else (True, None, [])
