"""Surface signals of a written answer, computed without any model.

Sentences keep their exact text from the answer (so evidence quotes are verifiable), and
each sentence is marked for the things that show reasoning (a justification, a trade-off,
a number) or its absence (a fragment with no verb, generic filler). Also detects text
addressed to the grader rather than the interviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.grading.injection import find_injections
from interviewer.textutil import sentences as split_sentences

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.]*")

# Finite verbs and auxiliaries that make a fragment a clause. Deliberately no -ing forms:
# "caching, sharding, monitoring" is a list, not a sentence.
_VERBS = set("""
am is are was were be been being 's 're 'd 'll 've would will can could should must may might shall
do does did has have had need needs needed want wants use uses used train trains trained predict predicts
ranks ranked scored logged join joins joined compute computes computed stored
serve serves evaluate evaluates measure measures track tracks monitor monitors retrain retrains
add adds cut cuts fetch fetches cached sharded run runs ran send sends sent return returns returned
pick picks choose chooses chose start starts begin begins keep keeps make makes made give gives gave get gets got
take takes took let lets go goes went come comes came matter matters mean means think look looks see check checks
ask asks call calls pass passes put puts tell tells decide decides define defines 
combine combines insert inserts remove removes filters drop drops blocks flags apply applies
downsample downsamples recalibrate recalibrate handle handles cover covers depend depends
show shows shown saw seen arrive arrives lands land work works learn learns leak leaks compare compares
beat beats earn earns costs rely relies consume consumes publish publishes picks frame rewards
gathers gather find finds found follows follow lose loses say says said prefer prefers try tries tune tunes
optimize optimizes optimise optimises maximize maximise minimize minimise guess know knows sit sits
""".split())
_SUBJECT_VERB = re.compile(r"\b(i|we|you|they|he|she)('d|'ll|'m|'re|'ve|\s+[a-z]+)\b|\b(it|this|that)('s|'ll|'d)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

_JUSTIFY = re.compile(
    r"\b(because|since|so that|in order to|to avoid|to prevent|to keep|otherwise|due to|given that|"
    r"the reason|that's why|this is why|which means|that means|which is why|that way|thus|therefore|"
    r"which (decides|sets|gives|lets|keeps|makes|changes|drives|costs|matters)|that (decides|sets|changes|drives)|"
    r"as a result|it matters)\b|, so\b|; so\b|\bso (we|i|the|it|a|precision|recall)\b",
    re.I)
_TRADEOFF = re.compile(
    r"\b(trade-?offs?|versus|vs\.?|rather than|instead of|at the cost of|downside|upside|on the other hand|"
    r"whereas|however|but|while|cheap(er)?|expensive|costl(y|ier)|more than|less than|outweighs?|"
    r"balance|compromise|at the expense of|not just|alternatively|harder|easier)\b",
    re.I)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|ten|hundreds?|thousands?|millions?|billions?|percent|dozens?)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|none|nothing|without|cannot|can't|don't|doesn't|didn't|isn't|aren't|"
                       r"won't|wouldn't|shouldn't|useless|misleading|unnecessary)\b|n't\b", re.I)
_FILLER = re.compile(
    r"\b(it's (very |really |extremely )?important|very important|extremely important|at the end of the day|"
    r"best practices?|holistic|stakeholders?|leverage|world-class|big picture|latest and greatest|"
    r"robust|scalable|reliable|cloud-native|state of the art|really good|great experience|"
    r"love (using )?(it|them)|is king|what gets measured|you can't improve|strong team|"
    r"there are (a lot of|many|so many) (things|options|metrics)|we need to think about|"
    r"keep the user at the center|i'm confident|no exception|definitely|heart of|crucial)\b",
    re.I)

@dataclass(frozen=True)
class Sentence:
    text: str          # exact substring of the answer
    words: int
    clause: bool       # has a finite verb
    justified: bool
    tradeoff: bool
    number: bool
    negated: bool
    filler: bool

    @property
    def fragment(self) -> bool:
        return self.words < 4 or not self.clause


def _exact(original: str, piece: str, start: int) -> tuple[str, int]:
    """Find ``piece`` (whitespace-normalised) in ``original``; return the exact span and its start."""
    i = original.find(piece, start)     # the common case: the piece as it stands, no regex
    if i >= 0:
        return piece, i
    words = piece.split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = pattern.search(original, start) or pattern.search(original)
    if not m:
        return piece, start
    return m.group(0), m.start()


def _has_clause(text: str) -> bool:
    if _SUBJECT_VERB.search(text):
        return True
    tokens = [t.lower() for t in WORD.findall(text)]
    return any(t in _VERBS for t in tokens)


def analyse(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    cursor = 0
    for piece in split_sentences(text):
        piece = _BULLET.sub("", piece)
        if not piece:
            continue
        exact, pos = _exact(text, piece, cursor)
        cursor = pos
        words = len(WORD.findall(piece))
        out.append(Sentence(
            text=exact, words=words, clause=_has_clause(piece),
            justified=bool(_JUSTIFY.search(piece)), tradeoff=bool(_TRADEOFF.search(piece)),
            number=bool(_NUMBER.search(piece)), negated=bool(_NEGATION.search(piece)),
            filler=bool(_FILLER.search(piece)),
        ))
    return out


def injection_sentences(text: str, sents: list[Sentence] | None = None,
                        prompts_dir: str | None = None) -> list[str]:
    """Sentences addressed to the grader instead of answering the question (``sents``: the
    text's ``analyse`` if the caller has it), by the patterns of ``prompts/injection.yaml``; a
    match across sentences (a hidden comment, a pasted score block) is quoted as matched."""
    return find_injections(text, [s.text for s in (analyse(text) if sents is None else sents)], prompts_dir)


def has_negation(text: str) -> bool:
    return bool(_NEGATION.search(text))


def content_words(text: str) -> list[str]:
    return [w for w in (t.lower() for t in WORD.findall(text)) if len(w) > 3 and w not in _STOP]


_STOP = set("""
this that with from have will would could should their there they them then than what when where which
while about into over also just like some such only more most very much many need needs want make made
each other these those your ours ourselves been being were does doing done here well good really
""".split())
