"""The MARC test corpus in ../shared/data/marc: where its files are, how to read any of them,
and the random damage the property tests apply to them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from harvesters.iso2709_reading import read_iso2709
from harvesters.marc_reading import ReadFailure, ReadRecord
from harvesters.marcxml_reading import read_marcxml
from tests.support.paths import SHARED

MARC = SHARED / "data" / "marc"
PYMARC = MARC / "pymarc-5.4.0-sdist-test"
MARC4J = MARC / "marc4j"
PERL = MARC / "perl4lib-marc-perl"

ISO_SUFFIXES = {".mrc", ".dat", ".usmarc", ".marc", ".001"}
MARC_NS = "http://www.loc.gov/MARC21/slim"


def is_iso(path: Path) -> bool:
    """Whether a corpus file is ISO 2709 (otherwise it is MARCXML)."""
    return (
        path.suffix in ISO_SUFFIXES or path.name == "sample-marc" or ".records.utf8--" in path.name
    )


def read(path: Path, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    """Every item of a file, split into records read and failures."""
    with path.open("rb") as stream:
        items = list(
            read_iso2709(stream, **options) if is_iso(path) else read_marcxml(stream, **options)
        )
    return (
        [i for i in items if isinstance(i, ReadRecord)],
        [i for i in items if isinstance(i, ReadFailure)],
    )


MUTATIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2000),
        st.sampled_from([b"", b"\x1d", b"\x1e", b"\x1f", b"\x1b$1", b"\xe2", b"\xff", b"9"]),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, edits: list[tuple[int, bytes, int]]) -> bytes:
    """``data`` with each edit of :data:`MUTATIONS` applied: ``cut`` bytes at offset ``at``
    (wrapped to the data's length) replaced by ``insert``."""
    for at, insert, cut in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    return data
