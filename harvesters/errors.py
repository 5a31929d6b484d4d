"""The one error a harvester raises when a source cannot be harvested."""

from __future__ import annotations


class HarvestError(Exception):
    """A source could not be harvested: which source, why, and where (when known).

    ``code`` carries the OAI-PMH error code when the server reported one (for example
    ``cannotDisseminateFormat``), so callers can tell protocol refusals from outages.
    """

    def __init__(
        self, source: str, reason: str, *, url: str | None = None, code: str | None = None
    ) -> None:
        self.source = source
        self.reason = reason
        self.url = url
        self.code = code
        where = f" [{url}]" if url else ""
        super().__init__(f"{source}: {reason}{where}")
