"""Fit the listener from the labelled utterances: three small scikit-learn models.

1. **Heads**: one logistic regression per generic key point on the utterance embedding.
2. **Topic** (a pair model): logistic regression over ``features.pair_features`` deciding
   whether a text is about a key point at all (covered or dismissed). Fitted on
   cross-validated head scores (embedding heads and per-point bag-of-words models) and
   leave-problem-out exemplars, so it learns how much to
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
from interviewer.listening.features import (N_FEATURES, PointTargets, PointWords, bow_scores, compile_concepts,
                                            expand, pair_features)
from interviewer.listening.stance import (StanceFeatures, StanceWords, claim_score, fit_words, ngrams, point_stance,
                                          sentence_parents)
from interviewer.textutil import clauses

FOLDS = 5
# A near miss (a point's words, not its idea) weighs this many ordinary pairs in the topic
# fit: they are few among the easy negatives, and the ones the listener must not credit.
# Chosen on the dev problems (1, 3, 6 and 10 tried; 10 gave the best F1 with the fewest
# near misses and dismissals credited).
NEAR_MISS_WEIGHT = 10.0
MIN_STANCE_EXAMPLES = 4


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


def _per_point(X, Y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced logistic regression per key point (column of ``Y``) with at least three
    examples, as (weights per point, biases); a point with fewer never fires (bias -6).
    liblinear: the same fit as lbfgs here at half the time (hundreds of fits per refit)."""
    w = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float32)
    b = np.full(Y.shape[1], -6.0, dtype=np.float32)
    for j in range(Y.shape[1]):
        if Y[:, j].sum() >= 3:
            lr = _logistic(C=C, class_weight="balanced", max_iter=2000, solver="liblinear",
                           random_state=0).fit(X, Y[:, j])
            w[j], b[j] = lr.coef_[0], lr.intercept_[0]
    return w, b


def _fit_heads(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per key point, a logistic regression on the sentence embedding."""
    return _per_point(X, Y, C=2.0)


def _fit_point_words(texts: list[str], Y: np.ndarray) -> PointWords:
    """Per key point, a bag-of-words logistic regression (tf-idf words and word pairs) on the
    utterances about it: the lexical twin of the embedding heads, for what names a point in a
    word or two ("p99", "A/B", "guardrail") that a sentence embedding barely moves with."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=ngrams, min_df=2, sublinear_tf=True)
    X = vec.fit_transform(texts)
    w, b = _per_point(X, Y, C=1.0)
    return PointWords(vec.get_feature_names_out().tolist(), vec.idf_.astype(np.float32),
                      np.ascontiguousarray(w.T), b)


def _fit_claim(vecs: np.ndarray, texts: list[str], y: np.ndarray) -> dict[str, np.ndarray]:
    """Whether a text says something (covers or dismisses a point) or nothing in a point's
    words (near misses, filler): an embedding and a bag-of-words logistic regression, averaged
    by ``claim_score``. Returned as the arrays the listener keeps."""
    emb = _logistic(C=0.5, class_weight="balanced", max_iter=3000).fit(vecs, y)
    vocab, idf, w, b = fit_words(texts, y)
    return {"emb_w": emb.coef_[0].astype(np.float32), "emb_b": np.float32(emb.intercept_[0]),
            "vocab": np.asarray(vocab, dtype=str), "idf": idf, "words_w": w, "words_b": np.float32(b)}


def claim_words(m: dict[str, np.ndarray]) -> StanceWords:
    """The words half of a claim model's arrays (``_fit_claim``; kept as ``claim_*``)."""
    return StanceWords([str(v) for v in m["vocab"]], m["idf"], m["words_w"], float(m["words_b"]))


def _fit_point_stance(vecs: np.ndarray, y: np.ndarray, pts: np.ndarray, n_pts: int,
                      rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per key point, a logistic regression on the evidence embedding telling its dismissals
    and wrong claims from its affirmations (fitted on ``rows``): what is wrong about a point is
    the point's own ("accuracy will be high" is wrong of offline metrics, a random split of
    evaluation), which one model over every point hears poorly. A point with fewer than
    ``MIN_STANCE_EXAMPLES`` of either side keeps no head (weights 0, bias 0: p = 0.5)."""
    w = np.zeros((n_pts, vecs.shape[1]), dtype=np.float32)
    b = np.zeros(n_pts, dtype=np.float32)
    for j in range(n_pts):
        mine = rows & (pts == j)
        if min(int(y[mine].sum()), int((1 - y[mine]).sum())) < MIN_STANCE_EXAMPLES:
            continue
        lr = _logistic(C=2.0, class_weight="balanced", max_iter=2000, solver="liblinear",
                       random_state=0).fit(vecs[mine], y[mine])
        w[j], b[j] = lr.coef_[0], lr.intercept_[0]
    return w, b


def _fit_stance(vecs: np.ndarray, texts: list[str], low: np.ndarray, y: np.ndarray, groups: np.ndarray,
                pts: np.ndarray, n_pts: int):
    """Stance in two layers, so a few strong signals are not drowned by 384 embedding
    dimensions: a logistic regression on the evidence embedding, a bag-of-words one on the
    evidence sentence (``stance.StanceWords``) and one per key point (``_fit_point_stance``),
    whose out-of-fold probabilities (folds by problem) join the lexical cues and
    nearest-exemplar similarities in a second, small logistic regression. Returns (embedding
    weights, bias, words model arrays, per-point weights and biases, second model)."""
    def emb_model(rows):
        return _logistic(C=0.5, class_weight="balanced", max_iter=3000).fit(vecs[rows], y[rows])

    oof = np.zeros((len(y), 2), dtype=np.float32)
    oof_pt = np.full(len(y), 0.5, dtype=np.float32)
    for f in range(FOLDS):
        inside = groups % FOLDS != f
        if inside.all() or len(set(y[inside])) < 2:
            continue
        oof[~inside, 0] = emb_model(inside).predict_proba(vecs[~inside])[:, 1]
        words = StanceWords(*fit_words([t for t, k in zip(texts, inside) if k], y[inside]))
        oof[~inside, 1] = words.score([t for t, k in zip(texts, inside) if not k])
        pw, pb = _fit_point_stance(vecs, y, pts, n_pts, inside)
        oof_pt[~inside] = point_stance(vecs[~inside], pw[pts[~inside]], pb[pts[~inside]])
    full = emb_model(np.ones(len(y), bool))
    pw, pb = _fit_point_stance(vecs, y, pts, n_pts, np.ones(len(y), bool))
    top = _logistic(C=1.0, class_weight="balanced", max_iter=3000).fit(np.column_stack([oof, low, oof_pt]), y)
    return full.coef_[0].astype(np.float32), float(full.intercept_[0]), fit_words(texts, y), (pw, pb), top


def fit(train: list[Utterance], flow: Flow, embedder, stance: StanceFeatures,
        concepts: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """The fitted arrays (see ``model.ListenerModel``); dev thresholds are set by ``tuning``.

    One long function on purpose: the steps (heads, exemplars, out-of-fold heads and claim
    scores, pair rows, stance rows) share the same per-utterance units, vectors and folds, and
    reading them in order is how to check that no step sees its own problem's labels."""
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
    # what each utterance is about (covers or dismisses): the bag-of-words models' target, as
    # the topic model's (fitted on covers alone they learned "never" and "no need" against a
    # point and hid its dismissals)
    Y_about = Y.copy()
    for i, u in enumerate(train):
        for p in u.dismisses:
            Y_about[i, index[p]] = 1

    # exemplars: the utterances that cover each point
    ex_rows = [(i, index[p]) for i, u in enumerate(train) for p in u.covers]
    ex_vecs = utt_vecs[[i for i, _ in ex_rows]] if ex_rows else np.zeros((0, utt_vecs.shape[1]), np.float32)
    ex_owner = np.asarray([j for _, j in ex_rows], dtype=np.int64)
    ex_group = gid[[i for i, _ in ex_rows]] if ex_rows else np.zeros(0, np.int64)
    has_head = (np.abs(head_w).sum(axis=1) > 0).astype(np.float32)
    # dismissal exemplars: utterances that dismiss or get each point wrong
    dis_rows = [(i, index[p]) for i, u in enumerate(train) for p in u.dismisses]
    dis_vecs = utt_vecs[[i for i, _ in dis_rows]] if dis_rows else np.zeros((0, utt_vecs.shape[1]), np.float32)
    dis_owner = np.asarray([j for _, j in dis_rows], dtype=np.int64)
    dis_group = gid[[i for i, _ in dis_rows]] if dis_rows else np.zeros(0, np.int64)

    # near misses: a point's words without its idea (owned by no point)
    near_rows = [i for i, u in enumerate(train) if u.kind == "near_miss"]
    near_vecs, near_group = utt_vecs[near_rows], gid[near_rows]
    targets = PointTargets(ids, cue_vecs, cue_owner, head_w, head_b, has_head, ex_vecs, ex_owner, ex_group,
                           [compile_concepts(concepts.get(p, [])) for p in ids],
                           dis_vecs, dis_owner, dis_group, near_vecs, near_group)

    # cross-validated heads by problem group, for honest pair features
    fold_of = gid % FOLDS
    units = _units([u.text for u in train])
    unit_vecs = [embedder.encode(us) for us in units]
    cv_heads: list[np.ndarray] = [None] * len(train)  # type: ignore[list-item]
    cv_bow: list[tuple] = [None] * len(train)  # type: ignore[list-item]
    texts = [u.text for u in train]
    for f in range(FOLDS):
        inside = fold_of != f
        w, b = _fit_heads(utt_vecs[inside], Y[inside])
        bow = _fit_point_words([t for t, k in zip(texts, inside) if k], Y_about[inside])
        for i in np.where(~inside)[0]:
            cv_heads[i] = 1.0 / (1.0 + np.exp(-(unit_vecs[i] @ w.T + b)))
            cv_bow[i] = bow_scores(bow, units[i])
    point_words = _fit_point_words(texts, Y_about)

    # does a unit say anything at all (out of fold, like the heads)
    said = np.asarray([int(bool(u.covers or u.dismisses)) for u in train])
    cv_claim: list[np.ndarray] = [None] * len(train)  # type: ignore[list-item]
    for f in range(FOLDS):
        inside = fold_of != f
        m = _fit_claim(utt_vecs[inside], [t for t, k in zip(texts, inside) if k], said[inside])
        words = claim_words(m)
        for i in np.where(~inside)[0]:
            cv_claim[i] = claim_score(m["emb_w"], float(m["emb_b"]), words, unit_vecs[i], units[i])
    claim = _fit_claim(utt_vecs, texts, said)

    masked = PointTargets(ids, cue_vecs, cue_owner, head_w, head_b, np.zeros(n_pts, np.float32),
                          ex_vecs[:0], ex_owner[:0], ex_group[:0], near_vecs=near_vecs, near_group=near_group)
    stage_of = {p.id: s.id for s in flow.stages for p in s.key_points}
    parents = [sentence_parents(us) for us in units]
    weights: list[float] = []
    rows, labels, stance_x, stance_y, stance_vec, stance_g, stance_text, stance_pt = [], [], [], [], [], [], [], []
    for i, u in enumerate(train):
        words = [len(x.split()) for x in units[i]]
        in_stage = np.asarray([stage_of[p] == u.stage for p in ids], dtype=np.float32)
        feats, best = pair_features(unit_vecs[i], words, targets, in_stage, exclude_group=int(gid[i]),
                                    heads=cv_heads[i], unit_texts=units[i], claim=cv_claim[i],
                                    bow=cv_bow[i])
        mfeats, _ = pair_features(unit_vecs[i], words, masked, in_stage, unit_texts=units[i], claim=cv_claim[i])
        about = set(u.covers) | set(u.dismisses)
        for j, p in enumerate(ids):
            y = int(p in about)
            rows += [feats[j], mfeats[j]]
            labels += [y, y]
            weights += [NEAR_MISS_WEIGHT if u.kind == "near_miss" else 1.0] * 2
            if not y:
                continue
            b = best[j]
            pb = parents[i][b]
            knn = [stance_knn(unit_vecs[i][k], j, ex_vecs, ex_owner, dis_vecs, dis_owner,
                              ex_group != gid[i], dis_group != gid[i]) for k in (b, pb)]
            lex = stance.features([units[i][b], units[i][pb]])
            stance_x.append(np.concatenate([lex[0], lex[1], *knn]))
            stance_vec.append(unit_vecs[i][b])
            stance_text.append(units[i][pb])
            stance_y.append(int(p in u.dismisses))
            stance_g.append(int(gid[i]))
            stance_pt.append(j)
    # float32, as the features (scikit-learn fits it as it is); filled column by column
    design = expand(np.asarray(rows))
    del rows
    topic = _logistic(C=1.0, max_iter=5000).fit(design, np.asarray(labels), sample_weight=np.asarray(weights))
    del design
    emb_w, emb_b, words, (pst_w, pst_b), st = _fit_stance(
        np.asarray(stance_vec), stance_text, np.asarray(stance_x), np.asarray(stance_y), np.asarray(stance_g),
        np.asarray(stance_pt, dtype=np.int64), n_pts)
    return {"ids": np.asarray(ids), "cue_vecs": cue_vecs, "cue_owner": cue_owner, "head_w": head_w,
            "head_b": head_b, "ex_vecs": ex_vecs, "ex_owner": ex_owner,
            "topic_w": topic.coef_[0].astype(np.float32), "topic_b": np.float32(topic.intercept_[0]),
            "dis_vecs": dis_vecs, "dis_owner": dis_owner, "near_vecs": near_vecs,
            **{f"claim_{k}": v for k, v in claim.items()},
            "stance_emb_w": emb_w, "stance_emb_b": np.float32(emb_b),
            "stance_vocab": np.asarray(words[0], dtype=str), "stance_idf": words[1],
            "stance_words_w": words[2], "stance_words_b": np.float32(words[3]),
            "words_vocab": np.asarray(point_words.vocab, dtype=str), "words_idf": point_words.idf,
            "words_w": point_words.w_t, "words_b": point_words.b,
            "point_stance_w": pst_w, "point_stance_b": pst_b,
            "stance_w": st.coef_[0].astype(np.float32), "stance_b": np.float32(st.intercept_[0]),
            "n_features": np.int64(N_FEATURES)}
