"""LLM prompt templates as data (``prompts/llm/*.yaml``), validated on load, rendered to messages.

A prompt file declares its variables (name → what it holds). Every ``{name}`` used in a message
or fragment must be declared there and every declared variable must be used: anything else is a
load error naming the file. Rendering requires exactly the declared values. Literal braces are
written ``{{`` and ``}}``. Candidate text is passed through :func:`as_data` and placed inside
tags in the template, so it reaches the model as delimited data, never as instructions.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.config.datafiles import load_cached

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptError(ValueError):
    """A prompt could not be rendered (missing or unexpected variables)."""


def placeholders(text: str) -> set[str]:
    """Variable names used in ``text`` (``str.format`` syntax, plain names only)."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad braces in template ({exc}); write literal braces as {{{{ and }}}}") from None
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if not NAME.match(field_name) or spec or conversion:
            raise ValueError(f"placeholder '{{{field_name}}}' must be a plain lower_case name")
        names.add(field_name)
    return names


def _check_declared(where: str, declared: dict[str, str], texts: list[str]) -> None:
    used: set[str] = set()
    for text in texts:
        used |= placeholders(text)
    undeclared = sorted(used - set(declared))
    unused = sorted(set(declared) - used)
    if undeclared:
        raise ValueError(f"{where}: undeclared variables {undeclared}")
    if unused:
        raise ValueError(f"{where}: declared but unused variables {unused}")


class MessageTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class Fragment(BaseModel):
    """A named piece of text rendered separately (e.g. one instruction per interviewer move)."""

    model_config = ConfigDict(extra="forbid")
    variables: dict[str, str] = Field(default_factory=dict)
    text: str = Field(min_length=1)


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = ""
    variables: dict[str, str] = Field(description="Variable name -> what it holds.")
    messages: list[MessageTemplate] = Field(min_length=1)
    fragments: dict[str, Fragment] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _variables_match(self) -> "PromptFile":
        for name in list(self.variables) + [v for f in self.fragments.values() for v in f.variables]:
            if not NAME.match(name):
                raise ValueError(f"variable name '{name}' must be lower_case letters, digits and _")
        _check_declared("messages", self.variables, [m.content for m in self.messages])
        for key, frag in self.fragments.items():
            _check_declared(f"fragments.{key}", frag.variables, [frag.text])
        return self

    # ---- rendering ---------------------------------------------------------------------
    def _values(self, where: str, declared: dict[str, str], values: dict[str, object]) -> dict[str, str]:
        missing = sorted(set(declared) - set(values))
        extra = sorted(set(values) - set(declared))
        if missing or extra:
            parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])
            raise PromptError(f"prompt '{self.name}' {where}: {', '.join(parts)}")
        return {k: "" if v is None else str(v) for k, v in values.items()}

    def render_fragment(self, key: str, **values: object) -> str:
        if key not in self.fragments:
            raise PromptError(f"prompt '{self.name}' has no fragment '{key}'")
        frag = self.fragments[key]
        return frag.text.format_map(self._values(f"fragment '{key}'", frag.variables, values)).strip()

    def render_text(self, **values: object) -> list[tuple[str, str]]:
        """(role, content) pairs."""
        vals = self._values("messages", self.variables, values)
        return [(m.role, m.content.format_map(vals).strip()) for m in self.messages]

    def render(self, **values: object) -> list:
        """LangChain messages."""
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[role](content=content) for role, content in self.render_text(**values)]


_TAG = re.compile(r"<(/?)([A-Za-z_][\w-]*)")


def as_data(text: str | None, empty: str = "(nothing)") -> str:
    """Candidate text made safe to place between tags: it cannot open or close a tag."""
    cleaned = (text or "").replace("\x00", "").strip()
    if not cleaned:
        return empty
    return _TAG.sub(lambda m: "‹" + m.group(1) + m.group(2), cleaned)


def _load(path: str) -> PromptFile:
    return load_cached(PromptFile, path)


def load_prompt(name: str, prompts_dir: Path | None = None) -> PromptFile:
    """``prompts/llm/<name>.yaml``, validated (cached until the file changes)."""
    if prompts_dir is None:
        from interviewer.config.settings import get_settings

        prompts_dir = get_settings().prompts_dir
    return _load(str(Path(prompts_dir) / "llm" / f"{name}.yaml"))
