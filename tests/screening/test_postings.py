"""The index's compact tables keep what dicts and lists kept: postings in indexing order, filed word ids."""
from app.screening.postings import Postings
from app.screening.vocabulary import Filed


def test_postings_keep_the_order_names_were_indexed_in_across_packing_and_removal():
    postings = Postings()
    for name_id in range(6):
        postings.add(name_id % 2, name_id)      # word 0: names 0 2 4; word 1: names 1 3 5
    postings.pack(3)
    postings.add(0, 6)
    postings.add(2, 7)                          # a word first used after the packing
    assert list(postings.get(0)) == [0, 2, 4, 6]
    postings.remove(0, 2)                       # from the packed part
    postings.remove(0, 6)                       # from what came since
    postings.remove(1, 5)                       # the last of a word's packed names
    assert list(postings.get(0)) == [0, 4]
    assert list(postings.get(1)) == [1, 3]
    assert list(postings.get(2)) == [7]
    assert list(postings.get(9)) == []
    postings.pack(3)
    assert [list(postings.get(w)) for w in range(3)] == [[0, 4], [1, 3], [7]]
    assert postings.waiting() == 0


def test_filed_ids_come_back_under_their_key_after_the_table_grows():
    filed = Filed(capacity=4)
    for word_id in range(3000):
        filed.add(f"key{word_id % 1000}", word_id)   # three ids under each key
    assert len(filed.table[1]) >= 4096               # it grew (from 4 slots)
    assert sorted(filed.get("key7")) == [7, 1007, 2007]
    assert filed.get("absent") == []
