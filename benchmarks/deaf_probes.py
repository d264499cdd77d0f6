"""Deaf probes: in scripted interviews, how often the interviewer asks for a key point the
candidate already affirmed in that stage (per the labels, not per the listener).

The interviews are built from the held-out utterances (tests/labelled/hearing/*.jsonl; each
line: text, stage, question or problem, covers / dismisses labels). One interview per question
and per rotation of its utterances: every stage in the flow's order gets that question's
utterances of that stage (in a fixed order mixing the kinds, not the file's), one answer turn each, through the real offline engine (``Services``,
the offline voice, no knowledge base, a frozen clock so no stage runs out of time). When the
engine moves on by itself the rest of that stage's utterances are skipped; when they run out
the candidate says ``/next``. Nothing here fits or tunes anything: it only measures.

deaf = a ``probe`` move whose key point is among the points the utterances fed so far in the
current stage cover (labels). ``deaf_anywhere`` also counts points covered in earlier stages.
Challenges (pushing back on a point heard as dismissed) are right when a turn of the stage so
far dismissed the point (labels), wrong when turns of the stage only affirmed it.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import defaultdict

ROTATIONS = 3


def _mixed(u) -> str:
    """A fixed, id-derived order: writers group their files by kind (right claims first,
    dismissals last), and the engine moves on before a stage's last utterances are fed."""
    return hashlib.sha256(u.id.encode()).hexdigest()


def scripted_groups(utterances) -> dict[tuple, dict[str, list]]:
    """(problem id, question) → stage → utterances, in a fixed mixed order (``_mixed``)."""
    groups: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for u in sorted(utterances, key=_mixed):
        groups[(u.problem, u.question)][u.stage].append(u)
    return groups


def _rotate(rows: list, k: int) -> list:
    if not rows:
        return rows
    k %= len(rows)
    return rows[k:] + rows[:k]


def run_interview(engine, flow, key: tuple, by_stage: dict[str, list], rotation: int, counts: dict,
                  examples: list) -> None:
    problem_id, question = key
    start = engine.start(problem_id=problem_id) if problem_id else engine.start(question=question)
    sid = start.session_id
    covered_ever: set[str] = set()
    for stage in flow.stage_ids:
        state = engine.state(sid)
        if state.status == "ended":
            return
        if flow.stage_ids.index(state.stage) > flow.stage_ids.index(stage):
            continue                                   # the engine is already past this stage
        said: set[str] = set()
        waved: set[str] = set()
        fed: list = []
        for u in _rotate(by_stage.get(stage, []), rotation):
            now = engine.state(sid)
            if now.stage != stage or now.status == "ended":
                counts["skipped"] += 1
                continue
            said |= set(u.covers)
            waved |= set(u.dismisses)
            fed.append(u)
            reply = engine.take_turn(sid, u.text)
            counts["turns"] += 1
            for move in reply.moves:
                if move.kind == "challenge" and move.key_point is not None:
                    counts["challenges"] += 1
                    # a challenge can come turns after the dismissal it answers, and writers put
                    # right and wrong claims of one point in the same stage: it is right when a
                    # turn of the stage so far dismissed the point, wrong when turns only affirmed it
                    counts["challenged_dismissed"] += move.key_point.id in waved
                    counts["challenged_only_affirmed"] += move.key_point.id in said - waved
                if move.kind != "probe" or move.key_point is None:
                    continue
                counts["probes"] += 1
                pid = move.key_point.id
                if pid in said:
                    counts["deaf"] += 1
                    examples.append({"stage": stage, "probe": pid, "turn": u.id,
                                     "said_in": [f.id for f in fed if pid in f.covers]})
                counts["deaf_anywhere"] += pid in said or pid in covered_ever
        covered_ever |= said
        if engine.state(sid).stage == stage and engine.state(sid).status != "ended":
            engine.take_turn(sid, "/next")


def measure(rows: list, embedder=None, rotations: int = ROTATIONS) -> dict:
    """Deaf probes over the scripted interviews built from ``rows`` (labelled utterances)."""
    from interviewer.config.settings import Settings
    from interviewer.services import Services

    home = tempfile.mkdtemp(prefix="bench-deaf-")
    base = Settings()
    settings = Settings(home=home, model="offline", cache_dir=base.models_cache)
    services = Services.from_settings(settings, knowledge=None, embedder=embedder, clock=lambda: 1_000_000.0)
    counts: dict[str, int] = defaultdict(int)
    examples: list[dict] = []
    for key, by_stage in sorted(scripted_groups(rows).items(), key=lambda kv: str(kv[0])):
        for r in range(rotations):
            run_interview(services.engine, services.flow, key, by_stage, r, counts, examples)
    services.close()
    probes = max(1, counts["probes"])
    return {"deaf_probe_rate": round(counts["deaf"] / probes, 3), "deaf_probes": counts["deaf"],
            "probes": counts["probes"], "deaf_anywhere_rate": round(counts["deaf_anywhere"] / probes, 3),
            "challenges": counts["challenges"],
            "challenges_of_dismissed": counts["challenged_dismissed"],
            "challenges_of_only_affirmed": counts["challenged_only_affirmed"],
            "interviews": len(scripted_groups(rows)) * rotations, "turns": counts["turns"],
            "utterances_skipped": counts["skipped"], "cases": examples}
