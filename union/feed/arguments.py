"""Parse and check one OAI-PMH request's arguments (protocol sections 3.1 and 4).

Pure: a list of (name, value) pairs in, a :class:`Request` or an :class:`OaiError` out.
Values are checked against the syntax the response schema gives them, so that whatever
is echoed in the response's ``<request>`` element is valid there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from union.feed.datestamps import DatestampError, UtcArgument, parse_utc
from union.feed.errors import BAD_ARGUMENT, BAD_VERB, OaiError
from union.feed.xmltext import is_xml_safe

IDENTIFY = "Identify"
LIST_METADATA_FORMATS = "ListMetadataFormats"
LIST_SETS = "ListSets"
GET_RECORD = "GetRecord"
LIST_IDENTIFIERS = "ListIdentifiers"
LIST_RECORDS = "ListRecords"

_LIST = frozenset({"metadataPrefix", "from", "until", "set"})
# verb -> (required, optional); resumptionToken is exclusive wherever it is allowed.
_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    IDENTIFY: (frozenset(), frozenset()),
    LIST_METADATA_FORMATS: (frozenset(), frozenset({"identifier"})),
    LIST_SETS: (frozenset(), frozenset({"resumptionToken"})),
    GET_RECORD: (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    LIST_IDENTIFIERS: (frozenset({"metadataPrefix"}), _LIST | {"resumptionToken"}),
    LIST_RECORDS: (frozenset({"metadataPrefix"}), _LIST | {"resumptionToken"}),
}
VERBS = frozenset(_ARGUMENTS)

# The schema's patterns for metadataPrefix and setSpec (OAI-PMH.xsd).
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
# An identifier is an anyURI: no whitespace and none of the characters a URI may not hold.
_URI = re.compile(r"[^\s<>\"{}|\\^`]+")
MAX_VALUE_LENGTH = 2048
MAX_FIELDS = 64


@dataclass(frozen=True, slots=True)
class Request:
    """One checked request. ``arguments`` are the pairs to echo in ``<request>``, in the
    order received; the other fields are those the verb takes (None when not given)."""

    verb: str
    arguments: tuple[tuple[str, str], ...]
    identifier: str | None = None
    metadata_prefix: str | None = None
    from_: UtcArgument | None = None
    until: UtcArgument | None = None
    set_spec: str | None = None
    resumption_token: str | None = None


def decode_form(raw: str | bytes) -> list[tuple[str, str]] | OaiError:
    """Split a query string or an application/x-www-form-urlencoded body into pairs.

    Blank values are kept (``from=`` is an illegal value, not an absent one); bytes that
    are not UTF-8 are a badArgument rather than silently replaced.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return parse_qsl(text, keep_blank_values=True, errors="strict",
                         max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        return OaiError(BAD_ARGUMENT, f"the request cannot be decoded: {exc}")


def parse_request(pairs: Iterable[tuple[str, str]]) -> Request | OaiError:
    """Check the verb and its arguments; the first problem found is returned."""
    pairs = tuple(pairs)
    verbs = [value for name, value in pairs if name == "verb"]
    if not verbs:
        return OaiError(BAD_VERB, "the verb argument is missing")
    if len(verbs) > 1:
        return OaiError(BAD_VERB, "the verb argument is repeated")
    verb = verbs[0]
    if verb not in _ARGUMENTS:
        return OaiError(BAD_VERB, "the value of the verb argument is not a legal OAI-PMH verb")
    required, optional = _ARGUMENTS[verb]
    names = Counter(name for name, _ in pairs if name != "verb")
    problem = _check_names(verb, names, required, optional)
    if problem is not None:
        return OaiError(BAD_ARGUMENT, problem)
    values = {name: value for name, value in pairs if name != "verb"}
    for name, value in values.items():
        if len(value) > MAX_VALUE_LENGTH or not is_xml_safe(value):
            return OaiError(BAD_ARGUMENT, f"the value of {name} is too long or not text")
    return _typed(verb, pairs, values)


def _check_names(verb: str, names: Counter[str], required: frozenset[str],
                 optional: frozenset[str]) -> str | None:
    unknown = sorted(set(names) - required - optional)
    if unknown:
        return f"{verb} does not take the argument(s) {', '.join(unknown)}"
    repeated = sorted(name for name, count in names.items() if count > 1)
    if repeated:
        return f"argument(s) {', '.join(repeated)} repeated"
    if "resumptionToken" in names:
        if len(names) > 1:
            return "resumptionToken is an exclusive argument: send it alone with the verb"
        return None
    missing = sorted(required - set(names))
    if missing:
        return f"{verb} requires the argument(s) {', '.join(missing)}"
    return None


def _typed(verb: str, pairs: tuple[tuple[str, str], ...],
           values: dict[str, str]) -> Request | OaiError:
    identifier = values.get("identifier")
    if identifier is not None and not _URI.fullmatch(identifier):
        return OaiError(BAD_ARGUMENT, "identifier is not a URI")
    prefix = values.get("metadataPrefix")
    if prefix is not None and not _PREFIX.fullmatch(prefix):
        return OaiError(BAD_ARGUMENT, "metadataPrefix has characters a prefix may not have")
    set_spec = values.get("set")
    if set_spec is not None and not _SET_SPEC.fullmatch(set_spec):
        return OaiError(BAD_ARGUMENT, "set is not a legal setSpec")
    try:
        from_ = parse_utc(values["from"]) if "from" in values else None
        until = parse_utc(values["until"]) if "until" in values else None
    except DatestampError as exc:
        return OaiError(BAD_ARGUMENT, str(exc))
    if from_ is not None and until is not None:
        if from_.granularity != until.granularity:
            return OaiError(BAD_ARGUMENT, "from and until must have the same granularity")
        if from_.start > until.start:
            return OaiError(BAD_ARGUMENT, "from is later than until")
    return Request(
        verb=verb,
        arguments=tuple(pair for pair in pairs if pair[0] != "verb"),
        identifier=identifier,
        metadata_prefix=prefix,
        from_=from_,
        until=until,
        set_spec=set_spec,
        resumption_token=values.get("resumptionToken"),
    )
