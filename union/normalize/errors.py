"""The one exception normalization raises, so a caller can skip a record and report why."""

from __future__ import annotations


class NormalizationError(ValueError):
    """A source record that cannot be parsed or has no usable title.

    ``reason`` is a short human-readable explanation for the harvest report.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
