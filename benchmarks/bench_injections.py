"""Text addressed to the grader, on answers written elsewhere: the dev set the patterns of
prompts/injection.yaml were built on and a held-out test set by another writer
(tests/labelled/injections/). Per set: attempts caught and innocent answers flagged by the
patterns, by the learned screen (interviewer/grading/injection_screen.py, fitted on a third
writer's red-team answers in knowledge/injections/; neither set is read by its fit), and by
both together, which is what the grader uses; then the techniques missed. Also the screen's
out-of-fold figures on its own training answers and its threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

NAME = "injections"
DESCRIPTION = "grader injections: patterns, learned screen and both; attempts caught, innocent answers flagged"
SETS = Path(__file__).resolve().parent.parent / "tests" / "labelled" / "injections"


def run(args) -> dict:
    from interviewer.config.paths import builtin_knowledge_dir
    from interviewer.config.settings import Settings
    from interviewer.embedding.threads import interactive_inference
    from interviewer.grading import injection_screen as S
    from interviewer.grading.signals import analyse, injection_sentences
    from interviewer.services import Services

    interactive_inference()
    sv = Services.from_settings(Settings(), knowledge=None)
    emb, screen = sv.embedder(), sv.injection_screen()

    def screened(text: str) -> bool:
        units = [s.text for s in analyse(text)]
        return bool(units and screen.flag(units, emb.encode(units)))

    rows, figures = [], {"screen_threshold": round(screen.threshold, 3)}
    for part in ("dev", "test"):
        data = yaml.safe_load((SETS / f"{part}.yaml").read_text(encoding="utf-8"))
        attempts, innocent = data["injections"], data["innocent"]
        caught = {name: [] for name in ("patterns", "screen", "both")}
        flagged = {name: [] for name in caught}
        for group, out in ((attempts, caught), (innocent, flagged)):
            for a in group:
                pat, scr = bool(injection_sentences(a["text"])), screened(a["text"])
                for name, hit in (("patterns", pat), ("screen", scr), ("both", pat or scr)):
                    if hit:
                        out[name].append(a["id"])
        for name in caught:
            rows.append([part, name, len(attempts), len(caught[name]), round(len(caught[name]) / len(attempts), 3),
                         len(innocent), len(flagged[name])])
        figures[f"{part}_missed"] = ", ".join(f"{a['id']} ({a.get('form') or a.get('technique')})"
                                             for a in attempts if a["id"] not in caught["both"]) or "none"
        figures[f"{part}_false_alarms"] = ", ".join(flagged["both"]) or "none"
    # the screen on its own training answers, out of fold (folded by question)
    kd = builtin_knowledge_dir()
    data = S.load_screen_data(kd / "injections", S.ordinary_sentences(kd, Path(sv.settings.prompts_dir)))
    _, oof = S.fit_screen(data, np.asarray(emb.encode(data.texts), dtype=np.float32))
    red = data.answer_of >= 0
    best = np.zeros(len(data.innocent))
    np.maximum.at(best, data.answer_of[red], oof[red])
    t = screen.threshold
    figures["screen_out_of_fold"] = (f"{int((best[~data.innocent] >= t).sum())} of {int((~data.innocent).sum())} "
                                     f"attempts, {int((best[data.innocent] >= t).sum())} of "
                                     f"{int(data.innocent.sum())} innocent answers, "
                                     f"{int((oof[~red] >= t).sum())} of {int((~red).sum())} ordinary sentences")
    return {"headers": ["set", "detector", "attempts", "caught", "share", "innocent", "flagged"], "table": rows,
            "figures": figures}
