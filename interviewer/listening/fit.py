"""Fit the listener from the labelled utterances: three small scikit-learn models.

1. **Heads**: one logistic regression per generic key point on the utterance embedding.
2. **Topic** (a pair model): logistic regression over ``features.pair_features`` deciding
   whether a text is about a key point at all (covered or dismissed). Fitted on
   cross-validated head scores and leave-problem-out exemplars, so it learns how much to
   trust them on problems it has not seen; each pair is also seen with head and exemplars
   masked, which is how a problem's own key points (no labelled data) are heard.
3. **Stance**: logistic regression on the evidence sentence's embedding and lexical cues
   (``prompts/stance.yaml``): is the candidate affirming the point, or dismissing it /
   getting it wrong?

Decision thresholds are chosen on the dev problems (never on the held-out test set).
Deterministic: the same corpus and embedding model give the same arrays.
"""

from __future__ import annotations

import numpy as np

from interviewer.flow import Flow
from interviewer.listening.corpus import Utterance
from interviewer.listening.features import N_FEATURES, PointTargets, compile_concepts, expand, pair_features
from interviewer.listening.stance import StanceFeatures
from interviewer.textutil import clauses

FOLDS = 5


def _units(texts: list[str]) -> list[list[str]]:
    return [clauses(t) or [t] for t in texts]


def flow_targets(flow: Flow, embedder) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every generic key point's definition and cues, embedded: (ids, vectors, owner)."""
    ids, texts, owner = [], [], []
    for s in flow.stages:
        for p in s.key_points:
            for t in (p.text, *p.cues):
                texts.append(t)
                owner.append(len(ids))
            ids.append(p.id)
    return ids, embedder.encode(texts), np.asarray(owner)


def stance_knn(vec: np.ndarray, j: int, ex_vecs, ex_owner, dis_vecs, dis_owner,
               ex_keep=None, dis_keep=None) -> np.ndarray:
    """How close a sentence is to labelled dismissals of point ``j`` (and of any point) versus
    to labelled affirmations of it: [dismissal max, affirmation max, any-dismissal max, gap]."""
    def best(vecs, owner, keep, only=True):
        mask = (owner == j) if only else np.ones(len(owner), bool)
        if keep is not None:
            mask &= keep
        return float((vecs[mask] @ vec).max()) if mask.any() else 0.0
    d, a, any_d = best(dis_vecs, dis_owner, dis_keep), best(ex_vecs, ex_owner, ex_keep), \
        best(dis_vecs, dis_owner, dis_keep, only=False)
    return np.asarray([d, a, any_d, d - a], dtype=np.float32)


def _logistic(**kw):
    """scikit-learn is imported only when fitting (a cold command never pays for it)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**kw)


def _fit_heads(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float32)
    b = np.full(Y.shape[1], -6.0, dtype=np.float32)
    for j in range(Y.shape[1]):
        if Y[:, j].sum() >= 3:
            lr = _logistic(C=2.0, class_weight="balanced", max_iter=2000).fit(X, Y[:, j])
            w[j], b[j] = lr.coef_[0], lr.intercept_[0]
    return w, b


def fit(train: list[Utterance], flow: Flow, embedder, stance: StanceFeatures,
        concepts: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """The fitted arrays (see ``listener.ListenerModel``); dev thresholds are set by ``tune``."""
    ids, cue_vecs, cue_owner = flow_targets(flow, embedder)
    index = {p: i for i, p in enumerate(ids)}
    n_pts = len(ids)
    utt_vecs = embedder.encode([u.text for u in train])
    groups = sorted({u.group for u in train})
    gid = np.asarray([groups.index(u.group) for u in train])
    Y = np.zeros((len(train), n_pts), dtype=np.int8)
    for i, u in enumerate(train):
        for p in u.covers:
            Y[i, index[p]] = 1
    head_w, head_b = _fit_heads(utt_vecs, Y)

    # exemplars: the utterances that cover each point
    ex_rows = [(i, index[p]) for i, u in enumerate(train) for p in u.covers]
    ex_vecs = utt_vecs[[i for i, _ in ex_rows]] if ex_rows else np.zeros((0, utt_vecs.shape[1]), np.float32)
    ex_owner = np.asarray([j for _, j in ex_rows], dtype=np.int64)
    ex_group = gid[[i for i, _ in ex_rows]] if ex_rows else np.zeros(0, np.int64)
    has_head = (np.abs(head_w).sum(axis=1) > 0).astype(np.float32)
    targets = PointTargets(ids, cue_vecs, cue_owner, head_w, head_b, has_head, ex_vecs, ex_owner, ex_group,
                           [compile_concepts(concepts.get(p, [])) for p in ids])

    # cross-validated heads by problem group, for honest pair features
    fold_of = gid % FOLDS
    units = _units([u.text for u in train])
    unit_vecs = [embedder.encode(us) for us in units]
    cv_heads: list[np.ndarray] = [None] * len(train)  # type: ignore[list-item]
    for f in range(FOLDS):
        inside = fold_of != f
        w, b = _fit_heads(utt_vecs[inside], Y[inside])
        for i in np.where(~inside)[0]:
            cv_heads[i] = 1.0 / (1.0 + np.exp(-(unit_vecs[i] @ w.T + b)))

    # dismissal exemplars: utterances that dismiss or get each point wrong
    dis_rows = [(i, index[p]) for i, u in enumerate(train) for p in u.dismisses]
    dis_vecs = utt_vecs[[i for i, _ in dis_rows]] if dis_rows else np.zeros((0, utt_vecs.shape[1]), np.float32)
    dis_owner = np.asarray([j for _, j in dis_rows], dtype=np.int64)
    dis_group = gid[[i for i, _ in dis_rows]] if dis_rows else np.zeros(0, np.int64)

    masked = PointTargets(ids, cue_vecs, cue_owner, head_w, head_b, np.zeros(n_pts, np.float32),
                          ex_vecs[:0], ex_owner[:0], ex_group[:0])
    stage_of = {p.id: s.id for s in flow.stages for p in s.key_points}
    rows, labels, stance_x, stance_y = [], [], [], []
    for i, u in enumerate(train):
        words = [len(x.split()) for x in units[i]]
        in_stage = np.asarray([stage_of[p] == u.stage for p in ids], dtype=np.float32)
        feats, best = pair_features(unit_vecs[i], words, targets, in_stage, exclude_group=int(gid[i]),
                                    heads=cv_heads[i], unit_texts=units[i])
        mfeats, _ = pair_features(unit_vecs[i], words, masked, in_stage, unit_texts=units[i])
        about = set(u.covers) | set(u.dismisses)
        for j, p in enumerate(ids):
            y = int(p in about)
            rows += [feats[j], mfeats[j]]
            labels += [y, y]
            if not y:
                continue
            vec = unit_vecs[i][best[j]]
            knn = stance_knn(vec, j, ex_vecs, ex_owner, dis_vecs, dis_owner,
                             ex_group != gid[i], dis_group != gid[i])
            stance_x.append(np.concatenate([vec, stance.features([units[i][best[j]]])[0], knn]))
            stance_y.append(int(p in u.dismisses))
    topic = _logistic(C=1.0, max_iter=5000).fit(expand(np.asarray(rows)), np.asarray(labels))
    st = _logistic(C=0.5, class_weight="balanced", max_iter=3000).fit(np.asarray(stance_x),
                                                                               np.asarray(stance_y))
    return {"ids": np.asarray(ids), "cue_vecs": cue_vecs, "cue_owner": cue_owner, "head_w": head_w,
            "head_b": head_b, "ex_vecs": ex_vecs, "ex_owner": ex_owner,
            "topic_w": topic.coef_[0].astype(np.float32), "topic_b": np.float32(topic.intercept_[0]),
            "dis_vecs": dis_vecs, "dis_owner": dis_owner,
            "stance_w": st.coef_[0].astype(np.float32), "stance_b": np.float32(st.intercept_[0]),
            "n_features": np.int64(N_FEATURES)}


MAX_FALSE_DISMISSALS = 0.03     # share of covered points that may be heard as dismissed


def tune_elsewhere(scored: list[tuple[set[str], set[str], dict[str, tuple[float, float]]]],
                   precision: float) -> float:
    """The topic threshold for points heard as if in the current stage although they belong to
    another (candidates answer ahead and come back): the lowest at which hearing every point
    as in-stage on dev is as precise as in-stage hearing is at its own threshold."""
    for t in np.arange(0.3, 0.99, 0.01):
        tp = fp = 0
        for covers, _, probs in scored:
            heard = {p for p, (a, _) in probs.items() if a >= t}
            tp += len(heard & covers)
            fp += len(heard - covers)
        if tp and tp / (tp + fp) >= precision:
            return float(t)
    return 0.99


def tune(scored: list[tuple[set[str], set[str], dict[str, tuple[float, float]]]]) -> tuple[float, float]:
    """Choose the (topic, stance) thresholds on dev utterances: the best F1 of affirmed
    points minus half the share of dismissed points credited as covered, among settings
    that hear at most 3% of covered points as dismissed (a wrong challenge costs the
    candidate more than a missed one).

    ``scored``: per utterance (covered ids, dismissed ids, {point: (topic p, stance p)})."""
    best, best_value = (0.5, 0.9), -1e9
    for t_topic in np.arange(0.15, 0.85, 0.025):
        for t_stance in np.arange(0.3, 0.95, 0.025):
            tp = fp = fn = dis = dis_hit = cov = false_dis = 0
            for covers, dismisses, probs in scored:
                about = {p for p, (a, _) in probs.items() if a >= t_topic}
                said = {p for p in about if probs[p][1] < t_stance}
                tp += len(said & covers)
                fp += len(said - covers)
                fn += len(covers - said)
                dis += len(dismisses)
                dis_hit += len(said & dismisses)
                cov += len(covers)
                false_dis += len((about - said) & covers)
            if false_dis > MAX_FALSE_DISMISSALS * max(1, cov):
                continue
            value = 2 * tp / max(1, 2 * tp + fp + fn) - 0.5 * dis_hit / max(1, dis)
            if value > best_value + 1e-9:
                best, best_value = (float(t_topic), float(t_stance)), value
    return best
