"""Rule-based turn classification: what is the candidate doing with this message?

Kinds: ``question`` (clarifying question), ``answer``, ``hint``, ``next`` (move on), ``end``,
``reveal`` (asks for the fact sheet / key points / rubric, or tries to override the
interviewer), ``offtopic``, ``empty``, ``help``, ``unknown_command``.

A long answer that contains a question mark is still an answer. Questions that come *after*
the answer in the same message are kept in ``questions`` so the engine can answer them too;
a question followed by more of the candidate's own reasoning is rhetorical and part of the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from interviewer.textutil import normalize_ws, sentences



class TurnKind(StrEnum):
    """What a candidate turn is (saved as the turn's kind)."""

    QUESTION = "question"
    ANSWER = "answer"
    HINT = "hint"
    NEXT = "next"
    END = "end"
    REVEAL = "reveal"
    OFFTOPIC = "offtopic"
    EMPTY = "empty"
    HELP = "help"
    UNKNOWN_COMMAND = "unknown_command"
    DIAGRAM_ERROR = "diagram_error"      # a diagram block that could not be read


class Command(StrEnum):
    """What the candidate can ask for without words: the app's buttons, typed commands.
    ``Engine.command`` takes one directly; it is never turned into text to classify."""

    HINT = "hint"
    NEXT = "next"
    END = "end"
    HELP = "help"

    @property
    def kind(self) -> TurnKind:
        return TurnKind(self.value)

    @property
    def typed(self) -> str:
        """How the command is typed in the chat (and shown in the transcript)."""
        return f"/{self.value}"


COMMANDS = {"/hint": Command.HINT, "/next": Command.NEXT, "/end": Command.END, "/help": Command.HELP,
            "/quit": Command.END, "/exit": Command.END, "/skip": Command.NEXT, "/h": Command.HELP,
            "/?": Command.HELP}

# Messages up to this many words can be a bare intent ("let's move on", "give me a hint").
SHORT_INTENT_WORDS = 12
# A question message may carry a short preamble ("Thanks. One more thing: ...") of at most this many words.
PREAMBLE_WORDS = 12

_I = re.IGNORECASE

_END = re.compile(
    r"^(?:ok(?:ay)?[,.]?\s*|so[,]?\s*|i think\s*)?(?:let'?s\s+|can we\s+|please\s+|i'?d like to\s+|i want to\s+)?"
    r"(?:end|stop|finish|wrap up|conclude|quit|terminate)\b(?:\s+(?:the|this|here|now|it|there))*"
    r"(?:\s+(?:interview|session|mock))?\s*(?:here|now|please)?[.!?]*$"
    r"|^(?:i'?m|i am|we'?re|we are)\s+(?:all\s+)?(?:done|finished)(?:\s+(?:with the interview|here|now))?[.!?]*$"
    r"|^(?:that'?s|that is)\s+all(?:\s+i\s+have)?(?:\s+for\s+(?:now|today))?[.!?]*$"
    r"|^(?:end|stop)\s+(?:the\s+)?interview\b.*$", _I)

_NEXT = re.compile(
    r"\b(?:let'?s|can we|could we|shall we|i'?d like to|i want to|ready to|please)\s+"
    r"(?:go\s+ahead\s+and\s+)?(?:move\s+on|go\s+on\s+to|skip\s+(?:this|ahead)|go\s+to\s+the\s+next|"
    r"(?:proceed|continue)\s+to\s+the\s+next)"
    r"|\bnext\s+(?:stage|section|topic|question)\b"
    r"|\b(?:done|finished)\s+with\s+(?:this|the)\s+(?:stage|section|part|topic)\b"
    r"|^(?:ok(?:ay)?[,.]?\s*)?(?:move\s+on|skip(?:\s+this)?|next)[.!]*$"
    r"|\bmove\s+on\s+to\s+the\s+next\b", _I)

_HINT = re.compile(
    r"\b(?:hint|clue|nudge|pointer|pointers)\b"
    r"|\bi'?m\s+(?:stuck|lost|blanking)\b|\bi\s+am\s+(?:stuck|lost)\b"
    r"|\bnot\s+sure\s+(?:where|how)\s+to\s+(?:start|go|begin|proceed)\b"
    r"|\bhelp\s+me\s+(?:out|get\s+started|with\s+this)\b", _I)

_REVEAL_HARD = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|guidelines?|system)\b"
    r"|\bsystem\s+prompt\b|\bdeveloper\s+mode\b|\bjailbreak\b|\bdebug\s+mode\b|\bdan\s+mode\b"
    r"|\bfact\s*-?\s*sheets?\b|\brubrics?\b|\banswer\s+key\b|\bscoring\s+(?:guide|criteria|sheet)\b"
    r"|\bgrading\s+criteria\b|\bevaluation\s+criteria\b|\bhidden\s+(?:facts?|notes?|info(?:rmation)?)\b"
    r"|\byou\s+are\s+now\b|\bact\s+as\s+(?:if|though|a|an)\b|\bpretend\s+(?:to\s+be|you)\b"
    r"|\brepeat\s+(?:the\s+|your\s+)?(?:text|words|instructions|everything)\s+above\b", _I)

_REVEAL_ASK = re.compile(
    r"\b(?:show|give|list|print|reveal|tell|share|dump|output|read|paste|send|display|recite|enumerate|spell\s+out)\b"
    r"[^.?!]{0,40}\b(?:all\s+(?:the\s+|your\s+)?facts|every\s+fact|your\s+(?:notes?|facts|checklist|key\s+points|"
    r"probes?|questions\s+list|criteria|expected\s+answers?)|the\s+(?:key\s+points|checklist|expected\s+answers?|"
    r"probes?|solution|ideal\s+answer|model\s+answer)|what\s+(?:you'?re|you\s+are)\s+looking\s+for|"
    r"what\s+(?:a\s+)?(?:strong|good|perfect|ideal)\s+(?:candidate|answer))"
    r"|\bwhat\s+(?:are|is)\s+(?:all\s+)?(?:your|the)\s+(?:key\s+points|notes|facts|checklist|probes|criteria|"
    r"expected\s+answers?|ideal\s+answer|model\s+answer)\b"
    r"|\bwhat\s+(?:exactly\s+)?(?:are\s+you|you'?re)\s+looking\s+for\b"
    r"|\b(?:every|all(?:\s+(?:the|your))?)\s+(?:probes?|probing\s+questions?|follow-?up\s+questions|key\s+points?|facts?)\b"
    r"[^.?!]{0,30}\b(?:you\s+have|you\s+know|you'?ve\s+got)\b"
    r"|\b(?:your|the)\s+(?:probes|probing\s+questions|follow-?up\s+questions)\b"
    r"|\bwhat\s+(?:should|do)\s+i\s+(?:say|answer|write)\s+to\s+(?:pass|get|score)\b", _I)

_OFFTOPIC = re.compile(
    r"\btell\s+me\s+a\s+joke\b|\bwhat'?s\s+the\s+weather\b|\bhow'?s\s+the\s+weather\b"
    r"|\bwrite\s+(?:me\s+)?a\s+(?:poem|song|story|haiku)\b|\bwhat'?s\s+your\s+(?:name|favou?rite)\b"
    r"|\bwho\s+won\s+the\s+(?:game|match)\b|\bbitcoin\s+price\b"
    r"|^(?:hi|hello|hey|yo|sup|how\s+are\s+you|how'?s\s+it\s+going|what'?s\s+up|thanks|thank\s+you|lol|haha)"
    r"[\s,!.?]*(?:there|doing|today)?[\s!.?]*$", _I)

# Interrogative word order: a wh-word followed by an auxiliary or a quantity word, or an
# auxiliary followed by a subject ("do we", "is there"). "What we need is labels" is a statement.
_QWORD = re.compile(
    r"^(?:so|and|also|ok(?:ay)?|but|then|one more thing|quick question)?[,:]?\s*(?:"
    r"(?:what|how|which|who|when|where|why)(?:'s|'re)?\s+(?:is|are|was|were|do|does|did|can|could|should|"
    r"would|will|kind|type|sort|many|much|big|large|fast|long|often|fresh|recent|about|if|exactly)\b"
    r"|(?:what's|whats|hows|how's)\b"
    r"|(?:is|are|was|were|do|does|did|can|could|should|would|will|may|shall|have|has)\s+"
    r"(?:we|you|there|it|the|this|that|they|users?|our|i|a|an|any|some)\b)", _I)


# "Maybe clicks?" or "I guess PR-AUC?": a tentative answer with a question mark, unless it goes
# on to ask something ("maybe, how many users are there?").
_HEDGE = re.compile(r"^(?:maybe|perhaps|probably|possibly|i\s+guess|i\s+think|i'?d\s+say|could\s+be|"
                    r"something\s+like)\b", _I)
_ASKS = re.compile(r"\b(?:what|how|which|who|when|where|why)\b|\b(?:is|are|do|does|can|will)\s+"
                   r"(?:we|you|there|it|they|users?)\b", _I)


@dataclass
class Classification:
    kind: TurnKind
    text: str                                   # the whole message, whitespace-normalised
    questions: list[str] = field(default_factory=list)  # clarifying questions to answer
    answer: str = ""                            # the candidate's own statements (for coverage)
    wants_next: bool = False                    # an answer that ends by asking to move on
    command: Command | None = None              # a command (typed as /hint, or a button)
    drawn: Any = None                           # a DrawnAnswer: the turn's well-formed diagram

    def __post_init__(self) -> None:
        self.kind = TurnKind(self.kind)

    @classmethod
    def of_command(cls, command: Command) -> "Classification":
        command = Command(command)
        return cls(command.kind, command.typed, command=command)


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    if s.endswith("?"):
        return not (_HEDGE.match(s) and not _ASKS.search(s))
    return bool(_QWORD.match(s)) and len(s.split()) <= 20 and not s.endswith((".", "!"))


def classify(text: str) -> Classification:
    raw = text or ""
    flat = normalize_ws(raw)
    if not flat:
        return Classification("empty", "")
    if flat.startswith("/"):
        command = COMMANDS.get(flat.split()[0].lower())
        if command is None:
            return Classification(TurnKind.UNKNOWN_COMMAND, flat)
        return Classification(command.kind, flat, command=command)
    words = len(flat.split())
    if _REVEAL_HARD.search(flat) or (_REVEAL_ASK.search(flat) and words <= 60):
        return Classification("reveal", flat)
    if words <= SHORT_INTENT_WORDS:
        if _END.search(flat):
            return Classification("end", flat)
        if _NEXT.search(flat):
            return Classification("next", flat)
        if _HINT.search(flat):
            return Classification("hint", flat)
        if _OFFTOPIC.search(flat):
            return Classification("offtopic", flat)

    parts = sentences(raw, max_words=80)
    flags = [is_question(p) for p in parts]
    # Trailing questions: those after the candidate's last own statement.
    last_statement = max((i for i, q in enumerate(flags) if not q), default=-1)
    trailing = [p for p, q in zip(parts[last_statement + 1:], flags[last_statement + 1:]) if q]
    body = parts[:last_statement + 1]
    body_text = " ".join(body)
    body_words = len(body_text.split())
    if trailing and body_words <= PREAMBLE_WORDS:
        return Classification("question", flat, questions=trailing, answer=body_text)
    wants_next = False
    if trailing and _NEXT.search(trailing[-1]):
        wants_next = True
        trailing = trailing[:-1]
    elif body and len(body[-1].split()) <= SHORT_INTENT_WORDS and _NEXT.search(body[-1]):
        wants_next = True
        body_text = " ".join(body[:-1])
    if words <= SHORT_INTENT_WORDS * 2 and _OFFTOPIC.search(flat) and not trailing:
        return Classification("offtopic", flat)
    return Classification("answer", flat, questions=trailing, answer=body_text or flat,
                          wants_next=wants_next)
