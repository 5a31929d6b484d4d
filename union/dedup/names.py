"""Personal names for matching: honorifics and degrees stripped, inverted and direct order
made equal, and a tolerant compatibility check.

Indonesian names often have no surname (mononyms such as "Soekarno", "Soetarto"), carry
religious, noble and academic titles before and after the name ("Prof. Dr. H. Ahmad, S.H.,
M.Hum."), and appear in old and new spelling. Catalogues invert them ("Toer, Pramoedya
Ananta") or not, and put titles in a comma-separated qualifier ("Abidin, Zainal, Andi").

* :func:`parse_name` gives the folded name words in direct order.
* :func:`name_key` is order-insensitive: the sorted folded words, so "Toer, Pramoedya
  Ananta" and "Pramoedya Ananta Toer" (and "Pramoedya Ananta Tur") share one key.
* :func:`name_similarity` tolerates initials, extra given names and a typo in a long word,
  but never matches a mononym with a longer name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel

from union.text.folding import fold_text

__all__ = [
    "DEGREES",
    "HONORIFICS",
    "ParsedName",
    "name_in_text",
    "name_key",
    "name_similarity",
    "names_compatible",
    "parse_name",
]


def _wordlist(text: str) -> list[str]:
    """Whitespace-separated words of a literal table (keeps long tables readable)."""
    return text.split()


#: Academic and professional degrees, folded with periods and spaces removed ("S.H." ->
#: "sh", "M. Sc." -> "msc"): stripped when they make up a comma part or end the name.
#: Prefix titles ("Dr.", "Ir.", "Drs.") are in :data:`HONORIFICS`.
DEGREES: frozenset[str] = frozenset(
    _wordlist(
        """
    spd mpd sh mh msi se mm sag mag skom mkom phd ssos msos sip mip ss ma msc bsc ba
    bsc st mt ssi spsi mpsi mhum shum lc mba mpa mph skm mkes sked sfarm apt akt
    ak sthi mpdi spdi shi mhi sthi sth mth dra drs drg sp spa sppd spog msn ssn
    mtheol dmin edd llm lld llb mec mkn snt mfa
    """
    )
)

_LONGEST_DEGREE = max(map(len, DEGREES))

#: Titles written before a name (religious, noble, academic, Acehnese, Bugis, Javanese,
#: Malay), folded. Multi-word titles are matched as word sequences.
HONORIFICS: tuple[tuple[str, ...], ...] = tuple(
    tuple(t.split())
    for t in sorted(
        """
        h|hj|haji|hajah|hajjah|khaji|kh|k h|kyai|kiai|kyai haji|kiai haji|ki|nyi
        dr|drs|dra|drg|ir|prof|profesor|professor|ust|ustadz|ustaz|ustadzah|buya|habib
        tgk|teungku|tengku|teuku|cut|tjut|t
        raden|radhen|r|raden mas|raden ayu|raden ajeng|raden ngabehi|rm|ra|ray|kgpaa|gph
        krmh|krt|kpa
        mas|ngabehi|gusti|gusti kanjeng
        andi|daeng|opu|datuk|dato|datuk seri|tan sri|tun|tunku|tuanku|pehin|awang|dayang
        dayangku|nik|raja|sultan|sir|mr|hon|rev|pastor|romo|pdt|pendeta|bapak|ibu|bpk|sdr
        anak agung
        """.replace("\n", "|").split("|"),
        key=lambda t: -len(t.split()),
    )
    if t.strip()
)
# Single-letter honorifics ("H.", "R.", "T.") are also initials: stripped only in front of
# at least two further words, so "Salim H.S." and "R. Soekardi" keep what they need.
_AMBIGUOUS_INITIAL_TITLES = frozenset({("h",), ("r",), ("t",)})

# Given-name spelling variants folded to one form (after old-spelling folding).
_GIVEN_NAME_VARIANTS = {
    **dict.fromkeys(
        _wordlist(
            """
            moh mohd muh muhd mhd mochammad mohammad mohamad mohammed mohamed muhamad
            muhammed mukhammad mukhamad mokhammad mokhamad mochamad muhamed
            """
        ),
        "muhammad",
    ),
    "akhmad": "ahmad",
    "achmad": "ahmad",
    "abd": "abdul",
    "abdoel": "abdul",
}

_WORD_CHARACTER = re.compile(r"[^\W_]")
_PARENTHESIZED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Life dates and the like: "1901-1970", "b. 1950", "fl. 1920", "d. 1990".
_DATES = re.compile(r"\b(?:b|d|fl|ca|lahir|wafat)\.?\s*\d{3,4}\b|\d{3,4}\s*-\s*(?:\d{3,4})?|\d+")
_PERIOD_SPACING = re.compile(r"\.\s*")


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A personal name reduced to folded words in direct order.

    ``words`` excludes honorifics and degrees; ``surname`` is the inverted heading's first
    part when the name was inverted (``inverted`` is then True), else the last word.
    Indonesian names often have no surname, so only an inverted heading's surname is
    held to account by the compatibility check.
    """

    words: tuple[str, ...]
    surname: str | None
    inverted: bool = False
    #: Order-insensitive key: the words sorted and joined by one space (kept: every
    #: comparison of two names starts with it).
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", " ".join(sorted(self.words)))

    @property
    def full_words(self) -> tuple[str, ...]:
        """Words longer than one letter (not initials)."""
        return tuple(w for w in self.words if len(w) > 1)

    @property
    def is_mononym(self) -> bool:
        """A single word: "Soekarno", "Soetarto"."""
        return len(self.words) == 1


def _has_word(part: str) -> bool:
    """Whether folding ``part`` leaves a word (for ASCII: a letter or digit in it)."""
    return _WORD_CHARACTER.search(part) is not None if part.isascii() else bool(fold_text(part))


def _words(part: str) -> list[str]:
    """Fold one comma part into words, splitting initials ("A.C." -> "a c")."""
    part = _PERIOD_SPACING.sub(". ", part)  # "A.C." -> "A. C. " so fold keeps letters apart
    words = fold_text(part).split()
    return [_GIVEN_NAME_VARIANTS.get(w, w) for w in words]


@lru_cache(maxsize=1 << 16)
def _is_degree(text: str) -> bool:
    """Whether ``text`` is a degree as written, folded with periods and spaces removed
    ("M. Sc." -> "msc"). Memoized: the same name words are asked about again and again."""
    if (text.isascii() and len(text) > _LONGEST_DEGREE
            and sum(map(str.isalnum, text)) > _LONGEST_DEGREE):
        return False  # folding ASCII keeps every letter and digit: too long to be one
    return fold_text(text.replace(".", "").replace(" ", "")) in DEGREES


def _degree_part(part: str) -> bool:
    """A comma part made only of degrees: "S.H.", "M. Sc.", "MA", "S.E. M.M."."""
    return _is_degree(part) or all(_is_degree(token) for token in part.split())


def _strip_trailing_degrees(part: str) -> str:
    """Remove degrees written after a name without a comma: "Abdul Hakim S.H. M.Hum.".

    Letters standing apart are initials, not a degree, where no whole word would be left:
    the "M. T." of "Oppusunggu, H. M. T." is not Magister Teknik, and "H. M. T.
    Oppusunggu" keeps it too.
    """
    tokens = part.split()
    stripped = True
    while stripped:
        stripped = False
        for width in (3, 2, 1):  # "M. Sc." is two tokens, "M. Sc. Ph.D." three
            run, rest = tokens[-width:], tokens[:-width]
            if (len(tokens) > width and _is_degree(" ".join(run))
                    and not (all(map(_is_initial, run)) and all(map(_is_initial, rest)))):
                tokens = rest
                stripped = True
                break
    return " ".join(tokens)


def _is_initial(token: str) -> bool:
    return sum(map(str.isalpha, token)) == 1


# HONORIFICS by their first word, in HONORIFICS order (longest first): a title can only
# match where the name starts with its first word, so only those are tried.
_HONORIFICS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {}
for _title in HONORIFICS:
    _HONORIFICS_BY_FIRST[_title[0]] = (*_HONORIFICS_BY_FIRST.get(_title[0], ()), _title)


def _honorific_part(words: list[str]) -> bool:
    """A comma part made only of honorifics: "Andi", "Raden Mas", "Drs", "Haji"."""
    rest = list(words)
    while rest:
        for title in _HONORIFICS_BY_FIRST.get(rest[0], ()):
            if tuple(rest[: len(title)]) == title:
                rest = rest[len(title) :]
                break
        else:
            return False
    return True


def _strip_leading_titles(words: list[str]) -> list[str]:
    """Remove honorifics in front of a name, never leaving it empty."""
    changed = True
    while changed and len(words) > 1:
        changed = False
        for title in _HONORIFICS_BY_FIRST.get(words[0], ()):
            n = len(title)
            if tuple(words[:n]) != title or len(words) <= n:
                continue
            if title in _AMBIGUOUS_INITIAL_TITLES and len(words) < n + 2:
                continue
            words = words[n:]
            changed = True
            break
    return words


@lru_cache(maxsize=1 << 16)
def parse_name(name: str | None) -> ParsedName:
    """Parse a personal name as catalogued into folded direct-order words.

    "Toer, Pramoedya Ananta" and "Pramoedya Ananta Toer" give the same words in the same
    order; "Prof. Dr. H. Ahmad Syafii Maarif, M.A." gives ("ahmad", "syafii", "maarif");
    "Abidin, Zainal, Andi" gives ("zainal", "abidin"); "Soekarno, 1901-1970" gives
    ("sukarno",). Memoized: a catalogue names the same people again and again.
    """
    if not name:
        return ParsedName((), None)
    text = _PARENTHESIZED.sub(" ", name)
    text = _DATES.sub(" ", text)
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if _has_word(p)]
    # Comma parts that are only degrees or only titles qualify the name; drop them.
    kept: list[list[str]] = []
    for index, part in enumerate(parts):
        if _degree_part(part):
            continue
        words = _words(_strip_trailing_degrees(part))
        # "Rahman, H.": right after the surname a lone "H." / "R." is an initial; further
        # out ("Musa, Muhammad, R.") it is a title.
        initial = index == 1 and tuple(words) in _AMBIGUOUS_INITIAL_TITLES
        if index > 0 and not initial and _honorific_part(words):
            continue
        kept.append(words)
    if not kept:
        fallback = _words(" ".join(parts))
        return ParsedName(tuple(fallback), fallback[-1] if fallback else None)
    inverted = len(kept) >= 2
    surname: str | None
    if inverted:
        # Inverted: "Surname, Given names[, more]" -> given names + surname.
        # Titles are stripped from the direct form, so "Mallarangeng, Andi" and
        # "Andi Mallarangeng" lose the same words.
        surname_words = kept[0]
        given = [w for part in kept[1:] for w in part]
        words = _strip_leading_titles(given + surname_words)
        surname = " ".join(surname_words)
    else:
        words = _strip_leading_titles(kept[0])
        surname = words[-1] if words else None
    return ParsedName(tuple(words), surname, inverted)


def name_key(name: str | None) -> str:
    """Order-insensitive match key of a personal name: its folded words, sorted.

    "Toer, Pramoedya Ananta" == "Pramoedya Ananta Toer" == "Pramoedya Ananta Tur";
    "Drs. Soetarto" == "Soetarto, Drs." == "Sutarto".
    """
    return parse_name(name).key


def _words_match(a: str, b: str) -> float:
    """1.0 same word, 0.9 initial of the other, 0.8 typo in a long word, else 0."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        # "J. B." is how old spelling wrote "Y. B." (Mangoenwidjaja / Mangunwijaya).
        return 0.9 if a[0] == b[0] or a[0] + b[0] in ("jy", "yj") else 0.0
    if a.isdigit() or b.isdigit():
        return 0.0
    if a.replace("j", "y") == b.replace("j", "y"):
        return 0.8  # old spelling's j for /y/ ("Ajat" / "Ayat"), like a typo
    # Javanese names differ by one letter ("Suharto", "Sutarto", "Sumarto"): only long
    # words may carry a typo ("Marhiyanto" / "Murhiyanto").
    if min(len(a), len(b)) >= 8 and Indel.normalized_similarity(a, b) >= 0.85:
        return 0.8
    return 0.0


def _bipartite(short: tuple[str, ...], long: tuple[str, ...]) -> list[float] | None:
    """Match every word of ``short`` to a distinct word of ``long`` (best scores first);
    None when some word has no partner."""
    # Small inputs (names have a handful of words): a simple augmenting-path matching.
    scores = [[_words_match(s, t) for t in long] for s in short]
    partner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        order = sorted(range(len(long)), key=lambda j: -scores[i][j])
        for j in order:
            if scores[i][j] <= 0 or j in seen:
                continue
            seen.add(j)
            if j not in partner or augment(partner[j], seen):
                partner[j] = i
                return True
        return False

    for i in range(len(short)):
        if not augment(i, set()):
            return None
    return [scores[i][j] for j, i in partner.items()]


def _one_way(a: ParsedName, b: ParsedName) -> float:
    """Compatibility of the shorter (or equal) name ``a`` with ``b``."""
    if a.is_mononym or b.is_mononym:
        if not (a.is_mononym and b.is_mononym):
            # A mononym is its own name: "Suradi" is not "Suradi Yasil".
            return 0.5 if set(a.words) & set(b.words) else 0.0
        # A mononym is the whole identity: no typo tolerance.
        return 1.0 if a.words == b.words else 0.0
    if len(a.words) > len(b.words):
        return 0.0
    matched = _bipartite(a.words, b.words)
    if matched is None:
        return 0.0
    # Whole words must carry the match: at least one, and two when both names have two
    # ("A. Toer" alone is too little to call "Pramoedya Ananta Toer" the same person
    # as "Koesalah Toer").
    full_a = [w for w in a.words if len(w) > 1]
    full_matches = _full_word_matches(full_a, b.full_words)
    if full_matches == 0 or (min(len(full_a), len(b.full_words)) >= 2 and full_matches < 2):
        return 0.0
    score = min(matched)
    if len(a.words) == len(b.words) and score == 1.0:
        return 1.0
    # Extra given names or initials on one side: compatible, slightly less certain.
    return min(score, 0.9)


def _surname_found(a: ParsedName, b: ParsedName) -> bool:
    """An inverted heading's surname must appear, written out, in the other name."""
    if not a.inverted or not a.surname:
        return True
    wanted = [w for w in a.surname.split() if len(w) > 1]
    return _full_word_matches(wanted, b.full_words) == len(wanted)


def _full_word_matches(a: list[str], b: tuple[str, ...]) -> int:
    pool = list(b)
    count = 0
    for word in a:
        for index, other in enumerate(pool):
            if _words_match(word, other) >= 0.8:
                count += 1
                del pool[index]
                break
    return count


def name_similarity(a: str | ParsedName | None, b: str | ParsedName | None) -> float:
    """How compatible two personal names are, from 0.0 to 1.0 (symmetric).

    1.0: the same words ("Toer, Pramoedya Ananta" / "Pramoedya Ananta Toer").
    0.9: one adds given names or has initials for them ("Pramoedya A. Toer").
    0.8: a typo in a long word ("Marhiyanto" / "Murhiyanto").
    0.5: a mononym that is one word of a longer name (undecided).
    0.0: incompatible, or either name is empty.
    """
    pa = a if isinstance(a, ParsedName) else parse_name(a)
    pb = b if isinstance(b, ParsedName) else parse_name(b)
    if not pa.words or not pb.words:
        return 0.0
    if pa.key == pb.key:
        return 1.0
    # Both directions, best kept: the check is then symmetric by construction.
    if not (_surname_found(pa, pb) and _surname_found(pb, pa)):
        return 0.0
    return max(_one_way(pa, pb), _one_way(pb, pa))


def names_compatible(a: str | ParsedName | None, b: str | ParsedName | None) -> bool:
    """Whether two names can denote the same person (similarity of at least 0.8)."""
    return name_similarity(a, b) >= 0.8


def name_in_text(name: str | ParsedName | None, text: str | None) -> bool:
    """Whether a person's name is written in free text such as a statement of
    responsibility ("oleh Bambang Murhiyanto ; penyunting, ...").

    Every whole word of the name must appear (a typo in a long word is tolerated);
    initials are not required, since statements spell names out or abbreviate them.
    """
    parsed = name if isinstance(name, ParsedName) else parse_name(name)
    wanted = parsed.full_words
    if not wanted or not text:
        return False
    words = set(fold_text(text).split())
    return all(any(_words_match(w, t) >= 0.8 for t in words) for w in wanted)
