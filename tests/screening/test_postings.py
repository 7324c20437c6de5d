"""The index's compact tables keep what dicts and lists kept: postings in indexing order, filed word ids, records'
keys and identifiers, words."""
import os
from pathlib import Path
import subprocess
import sys

from app.screening.columns import Texts
from app.screening.index import NameIndex
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


def test_records_keys_and_identifiers_come_back_as_they_were_given():
    index = NameIndex()
    keys = [("entity", 12), ("person", 2**40), 7, -3, 2**70, "ofac-123", True, ("entity", "x"), (1, 2)]
    for n, key in enumerate(keys):
        index.add(key, [f"Name {n} Trading"], identifiers=["AB-12345"] if n % 2 else [])
    assert [index.record(p).key for p in range(len(keys))] == keys
    assert type(index.record(6).key) is bool        # not taken for the int 1
    assert index.record(1).identifiers == frozenset({"AB12345"})
    assert index.record(0).identifiers == frozenset()
    assert index.keys[keys.index(("entity", 12))] == ("entity", 12)


def test_texts_give_each_string_back_by_number():
    texts = Texts()
    for text in ["manpower", "", "Ünïcödé 公司", "line\nbreak"]:
        texts.append(text)
    assert [texts[n] for n in range(len(texts))] == ["manpower", "", "Ünïcödé 公司", "line\nbreak"]


# An index built and pickled in one process, then read in another (a snapshot read by the next start of gunicorn's
# master): str's hash is salted per process, so tables filed by it found nothing of a misspelt word there.
SAVE = """
import pickle, sys
from app.screening.index import NameIndex
index = NameIndex()
for n, name in enumerate(["Sunrise Placement Agency", "Gulf Overseas Recruiters", "Zenith Human Resources"]):
    index.add(n, [name], kind="organization")
index.settle()
open(sys.argv[1], "wb").write(pickle.dumps(index))
"""
SEARCH = """
import pickle, sys
from app.screening.index import Query
index = pickle.loads(open(sys.argv[1], "rb").read())
for name in ("Sunrize Placment", "Gulf Overseass Recruters", "Zenit Human Resorces"):
    print([(m.key, round(m.score, 6)) for m in index.search(Query((name,), kind="organization"), threshold=0.5)])
"""


def test_an_index_pickled_in_one_process_finds_misspelt_names_in_another(tmp_path):
    path = tmp_path / "index.pickle"
    root = Path(__file__).resolve().parents[2]

    def run(code, seed):
        env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(root)}
        return subprocess.run([sys.executable, "-c", code, str(path)], env=env, cwd=root, capture_output=True,
                              text=True, check=True).stdout

    run(SAVE, 1)
    same, other = run(SEARCH, 1), run(SEARCH, 2)
    assert other == same
    assert same.splitlines()[0].startswith("[(0, ")    # "Sunrize Placment" found "Sunrise Placement Agency"
