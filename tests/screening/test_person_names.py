"""The table of people's names that are one name, read from rigour's data into instance/ once."""
import logging

import pytest

from app.screening import person_names
from app.screening.index import NameIndex, Query


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The table built again into an empty folder, and forgotten after the test."""
    monkeypatch.setattr(person_names, "CACHE", tmp_path / "instance")
    person_names.table.cache_clear()
    yield tmp_path / "instance"
    person_names.table.cache_clear()


def one_name(words, a, b):
    return not words.get(a, frozenset()).isdisjoint(words.get(b, ()))


def test_rigours_names_are_read_once_into_a_file_named_by_its_version(fresh, monkeypatch):
    words = person_names.table()
    # Short forms, other romanisations, and the feminine of a Russian family name.
    for a, b in [("robert", "bob"), ("william", "bill"), ("zhang", "chang"), ("golikov", "golikova")]:
        assert one_name(words, a, b), (a, b)
    assert not one_name(words, "robert", "william") and "smithson" not in words
    files = list(fresh.iterdir())
    assert [f.name for f in files] == [f"person_names-rigour-{person_names.version('rigour')}.txt"]
    assert "bob robert\n" in files[0].read_text(encoding="ascii")

    # The next process reads the file and does not look at rigour's module.
    monkeypatch.setattr(person_names, "names_of_rigour", lambda: pytest.fail("rigour's data read again"))
    person_names.table.cache_clear()
    assert person_names.table() == words


def test_where_instance_cannot_be_written_the_table_is_still_made(fresh, monkeypatch, caplog):
    (fresh.parent / "file").write_text("")
    monkeypatch.setattr(person_names, "CACHE", fresh.parent / "file" / "instance")
    monkeypatch.setattr(person_names, "names_of_rigour", lambda: [{"bob", "robert"}, {"bill", "william"}])
    with caplog.at_level(logging.WARNING):
        words = person_names.table()
    assert one_name(words, "bob", "robert") and not one_name(words, "bob", "bill")
    assert "screening.person_names not kept in" in caplog.text


def test_without_rigours_names_the_matcher_still_matches_what_it_can(fresh, monkeypatch, caplog):
    monkeypatch.setattr(person_names, "frames", lambda module: iter([b"not the data"]))
    index = NameIndex()
    index.add("rs", ["Robert Smithson"], kind="person")
    with caplog.at_level(logging.WARNING):
        assert person_names.table() == {}
    assert "screening.person_names unavailable: rigour" in caplog.text
    assert [m.key for m in index.search(Query(("Robert Smithsen",), kind="person"), threshold=0.8)] == ["rs"]
    assert index.search(Query(("Bob Smithson",), kind="person"), threshold=0.8) == []
    assert not fresh.exists()
