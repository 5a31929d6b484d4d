"""Argument checking, pure: typed requests out, and whatever arrives, a response that is
valid OAI-PMH."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.union.feed.conftest import identifier
from tests.union.feed.oai_client import assert_valid
from union.feed.arguments import Request, decode_form, parse_request
from union.feed.datestamps import DAY, SECOND
from union.feed.errors import BAD_ARGUMENT, BAD_VERB, OaiError
from union.feed.provider import OaiProvider


def test_a_list_request_is_typed() -> None:
    request = parse_request([("verb", "ListRecords"), ("set", "branch:KOTA"),
                             ("metadataPrefix", "marc21"), ("from", "2024-01-01"),
                             ("until", "2024-02-01")])
    assert isinstance(request, Request)
    assert request.metadata_prefix == "marc21" and request.set_spec == "branch:KOTA"
    assert request.from_.granularity == request.until.granularity == DAY
    # Echoed in the order received.
    assert request.arguments == (("set", "branch:KOTA"), ("metadataPrefix", "marc21"),
                                 ("from", "2024-01-01"), ("until", "2024-02-01"))


def test_from_equal_to_until_is_allowed() -> None:
    request = parse_request([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"),
                             ("from", "2024-01-01T00:00:00Z"),
                             ("until", "2024-01-01T00:00:00Z")])
    assert isinstance(request, Request) and request.until.granularity == SECOND


def test_a_resumption_token_alone_is_enough() -> None:
    request = parse_request([("verb", "ListRecords"), ("resumptionToken", "x")])
    assert isinstance(request, Request) and request.metadata_prefix is None


def test_the_verb_is_checked_before_the_arguments() -> None:
    assert parse_request([("verb", "Nope"), ("bogus", "1")]) == OaiError(
        BAD_VERB, "the value of the verb argument is not a legal OAI-PMH verb")


def test_decode_form_keeps_blank_values_and_decodes_once() -> None:
    assert decode_form("verb=ListRecords&from=&set=a%3Ab&x=%2526") == [
        ("verb", "ListRecords"), ("from", ""), ("set", "a:b"), ("x", "%26")]
    assert decode_form(b"verb=Identify+") == [("verb", "Identify ")]
    assert isinstance(decode_form(b"verb=\xff"), OaiError)
    assert decode_form("&".join(["a=1"] * 100)).code == BAD_ARGUMENT


NAMES = st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set",
                         "resumptionToken", "bogus", "Verb", ""])
VALUES = st.one_of(
    st.sampled_from(["Identify", "ListMetadataFormats", "ListSets", "GetRecord",
                     "ListIdentifiers", "ListRecords", "oai_dc", "marc21", "mods",
                     "2024-01-02", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.1Z",
                     "branch", "branch:KOTA", "local", identifier("w00003"), "",
                     "oai:x.org:1"]),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_every_request_gets_a_valid_response(provider: OaiProvider,
                                             oai_schema: etree.XMLSchema,
                                             pairs: list[tuple[str, str]]) -> None:
    root = assert_valid(oai_schema, "".join(provider.respond(pairs)))
    request = root[1]
    errors = {e.get("code") for e in root.iterfind("{*}error")}
    if errors & {BAD_VERB, BAD_ARGUMENT}:
        assert request.attrib == {}
