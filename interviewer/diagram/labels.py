"""Mermaid label text to plain text: quotes, markdown strings, <br>, tags, icons, #entities;."""

from __future__ import annotations

import re

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ENTITY = re.compile(r"#(\w+);")
_ENTITIES = {"quot": '"', "amp": "&", "lt": "<", "gt": ">", "nbsp": " ", "apos": "'"}
_ICON = re.compile(r"\bfa[bkrs]?:fa-[\w-]+\s*")


def unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def clean_label(raw: str) -> str:
    """Mermaid label markup to plain text: <br> to a newline, entities decoded, tags dropped."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == "`":     # markdown string
        text = text[1:-1].replace("**", "")
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _ICON.sub("", text)

    def entity(m: re.Match) -> str:
        name = m.group(1)
        if name.isdigit():
            return chr(int(name)) if int(name) < 0x110000 else m.group(0)
        return _ENTITIES.get(name, m.group(0))

    text = _ENTITY.sub(entity, text)
    return "\n".join(" ".join(part.split()) for part in text.split("\n")).strip()
