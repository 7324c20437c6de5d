"""`fairrecruit watchlist import|sources`."""
from pathlib import Path

from sqlalchemy import select

from app.screening.models import WatchlistSource

DATA = str(Path(__file__).resolve().parent.parent / "data" / "screening" / "sources")


def test_import_prints_the_version_and_its_delta(runner, session):
    first = runner.invoke(args=["watchlist", "import", "--source", "np-banned", "--format", "generic-csv",
                                "--kind", "banned_agency", f"{DATA}/banned_v1.csv"])
    assert first.exit_code == 0, first.output
    assert "np-banned version 1 (new source): 4 entries; added 4, changed 0, removed 0" in first.output
    second = runner.invoke(args=["watchlist", "import", "--source", "np-banned", f"{DATA}/banned_v2.csv"])
    assert second.exit_code == 0, second.output
    assert "np-banned version 2: 4 entries; added 1, changed 1, removed 1, unchanged 2" in second.output
    listed = runner.invoke(args=["watchlist", "sources"])
    assert listed.exit_code == 0 and "np-banned" in listed.output and "version 2 of" in listed.output
    assert "4 entries" in listed.output and "banned_agency" in listed.output


def test_unknown_format_and_missing_files_are_usage_errors(runner, session):
    unknown = runner.invoke(args=["watchlist", "import", "--source", "np-banned", "--format", "pdf",
                                  "--kind", "banned_agency", f"{DATA}/banned_v1.csv"])
    assert unknown.exit_code == 2 and "--format" in unknown.output and "generic-csv" in unknown.output
    missing = runner.invoke(args=["watchlist", "import", "--source", "np-banned", "--format", "generic-csv",
                                  "--kind", "banned_agency", f"{DATA}/no-such.csv"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert session.scalar(select(WatchlistSource)) is None


def test_a_bad_file_prints_each_problem_with_its_place(runner, session):
    result = runner.invoke(args=["watchlist", "import", "--source", "np-banned", "--format", "generic-csv",
                                 "--kind", "banned_agency", f"{DATA}/banned_v1.csv", f"{DATA}/duplicate_ids.csv"])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert """duplicate_ids.csv: row 3, column "id": id 'NP-B-001' is already used""" in result.output
    assert session.scalar(select(WatchlistSource)) is None
    empty = runner.invoke(args=["watchlist", "sources"])
    assert "no watchlists yet" in empty.output
