"""Plain data passed between retrieval and its callers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk, citable by source and heading."""

    source: str          # path relative to the ingested root, e.g. "metrics.md"
    heading: str         # heading path, e.g. "Offline and online metrics > ROC-AUC versus PR-AUC"
    text: str
    score: float
    stages: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["stages"] = list(self.stages)
        return d

    @property
    def citation(self) -> str:
        return f"{self.source} › {self.heading}" if self.heading else self.source
