"""The listener: what a candidate's words affirm, dismiss (or get wrong), or leave absent.

One listener serves the interviewer's policy (what to probe, what to challenge), the offline
grader and the report, so they never disagree about what was said. Offline it is the fitted
model of ``fit.py`` (trained on first use from ``knowledge/utterances/``, cached under
``$INTERVIEWER_HOME/cache/listener/`` by the data's hash); every decision quotes the exact
sentence it rests on.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable

import numpy as np

from interviewer.config.paths import builtin_knowledge_dir
from interviewer.flow import Flow, KeyPoint
from interviewer.listening.corpus import corpus_hash
from interviewer.listening.hearing import Hearing, HearingContext, PointHearing, Status, credit_refined
from interviewer.listening.features import PointTargets
from interviewer.listening.model import ListenerModel
from interviewer.listening.fit import flow_targets
from interviewer.listening.tuning import fit_and_tune
from interviewer.listening.stance import StanceFeatures, load_concepts, load_cues, sentence_parents
from interviewer.storage.arrays import cached_arrays, save_arrays
from interviewer.textutil import clauses, sentences

MODEL_VERSION = "28"


RECHECK_ROUNDS = 3        # sentences a dismissed point's hearing may set aside in turn
# A point affirmed in a sentence that leans dismissive (stance at least even, though under the
# threshold) is looked for in the rest too, and quoted there if the rest affirms it more
# plainly: "ROC-AUC tells you nothing here, so I wouldn't use it." is not the evidence for
# offline metrics when "Primary offline metric is PR-AUC" was said.
LEANING = 0.5


class Listener:
    """``hear(text, points)``: per key point affirmed / dismissed / absent, with evidence."""

    name = "offline"

    def __init__(self, model: ListenerModel, embedder, recheck_rounds: int = RECHECK_ROUNDS):
        """``recheck_rounds``: how many sentences a dismissed or doubtful point's hearing may set
        aside in turn (``_recheck_dismissed``); 0 judges each point on its best sentence alone."""
        self.model = model
        self.embedder = embedder
        self.recheck_rounds = recheck_rounds
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
        if self.recheck_rounds:
            self._recheck_dismissed(units, vecs, targets, flags, topic, stance, best, need)
        whole = sentences(text)
        out = []
        for j, p in enumerate(points):
            unit = units[best[j]]
            evidence = next((s for s in whole if unit in s), unit)   # quoted as the whole sentence
            if topic[j] < need[j]:
                out.append(PointHearing(p, "absent", None, float(topic[j]), float(stance[j])))
            else:
                status: Status = "dismissed" if stance[j] >= self.model.t_stance else "affirmed"
                out.append(PointHearing(p, status, evidence, float(topic[j]), float(stance[j]),
                                        challenge=bool(stance[j] >= self.model.t_challenge)))
        return Hearing(credit_refined(out), units=units, best_match=best_match)

    def _recheck_dismissed(self, units, vecs, targets, flags, topic, stance, best, need) -> None:
        """A point heard as dismissed in one sentence is heard again in the rest of the text,
        without that sentence (up to ``recheck_rounds`` sentences in turn): if the rest affirms
        it, the point is affirmed there (arrays updated in place): "AUC is a secondary metric."
        does not undo "I use log loss as the primary metric". A point affirmed in a sentence that
        leans dismissive (``LEANING``) is quoted from the rest when the rest is plainer."""
        doubtful = [j for j in range(len(best)) if topic[j] >= need[j] and stance[j] >= LEANING]
        if not doubtful:
            return
        parents = sentence_parents(units)
        removed = {j: frozenset([parents[best[j]]]) for j in doubtful}
        for _ in range(self.recheck_rounds):
            groups: dict[frozenset, list[int]] = {}
            for j, gone in removed.items():
                groups.setdefault(gone, []).append(j)
            removed = {}
            for gone, js in groups.items():
                keep = [i for i, k in enumerate(parents) if k not in gone]
                if not keep:
                    continue
                (t_all, t_in), st, b = self.model.score_flags([units[i] for i in keep], vecs[keep], targets,
                                                              [np.ones(len(flags), np.float32), flags])
                t_rest = np.where(flags > 0, t_in, t_all)
                for j in js:
                    if t_rest[j] < need[j]:
                        continue                      # the rest does not speak of it: as heard
                    if st[j] < min(self.model.t_stance, stance[j]):
                        topic[j], stance[j], best[j] = t_rest[j], st[j], keep[b[j]]
                    elif stance[j] >= self.model.t_stance:
                        removed[j] = gone | {parents[keep[b[j]]]}
            if not removed:
                return

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
                save_arrays(path, _memo[key].a, "listener")
            return _memo[key]
        arrays = cached_arrays(path, lambda: fit_and_tune(flow, embedder, corpus_dir, stance, concepts, Path(cache)),
                               "listener")
        model = ListenerModel(arrays, stance, concepts)
        _memo[key] = model
        return model


def build_listener(services) -> Listener:
    s = services.settings
    model = fitted_model(services.flow, services.embedder(), builtin_knowledge_dir() / "utterances",
                         Path(s.prompts_dir), s.models_cache)
    return Listener(model, services.embedder())


__all__ = ["Listener", "Hearing", "HearingContext", "PointHearing", "Status", "build_listener", "fitted_model",
           "flow_targets"]
