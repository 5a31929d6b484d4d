"""The catalogue service over the harvested demo catalogue: searching, a work's detail
view from the store, and the branches with their counts."""

from __future__ import annotations

from sqlalchemy import select

from tests.union.catalogue.demo import DemoCatalogue
from union.catalogue import SearchPage, list_branches, parse_search, run_search, work_detail
from union.store.models import WorkRow


def search(demo: DemoCatalogue, *pairs: tuple[str, str]) -> SearchPage:
    names = {branch.code: branch.name for branch in demo.federation.branches}
    return run_search(demo.engine, parse_search(pairs, names), names)


def live_work_ids(demo: DemoCatalogue) -> list[int]:
    with demo.store.read() as session:
        return list(session.scalars(select(WorkRow.id).where(WorkRow.status == "live")))


def test_browsing_counts_every_live_work(demo: DemoCatalogue) -> None:
    page = search(demo)
    assert page.total == len(live_work_ids(demo))
    assert len(page.results) == 20 and page.page == 1


def test_results_carry_integer_work_ids_and_titles(demo: DemoCatalogue) -> None:
    page = search(demo, ("q", "sejarah"))
    assert page.total > 0
    ids = set(live_work_ids(demo))
    for result in page.results:
        assert result.id in ids
        assert result.title


def test_branch_facet_values_are_labelled_with_branch_names(demo: DemoCatalogue) -> None:
    page = search(demo, ("facets", "branch,available"))
    names = {branch.code: branch.name for branch in demo.federation.branches}
    branch = {entry.value: entry.label for entry in page.facets["branch"]}
    assert branch == {code: names[code] for code in branch}
    assert set(branch) == set(names)
    labels = {entry.value: entry.label for entry in page.facets["available"]}
    assert "cabang mana pun" in labels["*"]


def test_a_branch_filter_keeps_only_that_branchs_works(demo: DemoCatalogue) -> None:
    page = search(demo, ("branch", "DESA3"), ("per_page", "100"))
    assert 0 < page.total < search(demo).total
    assert all("DESA3" in result.fields["branches"] for result in page.results)
    facet = {entry.value: entry.count for entry in page.facets["branch"]}
    assert facet["DESA3"] == page.total


def test_local_filter_matches_the_local_facet_count(demo: DemoCatalogue) -> None:
    counts = {entry.value: entry.count for entry in search(demo).facets["local"]}
    assert search(demo, ("local", "true")).total == counts["true"] > 0


def test_year_sort_puts_the_newest_first(demo: DemoCatalogue) -> None:
    page = search(demo, ("sort", "year"), ("per_page", "50"))
    years = [result.fields["year"] for result in page.results if "year" in result.fields]
    assert years == sorted(years, reverse=True)


def test_year_range_filter_keeps_years_inside(demo: DemoCatalogue) -> None:
    page = search(demo, ("year", "1990-1994"), ("per_page", "100"))
    assert page.total > 0
    assert all(1990 <= result.fields["year"] <= 1994 for result in page.results)


def test_pages_do_not_overlap_and_cover_the_matches(demo: DemoCatalogue) -> None:
    first = search(demo, ("q", "sejarah"), ("per_page", "5"))
    second = search(demo, ("q", "sejarah"), ("per_page", "5"), ("page", "2"))
    assert first.total == second.total > 5
    assert not {r.id for r in first.results} & {r.id for r in second.results}
    assert first.pages == -(-first.total // 5)


def merged_work(demo: DemoCatalogue) -> int:
    """A live work with records from more than one branch."""
    with demo.store.read() as session:
        for work_id, display in session.execute(
                select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live")):
            if len(display["branches"]) > 1:
                return work_id
    raise AssertionError("the demo catalogue has no work held by two branches")


def test_work_detail_lists_members_holdings_and_evidence(demo: DemoCatalogue) -> None:
    work_id = merged_work(demo)
    with demo.store.read() as session:
        detail = work_detail(session, demo.federation, work_id)
    assert detail is not None and detail.status == "live" and not detail.redirected
    assert detail.record is not None and detail.record["title"]
    assert len(detail.members) >= 2
    assert {h.code for h in detail.holdings} == {code for code, _ in detail.members}
    configured = {branch.code: branch for branch in demo.federation.branches}
    for holding in detail.holdings:
        assert holding.name == configured[holding.code].name
        assert holding.kind == configured[holding.code].kind
        assert 0 <= holding.available <= holding.copies
        assert holding.copies >= max(1, len(holding.items))
    assert detail.evidence is not None and detail.evidence.matches
    assert all(match.reason for match in detail.evidence.matches)


def test_an_unknown_work_has_no_detail(demo: DemoCatalogue) -> None:
    with demo.store.read() as session:
        assert work_detail(session, demo.federation, max(live_work_ids(demo)) + 1000) is None


def test_branches_are_listed_in_config_order_with_their_counts(demo: DemoCatalogue) -> None:
    with demo.store.read() as session:
        branches = list_branches(session, demo.federation)
    assert [b.code for b in branches] == [b.code for b in demo.federation.branches]
    facet = {entry.value: entry.count for entry in search(demo).facets["branch"]}
    for branch in branches:
        assert branch.works == facet[branch.code]
        assert branch.records >= branch.works
    assert sum(b.records for b in branches) == 560
    assert [b.kind for b in branches].count("city") == 1


def test_backward_year_ranges_match_nothing(demo: DemoCatalogue) -> None:
    assert search(demo, ("year", "2000-1990")).total == 0
    assert search(demo, ("year_from", "2000"), ("year_to", "1990")).total == 0
    assert search(demo, ("year", "2000-1990"), ("year", "1990-2000")).total > 0
