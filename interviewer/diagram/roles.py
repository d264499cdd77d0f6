"""The roles a diagram box can play (prompts/diagram.yaml), assigned from labels and ids.

The vocabulary is data: role patterns, the check descriptions and the words the sentences use.
It is validated on load; a file that lacks a role or a check the checks need is refused.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, field_validator, model_validator

from interviewer.config.datafiles import load_yaml_model
from interviewer.config.paths import builtin_prompts_dir
from interviewer.diagram.model import Diagram

VOCAB_FILE = "diagram.yaml"

REQUIRED_ROLES = ("request", "candidate_generation", "ranking", "reranking", "feature_store",
                  "batch_features", "streaming_features", "event_logging", "training_data",
                  "training", "model_registry", "serving", "model", "cache", "storage")
# check id -> (placeholders its lines may use, reasons its `missing` must have)
REQUIRED_CHECKS = {
    "funnel": ({"path"}, ("no_candidates", "no_ranker", "order")),
    "logging_loop": ({"path"}, ("no_logging", "no_training", "not_deployed")),
    "feature_paths": ({"path"}, ("batch_only", "streaming_only", "unsplit")),
    "isolated": ({"nodes"}, ("empty",)),
}

_PATTERN = re.compile(r"[a-z0-9]+\*?(?: [a-z0-9]+\*?)*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case words separated by single spaces; camelCase, snake_case and hyphens split."""
    return _NON_WORD.sub(" ", _CAMEL.sub(" ", text or "").lower()).strip()


def _norm_pattern(p: str) -> str:
    return " ".join(w for w in re.split(r"[^a-z0-9*]+", p.lower()) if w)


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


class Role(BaseModel):
    name: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("patterns", "exclude")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        out = []
        for p in value:
            norm = _norm_pattern(str(p))
            if not _PATTERN.fullmatch(norm):
                raise ValueError(f"pattern {p!r}: use words, with '*' only at the end of a word")
            out.append(norm)
        return out


class CheckText(BaseModel):
    title: str = Field(min_length=1)
    covered: str = Field(min_length=1)
    missing: dict[str, str]

    @field_validator("missing")
    @classmethod
    def _default(cls, value: dict[str, str]) -> dict[str, str]:
        if "default" not in value:
            raise ValueError("needs a 'default' line")
        return value


class CheckProbe(BaseModel):
    """What the interviewer asks when a diagram lacks a check, and the key point a passed check
    credits (an id of prompts/flow.yaml or a problem file; checked against the flow at load)."""
    key_point: str | None = None
    ask: dict[str, str]

    @field_validator("ask")
    @classmethod
    def _default(cls, value: dict[str, str]) -> dict[str, str]:
        if "default" not in value:
            raise ValueError("needs a 'default' question")
        return value


class DiagramVocab(BaseModel):
    roles: dict[str, Role] = Field(min_length=1)
    checks: dict[str, CheckText]
    probes: dict[str, CheckProbe] = Field(default_factory=dict)
    proper_names: list[str] = Field(default_factory=list)
    link_verbs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> DiagramVocab:
        lacking = [r for r in REQUIRED_ROLES if r not in self.roles]
        if lacking:
            raise ValueError(f"roles lack {', '.join(lacking)}")
        for cid, (allowed, reasons) in REQUIRED_CHECKS.items():
            if cid not in self.checks:
                raise ValueError(f"checks lack '{cid}'")
            text = self.checks[cid]
            gone = [r for r in reasons if r not in text.missing]
            if gone:
                raise ValueError(f"check '{cid}' lacks missing reasons {', '.join(gone)}")
            for line in [text.covered, *text.missing.values()]:
                bad = _fields(line) - allowed
                if bad:
                    raise ValueError(f"check '{cid}': unknown placeholder {{{min(bad)}}} "
                                     f"(allowed: {', '.join(sorted(allowed))})")
        for cid, probe in self.probes.items():
            if cid not in REQUIRED_CHECKS:
                raise ValueError(f"probes: unknown check '{cid}' (checks: {', '.join(REQUIRED_CHECKS)})")
            stray = sorted(set(probe.ask) - set(self.checks[cid].missing))
            if stray:
                raise ValueError(f"probe '{cid}': unknown reasons {', '.join(stray)}")
            for line in probe.ask.values():
                if _fields(line) - {"nodes"}:
                    raise ValueError(f"probe '{cid}': only {{nodes}} may be used: {line[:60]!r}")
        return self


def _regex(patterns: list[str]) -> re.Pattern | None:
    if not patterns:
        return None
    alts = sorted({" ".join(re.escape(w[:-1]) + "[a-z0-9]*" if w.endswith("*") else re.escape(w)
                            for w in p.split()) for p in patterns}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + r")(?![a-z0-9])")


class RoleIndex:
    """Compiled role patterns: which roles a text names."""

    def __init__(self, vocab: DiagramVocab):
        self.vocab = vocab
        self.names = {rid: r.name for rid, r in vocab.roles.items()}
        self._rules = [(rid, _regex(r.patterns), _regex(r.exclude)) for rid, r in vocab.roles.items()]
        self._seen: dict[str, frozenset[str]] = {}    # label -> roles: check and to_sentences share it

    def roles_of(self, text: str) -> frozenset[str]:
        hit = self._seen.get(text)
        if hit is not None:
            return hit
        t = normalize(text)
        found = set()
        for rid, pat, excl in self._rules:
            probe = excl.sub(" ", t) if excl is not None else t
            if pat.search(probe):
                found.add(rid)
        if len(self._seen) >= 8192:
            self._seen.clear()
        self._seen[text] = out = frozenset(found)
        return out

    def assign(self, diagram: Diagram) -> dict[str, frozenset[str]]:
        """Roles per node id and subgraph id; a node with none takes its subgraphs' roles."""
        out: dict[str, frozenset[str]] = {}
        for sg in diagram.subgraphs.values():
            out[sg.id] = self.roles_of(_text(sg.title, sg.id))
        for node in diagram.nodes.values():
            roles = set(self.roles_of(_text(node.label, node.id)))
            if node.shape == "database":
                roles.add("storage")
            sg = node.subgraph
            while not roles and sg is not None:
                roles |= out.get(sg, frozenset())
                sg = diagram.subgraphs[sg].parent if sg in diagram.subgraphs else None
            out[node.id] = frozenset(roles)
        return out


def _text(label: str, ident: str) -> str:
    return label if normalize(ident) in normalize(label) else f"{label} {ident}"


@lru_cache(maxsize=4)
def _load(path: Path, stamp: tuple[int, int] | None) -> RoleIndex:
    return RoleIndex(load_yaml_model(DiagramVocab, path))


def load_roles(prompts_dir: Path | None = None) -> RoleIndex:
    """The roles of ``prompts_dir``'s diagram.yaml (the built-in prompts by default); re-read
    when the file changes."""
    path = Path(prompts_dir or builtin_prompts_dir()) / VOCAB_FILE
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None                # load_yaml_model reports the missing file
    return _load(path, stamp)
