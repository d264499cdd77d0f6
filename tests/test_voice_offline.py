"""The offline voice: validated templates, deterministic variety, only the move's own details."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interviewer.config.datafiles import DataFileError
from interviewer.flow import load_flow
from interviewer.knowledge.types import Hit
from interviewer.engine.moves import Move, VoiceContext
from interviewer.problems import load_bank
from interviewer.config.paths import builtin_prompts_dir
from interviewer.voice import make_voice
from interviewer.voice.offline import OfflineVoice, VoiceTemplates, excerpt, load_templates


@pytest.fixture(scope="module")
def voice():
    return OfflineVoice(builtin_prompts_dir())


@pytest.fixture(scope="module")
def feed():
    from interviewer.config.settings import Settings

    return load_bank(Settings()).get("linkedin-feed")


def _ctx(problem, seed=0, stage="metrics"):
    return VoiceContext(problem_title=problem.title, problem_statement=problem.statement, stage=stage,
                        stage_name=load_flow(builtin_prompts_dir()).stage(stage).name, seed=seed)


def _copy_prompts(tmp_path: Path) -> Path:
    dest = tmp_path / "prompts"
    shutil.copytree(builtin_prompts_dir(), dest)
    return dest


def test_every_move_kind_has_several_variants(voice):
    from typing import get_args

    from interviewer.engine.moves import MoveKind

    for kind in get_args(MoveKind):
        assert len(voice.templates.templates[kind]) >= 2, kind


def test_unknown_variable_is_rejected_at_load(tmp_path):
    prompts = _copy_prompts(tmp_path)
    path = prompts / "voice.yaml"
    path.write_text(path.read_text().replace('- "Okay. {probe}"', '- "Okay. {probe} {fact}"'))
    with pytest.raises(DataFileError, match=r"'probe' template uses unknown variables \['fact'\]"):
        load_templates(prompts)


def test_malformed_and_missing_templates_are_rejected():
    with pytest.raises(ValueError, match="missing templates"):
        VoiceTemplates.model_validate({"hint_item": "- {excerpt}", "templates": {"probe": ["{probe}", "x"]}})
    base = {k: ["a", "b"] for k in ("welcome", "answer_fact", "assume", "probe", "challenge", "advance",
                                    "hint", "redirect", "refuse", "end")}
    with pytest.raises(ValueError, match="unknown template keys"):
        VoiceTemplates.model_validate({"hint_item": "- {excerpt}", "templates": {**base, "dance": ["x", "y"]}})
    with pytest.raises(ValueError):
        VoiceTemplates.model_validate({"hint_item": "- {excerpt}", "templates": {**base, "probe": ["{probe", "x"]}})


def test_deterministic_and_varied(voice, feed):
    point = feed.stage_key_points("metrics")[0]
    move = Move("probe", stage="metrics", key_point=point, probe=point.probes[0])
    same = {voice.render(move, _ctx(feed, seed=7)) for _ in range(5)}
    assert len(same) == 1
    varied = {voice.render(move, _ctx(feed, seed=s)) for s in range(40)}
    assert len(varied) >= 3
    assert all(point.probes[0] in text for text in varied)


def test_fact_answer_reveals_only_that_fact(voice, feed):
    fact = feed.fact("scale")
    text = voice.render(Move("answer_fact", stage="problem", fact=fact), _ctx(feed, stage="problem"))
    assert fact.answer.strip() in text
    for other in feed.facts:
        if other.id != "scale":
            assert other.answer.strip()[:40] not in text


def test_probe_never_lists_key_points(voice, feed):
    points = feed.stage_key_points("metrics")
    move = Move("probe", stage="metrics", key_point=points[0], probe=points[0].probes[0])
    for seed in range(20):
        text = voice.render(move, _ctx(feed, seed=seed))
        assert points[0].text not in text
        assert all(p.text not in text for p in points[1:])


def test_refuse_declines_and_steers_back(voice, feed):
    for seed in range(10):
        text = voice.render(Move("refuse", stage="metrics", opening="How would you measure success?"),
                            _ctx(feed, seed=seed))
        assert text.endswith("How would you measure success?")
        assert not any(f.answer[:30] in text for f in feed.facts)


def test_hint_cites_source_and_heading(voice, feed):
    hits = [Hit("metrics.md", "Offline and online metrics > ROC-AUC versus PR-AUC",
                "## ROC-AUC versus PR-AUC\n\nWith rare positives, **PR-AUC** shows how precise the top of "
                "the ranking is. ROC-AUC can look high even when most flagged items are negatives.", 0.9,
                ("metrics",)),
            Hit("labels-and-imbalance.md", "Labels > Negatives", "Use seen-but-ignored items as negatives.", 0.8)]
    text = voice.render(Move("hint", stage="metrics", sources=hits), _ctx(feed))
    assert "[metrics.md › Offline and online metrics > ROC-AUC versus PR-AUC]" in text
    assert "[labels-and-imbalance.md › Labels > Negatives]" in text
    assert "##" not in text and "**" not in text


def test_excerpt_is_short():
    long = "This is a sentence. " * 50
    assert len(excerpt(long).split()) <= 41


def test_every_assume_variant_says_your_call_and_assumption(voice, feed):
    for reason in (None, "custom"):
        for seed in range(30):
            text = voice.render(Move("assume", stage="problem", reason=reason), _ctx(feed, seed=seed)).lower()
            assert "your call" in text and "assumption" in text


def test_advance_names_next_stage_and_opening(voice, feed):
    move = Move("advance", stage="metrics", next_stage="requirements", opening="What data would you train on?",
                reason="time_up")
    text = voice.render(move, _ctx(feed))
    assert "Requirements" in text and text.endswith("What data would you train on?")


def test_make_voice_offline_and_fallback(settings, monkeypatch):
    assert make_voice(settings).name == "offline"
    monkeypatch.setenv("INTERVIEWER_MODEL", "openai:gpt-4o-mini")
    from interviewer.config.settings import Settings

    v = make_voice(Settings())
    # Either the LLM voice exists and was built, or the offline one explains why not.
    if v.name == "offline":
        assert v.notice and "offline" in v.notice


def test_both_template_files_are_checked_against_the_move_vocabulary(tmp_path):
    """A stray or missing kind.reason key in either voice's file is a load error naming it."""
    from interviewer.voice import check_templates

    prompts = tmp_path / "prompts"
    shutil.copytree(builtin_prompts_dir(), prompts)
    check_templates(prompts)                     # the shipped files agree with the enums
    llm = prompts / "llm" / "interviewer.yaml"
    llm.write_text(llm.read_text().replace("  end.time_up:", "  end.timeout:"))
    with pytest.raises(DataFileError, match=r"interviewer\.yaml.*end\.timeout"):
        check_templates(prompts)
    shutil.copy(builtin_prompts_dir() / "llm" / "interviewer.yaml", llm)
    voice = prompts / "voice.yaml"
    voice.write_text(voice.read_text().replace("  challenge:", "  challenge.loudly:"))
    with pytest.raises(DataFileError, match=r"voice\.yaml"):
        check_templates(prompts)
