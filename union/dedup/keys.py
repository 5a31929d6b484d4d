"""Person and blocking keys: the parsed names of a record's persons with their
order-insensitive keys, and :func:`blocking_keys`, the cheap keys under which candidate
pairs are generated."""

from __future__ import annotations

from union.bib_record import BibRecord
from union.dedup.identifiers import identifiers_of
from union.dedup.names import ParsedName, parse_name
from union.dedup.title_words import title_words

__all__ = ["author_keys", "blocking_keys", "personal_names"]


# ----------------------------------------------------------------------------------- names


def personal_names(record: BibRecord, *, main_only: bool = False) -> tuple[ParsedName, ...]:
    """Parsed names of the record's persons (main entry first), empty names left out."""
    agents = sorted(record.agents, key=lambda a: not a.main)
    names = []
    for agent in agents:
        if agent.kind != "person" or (main_only and not agent.main):
            continue
        parsed = parse_name(agent.name)
        if parsed.words:
            names.append(parsed)
    return tuple(names)


def author_keys(record: BibRecord) -> frozenset[str]:
    """Order-insensitive name keys of the record's persons (see ``names.name_key``)."""
    return frozenset(name.key for name in personal_names(record))


# -------------------------------------------------------------------------------- blocking


def _short(word: str, length: int) -> str:
    return word[:length]


def blocking_keys(record: BibRecord) -> frozenset[str]:
    """Keys under which ``record`` is a candidate for comparison with others.

    * ``isbn:…``, ``lccn:…``, ``oclc:…``, ``nbn:…``: each identifier;
    * ``t:…``: the first three significant title words cut to four letters, so suffix
      variants and a typo late in a word still meet ("pengembangan"/"pengembangannya");
    * ``ta:…``: the first significant title word with each whole word of the main
      person's name (names are order-insensitive, so inverted and direct forms meet), so
      a typo in the second or third title word still meets.

    Records that share no key are never compared; keys are generous, pairwise matching
    is strict.
    """
    ids = identifiers_of(record)
    keys = {f"isbn:{v}" for v in ids.isbns}
    keys.update(f"lccn:{v}" for v in ids.lccns)
    keys.update(f"oclc:{v}" for v in ids.oclc_numbers)
    keys.update(f"nbn:{v}" for v in ids.national_numbers)
    words = title_words(record.title).words
    if words:
        keys.add("t:" + " ".join(_short(w, 4) for w in words[:3]))
        names = personal_names(record)
        if names:
            first = _short(words[0], 5)
            keys.update(f"ta:{first}:{word}" for word in names[0].full_words)
    return frozenset(keys)
