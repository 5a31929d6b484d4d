"""The patron pages: home, search results, a work, its MARC view and exports.

Handlers are thin: the catalogue service (:mod:`union.catalogue`) answers, off the event
loop; this module turns its dataclasses into what the templates show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web

from union.catalogue import (
    BadParameter,
    SearchPage,
    WorkDetail,
    parse_search,
    parse_work_id,
    run_search,
    work_detail,
)
from union.feed.work_records import Branches
from union.search.engine import SearchQuery
from union.server.context import CONTEXT, ServerContext
from union.sync_node.catalogue import custody_of_displays
from union.web import exports
from union.web.i18n import COOKIE, LANGUAGES, Translate, choose_language
from union.web.labels import FACET_LABELS, facet_value_label, format_label, language_label
from union.web.links import Pairs, href, replaced, toggled, without
from union.web.templating import render
from union.works.explain import SIGNAL_LABELS

__all__ = ["WEB", "WebParts", "add_page_routes", "page_response"]

_SEARCH_PATH = "/cari"
# A year is long enough to remember a language choice.
_COOKIE_AGE = 365 * 24 * 3600
_FILTERS = ("local", "available", "branch", "year", "language", "format", "subject")


@dataclass(frozen=True, slots=True)
class WebParts:
    """What the pages share: the template environment, the stylesheet's URL (with its
    content digest, so it can be cached for ever), and the federation's branches."""

    environment: jinja2.Environment
    stylesheet: str
    branches: Branches


#: Where the application keeps its :class:`WebParts` (other page packages reuse them).
WEB = web.AppKey("web", WebParts)


def page_response(request: web.Request, name: str, values: Mapping[str, Any], *,
                  status: int = 200) -> web.Response:
    """Template ``name`` as an HTML response in the request's language, with the layout's
    values (``site``) beside ``values``; remembers a language chosen with ``?lang=``."""
    parts = request.app[WEB]
    context = request.app[CONTEXT]
    language = choose_language(request.query, request.cookies)
    pairs = _pairs(request)
    other = next(code for code in LANGUAGES if code != language)
    site = {
        "name": context.federation.union.name,
        "stylesheet": parts.stylesheet,
        "switch_url": href(request.path, replaced(pairs, "lang", other)),
        "query": request.query.get("q", "") if request.path == _SEARCH_PATH else "",
    }
    body = render(parts.environment, name, language, {**values, "site": site})
    response = web.Response(text=body, status=status, content_type="text/html")
    if request.query.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=_COOKIE_AGE, samesite="Lax",
                            httponly=True)
    response.headers["Content-Language"] = language
    # The language cookie chooses the text: a shared cache must not mix the two.
    response.headers["Vary"] = "Cookie"
    return response


def _pairs(request: web.Request) -> list[tuple[str, str]]:
    """The query string without the language choice (the cookie keeps that)."""
    return [(name, value) for name, value in request.query.items() if name != "lang"]


def _translate(request: web.Request) -> Translate:
    return Translate(choose_language(request.query, request.cookies))


async def home(request: web.Request) -> web.Response:
    """The search box, the local collection one click away, and the libraries with how
    many works each holds (counted by the index, not the store: cheap at any size)."""
    context = request.app[CONTEXT]
    names = request.app[WEB].branches.names
    query = SearchQuery(limit=0, facets=("branch", "local"), facet_limit=len(names) or 1)
    counts = await asyncio.to_thread(run_search, context.engine, query, names)
    works = {entry.value: entry.count for entry in counts.facets.get("branch", ())}
    local = {entry.value: entry.count for entry in counts.facets.get("local", ())}
    return page_response(request, "home.html", {
        "branches": [{"code": branch.code, "name": branch.name, "works": works.get(
            branch.code, 0)} for branch in context.federation.branches],
        "local_count": local.get("true", 0),
    })


async def search(request: web.Request) -> web.Response:
    """The results of the query string's search, with facets as links and paging."""
    context = request.app[CONTEXT]
    t = _translate(request)
    pairs = _pairs(request)
    names = request.app[WEB].branches.names
    heading = _heading(request.query.get("q", "").strip(), pairs, t)
    try:
        query = parse_search(pairs, names)
    except BadParameter as error:
        message = t(error.message_id, error.message_en)
        return page_response(request, "results.html", {
            **_empty_results(heading), "error": f"{error.parameter}: {message}"}, status=400)
    page = await asyncio.to_thread(run_search, context.engine, query, names)
    return page_response(request, "results.html", _results(page, pairs, names, heading, t))


def _heading(text: str, pairs: Pairs, t: Translate) -> str:
    if text:
        return t("Hasil pencarian “{q}”", "Search results for “{q}”", q=text)
    if ("local", "true") in pairs:
        return t("Koleksi lokal", "Local collection")
    return t("Semua karya", "All works")


def _empty_results(heading: str) -> dict[str, Any]:
    return {"heading": heading, "error": None, "total": 0, "hits": [], "facets": [],
            "chosen": [], "corrections": [], "kept": [], "sorts": [], "sort": "relevance",
            "pages": {"count": 0, "number": 1, "first": 1, "previous": None, "next": None}}


def _filter_pair(facet: str, value: str) -> tuple[str, str]:
    """The query-string pair that filters on one facet value."""
    if facet == "available" and value == "*":
        return ("available", "true")
    return (facet, value)


def _results(page: SearchPage, pairs: Pairs, names: Mapping[str, str], heading: str,
             t: Translate) -> dict[str, Any]:
    facets = []
    for facet in FACET_LABELS:
        values = []
        for entry in page.facets.get(facet, ()):
            if not entry.count:
                continue
            pair = _filter_pair(facet, entry.value)
            values.append({
                "label": facet_value_label(facet, entry.value, dict(names), t),
                "count": entry.count,
                "url": href(_SEARCH_PATH, toggled(pairs, *pair)),
                "chosen": pair in pairs,
            })
        if values:
            facets.append({"label": t(*FACET_LABELS[facet]), "entries": values,
                           "open": any(v["chosen"] for v in values)})
    chosen = []
    for name, value in pairs:
        if name in _FILTERS:
            facet_value = "*" if (name, value) == ("available", "true") else value
            chosen.append({
                "label": f"{t(*FACET_LABELS[name])}: "
                         f"{facet_value_label(name, facet_value, dict(names), t)}",
                "url": href(_SEARCH_PATH, without(pairs, name, value)),
            })
    hits = []
    for result in page.results:
        available = result.fields.get("available_branches") or ()
        hits.append({
            "id": result.id,
            "title": _marked(result.title, result.highlights),
            "subtitle": result.fields.get("subtitle"),
            "authors": result.fields.get("authors") or (),
            "year": result.fields.get("year"),
            "available": [names.get(code, code) for code in available],
        })
    number = page.page
    previous = (href(_SEARCH_PATH, replaced(pairs, "page", str(number - 1)))
                if number > 1 else None)
    following = (href(_SEARCH_PATH, replaced(pairs, "page", str(number + 1)))
                 if number < page.pages else None)
    sort = dict(pairs).get("sort", "relevance")
    return {
        "heading": heading,
        "error": None,
        "total": page.total,
        "hits": hits,
        "facets": facets,
        "chosen": chosen,
        "corrections": [word for words in page.corrections.values() for word in words],
        "kept": [(n, v) for n, v in pairs if n not in ("sort", "page")],
        "sort": sort,
        "sorts": [("relevance", t("Relevansi", "Relevance")),
                  ("year", t("Tahun terbaru", "Newest first")),
                  ("year_asc", t("Tahun terlama", "Oldest first")),
                  ("title", t("Judul", "Title"))],
        "pages": {"count": page.pages, "number": number, "first": page.offset + 1,
                  "previous": previous, "next": following},
    }


def _marked(title: str, ranges: tuple[tuple[int, int], ...]) -> list[tuple[str, bool]]:
    """The title cut into (text, matched the query) pieces, for <mark>."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(ranges):
        if start < at:
            continue
        pieces += [(title[at:start], False), (title[start:end], True)]
        at = end
    pieces.append((title[at:], False))
    return [piece for piece in pieces if piece[0]]


def not_found(request: web.Request, message: str, *, status: int = 404) -> web.Response:
    """The friendly page for a work or page that is not (or no longer) there."""
    return page_response(request, "not_found.html", {"message": message}, status=status)


async def _detail(request: web.Request) -> WorkDetail | web.Response:
    """The work the path names, or the response to give instead: a redirect to the
    survivor of a merged-away id, a friendly 404 or 410."""
    context: ServerContext = request.app[CONTEXT]
    t = _translate(request)
    try:
        work_id = parse_work_id(request.match_info["id"])
    except BadParameter:
        return not_found(request, t("Tidak ada karya dengan nomor itu.",
                                    "There is no work with that number."))

    def read() -> WorkDetail | None:
        with context.store.read() as session:
            return work_detail(session, context.federation, work_id, custody_of_displays)

    detail = await asyncio.to_thread(read)
    if detail is None:
        return not_found(request, t("Tidak ada karya dengan nomor itu.",
                                    "There is no work with that number."))
    if detail.redirected:
        rest = request.path.removeprefix(f"/karya/{request.match_info['id']}")
        raise web.HTTPMovedPermanently(href(f"/karya/{detail.id}{rest}", list(
            request.query.items())))
    if detail.record is None:
        return not_found(request, t("Karya ini sudah dihapus dari katalog.",
                                    "This work has been removed from the catalogue."),
                         status=410)
    return detail


async def work(request: web.Request) -> web.Response:
    """A work: holdings and availability per branch, description, evidence, exports."""
    detail = await _detail(request)
    if isinstance(detail, web.Response):
        return detail
    t = _translate(request)
    record = detail.record or {}
    names = request.app[WEB].branches.names
    return page_response(request, "work.html", {
        "work_id": detail.id,
        "work": {"title": record.get("title") or t("(tanpa judul)", "(untitled)"),
                 "subtitle": record.get("subtitle"),
                 "responsibility": record.get("responsibility")},
        "holdings": [{"name": h.name or h.code, "available": h.available, "total": h.copies,
                      "call_numbers": sorted({str(i["call_number"]) for i in h.items
                                              if i.get("call_number")})}
                     for h in detail.holdings],
        "description": _description(record, t),
        "subjects": [{"label": s, "url": href(_SEARCH_PATH, [("subject", s)])}
                     for s in record.get("subjects") or ()],
        "members": detail.members,
        "evidence": _evidence(detail, names, t),
    })


def _description(record: Mapping[str, Any], t: Translate) -> list[tuple[str, list[str]]]:
    agents = record.get("agents") or ()
    rows: list[tuple[str, list[str | None]]] = [
        (t("Pengarang", "Authors"), [a["name"] for a in agents]),
        (t("Edisi", "Edition"), [record.get("edition")]),
        (t("Penerbitan", "Publication"), [", ".join(str(v) for v in (
            record.get("place"), record.get("publisher"), record.get("year")) if v)]),
        (t("Deskripsi fisik", "Physical description"), [record.get("extent"),
                                                          record.get("dimensions")]),
        (t("Seri", "Series"), list(record.get("series") or ())),
        (t("Bahasa", "Language"), [language_label(c, t) for c in record.get("languages") or ()]),
        (t("Bentuk", "Format"), [format_label(record.get("format") or "book", t)]),
        ("ISBN", list(record.get("isbns") or ())),
        ("ISSN", list(record.get("issns") or ())),
        (t("Catatan", "Notes"), list(record.get("notes") or ())),
    ]
    return [(label, [v for v in values if v]) for label, values in rows if any(values)]


def _evidence(detail: WorkDetail, names: Mapping[str, str], t: Translate) -> list[str]:
    if len(detail.members) < 2 or detail.evidence is None:
        return []

    def named(member: str) -> str:
        code, _, local = member.partition(":")
        return f"{names.get(code, code)} ({local})"

    def agreeing(signals: tuple[str, ...]) -> str:
        # The labels read "Indonesian / English" (the ones alike in both, just one).
        side = -1 if t.language == "en" else 0
        return ", ".join(SIGNAL_LABELS.get(s, s).split(" / ")[side] for s in signals)

    lines = [t("{a} = {b}: skor {s:g}; yang sama: {why}", "{a} = {b}: score {s:g}; agreeing: {why}",
               a=named(m.a), b=named(m.b), s=m.score, why=agreeing(m.agreeing))
             for m in detail.evidence.matches]
    for kind, a, b in detail.evidence.overrides:
        if kind == "same":
            lines.append(t("Staf memutuskan {a} dan {b} satu karya",
                           "Staff decided {a} and {b} are one work", a=named(a), b=named(b)))
        else:
            lines.append(t("Staf memutuskan {a} dan {b} jangan digabung",
                           "Staff decided never to merge {a} and {b}", a=named(a), b=named(b)))
    return lines


async def marc_view(request: web.Request) -> web.Response:
    """The work's MARC record, field by field."""
    detail = await _detail(request)
    if isinstance(detail, web.Response):
        return detail
    record = exports.marc_record(detail.id, detail.datestamp, detail.record or {},
                                 request.app[WEB].branches)
    return page_response(request, "marc.html", {
        "work_id": detail.id,
        "title": (detail.record or {}).get("title", ""),
        "fields": [(line.tag, line.indicators, line.content)
                   for line in exports.marc_lines(record)],
    })


async def export(request: web.Request) -> web.Response:
    """The work as a download: ``ekspor.mrc`` (ISO 2709), ``.xml`` (MARCXML), ``.ris``."""
    detail = await _detail(request)
    if isinstance(detail, web.Response):
        return detail
    parts = request.app[WEB]
    record = detail.record or {}
    kind = request.match_info["kind"]
    filename = f"karya-{detail.id}.{kind}"
    if kind == "mrc":
        body = exports.marc_record(detail.id, detail.datestamp, record, parts.branches).as_marc()
        response = web.Response(body=body, content_type="application/marc")
    elif kind == "xml":
        text = exports.marcxml(detail.id, detail.datestamp, record, parts.branches)
        response = web.Response(text=text, content_type="application/marcxml+xml")
    else:
        text = exports.ris(detail.id, record, request.app[CONTEXT].federation.union.base_url,
                           parts.branches.names)
        response = web.Response(text=text, content_type="application/x-research-info-systems")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def add_page_routes(app: web.Application) -> None:
    """The patron pages' routes."""
    app.router.add_get("/", home)
    app.router.add_get(_SEARCH_PATH, search)
    app.router.add_get(r"/karya/{id}", work)
    app.router.add_get(r"/karya/{id}/marc", marc_view)
    app.router.add_get(r"/karya/{id}/ekspor.{kind:mrc|xml|ris}", export)
