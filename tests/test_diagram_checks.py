"""Diagram checks (funnel, logging loop, feature paths, isolated boxes), roles, DOT and sentences."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from benchmarks.bench_diagram import make_diagram
from interviewer.config.datafiles import DataFileError
from interviewer.config.paths import builtin_prompts_dir
from interviewer.diagram import (
    CHECK_IDS,
    STARTER_TEMPLATE,
    check,
    load_roles,
    parse,
    parse_text,
    to_dot,
    to_sentences,
)
from interviewer.diagram.render import SENTENCE_BUDGET

FULL_FEED = """flowchart LR
  U([User opens the feed]) --> API[Feed service]
  API --> C1[Two-tower ANN retrieval] & C2[Popular items]
  C1 & C2 -->|top 500| R[Heavy ranker]
  R --> RR[[Re-ranker: business rules]]
  RR -->|top 50| API
  subgraph features [Features]
    B[Spark daily aggregates] --> FS[(Feature store)]
    S[Flink streaming features] --> FS
  end
  FS -.->|features| R
  API --> L[Impression and click log]
  L --> TD[(Training data)] --> T(Training pipeline) --> MR[Model registry] --> R
"""

BOX = "flowchart LR\n  user --> server --> model --> database"


def report(text: str):
    return check(parse(text))


# ---------------------------------------------------------------- the two targets

def test_full_two_stage_feed_covers_every_check():
    r = report(FULL_FEED)
    assert r.covered_ids == list(CHECK_IDS) and r.missing == []
    notes = {f.id: f.text for f in r.covered}
    assert notes["funnel"] == ("funnel: User opens the feed → Feed service → Two-tower ANN retrieval → "
                               "Heavy ranker → Re-ranker: business rules")
    assert notes["logging_loop"] == ("logging loop: Feed service → Impression and click log → Training data → "
                                     "Training pipeline → Model registry → Heavy ranker")
    assert notes["feature_paths"] == ("batch and streaming features both reach the model: Spark daily aggregates → "
                                      "Feature store → Heavy ranker; Flink streaming features → Feature store → Heavy ranker")
    assert (r.nodes, r.edges) == (13, 15)
    assert r.as_dict()["covered"] == list(CHECK_IDS) and r.as_dict()["missing"] == []


def test_box_diagram_lacks_the_funnel_and_the_loop():
    r = report(BOX)
    assert set(r.missing_ids) == {"funnel", "logging_loop", "feature_paths"}
    assert r.covered_ids == ["isolated"]
    notes = {f.id: f.text for f in r.missing}
    assert notes["funnel"].startswith("no funnel: nothing narrows the candidates before the ranker")
    assert notes["logging_loop"].startswith("nothing logs what was served back into training")
    assert notes["feature_paths"].startswith("nothing feeds features to the model")
    assert r.as_dict() == {"nodes": 4, "edges": 3, "covered": ["isolated"],
                           "missing": ["funnel", "logging_loop", "feature_paths"], "notes": r.as_dict()["notes"]}
    assert r.roles == {"user": ["request"], "server": ["serving"], "model": ["model"], "database": ["storage"]}


# ---------------------------------------------------------------- funnel

def funnel(text: str):
    r = report(text)
    return next(f for f in [*r.covered, *r.missing] if f.id == "funnel")


def test_funnel_reasons():
    assert funnel("flowchart LR\n  U[User] --> R[Ranker]").reason == "no_candidates"
    assert funnel("flowchart LR\n  U[User] --> C[Candidate generation]").reason == "no_ranker"
    wrong_way = funnel("flowchart LR\n  U[User] --> R[Ranker] --> C[Candidate retrieval]")
    assert wrong_way.reason == "order" and "in that order" in wrong_way.text
    detached = funnel("flowchart LR\n  U[User] --> API[API]\n  C[ANN retrieval] --> R[Ranker]")
    assert detached.reason == "order"


def test_funnel_without_a_request_box_starts_anywhere():
    f = funnel("flowchart TD\n  C[Candidate generation] --> R[Ranking model]")
    assert f.reason is None and f.nodes == ["C", "R"]


def test_funnel_through_a_subgraph_link():
    f = funnel("""flowchart LR
      U[User] --> cands
      subgraph cands [Candidate generation]
        A[Two-tower] & B[Trending]
      end
      cands --> R[Ranker]""")
    assert f.reason is None and f.text.startswith("funnel: User → ")


def test_invisible_links_do_not_make_a_funnel():
    assert funnel("flowchart LR\n  U[User] ~~~ C[Retrieval] ~~~ R[Ranker]").reason == "order"


# ---------------------------------------------------------------- logging loop

def loop(text: str):
    r = report(text)
    return next(f for f in [*r.covered, *r.missing] if f.id == "logging_loop")


def test_logging_loop_reasons():
    base = "flowchart LR\n  U[User] --> S[Serving API]\n"
    assert loop(base).reason == "no_logging"
    assert loop(base + "  S --> L[Kafka events]").reason == "no_training"
    assert loop(base + "  S --> L[Kafka events]\n  T[Trainer] --> S").reason == "default"
    not_deployed = loop(base + "  S --> L[Kafka events] --> T[Trainer] --> MR[Model registry]")
    assert not_deployed.reason == "not_deployed" and "never reaches serving" in not_deployed.text
    closed = loop(base + "  S --> L[Kafka events] --> T[Trainer] --> MR[Model registry] --> S")
    assert closed.reason is None and closed.nodes == ["S", "L", "T", "MR"]


def test_client_side_logging_closes_the_loop():
    f = loop("flowchart LR\n  U[Mobile app] --> API[Ranking service]\n  U -->|clicks| L[Impression log]\n"
             "  L --> T[Retrain daily] --> API")
    assert f.reason is None


def test_bidirectional_link_counts_both_ways():
    f = loop("flowchart LR\n  S[Model server] <--> L[Event log]\n  L --> T[Training job] --> S")
    assert f.reason is None


# ---------------------------------------------------------------- feature paths

def features(text: str):
    r = report(text)
    return next(f for f in [*r.covered, *r.missing] if f.id == "feature_paths")


def test_feature_path_reasons():
    base = "flowchart LR\n  R[Ranker]\n"
    assert features(base + "  B[Nightly Spark job] --> R").reason == "batch_only"
    assert features(base + "  S[Flink] --> R").reason == "streaming_only"
    assert features(base + "  FS[(Feature store)] --> R").reason == "unsplit"
    assert features(base + "  B[Spark batch] --> X[Dashboard]").reason == "default"
    assert features(base + "  B[Spark batch] --> R\n  S[Real-time features] --> R").reason is None


def test_ranker_reading_from_the_feature_store_counts_as_a_feature_path():
    f = features("flowchart LR\n  R[Ranker] -->|lookup| FS[(Feature store)]\n"
                 "  B[Batch features] --> FS\n  S[Streaming features] --> FS")
    assert f.reason is None


def test_feature_store_drawn_pointing_away_from_the_ranker_is_not_read():
    f = features("flowchart LR\n  B[Batch features] --> X[Exporter]\n  S[Streaming features] --> X")
    assert f.reason == "default"


# ---------------------------------------------------------------- isolated boxes

def test_isolated_boxes_are_named():
    r = report("flowchart LR\n  A[User] --> B[API]\n  M[Monitoring]\n  X[A/B tests]\n  H ~~~ A")
    assert r.isolated == ["Monitoring", "A/B tests", "H"]
    f = next(f for f in r.missing if f.id == "isolated")
    assert f.text == "not connected to anything: Monitoring, A/B tests, H"


def test_member_of_a_linked_subgraph_is_not_isolated():
    r = report("flowchart LR\n  subgraph s [Offline]\n    T[Trainer]\n  end\n  L[Log] --> s")
    assert r.isolated == []


def test_empty_diagram():
    r = report("flowchart LR\n")
    assert (r.nodes, r.edges) == (0, 0)
    assert next(f for f in r.missing if f.id == "isolated").text == "the diagram has no boxes"


# ---------------------------------------------------------------- roles

@pytest.mark.parametrize("label, role", [
    ("ANN retrieval", "candidate_generation"), ("two-tower candidates", "candidate_generation"),
    ("Kafka events", "event_logging"), ("impression log", "event_logging"),
    ("Heavy ranker (DLRM)", "ranking"), ("Re-ranker", "reranking"), ("Business rules", "reranking"),
    ("FeatureStore", "feature_store"), ("Spark daily job", "batch_features"),
    ("Flink stream processor", "streaming_features"), ("Training data", "training_data"),
    ("Training pipeline", "training"), ("Model registry", "model_registry"),
    ("Feed service", "serving"), ("Redis cache", "cache"), ("Monitoring", "monitoring"),
    ("A/B testing", "experimentation"), ("Mobile app", "request"),
])
def test_roles_from_labels(label, role):
    assert role in load_roles().roles_of(label)


@pytest.mark.parametrize("label, not_role", [
    ("Re-ranker", "ranking"), ("User features", "request"), ("Training data", "training"),
    ("Feature service", "serving"), ("Model registry", "model"), ("Batch inference", "batch_features"),
    ("Click-through model", "event_logging"), ("logistic regression", "event_logging"),
])
def test_excluded_phrases(label, not_role):
    assert not_role not in load_roles().roles_of(label)


def test_roles_from_ids_subgraphs_and_shapes():
    d = parse("flowchart LR\n  featureStore --> rankerV2\n  subgraph c [Candidate generation]\n"
              "    P[Trending now]\n  end\n  P --> rankerV2\n  X[(Items)] --> rankerV2")
    roles = load_roles().assign(d)
    assert "feature_store" in roles["featureStore"] and "ranking" in roles["rankerV2"]
    assert roles["P"] == roles["c"] == {"candidate_generation"}
    assert roles["X"] == {"storage"}


def write_vocab(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((builtin_prompts_dir() / "diagram.yaml").read_text())
    change(data)
    (tmp_path / "diagram.yaml").write_text(yaml.safe_dump(data))
    return tmp_path


@pytest.mark.parametrize("change, message", [
    (lambda d: d["roles"].pop("ranking"), "roles lack ranking"),
    (lambda d: d["roles"]["cache"].update(patterns=["re*dis"]), "use words, with '*' only at the end"),
    (lambda d: d["roles"]["cache"].update(patterns=[]), "field 'roles.cache.patterns'"),
    (lambda d: d["checks"].pop("funnel"), "checks lack 'funnel'"),
    (lambda d: d["checks"]["funnel"]["missing"].pop("default"), "needs a 'default' line"),
    (lambda d: d["checks"]["funnel"]["missing"].pop("order"), "lacks missing reasons order"),
    (lambda d: d["checks"]["funnel"].update(covered="funnel: {nodes}"), "unknown placeholder {nodes}"),
])
def test_vocab_file_is_validated(tmp_path, change, message):
    with pytest.raises(DataFileError, match=re.escape(message)):
        load_roles(write_vocab(tmp_path, change))


def test_vocab_is_data_and_reloaded_when_changed(tmp_path):
    shutil.copy(builtin_prompts_dir() / "diagram.yaml", tmp_path / "diagram.yaml")
    assert "ranking" not in load_roles(tmp_path).roles_of("Orderer")
    write_vocab(tmp_path, lambda d: d["roles"]["ranking"]["patterns"].append("orderer"))
    assert "ranking" in load_roles(tmp_path).roles_of("Orderer")
    with pytest.raises(DataFileError, match="file not found"):
        load_roles(tmp_path / "nowhere")


# ---------------------------------------------------------------- DOT

_DOT_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<id>[A-Za-z_][\w]*|\d+(?:\.\d+)?)|(?P<op>->|[{}\[\];=,]))')


def dot_tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        m = _DOT_TOKEN.match(text, pos)
        assert m, f"bad DOT at {text[pos:pos + 30]!r}"
        out.append(m.group(m.lastgroup))
        pos = m.end()
    return out


def parse_dot(text: str) -> tuple[set[str], list[tuple[str, str]], list[str]]:
    """A strict reader of the DOT subset to_dot writes: returns nodes, edges, clusters."""
    toks, i = dot_tokens(text), 0
    nodes, edges, clusters = set(), [], []

    def take(expected=None):
        nonlocal i
        tok = toks[i]
        assert expected is None or tok == expected, f"expected {expected!r}, got {tok!r} at token {i}"
        i += 1
        return tok

    def attrs():
        take("[")
        while toks[i] != "]":
            take(), take("="), take()
            if toks[i] == ",":
                take(",")
        take("]")

    def body():
        take("{")
        while toks[i] != "}":
            if toks[i] == "subgraph":
                take()
                clusters.append(take())
                body()
                continue
            a = take()
            if toks[i] == "=":
                take("="), take()
            elif toks[i] == "->":
                take("->")
                edges.append((a, take()))
                if toks[i] == "[":
                    attrs()
            else:
                if a not in ("node", "edge", "graph"):
                    nodes.add(a)
                if toks[i] == "[":
                    attrs()
            take(";")
        take("}")

    take("digraph"), take()
    body()
    assert i == len(toks)
    return nodes, edges, clusters


def test_dot_output_parses_with_shapes_clusters_and_escaping():
    text = ('flowchart TD\n  A["Quote #quot;x#quot; back\\slash<br>next"] --> B[(Feature store)]\n'
            "  subgraph off [Offline]\n    subgraph inner [Inner]\n      T(Trainer)\n    end\n  end\n"
            "  subgraph empty [Nothing yet]\n  end\n  B -.->|reads| off\n  A --> empty\n  A ~~~ B\n  A <--> B\n"
            "  C{Decide} === D((Circle))")
    dot = to_dot(parse(text))
    nodes, edges, clusters = parse_dot(dot)
    assert nodes == {"n0", "n1", "n2", "n3", "n4", "cluster_2_anchor"}
    assert ("n1", "n2") in edges and ("n0", "cluster_2_anchor") in edges
    assert {a for e in edges for a in e} <= nodes
    assert clusters == ["cluster_0", "cluster_1", "cluster_2"]
    assert 'label="Quote \\"x\\" back\\\\slash\\nnext"' in dot
    assert "shape=cylinder" in dot and "shape=diamond" in dot and "shape=circle" in dot
    assert "lhead=cluster_0" in dot and "style=dashed" in dot and "style=invis" in dot
    assert "dir=both" in dot and "arrowhead=none" in dot and "rankdir=TB" in dot


def test_dot_of_the_full_feed_and_hostile_labels():
    nodes, edges, _ = parse_dot(to_dot(parse(FULL_FEED)))
    assert len(nodes) == 13 and len(edges) == 15
    hostile = 'flowchart LR\n  A["} ; digraph x { #quot; -> ] ["] --> B["\\\\#quot;"]'
    nodes, edges, _ = parse_dot(to_dot(parse(hostile)))
    assert nodes == {"n0", "n1"} and edges == [("n0", "n1")]


def test_dot_parses_with_graphviz_when_installed():
    graphviz = pytest.importorskip("graphviz")
    graphviz.Source(to_dot(parse(FULL_FEED))).pipe(format="svg")


# ---------------------------------------------------------------- sentences

def test_sentences_read_the_labels():
    d = parse("flowchart LR\n  C[Candidate generation] --> R[Ranker]\n  FS[(Feature store)] --> R\n"
              "  R -->|reads| K[Redis]\n  R -->|top 50| API[Feed service]\n  API --- L[kafka]\n"
              "  API <--> U[User]\n  M[Monitoring]\n  subgraph off [Offline]\n    T[Trainer]\n  end\n  L --> T")
    assert to_sentences(d) == [
        "Candidate generation sends data to the ranker.",
        "Ranker gets features from the feature store.",
        "Ranker reads Redis.",
        "Ranker sends top 50 to the feed service.",
        "Feed service is linked to kafka.",
        "Feed service and the user send data to each other.",
        "Kafka sends data to the trainer.",
        "Offline has the trainer.",
        "Monitoring is not connected to anything.",
    ]


# ---------------------------------------------------------------- template, answers, speed

def test_starter_template_is_a_funnel_left_to_complete():
    r = check(parse(STARTER_TEMPLATE))
    assert r.covered_ids == ["funnel", "isolated"]
    assert r.missing_ids == ["logging_loop", "feature_paths"]


def test_a_diagram_inside_an_answer_is_checked():
    got = parse_text("My design:\n\n```mermaid\n" + FULL_FEED + "```\n\nI'd monitor drift too.")
    (d,) = got.diagrams
    assert check(d).missing == [] and got.prose == "My design:\n\nI'd monitor drift too."


def test_200_node_diagram_is_read_whole_and_its_copies_said_once():
    # timing is benchmarks/bench_diagram.py's job; here: what a big diagram reads as
    d = parse(make_diagram(200))
    r = check(d)
    assert (r.nodes, r.edges, r.missing) == (200, 255, [])
    said = to_sentences(d)
    # the feeds are numbered copies: each link and group is said once, for the first copy
    assert len(said) == len(set(said)) == 20
    assert "Heavy ranker 0 gets features from the feature store 0." in said
    assert not any("ranker 3" in s for s in said)
    # two feeds with distinct names: under the budget, every link is said, in both copies
    small = to_sentences(parse(make_diagram(28, distinct=True)))
    assert len(small) <= SENTENCE_BUDGET
    assert {"Heavy ranker alpha gets features from the feature store alpha.",
            "Heavy ranker bravo gets features from the feature store bravo."} <= set(small)
    # fourteen such feeds: over the budget, each kind of link (boxes known by their roles) once
    named = to_sentences(parse(make_diagram(200, distinct=True)))
    assert len(named) <= SENTENCE_BUDGET
    assert "Heavy ranker alpha gets features from the feature store alpha." in named
    assert not any("ranker echo gets features" in s for s in named)
    assert "Training pipeline alpha sends data to the model registry alpha." in named


def test_sentences_name_a_big_groups_first_boxes_and_count_the_rest():
    boxes = "\n".join(f"    N{i}[Box {chr(97 + i)}]" for i in range(9))
    d = parse(f"flowchart LR\n  subgraph g [Serving]\n{boxes}\n  end\n  N0 --> N1")
    (group,) = [s for s in to_sentences(d) if s.startswith("Serving has")]
    # a big group's linked boxes are named in their links: it lists the others
    assert group == "Serving has the box c, the box d, the box e, the box f, the box g and 2 more boxes."
    linked = parse("flowchart LR\n  subgraph g [Serving]\n" + boxes + "\n  end\n"
                   + "\n".join(f"  N{i} --> N{i + 1}" for i in range(8)))
    assert "Serving groups 9 linked boxes." in to_sentences(linked)
    # only the unlinked boxes are said to be alone; numbered boxes of one sort once
    alone = [s for s in to_sentences(d) if "not connected" in s]
    assert len(alone) == 7
    d = parse("flowchart LR\n  A1[Shard 1] --> R[Ranker]\n  A2[Shard 2] --> R\n  A3[Shard 3] --> K[Cache]")
    assert to_sentences(d) == ["Shard 1 sends data to the ranker.", "Shard 3 sends data to the cache."]