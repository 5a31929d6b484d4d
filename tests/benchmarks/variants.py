"""Village-library variants of real records, and hard negatives, for the de-duplication
benchmarks (pure, seeded: the same seed gives the same set).

A village library on SLiMS catalogues the book the national library described in its own
way: the title typed in capitals or abbreviated, title and subtitle in one field or the
subtitle left out, no ISBN, old spelling (the book or the cataloguer's habit predates
1972), the author in direct order, the publisher with its legal form or the word
"Penerbit", a typo in a long word, pages as "hlm.", no LC control number. A hard
negative is another book that looks almost the same: another volume, another edition, a
translation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from union.bib_record import Agent, BibRecord, Item

__all__ = ["Labelled", "hard_negative", "labelled_set", "old_spelling", "slims_variant"]

# Long words a cataloguer abbreviates, with the abbreviation (written with its period).
_ABBREVIATIONS = {
    "departemen": "Dep.", "pendidikan": "Pend.", "kebudayaan": "Kebud.",
    "kabupaten": "Kab.", "universitas": "Univ.", "indonesia": "Indon.",
    "pemerintah": "Pem.", "pemerintahan": "Pemerint.", "kecamatan": "Kec.",
    "provinsi": "Prov.", "propinsi": "Prop.", "penelitian": "Penel.", "nasional": "Nas.",
    "pembangunan": "Pemb.", "masyarakat": "Masy.", "perpustakaan": "Perpust.",
    "republik": "Rep.", "sejarah": "Sej.", "kesehatan": "Kes.", "daerah": "Dae.",
}
_PUBLISHER_FORMS = ("PT {}", "Penerbit {}", "CV. {}", "{}, PT", "Penerbit PT {}")
_MODERN_TO_OLD = (("kh", "ch"), ("sy", "sj"), ("ny", "nj"), ("c", "tj"), ("j", "dj"),
                  ("y", "j"), ("u", "oe"))


def old_spelling(text: str) -> str:
    """Modern Indonesian written in the pre-1972 spelling: "Yogyakarta" -> "Jogjakarta"
    is left to the curated table; the rules give "cerita rakyat" -> "tjerita rakjat",
    "Surabaya" -> "Soerabaja", "khusus" -> "choesoes"."""

    def one(word: str) -> str:
        lower = word.lower()
        out = []
        i = 0
        while i < len(lower):
            for modern, old in _MODERN_TO_OLD:
                if lower.startswith(modern, i):
                    out.append(old)
                    i += len(modern)
                    break
            else:
                out.append(lower[i])
                i += 1
        folded = "".join(out)
        if word[:1].isupper():
            folded = folded[:1].upper() + folded[1:]
        return folded.upper() if word.isupper() and len(word) > 1 else folded

    return re.sub(r"[A-Za-z]+", lambda m: one(m.group(0)), text)


_ENGLISH = frozenset(
    ["the", "of", "on", "and", "in", "for", "to", "with", "a", "an", "from", "by", "at"]
)


def _indonesian_only(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the Indonesian parts of a title: not to a parallel title
    (after " = ") nor to a part written in English (a cataloguer writing old spelling
    does not respell "The Catalogue of the National Gallery")."""
    head, sep, parallel = text.partition(" = ")
    parts = re.split(r"( : | / )", head)
    changed = [p if len(_ENGLISH & set(p.lower().split())) >= 2 else change(p) for p in parts]
    return "".join(changed) + sep + parallel


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the keyboard in a word of eight letters or more."""
    words = [m for m in re.finditer(r"[A-Za-z]{8,}", text)]
    if not words:
        return text
    match = rng.choice(words)
    word = match.group(0)
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "drop":
        word = word[:i] + word[i + 1:]
    elif kind == "double":
        word = word[:i] + word[i] + word[i:]
    else:
        word = word[:i] + rng.choice("aeiounrst") + word[i + 1:]
    return text[:match.start()] + word + text[match.end():]


def _abbreviate(title: str, rng: random.Random) -> str:
    # Never the last word: a period there reads as the end of the title.
    words = title.split(" ")
    for i, word in enumerate(words[:-1]):
        short = _ABBREVIATIONS.get(word.lower().strip(",.:;"))
        if short and rng.random() < 0.7:
            words[i] = short
    return " ".join(words)


def _direct_order(name: str) -> str:
    surname, sep, given = name.partition(", ")
    if not sep:
        return name
    given = given.split(", ")[0]  # "Abidin, Zainal, Andi" -> "Zainal Abidin"
    return f"{given} {surname}".strip(" ,.")


def _pages_as_hlm(extent: str | None) -> str | None:
    if not extent:
        return extent
    return re.sub(r"(\d+) p\.?", r"\1 hlm.", extent)


def slims_variant(record: BibRecord, rng: random.Random, branch: str = "DESA") -> BibRecord:
    """``record`` as a village library on SLiMS might catalogue the same book."""
    title, subtitle = record.title, record.subtitle
    roll = rng.random()
    if subtitle and roll < 0.3:
        title, subtitle = f"{title} : {subtitle}", None  # one field
    elif subtitle and roll < 0.5:
        subtitle = None  # left out
    if rng.random() < 0.2:
        title = _abbreviate(title, rng)
    old = rng.random() < 0.15
    if old:  # the Indonesian title, not a parallel title in another language
        title = _indonesian_only(title, old_spelling)
        subtitle = _indonesian_only(subtitle, old_spelling) if subtitle else subtitle
    if rng.random() < 0.2:
        title = _typo(title, rng)
    if rng.random() < 0.35:
        title = title.upper()
        subtitle = subtitle.upper() if subtitle else subtitle
    agents = []
    for agent in record.agents:
        name = agent.name
        if agent.kind == "person" and rng.random() < 0.6:
            name = _direct_order(name)
        if old and agent.kind == "person":
            name = old_spelling(name)
        if rng.random() < 0.05:
            name = _typo(name, rng)
        agents.append(Agent(name=name, kind=agent.kind, role=agent.role, main=agent.main))
    if agents and rng.random() < 0.1:
        agents = agents[:1]
    publisher = record.publisher
    if publisher and rng.random() < 0.4:
        publisher = rng.choice(_PUBLISHER_FORMS).format(publisher)
    elif publisher and rng.random() < 0.1:
        publisher = None
    extent = record.extent
    roll = rng.random()
    if roll < 0.5:
        extent = _pages_as_hlm(extent)
    elif roll < 0.65:
        extent = None
    isbns = record.isbns if rng.random() < 0.4 else ()
    edition = record.edition
    if edition is None and rng.random() < 0.1:
        edition = "Cet. 1"
    return replace(
        record, title=title, subtitle=subtitle, agents=tuple(agents), publisher=publisher,
        extent=extent, isbns=isbns, invalid_isbns=(), lccns=(), oclc_numbers=(),
        national_numbers=(), edition=edition,
        place=record.place if rng.random() < 0.7 else None,
        subjects=tuple(s for s in record.subjects if rng.random() < 0.3),
        notes=(), classifications=(), dimensions=None, uniform_title=None,
        items=(Item(barcode=f"{branch}{rng.randrange(10**6):06d}", branch=branch),),
    )


def hard_negative(record: BibRecord, rng: random.Random) -> tuple[str, BibRecord]:
    """Another book that looks like ``record``: another volume, another edition or a
    translation. Returns (kind, record)."""
    kind = rng.choice(("volume", "edition", "translation"))
    if kind == "volume":
        number = "2" if record.part_number in (None, "1") else "1"
        other = replace(record, part_number=number, isbns=(), lccns=(),
                        extent=_other_extent(record.extent, rng))
    elif kind == "edition":
        year = (record.year or 2000) + rng.randint(3, 8)
        other = replace(record, edition=rng.choice(("Ed. 2", "Edisi revisi", "Cet. 1, ed. 3")),
                        year=year, date_text=str(year), isbns=(), lccns=(),
                        extent=_other_extent(record.extent, rng))
    else:
        language = "eng" if record.languages[:1] != ("eng",) else "ind"
        other = replace(record, languages=(language,), original_languages=record.languages,
                        isbns=(), lccns=(), year=(record.year or 2000) + rng.randint(1, 4))
    return kind, other


def _other_extent(extent: str | None, rng: random.Random) -> str | None:
    if not extent:
        return extent
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(20, 120)), extent, count=1)


@dataclass(frozen=True, slots=True)
class Labelled:
    """A benchmark record: its id, its source (branch), its entity (the truth) and its
    description."""

    id: int
    source: str
    entity: int
    record: BibRecord


def labelled_set(originals: list[BibRecord], seed: int = 2026, *, variant_share: float = 0.7,
                 negative_share: float = 0.15, villages: int = 5) -> list[Labelled]:
    """The originals (the city library's records), village variants of most of them and
    hard negatives of some (each negative a book of its own, sometimes with its own
    village variant), labelled with the entity each describes."""
    rng = random.Random(seed)
    out: list[Labelled] = []

    def add(source: str, entity: int, record: BibRecord) -> None:
        out.append(Labelled(len(out) + 1, source, entity, record))

    entity = 0
    for original in originals:
        entity += 1
        add("KOTA", entity, original)
        if rng.random() < variant_share:
            for village in rng.sample(range(1, villages + 1), rng.choice((1, 1, 2))):
                code = f"DESA{village}"
                add(code, entity, slims_variant(original, rng, code))
        if rng.random() < negative_share:
            entity += 1
            _kind, other = hard_negative(original, rng)
            add("KOTA", entity, other)
            if rng.random() < 0.5:
                code = f"DESA{rng.randint(1, villages)}"
                add(code, entity, slims_variant(other, rng, code))
    return out
