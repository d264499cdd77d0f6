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
from pathlib import Path
from typing import Iterable

import numpy as np

from interviewer.config.paths import builtin_knowledge_dir
from interviewer.flow import Flow, KeyPoint
from interviewer.listening.corpus import Utterance, corpus_hash, load_corpus
from interviewer.listening.hearing import Hearing, HearingContext, PointHearing, Status
from interviewer.listening.features import PointTargets, compile_concepts, expand, pair_features
from interviewer.listening.fit import fit, flow_targets, tune, tune_elsewhere
from interviewer.listening.stance import StanceFeatures, load_concepts, load_cues
from interviewer.textutil import clauses, sentences

log = logging.getLogger(__name__)
MODEL_VERSION = "11"


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
        self._knn_parts: tuple | None = None

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
        (topic,), stance, best = self.score_flags(units, unit_vecs, targets, [in_stage])
        return topic, stance, best

    def score_flags(self, units: list[str], unit_vecs: np.ndarray, targets: PointTargets,
                    flags: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """([topic p per ``flags`` vector], stance p, evidence unit index) per point. Only the
        topic depends on which points are of the stage (the evidence unit and stance do not),
        so the pair features are computed once for all ``flags``."""
        feats, best = pair_features(unit_vecs, [len(u.split()) for u in units], targets, flags[0],
                                    unit_texts=units)
        topics = []
        for in_stage in flags:
            feats[:, 7] = in_stage
            topics.append(1.0 / (1.0 + np.exp(-(expand(feats) @ self.a["topic_w"] + self.a["topic_b"]))))
        knn = self._knn(unit_vecs[best], targets.ids)
        st_x = np.concatenate([unit_vecs[best], self.stance.features([units[b] for b in best]), knn], axis=1)
        stance = 1.0 / (1.0 + np.exp(-(st_x @ self.a["stance_w"] + self.a["stance_b"])))
        return topics, stance, best


    def _knn(self, vecs: np.ndarray, ids: list[str]) -> np.ndarray:
        """``fit.stance_knn`` for every point's evidence vector at once (same values)."""
        if self._knn_parts is None:
            a = self.a
            self._knn_parts = (np.ascontiguousarray(a["ex_vecs"].T), np.ascontiguousarray(a["dis_vecs"].T),
                               {i: np.flatnonzero(a["ex_owner"] == i) for i in range(len(self.ids))},
                               {i: np.flatnonzero(a["dis_owner"] == i) for i in range(len(self.ids))})
        ex_t, dis_t, ex_cols, dis_cols = self._knn_parts
        ex, dis = vecs @ ex_t, vecs @ dis_t
        out = np.zeros((len(ids), 4), dtype=np.float32)
        none = np.zeros(0, np.int64)
        for k, pid in enumerate(ids):
            i = self.index.get(pid, -1)
            e, d = ex_cols.get(i, none), dis_cols.get(i, none)
            out[k, 0] = dis[k, d].max() if len(d) else 0.0
            out[k, 1] = ex[k, e].max() if len(e) else 0.0
            out[k, 2] = dis[k].max() if dis.shape[1] else 0.0
        out[:, 3] = out[:, 0] - out[:, 1]
        return out


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
        # other stages' points are scored as if of this stage (at t_elsewhere), in-stage points
        # with the stage known
        (topic, t_in), stance, best = self.model.score_flags(units, vecs, targets,
                                                             [np.ones(len(points), np.float32), flags])
        need = np.where(flags > 0, self.model.t_topic, self.model.t_elsewhere)
        topic = np.where(flags > 0, t_in, topic)
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

    def prepare(self, texts: Iterable[str]) -> None:
        """Embed the units of many texts in one batch (``listen --batch``): each ``hear`` then
        finds its vectors in the embedder's cache."""
        units = [u for t in texts for u in clauses(t or "")]
        if units:
            self.embedder.encode(units)


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
        topics, st, _ = model.score_flags(units, vecs, targets, [in_stage, np.ones(len(points), np.float32)])
        for topic, out in zip(topics, (scored, everywhere)):
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


__all__ = ["Listener", "Hearing", "HearingContext", "PointHearing", "Status", "build_listener", "fitted_model",
           "flow_targets"]
