"""Re-importing a watchlist: entries added, changed (revision bumped) and removed (kept), all or nothing."""
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.cli import OPERATOR
from app.errors import Invalid
from app.screening import formats, service
from app.screening.formats import ListedEntry
from app.screening.importer import import_watchlist
from app.screening.models import WatchlistChange, WatchlistEntry, WatchlistSource, WatchlistVersion
from tests.conftest import count

DATA = Path(__file__).resolve().parent.parent / "data" / "screening" / "sources"
# The real lists live beside the repository (../shared/data, see its README); the test skips without them.
OFAC = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "watchlists" / "ofac_sdn_snapshots"


def load(session, *files, source="np-banned", fmt="generic-csv", kind="banned_agency"):
    """Import fixture files as the next version of a source."""
    return import_watchlist(session, source, fmt, [DATA / f for f in files], actor=OPERATOR, kind=kind)


def entry(session, entry_id, source="np-banned"):
    return session.scalar(select(WatchlistEntry).join(WatchlistSource, WatchlistSource.id == WatchlistEntry.source_id)
                          .where(WatchlistSource.name == source, WatchlistEntry.entry_id == entry_id))


def counts(version):
    return version.entry_count, version.added, version.changed, version.removed


def test_first_import_adds_every_entry_as_version_one(session):
    result = load(session, "banned_v1.csv")
    assert result.created and result.version.number == 1 and counts(result.version) == (4, 4, 0, 0)
    assert result.source.current_version_id == result.version.id and result.version.status == "current"
    thapa = entry(session, "NP-B-003")
    assert (thapa.kind, thapa.name, thapa.aliases, thapa.countries) == ("person", "Ram Bahadur Thapa",
                                                                         ["R. B. Thapa"], ["NP"])
    assert thapa.identifiers == [["passport", "PA123456"]] and str(thapa.listed_on) == "2023-08-01"
    assert thapa.revision == 1 and thapa.first_version_id == thapa.last_changed_version_id == result.version.id
    assert count(session, WatchlistChange) == 4


def test_reimport_records_added_changed_and_removed_entries(session):
    first = load(session, "banned_v1.csv").version
    changed = entry(session, "NP-B-004")  # loaded before the re-import: it must not keep its old content
    result = load(session, "banned_v2.csv")
    second = result.version
    assert second.number == 2 and counts(second) == (4, 1, 1, 1) and result.unchanged == 2
    assert result.delta == {"added": ["NP-B-005"], "changed": ["NP-B-004"], "removed": ["NP-B-002"]}
    assert first.status == "superseded" and result.source.current_version_id == second.id
    removed = entry(session, "NP-B-002")
    assert removed.removed_version_id == second.id and removed.name == "Sagarmatha Job Link"
    assert changed.revision == 2 and changed.last_changed_version_id == second.id
    assert changed.aliases == ["Gulf Dreams", "Gulf Dream Manpower"] and changed.first_version_id == first.id
    assert entry(session, "NP-B-001").revision == 1 and entry(session, "NP-B-001").last_changed_version_id == first.id
    change = {c.kind: c for c in service.version_changes(session, second.id)}
    assert change["changed"].previous["aliases"] == ["Gulf Dreams"] and change["changed"].revision == 2
    assert change["changed"].previous_hash != changed.content_hash
    assert change["removed"].entry.entry_id == "NP-B-002" and change["added"].entry.entry_id == "NP-B-005"


def test_a_removed_entry_listed_again_is_added_back(session):
    load(session, "banned_v1.csv")
    load(session, "banned_v2.csv")
    result = load(session, "banned_v3.csv")
    assert counts(result.version) == (5, 1, 0, 0) and result.delta["added"] == ["NP-B-002"]
    back = entry(session, "NP-B-002")
    assert back.removed_version_id is None and back.last_changed_version_id == result.version.id
    assert back.revision == 1  # the same content as before its removal: nothing new to review


def test_importing_the_same_files_again_records_a_version_without_changes(session):
    first = load(session, "banned_v1.csv").version
    again = load(session, "banned_v1.csv").version
    assert again.number == 2 and counts(again) == (4, 0, 0, 0) and again.sha256 == first.sha256
    assert count(session, WatchlistChange) == 4 and count(session, WatchlistEntry) == 4


def test_a_bad_file_leaves_the_current_version_active_and_intact(session):
    current = load(session, "banned_v1.csv").version
    session.commit()
    before = (count(session, WatchlistVersion), count(session, WatchlistEntry), count(session, WatchlistChange))
    for bad in ("bad_rows.csv", "no_name_column.csv", "duplicate_ids.csv"):
        with pytest.raises(Invalid) as raised:
            load(session, "banned_v2.csv", bad)
        session.rollback()
        assert raised.value.errors and "nothing was written" in raised.value.message
    source = service.get_source(session, "np-banned")
    assert source.current_version_id == current.id
    assert (count(session, WatchlistVersion), count(session, WatchlistEntry), count(session, WatchlistChange)) == before
    assert [row.entry_id for row in service.current_entries(session)] == ["NP-B-001", "NP-B-002", "NP-B-003",
                                                                         "NP-B-004"]


def test_problems_name_their_place(session):
    with pytest.raises(Invalid) as duplicate:
        load(session, "duplicate_ids.csv")
    assert "'NP-B-001' is already used" in duplicate.value.errors['duplicate_ids.csv: row 3, column "id"'][0]
    with pytest.raises(Invalid) as bad_rows:
        load(session, "bad_rows.csv")
    assert set(bad_rows.value.errors) == {'bad_rows.csv: row 3, column "name"', 'bad_rows.csv: row 4, column "listed_on"'}
    with pytest.raises(Invalid) as no_name:
        load(session, "no_name_column.csv")
    assert "not generic-csv" in no_name.value.errors["no_name_column.csv"][0]


def test_duplicate_ids_from_any_format_are_refused(session, monkeypatch):
    # Formats whose parser does not check ids itself still never reach the database with a duplicate.
    twice = [ListedEntry("X-1", "organization", "First"), ListedEntry("X-1", "organization", "Second")]
    monkeypatch.setitem(formats.FORMATS, "generic-csv", lambda paths: iter(twice))
    with pytest.raises(Invalid) as raised:
        load(session, "banned_v1.csv")
    assert raised.value.errors == {"entry X-1": ["listed 2 times (entries #1, #2); ids must be unique."]}


def test_unknown_format_and_missing_files_are_refused_before_reading(session):
    with pytest.raises(Invalid) as unknown:
        load(session, "banned_v1.csv", fmt="ofac-xml")
    assert "generic-csv" in unknown.value.errors["format"][0]
    with pytest.raises(Invalid) as missing:
        load(session, "no-such-file.csv")
    assert "no such file" in missing.value.errors["files"][0]
    assert count(session, WatchlistSource) == 0


@pytest.mark.skipif(not OFAC.is_dir(), reason=f"the OFAC snapshots are not at {OFAC}")
def test_ofac_snapshots_reimport_with_a_consistent_delta(session):
    first = import_watchlist(session, "ofac-sdn", "ofac-csv", [OFAC / "sdn_2023-12-28.csv"], actor=OPERATOR,
                             kind="sanctions").version
    result = import_watchlist(session, "ofac-sdn", "ofac-csv", [OFAC / "sdn_2024-05-03.csv"], actor=OPERATOR)
    second = result.version
    assert first.entry_count == first.added > 10_000
    assert second.added > 0 and second.changed > 0 and second.removed > 0
    assert second.entry_count == first.entry_count + second.added - second.removed
    assert second.entry_count == second.added + second.changed + result.unchanged
    assert count(session, WatchlistChange) == first.added + second.added + second.changed + second.removed
    assert sum(1 for _ in service.current_entries(session)) == second.entry_count
