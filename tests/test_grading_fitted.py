"""The offline grader's fitted ordinal model: its data file, the refit command, the card line."""

from __future__ import annotations

import pytest
import yaml

from interviewer.config.paths import builtin_prompts_dir
from interviewer.grading.fitted import GradingModel, fit_model, load_model
from interviewer.grading.substance import FEATURES


def _vec(**kw):
    v = {f: 0.0 for f in FEATURES}
    v.update(kw)
    return [v[f] for f in FEATURES]


def test_shipped_model_loads_and_rises_with_substance():
    m = load_model(builtin_prompts_dir())
    assert set(m.features) <= set(FEATURES) and "coverage" in m.features
    assert m.fit.answers >= 100 and m.fit.files and "test.yaml" not in m.fit.files
    thin = _vec(coverage=0.0)
    rich = _vec(coverage=1.0, quantities=1.6, mechanisms=1.9, terms=1.4)
    assert m.score(thin) == 1 and m.score(rich) >= 3
    assert m.expected(thin) < m.expected(_vec(coverage=0.5)) < m.expected(_vec(coverage=1.0))


@pytest.mark.parametrize("change, message", [
    ({"features": ["coverage", "length"]}, "unknown features"),
    ({"weights": [1.0]}, "'weights' needs"),
    ({"scale": [0.0, 1.0, 1.0, 1.0]}, "positive"),
    ({"thresholds": [-1.0, 0.0, 1.0]}, "decreasing"),
])
def test_a_malformed_model_file_is_refused(change, message):
    good = load_model(builtin_prompts_dir()).model_dump()
    with pytest.raises(ValueError, match=message):
        GradingModel.model_validate({**good, **change})


def test_fit_recovers_an_ordering_from_labels():
    vectors = [_vec(coverage=c / 10, mechanisms=(c % 3) / 2) for c in range(11)] * 3
    labels = [1 + min(3, int(v[0] * 4)) for v in vectors]
    m = fit_model(vectors, labels, ["coverage", "mechanisms"])
    assert m.weights[0] > 0 and m.thresholds == sorted(m.thresholds, reverse=True)
    scores = [m.score(v) for v in vectors[:11]]
    assert scores == sorted(scores) and scores[0] == 1 and scores[-1] == 4


def test_refit_command_writes_a_model_and_refuses_the_held_out_part(root_runner, tmp_path):
    from interviewer.cli import app

    src = yaml.safe_load((builtin_prompts_dir().parent / "tests/labelled/graded/tune-a.yaml").read_text())
    small = tmp_path / "tune.yaml"
    small.write_text(yaml.safe_dump({"part": "tune", "answers": src["answers"][:40]}))
    out = tmp_path / "model.yaml"
    r = root_runner.invoke(app, ["refit-grader", str(small), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "fitted on" in r.output and "leave-one-question-out" in r.output
    fitted = GradingModel.model_validate(yaml.safe_load(out.read_text()))
    assert fitted.fit.files == ["tune.yaml"] and 30 <= fitted.fit.answers <= 40
    assert fitted.weights[fitted.features.index("coverage")] > 0
    from interviewer.grading.aboutness import AboutnessModel

    about = AboutnessModel.model_validate(yaml.safe_load((tmp_path / "aboutness_model.yaml").read_text()))
    assert "aboutness_model.yaml" in r.output and 0 < about.fit.answers <= 40 and about.pool
    assert about.threshold >= 0.98 and about.fit.pairs > about.fit.answers

    held = tmp_path / "test.yaml"
    held.write_text(yaml.safe_dump({"part": "test", "answers": src["answers"][:5]}))
    r = root_runner.invoke(app, ["refit-grader", str(held), "--out", str(tmp_path / "x.yaml")])
    assert r.exit_code == 1 and "held-out" in r.output and not (tmp_path / "x.yaml").exists()
    held.write_text(yaml.safe_dump({"part": "test-b", "answers": src["answers"][:5]}))
    r = root_runner.invoke(app, ["refit-grader", str(small), str(held), "--out", str(tmp_path / "x.yaml")])
    assert r.exit_code == 1 and "held-out" in r.output and not (tmp_path / "x.yaml").exists()

    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x00\xff not yaml: [")
    r = root_runner.invoke(app, ["refit-grader", str(bad), "--out", str(tmp_path / "y.yaml")])
    assert r.exit_code == 1 and "error:" in r.output and "Traceback" not in r.output


def test_refit_without_files_outside_a_checkout_says_what_to_pass(root_runner, tmp_path, monkeypatch):
    from interviewer.cli import app, grader_cmds

    monkeypatch.setattr(grader_cmds, "LABELLED_DIR", tmp_path / "no-tests-here")   # as in a wheel
    out = tmp_path / "m.yaml"
    r = root_runner.invoke(app, ["refit-grader", "--out", str(out)])
    assert r.exit_code == 1 and "source checkout" in r.output and "refit-grader FILE" in r.output
    assert not out.exists()


def test_offline_card_says_what_it_can_and_cannot_judge(root_runner, tmp_path):
    from interviewer.cli import app

    answer = tmp_path / "a.md"
    answer.write_text("Offline I'd use PR-AUC because fraud is 0.1% of transactions, and online an A/B "
                      "test on chargeback dollars with the decline rate as a guardrail.")
    r = root_runner.invoke(app, ["feedback", str(answer), "--stage", "metrics",
                                 "--problem", "card-fraud-detection", "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    grade = json.loads(r.stdout)
    assert grade["grader"] == "offline" and "cannot judge" in grade["scope"]
    for c in grade["criteria"]:
        assert c["evidence"] or c["missing"] or c["score"] >= 3


def test_named_mechanisms_are_found_per_text_not_across_texts():
    """A concept is found in one text, never across two ("...serves 5" + "users see it" names
    no scale)."""
    from interviewer.grading.substance import mechanisms_in

    prompts = builtin_prompts_dir()
    assert mechanisms_in(["It serves 5", "users see it first."], prompts) == set()
    assert "clarify-scale" in mechanisms_in(["Hello.", "It serves 5 million users."], prompts)
    assert mechanisms_in(["We report NDCG@10", "and a time-based split."], prompts) >= {"offline-metrics"}
    assert mechanisms_in([], prompts) == set()


def test_a_fixed_list_matrix_is_kept_and_matches_encoding(embedder):
    texts = ("Design a feed ranker", "Design fraud detection for card payments")
    m = embedder.matrix(texts)
    assert embedder.matrix(texts) is m                        # kept, not rebuilt
    assert (m == embedder.encode(list(texts))).all()
    assert not m.flags.writeable                               # callers cannot spoil it
