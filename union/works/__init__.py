"""Works: the de-duplicated union records built from the source records.

The pure core decides (:mod:`~union.works.clustering` partitions matches into works and
keeps their ids stable, :mod:`~union.works.display` builds the merged display record,
:mod:`~union.works.candidates` picks what to compare); the edges read and write the store
(:mod:`~union.works.updater` follows the change log, :mod:`~union.works.overrides`
records staff decisions, :mod:`~union.works.explain` and :mod:`~union.works.reading`
answer questions about works).
"""

from union.works.explain import Explanation, explain_work, format_explanation
from union.works.overrides import (
    OverrideError,
    RecordName,
    add_override,
    list_overrides,
    parse_record_name,
    record_override,
    remove_override,
)
from union.works.reading import Resolved, live_works, resolve_work, work_members
from union.works.updater import UpdateReport, update_works

__all__ = [
    "Explanation",
    "OverrideError",
    "RecordName",
    "Resolved",
    "UpdateReport",
    "add_override",
    "explain_work",
    "format_explanation",
    "list_overrides",
    "live_works",
    "parse_record_name",
    "record_override",
    "remove_override",
    "resolve_work",
    "update_works",
    "work_members",
]
