"""The feed's sets: per branch, per kind of branch, per format, and ``local``.

Pure helpers the repository uses to give each work its leaf setSpecs and to list the
sets. Parents (``branch``, ``kind``, ``format``) are sets too: selecting ``branch``
selects every ``branch:...`` work (OAI-PMH set hierarchy).
"""

from __future__ import annotations

from collections.abc import Iterable

from union.feed.records import FeedSet

BRANCH = "branch"
KIND = "kind"
FORMAT = "format"
LOCAL = "local"


def branch_set(code: str) -> str:
    """``branch:KOTA``."""
    return f"{BRANCH}:{code}"


def kind_set(kind: str) -> str:
    """``kind:village``."""
    return f"{KIND}:{kind}"


def format_set(format: str) -> str:
    """``format:book``."""
    return f"{FORMAT}:{format}"


def record_sets(format: str | None, branch_kinds: Iterable[tuple[str, str]],
                local: bool) -> tuple[str, ...]:
    """The leaf setSpecs of a work: its format, each holding branch (code, kind) and
    each kind of holding branch, and ``local``; sorted, no repeats."""
    specs: set[str] = set()
    if format:
        specs.add(format_set(format))
    for code, kind in branch_kinds:
        specs.add(branch_set(code))
        specs.add(kind_set(kind))
    if local:
        specs.add(LOCAL)
    return tuple(sorted(specs))


def in_set(set_spec: str, specs: Iterable[str]) -> bool:
    """True when a work with leaf sets ``specs`` belongs to ``set_spec`` (itself or below)."""
    below = set_spec + ":"
    return any(spec == set_spec or spec.startswith(below) for spec in specs)


def federation_sets(branches: Iterable[tuple[str, str, str]], formats: Iterable[str],
                    region_name: str) -> list[FeedSet]:
    """The sets of a federation: ``branches`` as (code, name, kind), the formats in use,
    and the region's name for the ``local`` set."""
    branches = list(branches)
    sets = [FeedSet(BRANCH, "Holding branches")]
    sets += [FeedSet(branch_set(code), name) for code, name, _ in branches]
    sets.append(FeedSet(KIND, "Kinds of branch"))
    sets += [FeedSet(kind_set(kind), f"Held by a {kind} library")
             for kind in sorted({kind for _, _, kind in branches})]
    sets.append(FeedSet(FORMAT, "Formats"))
    sets += [FeedSet(format_set(fmt), f"Format: {fmt.replace('_', ' ')}")
             for fmt in sorted(set(formats))]
    sets.append(FeedSet(LOCAL, f"About {region_name}",
                        f"Works whose subjects name {region_name}, the federation's region."))
    return sets
