"""The listener: what a candidate's words affirm, dismiss (or get wrong), or leave absent.

One listener serves the interviewer's policy (what to probe, what to challenge), the offline
grader and the report, so they never disagree about what was said. Offline it is the fitted
model of ``fit.py`` (trained on first use from ``knowledge/utterances/``, cached under
``$INTERVIEWER_HOME/cache/listener/`` by the data's hash); every decision quotes the exact
sentence it rests on.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

import numpy as np

from interviewer.config.paths import builtin_knowledge_dir
from interviewer.flow import Flow, KeyPoint
from interviewer.listening.corpus import Utterance, corpus_hash, load_corpus
from interviewer.listening.features import PointTargets, compile_concepts, expand, pair_features
from interviewer.listening.fit import fit, flow_targets, stance_knn, tune, tune_elsewhere
from interviewer.listening.stance import StanceFeatures, load_concepts, load_cues
from interviewer.textutil import clauses, sentences

log = logging.getLogger(__name__)
Status = Literal["affirmed", "dismissed", "absent"]
MODEL_VERSION = "11"


@dataclass
class PointHearing:
    point: KeyPoint
    status: Status
    evidence: str | None          # the candidate's exact sentence
    topic: float                  # P(the text is about this point)
    stance: float                 # P(dismissed or wrong | about it)


@dataclass
class Hearing:
    points: list[PointHearing]
    listener: str = "offline"
    notice: str | None = None
    units: list[str] = field(default_factory=list)
    best_match: float = 0.0       # the best cue similarity of any unit to any point (off-topic)

    def _with(self, status: Status) -> list[PointHearing]:
        return [p for p in self.points if p.status == status]

    @property
    def affirmed(self) -> list[PointHearing]:
        return self._with("affirmed")

    @property
    def dismissed(self) -> list[PointHearing]:
        return self._with("dismissed")

    def status(self, point_id: str) -> Status:
        return next((p.status for p in self.points if p.point.id == point_id), "absent")

    def to_json(self) -> dict:
        return {"covered": [{"id": p.point.id, "evidence": p.evidence} for p in self.affirmed],
                "dismissed": [{"id": p.point.id, "evidence": p.evidence} for p in self.dismissed],
                "listener": self.listener}


@dataclass
class HearingContext:
    """What an LLM listener is told besides the turn (the offline listener needs none of it)."""

    problem: str = ""                                            # title and statement
    stage_name: str = ""
    recent: list[tuple[str, str]] = field(default_factory=list)   # (role, text), oldest first


class ListenerModel:
    """The fitted arrays, applied to texts. ``arrays`` come from ``fit.fit`` plus thresholds."""

    def __init__(self, arrays: dict[str, np.ndarray], stance: StanceFeatures,
                 concepts: dict[str, list[str]] | None = None):
        self.a = arrays
        self.stance = stance
        self.concepts = {k: compile_concepts(v) for k, v in (concepts or {}).items()}
        self.ids = [str(i) for i in arrays["ids"]]
        self.index = {p: i for i, p in enumerate(self.ids)}
        self.t_topic = float(arrays["t_topic"])
        self.t_stance = float(arrays["t_stance"])
        self.t_elsewhere = float(arrays.get("t_elsewhere", arrays["t_topic"]))

    def targets(self, points: list[KeyPoint], embedder) -> PointTargets:
        """Targets for ``points``: generic ones keep their fitted head and exemplars; a
        problem's own points are matched on their definition and cues alone."""
        a = self.a
        dim = a["cue_vecs"].shape[1]
        cue_rows, cue_owner, head_w, head_b, has_head, ex_rows, ex_owner = [], [], [], [], [], [], []
        extra_texts = [(j, t) for j, p in enumerate(points) if p.id not in self.index for t in (p.text, *p.cues)]
        extra_vecs = embedder.encode([t for _, t in extra_texts]) if extra_texts else np.zeros((0, dim), np.float32)
        for j, p in enumerate(points):
            i = self.index.get(p.id)
            if i is None:
                head_w.append(np.zeros(dim, np.float32))
                head_b.append(-6.0)
                has_head.append(0.0)
                continue
            rows = np.where(a["cue_owner"] == i)[0]
            cue_rows.append(a["cue_vecs"][rows])
            cue_owner += [j] * len(rows)
            head_w.append(a["head_w"][i])
            head_b.append(float(a["head_b"][i]))
            has_head.append(float(np.abs(a["head_w"][i]).sum() > 0))
            ex = np.where(a["ex_owner"] == i)[0]
            ex_rows.append(a["ex_vecs"][ex])
            ex_owner += [j] * len(ex)
        cue_rows.append(extra_vecs)
        cue_owner += [j for j, _ in extra_texts]
        ex_vecs = np.concatenate(ex_rows) if ex_rows else np.zeros((0, dim), np.float32)
        return PointTargets([p.id for p in points], np.concatenate(cue_rows), np.asarray(cue_owner),
                            np.stack(head_w), np.asarray(head_b, np.float32), np.asarray(has_head, np.float32),
                            ex_vecs, np.asarray(ex_owner, np.int64), np.zeros(len(ex_owner), np.int64),
                            [self.concepts.get(p.id, []) if p.id in self.index else [] for p in points])

    def score(self, units: list[str], unit_vecs: np.ndarray, targets: PointTargets,
              in_stage: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(topic p, stance p, evidence unit index) per point."""
        feats, best = pair_features(unit_vecs, [len(u.split()) for u in units], targets, in_stage,
                                    unit_texts=units)
        topic = 1.0 / (1.0 + np.exp(-(expand(feats) @ self.a["topic_w"] + self.a["topic_b"])))
        knn = np.stack([stance_knn(unit_vecs[b], self.index.get(pid, -1), self.a["ex_vecs"], self.a["ex_owner"],
                                   self.a["dis_vecs"], self.a["dis_owner"])
                        for pid, b in zip(targets.ids, best)])
        st_x = np.concatenate([unit_vecs[best], self.stance.features([units[b] for b in best]), knn], axis=1)
        stance = 1.0 / (1.0 + np.exp(-(st_x @ self.a["stance_w"] + self.a["stance_b"])))
        return topic, stance, best


class Listener:
    """``hear(text, points)``: per key point affirmed / dismissed / absent, with evidence."""

    name = "offline"

    def __init__(self, model: ListenerModel, embedder):
        self.model = model
        self.embedder = embedder
        self._targets: dict[tuple[str, ...], PointTargets] = {}
        self._lock = threading.Lock()

    def _targets_for(self, points: list[KeyPoint]) -> PointTargets:
        key = tuple(f"{p.id}:{p.text}" for p in points)
        with self._lock:
            if key not in self._targets:
                if len(self._targets) > 256:
                    self._targets.clear()
                self._targets[key] = self.model.targets(points, self.embedder)
            return self._targets[key]

    def hear(self, text: str, points: Iterable[KeyPoint], in_stage: Iterable[str] | None = None,
             context: HearingContext | None = None) -> Hearing:
        """``in_stage``: ids of the points that belong to the stage being discussed (all of
        ``points`` when omitted); ``context`` (problem, recent turns) is for the LLM listener. Points of other stages are heard too, as if they were of this
        stage but at a stricter threshold chosen on dev data (``t_elsewhere``): what belongs to
        a stage is credited wherever it is said."""
        points = list(points)
        current = set(in_stage) if in_stage is not None else {p.id for p in points}
        units = clauses(text or "")
        if not units or not points:
            return Hearing([PointHearing(p, "absent", None, 0.0, 0.0) for p in points], units=units)
        vecs = self.embedder.encode(units)
        flags = np.asarray([p.id in current for p in points], dtype=np.float32)
        targets = self._targets_for(points)
        topic, stance, best = self.model.score(units, vecs, targets, np.ones(len(points), np.float32))
        need = np.where(flags > 0, self.model.t_topic, self.model.t_elsewhere)
        if (flags > 0).any():                   # in-stage points: scored with the stage known
            t_in, s_in, b_in = self.model.score(units, vecs, targets, flags)
            inside = flags > 0
            topic, stance, best = (np.where(inside, t_in, topic), np.where(inside, s_in, stance),
                                   np.where(inside, b_in, best))
        best_match = float((vecs @ targets.cue_vecs.T).max()) if len(targets.cue_vecs) else 0.0
        whole = sentences(text)
        out = []
        for j, p in enumerate(points):
            unit = units[best[j]]
            evidence = next((s for s in whole if unit in s), unit)   # quoted as the whole sentence
            if topic[j] < need[j]:
                out.append(PointHearing(p, "absent", None, float(topic[j]), float(stance[j])))
            else:
                status: Status = "dismissed" if stance[j] >= self.model.t_stance else "affirmed"
                out.append(PointHearing(p, status, evidence, float(topic[j]), float(stance[j])))
        return Hearing(out, units=units, best_match=best_match)

    def warm(self, points: list[KeyPoint]) -> None:
        self._targets_for(points)


# ---- building (once per process and corpus; cached on disk by the data's hash) ----------
_memo: dict[str, ListenerModel] = {}
_memo_lock = threading.Lock()


def _flow_signature(flow: Flow) -> str:
    return "|".join(f"{p.id}:{p.text}:{'/'.join(p.cues)}" for s in flow.stages for p in s.key_points)


def fitted_model(flow: Flow, embedder, corpus_dir: Path, prompts_dir: Path, cache: Path) -> ListenerModel:
    """The listener model for this corpus, flow and embedding model: from memory, from the
    cache file, or fitted now (a few seconds on first use)."""
    stance = StanceFeatures(load_cues(str(prompts_dir)))
    concepts = load_concepts(str(prompts_dir))
    key = corpus_hash(corpus_dir, MODEL_VERSION + embedder.name + _flow_signature(flow)
                      + (Path(prompts_dir) / "stance.yaml").read_text()
                      + (Path(prompts_dir) / "concepts.yaml").read_text())
    path = Path(cache) / "listener" / f"{key}.npz"
    with _memo_lock:
        if key in _memo:
            if not path.is_file():           # another cache folder: keep a copy there too
                _save(path, _memo[key].a)
            return _memo[key]
        arrays = None
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as z:
                    arrays = {k: z[k] for k in z.files}
            except Exception as exc:  # a damaged cache is refitted
                log.warning("listener cache %s unreadable (%s); refitting", path, exc)
        if arrays is None:
            arrays = fit_and_tune(flow, embedder, corpus_dir, stance, concepts)
            _save(path, arrays)
        model = ListenerModel(arrays, stance, concepts)
        _memo[key] = model
        return model


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically (a reader never sees half a file); a read-only cache is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{threading.get_ident()}.tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as exc:
        log.warning("cannot cache the listener at %s: %s", path, exc)


def fit_and_tune(flow: Flow, embedder, corpus_dir: Path, stance: StanceFeatures,
                 concepts: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Fit on the train problems, then choose the thresholds on the dev problems."""
    ids = {p.id for s in flow.stages for p in s.key_points}
    train, dev = load_corpus(corpus_dir, ids)
    # the flow's cues are labelled utterances too: phrasings that cover their point
    train += [Utterance(id=f"cue-{p.id}-{k}", text=c, stage=s.id, problem="flow-cues", covers=[p.id],
                        kind="positive") for s in flow.stages for p in s.key_points for k, c in enumerate(p.cues)]
    arrays = fit(train, flow, embedder, stance, concepts)
    arrays["t_topic"], arrays["t_stance"] = np.float32(0.5), np.float32(0.5)
    model = ListenerModel(arrays, stance, concepts)
    points = [p for s in flow.stages for p in s.key_points]
    targets = model.targets(points, embedder)
    stage_of = {p.id: s.id for s in flow.stages for p in s.key_points}
    scored, everywhere = [], []
    for u in dev:
        units = clauses(u.text) or [u.text]
        vecs = embedder.encode(units)
        in_stage = np.asarray([stage_of[p.id] == u.stage for p in points], dtype=np.float32)
        for flags, out in ((in_stage, scored), (np.ones(len(points), np.float32), everywhere)):
            topic, st, _ = model.score(units, vecs, targets, flags)
            out.append((set(u.covers), set(u.dismisses),
                        {p.id: (float(topic[j]), float(st[j])) for j, p in enumerate(points)}))
    t_topic, t_stance = tune(scored)
    tp = fp = 0
    for covers, _, probs in scored:
        heard = {p for p, (a, s) in probs.items() if a >= t_topic and s < t_stance}
        tp, fp = tp + len(heard & covers), fp + len(heard - covers)
    arrays["t_topic"], arrays["t_stance"] = np.float32(t_topic), np.float32(t_stance)
    arrays["t_elsewhere"] = np.float32(tune_elsewhere(everywhere, tp / max(1, tp + fp)))
    return arrays


def build_listener(services) -> Listener:
    s = services.settings
    model = fitted_model(services.flow, services.embedder(), builtin_knowledge_dir() / "utterances",
                         Path(s.prompts_dir), s.models_cache)
    return Listener(model, services.embedder())


__all__ = ["Listener", "Hearing", "HearingContext", "PointHearing", "build_listener", "fitted_model", "flow_targets"]
