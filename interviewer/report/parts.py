"""Pieces of the interview report: which turns are graded, the overall level, cross-stage criteria."""

from __future__ import annotations

from typing import Any

from interviewer.grading.grades import CriterionScore

LEVELS = ((3.25, "strong hire"), (2.5, "lean hire"), (1.75, "lean no hire"), (float("-inf"), "no hire"))


def stage_texts(turns, flow, early: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Stage id → the candidate's graded words in that stage (the turn kinds its
    ``graded_turns`` in prompts/flow.yaml name), turns joined by blank lines, plus sentences
    said earlier that the interview credited to that stage ahead of time."""
    graded = {s.id: set(s.graded_turns) for s in flow.stages}
    out: dict[str, list[str]] = {}
    for t in turns:
        if t.role != "candidate":
            continue
        if t.kind in graded.get(t.stage, ()) and t.text.strip():
            out.setdefault(t.stage, []).append(t.text.strip())
    for stage_id, sentences in (early or {}).items():
        if sentences:
            out.setdefault(stage_id, []).append(" ".join(sentences))
    return {k: "\n\n".join(v) for k, v in out.items()}


def level_for(score: float) -> str:
    for threshold, name in LEVELS:
        if score >= threshold:
            return name
    return "no hire"


def overall(stages, hint_cost: float, hints: int, facts: int, total_facts: int) -> dict[str, Any]:
    mean = sum(s.score for s in stages) / len(stages)
    score = round(max(1.0, mean - hint_cost), 2)
    level = level_for(score)
    reasons = [f"Mean stage score {mean:.2f}/4 over {len(stages)} stages"
               + (f", minus {hint_cost:.1f} for {hints} hint(s)" if hints else ", no hints used") + "."]
    weak = [s for s in stages if s.score == 1]
    if weak and level == "strong hire":
        level = "lean hire"
        reasons.append("Capped at lean hire: a stage scored 1.")
    best = max(stages, key=lambda s: s.score)
    worst = min(stages, key=lambda s: s.score)
    if best.score >= 3:
        reasons.append(f"Strongest stage: {best.name} ({best.score}/4).")
    if worst.score <= 2:
        why = f" ({worst.note})" if worst.note else ""
        reasons.append(f"Weakest stage: {worst.name} ({worst.score}/4){why}.")
    unreached = [s.name for s in stages if not s.reached]
    if unreached:
        reasons.append(f"Not reached: {', '.join(unreached)}.")
    flags = sorted({n.split("red flag: ", 1)[1] for s in stages for n in s.notices if "red flag: " in n})
    for claim in flags:
        reasons.append(f"Confidently wrong: {claim}")
    if total_facts:
        reasons.append(f"Drew out {facts} of {total_facts} facts by asking.")
    return {"level": level, "score": score, "reasons": reasons}


def _avg_criterion(stages, cid: str) -> tuple[int, list[str]]:
    vals, quotes = [], []
    for s in stages:
        for c in s.criteria:
            if c.id == cid:
                vals.append(c.score)
                quotes += c.evidence[:1]
    if not vals:
        return 1, []
    return max(1, min(4, int(sum(vals) / len(vals) + 0.5))), quotes[:2]


def cross_stage(rubric, flow, stages, questions: list[str], facts: int, total_facts: int,
                visited: int, hints: int, probes: int) -> list[CriterionScore]:
    n_stages = len(flow.stages)
    out: list[CriterionScore] = []
    for cid in ("structure-communication", "trade-offs"):
        c = rubric.cross(cid)
        score, quotes = _avg_criterion(stages, cid)
        out.append(CriterionScore(id=c.id, name=c.name, score=score, evidence=quotes,
                                  missing=[] if score >= 3 else [c.anchor(3).text],
                                  rationale=c.anchor(score).text))
    # driving: 1 + 2 × share of stages reached, +1 without hints (+0.5 with one or two), − probes/8
    c = rubric.cross("driving-the-interview")
    value = 1 + 2 * visited / n_stages + (1.0 if hints == 0 else 0.5 if hints <= 2 else 0.0) - min(1.0, probes / 8)
    score = max(1, min(4, int(value + 0.5)))
    out.append(CriterionScore(
        id=c.id, name=c.name, score=score, evidence=[],
        missing=[] if score >= 3 else [c.anchor(3).text],
        rationale=f"{c.anchor(score).text} Reached {visited}/{n_stages} stages, {hints} hint(s), {probes} probe(s)."))
    # clarifying: share of the problem's facts drawn out (custom questions have none: judged on asking)
    c = rubric.cross("clarifying-questions")
    if total_facts:
        share = facts / total_facts
        score = 4 if share >= 0.4 else 3 if share >= 0.2 else 2 if facts else 1
        note = f" Drew out {facts} of {total_facts} facts."
    else:
        score = 3 if len(questions) >= 3 else 2 if questions else 1
        note = f" Asked {len(questions)} clarifying question turn(s)."
    out.append(CriterionScore(id=c.id, name=c.name, score=score, evidence=questions[:3],
                              missing=[] if score >= 3 else [c.anchor(3).text],
                              rationale=c.anchor(score).text + note))
    return out
