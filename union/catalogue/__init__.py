"""The catalogue service: what the JSON API and the HTML pages both ask of the catalogue
(search, a work's detail, the branches), free of HTTP. Dataclasses out;
:class:`BadParameter` for what a request gets wrong.
"""

from union.catalogue.branches import BranchSummary, list_branches
from union.catalogue.errors import BadParameter
from union.catalogue.search import (
    MAX_OFFSET,
    MAX_PER_PAGE,
    PARAMETERS,
    SORTS,
    FacetCount,
    SearchPage,
    SearchResult,
    parse_search,
    run_search,
)
from union.catalogue.works import (
    BranchHoldings,
    EvidenceSummary,
    MatchSummary,
    WorkDetail,
    parse_work_id,
    work_detail,
)

__all__ = [
    "MAX_OFFSET",
    "MAX_PER_PAGE",
    "PARAMETERS",
    "SORTS",
    "BadParameter",
    "BranchHoldings",
    "BranchSummary",
    "EvidenceSummary",
    "FacetCount",
    "MatchSummary",
    "SearchPage",
    "SearchResult",
    "WorkDetail",
    "list_branches",
    "parse_search",
    "parse_work_id",
    "run_search",
    "work_detail",
]
