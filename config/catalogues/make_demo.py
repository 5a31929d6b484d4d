"""Regenerate the demo federation's sample catalogues from the real LoC Indonesian records.

Run from the repository with ../shared beside it:  .venv/bin/python config/catalogues/make_demo.py

The records are real Library of Congress records of Indonesian books. Each branch gets
its own control numbers (001) and an 852 holding per copy, as a branch system would
export them; the branches overlap so that the union catalogue has books held in several
places. The choice is deterministic (every n-th record), so the files are reproducible.
"""

from __future__ import annotations

import re
from pathlib import Path

import pymarc

HERE = Path(__file__).resolve().parent
SOURCE = (HERE.parents[2] / "shared" / "data" / "marc" / "loc-booksall-2016-part01"
          / "BooksAll.2016.part01.lang-ind-may-jav-sun.mrc")
POOL = 400

# branch code -> (file, which pool positions it holds, copies, call-number prefix)
BRANCHES = {
    "KOTA": ("kota.mrc", range(0, 300), 2, "KOTA"),
    "DESA1": ("desa-tanah-periuk.mrc", range(240, 340), 1, "TP"),
    "DESA2": ("desa-air-kuti.mrc", [*range(0, 40), *range(330, 380)], 1, "AK"),
    "DESA3": ("desa-petanang.mrc", [*range(100, 130), *range(370, 400)], 1, "PT"),
}


# The city library's local-history collection: every record about the region (the
# [local] places of demo.toml), appended after the pool; DESA1 holds the first two too.
LOCAL = re.compile(r"\b(sumatera selatan|palembang|lubuk ?linggau|musi rawas|muba|rejang)\b",
                   re.IGNORECASE)
LOCAL_HOLDERS = {"KOTA": None, "DESA1": 2}


def main() -> None:
    """Write one ISO 2709 file per branch."""
    with SOURCE.open("rb") as handle:
        reader = pymarc.MARCReader(handle, to_unicode=True, force_utf8=True)
        records = [record for record in reader if record is not None]
    pool = records[: POOL * 7 : 7]
    local = [r for r in records if LOCAL.search(" ".join(
        f.value() for f in r.get_fields("245", "600", "610", "650", "651", "653")))]
    for code, (name, positions, copies, prefix) in BRANCHES.items():
        held = [(n, pool[n]) for n in positions]
        if code in LOCAL_HOLDERS:
            held += [(POOL + i, r) for i, r in enumerate(local[: LOCAL_HOLDERS[code]])]
        with (HERE / name).open("wb") as out:
            for n, original in held:
                out.write(_branch_copy(original, code, n, copies, prefix).as_marc())


def _branch_copy(original: pymarc.Record, code: str, n: int, copies: int,
                 prefix: str) -> pymarc.Record:
    record = pymarc.Record(leader=str(original.leader), force_utf8=True)
    for field in original.get_fields():
        if field.tag not in ("001", "003", "852"):
            record.add_field(field)
    record.add_ordered_field(pymarc.Field(tag="001", data=f"{code}-{n:05d}"))
    for copy in range(1, copies + 1):
        record.add_field(pymarc.Field(
            tag="852", indicators=[" ", " "],
            subfields=[pymarc.Subfield("a", code), pymarc.Subfield("h", f"{prefix} {n:05d}"),
                       pymarc.Subfield("p", f"{code}{n:05d}{copy}")],
        ))
    return record


if __name__ == "__main__":
    main()
