"""The rubric is data: complete, consistent with the flow, and validated on load."""

from __future__ import annotations

import shutil

import pytest

from interviewer.config.datafiles import DataFileError
from interviewer.flow import load_flow
from interviewer.grading.rubric import CROSS_STAGE_IDS, load_rubric
from interviewer.config.paths import builtin_prompts_dir


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(builtin_prompts_dir())


def test_every_stage_has_two_to_four_criteria_with_anchors(rubric):
    assert tuple(s.id for s in rubric.stages) == load_flow(builtin_prompts_dir()).stage_ids
    for stage in rubric.stages:
        assert 2 <= len(stage.criteria) <= 4
        for c in stage.criteria:
            assert 1 <= len(c.anchors) <= 4
            assert [a.level for a in c.anchors] == sorted(a.level for a in c.anchors)
            assert all(a.signals for a in c.anchors), f"{stage.id}/{c.id}: anchors need signals"


def test_criteria_name_real_key_points_and_cover_the_whole_flow(rubric):
    flow = load_flow(builtin_prompts_dir())
    rubric.check_against_flow(flow)
    for stage in flow.stages:
        named = {k for c in rubric.stage(stage.id).criteria for k in c.key_points}
        assert {k.id for k in stage.key_points} == named, stage.id


def test_red_flags_cap_known_criteria_and_have_cues(rubric):
    ids = []
    for stage in rubric.stages:
        assert stage.red_flags, f"{stage.id} has no red flags"
        for flag in stage.red_flags:
            stage.criterion(flag.criterion)
            assert flag.cues and flag.markers and flag.correction
            assert flag.stage_cap <= 2
            ids.append(flag.id)
    # grounded in the user's notes
    assert {"accuracy-for-rare-positives", "random-split-time-data", "unseen-items-negative"} <= set(ids)


def test_cross_stage_criteria(rubric):
    assert tuple(c.id for c in rubric.cross_stage) == CROSS_STAGE_IDS
    assert rubric.cross("trade-offs").anchor(4).level == 4


def test_anchor_text_is_kept_whole(rubric):
    # YAML flow mappings split unquoted text at commas; the strict schema would reject the stray keys
    text = rubric.stage("problem").criterion("objective-and-framing").anchor(4).text
    assert "says why" in text


@pytest.mark.parametrize("edit, field", [
    (("weight: 3", "weight: 9"), "weight"),
    (("cap: 1", "capp: 1"), "capp"),
    (("criterion: evaluation-protocol", "criterion: nope"), "nope"),
])
def test_bad_rubric_is_a_clear_error(tmp_path, edit, field):
    src = builtin_prompts_dir() / "rubric.yaml"
    shutil.copy(builtin_prompts_dir() / "flow.yaml", tmp_path / "flow.yaml")
    (tmp_path / "rubric.yaml").write_text(src.read_text().replace(*edit, 1))
    with pytest.raises(DataFileError) as err:
        load_rubric(tmp_path)
    assert "rubric.yaml" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("point, said", [
    ("Splits data by time (train on the past), avoids leakage and compares models offline.",
     "split data by time (train on the past), avoid leakage and compare models offline."),
    ("Handles class imbalance with class weights, and corrects predicted probabilities afterwards.",
     "handle class imbalance with class weights, and correct predicted probabilities afterwards."),
    ("Uses negative feedback such as hides, reports and unfollows as guardrails.",
     "use negative feedback such as hides, reports and unfollows as guardrails."),
    ("Clarifies the surface, devices and formats.", "clarify the surface, devices and formats."),
])
def test_strengths_speak_to_the_candidate_in_the_second_person(point, said):
    from interviewer.grading.advice import _second_person

    assert _second_person(point) == said


def test_score_card_lists_missing_points_as_bullets_and_explains_quoteless_scores():
    from interviewer.grading.grades import CriterionScore
    from interviewer.grading.render import criteria_markdown

    crits = [CriterionScore(id="a", name="Offline metrics", score=4, evidence=["I'd use PR-AUC."],
                            missing=["Notes the offline-online gap.", "Checks calibration."], rationale="r"),
             CriterionScore(id="b", name="Structure", score=3, evidence=[], missing=[], rationale="r"),
             CriterionScore(id="c", name="Error costs", score=1, evidence=[], missing=["Weighs errors."],
                            rationale="r")]
    md = "\n".join(criteria_markdown(crits))
    assert "> I'd use PR-AUC." in md
    assert "Missing:\n- Notes the offline-online gap.\n- Checks calibration." in md and ".;" not in md
    assert "_Judged on the answer as a whole" in md.split("### Structure")[1].split("###")[0]
    assert "_Nothing in the answer speaks to this yet._" in md.split("### Error costs")[1]
