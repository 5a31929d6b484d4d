"""OAI-PMH dates: the two legal datestamp granularities, parsing and formatting (pure)."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SECOND = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")


class Granularity(enum.Enum):
    """The finest datestamp unit a repository understands in ``from``/``until``."""

    DAY = "YYYY-MM-DD"
    SECOND = "YYYY-MM-DDThh:mm:ssZ"

    @property
    def unit(self) -> timedelta:
        """One unit of this granularity (the incremental overlap)."""
        return timedelta(days=1) if self is Granularity.DAY else timedelta(seconds=1)

    @classmethod
    def from_identify(cls, text: str | None) -> Granularity:
        """The granularity an Identify response declares; DAY when absent or unknown.

        Every repository must accept day granularity, and it gives the larger overlap, so
        it is the safe fallback.
        """
        return cls.SECOND if (text or "").strip() == cls.SECOND.value else cls.DAY


def parse_utc(text: str) -> datetime:
    """Parse a strict OAI-PMH UTC datestamp (day or second granularity) to an aware datetime.

    Raises ValueError for anything else (offsets, fractions, a missing ``Z``).
    """
    text = text.strip()
    if len(text) == 20 and text[19] == "Z" and text[10] == "T" and text[:19].isascii():
        # The common case, without the regex: fromisoformat checks the digits.
        try:
            moment = datetime.fromisoformat(text[:19])
        except ValueError:
            pass
        else:
            if text[4] + text[7] + text[13] + text[16] == "--::":
                return moment.replace(tzinfo=UTC)
    match = _SECOND.match(text)
    if match:
        y, mo, d, h, mi, s = (int(g) for g in match.groups())
        return datetime(y, mo, d, h, mi, s, tzinfo=UTC)
    match = _DAY.match(text)
    if match:
        y, mo, d = (int(g) for g in match.groups())
        return datetime(y, mo, d, tzinfo=UTC)
    raise ValueError(f"not an OAI-PMH UTC datestamp: {text!r}")


def format_datestamp(moment: datetime, granularity: Granularity) -> str:
    """Format an aware datetime as a ``from``/``until`` argument of the given granularity."""
    moment = moment.astimezone(UTC)
    if granularity is Granularity.DAY:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_utc(moment: datetime) -> str:
    """Seconds-granularity UTC text, for checkpoints and responses."""
    return format_datestamp(moment, Granularity.SECOND)


def incremental_from(watermark: datetime, granularity: Granularity) -> str:
    """The ``from`` of an incremental harvest: the watermark minus one unit of granularity.

    The unit of overlap covers records stamped in the same second (or day) as the previous
    harvest's ``responseDate`` but committed after the server answered.
    """
    return format_datestamp(watermark - granularity.unit, granularity)


def parse_http_date(text: str | None) -> datetime | None:
    """An HTTP-date header (``Date``, ``Retry-After``) as an aware UTC datetime, or None."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_now() -> datetime:
    """The default clock: now, aware, in UTC."""
    return datetime.now(UTC)
