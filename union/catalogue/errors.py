"""The one error the catalogue service raises for a request it cannot answer as asked."""

from __future__ import annotations

__all__ = ["BadParameter"]


class BadParameter(ValueError):
    """A search parameter (or work id) that is malformed or out of range.

    ``parameter`` names it; ``message_id`` and ``message_en`` say what is wrong in
    Bahasa Indonesia and in English, for the patron or the API client."""

    def __init__(self, parameter: str, message_id: str, message_en: str) -> None:
        super().__init__(f"{parameter}: {message_id} / {message_en}")
        self.parameter = parameter
        self.message_id = message_id
        self.message_en = message_en
