"""Text analysis shared by de-duplication and search: pure folding functions, no I/O."""

from union.text.folding import (
    fold_characters,
    fold_old_spelling,
    fold_old_spelling_word,
    fold_text,
    fold_word,
    is_old_spelled,
    normalize_whitespace,
    strip_punctuation,
    tokens,
)

__all__ = [
    "fold_characters",
    "fold_old_spelling",
    "fold_old_spelling_word",
    "fold_text",
    "fold_word",
    "is_old_spelled",
    "normalize_whitespace",
    "strip_punctuation",
    "tokens",
]
