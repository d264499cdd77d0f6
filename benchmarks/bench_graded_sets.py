"""The offline grader on the labelled sets written by outside writers (tests/labelled/graded/):
the tune part (six bank questions), the dev part (four free-text questions, read when
choosing the fixed rules, never fitted; dev-b to dev-e likewise, dev-e a held-out part until a
newer one arrived) and the held-out test
parts (test: two bank and two free-text questions the tune part does not contain; test-b: four
more free-text questions by another writer; test-c, test-d and test-f: four more each by a sixteenth, a
twenty-second and a twenty-fifth writer; no fit or tuning reads them). Per part and per question: Spearman, exact and adjacent agreement with the
labels; per adversarial kind, the highest and lowest grade it got."""

from __future__ import annotations

from pathlib import Path

import yaml

NAME = "graded"
DESCRIPTION = "offline grader vs outside writers' labels: tune, dev and held-out test parts"
GRADED_DIR = Path(__file__).resolve().parent.parent / "tests" / "labelled" / "graded"
PARTS = {"tune": ("tune-a.yaml", "tune-b.yaml"), "tune-c": ("tune-c.yaml",),
         "dev": ("dev.yaml",), "dev-b": ("dev-b.yaml",), "dev-c": ("dev-c.yaml",), "dev-d": ("dev-d.yaml",),
         "dev-e": ("dev-e.yaml",),
         "test": ("test.yaml",), "test-b": ("test-b.yaml",), "test-c": ("test-c.yaml",),
         "test-d": ("test-d.yaml",), "test-f": ("test-f.yaml",)}


def run(args) -> dict:
    from benchmarks.calibration import agreement
    from interviewer.config.settings import Settings
    from interviewer.embedding.threads import interactive_inference
    from interviewer.grading.offline import grade_offline
    from interviewer.problems import Problem
    from interviewer.services import Services

    interactive_inference()
    sv = Services.from_settings(Settings(), knowledge=None)
    rows, figures = [], {}
    for part, files in PARTS.items():
        answers = [a for f in files for a in yaml.safe_load((GRADED_DIR / f).read_text())["answers"]]
        results = []
        for a in answers:
            problem = sv.bank.get(a["problem"]) if a.get("problem") else Problem.from_question(a["question"])
            g = grade_offline(stage=a["stage"], text=a["text"], problem=problem, embedder=sv.embedder(),
                              flow=sv.flow, rubric=sv.rubric, listener=sv.listener(),
                              prompts_dir=sv.settings.prompts_dir, screen=sv.injection_screen())
            results.append((a, g.grade.score))
        groups = {"all": results}
        for a, s in results:
            groups.setdefault(a.get("problem") or a["question"][:40], []).append((a, s))
        for name, sub in groups.items():
            ag = agreement([a["label"] for a, _ in sub], [s for _, s in sub])
            rows.append([part, name, ag["n"], ag["spearman"], ag["exact"], ag["adjacent"]])
            if name == "all":
                figures.update({f"{part}_{k}": v for k, v in ag.items()})
        for kind in sorted({a["kind"] for a, _ in results} - {"normal"}):
            scores = [s for a, s in results if a["kind"] == kind]
            figures[f"{part}_{kind}_min_max"] = f"{min(scores)}-{max(scores)}"
    return {"headers": ["part", "question", "n", "spearman", "exact", "adjacent"], "table": rows,
            "figures": figures}
