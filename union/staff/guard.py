"""Who is asking, and the one rule of the staff interfaces: a staff member or token of one
branch acts only for that branch.

Every staff route that reads or changes a branch's work names the branch in its path
(``/staf/{branch}/...``, ``/api/staf/{branch}/...``); :func:`check_branch` is the single
place that compares it with the branch of whoever is asking, and both middlewares call it
before any handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web

__all__ = ["ACTOR", "Actor", "BranchRefused", "actor_of", "check_branch"]


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in staff member (``via`` "session") or a script's token (``via`` "token"),
    acting for ``branch``. ``csrf_token`` is the session's synchronizer token."""

    branch: str
    name: str
    via: Literal["session", "token"]
    csrf_token: str = ""
    session_id: str = ""


#: Where the middlewares leave the :class:`Actor` on the request.
ACTOR = web.RequestKey("staff_actor", Actor)


class BranchRefused(Exception):
    """The path names a branch other than the actor's."""

    def __init__(self, actor: Actor, branch: str) -> None:
        super().__init__(f"{actor.name} of {actor.branch} may not act for {branch}")
        self.actor = actor
        self.branch = branch


def check_branch(request: web.Request, actor: Actor) -> None:
    """Raise :class:`BranchRefused` unless the route's ``{branch}`` is the actor's own."""
    branch = request.match_info.get("branch")
    if branch is not None and branch != actor.branch:
        raise BranchRefused(actor, branch)


def actor_of(request: web.Request) -> Actor:
    """The actor the middleware found for this request."""
    return request[ACTOR]
