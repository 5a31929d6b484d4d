"""The evidence behind one pairwise match decision, kept with every work so staff can see
why two records were (or were not) merged.

Plain frozen dataclasses with ``to_dict`` / ``from_dict`` for JSON storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Decision", "Evidence", "Signal"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One comparison between two records.

    ``name`` says what was compared ("isbn", "title", "year", "edition", ...); ``a`` and
    ``b`` are the two values as compared (readable strings, None when a record has
    none); ``score`` is what the signal adds to the decision score (negative: against a
    merge); ``blocks`` marks conflicting evidence that forbids the merge whatever the
    score; ``note`` is a one-word verdict ("shared", "exact", "reprint", "conflict", ...).
    """

    name: str
    a: str | None
    b: str | None
    score: float = 0.0
    blocks: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "blocks": self.blocks,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            a=data.get("a"),
            b=data.get("b"),
            score=float(data.get("score", 0.0)),
            blocks=bool(data.get("blocks", False)),
            note=data.get("note", ""),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """All signals of one pairwise comparison, in the order they were computed."""

    signals: tuple[Signal, ...] = ()

    @property
    def total(self) -> float:
        """Sum of the signals' scores."""
        return round(sum(s.score for s in self.signals), 3)

    @property
    def blockers(self) -> tuple[Signal, ...]:
        """The signals that forbid the merge."""
        return tuple(s for s in self.signals if s.blocks)

    @property
    def blocked(self) -> bool:
        """Whether any signal forbids the merge."""
        return any(s.blocks for s in self.signals)

    def get(self, name: str) -> Signal | None:
        """The signal called ``name``, or None."""
        for signal in self.signals:
            if signal.name == name:
                return signal
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"signals": [s.to_dict() for s in self.signals]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(Signal.from_dict(s) for s in data.get("signals", ())))


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of comparing two bib records.

    ``same`` says whether they are the same manifestation; ``score`` is the evidence
    total; ``reason`` is a one-line summary for people, Indonesian / English
    ("dicegah / blocked: volume 1 vs 2").
    """

    same: bool
    score: float
    evidence: Evidence = field(default_factory=Evidence)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "same": self.same,
            "score": self.score,
            "reason": self.reason,
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Inverse of :meth:`to_dict`."""
        return cls(
            same=bool(data["same"]),
            score=float(data["score"]),
            evidence=Evidence.from_dict(data.get("evidence", {})),
            reason=data.get("reason", ""),
        )
