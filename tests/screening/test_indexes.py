"""Each process's name indexes catch up with list versions and registry changes made anywhere."""
from pathlib import Path

from app.accounts.cli import OPERATOR
from app.screening import indexes
from app.screening.index import Query
from app.screening.importer import import_watchlist

SOURCES = Path(__file__).resolve().parent.parent / "data" / "screening" / "sources"


def load(session, name):
    import_watchlist(session, "np-banned", "generic-csv", [SOURCES / name], actor=OPERATOR, kind="banned_agency")
    session.commit()


def listed(session, name):
    """The list entries (row ids) this process's index finds for a name."""
    return [m.key for m in indexes.current(session).lists.search(Query((name,)), threshold=0.8)]


def test_an_entry_removed_then_listed_again_is_found_after_catching_up_both_versions(session):
    load(session, "banned_v1.csv")
    first = listed(session, "Sagarmatha Job Link")
    load(session, "banned_v2.csv")  # removes NP-B-002
    load(session, "banned_v3.csv")  # lists it again: this process catches up with both versions at once
    assert listed(session, "Sagarmatha Job Link") == first != []
    load(session, "banned_v2.csv")  # removed again
    assert listed(session, "Sagarmatha Job Link") == []


def test_a_caught_up_index_finds_what_a_fresh_one_finds(session, make_agency):
    load(session, "banned_v1.csv")
    make_agency(legal_name="Himal Typo Test Overseas Pvt Ltd")
    caught_up = indexes.current(session, registry=True)
    load(session, "banned_v2.csv")
    make_agency(legal_name="Kanchenjunga Bridge Overseas Pvt Ltd")
    caught_up = indexes.current(session, registry=True)
    indexes.forget()
    fresh = indexes.current(session, registry=True)
    for name in ("Sagarmatha Job Link", "Gulf Dream Manpower", "Ram Bahadur Thapa"):
        query = Query((name,))
        assert [(m.key, round(m.score, 6)) for m in caught_up.lists.search(query, threshold=0.5)] == \
            [(m.key, round(m.score, 6)) for m in fresh.lists.search(query, threshold=0.5)]
    query = Query(("Kanchenjunga Bridge Overseas",))
    assert [m.key for m in caught_up.registry.search(query, threshold=0.5)] == \
        [m.key for m in fresh.registry.search(query, threshold=0.5)] != []


def test_a_rolled_back_import_leaves_nothing_in_the_index(session):
    load(session, "banned_v1.csv")
    import_watchlist(session, "np-banned", "generic-csv", [SOURCES / "banned_v2.csv"], actor=OPERATOR)
    assert listed(session, "Kathmandu Express Placement") != []  # this transaction sees its own new entry...
    session.rollback()
    load(session, "banned_v1.csv")  # the next version may even reuse the id of the one rolled back
    assert listed(session, "Kathmandu Express Placement") == []  # ...which is gone with it
    assert listed(session, "Sagarmatha Job Link") != []  # and what it removed is back
