"""Staff overrides ("these are one work", "never merge these") take effect at once and
survive every re-harvest, because they name records by branch code and local id."""

from __future__ import annotations

import pytest

from tests.union.works.conftest import PRIORITY, Catalogue, branch_copy, loc_record
from union.works import OverrideError, RecordName, list_overrides, record_override


def override(catalogue: Catalogue, kind: str, a: str, b: str) -> None:
    first, second = (RecordName(*name.split(":", 1)) for name in (a, b))
    record_override(catalogue.store, lambda: catalogue.now, kind, first, second,
                    priority=PRIORITY)


def reharvest(catalogue: Catalogue, *records: tuple[str, object]) -> None:
    """The branches send their records again, edited (new holdings), and the clusterer
    runs as after every harvest."""
    catalogue.tick()
    for code, record in records:
        catalogue.ingest(code, record)  # type: ignore[arg-type]
    catalogue.update()


def test_never_override_separates_a_matching_pair(catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    work = catalogue.work_of("KOTA:K-1")
    override(catalogue, "never", "DESA1:D-1", "KOTA:K-1")
    assert catalogue.work_of("KOTA:K-1") == work
    assert catalogue.work_of("DESA1:D-1") not in (None, work)


def test_never_override_survives_a_reharvest(catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    override(catalogue, "never", "KOTA:K-1", "DESA1:D-1")
    reharvest(catalogue, ("KOTA", branch_copy(book, "KOTA", "K-1", copies=2)),
              ("DESA1", branch_copy(book, "DESA1", "D-1", copies=2)))
    assert catalogue.work_of("KOTA:K-1") != catalogue.work_of("DESA1:D-1")


def test_never_override_survives_deletion_and_return(catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    override(catalogue, "never", "KOTA:K-1", "DESA1:D-1")
    catalogue.tick()
    catalogue.delete("DESA1", "D-1")
    catalogue.update()
    reharvest(catalogue, ("DESA1", branch_copy(book, "DESA1", "D-1")))
    assert catalogue.work_of("KOTA:K-1") != catalogue.work_of("DESA1:D-1")


def test_never_override_holds_against_a_chain_of_matches(catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.ingest("DESA2", branch_copy(book, "DESA2", "A-1"))
    catalogue.update()
    override(catalogue, "never", "KOTA:K-1", "DESA1:D-1")
    works = list(catalogue.works().values())
    assert len(works) == 2
    assert all(not {"KOTA:K-1", "DESA1:D-1"} <= set(w) for w in works)


def test_same_override_joins_records_matching_cannot(catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", branch_copy(loc_record(2), "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(loc_record(2), "DESA1", "D-1",
                                          title="HARAPAN DAN KECEMASAN MENATAP ARAH RFRMASI"))
    catalogue.update()
    assert catalogue.work_of("KOTA:K-1") != catalogue.work_of("DESA1:D-1")
    override(catalogue, "same", "KOTA:K-1", "DESA1:D-1")
    assert catalogue.work_of("KOTA:K-1") == catalogue.work_of("DESA1:D-1")


def test_same_override_survives_a_reharvest(catalogue: Catalogue) -> None:
    title = "HARAPAN DAN KECEMASAN MENATAP ARAH RFRMASI"
    catalogue.ingest("KOTA", branch_copy(loc_record(2), "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(loc_record(2), "DESA1", "D-1", title=title))
    catalogue.update()
    override(catalogue, "same", "KOTA:K-1", "DESA1:D-1")
    work = catalogue.work_of("KOTA:K-1")
    reharvest(catalogue, ("DESA1", branch_copy(loc_record(2), "DESA1", "D-1", title=title,
                                               copies=2)))
    assert catalogue.work_of("DESA1:D-1") == catalogue.work_of("KOTA:K-1") == work


def test_a_later_override_of_a_pair_replaces_the_earlier(catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    override(catalogue, "never", "KOTA:K-1", "DESA1:D-1")
    override(catalogue, "same", "DESA1:D-1", "KOTA:K-1")
    assert catalogue.work_of("KOTA:K-1") == catalogue.work_of("DESA1:D-1")
    with catalogue.store.read() as session:
        assert [kind for kind, _, _ in list_overrides(session)] == ["same"]


def test_an_override_of_an_unknown_record_is_refused(catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", branch_copy(loc_record(2), "KOTA", "K-1"))
    with pytest.raises(OverrideError, match="DESA1:nope"):
        override(catalogue, "same", "KOTA:K-1", "DESA1:nope")
