"""``union export``: the union catalogue as ISO 2709 or MARCXML, checked by yaz-marcdump,
MARC::Lint and the MARC21slim schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pymarc
import pytest
from lxml import etree
from sqlalchemy import select

from tests.union.feed.store.conftest import DemoFeed
from union.cli import main
from union.feed.work_records import work_content
from union.store.models import WorkRow

# MARC::Lint's content checks that LoC records (and so our works) fail by design: the
# normalizer drops ISBD end punctuation, and LoC keys initials with spaces in 245 $c.
CONTENT_WARNINGS = ("245: Must end with . (period).",
                    "245: Subfield _c initials should not have a space.")
LINT = r"""
use MARC::File::USMARC; use MARC::Lint;
my $file = MARC::File::USMARC->in($ARGV[0]); my $lint = MARC::Lint->new;
while (my $record = $file->next) {
    print "STRUCTURE: $_\n" for $record->warnings;
    $lint->check_record($record); print "LINT: $_\n" for $lint->warnings;
}
print "STRUCTURE: $_\n" for $file->warnings;
"""


def _export(demo: DemoFeed, out: Path, *args: str) -> int:
    return main(["--config", str(demo.federation.path), "export", "--output", str(out),
                 *args])


def _holdings(demo: DemoFeed) -> dict[str, dict[str, int]]:
    """work id -> branch code -> how many 852s its record must have."""
    with demo.store.read() as session:
        rows = session.execute(select(WorkRow.id, WorkRow.display, WorkRow.display_hash)
                               .where(WorkRow.status == "live")).all()
    return {str(wid): {h.branch_code: max(1, len(h.items))
                       for h in work_content(d, h, demo.branches).holdings}
            for wid, d, h in rows}


def test_iso2709_export_holds_every_work_with_an_852_per_copy(demo: DemoFeed,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "union.mrc"
    assert _export(demo, out, "--format", "marc") == 0
    expected = _holdings(demo)
    with out.open("rb") as stream:
        records = list(pymarc.MARCReader(stream, to_unicode=True, force_utf8=True))
    assert len(records) == len(expected) == demo.works("live")
    for record in records:
        branches: dict[str, int] = {}
        for field in record.get_fields("852"):
            branches[field["a"]] = branches.get(field["a"], 0) + 1
        assert branches == expected[record["001"].data]


def test_iso2709_export_passes_yaz_marcdump(demo: DemoFeed, tmp_path: Path) -> None:
    out = tmp_path / "union.mrc"
    assert _export(demo, out, "--format", "marc") == 0
    done = subprocess.run(["yaz-marcdump", "-n", str(out)], capture_output=True, text=True,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    dump = subprocess.run(["yaz-marcdump", "-o", "line", str(out)], capture_output=True,
                          text=True, check=True).stdout
    assert dump.count("\n001 ") == demo.works("live")


def test_iso2709_export_has_no_structural_errors_for_marc_lint(demo: DemoFeed,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "union.mrc"
    assert _export(demo, out, "--format", "marc") == 0
    done = subprocess.run(["perl", "-e", LINT, str(out)], capture_output=True, text=True,
                          check=True)
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("STRUCTURE")] == []
    assert {line.removeprefix("LINT: ") for line in lines} <= set(CONTENT_WARNINGS)


def test_marcxml_export_is_a_valid_marc21slim_collection(demo: DemoFeed, tmp_path: Path,
                                                         shared: Path) -> None:
    out = tmp_path / "union.xml"
    assert _export(demo, out, "--format", "marcxml") == 0
    schema = etree.XMLSchema(etree.parse(str(shared / "schemas" / "MARC21slim.xsd")))
    root = etree.parse(str(out)).getroot()
    assert schema.validate(root), schema.error_log
    assert len(root) == demo.works("live")


def test_a_branch_export_holds_only_the_works_that_branch_holds(demo: DemoFeed,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "desa3.mrc"
    assert _export(demo, out, "--format", "marc", "--branch", "DESA3") == 0
    held = {wid for wid, branches in _holdings(demo).items() if "DESA3" in branches}
    with out.open("rb") as stream:
        ids = [r["001"].data for r in pymarc.MARCReader(stream, to_unicode=True,
                                                        force_utf8=True)]
    assert sorted(ids) == sorted(held) and 0 < len(held) < demo.works("live")


def test_an_unknown_branch_is_refused_with_a_clear_error(demo: DemoFeed, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    out = tmp_path / "none.mrc"
    assert _export(demo, out, "--format", "marc", "--branch", "NOPE") == 2
    assert "NOPE" in capsys.readouterr().err
    assert not out.exists()
