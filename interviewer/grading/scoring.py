"""The offline grader's rules that hold whatever the fit (off topic, restated, red flags,
a bare list of names, an answer that dismisses what it should cover)
and the two cross-stage criteria judged on one written answer (reasons, clarity).
The stage and criterion levels come from the fitted model (``grading/fitted.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

OFF_TOPIC = 0.33             # no sentence this close to the stage's key points or the problem -> off topic
OFF_PROBLEM = 0.15           # no sentence even this close to the problem: about something else (general ML
                             # trivia, another product) whatever stage words it uses; on the tune and dev
                             # parts every answer below it is labelled 1 or 2, the lowest strong one 0.26
RESTATED_OVERLAP = 0.45      # share of content words taken from the problem statement
RESTATED_SIMILARITY = 0.70   # similarity of the whole answer to the problem statement
RESTATED_MIN_SPECIFICITY = 0.55  # ...or every sentence is about the problem itself...
RESTATED_MAX_COVERAGE = 0.10     # ...while covering none of the stage's key points
LIST_FRAGMENTS = 0.95        # share of words in verbless fragments: a list of names, not an answer
LIST_MAX_QUANTITIES = 1      # ...even with one figure in it ("28-day label, 6% positives, BCE, ...")
NOTES_FRAGMENTS = 0.5        # half the words in fragments and at least NOTES_QUANTITIES figures: notes,
NOTES_QUANTITIES = 2         # whose "no X", "never Y" state constraints, so the dismissal cap needs prose
SUBSTANCE_CAP = 2            # a list of names, or an answer that dismisses as much as it covers
RELEVANT = 0.42             # a sentence is on the stage's topic (reasoning counts only those)
OTHER_STAGE_POINTS = 2       # none of this stage's points heard but this many of another's: off topic
# A red flag in an answer that also waves away as much as it covers: poor (1), not weak. Of the 16
# tune and dev answers with both, 15 were labelled 1 (the caps alone gave 11 of them a 2).
WRONG_AND_DISMISSIVE_CAP = 1


@dataclass
class Features:
    words: int = 0
    sentences: int = 0
    injection: bool = False
    max_relevance: float = 0.0
    max_specificity: float = 0.0
    min_specificity: float = 0.0
    statement_similarity: float = 0.0
    statement_overlap: float = 0.0
    fragment_share: float = 0.0
    filler_share: float = 0.0
    justified: int = 0
    tradeoffs: int = 0
    relevant_sentences: int = 0
    coverage: float = 0.0
    other_product: float = 0.0   # the aboutness model's probability, when it reached its threshold
    red_flags: list[str] = field(default_factory=list)


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def reasoning_values(f: Features) -> dict[str, float]:
    """Values in [1, 4] for the cross-stage criteria judged on one written answer."""
    trade = 1.0 + _clip(f.justified / 2) * 1.5 + _clip(f.tradeoffs / 2) * 1.5
    clear = 1.0 + 3.0 * _clip(f.relevant_sentences / 4) * (1 - f.fragment_share) * (1 - f.filler_share)
    return {"structure-communication": clear, "trade-offs": trade}


def to_score(value: float) -> int:
    return int(_clip(int(value + 0.5), 1, 4))


@dataclass(frozen=True)
class SubstanceCap:
    """A reason the answer cannot score above ``SUBSTANCE_CAP``; ``points``: the key points it
    concerns (the criteria holding them are capped too), or None for every criterion."""

    reason: str
    points: frozenset[str] | None = None
    names_only: bool = False     # the list-of-names cap (nothing in it to say what it is about)


def written_as_notes(fragments: float, quantities: int) -> bool:
    """Half the words in verbless fragments and at least ``NOTES_QUANTITIES`` figures: an
    expert's notes, which the listener (fitted mostly on spoken sentences) hears least well."""
    return fragments >= NOTES_FRAGMENTS and quantities >= NOTES_QUANTITIES


def heard_nothing(affirmed: bool, terms: int, dismissed: int, max_relevance: float,
                  fragments: float, quantities: int) -> bool:
    """Off topic for this stage: the listener heard no key point, affirmed or dismissed, no word of
    the question, and no sentence is on the stage's topic (``RELEVANT``). Not said of notes with
    figures: on the tune and dev parts the rule sent 22 answers to 1, all labelled 1 but two
    notes with figures labelled 3 and 4, whose bullets the listener missed; the fitted model
    grades those on what it does find (their figures and named techniques)."""
    return (not affirmed and terms == 0 and not dismissed and max_relevance < RELEVANT
            and not written_as_notes(fragments, quantities))


def substance_caps(fragments: float, quantities: int, dismissed: list[str],
                   affirmed: list[str]) -> list[SubstanceCap]:
    """Why an answer cannot score above ``SUBSTANCE_CAP`` whatever the fit, from what the
    listener heard: a list of names with no claim and at most one number in it (the names may all be
    right, but nothing says what they do here or why), or an answer that waves away at least as
    many of the stage's key points as it covers (the listener's dismissed stance), unless it is
    written as notes with figures: there "no class weights (Zipf is the real distribution)" or
    "never undercut the published fare" state design constraints, and on the dev parts every
    such answer the cap held back was labelled 4 (three answers, two writers)."""
    out = []
    if fragments >= LIST_FRAGMENTS and quantities <= LIST_MAX_QUANTITIES:
        out.append(SubstanceCap("a list of names with no claim or reason: say what each part "
                                "does here and why", names_only=True))
    if dismissed and len(dismissed) >= len(affirmed) and not written_as_notes(fragments, quantities):
        out.append(SubstanceCap("the answer dismisses as much of what this stage needs as it covers",
                                frozenset(dismissed)))
    return out


def stage_caps(f: Features, flags: list, heard_nothing: bool = False,
               substance: list[SubstanceCap] = (), other_stage: str | None = None,
               other_product: bool = False) -> tuple[int, list[str]]:
    """The highest stage score the answer can get, and why (one notice per cap).
    ``heard_nothing``: the listener heard no key point and no term of the question;
    ``substance``: the reasons of ``substance_caps``; ``other_stage``: the name of the stage
    the answer speaks to instead (none of this stage's points heard, at least
    ``OTHER_STAGE_POINTS`` of that one's, each at the listener's stricter other-stage bar);
    ``other_product``: the aboutness model (``grading/aboutness.py``) reads it as an answer
    about another product.
    A red flag together with the dismissal cap gives ``WRONG_AND_DISMISSIVE_CAP``."""
    cap, why = 4, []
    if other_stage:
        return 1, [f"off topic: this answers the \"{other_stage}\" stage, not this one"]
    if heard_nothing or (f.max_relevance < OFF_TOPIC and f.max_specificity < OFF_TOPIC):
        return 1, ["off topic: the answer does not address this stage of the question"]
    if f.max_specificity < OFF_PROBLEM:
        return 1, ["off topic: nothing in the answer is about this question"]
    if other_product:
        return 1, ["off topic: nothing ties the answer to this question; it reads as written for another "
                   "product, or for none in particular: say how each part applies here"]
    restates_words = f.statement_overlap >= RESTATED_OVERLAP and f.statement_similarity >= RESTATED_SIMILARITY
    only_the_problem = f.min_specificity >= RESTATED_MIN_SPECIFICITY and f.coverage < RESTATED_MAX_COVERAGE
    if restates_words or only_the_problem:
        return 1, ["the answer mostly restates the question instead of answering it"]
    for flag, _quote in flags:
        cap = min(cap, flag.stage_cap)
        why.append(f"red flag: {flag.claim}")
    for held in substance:
        cap = min(cap, SUBSTANCE_CAP)
        why.append(held.reason)
    if flags and any(held.points for held in substance):
        cap = min(cap, WRONG_AND_DISMISSIVE_CAP)
    return cap, why
