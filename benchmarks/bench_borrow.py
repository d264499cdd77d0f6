"""Offline borrow: which bank problem a free-text question borrows key points from, and the floor.

For every question in benchmarks/borrow_questions.yaml (free-text questions written for this,
plus the non-bank questions of tests/labelled/): the best bank problem and its score (meaning +
tags, interviewer/engine/borrow.py). Per floor: questions with a fitting bank problem that
borrow a fitting one (right), borrow an unfitting one (wrong), or borrow nothing (missed), and
questions with none that borrow anything (false borrow). Also each bank statement against the
other bank problems (how close two distinct bank problems are). The floor in
prompts/borrow.yaml is the one to read off here: no false borrow, fewest wrong.
"""

from __future__ import annotations

from pathlib import Path

import yaml

NAME = "borrow"
DESCRIPTION = "free-text question -> most similar bank problem: scores, right/wrong/missed/false borrows per floor"
QUESTIONS = Path(__file__).resolve().parent / "borrow_questions.yaml"
FLOORS = (0.35, 0.40, 0.45, 0.47, 0.48, 0.50, 0.55)


def run(args) -> dict:
    from interviewer.config.settings import Settings
    from interviewer.engine.borrow import load_rules, rank
    from interviewer.embedding.local import Embedder, LocalEmbeddings
    from interviewer.problems import ProblemBank, load_bank

    settings = Settings()
    bank = load_bank(settings)
    rules = load_rules(settings.prompts_dir)
    emb = Embedder(LocalEmbeddings(), LocalEmbeddings.name)
    items = yaml.safe_load(QUESTIONS.read_text())["questions"]
    rows, scored = [], []
    for it in items:
        best = rank(it["q"], bank, emb, rules)[0]
        fit = set(it["fit"])
        verdict = "-" if not fit else ("fits" if best.problem.id in fit else "unfit")
        scored.append((best.score, best.problem.id, fit))
        rows.append([it["q"][:58], best.problem.id, round(best.meaning, 3), round(best.score, 3),
                     ",".join(best.tags) or "-", verdict])
    figures: dict = {"floor_in_use": rules.floor, "tag_boost": rules.tag_boost}
    for floor in FLOORS:
        right = sum(1 for s, pid, fit in scored if fit and s >= floor and pid in fit)
        wrong = sum(1 for s, pid, fit in scored if fit and s >= floor and pid not in fit)
        missed = sum(1 for s, _, fit in scored if fit and s < floor)
        false = sum(1 for s, _, fit in scored if not fit and s >= floor)
        figures[f"floor {floor:.2f}"] = f"right {right}, wrong {wrong}, missed {missed}, false borrow {false}"
    with_fit = [s for s, _, fit in scored if fit]
    without = [s for s, _, fit in scored if not fit]
    figures["fitting questions: lowest / median score"] = f"{min(with_fit):.3f} / {sorted(with_fit)[len(with_fit) // 2]:.3f}"
    figures["no-fit questions: highest / median score"] = f"{max(without):.3f} / {sorted(without)[len(without) // 2]:.3f}"
    # each bank problem's statement against the others (it is excluded from its own bank)
    others = []
    for p in bank.list():
        rest = ProblemBank([])
        rest.problems = {q.id: q for q in bank.list() if q.id != p.id}
        best = rank(p.statement, rest, emb, rules)[0]
        others.append((best.score, p.id, best.problem.id))
    figures["bank statement -> nearest other bank problem"] = "; ".join(
        f"{a} -> {b} {s:.2f}" for s, a, b in sorted(others, reverse=True))
    return {"headers": ["question", "best", "meaning", "score", "tags named", "verdict"],
            "table": rows, "figures": figures}
