"""SLiMS 9's two OAI-PMH endpoints, ``oai.php`` and ``oai2.php``, emulated for tests.

Each request is answered with the fixture file of ``shared/fixtures/slims`` captured for
its verb and token, exactly as captured. Where a capture stops, the gap is filled the way
the SLiMS 9 source code behaves (each such response is marked "synthesized" below): the
third ListIdentifiers page of the 255-record catalogue, the first page of a ``from``
listing (whose token then fails, as captured in ``oai2_from_p2.xml``), and ``oai.php``
paging when ``oai_page_size`` is set (offset tokens sent URL-encoded, decoded once, a
stray ``resumption`` text in the envelope).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote_plus

from tests.support.paths import SHARED

SLIMS_FIXTURES = SHARED / "fixtures" / "slims"


@dataclass(slots=True)
class SlimsEmulation:
    """Which captured state each SLiMS endpoint is in, and their responses to it."""

    catalogue: str = "small"  # "small": the 15-record captures; "large": the 255 one
    oai_page_size: int | None = None
    fixtures: Path = SLIMS_FIXTURES
    cache: dict[str, bytes] = field(default_factory=dict)

    def fixture(self, name: str) -> bytes:
        """The bytes of one captured response (read once)."""
        if name not in self.cache:
            self.cache[name] = (self.fixtures / name).read_bytes()
        return self.cache[name]

    # -- SLiMS 9: oai.php ---------------------------------------------------------------

    def oai_php(self, query: Mapping[str, str]) -> bytes:
        """The response of ``oai.php`` to a request with these arguments."""
        verb = query.get("verb", "")
        if verb == "ListRecords" and self.oai_page_size:
            return self._v1_page(query)
        names = {
            "Identify": "oai_verb_Identify.xml",
            "ListMetadataFormats": "oai_verb_ListMetadataFormats.xml",
            "ListSets": "oai_verb_ListSets.xml",
            "ListIdentifiers": "oai_verb_ListIdentifiers_metadataPrefix_oai_dc.xml",
            "ListRecords": "oai_verb_ListRecords_metadataPrefix_oai_dc.xml",
            "GetRecord": "oai_verb_GetRecord_identifier_oai_slims_1_metadataPrefix_oai_dc.xml",
        }
        if verb not in names:
            return _v1_envelope(
                '<request>http://127.0.0.1:8081/oai.php</request>\n'
                '<error code="badVerb">Illegal OAI verb</error>\n')
        # oai.php ignores from/until/set entirely, as its source shows.
        return self.fixture(names[verb])

    def _v1_page(self, query: Mapping[str, str]) -> bytes:
        """Synthesized: oai.php paging ListRecords as lib/oai-pmh.inc.php does."""
        page_size = self.oai_page_size or 100
        fixture = self.fixture("oai_verb_ListRecords_metadataPrefix_oai_dc.xml").decode()
        records = re.findall(r"<record>.*?</record>\n", fixture, flags=re.S)
        offset, prefix, resumed = 0, "oai_dc", False
        if "resumptionToken" in query:
            resumed = True
            # PHP's parse_str() on the once-decoded value: a token the client encoded a
            # second time has no "offset" key, and SLiMS silently starts again at 0.
            parsed = parse_qs(query["resumptionToken"])
            offset = int(parsed.get("offset", ["0"])[0] or 0)
            prefix = parsed.get("metadataPrefix", [prefix])[0]
        chunk = records[offset:offset + page_size]
        body = ("resumption" if resumed else "")  # the stray echo of the real oai.php
        body += (f'<request verb="ListRecords" metadataPrefix="{prefix}">'
                 "http://127.0.0.1:8081/oai.php</request>\n<ListRecords>\n" + "".join(chunk))
        next_offset = offset + page_size
        if len(records) > page_size and next_offset < len(records):
            token = quote_plus(f"offset={next_offset}&metadataPrefix={prefix}")
            body += (f'<resumptionToken completeListSize="{len(records)}">{token}'
                     "</resumptionToken>\n")
        body += "</ListRecords>\n"
        return _v1_envelope(body)

    # -- SLiMS 9: oai2.php --------------------------------------------------------------

    def oai2_php(self, query: Mapping[str, str]) -> bytes:
        """The response of ``oai2.php`` to a request with these arguments."""
        verb = query.get("verb", "")
        token = query.get("resumptionToken")
        simple = {
            "Identify": "oai2_verb_Identify.xml",
            "ListMetadataFormats": "oai2_verb_ListMetadataFormats.xml",
            "ListSets": "oai2_verb_ListSets.xml",
            "GetRecord": "oai2_verb_GetRecord_identifier_oai_slims_1_metadataPrefix_oai_dc.xml",
        }
        if verb in simple:
            return self.fixture(simple[verb])
        if verb == "ListRecords":
            if token is not None:
                return _v2_error(f"The resumptionToken '{token}' does not exist or has "
                                 "already expired.", "badResumptionToken", verb)
            if "from" in query and query["from"] > "2007-11-29T18:08:13Z":
                return _v2_error("The combination of the given values results in an "
                                 "empty list.", "noRecordsMatch", verb)
            return self.fixture("oai2_verb_ListRecords_metadataPrefix_oai_dc.xml")
        if verb == "ListIdentifiers":
            return self._v2_identifiers(query.get("from"), token)
        return _v2_error(f"The verb '{verb}' provided in the request is illegal.",
                         "badVerb", verb)

    def _v2_identifiers(self, from_: str | None, token: str | None) -> bytes:
        if self.catalogue == "small":
            if token is not None:
                return _v2_error("The resumptionToken does not exist or has already expired.",
                                 "badResumptionToken", "ListIdentifiers")
            return self.fixture("oai2_verb_ListIdentifiers_metadataPrefix_oai_dc.xml")
        if token is None and from_ is None:
            return self.fixture("oai2_li_p1.xml")
        if token == "100____oai_dc":
            return self.fixture("oai2_li_p2.xml")
        if token == "200____oai_dc":
            return self._v2_last_identifiers_page()
        if token is not None and "input_date" in token:
            # Captured: a token made under `from` fails on the next page.
            return self.fixture("oai2_from_p2.xml")
        if token is not None:
            return _v2_error(f"The resumptionToken '{token}' does not exist or has already "
                             "expired.", "badResumptionToken", "ListIdentifiers")
        return self._v2_from_first_page(from_ or "")

    def _large_headers(self) -> list[str]:
        headers: list[str] = []
        for name in ("oai2_li_p1.xml", "oai2_li_p2.xml"):
            text = self.fixture(name).decode()
            headers += re.findall(r"    <header>.*?</header>\n", text, flags=re.S)
        return headers

    def _v2_last_identifiers_page(self) -> bytes:
        """Synthesized: records 201-255, continuing the captured pattern (datestamps one
        hour apart per fifteen records, setSpecs cycling as captured), with the empty
        last token and cursor listrecords.php writes."""
        sets = ["2004", "2005", "2005", "2001", "2005", "2003", "2003", "2007", "2004", "2007",
                "2002", "1998", "2007", "2003", "1994"]
        parts = []
        for number in range(201, 256):
            hour = 9 + (number - 16) // 15
            stamp = f"2024-03-0{1 + hour // 24}T{hour % 24:02d}:00:00Z"
            parts.append(f"    <header>\n      <identifier>oai:127.0.0.1:8081:slims-{number}"
                         f"</identifier>\n      <datestamp>{stamp}</datestamp>\n      <setSpec>"
                         f"{sets[(number - 1) % 15]}</setSpec>\n    </header>\n")
        parts.append('    <resumptionToken completeListSize="255" cursor="200"/>\n')
        return _v2_list("ListIdentifiers", 'resumptionToken="200____oai_dc"', "".join(parts))

    def _v2_from_first_page(self, from_: str) -> bytes:
        """Synthesized: the first page of a ``from`` listing; its token carries the filter
        (and the next page then fails, as captured in oai2_from_p2.xml)."""
        since = from_.replace("T", " ").replace("Z", "")
        headers = [h for h in self._large_headers() if _stamp(h) >= since]
        if not headers:
            return _v2_error("The combination of the given values results in an empty list.",
                             "noRecordsMatch", "ListIdentifiers")
        total = len(headers) + 55
        token = "100__" + quote_plus(f" AND input_date >= '{since}'") + "__oai_dc"
        body = "".join(headers[:100]) + (
            f'    <resumptionToken expirationDate="2026-11-23GMT+0000GMT+00000" '
            f'completeListSize="{total}" cursor="100">{token}</resumptionToken>\n')
        return _v2_list("ListIdentifiers", f'metadataPrefix="oai_dc" from="{from_}"', body)


# -- response helpers -------------------------------------------------------------------


def _stamp(header: str) -> str:
    match = re.search(r"<datestamp>(.*?)</datestamp>", header)
    return match.group(1).replace("T", " ").replace("Z", "") if match else ""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _v1_envelope(body: str) -> bytes:
    # oai.php writes local time (WIB) labelled Z.
    local = datetime.now(UTC).timestamp() + 7 * 3600
    stamp = datetime.fromtimestamp(local, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{stamp}</responseDate>\n{body}</OAI-PMH>"
    ).encode()


def _v2_head(request_attrs: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?xml-stylesheet type="text/xsl" href="./oai2.xsl"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"  <responseDate>{_now()}</responseDate>\n"
        f"  <request {request_attrs}>http://127.0.0.1:8081/oai2.php</request>\n"
    )


def _v2_list(verb: str, request_attrs: str, body: str) -> bytes:
    return (_v2_head(f'verb="{verb}" {request_attrs}') + f"  <{verb}>\n{body}  </{verb}>\n"
            "</OAI-PMH>\n").encode()


def _v2_error(message: str, code: str, verb: str) -> bytes:
    return (_v2_head(f'verb="{verb}"') + f'  <error code="{code}">{message}</error>\n'
            "</OAI-PMH>\n").encode()
