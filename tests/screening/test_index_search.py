"""The index's shortcuts (skipping candidates that cannot reach the threshold, comparing each written form once)
leave its results as comparing every candidate name in full gives them."""
import random

from app.screening import indexes, legal_forms, match, normalize, romanise
from app.screening.index import NameIndex, Query, identifier_key

GIVEN = ["Ram", "Sita", "Mohammad", "Maria", "Rajesh", "Ana", "Abdul", "Krishna"]
FAMILY = ["Thapa", "Adhikari", "Rahman", "Garcia", "Cruz", "Sharma", "Hossain", "Gurung"]
WORDS = ["Global", "Manpower", "Overseas", "Gulf", "Himalayan", "Star", "Services", "Recruitment", "Crown"]


def registry():
    """A registry whose people share a few names, as real registries do, and agencies sharing common words."""
    rng = random.Random(7)
    index = NameIndex()
    for n in range(400):
        name = f"{rng.choice(GIVEN)} {rng.choice(['', 'Bahadur ', 'Kumar '])}{rng.choice(FAMILY)}"
        index.add(("person", n), [name], group="person", kind="person", countries=[rng.choice(["NP", "BD", "PH"])])
    for n in range(300):
        name = " ".join(rng.sample(WORDS, 3)) + rng.choice([" Pvt Ltd", " LLC", ""])
        index.add(("entity", n), [name], group="entity", kind="organization", countries=["NP"])
    return index


def in_full(index, query, threshold):
    """Every record whose best name, compared in full, reaches the threshold: {key: (score, names, explanation)}."""
    wanted = {"person"} if query.kind == "person" else {"organization"}
    best = {}
    for name in query.names:
        normal, side, _ = index.side(name, query.kind)
        for record in map(index.record, range(len(index.keys))):
            if not record.alive or record.kind not in wanted:
                continue
            for name_id in record.names:
                match = index._compare(side, normal, name, name_id, record, query, threshold)
                if match and match.score > best.get(record.key, (0.0,))[0]:
                    best[record.key] = (match.score, (match.query_name, match.matched_name), match.explanation)
    return best


def test_a_search_finds_what_comparing_every_name_in_full_finds():
    index = registry()
    queries = [Query(("THAPA, Ram Bahadur",), "person", frozenset(["NP"])),
               Query(("Mohammad Rahman", "Mohd Rahman"), "person"),
               Query(("Maria Cruz",), "person", frozenset(["US"])),
               Query(("Gulf Star Manpower Ltd",), "organization"),
               Query(("Himalayan Crown Overseas", "Himalyan Crown"), "organization"),
               # Words two edits from any indexed word: compared with each candidate's words directly.
               Query(("Hymalaxan Crown Overseas",), "organization"),
               Query(("Ram Adhokxri",), "person")]
    for query in queries:
        for threshold in (0.7, 0.8):
            kinds = {"person"} if query.kind == "person" else {"organization"}
            found = index.search(query, threshold=threshold, limit=None, kinds=kinds, candidates=2000)
            expected = in_full(index, query, threshold)
            assert expected, query  # each query finds something, so the comparison means something
            assert {m.key: (m.score, (m.query_name, m.matched_name), m.explanation) for m in found} == expected


def test_results_are_the_same_once_the_memos_of_the_build_are_emptied():
    # gunicorn's master empties them before forking its workers (app/prefork.py).
    index = registry()
    queries = [Query(("Mohamad Rahmen",), kind="person"), Query(("Himalyan Global Manpowr",), kind="organization")]
    before = [[(m.key, m.score, m.explanation) for m in index.search(q, threshold=0.6)] for q in queries]
    assert match.token_similarity.cache_info().currsize and normalize._normalize.cache_info().currsize
    indexes.shed_memos()
    for memo in (normalize._normalize, normalize.latin_word, legal_forms.legal_word, match.token_similarity,
                 match.skeleton, romanise.pinyin):
        assert memo.cache_info().currsize == 0
    assert [[(m.key, m.score, m.explanation) for m in index.search(q, threshold=0.6)] for q in queries] == before
    assert all(before)


def test_identifiers_compare_on_their_letters_and_digits_in_any_script():
    assert identifier_key("ab-123 456") == "AB123456"
    assert identifier_key("No_12/٣٤٥.ЖК") == "NO12٣٤٥ЖК"     # Arabic-Indic digits and Cyrillic letters kept
    for value in ("a_b", "a\u200bb", "a\tb", "a·b", "a—b"):
        assert identifier_key(value) == "".join(c for c in value.upper() if c.isalnum())
