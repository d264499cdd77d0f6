"""A learned screen for text addressed to the grader, beside the patterns of
``prompts/injection.yaml``: the patterns catch the forms they were written for, and about half of
the attempts of writers who never saw them (a polite aside that "a fair reading would round this
up", a score row in a table, a request in another voice).

The screen reads each sentence of an answer with two logistic regressions, one on its sentence
embedding and one on its words and word pairs (the listener's ``StanceWords``), averaged. It is
fitted on first use from ``knowledge/injections/`` (answers by two outside red-team writers, each
attempt marked as exact spans, and innocent answers that use the same words in their ML sense or
as the product's own: an exam board's marks, a packhouse's fruit grader, a film's age rating),
with every utterance of ``knowledge/utterances/`` and every sentence of the guides as ordinary
sentences, and cached under ``$INTERVIEWER_HOME/cache/injection/`` by the data's hash.

Its threshold is chosen out of fold (the red-team answers folded by question): the lowest at which
at most ``MAX_INNOCENT_FLAGGED`` of the innocent answers and ``MAX_ORDINARY_FLAGGED`` of the
ordinary sentences are flagged. An innocent answer flagged is graded 1, so the bound is tight.
It was 1% while the innocent answers only talked of raters and judges in their ML sense; with a
second writer's answers from products whose own words are marks, grades and ratings, 1% put the
threshold at 0.945, above polite notes the screen scores 0.91 to 0.94 ("whoever reads this last,
I trust you will see ... and mark it that way"). At 2% it is 0.845: out of fold, with the
patterns, 77% of the attempts caught against 69%, and 10 of 260 innocent answers flagged against 6.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviewer.listening.stance import StanceWords, fit_words
from interviewer.storage.arrays import cached_arrays

SCREEN_VERSION = "2"
MAX_INNOCENT_FLAGGED = 0.02     # of the innocent red-team answers, out of fold (see below)
MAX_ORDINARY_FLAGGED = 0.001    # of ordinary sentences (utterances, guides), out of fold
FOLDS = 6
EMB_C = 1.0                     # inverse regularisation of the embedding regression
MIN_WORDS = 3                   # "## Evaluation" or "| 4 |" alone says nothing either way
SPAN_SHARE = 0.6                # a sentence this much inside a marked span is an attempt...
CLEAN_SHARE = 0.1               # ...this little is not; in between it is left out of the fit


@dataclass
class ScreenData:
    texts: list[str]
    labels: np.ndarray          # 1 = addressed to the grader
    groups: np.ndarray          # fold of each sentence (red-team answers by question)
    answer_of: np.ndarray       # red-team answer index of each sentence, -1 for ordinary ones
    innocent: np.ndarray        # per red-team answer: no attempt in it


def _units(text: str) -> list[tuple[str, int, int]]:
    from interviewer.grading.signals import analyse

    out, cursor = [], 0
    for s in analyse(text):
        start = text.find(s.text, cursor)
        if start < 0:
            start = text.find(s.text)
        cursor = max(cursor, start + len(s.text)) if start >= 0 else cursor
        out.append((s.text, start, start + len(s.text)))
    return out


def _long_enough(sentence: str) -> bool:
    """At least ``MIN_WORDS`` words, or a phrase in a script written without spaces."""
    return len(re.findall(r"\w+", sentence)) >= MIN_WORDS or sum(ord(c) >= 0x2E80 for c in sentence) >= 2 * MIN_WORDS


def sentences_of(text: str) -> list[str]:
    return [t for t, _, _ in _units(text) if _long_enough(t)]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> float:
    if start < 0 or end <= start:
        return 0.0
    covered = sum(max(0, min(end, b) - max(start, a)) for a, b in spans)
    return min(1.0, covered / (end - start))


def red_team_rows(folder: Path) -> list[dict]:
    """The red-team answers of ``folder``: one dict per JSON line of its ``*.jsonl`` files."""
    return [json.loads(line) for f in sorted(Path(folder).glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_screen_data(folder: Path, ordinary: list[str]) -> ScreenData:
    """The red-team answers of ``folder`` (JSON Lines: question, text, injection_spans) cut into
    sentences and labelled by the spans, and ``ordinary`` sentences labelled 0."""
    texts, labels, groups, answer_of, innocent = [], [], [], [], []
    questions: dict[str, int] = {}
    for row in red_team_rows(folder):
        text = row["text"]
        spans = [(i, i + len(s)) for s in row.get("injection_spans") or [] if (i := text.find(s)) >= 0]
        k = len(innocent)
        innocent.append(not row.get("injection_spans"))
        fold = questions.setdefault(row["question"], len(questions)) % FOLDS
        for sent, a, b in _units(text):
            if not _long_enough(sent):
                continue
            share = _inside(a, b, spans)
            if CLEAN_SHARE < share < SPAN_SHARE:
                continue
            texts.append(sent)
            labels.append(int(share >= SPAN_SHARE))
            groups.append(fold)
            answer_of.append(k)
    for t in ordinary:
        texts.append(t)
        labels.append(0)
        groups.append(int(hashlib.sha256(t.encode()).hexdigest(), 16) % FOLDS)
        answer_of.append(-1)
    return ScreenData(texts, np.asarray(labels), np.asarray(groups), np.asarray(answer_of),
                      np.asarray(innocent, dtype=bool))


class InjectionScreen:
    """``flag(sentences, vecs)``: the sentences the screen reads as addressed to the grader."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.a = arrays
        self.emb_w, self.emb_b = arrays["emb_w"].astype(np.float32), float(arrays["emb_b"])
        self.words = StanceWords([str(w) for w in arrays["words_vocab"]], arrays["words_idf"],
                                 arrays["words_w"], float(arrays["words_b"]))
        self.threshold = float(arrays["threshold"])

    def scores(self, sentences: list[str], vecs: np.ndarray) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        emb = 1.0 / (1.0 + np.exp(-(np.asarray(vecs, dtype=np.float32) @ self.emb_w + self.emb_b)))
        return (0.5 * (emb + self.words.score(sentences))).astype(np.float32)

    def flag(self, sentences: list[str], vecs: np.ndarray) -> list[str]:
        keep = [k for k, s in enumerate(sentences) if _long_enough(s)]
        if not keep:
            return []
        p = self.scores([sentences[k] for k in keep], np.asarray(vecs)[keep])
        return [sentences[k] for k, q in zip(keep, p) if q >= self.threshold]


def _fit_parts(vecs: np.ndarray, texts: list[str], y: np.ndarray) -> dict[str, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=EMB_C, class_weight="balanced", max_iter=3000).fit(vecs, y)
    vocab, idf, w, b = fit_words(texts, y)
    return {"emb_w": lr.coef_[0].astype(np.float32), "emb_b": np.float32(lr.intercept_[0]),
            "words_vocab": np.asarray(vocab), "words_idf": idf, "words_w": w, "words_b": np.float32(b)}


def choose_threshold(p: np.ndarray, data: ScreenData) -> float:
    """The lowest threshold within both bounds (out-of-fold scores ``p``)."""
    red = data.answer_of >= 0
    n_answers = len(data.innocent)
    for t in np.round(np.arange(0.30, 0.995, 0.005), 3):
        best = np.full(n_answers, 0.0)
        np.maximum.at(best, data.answer_of[red], p[red])
        innocent_flagged = int((best[data.innocent] >= t).sum())
        ordinary_flagged = int((p[~red] >= t).sum())
        if innocent_flagged <= MAX_INNOCENT_FLAGGED * max(1, int(data.innocent.sum())) \
                and ordinary_flagged <= MAX_ORDINARY_FLAGGED * max(1, int((~red).sum())):
            return float(t)
    return 0.995


def fit_screen(data: ScreenData, vecs: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Fit on everything; the threshold from out-of-fold scores. Returns (arrays, oof scores)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):           # the same sums in any process (see listening/tuning)
        oof = np.zeros(len(data.texts), dtype=np.float32)
        for fold in range(FOLDS):
            out = data.groups == fold
            part = InjectionScreen({**_fit_parts(vecs[~out], [t for t, o in zip(data.texts, out) if not o],
                                                 data.labels[~out]), "threshold": np.float32(0.5)})
            oof[out] = part.scores([t for t, o in zip(data.texts, out) if o], vecs[out])
        arrays = _fit_parts(vecs, data.texts, data.labels)
    arrays["threshold"] = np.float32(choose_threshold(oof, data))
    return arrays, oof


# ---- building (once per process; cached on disk by the data's hash) ------------------------
_memo: dict[str, InjectionScreen] = {}
_memo_lock = threading.Lock()


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def ordinary_sentences(knowledge_dir: Path, prompts_dir: Path) -> list[str]:
    """What candidates, interviewers and the guides say when they address no grader: every
    utterance of the listener's corpus, every sentence of the guides, and every text of the
    problem files (facts asked and answered) and of the flow (key points, cues, probes)."""
    import yaml

    out = []
    for f in sorted((knowledge_dir / "utterances").glob("*.jsonl")):
        out += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    for f in sorted(knowledge_dir.glob("*.md")):
        out += sentences_of(f.read_text(encoding="utf-8"))
    for f in [*sorted((knowledge_dir / "problems").glob("*.yaml")), Path(prompts_dir) / "flow.yaml"]:
        out += [t for s in _strings(yaml.safe_load(f.read_text(encoding="utf-8"))) for t in sentences_of(s)]
    return sorted(set(out))


def _inputs_hash(embedder, knowledge_dir: Path, prompts_dir: Path) -> str:
    """The hash of every file the screen is fitted from (read as bytes: no parsing to decide
    whether the cached fit still holds)."""
    h = hashlib.sha256((SCREEN_VERSION + embedder.name).encode())
    files = [*sorted((knowledge_dir / "injections").glob("*.jsonl")),
             *sorted((knowledge_dir / "utterances").glob("*.jsonl")), *sorted(knowledge_dir.glob("*.md")),
             *sorted((knowledge_dir / "problems").glob("*.yaml")), Path(prompts_dir) / "flow.yaml"]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_screen(embedder, knowledge_dir: Path, prompts_dir: Path, cache: Path) -> InjectionScreen:
    key = _inputs_hash(embedder, knowledge_dir, prompts_dir)

    def fit() -> dict[str, np.ndarray]:
        data = load_screen_data(knowledge_dir / "injections", ordinary_sentences(knowledge_dir, prompts_dir))
        return fit_screen(data, np.asarray(embedder.encode(data.texts), dtype=np.float32))[0]

    with _memo_lock:
        if key not in _memo:
            _memo[key] = InjectionScreen(cached_arrays(Path(cache) / "injection" / f"{key}.npz", fit,
                                                       "injection screen"))
        return _memo[key]
