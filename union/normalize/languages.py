"""Language codes (MARC / ISO 639-2/B, e.g. "ind", "eng") from MARC codes and from names.

MARC 008/35-37 and 041 carry codes; Dublin Core sources such as SLiMS carry names in
Indonesian or English ("Indonesia", "Bahasa Inggris", "English") or ISO 639-1 codes.
"""

from __future__ import annotations

import re

# ISO 639-2/T (and 639-3) forms a non-MARC system may use, mapped to the MARC (/B) code.
_TERMINOLOGIC_TO_MARC = {
    "msa": "may", "zsm": "may", "nld": "dut", "deu": "ger", "fra": "fre", "zho": "chi",
    "cmn": "chi", "fas": "per", "ces": "cze", "ell": "gre", "hye": "arm", "kat": "geo",
    "mya": "bur", "sqi": "alb", "eus": "baq", "isl": "ice", "mkd": "mac", "mri": "mao",
    "ron": "rum", "slk": "slo", "bod": "tib", "cym": "wel", "arb": "ara",
}
# ISO 639-1 two-letter codes, including the withdrawn "in" many old systems still emit.
_TWO_LETTER = {
    "id": "ind", "in": "ind", "en": "eng", "ms": "may", "jv": "jav", "jw": "jav",
    "su": "sun", "ar": "ara", "nl": "dut", "zh": "chi", "ja": "jpn", "de": "ger",
    "fr": "fre", "es": "spa", "pt": "por", "it": "ita", "ru": "rus", "ko": "kor",
    "th": "tha", "vi": "vie", "tl": "tgl", "hi": "hin", "ta": "tam", "la": "lat",
    "sa": "san", "fa": "per", "ur": "urd", "tr": "tur", "fi": "fin", "sv": "swe",
}
# Language names as Indonesian and English catalogues write them (lowercase, without
# a leading "bahasa"). The regional languages of Indonesia are listed deliberately.
_NAMES = {
    "indonesia": "ind", "indonesian": "ind", "indo": "ind",
    "inggris": "eng", "english": "eng", "inggeris": "eng",
    "melayu": "may", "malay": "may", "malaysia": "may",
    "jawa": "jav", "javanese": "jav", "jawa kuno": "kaw", "kawi": "kaw",
    "sunda": "sun", "sundanese": "sun",
    "bali": "ban", "balinese": "ban",
    "madura": "mad", "madurese": "mad",
    "minangkabau": "min", "minang": "min",
    "aceh": "ace", "acehnese": "ace", "achinese": "ace",
    "bugis": "bug", "buginese": "bug",
    "makassar": "mak", "makasar": "mak", "makasarese": "mak",
    "batak": "btk", "banjar": "bjn", "sasak": "sas", "gorontalo": "gor",
    "tetun": "tet", "tetum": "tet",
    "arab": "ara", "arabic": "ara",
    "belanda": "dut", "dutch": "dut",
    "mandarin": "chi", "cina": "chi", "tionghoa": "chi", "chinese": "chi",
    "jepang": "jpn", "japanese": "jpn",
    "jerman": "ger", "german": "ger",
    "prancis": "fre", "perancis": "fre", "french": "fre",
    "spanyol": "spa", "spanish": "spa",
    "portugis": "por", "portuguese": "por",
    "italia": "ita", "italian": "ita",
    "rusia": "rus", "russian": "rus",
    "korea": "kor", "korean": "kor",
    "thai": "tha", "vietnam": "vie", "vietnamese": "vie",
    "tagalog": "tgl", "filipino": "fil",
    "hindi": "hin", "tamil": "tam", "sanskerta": "san", "sanskrit": "san",
    "latin": "lat", "persia": "per", "persian": "per", "urdu": "urd",
    "turki": "tur", "turkish": "tur",
}
# Codes that say nothing about the language of the text.
_NOT_A_LANGUAGE = frozenset({"", "und", "|||", "xxx", "   ", "n/a", "zxx"})
# Codes accepted in free text: the ones this module knows, so a stray three-letter word
# ("dan", "the") is never taken for a language code.
_KNOWN_CODES = frozenset(_NAMES.values()) | frozenset(_TWO_LETTER.values()) | frozenset(
    _TERMINOLOGIC_TO_MARC
) | {"mul"}
_SPLIT_NAMES = re.compile(r"\s*(?:[;,/&+]|\bdan\b|\band\b)\s*", re.IGNORECASE)
_NAME_NOISE = re.compile(r"^(?:bahasa|bhs\.?|language)\s+|\s+(?:language|lang\.?)$")


def marc_language(code: str | None) -> str | None:
    """Return a MARC language code for a 2- or 3-letter code, or None if unusable."""
    if not code:
        return None
    value = code.strip().lower()
    if value in _NOT_A_LANGUAGE:
        return None
    if len(value) == 2:
        return _TWO_LETTER.get(value)
    if len(value) == 3 and value.isalpha():
        return _TERMINOLOGIC_TO_MARC.get(value, value)
    return None


def codes_from_041(value: str | None) -> list[str]:
    """Split an 041 subfield into codes: older records pack several ("indeng")."""
    if not value:
        return []
    compact = value.strip().lower()
    if len(compact) > 3 and len(compact) % 3 == 0 and compact.isalpha():
        parts = [compact[i : i + 3] for i in range(0, len(compact), 3)]
    else:
        parts = compact.split()
    return [code for code in (marc_language(part) for part in parts) if code]


def languages_from_text(text: str | None) -> list[str]:
    """Map a language statement to codes: "Indonesia" -> ["ind"]; "Inggris; Jawa" ->
    ["eng", "jav"]; ISO codes ("en", "ind") pass through. Unknown names are dropped."""
    if not text:
        return []
    codes: list[str] = []
    for part in _SPLIT_NAMES.split(text.strip().lower()):
        name = _NAME_NOISE.sub("", part.strip(" .()[]"))
        code = _NAMES.get(name)
        if code is None and len(name) <= 3 and (len(name) == 2 or name in _KNOWN_CODES):
            code = marc_language(name)
        if code and code not in codes:
            codes.append(code)
    return codes
