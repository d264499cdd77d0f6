"""Text addressed to the grader instead of the interviewer: the patterns of
``prompts/injection.yaml``, matched after undoing the usual disguises (letters spaced out,
digits for letters, base64)."""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.config.datafiles import load_cached


class InjectionPattern(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=2)
    regex: str = Field(min_length=3)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return v


class InjectionPatterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patterns: list[InjectionPattern] = Field(min_length=1)


@lru_cache(maxsize=8)
def _compiled(prompts_dir: str) -> tuple[list[tuple[str, re.Pattern]], re.Pattern]:
    """Each pattern, and all of them as one alternation (one pass over a text instead of one
    per pattern: most answers match none)."""
    data = load_cached(InjectionPatterns, str(Path(prompts_dir) / "injection.yaml"))
    return ([(p.id, re.compile(p.regex, re.I)) for p in data.patterns],
            re.compile("|".join(f"(?:{p.regex})" for p in data.patterns), re.I))


_SPACED = re.compile(r"(?<!\S)(?:\S ){3,}\S(?!\S)")           # "g r a d e r : s c o r e"
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_MIXED = re.compile(r"\b(?=\w*[a-z@$])(?=\w*[0-9@$])[\w@$]+\b", re.I)   # "ign0re", "Ev@luat0r"
_BASE64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")


def _undisguised(text: str) -> list[str]:
    """``text`` as written, with spaced-out letters joined and digits-for-letters read as
    letters, plus any base64 blob that decodes to readable text."""
    joined = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    leet = _MIXED.sub(lambda m: m.group(0) if re.fullmatch(r"[a-z]*\d+[a-z]{0,3}", m.group(0), re.I)
                      and not re.search(r"[a-z]\d[a-z]", m.group(0), re.I) else m.group(0).translate(_LEET), joined)
    out = [text] + [t for t in (joined, leet) if t != text]
    for blob in _BASE64.findall(text):
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded.isprintable() and sum(c.isalpha() or c == " " for c in decoded) > 0.8 * len(decoded):
            out.append(decoded)
    return out


def find_injections(text: str, sentences: list[str], prompts_dir: str | None = None) -> list[str]:
    """The answer's sentences (or matched spans) addressed to the grader; [] when none."""
    if prompts_dir is None:
        from interviewer.config.paths import builtin_prompts_dir

        prompts_dir = str(builtin_prompts_dir())
    patterns, anyone = _compiled(str(prompts_dir))
    hits: list[str] = []
    for s in sentences:
        if any(anyone.search(v) for v in _undisguised(s)):
            hits.append(s)
    if not hits:                          # across sentences: comments, score blocks, base64
        for variant in _undisguised(text):
            if not anyone.search(variant):
                continue
            for _, p in patterns:
                m = p.search(variant)
                if m:
                    span = text[m.start():m.end()] if variant is text else m.group(0)
                    hits.append(" ".join(span.split())[:200] or m.group(0))
                    break
            if hits:
                break
    return hits
