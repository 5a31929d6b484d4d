"""The federation file: one TOML file describing the union node and its branches.

Loading is strict: a wrong file raises :class:`ConfigError` naming the key and the problem,
so staff who edit it by hand learn exactly what to fix. Relative paths are resolved against
the file's folder; ``${NAME}`` in a string value is taken from the environment (secrets).
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BRANCH_KINDS = ("city", "village")
SOURCE_TYPES = ("oai-pmh", "marc-file")
MARC_FILE_FORMATS = ("iso2709", "marcxml")
OAI_PROFILES = ("standard", "slims")
SEARCH_ENGINES = ("tantivy", "whoosh")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    """The federation file is wrong; the message names the key and the problem."""

    def __init__(self, key: str, problem: str, path: Path | None = None) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class OaiSource:
    """A branch published over OAI-PMH."""

    url: str
    metadata_prefix: str = "oai_dc"
    set_spec: str | None = None
    profile: str = "standard"
    type: str = "oai-pmh"


@dataclass(frozen=True, slots=True)
class MarcFileSource:
    """A branch that hands over MARC files (a path, or a URL it publishes them at).

    ``encoding`` names the code page of ISO 2709 records that are neither UTF-8 nor
    MARC-8 (an old system's cp1252 or cp1251 export); None reads them as MARC-8."""

    location: str
    format: str = "iso2709"
    type: str = "marc-file"
    encoding: str | None = None

    @property
    def is_url(self) -> bool:
        """True when the file is fetched over HTTP rather than read from disk."""
        return self.location.startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class Schedule:
    """When ``serve`` harvests the branch: every ``interval_minutes``; a full
    identifier listing every ``reconcile_days`` (0 = never) to catch silent deletions."""

    interval_minutes: int = 1440
    reconcile_days: int = 7


@dataclass(frozen=True, slots=True)
class Branch:
    """One member library and its harvest source."""

    code: str
    name: str
    kind: str
    source: OaiSource | MarcFileSource
    district: str | None = None
    schedule: Schedule = field(default_factory=Schedule)


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """A local OAI-PMH feed the demo starts in-process, standing in for a branch's SLiMS."""

    port: int
    marc_path: Path
    page_size: int = 100


@dataclass(frozen=True, slots=True)
class UnionNode:
    """The union catalogue's own node."""

    name: str
    database: str
    index: Path
    base_url: str
    oai_domain: str
    admin_email: str
    harvest_concurrency: int = 4
    search_engine: str = "tantivy"


@dataclass(frozen=True, slots=True)
class LocalContent:
    """The federation's own region: works whose subjects (or titles) name one of these
    places or subjects form the local-content collection (a search facet, an OAI set)."""

    places: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """The union catalogue's own OAI-PMH feed. ``token_secret`` signs resumption tokens;
    every node serving the feed must share it (None: the store keeps a generated one)."""

    token_secret: str | None = None
    records_page_size: int = 100
    identifiers_page_size: int = 500


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """Branch-to-branch sync. At the hub ``branch`` is None and ``hosted`` lists the branches
    without a computer of their own, whose sessions the hub runs; at a village agent
    ``branch`` is its code and ``hub_url`` where it pushes and pulls. Keys are
    ``key_dir/<code>.pem``. Retries back off from ``retry_seconds`` up to
    ``retry_max_seconds`` and go on for as long as it takes; a lender is passed over
    ``patience_days`` after it was asked or last heard from (at most ``patience_limit_days``).
    Incoming requests wait for the lender's staff to answer, except at the branches listed in
    ``answer_requests`` (unstaffed ones), which the protocol answers at once."""

    branch: str | None = None
    hub_url: str | None = None
    key_dir: Path = Path("keys")
    hosted: tuple[str, ...] = ()
    interval_seconds: int = 60
    retry_seconds: int = 5
    retry_max_seconds: int = 3600
    patience_days: int = 2
    patience_limit_days: int = 7
    loan_days: int = 14
    answer_requests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Federation:
    """A whole federation file, loaded."""

    path: Path
    union: UnionNode
    branches: tuple[Branch, ...]
    demo_feeds: tuple[DemoFeed, ...] = ()
    local: LocalContent = field(default_factory=LocalContent)
    feed: FeedSettings = field(default_factory=FeedSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)

    def branch(self, code: str) -> Branch:
        """The branch with this code; ConfigError if there is none."""
        for branch in self.branches:
            if branch.code == code:
                return branch
        known = ", ".join(b.code for b in self.branches)
        raise ConfigError("--source", f"no branch with code {code!r} (known: {known})")


def load_federation(path: Path | str, environ: Mapping[str, str] | None = None) -> Federation:
    """Read and validate a federation file."""
    path = Path(path).resolve()
    env = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file", "does not exist", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("file", f"is not valid TOML ({exc})", path) from None
    try:
        return _Reader(path.parent, env).federation(path, raw)
    except ConfigError as exc:
        raise ConfigError(exc.key, exc.problem, path) from None


class _Reader:
    """Walks the parsed TOML, checking every key, with the dotted key path for errors."""

    def __init__(self, base: Path, environ: Mapping[str, str]) -> None:
        self.base = base
        self.environ = environ

    def federation(self, path: Path, raw: dict[str, Any]) -> Federation:
        _only(raw, "", {"union", "branches", "demo", "local", "feed", "sync"})
        union = self.union(_table(raw, "union", ""))
        branches_raw = raw.get("branches")
        if not isinstance(branches_raw, list) or not branches_raw:
            raise ConfigError("branches", "at least one [[branches]] table is required")
        branches = tuple(self.branch(b, f"branches[{i}]") for i, b in enumerate(branches_raw))
        seen: set[str] = set()
        for i, branch in enumerate(branches):
            if branch.code in seen:
                raise ConfigError(f"branches[{i}].code", f"duplicate branch code {branch.code!r}")
            seen.add(branch.code)
        demo = raw.get("demo", {})
        feeds = tuple(
            self.demo_feed(f, f"demo.feeds[{i}]")
            for i, f in enumerate(_table(demo, "feeds", "demo", kind=list, default=[]))
        )
        return Federation(path=path, union=union, branches=branches, demo_feeds=feeds,
                          local=self.local(_table(raw, "local", "", default={})),
                          feed=self.feed(_table(raw, "feed", "", default={})),
                          sync=self.sync(_table(raw, "sync", "", default={})))

    def sync(self, raw: dict[str, Any]) -> SyncSettings:
        numbers = ("interval_seconds", "retry_seconds", "retry_max_seconds", "patience_days",
                   "patience_limit_days", "loan_days")
        _only(raw, "sync", {"branch", "hub_url", "key_dir", "hosted", "answer_requests",
                            *numbers})
        branch = self.text(raw, "branch", "sync") if "branch" in raw else None
        if branch is not None and not _CODE.match(branch):
            raise ConfigError("sync.branch", f"{branch!r} is not a branch code")
        hub_url = self.text(raw, "hub_url", "sync").rstrip("/") if "hub_url" in raw else None
        if branch is not None and hub_url is None:
            raise ConfigError("sync.hub_url", "is required when sync.branch is set")
        key_dir = self.path(self.text(raw, "key_dir", "sync") if "key_dir" in raw else "keys")
        defaults = SyncSettings()
        values = {n: _integer(raw, n, "sync", default=getattr(defaults, n), minimum=1)
                  for n in numbers}
        return SyncSettings(branch=branch, hub_url=hub_url, key_dir=key_dir,
                            hosted=self.texts(raw, "hosted", "sync"),
                            answer_requests=self.texts(raw, "answer_requests", "sync"), **values)

    def local(self, raw: dict[str, Any]) -> LocalContent:
        _only(raw, "local", {"places", "subjects"})
        return LocalContent(places=self.texts(raw, "places", "local"),
                            subjects=self.texts(raw, "subjects", "local"))

    def feed(self, raw: dict[str, Any]) -> FeedSettings:
        _only(raw, "feed", {"token_secret", "records_page_size", "identifiers_page_size"})
        secret = self.text(raw, "token_secret", "feed") if "token_secret" in raw else None
        if secret is not None and len(secret.encode("utf-8")) < 16:
            raise ConfigError("feed.token_secret", "must be at least 16 bytes long")
        return FeedSettings(
            token_secret=secret,
            records_page_size=_integer(raw, "records_page_size", "feed", default=100,
                                       minimum=1),
            identifiers_page_size=_integer(raw, "identifiers_page_size", "feed", default=500,
                                           minimum=1),
        )

    def texts(self, raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        """An optional list of non-empty strings."""
        values = raw.get(key, [])
        if not isinstance(values, list):
            raise ConfigError(f"{where}.{key}", "must be a list of strings")
        return tuple(self.text({f"{key}[{i}]": v}, f"{key}[{i}]", where)
                     for i, v in enumerate(values))

    def union(self, raw: dict[str, Any]) -> UnionNode:
        keys = {"name", "database", "index", "base_url", "oai_domain", "admin_email",
                "harvest_concurrency", "search_engine"}
        _only(raw, "union", keys)
        database = self.text(raw, "database", "union")
        if "://" not in database:
            raise ConfigError("union.database", "must be a database URL such as sqlite:///var/union.db")
        concurrency = _integer(raw, "harvest_concurrency", "union", default=4, minimum=1)
        engine = (self.text(raw, "search_engine", "union") if "search_engine" in raw
                  else "tantivy")
        if engine not in SEARCH_ENGINES:
            raise ConfigError("union.search_engine",
                              f"{engine!r} is not one of {', '.join(SEARCH_ENGINES)}")
        return UnionNode(
            name=self.text(raw, "name", "union"),
            database=self.database_url(database),
            index=self.path(self.text(raw, "index", "union")),
            base_url=self.text(raw, "base_url", "union").rstrip("/"),
            oai_domain=self.text(raw, "oai_domain", "union"),
            admin_email=_email(self.text(raw, "admin_email", "union"), "union.admin_email"),
            harvest_concurrency=concurrency,
            search_engine=engine,
        )

    def branch(self, raw: Any, where: str) -> Branch:
        if not isinstance(raw, dict):
            raise ConfigError(where, "must be a table")
        _only(raw, where, {"code", "name", "kind", "district", "source", "schedule"})
        code = self.text(raw, "code", where)
        if not _CODE.match(code):
            raise ConfigError(
                f"{where}.code", f"{code!r} must be 1-32 capital letters, digits, - or _"
            )
        kind = self.text(raw, "kind", where)
        if kind not in BRANCH_KINDS:
            raise ConfigError(f"{where}.kind", f"{kind!r} is not one of {', '.join(BRANCH_KINDS)}")
        district = self.text(raw, "district", where) if "district" in raw else None
        schedule_raw = _table(raw, "schedule", where, default={})
        _only(schedule_raw, f"{where}.schedule", {"interval_minutes", "reconcile_days"})
        schedule = Schedule(
            interval_minutes=_integer(schedule_raw, "interval_minutes", f"{where}.schedule",
                                      default=1440, minimum=1),
            reconcile_days=_integer(schedule_raw, "reconcile_days", f"{where}.schedule",
                                    default=7, minimum=0),
        )
        return Branch(code=code, name=self.text(raw, "name", where), kind=kind, district=district,
                      source=self.source(_table(raw, "source", where), f"{where}.source"),
                      schedule=schedule)

    def source(self, raw: dict[str, Any], where: str) -> OaiSource | MarcFileSource:
        kind = self.text(raw, "type", where)
        if kind == "oai-pmh":
            _only(raw, where, {"type", "url", "metadata_prefix", "set", "profile"})
            url = self.text(raw, "url", where)
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"{where}.url", f"{url!r} must be an http:// or https:// URL")
            profile = self.text(raw, "profile", where) if "profile" in raw else "standard"
            if profile not in OAI_PROFILES:
                raise ConfigError(f"{where}.profile",
                                  f"{profile!r} is not one of {', '.join(OAI_PROFILES)}")
            return OaiSource(
                url=url,
                metadata_prefix=self.text(raw, "metadata_prefix", where)
                if "metadata_prefix" in raw else "oai_dc",
                set_spec=self.text(raw, "set", where) if "set" in raw else None,
                profile=profile,
            )
        if kind == "marc-file":
            _only(raw, where, {"type", "path", "url", "format", "encoding"})
            if ("path" in raw) == ("url" in raw):
                raise ConfigError(where, "give exactly one of path or url")
            location = (self.text(raw, "url", where) if "url" in raw
                        else str(self.path(self.text(raw, "path", where))))
            fmt = self.text(raw, "format", where) if "format" in raw else "iso2709"
            if fmt not in MARC_FILE_FORMATS:
                raise ConfigError(f"{where}.format",
                                  f"{fmt!r} is not one of {', '.join(MARC_FILE_FORMATS)}")
            encoding = self.text(raw, "encoding", where) if "encoding" in raw else None
            if encoding is not None:
                try:
                    codecs.lookup(encoding)
                except LookupError:
                    raise ConfigError(f"{where}.encoding",
                                      f"{encoding!r} is not a known code page "
                                      "(for example cp1252)") from None
                if fmt != "iso2709":
                    raise ConfigError(f"{where}.encoding",
                                      "applies to ISO 2709 files only (MARCXML says its own)")
            return MarcFileSource(location=location, format=fmt, encoding=encoding)
        raise ConfigError(f"{where}.type", f"{kind!r} is not one of {', '.join(SOURCE_TYPES)}")

    def demo_feed(self, raw: Any, where: str) -> DemoFeed:
        if not isinstance(raw, dict):
            raise ConfigError(where, "must be a table")
        _only(raw, where, {"port", "marc", "page_size"})
        return DemoFeed(
            port=_integer(raw, "port", where, minimum=1),
            marc_path=self.path(self.text(raw, "marc", where)),
            page_size=_integer(raw, "page_size", where, default=100, minimum=1),
        )

    def text(self, raw: dict[str, Any], key: str, where: str) -> str:
        """A required non-empty string, with ${ENV} references expanded."""
        full = f"{where}.{key}" if where else key
        if key not in raw:
            raise ConfigError(full, "is required")
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(full, "must be a non-empty string")

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.environ:
                raise ConfigError(full, f"environment variable {name} is not set")
            return self.environ[name]

        return _ENV.sub(expand, value.strip())

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else (self.base / path).resolve()

    def database_url(self, url: str) -> str:
        """Resolve a relative SQLite path against the file's folder.

        The store uses synchronous drivers in worker threads (SQLite has no real async
        driver, and one code path keeps both databases alike), so an asyncpg URL is mapped
        to psycopg.
        """
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            relative = url.removeprefix("sqlite:///")
            if relative and relative != ":memory:":
                return f"sqlite:///{self.path(relative)}"
        for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url


def _only(raw: dict[str, Any], where: str, allowed: set[str]) -> None:
    for key in raw:
        if key not in allowed:
            full = f"{where}.{key}" if where else key
            raise ConfigError(full, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _table(raw: dict[str, Any], key: str, where: str, *, kind: type = dict,
           default: Any = None) -> Any:
    full = f"{where}.{key}" if where else key
    if key not in raw:
        if default is not None:
            return default
        raise ConfigError(full, "is required")
    value = raw[key]
    if not isinstance(value, kind):
        raise ConfigError(full, "must be a table" if kind is dict else "must be an array")
    return value


def _integer(raw: dict[str, Any], key: str, where: str, *, default: int | None = None,
             minimum: int = 0) -> int:
    full = f"{where}.{key}"
    if key not in raw:
        if default is None:
            raise ConfigError(full, "is required")
        return default
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(full, f"must be a whole number of at least {minimum}")
    return value


def _email(value: str, key: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ConfigError(key, f"{value!r} is not an e-mail address")
    return value
