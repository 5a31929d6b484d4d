"""Four third-party OAI-PMH harvesters, each run against a feed URL: (identifier,
deleted) of every record or header it harvested, in the order it got them."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime

from oaipmh.client import Client
from oaipmh.metadata import MetadataReader, MetadataRegistry, oai_dc_reader
from sickle import Sickle

from union.feed.datestamps import format_utc

Harvested = list[tuple[str, bool]]
HARVESTERS = ("sickle", "oaipmh", "oai_pmh", "catmandu")
_PERL_HEADER = re.compile(r"identifier: (oai:\S+)\ndatestamp: \S+\nstatus: (\w*)")
# oaipmh needs a reader per prefix; the harvest is counted, so the MARC reader reads the 001.
_MARC_READER = MetadataReader(fields={"id": ("textList", "marc:record/marc:controlfield"
                                                         "[@tag='001']/text()")},
                              namespaces={"marc": "http://www.loc.gov/MARC21/slim"})


def harvest(harvester: str, url: str, prefix: str, *, from_: datetime | None = None,
            until: datetime | None = None, set_spec: str | None = None) -> Harvested:
    """ListRecords with ``harvester``; the records it reports."""
    args = {"from": from_ and format_utc(from_), "until": until and format_utc(until),
            "set": set_spec}
    args = {name: value for name, value in args.items() if value}
    return _RUN[harvester](url, prefix, args)


def _sickle(url: str, prefix: str, args: dict[str, str]) -> Harvested:
    try:
        records = Sickle(url, max_retries=0).ListRecords(metadataPrefix=prefix,
                                                        ignore_deleted=False, **args)
        return [(r.header.identifier, r.header.deleted) for r in records]
    except Exception as exc:  # sickle raises NoRecordsMatch for an empty list
        if type(exc).__name__ == "NoRecordsMatch":
            return []
        raise


def _oaipmh(url: str, prefix: str, args: dict[str, str]) -> Harvested:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    registry.registerReader("marc21", _MARC_READER)
    client = Client(url, registry)
    kwargs: dict[str, object] = {"metadataPrefix": prefix}
    for name, value in args.items():
        kwargs["from_" if name == "from" else name] = (
            datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
            if name in ("from", "until") else value)
    try:
        return [(header.identifier(), header.isDeleted())
                for header, _, _ in client.listRecords(**kwargs)]
    except Exception as exc:
        if type(exc).__name__ == "NoRecordsMatchError":
            return []
        raise


def _oai_pmh(url: str, prefix: str, args: dict[str, str]) -> Harvested:
    command = ["oai_pmh", "--metadataPrefix", prefix]
    for name, value in args.items():
        command += [f"--{name}", value]
    # oai_pmh prints metadata in Perl's native encoding: only the headers are read here.
    done = subprocess.run([*command, url], capture_output=True, encoding="utf-8",
                          errors="replace", timeout=300, check=False)
    if "noRecordsMatch" in done.stderr:
        return []
    assert done.returncode == 0, done.stderr
    return [(identifier, status == "deleted")
            for identifier, status in _PERL_HEADER.findall(done.stdout)]


def _catmandu(url: str, prefix: str, args: dict[str, str]) -> Harvested:
    handler = "oai_dc" if prefix == "oai_dc" else "marcxml"
    command = ["catmandu", "convert", "OAI", "--url", url, "--metadataPrefix", prefix,
               "--handler", handler]
    for name, value in args.items():
        command += [f"--{name}", value]
    done = subprocess.run([*command, "to", "JSON", "--line_delimited", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    # oai_dc records carry the OAI identifier in _id, MARC ones in _identifier (_id is 001).
    return [(r.get("_identifier", r["_id"]), r.get("_status") == "deleted") for r in records]


_RUN = {"sickle": _sickle, "oaipmh": _oaipmh, "oai_pmh": _oai_pmh, "catmandu": _catmandu}
