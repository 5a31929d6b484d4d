"""Server profiles: how to read one kind of OAI-PMH server.

Real servers are quirky. Each quirk is accepted only by the profile of the server that has
it, so the default ``standard`` profile stays strict for everyone else.

``slims`` copes with both SLiMS 9 endpoints (``oai.php`` and ``oai2.php``), as captured in
the shared fixtures and as their source code shows:

* Datestamps are the database's naive local time: ``oai2.php`` prints them with a ``Z``
  as if they were UTC, ``oai.php`` prints ``2007-11-29 16:13:11`` in ListIdentifiers and
  none at all in ListRecords headers. The profile reads both forms as wall-clock time in
  the library's zone (WIB, UTC+7, by default) and tolerates a missing one.
* ``oai.php`` writes local time labelled ``Z`` in ``responseDate`` too (``oai2.php``
  uses real UTC), so the profile takes the server's clock from the HTTP ``Date`` header,
  which the web server always writes in GMT.
* ``oai2.php`` resumption tokens carry the ``from``/``until`` filter, and a token made
  under ``from`` fails on the next page with ``noRecordsMatch`` (fixture
  ``oai2_from_p2.xml``): an incremental harvest would end early and silently lose
  records. ``oai.php`` ignores ``from`` altogether. Deleted books simply vanish from both.
  So SLiMS is always harvested in full, without ``from``: each harvest is a full listing,
  which is what lets the catalogue mark vanished records deleted, and unchanged records
  cost nothing downstream because their content hash is unchanged. SLiMS catalogues are
  village-sized (thousands of records), so a full pass takes seconds.
* ``oai.php`` sends its resumption token already URL-encoded (``offset%3D100...``) and
  decodes it only once, so the token is sent back verbatim instead of encoded again
  (encoded twice, the server silently restarts at offset 0).
* The cursor runs one page ahead on ``oai2.php`` and is absent on ``oai.php``; no
  profile uses the cursor.
* oai_dc holds DCMI Terms refinements, ``dc:identifier_isbn`` and an ``<image>``
  element. The profile accepts them and passes the metadata on as sent: those elements
  carry the ISBN, the edition and the item barcodes, which the catalogue's Dublin Core
  reader interprets (see :mod:`.dublin_core`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from lxml import etree

from harvesters.oai.dates import Granularity, parse_utc
from harvesters.oai.dublin_core import check_oai_dc, check_oai_dc_root

_LOCAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})Z?)?$")
WIB = timedelta(hours=7)


@dataclass(frozen=True, slots=True)
class ServerProfile:
    """How the harvester reads one kind of server.

    ``parse_datestamp`` turns a header datestamp into an aware UTC datetime (ValueError if
    it cannot). ``require_datestamp`` skips records without a readable one; otherwise they
    get None. ``incremental`` allows ``from`` harvests; without it every harvest is a full
    listing. ``granularity`` overrides what Identify declares. ``response_date_from_http``
    takes the server clock from the HTTP ``Date`` header. ``oai_dc`` checks oai_dc
    metadata (returning the element to keep), raising ValueError to skip a record.
    ``preencoded_tokens`` sends resumption tokens verbatim.
    """

    name: str
    parse_datestamp: Callable[[str], datetime] = parse_utc
    require_datestamp: bool = True
    incremental: bool = True
    granularity: Granularity | None = None
    response_date_from_http: bool = False
    oai_dc: Callable[[etree._Element], etree._Element] = check_oai_dc
    preencoded_tokens: bool = False


STANDARD = ServerProfile("standard")


def local_time_parser(utc_offset: timedelta) -> Callable[[str], datetime]:
    """A datestamp parser reading naive (or falsely ``Z``-labelled) local wall time."""
    zone = timezone(utc_offset)

    def parse(text: str) -> datetime:
        match = _LOCAL.match(text.strip())
        if not match:
            raise ValueError(f"not a SLiMS datestamp: {text!r}")
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        # MySQL's zero date (0000-00-00) raises here, as it should.
        return datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(UTC)

    return parse


def slims(utc_offset: timedelta = WIB) -> ServerProfile:
    """The SLiMS 9 profile; ``utc_offset`` is the library's zone (WIB +7, WITA +8, WIT +9)."""
    return ServerProfile(
        name="slims",
        parse_datestamp=local_time_parser(utc_offset),
        require_datestamp=False,
        incremental=False,
        response_date_from_http=True,
        oai_dc=check_oai_dc_root,
        preencoded_tokens=True,
    )


_FACTORIES: dict[str, Callable[[], ServerProfile]] = {
    "standard": lambda: STANDARD,
    "slims": slims,
}
PROFILE_NAMES = tuple(_FACTORIES)


def get_profile(profile: str | ServerProfile) -> ServerProfile:
    """The profile of this name (or the profile itself); ValueError for an unknown name."""
    if isinstance(profile, ServerProfile):
        return profile
    try:
        return _FACTORIES[profile]()
    except KeyError:
        known = ", ".join(PROFILE_NAMES)
        raise ValueError(f"unknown OAI-PMH server profile {profile!r} (known: {known})") from None
