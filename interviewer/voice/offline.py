"""The offline interviewer voice: varied replies from templates in ``prompts/voice.yaml``.

It words exactly the move it is given. Its only sources of problem detail are ``move.fact``
(the fact that answers the candidate's question) and ``move.probe`` (the one question the
engine chose), so it cannot reveal the rest of the fact sheet or the key-point list.
"""

from __future__ import annotations

import re
import string
import zlib
from pathlib import Path
from typing import Iterator

from pydantic import BaseModel, Field, model_validator

from interviewer.config.datafiles import load_cached
from interviewer.flow import load_flow
from interviewer.engine.moves import Move, VoiceContext, template_key, template_key_errors
from interviewer.textutil import normalize_ws, truncate_words

COMMON_VARS = {"stage_name", "problem_title"}
KIND_VARS: dict[str, set[str]] = {
    "welcome": {"statement", "opening", "question"},
    "answer_fact": {"fact", "topic", "said"},
    "assume": {"option"},
    "probe": {"probe"},
    "challenge": {"said", "probe"},
    "advance": {"next_stage_name", "opening"},
    "hint": {"guidance", "citations"},
    "redirect": {"question"},
    "refuse": {"question"},
    "end": {"stages_done", "stage_count"},
}
HINT_ITEM_VARS = {"excerpt", "citation"}
HINT_EXCERPT_WORDS = 40
HINT_MAX_ITEMS = 3


def template_vars(template: str) -> set[str]:
    """Named fields of a str.format template; raises ValueError on malformed braces."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"template field '{{{field}}}' must be a plain name")
        names.add(field)
    return names


class VoiceTemplates(BaseModel):
    hint_item: str = Field(min_length=3)
    templates: dict[str, list[str]]

    @model_validator(mode="after")
    def _check(self) -> "VoiceTemplates":
        errors = template_key_errors(self.templates)
        if errors:
            raise ValueError("; ".join(errors))
        for key, variants in self.templates.items():
            kind = key.split(".", 1)[0]
            minimum = 2 if "." not in key else 1
            if len(variants) < minimum:
                raise ValueError(f"'{key}' needs at least {minimum} variants")
            allowed = COMMON_VARS | KIND_VARS[kind]
            for text in variants:
                unknown = template_vars(text) - allowed
                if unknown:
                    raise ValueError(f"'{key}' template uses unknown variables {sorted(unknown)} "
                                     f"(allowed: {', '.join(sorted(allowed))}): {text[:60]!r}")
        unknown = template_vars(self.hint_item) - HINT_ITEM_VARS
        if unknown:
            raise ValueError(f"hint_item uses unknown variables {sorted(unknown)}")
        return self

    def variants(self, kind: str, reason: str | None) -> tuple[str, list[str]]:
        key = template_key(kind, reason, self.templates)
        return key, self.templates[key]


def _load(path: str) -> VoiceTemplates:
    return load_cached(VoiceTemplates, path)


def load_templates(prompts_dir: Path) -> VoiceTemplates:
    return _load(str(Path(prompts_dir) / "voice.yaml"))


_MD_NOISE = re.compile(r"^\s*(#+|[-*•]|\d+[.)])\s*", re.MULTILINE)


def excerpt(text: str, words: int = HINT_EXCERPT_WORDS) -> str:
    """The start of a guide chunk as one short line: markdown markers and extra space removed."""
    flat = normalize_ws(_MD_NOISE.sub("", text or "").replace("**", "").replace("`", ""))
    cut, truncated = truncate_words(flat, words)
    if truncated:
        # Prefer ending at a sentence boundary if there is one in the second half.
        end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        cut = cut[:end + 1] if end > len(cut) // 2 else cut + " …"
    return cut


class OfflineVoice:
    """Template voice. Deterministic: the same move and seed give the same reply."""

    name = "offline"

    def __init__(self, prompts_dir: Path, notice: str | None = None):
        self.prompts_dir = Path(prompts_dir)
        self.templates = load_templates(self.prompts_dir)
        self.notice = notice          # set by make_voice when an LLM voice could not be built

    def render(self, move: Move, ctx: VoiceContext) -> str:
        key, variants = self.templates.variants(move.kind, move.reason)
        template = variants[zlib.crc32(f"{ctx.seed}:{key}".encode()) % len(variants)]
        values = self._values(move, ctx)
        return template.format_map(values).strip()

    def speak(self, move: Move, ctx: VoiceContext) -> Iterator[str]:
        yield self.render(move, ctx)

    def _values(self, move: Move, ctx: VoiceContext) -> dict[str, str]:
        values = {"stage_name": ctx.stage_name, "problem_title": ctx.problem_title,
                  "statement": ctx.problem_statement, "opening": move.opening or "",
                  "question": move.opening or "", "fact": "", "topic": "", "probe": move.probe or "",
                  "next_stage_name": "", "guidance": "", "citations": "", "stages_done": "", "stage_count": "",
                  "option": move.detail or "", "said": move.detail or ""}
        if move.fact is not None:
            values["fact"] = move.fact.answer.strip()
            values["topic"] = move.fact.topic.strip().rstrip(".").lower()
        if move.next_stage:
            values["next_stage_name"] = self._stage_name(move.next_stage)
        if move.sources:
            items, cites = [], []
            for hit in move.sources[:HINT_MAX_ITEMS]:
                items.append(self.templates.hint_item.format_map(
                    {"excerpt": excerpt(hit.text), "citation": hit.citation}))
                cites.append(hit.citation)
            values["guidance"] = "\n".join(items)
            values["citations"] = "; ".join(dict.fromkeys(cites))
        if move.kind == "end":
            values["stages_done"] = str(load_flow(self.prompts_dir).position(ctx.stage))
            values["stage_count"] = str(len(load_flow(self.prompts_dir).stages))
        return values

    def _stage_name(self, stage_id: str) -> str:
        try:
            return load_flow(self.prompts_dir).stage(stage_id).name
        except Exception:
            return stage_id
