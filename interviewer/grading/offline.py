"""The deterministic offline grader: no LLM, same input -> same output.

What the answer says is heard by the listener (the same one the interviewer uses): which of
the stage's key points (the flow's plus the problem's own) it affirms, with the sentence as
evidence. A small fitted ordinal model (``grading/fitted.py``, coefficients in
``prompts/grading_model.yaml``) turns a few named features of that substance (coverage,
quantities with units, named mechanisms, this question's own terms; ``grading/substance.py``)
into a 1-4 level, per criterion and for the stage. Rules hold whatever the fit: text addressed
to the grader -> 1; off topic (about another stage, or about another product:
``grading/aboutness.py``) -> 1; restating the question -> 1; a confidently wrong claim
(a rubric red flag, by its phrasings or by the listener's stance) caps its criterion and the
stage; a bare list of names, or an answer that dismisses as many of the stage's points as it
covers, is at most 2 (``scoring.substance_caps``). Evidence quotes are exact sentences.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from interviewer.flow import Flow, KeyPoint
from interviewer.grading.aboutness import about_another_product, load_aboutness_if_present
from interviewer.grading.advice import strengths_and_improvements
from interviewer.grading.answer_input import check_answer
from interviewer.grading.fitted import GradingModel, load_model
from interviewer.grading.grades import CriterionScore, StageGrade
from interviewer.grading.red_flags import red_flags
from interviewer.grading.rubric import Rubric, RubricStage
from interviewer.grading.scoring import (OTHER_STAGE_POINTS, RELEVANT, SUBSTANCE_CAP, Features, heard_nothing,
                                         reasoning_values, stage_caps, substance_caps, to_score)
from interviewer.grading.signals import analyse, content_words, injection_sentences
from interviewer.grading.substance import FEATURES, Substance, measure, weighted_share
from interviewer.embedding.local import Embedder
from interviewer.problems import Problem
from interviewer.textutil import clauses, sentences as split_sentences, truncate_words

MAX_WORDS = 1500
USE_FILE = object()          # grade_offline's default: the aboutness model of the prompts folder


@dataclass
class Graded:
    """Intermediate results, kept for the report and for calibration."""

    grade: StageGrade
    features: Features
    hit_points: list[KeyPoint] = field(default_factory=list)
    missed_points: list[KeyPoint] = field(default_factory=list)
    substance: Substance | None = None
    injected: list[str] = field(default_factory=list)   # sentences addressed to the grader


def _problem_context(problem: Problem, stage: str) -> list[str]:
    texts = split_sentences(problem.statement)
    texts += [f.answer for f in problem.facts]
    texts += [k.text for k in problem.stage_key_points(stage)]
    return texts


def fixed_texts(stage: str, problem: Problem, flow: Flow, rubric: Rubric) -> list[str]:
    """Texts the grader embeds for this stage and problem whatever the answer (cacheable)."""
    points = [*(k for k in flow.stage(stage).key_points if k.id not in problem.skip_points),
              *problem.stage_key_points(stage)]
    fixed = [t for p in points for t in (p.text, *p.cues)]
    fixed += _problem_context(problem, stage) + [problem.statement]
    fixed += [c for f in rubric.stage(stage).red_flags for c in f.cues]
    return list(dict.fromkeys(fixed))


def _attach_problem_points(embedder: Embedder, flow: Flow, rstage: RubricStage,
                           extra: list[KeyPoint], skip: frozenset[str] = frozenset()) -> dict[str, list[KeyPoint]]:
    """Criterion id → key points (the flow's, minus ``skip``, then the problem's nearest)."""
    by_id = {k.id: k for k in flow.stage(rstage.id).key_points if k.id not in skip}
    out = {c.id: [by_id[k] for k in c.key_points if k in by_id] for c in rstage.criteria}
    for kp in extra:
        best, best_sim = rstage.criteria[0].id, -1.0
        for c in rstage.criteria:
            texts = [p.text for p in out[c.id]] or [c.name]
            sim = float(embedder.similarity([kp.text], texts).max())
            if sim > best_sim:
                best, best_sim = c.id, sim
        out[best].append(kp)
    return out


def _all_ones(stage: str, rstage: RubricStage, reason: str, notices: list[str], scope: str = "") -> StageGrade:
    crits = [CriterionScore(id=c.id, name=c.name, score=1, evidence=[],
                            missing=[c.anchor(3).text], rationale=reason) for c in rstage.criteria]
    return StageGrade(stage=stage, score=1, criteria=crits, strengths=[],
                      improvements=[reason], grader="offline", notices=notices, scope=scope)


def _measure_text(feats: Features, embedder: Embedder, text: str, sents: list, points: list[KeyPoint],
                  problem: Problem, stage: str) -> list:
    """Fill ``feats`` with what the words show whatever the listener hears (relevance to the
    stage, this problem's specificity, restating, fragments, filler, reasons); returns the
    sentences on the stage's topic."""
    texts = [s.text for s in sents]
    ctx = _problem_context(problem, stage)
    targets = [t for p in points for t in (p.text, *p.cues)]
    rel = embedder.similarity(texts, targets).max(axis=1) if texts else np.zeros(0)
    spec = embedder.similarity(texts, ctx).max(axis=1) if texts and ctx else np.zeros(len(texts))
    stmt = _mean_similarity(embedder, texts, problem.statement)

    relevant = [s for s, r in zip(sents, rel) if r >= RELEVANT]
    feats.max_relevance = float(rel.max()) if len(rel) else 0.0
    feats.max_specificity = float(spec.max()) if len(spec) else 0.0
    feats.min_specificity = float(spec.min()) if len(spec) else 0.0
    feats.statement_similarity = float(stmt)
    words = content_words(text)
    stmt_words = set(content_words(problem.statement))
    feats.statement_overlap = (sum(w in stmt_words for w in words) / len(words)) if words else 0.0
    frag_words = sum(s.words for s in sents if s.fragment)
    feats.fragment_share = frag_words / feats.words if feats.words else 1.0
    feats.filler_share = sum(s.filler for s in sents) / len(sents) if sents else 0.0
    feats.justified = sum(1 for s in relevant if s.justified and not s.fragment)
    feats.tradeoffs = sum(1 for s in relevant if s.tradeoff and not s.fragment)
    feats.relevant_sentences = sum(1 for s in relevant if not s.fragment)
    return relevant


def _dismissed_by_criterion(heard, criteria, points_by_crit) -> dict[str, set[str]]:
    """Criterion id → the sentences the listener heard dismissing one of its key points."""
    crit_of = {p.id: c.id for c in criteria for p in points_by_crit[c.id]}
    out: dict[str, set[str]] = {}
    for h in heard.dismissed:
        if h.evidence and h.point.id in crit_of:
            out.setdefault(crit_of[h.point.id], set()).add(h.evidence)
    return out


def _criterion_scores(text: str, criteria, points_by_crit: dict[str, list[KeyPoint]], model: GradingModel,
                      substance: Substance, vector: np.ndarray, heard, flags, held_back) -> list[CriterionScore]:
    """Each of the stage's own criteria: the fitted model on its points' coverage, capped by its
    red flags and the substance caps, with exact quotes and what is still missing."""
    affirmed = set(substance.affirmed)
    evidence_of = {h.point.id: h.evidence for h in heard.points if h.evidence}
    out: list[CriterionScore] = []
    for c in criteria:
        pts = points_by_crit[c.id]
        own = vector.copy()
        own[FEATURES.index("coverage")] = weighted_share(pts, affirmed)
        cap = min([f.cap for f, _ in flags if f.criterion == c.id], default=4)
        if any(h.points is None or h.points & {p.id for p in pts} for h in held_back):
            cap = min(cap, SUBSTANCE_CAP)
        score = min(model.score(own), cap)
        evidence = []
        for p in pts:
            quote = _exact_quote(text, evidence_of[p.id]) if p.id in affirmed and p.id in evidence_of else None
            if quote and quote not in evidence:
                evidence.append(quote)
        evidence += [q for f, q in flags if f.criterion == c.id and q not in evidence]
        missing = [p.text for p in sorted(pts, key=lambda p: -p.importance) if p.id not in affirmed]
        out.append(CriterionScore(
            id=c.id, name=c.name, score=score, evidence=evidence[:3], missing=missing[:3],
            rationale=c.anchor(score).text))
    return out


def _reasoning_scores(rubric: Rubric, feats: Features, relevant: list) -> list[CriterionScore]:
    """The cross-stage criteria one written answer is judged on (``scoring.reasoning_values``)."""
    out = []
    for cid, value in reasoning_values(feats).items():
        cc = rubric.cross(cid)
        s = to_score(value)
        ev = ([x.text for x in relevant if (x.justified or x.tradeoff) and not x.fragment][:2]
              if cid == "trade-offs" else [])
        out.append(CriterionScore(id=cc.id, name=cc.name, score=s, evidence=ev,
                                  missing=[] if s >= 3 else [cc.anchor(3).text],
                                  rationale=cc.anchor(s).text))
    return out


def grade_offline(*, stage: str, text: str, problem: Problem, embedder: Embedder,
                  flow: Flow, rubric: Rubric, listener, prompts_dir: str,
                  model: GradingModel | None = None, max_words: int = MAX_WORDS,
                  credited: Iterable[str] = (), screen=None, aboutness=USE_FILE) -> Graded:
    """``listener``: what hears the answer (``services.listener()``); ``model``: the fitted
    ordinal model (``prompts/grading_model.yaml`` under ``prompts_dir`` when not given).
    ``credited``: key point ids the interview already counted as covered in this stage
    (the interview report passes them, so the report never asks for what was accepted).
    ``screen``: the learned injection screen (``services.injection_screen()``), read after the
    patterns of ``prompts/injection.yaml`` find nothing; patterns alone when None.
    ``aboutness``: whether the answer is about another product (``grading/aboutness.py``); by
    default ``prompts/aboutness_model.yaml`` under ``prompts_dir`` when the file is there; None: not asked."""
    if model is None:
        model = load_model(prompts_dir)
    if aboutness is USE_FILE:
        aboutness = load_aboutness_if_present(prompts_dir)
    check_answer(text)
    rstage = rubric.stage(stage)
    notices: list[str] = []
    text, truncated = truncate_words(text, max_words)
    if truncated:
        notices.append(f"answer truncated: graded on its first {max_words} words")

    sents = analyse(text)
    feats = Features(words=sum(s.words for s in sents), sentences=len(sents))
    injected = injection_sentences(text, sents, prompts_dir)
    if not injected:
        # one batched encode of everything the answer's own texts need (the model's call overhead
        # and padding dominate): its sentences for the screen, the listener's sentences and clauses
        units = [s.text for s in sents]
        embedder.warm(units + split_sentences(text) + clauses(text))
        if screen is not None and units:
            injected = screen.flag(units, embedder.encode(units))
    if injected:
        feats.injection = True
        reason = ("The answer contains text addressed to the grader (e.g. "
                  f"\"{injected[0][:80]}\"); it is graded 1. Answer the interviewer's question instead.")
        return Graded(_all_ones(stage, rstage, reason, notices, rubric.scoring.offline_scope), feats,
                      injected=list(injected))

    # the stage's fixed texts in one batch too (cached after the first answer of a process)
    embedder.warm(fixed_texts(stage, problem, flow, rubric) + (aboutness.pool if aboutness else []))

    points_by_crit = _attach_problem_points(embedder, flow, rstage, problem.stage_key_points(stage),
                                            frozenset(problem.skip_points))
    # a criterion left without key points (all skipped for this problem) is not graded
    criteria = [c for c in rstage.criteria if points_by_crit[c.id]] or list(rstage.criteria)
    all_points = [p for c in criteria for p in points_by_crit[c.id]]

    relevant = _measure_text(feats, embedder, text, sents, all_points, problem, stage)

    heard = listener.hear(text, all_points)
    flags = red_flags(embedder, rstage, sents, rubric.red_flag_words,
                      _dismissed_by_criterion(heard, criteria, points_by_crit))
    feats.red_flags = [f.id for f, _ in flags]

    substance = measure(sents, heard, all_points, problem, prompts_dir, set(credited))
    held_back = substance_caps(substance.fragments, substance.quantities, substance.dismissed_ids,
                               substance.affirmed)
    vector = substance.vector()
    crit_scores = _criterion_scores(text, criteria, points_by_crit, model, substance, vector, heard, flags,
                                    held_back)
    crit_scores += _reasoning_scores(rubric, feats, relevant)
    affirmed = set(substance.affirmed)

    feats.coverage = substance.coverage
    # heard nothing, and no sentence on the stage's topic either: off topic (an answer on topic
    # that the listener missed, or notes with figures, is graded by what it shows)
    silent = heard_nothing(bool(affirmed), substance.terms, substance.dismissed, feats.max_relevance,
                           substance.fragments, substance.quantities)
    other = None if affirmed else _other_stage(listener, text, flow, stage)
    # a bare list of names says too little to tell which product it is about: its own cap speaks
    if other is None and aboutness is not None and not any(h.names_only for h in held_back):
        feats.other_product = about_another_product(aboutness, embedder, text, problem, flow) or 0.0
    cap, cap_reasons = stage_caps(feats, flags, heard_nothing=silent, substance=held_back,
                                  other_stage=other, other_product=feats.other_product > 0)
    score = min(model.score(vector), cap)
    notices += cap_reasons

    hit = [p for p in all_points if p.id in affirmed]
    missed = sorted((p for p in all_points if p.id not in affirmed), key=lambda p: -p.importance)
    strengths, improvements = strengths_and_improvements(hit, missed, crit_scores, flags, feats, cap_reasons)
    grade = StageGrade(stage=stage, score=score, criteria=crit_scores, strengths=strengths,
                       improvements=improvements, grader="offline", notices=notices,
                       scope=rubric.scoring.offline_scope)
    return Graded(grade, feats, hit, missed, substance)


def _other_stage(listener, text: str, flow: Flow, stage: str) -> str | None:
    """The name of another stage whose key points the answer affirms (at least
    ``OTHER_STAGE_POINTS`` of them), when it affirms none of this stage's: e.g. a scale answer
    given for metrics. Heard with every stage's points, this stage's as in-stage."""
    points = [p for s in flow.stages for p in s.key_points]
    own = {p.id for p in flow.stage(stage).key_points}
    stage_of = {p.id: s.id for s in flow.stages for p in s.key_points}
    counts = Counter(stage_of[h.point.id] for h in listener.hear(text, points, in_stage=own).affirmed
                     if h.point.id not in own)
    best = counts.most_common(1)
    return flow.stage(best[0][0]).name if best and best[0][1] >= OTHER_STAGE_POINTS else None


def _mean_similarity(embedder: Embedder, texts: list[str], other: str) -> float:
    """Cosine similarity between the answer (mean of its sentence vectors) and ``other``."""
    if not texts:
        return 0.0
    mean = embedder.encode(texts).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return float(mean @ embedder.encode([other])[0] / norm) if norm else 0.0


def _exact_quote(text: str, sentence: str) -> str | None:
    from interviewer.grading.signals import _BULLET, _exact

    piece = _BULLET.sub("", sentence)
    quote, _ = _exact(text, piece, 0)
    return quote if quote in text else None
