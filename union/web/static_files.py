"""The stylesheet and other static files, cacheable for ever under a digest-stamped URL.

Pages link ``/static/NAME?v=DIGEST``; a request with the current digest is cached for a
year (``immutable``), any other for an hour, so a changed file reaches patrons at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web

__all__ = ["STATIC", "StaticFiles"]

#: This package's static folder.
STATIC = Path(__file__).parent / "static"
_FOR_EVER = "public, max-age=31536000, immutable"
_A_WHILE = "public, max-age=3600"
_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
          ".ico": "image/x-icon"}


class StaticFiles:
    """The files of one folder, read once, served from memory (they are a few KB)."""

    def __init__(self, folder: Path = STATIC) -> None:
        self._files = {path.name: path.read_bytes() for path in folder.iterdir()
                       if path.is_file() and path.suffix in _TYPES}
        self._digests = {name: hashlib.sha256(body).hexdigest()[:12]
                         for name, body in self._files.items()}

    def url(self, name: str) -> str:
        """The cache-forever URL of file ``name``."""
        return f"/static/{name}?v={self._digests[name]}"

    async def handle(self, request: web.Request) -> web.Response:
        """Serve ``/static/{name}``."""
        name = request.match_info["name"]
        body = self._files.get(name)
        if body is None:
            raise web.HTTPNotFound()
        digest = self._digests[name]
        etag = f'"{digest}"'
        cache = _FOR_EVER if request.query.get("v") == digest else _A_WHILE
        headers = {"Cache-Control": cache, "ETag": etag}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers,
                            content_type=_TYPES[Path(name).suffix])
