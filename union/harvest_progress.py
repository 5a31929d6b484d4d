"""Drawing harvest progress and the closing summary in the terminal (rich)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from union.harvest import SourceSummary
from union.ingest import Counts

MAX_REASONS_SHOWN = 10


class RichProgress:
    """One progress line per source: records taken so far, pages, elapsed time."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[code]:<10}"),
            TextColumn("{task.completed:>8.0f} rekaman/records"),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, exc, tb)

    def started(self, code: str, resumed: bool) -> None:
        """A source began (or resumed) its harvest."""
        state = "melanjutkan/resuming" if resumed else "memanen/harvesting"
        self._tasks[code] = self._progress.add_task(code, total=None, code=code, state=state)

    def page(self, code: str, counts: Counts) -> None:
        """A page was committed."""
        taken = counts.new + counts.updated + counts.deleted + counts.unchanged + counts.skipped
        self._progress.advance(self._tasks[code], taken)

    def finished(self, summary: SourceSummary) -> None:
        """A source ended, complete or failed."""
        task = self._tasks.get(summary.code)
        if task is not None:
            state = "selesai/done" if summary.status == "complete" else "[red]gagal/failed"
            done = self._progress.tasks[task].completed
            self._progress.update(task, state=state, total=done, completed=done)


def summary_table(summaries: Sequence[SourceSummary]) -> Table:
    """The closing table: per source, new, updated, deleted, unchanged, skipped and why."""
    table = Table(title="Ringkasan panen / harvest summary")
    # Two-line headings (Indonesian over English) keep the table readable at 80 columns.
    for heading in ("cabang\nbranch", "status", "baru\nnew", "ubah\nupdated",
                    "hapus\ndeleted", "tetap\nsame", "lewati\nskipped"):
        table.add_column(heading, no_wrap=True)
    table.add_column("catatan\nnotes", overflow="fold")
    for s in summaries:
        notes = list(s.counts.reasons[:MAX_REASONS_SHOWN])
        if len(s.counts.reasons) > MAX_REASONS_SHOWN:
            notes.append(f"… +{len(s.counts.reasons) - MAX_REASONS_SHOWN} (union status --json)")
        if s.error:
            notes.insert(0, f"galat/error: {s.error}")
        status = "selesai\ncomplete" if s.status == "complete" else f"[red]gagal\n{s.status}"
        table.add_row(s.code, status, str(s.counts.new), str(s.counts.updated),
                      str(s.counts.deleted), str(s.counts.unchanged), str(s.counts.skipped),
                      "\n".join(notes))
    return table
