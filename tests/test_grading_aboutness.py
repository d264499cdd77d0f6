"""Answers about another product: the aboutness model's data file, its features, and the grade
of a fluent answer given for the wrong product (1) beside the same answer for its own (not 1)."""

from __future__ import annotations

import pytest

from grading_fixtures import *  # noqa: F401,F403
from grading_fixtures import grade_text
from interviewer.config.datafiles import load_cached
from interviewer.config.paths import builtin_knowledge_dir, builtin_prompts_dir
from interviewer.grading.aboutness import FEATURES, AboutnessModel, generic_stems, load_aboutness, measure
from interviewer.grading.aboutness_fit import MIN_THRESHOLD, PRODUCTS_FILE, ProductQuestions, question_pool
from interviewer.problems import Problem

# written here: a competent design stage answer for a music app
PLAYLIST = ("For the high-level design, the client sends the seed playlist and the listening session to a "
            "candidate service that pulls about 500 tracks from a two-tower retrieval index built on "
            "co-listening, plus tracks by the playlist's artists. A ranker, a gradient boosted model on track "
            "audio features, artist affinity and skip history, orders them. A re-ranking step spreads "
            "artists out and drops explicit tracks for child accounts. Features come from a feature store "
            "fed by the play event stream, and the models are trained daily and shipped behind a canary.")
# a terse, on-topic expert note for the fraud question, naming little of its words
FRAUD_NOTES = ("- Sync scoring at auth, budget 50 ms p99\n- Features: velocity counts per card/merchant/device "
               "from a streaming feature store; same code offline\n- GBDT, scores > 0.9 block, 0.6-0.9 step-up "
               "3DS\n- Chargebacks arrive 30-90 days late: label window + analyst queue feedback")


def test_the_shipped_model_loads_with_a_pool_and_a_threshold_from_the_fit():
    m = load_aboutness(builtin_prompts_dir())
    assert m.features == list(FEATURES) and len(m.pool) >= 50
    assert m.threshold >= MIN_THRESHOLD and m.fit.answers >= 200 and m.fit.pairs > 2 * m.fit.answers
    # sentences closer to the question speak against "another product", sentences closer to
    # other products' questions for it (the count of the question's own words gets next to no
    # weight either way: half the tune answers use no word of the short bank titles)
    w = dict(zip(FEATURES, m.weights))
    assert w["this_top2"] < 0 and w["gap_mean"] > 0 and w["whole_gap"] > 0
    assert abs(w["question_words"]) < 0.5


@pytest.mark.parametrize("change, message", [
    ({"weights": [1.0]}, "need 7 values"), ({"threshold": 0.3}, "greater than 0.5"), ({"pool": []}, "at least 1"),
    ({"features": ["this_max"]}, "features must be")])
def test_a_malformed_aboutness_file_is_refused(change, message):
    good = load_aboutness(builtin_prompts_dir()).model_dump()
    with pytest.raises(ValueError, match=message):
        AboutnessModel.model_validate({**good, **change})


def test_question_words_count_the_questions_own_words_not_the_flows(grading_inputs):
    emb, flow = grading_inputs["embedder"], grading_inputs["flow"]
    problem = Problem.from_question("Design a model that predicts parcel delivery failures for a courier")
    generic = generic_stems(flow)
    pool = ["Design a movie recommender for a streaming service"]
    own = measure(emb, "Parcels to flats fail more often; the courier's failed deliveries are the label.",
                  problem, pool, generic)
    other = measure(emb, "We predict a score with the model and a label per user.", problem, pool, generic)
    assert own[-1] > 0.0 and other[-1] == 0.0          # "model", "predict", "label" are everyone's words
    assert own[0] > other[0]                            # and the first sentence is closer to the question


def test_a_fluent_answer_about_another_product_is_graded_one(grading_inputs):
    wrong = grade_text(grading_inputs, "design", PLAYLIST, "card-fraud-detection")
    assert wrong.grade.score == 1 and wrong.features.other_product > 0
    assert any("another product" in n for n in wrong.grade.notices)

    inputs = dict(grading_inputs)
    from interviewer.grading.offline import grade_offline

    right = grade_offline(stage="design", text=PLAYLIST, embedder=inputs["embedder"], flow=inputs["flow"],
                          problem=Problem.from_question("Design playlist continuation for a music streaming app"),
                          rubric=inputs["rubric"], listener=inputs["listener"],
                          prompts_dir=str(builtin_prompts_dir()), screen=inputs["screen"])
    assert right.grade.score >= 2 and right.features.other_product == 0
    assert not any("another product" in n for n in right.grade.notices)


def test_terse_notes_on_the_question_are_not_called_another_product(grading_inputs):
    model = load_aboutness(builtin_prompts_dir())
    fraud = grading_inputs["bank"].get("card-fraud-detection")
    emb, flow = grading_inputs["embedder"], grading_inputs["flow"]
    notes = model.probability(measure(emb, FRAUD_NOTES, fraud, model.pool, generic_stems(flow)))
    playlist = model.probability(measure(emb, PLAYLIST, fraud, model.pool, generic_stems(flow)))
    assert notes < model.threshold <= playlist and notes < playlist - 0.2
    g = grade_text(grading_inputs, "design", FRAUD_NOTES, "card-fraud-detection")
    assert g.features.other_product == 0 and not any("another product" in n for n in g.grade.notices)
    assert g.grade.score >= 2


def test_without_the_aboutness_model_the_wrong_product_passes_as_competent(grading_inputs):
    """Why the model exists: the listener alone hears a competent design in the playlist answer."""
    without = grade_text(grading_inputs, "design", PLAYLIST, "card-fraud-detection", aboutness=None)
    assert without.grade.score >= 2 and without.features.other_product == 0


# written here: an electricity load forecast given for a contact centre's call volumes, and the
# same stage's answer for the call volumes themselves
LOAD = ("I'd forecast hourly electricity load for each substation 48 hours ahead. Features: temperature and "
        "humidity forecasts, hour of day, holidays, and rooftop solar output behind the meter. A gradient boosted "
        "model per region beats a seasonal naive baseline; we backtest on rolling origins over the last two winters "
        "and report MAPE at the peak hours, since the grid operator buys reserve capacity against the peak.")
CALLS = ("I'd forecast calls per 30-minute interval for each queue two weeks ahead, since agent shifts are "
         "scheduled on that horizon. Features: marketing mail drops, statement dates, outages and holidays. A "
         "gradient boosted model per queue beats a same-week-last-year baseline; we backtest on rolling origins and "
         "report error in the busiest intervals, where understaffing breaks the service level.")


def test_the_product_catalogue_tells_a_neighbouring_product_apart(grading_inputs):
    """Without the catalogue's neighbours in the pool, a load forecast given for call volumes
    looks about the question (far from any threshold, like a call-volume answer); with them it
    stands out."""
    model = load_aboutness(builtin_prompts_dir())
    catalogue = set(load_cached(ProductQuestions, builtin_knowledge_dir() / PRODUCTS_FILE).questions)
    assert len(catalogue) >= 400 and catalogue <= set(model.pool)
    assert catalogue <= set(question_pool(builtin_knowledge_dir(), grading_inputs["bank"]))
    emb, generic = grading_inputs["embedder"], generic_stems(grading_inputs["flow"])
    calls = Problem.from_question("Design call-volume forecasting for a bank's customer contact centre")
    full = [model.probability(measure(emb, t, calls, model.pool, generic)) for t in (LOAD, CALLS)]
    small_pool = [q for q in model.pool if q not in catalogue]
    small = [model.probability(measure(emb, t, calls, small_pool, generic)) for t in (LOAD, CALLS)]
    assert full[0] > 0.9 > 0.3 > full[1]
    assert max(small) < 0.5 and full[0] - small[0] > 0.5


@pytest.mark.parametrize("data, message", [
    ({"questions": []}, "at least 1"), ({"questions": ["Design it"]}, "3 to 40 words"),
    ({"questions": ["Design a feed for a social app"], "extra": 1}, "Extra inputs")])
def test_a_malformed_product_catalogue_is_refused(data, message):
    with pytest.raises(ValueError, match=message):
        ProductQuestions.model_validate(data)
