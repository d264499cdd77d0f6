"""Text addressed to the grader (prompts/injection.yaml) on answers written elsewhere: the dev
set the patterns were built on and a held-out test set by another writer
(tests/labelled/injections/). Per set: attempts caught, innocent answers flagged, and the
techniques missed."""

from __future__ import annotations

from pathlib import Path

import yaml

NAME = "injections"
DESCRIPTION = "grader-injection patterns: attempts caught and innocent answers flagged, dev and held-out test"
SETS = Path(__file__).resolve().parent.parent / "tests" / "labelled" / "injections"


def run(args) -> dict:
    from interviewer.grading.signals import injection_sentences

    rows, figures = [], {}
    for part in ("dev", "test"):
        data = yaml.safe_load((SETS / f"{part}.yaml").read_text(encoding="utf-8"))
        attempts, innocent = data["injections"], data["innocent"]
        missed = [a for a in attempts if not injection_sentences(a["text"])]
        flagged = [a for a in innocent if injection_sentences(a["text"])]
        caught = len(attempts) - len(missed)
        rows.append([part, len(attempts), caught, round(caught / len(attempts), 3), len(innocent), len(flagged)])
        figures[f"{part}_missed"] = ", ".join(f"{a['id']} ({a.get('form') or a.get('technique')})"
                                             for a in missed) or "none"
        figures[f"{part}_false_alarms"] = ", ".join(a["id"] for a in flagged) or "none"
    return {"headers": ["set", "attempts", "caught", "share", "innocent", "flagged"], "table": rows,
            "figures": figures}
