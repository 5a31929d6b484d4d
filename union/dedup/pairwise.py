"""Pairwise matching: are two bib records the same manifestation?

Precision first: a false merge hides a book from patrons (its holdings vanish into another
record), while a missed merge only shows one book twice. So:

* Conflicting evidence *blocks* a merge whatever else agrees, shared ISBN included:
  titles that disagree, another volume or part, another edition (*edisi*; a different
  printing, *cetakan*, is a reprint and does not block), another format, another
  language or a translation, another number in the same series, a multi-volume set
  against a single volume, years far apart without a shared identifier.
* Otherwise agreeing evidence is added up and the records merge only when the total
  reaches :data:`THRESHOLD` and the titles agree. The weights are chosen so that a
  shared ISBN plus an agreeing title suffices (Indonesian publishers reuse ISBNs, so an
  ISBN never suffices alone), and so that without identifiers a title must be backed by
  at least three of author, publisher, year and extent.

How close two titles are is told in :mod:`union.dedup.title_comparison`; here each
signal, titles included, is weighed. Every signal is symmetric, so
``decide(a, b).same == decide(b, a).same``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from union.bib_record import BibRecord
from union.dedup.description_keys import Extent, extent_of, publisher_key
from union.dedup.editions import EditionStatement, edition_of
from union.dedup.evidence import Decision, Evidence, Signal
from union.dedup.identifiers import Identifiers, identifiers_of
from union.dedup.keys import personal_names
from union.dedup.names import ParsedName, name_in_text, name_similarity
from union.dedup.numbering import volume_of
from union.dedup.series import (
    SeriesAgreement,
    compare_series_titles,
    parse_series_number,
    series_numbers,
)
from union.dedup.title_comparison import (
    BLOCKING_LEVELS,
    SPECIFIC_WORDS,
    TitleView,
    read_title,
    title_level,
    title_view,
)
from union.dedup.title_words import TitleWords

__all__ = [
    "THRESHOLD",
    "Decision",
    "MatchView",
    "decide",
    "decide_views",
    "match_view",
    "read_match_view",
]

#: Score from which two records are judged the same (with agreeing titles, no blocker).
THRESHOLD = 6.0

# Weights, roughly log-odds: what each agreement or disagreement is worth.
W_SHARED_ID = 4.0  # ISBN, LCCN, OCLC or national number in common
W_SHARED_ISSN = 0.5  # a series ISSN is shared by every book of the series
W_DISJOINT_ISBNS = -3.0  # both have ISBNs, none in common
W_DIFFERENT_ID = -1.5  # different LCCN / OCLC / national number
W_TITLE = {"exact": 3.0, "close": 2.0, "partial": 2.0, "prefix": 0.0}
# An agreeing title of SPECIFIC_WORDS significant words or more (see title_comparison)
# adds W_TITLE_SPECIFIC, of VERY_SPECIFIC_WORDS or more twice that.
W_TITLE_SPECIFIC = 1.0
VERY_SPECIFIC_WORDS = 8
W_AUTHOR_SAME = 2.0
W_AUTHOR_COMPATIBLE = 1.5
W_AUTHOR_DIFFERENT = -3.0
W_BODY_SAME = 1.0  # one issuing body publishes many different reports: weighs as a person
W_BODY_DIFFERENT = -1.5
W_YEAR_SAME = 1.0
W_YEAR_TWO_APART = -1.5
W_PUBLISHER_SAME = 1.0
W_PUBLISHER_DIFFERENT = -1.0
W_PAGES_CLOSE = 1.0
W_PAGES_FAR = -2.0
W_SET_COUNTS_DIFFER = -1.0
W_EDITION_SAME = 1.0
W_EDITION_FIRST_SAME = 0.5
W_EDITION_UNCERTAIN = -1.0
W_EDITION_ONE_SIDED = -1.5
W_VOLUME_SAME = 0.5
W_SERIES_SAME = 0.5
W_SERIES_DIFFERENT = -4.0  # numbered in two different series (or journals)
W_TRANSLATION_ONE_SIDED = -2.0


@dataclass(frozen=True, slots=True)
class MatchView:
    """Everything matching needs from one record, computed once (see :func:`match_view`).

    ``segments`` are the title's parts in order: the title proper, then each other title
    information and part name, split at " : " wherever a source wrote them; ``full`` is
    all their words, and ``boundaries`` the word positions in ``full`` where a segment
    ends.
    """

    record: BibRecord
    ids: Identifiers
    segments: tuple[TitleWords, ...]
    volume: str | None
    edition: EditionStatement
    extent: Extent
    persons: tuple[ParsedName, ...]
    publisher: str
    series: dict[str, str]
    bodies: tuple[str, ...]
    full: TitleWords
    boundaries: tuple[int, ...]

    @property
    def main(self) -> TitleWords:
        """The title proper."""
        return self.segments[0] if self.segments else TitleWords()



def read_match_view(record: BibRecord, title: TitleView | None = None) -> MatchView:
    """The :class:`MatchView` of ``record``, computed afresh (bulk clustering keeps its
    own); ``title`` is its title view when already read."""
    if title is None:
        title = read_title(record)
    return MatchView(
        record=record,
        ids=identifiers_of(record),
        segments=title.segments,
        full=title.full,
        boundaries=title.boundaries,
        volume=volume_of(record),
        edition=edition_of(record),
        extent=extent_of(record),
        persons=personal_names(record),
        publisher=publisher_key(record.publisher),
        series=series_numbers(record),
        bodies=tuple(
            key
            for agent in record.agents
            if agent.kind in ("body", "meeting")
            for key in [publisher_key(agent.name)]
            if key
        ),
    )


@lru_cache(maxsize=8192)
def match_view(record: BibRecord) -> MatchView:
    """The :class:`MatchView` of ``record`` (memoized: records are immutable), sharing
    the memoized :func:`title_view`: incremental updates read the titles of many
    candidates and the full view of the few whose titles agree."""
    return read_match_view(record, title_view(record))


# ---------------------------------------------------------------------------- identifiers


def _show(values: frozenset[str]) -> str | None:
    return ", ".join(sorted(values)) or None


def _identifier_signals(a: MatchView, b: MatchView) -> list[Signal]:
    signals = []
    ia, ib = a.ids, b.ids
    if ia.isbns and ib.isbns:
        if ia.isbns & ib.isbns:
            signals.append(
                Signal("isbn", _show(ia.isbns), _show(ib.isbns), W_SHARED_ID, note="shared")
            )
        else:
            signals.append(
                Signal("isbn", _show(ia.isbns), _show(ib.isbns), W_DISJOINT_ISBNS, note="different")
            )
    for name, va, vb in (("lccn", ia.lccns, ib.lccns), ("oclc", ia.oclc_numbers, ib.oclc_numbers)):
        if not (va and vb):
            continue
        if va & vb:
            signals.append(Signal(name, _show(va), _show(vb), W_SHARED_ID, note="shared"))
        else:
            signals.append(Signal(name, _show(va), _show(vb), W_DIFFERENT_ID, note="different"))
    signals.extend(_national_number_signals(ia.national_numbers, ib.national_numbers))
    if ia.issns & ib.issns:
        signals.append(
            Signal("issn", _show(ia.issns), _show(ib.issns), W_SHARED_ISSN, note="shared")
        )
    return signals


def _by_agency(values: frozenset[str]) -> dict[str, frozenset[str]]:
    agencies: dict[str, set[str]] = {}
    for value in values:
        agencies.setdefault(value.partition(":")[0], set()).add(value)
    return {agency: frozenset(numbers) for agency, numbers in agencies.items()}


def _national_number_signals(va: frozenset[str], vb: frozenset[str]) -> list[Signal]:
    """National numbers ("agency:number") compare within one agency: one shared number
    weighs as a shared identifier; each agency numbering the two records differently
    weighs against (two DOIs are two articles, whatever else they share)."""
    if not (va and vb):
        return []
    signals = []
    if va & vb:
        signals.append(Signal("national_number", _show(va), _show(vb), W_SHARED_ID,
                              note="shared"))
    agencies_a, agencies_b = _by_agency(va), _by_agency(vb)
    for agency in sorted(agencies_a.keys() & agencies_b.keys()):
        na, nb = agencies_a[agency], agencies_b[agency]
        if not na & nb:
            signals.append(Signal("national_number", _show(na), _show(nb), W_DIFFERENT_ID,
                                  note=f"different {agency}"))
    return signals


def _identifiers_disagree(a: MatchView, b: MatchView) -> bool:
    """Whether some kind of identifier numbers the two records differently."""
    ia, ib = a.ids, b.ids
    for va, vb in ((ia.isbns, ib.isbns), (ia.lccns, ib.lccns),
                   (ia.oclc_numbers, ib.oclc_numbers)):
        if va and vb and not va & vb:
            return True
    agencies_a, agencies_b = _by_agency(ia.national_numbers), _by_agency(ib.national_numbers)
    return any(not agencies_a[k] & agencies_b[k] for k in agencies_a.keys() & agencies_b.keys())


def _shares_identifier(a: MatchView, b: MatchView) -> bool:
    return bool(
        a.ids.isbns & b.ids.isbns
        or a.ids.lccns & b.ids.lccns
        or a.ids.oclc_numbers & b.ids.oclc_numbers
        or a.ids.national_numbers & b.ids.national_numbers
    )


# ---------------------------------------------------------------------------------- titles


def _title_signal(a: MatchView, b: MatchView, level: str) -> Signal:
    """The titles' :func:`~union.dedup.title_comparison.title_level` weighed: conflict and
    missing block, a prefix weighs nothing. An agreeing title of :data:`SPECIFIC_WORDS`
    words or more weighs more, and a close one then weighs as an exact one."""
    ratio = fuzz.token_sort_ratio(a.full.key, b.full.key)
    note = f"{level} ({ratio:.0f})"
    blocks = level in BLOCKING_LEVELS
    score = W_TITLE.get(level, 0.0)
    # A long title agreeing is rarer by chance than "Laporan tahunan" agreeing: the words
    # the two titles share (the shorter title, for a partial match) must be many.
    agreeing = min(len(a.full.words), len(b.full.words))
    if not blocks and level != "prefix" and agreeing >= SPECIFIC_WORDS:
        if level == "close":
            score = W_TITLE["exact"]  # a slip in one word of many is a slip
        score += W_TITLE_SPECIFIC * (2 if agreeing >= VERY_SPECIFIC_WORDS else 1)
        note += ", specific"
    return Signal("title", a.full.key, b.full.key, score, blocks, note)


# -------------------------------------------------------------------------- part, edition


def _volume_signal(a: MatchView, b: MatchView) -> Signal | None:
    if a.volume is None and b.volume is None:
        return None
    if a.volume == b.volume:
        return Signal("volume", a.volume, b.volume, W_VOLUME_SAME, note="same")
    # One side a volume, the other another volume or the whole: never the same item.
    return Signal("volume", a.volume, b.volume, 0.0, True, "conflict")


def _edition_signal(a: MatchView, b: MatchView) -> Signal | None:
    """Editions (*edisi*) must agree; printings (*cetakan*) may differ (a reprint).

    Different numbers, different named editions, or "ed. 1" against a named edition
    block; a later or named edition against no statement weighs against; "ed. 1" or
    "cet. 1" against no statement is neutral (most catalogues omit the first).
    """
    ea, eb = a.edition, b.edition
    if not (ea.is_stated or eb.is_stated or ea.printing or eb.printing):
        return None
    reprint = ea.printing != eb.printing and ea.printing is not None and eb.printing is not None
    show_a, show_b = ea.describe(), eb.describe()

    def signal(score: float, note: str, blocks: bool = False) -> Signal:
        if reprint and not blocks:
            note += ", reprint"
        return Signal("edition", show_a, show_b, score, blocks, note)

    if ea.number is not None and eb.number is not None:
        if ea.number != eb.number:
            return signal(0.0, "conflict", True)
        if ea.names_edition or eb.names_edition:
            return signal(W_EDITION_SAME, "same")
        return signal(W_EDITION_FIRST_SAME, "same first")
    if ea.number is None and eb.number is None:
        if ea.qualifiers and eb.qualifiers:
            if ea.qualifiers == eb.qualifiers:
                return signal(W_EDITION_SAME, "same")
            return signal(0.0, "conflict", True)
        if ea.qualifiers or eb.qualifiers:
            return signal(W_EDITION_ONE_SIDED, "one-sided")
        return signal(0.0, "unstated")
    # A number on one side only.
    numbered, other = (ea, eb) if ea.number is not None else (eb, ea)
    if other.qualifiers:
        if numbered.number == 1 and not numbered.qualifiers:
            return signal(0.0, "conflict", True)  # "ed. 1" against "edisi revisi"
        return signal(W_EDITION_UNCERTAIN, "uncertain")
    if numbered.names_edition:
        return signal(W_EDITION_ONE_SIDED, "one-sided")
    return signal(0.0, "first or unstated")


# --------------------------------------------------------------------------- descriptive


def _year_signal(a: MatchView, b: MatchView, edition_conflict: bool) -> Signal | None:
    ya, yb = a.record.year, b.record.year
    if ya is None or yb is None:
        return None
    gap = abs(ya - yb)
    if gap == 0:
        return Signal("year", str(ya), str(yb), W_YEAR_SAME, note="same")
    if gap == 1:
        return Signal("year", str(ya), str(yb), 0.0, note="close")
    if _shares_identifier(a, b) and not edition_conflict:
        # A reprint under the same ISBN: the printing year moves, the book does not.
        return Signal("year", str(ya), str(yb), 0.0, note="reprint")
    if gap == 2:
        return Signal("year", str(ya), str(yb), W_YEAR_TWO_APART, note="apart")
    return Signal("year", str(ya), str(yb), 0.0, True, "far apart")


def _author_signal(a: MatchView, b: MatchView) -> Signal | None:
    if not a.persons and not b.persons:
        return None
    if not a.persons or not b.persons:
        # Persons on one side only: look for them in the other's statement of
        # responsibility, where a cataloguer who made no added entry still wrote them.
        named, other = (a, b) if a.persons else (b, a)
        statement = other.record.responsibility
        if not statement or not any(name_in_text(p, statement) for p in named.persons):
            return None
        show = "; ".join(p.key for p in named.persons[:3])
        show_a, show_b = (show, statement) if named is a else (statement, show)
        return Signal("authors", show_a, show_b, W_AUTHOR_COMPATIBLE, note="in statement")
    best = max(name_similarity(x, y) for x in a.persons for y in b.persons)
    show_a = "; ".join(p.key for p in a.persons[:3])
    show_b = "; ".join(p.key for p in b.persons[:3])
    if best >= 1.0:
        return Signal("authors", show_a, show_b, W_AUTHOR_SAME, note="same")
    if best >= 0.8:
        return Signal("authors", show_a, show_b, W_AUTHOR_COMPATIBLE, note="compatible")
    if best >= 0.5:
        return Signal("authors", show_a, show_b, 0.0, note="undecided")
    if any(Indel.normalized_similarity(x.key, y.key) >= 0.85
           for x in a.persons for y in b.persons):
        # One letter apart ("Rosmaida" / "Rosaida"): a typo or another person; the
        # names neither support nor oppose the merge.
        return Signal("authors", show_a, show_b, 0.0, note="similar")
    return Signal("authors", show_a, show_b, W_AUTHOR_DIFFERENT, note="different")


def _body_signal(a: MatchView, b: MatchView) -> Signal | None:
    """Corporate bodies and meetings responsible: for generic titles ("Prosiding",
    "Laporan tahunan") they are what tells two books apart."""
    if not a.bodies or not b.bodies:
        return None
    best = max(fuzz.token_set_ratio(x, y) for x in a.bodies for y in b.bodies)
    show_a, show_b = "; ".join(a.bodies[:2]), "; ".join(b.bodies[:2])
    if best >= 90:
        return Signal("bodies", show_a, show_b, W_BODY_SAME, note="same")
    if best < 50:
        return Signal("bodies", show_a, show_b, W_BODY_DIFFERENT, note="different")
    return Signal("bodies", show_a, show_b, 0.0, note="similar")


def _publisher_signal(a: MatchView, b: MatchView) -> Signal | None:
    if not a.publisher or not b.publisher:
        return None
    # token_set_ratio: one statement may add co-publishers ("X bekerja sama dengan Y").
    ratio = fuzz.token_set_ratio(a.publisher, b.publisher)
    if ratio >= 90:
        return Signal("publisher", a.publisher, b.publisher, W_PUBLISHER_SAME, note="same")
    if ratio >= 70:
        return Signal("publisher", a.publisher, b.publisher, 0.0, note="similar")
    return Signal("publisher", a.publisher, b.publisher, W_PUBLISHER_DIFFERENT, note="different")


def _extent_signal(a: MatchView, b: MatchView) -> Signal | None:
    xa, xb = a.extent, b.extent
    show_a, show_b = a.record.extent, b.record.extent
    single_a = not xa.multipart and (xa.pages is not None or xa.volumes == 1)
    single_b = not xb.multipart and (xb.pages is not None or xb.volumes == 1)
    if (xa.multipart and single_b) or (xb.multipart and single_a):
        return Signal("extent", show_a, show_b, 0.0, True, "set vs single volume")
    if xa.multipart and xb.multipart:
        if xa.volumes and xb.volumes:
            if xa.volumes == xb.volumes:
                return Signal("extent", show_a, show_b, W_PAGES_CLOSE, note="same volume count")
            return Signal("extent", show_a, show_b, W_SET_COUNTS_DIFFER, note="volume counts")
        return None
    if xa.pages is None or xb.pages is None:
        return None
    gap = abs(xa.pages - xb.pages)
    largest = max(xa.pages, xb.pages)
    if gap <= max(3, 0.05 * largest):
        return Signal("extent", show_a, show_b, W_PAGES_CLOSE, note="close")
    if gap <= 0.15 * largest:
        return Signal("extent", show_a, show_b, 0.0, note="near")
    return Signal("extent", show_a, show_b, W_PAGES_FAR, note="far")


def _format_signal(a: MatchView, b: MatchView) -> Signal | None:
    fa, fb = a.record.format, b.record.format
    if fa and fb and fa != fb:
        return Signal("format", fa, fb, 0.0, True, "conflict")
    return None


def _language_signals(a: MatchView, b: MatchView) -> list[Signal]:
    signals = []
    la, lb = set(a.record.languages), set(b.record.languages)
    if la and lb and not la & lb:
        signals.append(
            Signal("language", ",".join(sorted(la)), ",".join(sorted(lb)), 0.0, True, "conflict")
        )
    oa, ob = set(a.record.original_languages), set(b.record.original_languages)
    if oa != ob:
        show_a, show_b = ",".join(sorted(oa)) or None, ",".join(sorted(ob)) or None
        if oa and ob:
            signals.append(Signal("translation", show_a, show_b, 0.0, True, "conflict"))
        else:
            # One record says it is a translation, the other does not say.
            signals.append(
                Signal("translation", show_a, show_b, W_TRANSLATION_ONE_SIDED, note="one-sided")
            )
    return signals


def _series_signal(a: MatchView, b: MatchView) -> Signal | None:
    """Numbered series (for an article: its journal, volume and issue).

    The same series (abbreviations allowed) with another volume blocks, and so does
    another issue when both give one, unless an identifier is shared and none differs;
    with the same number it weighs for. Numbered in different series on both sides
    weighs strongly against: the same title by the same authors in two journals is two
    papers (a conference abstract and the article), and a book reissued in another
    series is another publication."""
    if not a.series or not b.series:
        return None
    # Every pair of the same series is compared, and the worst verdict stands: a record
    # in two series must agree with the other's numbers in both.
    verdicts: list[Signal] = []
    related = None
    for ta, tb in itertools.product(sorted(a.series), sorted(b.series)):
        agreement = compare_series_titles(ta, tb)
        show_a, show_b = f"{ta} ; {a.series[ta]}", f"{tb} ; {b.series[tb]}"
        if agreement is SeriesAgreement.SAME:
            verdicts.append(_series_number_signal(a, b, show_a, show_b,
                                                  a.series[ta], b.series[tb]))
        elif agreement is SeriesAgreement.RELATED and related is None:
            related = Signal("series", show_a, show_b, 0.0, note="related")
    if verdicts:
        return min(verdicts, key=lambda v: (not v.blocks, v.score))
    if related is not None:
        return related
    first_a, first_b = min(a.series), min(b.series)
    return Signal("series", f"{first_a} ; {a.series[first_a]}",
                  f"{first_b} ; {b.series[first_b]}", W_SERIES_DIFFERENT, note="different")


def _series_number_signal(a: MatchView, b: MatchView, show_a: str, show_b: str,
                          na: str, nb: str) -> Signal:
    """Numbers ``na`` and ``nb`` of one series compared (see :func:`_series_signal`)."""
    number_a, number_b = parse_series_number(na), parse_series_number(nb)
    if number_a.agrees_with(number_b):
        return Signal("series", show_a, show_b, W_SERIES_SAME, note="same")
    if (number_a.volume == number_b.volume and _shares_identifier(a, b)
            and not _identifiers_disagree(a, b)):
        # Same volume, a shared number (for an article: the page it starts on) and none
        # that differs: the issues disagreeing is a slip in one of them.
        return Signal("series", show_a, show_b, 0.0, note="other issue")
    return Signal("series", show_a, show_b, 0.0, True, "conflict")


# -------------------------------------------------------------------------------- decide


def decide(a: BibRecord, b: BibRecord) -> Decision:
    """Decide whether ``a`` and ``b`` describe the same manifestation.

    Returns the :class:`~union.dedup.evidence.Decision` with every signal computed.
    ``same`` requires no blocking signal, agreeing titles (exact, close or partial) and a
    score of at least :data:`THRESHOLD`. A record always matches itself.
    """
    if a == b:
        signal = Signal("identical", None, None, THRESHOLD, note="same record")
        return Decision(True, THRESHOLD, Evidence((signal,)), "rekaman identik / identical records")
    return decide_views(match_view(a), match_view(b))


def decide_views(va: MatchView, vb: MatchView, level: str | None = None) -> Decision:
    """:func:`decide` on match views already computed (bulk clustering keeps them);
    ``level``: their :func:`~union.dedup.title_comparison.title_level`, when the caller
    has compared the titles already."""
    if va.record == vb.record:
        return decide(va.record, vb.record)
    signals: list[Signal] = []
    signals.extend(_identifier_signals(va, vb))
    title = _title_signal(va, vb, title_level(va, vb) if level is None else level)
    signals.append(title)
    edition = _edition_signal(va, vb)
    edition_conflict = edition is not None and edition.blocks
    for signal in (
        _volume_signal(va, vb),
        edition,
        _year_signal(va, vb, edition_conflict),
        _author_signal(va, vb),
        _body_signal(va, vb),
        _publisher_signal(va, vb),
        _extent_signal(va, vb),
        _format_signal(va, vb),
        _series_signal(va, vb),
    ):
        if signal is not None:
            signals.append(signal)
    signals.extend(_language_signals(va, vb))
    evidence = Evidence(tuple(signals))
    score = evidence.total
    if evidence.blocked:
        first = evidence.blockers[0]
        reason = f"dicegah / blocked: {first.name} {first.note} ({first.a} vs {first.b})"
        return Decision(False, score, evidence, reason)
    if score < THRESHOLD:
        return Decision(False, score, evidence,
                        f"skor / score {score:g} < {THRESHOLD:g}")
    return Decision(True, score, evidence, f"skor / score {score:g} >= {THRESHOLD:g}")
