"""Names patrons read for the codes the catalogue keeps: languages, formats, facets
(Indonesian, English)."""

from __future__ import annotations

from union.web.i18n import Translate

__all__ = ["FACET_LABELS", "facet_value_label", "format_label", "language_label"]

_LANGUAGES = {
    "ind": ("Indonesia", "Indonesian"), "may": ("Melayu", "Malay"),
    "jav": ("Jawa", "Javanese"), "sun": ("Sunda", "Sundanese"), "eng": ("Inggris", "English"),
    "ara": ("Arab", "Arabic"), "dut": ("Belanda", "Dutch"), "chi": ("Tionghoa", "Chinese"),
    "min": ("Minangkabau", "Minangkabau"), "ban": ("Bali", "Balinese"),
    "und": ("Tidak diketahui", "Unknown"),
}
_FORMATS = {
    "book": ("Buku", "Book"), "ebook": ("Buku elektronik", "E-book"),
    "serial": ("Terbitan berkala", "Serial"), "map": ("Peta", "Map"),
    "score": ("Partitur", "Score"), "sound": ("Rekaman suara", "Sound recording"),
    "video": ("Video", "Video"), "visual": ("Bahan visual", "Visual material"),
    "computer_file": ("Berkas komputer", "Computer file"), "kit": ("Kit", "Kit"),
    "manuscript": ("Naskah", "Manuscript"), "mixed": ("Bahan campuran", "Mixed materials"),
}
#: Facet names in the order the result page shows them, with their labels.
FACET_LABELS: dict[str, tuple[str, str]] = {
    "local": ("Koleksi lokal", "Local collection"),
    "available": ("Tersedia sekarang", "Available now"),
    "branch": ("Perpustakaan", "Library"),
    "year": ("Tahun terbit", "Year published"),
    "language": ("Bahasa", "Language"),
    "format": ("Bentuk", "Format"),
    "subject": ("Subjek", "Subject"),
}


def language_label(code: str, t: Translate) -> str:
    """A MARC language code's name ("ind" -> "Indonesia"); the code when unknown."""
    names = _LANGUAGES.get(code)
    return t(*names) if names else code


def format_label(code: str, t: Translate) -> str:
    """A format's name ("book" -> "Buku")."""
    names = _FORMATS.get(code)
    return t(*names) if names else code


def facet_value_label(facet: str, value: str, branch_names: dict[str, str],
                      t: Translate) -> str:
    """What a facet value reads as on the page."""
    if facet == "language":
        return language_label(value, t)
    if facet == "format":
        return format_label(value, t)
    if facet == "branch":
        return branch_names.get(value, value)
    if facet == "available":
        return (t("Di perpustakaan mana pun", "At any library") if value == "*"
                else branch_names.get(value, value))
    if facet == "local":
        return t("Koleksi lokal", "Local collection") if value == "true" else t(
            "Di luar koleksi lokal", "Outside the local collection")
    if facet == "year":
        low, _, high = value.partition("-")
        if not low:
            return t("sampai {y}", "up to {y}", y=high)
        if not high:
            return t("{y} dan sesudahnya", "{y} and later", y=low)
        return f"{low}–{high}"
    return value
