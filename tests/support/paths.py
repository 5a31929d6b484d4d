"""Where tests find the repository and the shared data folder beside it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
LOC_INDONESIAN = (SHARED / "data" / "marc" / "loc-booksall-2016-part01"
                  / "BooksAll.2016.part01.lang-ind-may-jav-sun.mrc")
OAI_SCHEMA = SHARED / "schemas" / "oai-all.xsd"
