"""The Indonesian analyzer: text in, index terms out, the same for documents and queries.

Every search engine receives text that has already been through :func:`analyze` (terms
joined by single spaces) and splits it on whitespace only, so all engines index and search
exactly the same terms. The pipeline, per whitespace-separated chunk of the input:

1. Folding, reused from :mod:`union.text.folding`: case and accents, punctuation turned
   into word breaks (initialisms and apostrophe words kept whole), old spelling
   ("Soekarno" -> "sukarno", "Djakarta" -> "jakarta", "Tjerita" -> "cerita") and modern
   spelling variants ("propinsi" -> "provinsi").
2. Reduplication. "buku-buku", "anak2" and affixed forms such as "bermain-main" or
   "sebaik-baiknya" give the one base term ("buku", "anak", "main", "baik"): the plural
   means the same as the singular for search. A reduplicated word that is a lexeme of its
   own (Sastrawi's dictionary lists "kupu-kupu", "laba-laba", ...) gives the base *and*
   the whole joined without its hyphen ("kupu", "kupukupu"), so "kupu" finds it and
   "kupu-kupu" ranks it first. Other hyphenated words ("Indonesia-Jerman",
   "Muhammadiyah-NU") are split into their words.
3. Stop words: a short Indonesian and English list (:data:`STOP_WORDS`), dropped.
4. Stemming with PySastrawi ("membaca" -> "baca", "perpustakaan" -> "pustaka",
   "menulis" -> "tulis"), memoized. Only alphabetic ASCII words are stemmed; numbers and
   words in other scripts pass through.

Every output term analyzes to itself, so analysis is idempotent on its own output:
``analyze(" ".join(analyze(x))) == analyze(x)``. Two rules keep that true whatever
Sastrawi does: a stem is iterated to a fixed point of (stem, fold), and a word whose stem
would be a stop word ("menentang" -> "tentang") is kept unstemmed.

Each :class:`Token` also carries its *surface*: the folded but unstemmed word, which the
typo-tolerant fallback and highlighting use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from union.text.folding import fold_characters, fold_word, strip_punctuation

__all__ = [
    "MAX_TERM_LENGTH",
    "STOP_WORDS",
    "TITLE_KEY_LENGTH",
    "Analyzed",
    "Chunk",
    "Token",
    "analyze",
    "analyze_chunk",
    "analyze_text",
    "analyze_value",
    "index_text",
    "may_carry_affix",
    "stem",
    "surface_text",
    "term_of_word",
    "title_key",
    "tokens",
]

#: Words longer than this are dropped (identically at index and query time): they are
#: noise (run-together text, URLs) and some engines refuse very long terms.
MAX_TERM_LENGTH = 64
#: How much of a title the exact-title key keeps.
TITLE_KEY_LENGTH = 240

#: Function words dropped at index and query time, in their folded form. Kept short on
#: purpose: "bukan" (Pramoedya's *Bukan Pasar Malam*) and "sang" (*Sang Pemimpi*) carry
#: meaning in titles and stay searchable.
_INDONESIAN_STOP_WORDS = (
    "yang dan di ke dari dalam untuk pada dengan oleh atau ini itu adalah akan juga "
    "sebagai tentang terhadap bagi secara serta tersebut karena antara para si "
    "tsb dgn utk yg dll"
)
_ENGLISH_STOP_WORDS = "a an the of and or in on at to for by with from as is are be this that"
STOP_WORDS: frozenset[str] = frozenset(f"{_INDONESIAN_STOP_WORDS} {_ENGLISH_STOP_WORDS}".split())

# A hyphenated chunk of two letter runs, and the old "anak2" way of writing "anak-anak".
_HYPHENATED = re.compile(r"([^\W\d_]+)-([^\W\d_]+)")
_WRITTEN_WITH_2 = re.compile(r"([a-z]{3,})2")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
# Sastrawi refuses shorter words itself; words with digits or other scripts are not
# Indonesian morphology.
_STEMMABLE = re.compile(r"[a-z]{4,}")
_STEM_ROUNDS = 4
# Particles and possessives that Sastrawi reads as attached after a hyphen ("Allah-lah").
_ATTACHED = frozenset({"ku", "mu", "nya", "lah", "kah", "tah", "pun"})


@dataclass(frozen=True, slots=True)
class Token:
    """One analyzed word.

    ``term`` is what is indexed and searched; ``surface`` the folded, unstemmed word;
    ``variants`` further terms indexed right after ``term`` (the whole of a reduplicated
    lexeme: "kupukupu").
    """

    term: str
    surface: str
    variants: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """``term`` followed by its variants, in index order."""
        return (self.term, *self.variants)


@dataclass(frozen=True, slots=True)
class Chunk:
    """The analysis of one whitespace-separated chunk of text (memoized as a unit).

    ``terms`` and ``surfaces`` are also kept space-joined (``terms_text``,
    ``surfaces_text``) because indexing joins them anyway; ``sort_text`` is the chunk's
    folded words with stop words kept, for sort keys.
    """

    tokens: tuple[Token, ...]
    terms: tuple[str, ...]
    surfaces: tuple[str, ...]
    terms_text: str
    surfaces_text: str
    sort_text: str


@dataclass(frozen=True, slots=True)
class Analyzed:
    """A whole text analyzed for indexing: terms, surfaces and sort text, space-joined."""

    terms: str
    surfaces: str
    sort_text: str


@cache
def _stemmer() -> Stemmer:
    # The bare Stemmer, without PySastrawi's CachedStemmer: that one re-normalizes every
    # input and keeps an unbounded dict; we feed clean words and memoize ourselves.
    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@cache
def _root_words() -> frozenset[str]:
    return frozenset(_stemmer().get_dictionary().words)


# Sastrawi changes a word only through its affix rules, each a regular expression anchored
# at the word's start or end. Its prefix rules (di- ke- se- me- pe- be- te- ku- kau-, every
# me-/pe-/be-/te- rule starting so, and the infixes -el- -em- -er- -in- after a first
# consonant) look at the start, which removing suffixes leaves alone.
_PREFIXED = re.compile(
    r"(?:di|ke|se|me|pe|be|te|ku|kau|[bcdfghjklmnpqrstvwxyz](?:el|em|er|in)[aiueo])"
)
# Its suffix rules strip, from the end, a particle, then a possessive, then a derivational
# suffix, at most one of each: what can come off a word is one of these chains.
_SUFFIX_CHAINS: frozenset[str] = frozenset(
    {derivational + possessive + particle
     for derivational in ("", "i", "is", "isme", "isasi", "an", "kan")
     for possessive in ("", "ku", "mu", "nya")
     for particle in ("", "lah", "kah", "tah", "pun")} - {""})
_LONGEST_CHAIN = max(map(len, _SUFFIX_CHAINS))
# What one prefix rule removes from the start of a word ("ber-", "meng-", "penge-"...).
# Some rules then put back the root's first letter, always one of p, t, k, s ("menulis"
# -> "tulis", "memukul" -> "pukul", "mengirim" -> "kirim", "menyapu" -> "sapu"); an infix
# rule keeps the word's first letter ("gerigi" -> "gigi"). Sastrawi applies at most
# three prefix rules to a word.
_PREFIX_FORMS = frozenset({
    "di", "ke", "se", "be", "ber", "bel", "te", "ter", "me", "mem", "men", "meng", "meny",
    "menge", "pe", "pem", "pen", "peng", "peny", "penge", "per", "pel", "ku", "kau"})
_RECODED_LETTERS = ("", "p", "t", "k", "s")
_INFIXED = re.compile(r"[bcdfghjklmnpqrstvwxyz](?:el|em|er|in)[aiueo]")
_MOST_PREFIX_RULES = 3


def may_carry_affix(word: str) -> bool:
    """Whether Sastrawi could change the plain lowercase word ``word``.

    Sastrawi returns a root word of its dictionary or the word unchanged. A root word
    stays. Otherwise a root must be reachable by its affix rules: the word without a
    chain of suffixes (its *body*) must be a root, or, if the word starts with a prefix
    Sastrawi knows, prefix and infix rules must be able to turn the body into one (see
    :func:`_prefix_rules_reach_root`). Most English words and names are neither, and
    Sastrawi would take ~500 µs each to return them unchanged.
    """
    roots = _root_words()
    if word in roots:
        return False
    prefixed = _PREFIXED.match(word) is not None
    cuts = [0, *(cut for cut in range(1, min(len(word), _LONGEST_CHAIN + 1))
                 if word[-cut:] in _SUFFIX_CHAINS)]
    for cut in cuts:
        body = word[:len(word) - cut]
        if cut and body in roots:
            return True
        if prefixed and _prefix_rules_reach_root(body, roots):
            return True
    return False


def _prefix_rules_reach_root(body: str, roots: frozenset[str]) -> bool:
    """Whether up to three prefix or infix rules can turn ``body`` into a root.

    A rule is allowed wherever its prefix stands, whatever follows it, and may put back
    any of the letters a rule recodes: more than Sastrawi allows, never less, so a False
    is certain. A state is the word as (a letter put back, what is left of ``body``).
    """
    stack = [("", 0, 0)]
    seen: set[tuple[str, int, int]] = set()
    while stack:
        state = stack.pop()
        kept, position, rules = state
        current = kept + body[position:]
        if rules and current in roots:
            return True
        if rules == _MOST_PREFIX_RULES or state in seen:
            continue
        seen.add(state)
        for form in _PREFIX_FORMS:
            if current.startswith(form):
                after = position + len(form) - len(kept)
                stack.extend((letter, after, rules + 1) for letter in _RECODED_LETTERS)
        if _INFIXED.match(current):
            stack.append((current[0], position + 3 - len(kept), rules + 1))
    return False


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Sastrawi's stem of one folded word ("membaca" -> "baca"); other words unchanged.

    Only lowercase ASCII words of four letters or more are stemmed, plus the
    hyphenated reduplications Sastrawi understands ("bermain-main" -> "main").
    """
    if _STEMMABLE.fullmatch(word):
        return _singular(word)
    pair = _HYPHENATED.fullmatch(word)
    if pair and word.isascii():
        return _pair(word, pair.group(1), pair.group(2))
    return word


@lru_cache(maxsize=131072)
def _singular(word: str) -> str:
    """Sastrawi's stem of a lowercase word it reads as one word (no hyphen, or a particle
    after one), without running it where no affix rule can apply (see
    :func:`may_carry_affix`)."""
    if _STEMMABLE.fullmatch(word) and not may_carry_affix(word):
        return word
    return _stemmer().stem_singular_word(word)


def _pair(word: str, first: str, second: str) -> str:
    """Sastrawi's stem of a word with one hyphen, as its ``stem_plural_word`` finds it
    ("bermain-main" -> "main", "sosial-ekonomi" unchanged), from the memoized stems of
    its halves: Sastrawi would stem both halves afresh for every such word."""
    if second in _ATTACHED:
        return _singular(word)  # "bukunya-lah"-like: Sastrawi reads one word, not a pair
    left, root = _singular(first), _singular(second)
    if root == second and second not in _root_words():
        # Sastrawi tries "me" + the second half ("meniru-nirukan" -> "tiru"). It answers
        # a root word or the word itself, so unless the first half's stem is one of
        # those, the halves cannot agree (most pairs, such as "self-help").
        if left not in _root_words() and left != "me" + second:
            return word
        root = _singular("me" + second)
    return root if left == root else word


@lru_cache(maxsize=262144)
def term_of_word(word: str) -> str | None:
    """The index term of one folded word, or None for a stop word or an over-long word.

    The stem is iterated with folding to a fixed point, and a stem that is itself a stop
    word is not used, so that every term is its own term (see the module docstring).
    """
    if not word or word in STOP_WORDS or len(word) > MAX_TERM_LENGTH:
        return None
    term = word
    for _ in range(_STEM_ROUNDS):
        stemmed = fold_word(stem(term))
        if stemmed == term:
            break
        term = stemmed
    if not term or term in STOP_WORDS:
        return word
    return term


def _word_token(word: str) -> Token | None:
    term = term_of_word(word)
    return None if term is None else Token(term, word)


def _reduplication(first: str, second: str) -> Token | None:
    """The token of a reduplicated word "first-second", or None if it is not one."""
    first, second = fold_word(first), fold_word(second)
    whole = f"{first}-{second}"
    stemmed = stem(whole)
    if first == second and stemmed == whole:
        # Sastrawi keeps a lexeme whole ("kupu-kupu"): index the base and the whole.
        base = _word_token(first)
        joined = term_of_word(first + second)
        if base is None:
            return None if joined is None else Token(joined, first)
        variants = (joined,) if joined is not None and joined != base.term else ()
        return Token(base.term, first, variants)
    if first == second or "-" not in stemmed:
        # A plural ("buku-buku") or an affixed reduplication ("bermain-main"): the base.
        base_word = first if first == second else stemmed
        term = term_of_word(base_word)
        return None if term is None else Token(term, first)
    return None


@lru_cache(maxsize=262144)
def analyze_chunk(chunk: str) -> Chunk:
    """Analyze one chunk of text that contains no whitespace."""
    folded = fold_characters(chunk)
    # A hyphenated reduplication is recognized on the chunk without its edge punctuation;
    # other chunks go through strip_punctuation whole, which needs the periods of "N.U.".
    pair = _HYPHENATED.fullmatch(_EDGE_PUNCTUATION.sub("", folded))
    redup = _reduplication(pair.group(1), pair.group(2)) if pair else None
    words = [fold_word(word) for word in strip_punctuation(folded).split()]
    found: list[Token] = []
    if redup is not None:
        found.append(redup)
    else:
        for word in words:
            written_with_2 = _WRITTEN_WITH_2.fullmatch(word)
            if written_with_2:
                token = _reduplication(written_with_2.group(1), written_with_2.group(1))
            else:
                token = _word_token(word)
            if token is not None:
                found.append(token)
    tokens = tuple(found)
    terms = tuple(term for token in tokens for term in token.terms)
    surfaces = tuple(token.surface for token in tokens)
    return Chunk(tokens, terms, surfaces, " ".join(terms), " ".join(surfaces), " ".join(words))


def analyze(text: str | None) -> list[str]:
    """The index terms of ``text``, in order (the analyzer's main entry point)."""
    if not text:
        return []
    out: list[str] = []
    for chunk in text.split():
        out.extend(analyze_chunk(chunk).terms)
    return out


def tokens(text: str | None) -> list[Token]:
    """The tokens of ``text``, in order (terms with their surfaces and variants)."""
    if not text:
        return []
    return [token for chunk in text.split() for token in analyze_chunk(chunk).tokens]


def _join(parts: list[str]) -> str:
    return " ".join(part for part in parts if part)


def analyze_text(text: str | None) -> Analyzed:
    """Analyze a text for indexing (titles: mostly unique, so not memoized as a whole)."""
    if not text:
        return _EMPTY
    analyzed = [analyze_chunk(chunk) for chunk in text.split()]
    return Analyzed(
        _join([chunk.terms_text for chunk in analyzed]),
        _join([chunk.surfaces_text for chunk in analyzed]),
        _join([chunk.sort_text for chunk in analyzed]),
    )


@lru_cache(maxsize=131072)
def analyze_value(text: str) -> Analyzed:
    """:func:`analyze_text`, memoized: for values that recur across a catalogue (author
    names, subject headings, publishers, series)."""
    return analyze_text(text)


_EMPTY = Analyzed("", "", "")


def index_text(*texts: str | None) -> str:
    """The analyzed terms of several texts, joined by spaces: what an engine indexes."""
    return _join([analyze_text(text).terms for text in texts])


def surface_text(*texts: str | None) -> str:
    """The folded, unstemmed words of several texts, joined by spaces (for typo
    tolerance: the vocabulary that misspellings are corrected against)."""
    return _join([analyze_text(text).surfaces for text in texts])


def title_key(title: str | None) -> str:
    """The key that exact-title lookup compares: the title's terms, space-joined and
    truncated. "Bumi Manusia." and "bumi manusia" have the same key."""
    return analyze_text(title).terms[:TITLE_KEY_LENGTH]
