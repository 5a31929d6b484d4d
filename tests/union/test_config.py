"""The federation file: what loads, and the error that names the key when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO
from union.config import (
    ConfigError,
    FeedSettings,
    LocalContent,
    MarcFileSource,
    OaiSource,
    load_federation,
)

MINIMAL = """
[union]
name = "Katalog Induk"
database = "sqlite:///var/union.db"
index = "var/index"
base_url = "http://127.0.0.1:8080/"
oai_domain = "katalog.example.go.id"
admin_email = "pustaka@example.org"

[[branches]]
code = "KOTA"
name = "Perpustakaan Kota"
kind = "city"
source = { type = "oai-pmh", url = "https://slims.example/oai2.php", profile = "slims" }

[[branches]]
code = "DESA1"
name = "Perpustakaan Desa"
kind = "village"
source = { type = "marc-file", path = "catalogues/desa1.mrc", format = "iso2709" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "federation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_federation(write(tmp_path, text), environ or {})
    return caught.value


def test_bundled_demo_federation_loads() -> None:
    federation = load_federation(REPO / "config" / "demo.toml", {})
    assert [b.code for b in federation.branches] == ["KOTA", "DESA1", "DESA2", "DESA3"]
    assert any(isinstance(b.source, OaiSource) for b in federation.branches)
    for feed in federation.demo_feeds:
        assert feed.marc_path.is_file()


def test_bundled_lubuklinggau_federation_loads_with_its_secret() -> None:
    federation = load_federation(REPO / "config" / "lubuklinggau.toml",
                                 {"UNION_DB_PASSWORD": "rahasia",
                                  "UNION_FEED_SECRET": "rahasia-umpan-oai-pmh"})
    assert federation.union.database.startswith("postgresql+psycopg://union:rahasia@")
    assert federation.feed.token_secret == "rahasia-umpan-oai-pmh"
    assert "Musi Rawas" in federation.local.places
    assert {b.kind for b in federation.branches} == {"city", "village"}


def test_relative_paths_resolve_against_the_files_folder(tmp_path: Path) -> None:
    federation = load_federation(write(tmp_path, MINIMAL), {})
    assert federation.union.database == f"sqlite:///{tmp_path / 'var' / 'union.db'}"
    assert federation.union.index == tmp_path / "var" / "index"
    source = federation.branch("DESA1").source
    assert isinstance(source, MarcFileSource)
    assert source.location == str(tmp_path / "catalogues" / "desa1.mrc")


def test_oai_source_keeps_its_profile_and_defaults_to_oai_dc(tmp_path: Path) -> None:
    source = load_federation(write(tmp_path, MINIMAL), {}).branch("KOTA").source
    assert source == OaiSource(url="https://slims.example/oai2.php", profile="slims")


def test_base_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    assert load_federation(write(tmp_path, MINIMAL), {}).union.base_url == "http://127.0.0.1:8080"


def test_missing_key_is_named(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('oai_domain = "katalog.example.go.id"\n', ""))
    assert error.key == "union.oai_domain"
    assert "required" in str(error)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('kind = "city"', 'kind = "city"\ncolour = "red"'))
    assert error.key == "branches[0].colour"


def test_wrong_branch_kind_is_named_with_the_choices(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('kind = "village"', 'kind = "desa"'))
    assert error.key == "branches[1].kind"
    assert "city, village" in error.problem


def test_duplicate_branch_code_is_refused(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('code = "DESA1"', 'code = "KOTA"'))
    assert error.key == "branches[1].code"
    assert "duplicate" in error.problem


def test_unknown_source_type_is_named(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('type = "marc-file"', 'type = "z39.50"'))
    assert error.key == "branches[1].source.type"


def test_unknown_server_profile_is_named(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('profile = "slims"', 'profile = "inlis"'))
    assert error.key == "branches[0].source.profile"


def test_marc_file_needs_exactly_one_of_path_or_url(tmp_path: Path) -> None:
    text = MINIMAL.replace('path = "catalogues/desa1.mrc"',
                           'path = "a.mrc", url = "http://x/a.mrc"')
    assert error_of(tmp_path, text).key == "branches[1].source"


def test_a_marc_file_source_may_name_its_code_page(tmp_path: Path) -> None:
    text = MINIMAL.replace('format = "iso2709" }', 'format = "iso2709", encoding = "cp1252" }')
    source = load_federation(write(tmp_path, text), {}).branches[1].source
    assert isinstance(source, MarcFileSource)
    assert source.encoding == "cp1252"


def test_an_unknown_code_page_is_named(tmp_path: Path) -> None:
    text = MINIMAL.replace('format = "iso2709" }', 'format = "iso2709", encoding = "ansi" }')
    error = error_of(tmp_path, text)
    assert error.key == "branches[1].source.encoding"
    assert "cp1252" in error.problem


def test_a_code_page_for_marcxml_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('format = "iso2709" }', 'format = "marcxml", encoding = "cp1252" }')
    assert error_of(tmp_path, text).key == "branches[1].source.encoding"


def test_secret_comes_from_the_environment(tmp_path: Path) -> None:
    text = MINIMAL.replace('"sqlite:///var/union.db"',
                           '"postgresql+asyncpg://union:${DB_PASS}@db/union"')
    federation = load_federation(write(tmp_path, text), {"DB_PASS": "s3cret"})
    assert federation.union.database == "postgresql+psycopg://union:s3cret@db/union"


def test_unset_secret_is_named(tmp_path: Path) -> None:
    text = MINIMAL.replace('"sqlite:///var/union.db"', '"postgresql://u:${DB_PASS}@db/union"')
    error = error_of(tmp_path, text)
    assert error.key == "union.database"
    assert "DB_PASS" in error.problem


def test_invalid_toml_is_reported_as_such(tmp_path: Path) -> None:
    assert "not valid TOML" in str(error_of(tmp_path, "[union\nname="))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_federation(tmp_path / "nowhere.toml", {})


def test_error_message_names_the_file(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL.replace('kind = "city"', 'kind = "kota"'))
    assert str(tmp_path / "federation.toml") in str(error)


def test_search_engine_local_region_and_feed_default_when_absent(tmp_path: Path) -> None:
    federation = load_federation(write(tmp_path, MINIMAL), {})
    assert federation.union.search_engine == "tantivy"
    assert federation.local == LocalContent()
    assert federation.feed == FeedSettings()


def test_local_region_lists_places_and_subjects(tmp_path: Path) -> None:
    text = MINIMAL + '\n[local]\nplaces = ["Lubuklinggau"]\nsubjects = ["Suku Rejang"]\n'
    federation = load_federation(write(tmp_path, text), {})
    assert federation.local == LocalContent(places=("Lubuklinggau",), subjects=("Suku Rejang",))


def test_an_empty_local_place_names_its_position(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL + '\n[local]\nplaces = ["Lubuklinggau", ""]\n')
    assert error.key == "local.places[1]"


def test_unknown_search_engine_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('admin_email = "pustaka@example.org"',
                           'admin_email = "pustaka@example.org"\nsearch_engine = "solr"')
    assert error_of(tmp_path, text).key == "union.search_engine"


def test_a_short_feed_token_secret_is_refused(tmp_path: Path) -> None:
    error = error_of(tmp_path, MINIMAL + '\n[feed]\ntoken_secret = "pendek"\n')
    assert error.key == "feed.token_secret"
