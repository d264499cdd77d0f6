"""Red flags: a confidently wrong claim is caught; the same words rejecting it are not."""

from __future__ import annotations

import pytest

from interviewer.config.paths import builtin_prompts_dir
from interviewer.grading.red_flags import red_flags
from interviewer.grading.rubric import load_rubric
from interviewer.grading.signals import analyse


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(builtin_prompts_dir())


def _flags(embedder, rubric, stage, text):
    return [f.id for f, _ in red_flags(embedder, rubric.stage(stage), analyse(text), rubric.red_flag_words)]


@pytest.mark.parametrize("stage, text, flag", [
    # the issue's own example of a dismissive answer
    ("requirements", "We don't need feature engineering, the network figures it out.", "no-feature-engineering"),
    ("design", "When a request comes in, the ranking service runs SQL against the raw events table to "
               "compute each user's features on the fly.", "features-from-raw-tables"),
    ("design", "We don't need to log impressions once the model is trained; it just serves.",
     "no-impression-logging"),
    ("models", "I'll shuffle everything and take a random 80/20 split for evaluation.", "random-split-time-data"),
])
def test_a_wrong_claim_is_flagged(embedder, rubric, stage, text, flag):
    assert flag in _flags(embedder, rubric, stage, text)


@pytest.mark.parametrize("stage, text", [
    ("models", "Train on weeks one to six and test on week seven, never a random split, since that leaks the future."),
    ("design", "Features come from a feature store fed by batch and streaming jobs, never from raw tables at request time."),
    ("design", "Every impression is logged with its features and what the user did, and that log feeds training."),
    ("requirements", "Ids become embeddings and we add counts over 1-hour and 7-day windows as features."),
])
def test_the_same_topic_said_right_is_not_flagged(embedder, rubric, stage, text):
    assert _flags(embedder, rubric, stage, text) == []


def test_a_wrong_clause_in_a_long_sentence_is_flagged(embedder, rubric):
    # the whole sentence's meaning is blurred by its justification; its first clause is the claim
    text = ("For evaluation, I take the last year of search logs, shuffle them, and do an 80/20 random "
            "split, which gives the largest and most representative test set.")
    assert "random-split-time-data" in _flags(embedder, rubric, "models", text)


@pytest.mark.parametrize("text", [
    "Base rate ~1% of active accounts, so accuracy is meaningless: predicting human for everyone scores 99%.",
    "With fraud at 0.1% of transactions accuracy would mislead us, so PR-AUC is the headline.",
])
def test_a_marker_the_sentence_goes_on_to_reject_is_not_flagged(embedder, rubric, text):
    assert _flags(embedder, rubric, "metrics", text) == []


def test_the_rejection_must_follow_the_marker_closely(embedder, rubric):
    # "wrong" further on says nothing about accuracy: the claim stands
    text = "Accuracy is the right headline metric here, it shows how often the model is wrong."
    assert "accuracy-for-rare-positives" in _flags(embedder, rubric, "metrics", text)


def test_skipping_the_marked_word_rejects_the_claim(embedder, rubric):
    text = "Positives are 0.1%, so skip accuracy; PR-AUC and recall at a fixed decline rate instead."
    assert _flags(embedder, rubric, "metrics", text) == []


def test_a_sentence_the_listener_heard_as_wrong_flags_with_a_marker(embedder, rubric):
    from interviewer.grading.red_flags import red_flags

    text = "Evaluation is easy: shuffle the logs and hold out ten percent."
    sents = analyse(text)
    heard = {"evaluation-protocol": {sents[0].text}}
    assert [f.id for f, _ in red_flags(embedder, rubric.stage("models"), sents, rubric.red_flag_words, heard)] == ["random-split-time-data"]
    # the listener's stance alone is not enough: the flag's marker must be said, not negated
    calm = analyse("Evaluation is easy: never shuffle, hold out the last week.")
    assert red_flags(embedder, rubric.stage("models"), calm, rubric.red_flag_words,
                     {"evaluation-protocol": {calm[0].text}}) == []


def test_a_marker_that_names_a_metric_is_not_a_claim(embedder, rubric):
    from interviewer.grading.red_flags import _affirms_marker

    flag = next(f for f in rubric.stage("metrics").red_flags if f.id == "offline-only-launch")
    words = rubric.red_flag_words
    assert not _affirms_marker(flag, "Guardrails: skip < 30s rate, artist diversity, p99 latency, unfollows", words)
    assert not _affirms_marker(flag, "Guardrails: skip rate and unfollows must not move.", words)
    assert _affirms_marker(flag, "I'd skip the A/B test, the offline gain is clear.", words)


@pytest.mark.parametrize("text", [
    "Positive = accepted before check-in closes; shown-but-declined = negative; never-shown bookings aren't negatives.",
    "Items not shown are not negatives: we only sample those for retrieval.",
])
def test_a_marker_whose_subject_is_denied_the_claim_is_not_flagged(embedder, rubric, text):
    assert "unseen-items-negative" not in _flags(embedder, rubric, "requirements", text)
    # nor when the listener hears the sentence as getting the labels wrong (the marker decides)
    sents = analyse(text)
    heard = {"data-and-labels": {s.text for s in sents}}
    assert red_flags(embedder, rubric.stage("requirements"), sents, rubric.red_flag_words, heard) == []


def test_the_claim_itself_is_still_flagged_with_the_same_words(embedder, rubric):
    assert "unseen-items-negative" in _flags(embedder, rubric, "requirements", "All unseen offers are negatives too.")
    assert "unseen-items-negative" not in _flags(embedder, rubric, "requirements",
                                                 "All unseen offers are not negatives.")


def test_the_words_that_reject_a_marker_are_data(embedder, rubric):
    from interviewer.grading.red_flags import _affirms_marker

    flag = next(f for f in rubric.stage("metrics").red_flags if f.id == "accuracy-for-rare-positives")
    text = "Accuracy is hopeless here, the base rate is 1%."
    assert _affirms_marker(flag, text, rubric.red_flag_words)
    more = rubric.red_flag_words.model_copy(update={"rejected_after": ["hopeless", "mislead*"]})
    assert not _affirms_marker(flag, text, more)
    assert not _affirms_marker(flag, "Accuracy misleads with 1% positives.", more)
