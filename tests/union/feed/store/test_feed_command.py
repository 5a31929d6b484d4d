"""``union feed``: brings the published records up to date from the command line."""

from __future__ import annotations

import pytest

from tests.union.feed.store.conftest import DemoFeed
from union.cli import main
from union.works.reading import live_works


def test_union_feed_publishes_what_changed_since_the_last_refresh(
        demo: DemoFeed, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(demo.federation.path)
    with demo.store.read() as session:
        singles = [members[0] for _, members in live_works(session) if len(members) == 1][:2]
    assert main(["--config", config, "works", "same", ":".join(singles[0]),
                 ":".join(singles[1])]) == 0
    capsys.readouterr()
    assert main(["--config", config, "feed"]) == 0
    assert "1 diterbitkan/published, 1 dihapus/deleted" in capsys.readouterr().out
    assert main(["--config", config, "feed"]) == 0
    assert "0 diterbitkan/published, 0 dihapus/deleted" in capsys.readouterr().out
