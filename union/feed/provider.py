"""The OAI-PMH verb dispatcher: a request's arguments in, a response document out.

Pure given the repository and the clock passed in. Lists page by keyset on
(datestamp, work id) with stateless resumption tokens (:mod:`.tokens`); the first page
pins the list's upper bound to its responseDate, so a harvest (and a re-sent token) is
not disturbed by works that change while it runs: they come in the next incremental
harvest instead, with the datestamp of their change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from union.feed import responses
from union.feed.arguments import (
    GET_RECORD,
    IDENTIFY,
    LIST_IDENTIFIERS,
    LIST_METADATA_FORMATS,
    LIST_RECORDS,
    LIST_SETS,
    Request,
    decode_form,
    parse_request,
)
from union.feed.datestamps import utc_second
from union.feed.errors import (
    BAD_RESUMPTION_TOKEN,
    CANNOT_DISSEMINATE_FORMAT,
    ID_DOES_NOT_EXIST,
    NO_METADATA_FORMATS,
    NO_RECORDS_MATCH,
    NO_SET_HIERARCHY,
    OaiError,
)
from union.feed.formats import DEFAULT_FORMATS, MetadataFormat
from union.feed.records import FeedRecord, FeedRepository
from union.feed.responses import Envelope, RepositoryInfo, ResumptionToken
from union.feed.tokens import BadToken, ListPosition, decode_token, encode_token
from union.feed.xmltext import text

Clock = Callable[[], datetime]
# repositoryIdentifier of the oai-identifier scheme: a domain name.
_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
_LOCAL_ID = re.compile(r"[a-zA-Z0-9\-_.!~*'();/?:@&=+$,%]+")


def system_clock() -> datetime:
    """The real clock, for the composition root (tests pass their own)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """The provider's settings. ``secret`` signs resumption tokens: every node serving
    the same feed must share it; changing it invalidates tokens in flight."""

    repository_name: str
    base_url: str
    domain: str
    admin_emails: tuple[str, ...]
    secret: bytes
    records_page_size: int = 100
    identifiers_page_size: int = 500
    formats: tuple[MetadataFormat, ...] = DEFAULT_FORMATS
    sample_work_id: str = "1"

    def __post_init__(self) -> None:
        if not _DOMAIN.fullmatch(self.domain):
            raise ValueError(f"domain {self.domain!r} is not a domain name")
        if not _LOCAL_ID.fullmatch(self.sample_work_id):
            raise ValueError(f"sample_work_id {self.sample_work_id!r} is not a local id")
        if not self.admin_emails:
            raise ValueError("at least one admin e-mail is required")
        if len(self.secret) < 16:
            raise ValueError("the token secret must be at least 16 bytes")
        if self.records_page_size < 1 or self.identifiers_page_size < 1:
            raise ValueError("page sizes must be at least 1")
        if not self.formats:
            raise ValueError("at least one metadata format is required")


class _Refused(Exception):
    """Raised inside a verb handler to answer with these errors."""

    def __init__(self, *errors: OaiError) -> None:
        super().__init__(errors)
        self.errors = errors


class OaiProvider:
    """Answers OAI-PMH requests from a :class:`FeedRepository`; thread-safe as long as
    the repository is (it keeps no state of its own between requests)."""

    def __init__(self, repository: FeedRepository, config: FeedConfig, clock: Clock) -> None:
        self.repository = repository
        self.config = config
        self._clock = clock
        self._formats = {f.prefix: f for f in config.formats}
        self._prefix = f"oai:{config.domain}:"
        self._escaped_prefix = text(self._prefix)
        self._handlers: dict[str, Callable[[Envelope, Request], list[str]]] = {
            IDENTIFY: self._identify,
            LIST_METADATA_FORMATS: self._list_metadata_formats,
            LIST_SETS: self._list_sets,
            GET_RECORD: self._get_record,
            LIST_IDENTIFIERS: self._list,
            LIST_RECORDS: self._list,
        }

    def identifier(self, work_id: str) -> str:
        """The OAI identifier of a work."""
        return self._prefix + work_id

    def respond_form(self, raw: str | bytes) -> list[str]:
        """Answer a raw query string or form-encoded body."""
        pairs = decode_form(raw)
        if isinstance(pairs, OaiError):
            now = utc_second(self._clock())
            return responses.error(Envelope(now, self.config.base_url), [pairs])
        return self.respond(pairs)

    def respond(self, pairs: Iterable[tuple[str, str]]) -> list[str]:
        """Answer a request given as (name, value) pairs; the response as string chunks."""
        now = utc_second(self._clock())
        request = parse_request(pairs)
        if isinstance(request, OaiError):
            return responses.error(Envelope(now, self.config.base_url), [request])
        envelope = Envelope(now, self.config.base_url, request.verb, request.arguments)
        try:
            return self._handlers[request.verb](envelope, request)
        except _Refused as refused:
            return responses.error(envelope, refused.errors)

    # -- verbs ----------------------------------------------------------------------

    def _identify(self, envelope: Envelope, request: Request) -> list[str]:
        earliest = self.repository.earliest_datestamp()
        info = RepositoryInfo(
            repository_name=self.config.repository_name,
            admin_emails=self.config.admin_emails,
            # An empty catalogue has nothing older than now.
            earliest_datestamp=utc_second(earliest or envelope.response_date),
            domain=self.config.domain,
            sample_identifier=self.identifier(self.config.sample_work_id),
        )
        return responses.identify(envelope, info)

    def _list_metadata_formats(self, envelope: Envelope, request: Request) -> list[str]:
        formats: Sequence[MetadataFormat] = self.config.formats
        if request.identifier is not None:
            record = self._record(request.identifier)
            if record is None:
                raise _Refused(_no_such_id(request.identifier))
            formats = [f for f in formats if f.applies(record)]
            if not formats:
                raise _Refused(OaiError(NO_METADATA_FORMATS,
                                        "no metadata formats are available for this item"))
        return responses.list_metadata_formats(envelope, formats)

    def _list_sets(self, envelope: Envelope, request: Request) -> list[str]:
        if request.resumption_token is not None:
            # ListSets answers in one response, so no token of ours can be valid here.
            raise _Refused(OaiError(BAD_RESUMPTION_TOKEN,
                                    "ListSets never issues resumption tokens"))
        sets = self.repository.list_sets()
        if not sets:
            raise _Refused(OaiError(NO_SET_HIERARCHY, "this repository has no sets"))
        return responses.list_sets(envelope, sets)

    def _get_record(self, envelope: Envelope, request: Request) -> list[str]:
        assert request.identifier is not None and request.metadata_prefix is not None
        errors: list[OaiError] = []
        fmt = self._formats.get(request.metadata_prefix)
        if fmt is None:
            errors.append(_cannot_disseminate(request.metadata_prefix))
        record = self._record(request.identifier)
        if record is None:
            errors.append(_no_such_id(request.identifier))
        if errors:
            raise _Refused(*errors)
        assert fmt is not None and record is not None
        if not fmt.applies(record):
            raise _Refused(_cannot_disseminate(fmt.prefix))
        return responses.get_record(envelope, self._escaped_prefix, record, fmt)

    def _list(self, envelope: Envelope, request: Request) -> list[str]:
        if request.resumption_token is not None:
            position = self._position(request.resumption_token, request.verb)
            fmt = self._formats.get(position.metadata_prefix)
            if fmt is None:  # a format withdrawn since the token was issued
                raise _Refused(_bad_token("the token's metadata format is no longer offered"))
            return self._page(envelope, fmt, position)
        assert request.metadata_prefix is not None
        fmt = self._formats.get(request.metadata_prefix)
        if fmt is None:
            raise _Refused(_cannot_disseminate(request.metadata_prefix))
        from_ = request.from_.start if request.from_ is not None else None
        # Pin the upper bound so later pages, and re-sent tokens, see the same list.
        until = envelope.response_date
        if request.until is not None:
            until = min(until, request.until.end)
        total = self.repository.count(from_=from_, until=until, set_spec=request.set_spec)
        if total == 0:
            raise _Refused(_no_records())
        start = ListPosition(
            verb=request.verb, metadata_prefix=fmt.prefix, from_=from_, until=until,
            set_spec=request.set_spec, after=None, cursor=0, complete_list_size=total,
        )
        return self._page(envelope, fmt, start)

    # -- helpers ----------------------------------------------------------------------

    def _page(self, envelope: Envelope, fmt: MetadataFormat,
              position: ListPosition) -> list[str]:
        records_wanted = position.verb == LIST_RECORDS
        size = (self.config.records_page_size if records_wanted
                else self.config.identifiers_page_size)
        after = position.after
        while True:
            # One more than a page tells whether another page follows.
            rows = self.repository.page(
                after=after, from_=position.from_, until=position.until,
                set_spec=position.set_spec, limit=size + 1,
                metadata_prefix=fmt.prefix if records_wanted else None,
            )
            more = len(rows) > size
            rows = rows[:size]
            if not rows:  # everything left changed since the token was issued
                raise _Refused(_no_records())
            shown = [r for r in rows if fmt.applies(r)]
            if shown or not more:
                break
            after = (rows[-1].datestamp, rows[-1].work_id)  # a page the format declines
        if not shown:
            raise _Refused(_no_records())
        token = self._token(position, (rows[-1].datestamp, rows[-1].work_id), len(shown), more)
        if records_wanted:
            return responses.list_records(envelope, self._escaped_prefix, shown, fmt, token)
        return responses.list_identifiers(envelope, self._escaped_prefix, shown, token)

    def _token(self, position: ListPosition, last: tuple[datetime, str], shown: int,
               more: bool) -> ResumptionToken | None:
        """The page's resumptionToken: the next position, or empty on the last page of a
        list that took several. completeListSize never claims less than was sent."""
        total = position.complete_list_size
        if more:
            after = ListPosition(
                verb=position.verb, metadata_prefix=position.metadata_prefix,
                from_=position.from_, until=position.until, set_spec=position.set_spec,
                after=last, cursor=position.cursor + shown, complete_list_size=total,
            )
            value = encode_token(after, self.config.secret)
            return ResumptionToken(value, position.cursor, max(total, position.cursor + shown + 1))
        if position.cursor == 0:
            return None  # the whole list fitted in one response
        return ResumptionToken("", position.cursor, max(total, position.cursor + shown))

    def _position(self, token: str, verb: str) -> ListPosition:
        try:
            position = decode_token(token, self.config.secret)
        except BadToken as exc:
            raise _Refused(_bad_token(str(exc))) from None
        if position.verb != verb:
            raise _Refused(_bad_token(f"the token belongs to {position.verb}, not {verb}"))
        return position

    def _record(self, identifier: str) -> FeedRecord | None:
        if not identifier.startswith(self._prefix):
            return None
        work_id = identifier[len(self._prefix):]
        if not _LOCAL_ID.fullmatch(work_id):
            return None
        return self.repository.get(work_id)


def _no_such_id(identifier: str) -> OaiError:
    return OaiError(ID_DOES_NOT_EXIST, f"{identifier} is unknown or illegal in this repository")


def _cannot_disseminate(prefix: str) -> OaiError:
    return OaiError(CANNOT_DISSEMINATE_FORMAT,
                    f"metadata format {prefix} is not supported by the item or the repository")


def _no_records() -> OaiError:
    return OaiError(NO_RECORDS_MATCH, "no records match the request's arguments")


def _bad_token(message: str) -> OaiError:
    return OaiError(BAD_RESUMPTION_TOKEN, message)
