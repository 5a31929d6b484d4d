"""Staff pages look and speak like the catalogue: the patron templates' environment,
base layout and Indonesian-first translation function, with the staff templates first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from union.server.context import CONTEXT
from union.web.i18n import COOKIE, LANGUAGES, choose_language
from union.web.links import href, replaced
from union.web.templating import make_environment, render

__all__ = ["ENVIRONMENT", "STYLESHEET", "language_of", "page"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent.parent / "web" / "static"
#: The catalogue's stylesheet, served by the staff application from the catalogue's folder.
STYLESHEET = "/staf/static/style.css"

ENVIRONMENT: web.AppKey[jinja2.Environment] = web.AppKey("staff_templates", jinja2.Environment)


@dataclass(frozen=True, slots=True)
class Site:
    """What ``base.html`` reads about the site and the page."""

    name: str
    stylesheet: str
    switch_url: str
    query: str = ""


def environment() -> jinja2.Environment:
    """The staff templates over the catalogue's."""
    return make_environment(TEMPLATES)


def language_of(request: web.Request) -> str:
    """The page language, as the catalogue chooses it."""
    return choose_language(request.query, request.cookies)


def page(request: web.Request, name: str, values: Mapping[str, Any],
         status: int = 200) -> web.Response:
    """Template ``name`` as an HTML response in the request's language; a ``?lang=``
    choice is remembered in the catalogue's cookie."""
    language = language_of(request)
    other = LANGUAGES[1] if language == LANGUAGES[0] else LANGUAGES[0]
    switch = href(request.path, replaced(list(request.query.items()), "lang", other))
    context = request.config_dict[CONTEXT]
    site = Site(context.federation.union.name, STYLESHEET, switch)
    html = render(request.config_dict[ENVIRONMENT], name, language, {**values, "site": site})
    response = web.Response(text=html, content_type="text/html", status=status)
    if request.query.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, language, httponly=True, samesite="Lax", path="/")
    # Staff pages hold branch business: never cached, never framed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response
