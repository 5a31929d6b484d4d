"""Signing in and out of the staff pages, and the middleware that guards every page:
a live session (else to the sign-in page), the branch rule, and the CSRF token on every
form sent.

The sign-in form, before any session exists, is protected by a double-submit token: a
random value in an HttpOnly, SameSite=Strict cookie that the form must repeat.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Literal
from urllib.parse import quote

from aiohttp import web

from union.server.context import CONTEXT, ServerContext
from union.staff.accounts import StaffMember, authenticate
from union.staff.guard import ACTOR, Actor, BranchRefused, actor_of, check_branch
from union.staff.rendering import language_of, page
from union.staff.sessions import (
    OpenSession,
    close_session,
    csrf_matches,
    open_session,
    resume_session,
)
from union.staff.settings import SETTINGS, StaffSettings
from union.staff.throttle import throttle_key
from union.web.i18n import Translate

__all__ = ["PUBLIC", "SESSION_COOKIE", "page_guard", "routes"]

SESSION_COOKIE = "staf_sesi"
SIGN_IN_COOKIE = "staf_masuk"
#: Resources anyone may reach: the sign-in page and the stylesheet.
PUBLIC = frozenset({"staff.sign_in", "staff.sign_in_post", "staff.static"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()


@web.middleware
async def page_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through to its page only with a live session, for the session's own
    branch, and (when it sends a form) with the session's CSRF token."""
    if getattr(request.match_info.route.resource, "name", None) in PUBLIC:
        return await handler(request)
    actor = await _session_actor(request)
    t = Translate(language_of(request))
    if actor is None:
        if request.method in _SAFE:
            raise web.HTTPSeeOther(f"/staf/masuk?next={quote(request.path_qs)}")
        return _refusal(request, 401, t("Sesi berakhir", "Session ended"),
                        t("Silakan masuk lagi.", "Please sign in again."))
    try:
        check_branch(request, actor)
    except BranchRefused as refused:
        return _refusal(request, 403, t("Bukan cabang Anda", "Not your branch"),
                        t("Anda hanya dapat bertindak untuk {own}, bukan {other}.",
                          "You can act only for {own}, not {other}.",
                          own=actor.branch, other=refused.branch))
    if request.method not in _SAFE:
        form = await request.post()
        token = form.get("csrf")
        if not csrf_matches(actor.csrf_token, token if isinstance(token, str) else None):
            return _refusal(request, 403, t("Formulir ditolak", "Form refused"),
                            t("Formulir ini kedaluwarsa atau bukan dari halaman ini; muat "
                              "ulang halaman lalu coba lagi.", "This form is stale or did not "
                              "come from this site; reload the page and try again."))
    request[ACTOR] = actor
    return await handler(request)


@routes.get("/masuk", name="staff.sign_in")
async def sign_in_form(request: web.Request) -> web.Response:
    """The sign-in form, with a fresh double-submit token."""
    return _sign_in_page(request, 200, error=None)


@routes.post("/masuk", name="staff.sign_in_post")
async def sign_in(request: web.Request) -> web.StreamResponse:
    """Check the password (throttled per branch, name and address); open a session."""
    form = await request.post()
    fields = {k: str(form.get(k, "")) for k in ("branch", "username", "password", "csrf")}
    t = Translate(language_of(request))
    if not fields["csrf"] or not csrf_matches(request.cookies.get(SIGN_IN_COOKIE, ""),
                                              fields["csrf"]):
        return _sign_in_page(request, 403, t("Formulir kedaluwarsa; coba lagi.",
                                             "The form expired; try again."))
    context = request.config_dict[CONTEXT]
    settings = request.config_dict[SETTINGS]
    key = throttle_key(fields["branch"], fields["username"], request.remote or "")
    result = await asyncio.to_thread(_sign_in, context, settings, key, fields)
    if result == "blocked":
        return _sign_in_page(request, 429, t(
            "Terlalu banyak percobaan gagal; tunggu beberapa menit.",
            "Too many failed attempts; wait a few minutes."))
    if result is None:
        return _sign_in_page(request, 401, t("Cabang, nama pengguna atau kata sandi salah.",
                                             "Wrong branch, username or password."))
    response = web.HTTPSeeOther(_next(request.query.get("next"), result.member.branch))
    response.set_cookie(SESSION_COOKIE, result.session_id, httponly=True, samesite="Strict",
                        secure=_secure(request), path="/staf")
    response.del_cookie(SIGN_IN_COOKIE, path="/staf")
    raise response


@routes.post("/keluar", name="staff.sign_out")
async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session."""
    context = request.config_dict[CONTEXT]
    await asyncio.to_thread(_close, context, actor_of(request).session_id)
    response = web.HTTPSeeOther("/staf/masuk")
    response.del_cookie(SESSION_COOKIE, path="/staf")
    raise response


@routes.get("/", name="staff.index")
async def index(request: web.Request) -> web.StreamResponse:
    """The signed-in member's own branch."""
    raise web.HTTPSeeOther(f"/staf/{actor_of(request).branch}/")


def _sign_in(context: ServerContext, settings: StaffSettings, key: str,
             fields: dict[str, str]) -> OpenSession | Literal["blocked"] | None:
    now = context.clock()
    with context.store.write() as session:
        if settings.throttle.blocked(session, key, now):
            return "blocked"
        member: StaffMember | None = authenticate(
            session, settings.hasher, fields["branch"], fields["username"], fields["password"])
        if member is None:
            settings.throttle.failed(session, key, now)
            return None
        settings.throttle.succeeded(session, key)
        return open_session(session, member, now, settings.sessions)


def _close(context: ServerContext, session_id: str) -> None:
    with context.store.write() as session:
        close_session(session, session_id)


async def _session_actor(request: web.Request) -> Actor | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    context = request.config_dict[CONTEXT]
    policy = request.config_dict[SETTINGS].sessions

    def resume() -> OpenSession | None:
        with context.store.write() as session:
            return resume_session(session, session_id, context.clock(), policy)

    opened = await asyncio.to_thread(resume)
    if opened is None:
        return None
    member = opened.member
    return Actor(member.branch, member.username, "session", opened.csrf_token, session_id)


def _sign_in_page(request: web.Request, status: int, error: str | None) -> web.Response:
    token = secrets.token_urlsafe(32)
    context = request.config_dict[CONTEXT]
    response = page(request, "staff/sign_in.html", {
        "branches": context.federation.branches, "error": error, "csrf": token,
        "chosen": request.query.get("cabang", ""), "next": request.query.get("next", ""),
    }, status=status)
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="Strict",
                        secure=_secure(request), path="/staf")
    return response


def _refusal(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return page(request, "staff/refused.html", {"title": title, "reason": message},
                status=status)


def _next(wanted: str | None, branch: str) -> str:
    # Only a staff page of this site: never an address elsewhere.
    if wanted and wanted.startswith("/staf/"):
        return wanted
    return f"/staf/{branch}/"


def _secure(request: web.Request) -> bool:
    base = request.config_dict[CONTEXT].federation.union.base_url
    return request.secure or base.startswith("https://")
