"""``ListenerModel``: the listener's fitted arrays (``fit.py``, thresholds from ``tuning.py``)
applied to a text's units: per key point, P(about it), P(dismissed | about it) and the unit
that is the evidence."""

from __future__ import annotations

import numpy as np

from interviewer.flow import KeyPoint
from interviewer.listening.features import PointTargets, PointWords, compile_concepts, expand, pair_features
from interviewer.listening.stance import StanceFeatures, StanceWords, claim_score, point_stance, sentence_parents


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
        self.t_challenge = float(arrays.get("t_challenge", arrays["t_stance"]))
        self._knn_parts: tuple | None = None
        self.claim_words = StanceWords([str(w) for w in arrays["claim_vocab"]], arrays["claim_idf"],
                                       arrays["claim_words_w"], float(arrays["claim_words_b"]))
        self.words = StanceWords([str(w) for w in arrays["stance_vocab"]], arrays["stance_idf"],
                                 arrays["stance_words_w"], float(arrays["stance_words_b"]))
        self.point_words = PointWords([str(w) for w in arrays["words_vocab"]], arrays["words_idf"],
                                      arrays["words_w"], arrays["words_b"])

    def targets(self, points: list[KeyPoint], embedder) -> PointTargets:
        """Targets for ``points``: generic ones keep their fitted head and exemplars; a
        problem's own points are matched on their definition and cues alone."""
        a = self.a
        dim = a["cue_vecs"].shape[1]
        cue_rows, cue_owner, head_w, head_b, has_head, ex_rows, ex_owner = [], [], [], [], [], [], []
        dis_rows, dis_owner = [], []
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
            dis = np.where(a["dis_owner"] == i)[0]
            dis_rows.append(a["dis_vecs"][dis])
            dis_owner += [j] * len(dis)
        cue_rows.append(extra_vecs)
        cue_owner += [j for j, _ in extra_texts]
        ex_vecs = np.concatenate(ex_rows) if ex_rows else np.zeros((0, dim), np.float32)
        return PointTargets([p.id for p in points], np.concatenate(cue_rows), np.asarray(cue_owner),
                            np.stack(head_w), np.asarray(head_b, np.float32), np.asarray(has_head, np.float32),
                            ex_vecs, np.asarray(ex_owner, np.int64), np.zeros(len(ex_owner), np.int64),
                            [self.concepts.get(p.id, []) if p.id in self.index else [] for p in points],
                            np.concatenate(dis_rows) if dis_rows else np.zeros((0, dim), np.float32),
                            np.asarray(dis_owner, np.int64), np.zeros(len(dis_owner), np.int64),
                            a["near_vecs"], np.zeros(len(a["near_vecs"]), np.int64),
                            self.point_words.take([self.index.get(p.id, -1) for p in points]))

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
        claim = claim_score(self.a["claim_emb_w"], float(self.a["claim_emb_b"]), self.claim_words, unit_vecs, units)
        feats, best = pair_features(unit_vecs, [len(u.split()) for u in units], targets, flags[0],
                                    unit_texts=units, claim=claim)
        topics = []
        for in_stage in flags:
            feats[:, 7] = in_stage
            topics.append(1.0 / (1.0 + np.exp(-(expand(feats) @ self.a["topic_w"] + self.a["topic_b"]))))
        parents = sentence_parents(units)
        pbest = [parents[b] for b in best]
        emb = 1.0 / (1.0 + np.exp(-(unit_vecs[best] @ self.a["stance_emb_w"] + self.a["stance_emb_b"])))
        words = self.words.score([units[b] for b in pbest])
        st_x = np.concatenate([emb[:, None], words[:, None], self.stance.features([units[b] for b in best]),
                               self.stance.features([units[b] for b in pbest]),
                               self._knn(unit_vecs[best], targets.ids), self._knn(unit_vecs[pbest], targets.ids),
                               self._point_stance(unit_vecs[best], targets.ids)[:, None]],
                              axis=1)
        stance = 1.0 / (1.0 + np.exp(-(st_x @ self.a["stance_w"] + self.a["stance_b"])))
        return topics, stance, best


    def _point_stance(self, vecs: np.ndarray, ids: list[str]) -> np.ndarray:
        """``fit.point_stance`` of each point's evidence vector under that point's own head;
        0.5 (no opinion) for a point without one (a problem's own points, thin ones)."""
        rows = np.asarray([self.index.get(pid, -1) for pid in ids], dtype=np.int64)
        known = rows >= 0
        w = np.zeros((len(ids), vecs.shape[1]), dtype=np.float32)
        b = np.zeros(len(ids), dtype=np.float32)
        w[known], b[known] = self.a["point_stance_w"][rows[known]], self.a["point_stance_b"][rows[known]]
        return point_stance(vecs, w, b)

    def _knn(self, vecs: np.ndarray, ids: list[str]) -> np.ndarray:
        """``fit.stance_knn`` for every point's evidence vector at once (same values). Each
        point's vector is compared with its own exemplars only (a block per point): the full
        product with every exemplar was most of the listener's time."""
        if self._knn_parts is None:
            a = self.a
            self._knn_parts = ({i: np.ascontiguousarray(a["ex_vecs"][a["ex_owner"] == i]) for i in range(len(self.ids))},
                               {i: np.ascontiguousarray(a["dis_vecs"][a["dis_owner"] == i]) for i in range(len(self.ids))},
                               np.ascontiguousarray(a["dis_vecs"].T))
        ex_blocks, dis_blocks, dis_t = self._knn_parts
        out = np.zeros((len(ids), 4), dtype=np.float32)
        if dis_t.shape[1]:
            out[:, 2] = (vecs @ dis_t).max(axis=1)
        for k, pid in enumerate(ids):
            i = self.index.get(pid, -1)
            d, e = dis_blocks.get(i), ex_blocks.get(i)
            out[k, 0] = float((d @ vecs[k]).max()) if d is not None and len(d) else 0.0
            out[k, 1] = float((e @ vecs[k]).max()) if e is not None and len(e) else 0.0
        out[:, 3] = out[:, 0] - out[:, 1]
        return out
