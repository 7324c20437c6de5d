"""The pure matcher: normalisation, word weights, candidate search and explanations, without an app."""
import pytest

from app.screening import normalize as normaliser, tagging
from app.screening.index import NameIndex, Query, Vocabulary
from app.screening.normalize import MAX_NAME_LENGTH, normalize

THRESHOLD = 0.8

# A small index that still has the shape of the real thing: many names share the field's common words.
LISTED = {
    "acme": ("organization", ["ACME Trading Co., Ltd."], ["CN"]),
    "number": ("organization", ["123 Ltd"], []),
    "mohammed-co": ("organization", ["Mohammed Trading Company"], ["AE"]),
    "mohammed-person": ("person", ["HASSAN ALI, Mohammed"], ["SD"]),
    "smith": ("person", ["SMITH, John Robert", "SMITH, Johnny"], ["GB"]),
    "global": ("organization", ["Global Manpower Services Ltd"], ["NP"]),
    "gazprom": ("organization", ["Общество с ограниченной ответственностью Газпром"], ["RU"]),
    "noor": ("organization", ["Al-Noor Human Resources W.L.L."], ["QA"]),
    "maju": ("organization", ["PT Maju Jaya Sejahtera"], ["ID"]),
    "bangla": ("organization", ["Bangla Overseas Sendirian Berhad"], ["MY"]),
    "shikhar": ("organization", ["Shikhar Manpower Private Limited"], ["NP"]),
}
FILLER = """Everest Golden Pacific Himalayan Delta Crescent Orient Star Royal Lotus Padma Meghna Garuda Bintang Cahaya
    Mitra Karya Abadi Luzon Visayas Mabuhay Perlas Kerala Malabar Konkan Trident Indus Kaveri Abay Selam Addis Axum
    Tana Shwe Yadanar Quetzal Maya Tikal Nile Sahara Atlas Zenith Meridian Summit Harbor Beacon Falcon Cedar Oasis
    Lumbini Gorkha Makalu Bagmati Koshi Gandaki Nilgiri Rara Sylhet Teesta Jamuna Rupali Sonar Madina""".split()


@pytest.fixture(scope="module")
def index():
    index = NameIndex(Vocabulary())
    for key, (kind, names, countries) in LISTED.items():
        index.add(key, names, group="test", kind=kind, countries=countries)
    for i, word in enumerate(FILLER):
        for j, common in enumerate(["Manpower Services", "Overseas Employment", "Global Recruitment", "Trading Co"]):
            index.add(f"filler-{i}-{j}", [f"{word} {common}"], group="filler", kind="organization")
    return index


def found(index, name, **query):
    return [m.key for m in index.search(Query((name,), **query), threshold=THRESHOLD, groups={"test"})]


@pytest.mark.parametrize("query, key", [
    ("Acme Trading Company Limited", "acme"),
    ("ACME TRADING CO LTD", "acme"),
    ("Shikhar Manpower Pvt. Ltd.", "shikhar"),
    ("Bangla Overseas Sdn. Bhd.", "bangla"),
    ("Al Noor Human Resources With Limited Liability", "noor"),
    ("Alnoor Human Resources WLL", "noor"),
    ("Maju Jaya Sejahtera Perseroan Terbatas", "maju"),
    ("OOO Gazprom", "gazprom"),
    ("Gazprom LLC", "gazprom"),
])
def test_legal_forms_and_spellings_compare_as_one_class(index, query, key):
    assert found(index, query) == [key]


def test_bare_number_with_a_legal_form_does_not_match_another_number(index):
    assert found(index, "456 Ltd") == []
    assert found(index, "123 Limited") == ["number"]


def test_a_first_name_alone_matches_neither_a_company_nor_a_person(index):
    assert found(index, "Mohammed", kind="person") == []
    assert found(index, "Mohammed", kind="organization") == []


def test_aliases_are_normalised_like_primary_names(index):
    assert found(index, "Johnny Smith", kind="person") == ["smith"]
    assert found(index, "John Robert Smith", kind="person") == ["smith"]


def test_common_words_of_the_field_do_not_make_a_match(index):
    assert found(index, "Kantipur Global Manpower Services") == []
    assert found(index, "Global Manpower Services") == ["global"]


@pytest.mark.parametrize("query", ["Shikhar Manpowr Pvt Ltd", "Shikar Manpower Private Limited",
                                   "Shikahr Manpoewr Pvt Ltd", "Manpower Shikhar Pvt Ltd"])
def test_typos_and_word_order_still_match(index, query):
    assert found(index, query) == ["shikhar"]


def test_identical_identifier_is_strong_evidence_even_under_another_name():
    index = NameIndex(Vocabulary())
    index.add("listed", ["Star Recruiting Agency"], group="test", kind="organization",
              identifiers=["REG-2024/55871"])
    [match] = index.search(Query(("Completely Different Name",), identifiers=frozenset(["reg 2024 55871"])),
                           threshold=THRESHOLD)
    assert match.key == "listed" and match.explanation["identifiers"] == ["REG202455871"]
    assert index.search(Query(("Other",), identifiers=frozenset(["1234"])), threshold=THRESHOLD) == []


def test_other_country_and_other_kind_lower_the_score(index):
    def score(**query):
        return index.search(Query(("ACME Trading Co Ltd",), **query), threshold=0.0, groups={"test"})[0].score
    same = score(countries=frozenset(["CN"]))
    assert score(countries=frozenset(["BR"])) < same
    assert score(kind="person") < same


def test_every_hit_explains_itself(index):
    [match] = index.search(Query(("Shikar Manpower Pvt Ltd",), countries=frozenset(["NP"])),
                           threshold=THRESHOLD, groups={"test"})
    why = match.explanation
    assert (match.query_name, match.matched_name) == ("Shikar Manpower Pvt Ltd", "Shikhar Manpower Private Limited")
    assert why["query_normalised"] == "shikar manpower pvt ltd"
    assert why["list_normalised"] == "shikhar manpower pvt ltd"
    shikhar, manpower = sorted(why["words"], key=lambda word: word["query"], reverse=True)
    assert (shikhar["query"], shikhar["list"], shikhar["similarity"]) == ("shikar", "shikhar", 0.857)
    # A distinctive word weighs more than a word half the agencies use.
    assert shikhar["weight"] > 2 * manpower["weight"]
    assert why["unmatched_query"] == why["unmatched_list"] == []
    assert why["score"] == round(match.score, 4) and 0.8 <= match.score <= 1


def test_removed_records_stop_matching_and_leave_the_word_counts():
    vocabulary = Vocabulary()
    index = NameIndex(vocabulary)
    index.add("a", ["Rara Manpower"], kind="organization")
    index.add("b", ["Rara Overseas"], kind="organization")
    index.remove("a")
    assert [m.key for m in index.search(Query(("Rara Manpower",)), threshold=0.5)] == ["b"]
    assert vocabulary.df[vocabulary.ids["manpower"]] == 0 and vocabulary.names == 1


def test_surname_comma_given_names_are_reordered_for_people_only():
    assert normalize("SMITH, John", "person").tokens == ("john", "smith")
    assert normalize("ANGLO-CARIBBEAN CO., LTD.").tokens == ("anglo", "caribbean")


def test_non_latin_scripts_are_transliterated():
    assert normalize("Газпром").tokens == ("gazprom",)
    assert normalize("शिखर मैनपावर प्रा. लि.").legal_forms == ("pvt ltd",)
    assert normalize("金正恩", "person").tokens == ("jin", "zhengen")


def test_letters_no_transliterator_knows_keep_their_own_form():
    # Private-use characters are no letters at all: such a name has nothing to match on.
    assert normalize("\ue000\ue001").tokens == ()
    # A script neither ICU nor anyascii writes in Latin letters (Hanifi Rohingya) stays as it is.
    rohingya = normalize("\U00010d00\U00010d22 Trading")
    assert rohingya.tokens == ("\U00010d00\U00010d22", "trading") and not rohingya.transliterated
    index = NameIndex(Vocabulary())
    index.add("r", ["\U00010d00\U00010d22 Trading"])
    assert [m.key for m in index.search(Query(("\U00010d00\U00010d22 trading",)), threshold=THRESHOLD)] == ["r"]


def test_overlong_names_are_cut_not_choked_on():
    assert len(normalize("a" * 10_000).original) == MAX_NAME_LENGTH


def test_transliterations_that_differ_in_their_vowels_match():
    index = NameIndex(Vocabulary())
    index.add("hizballah", ["HIZBALLAH"], kind="organization")
    index.add("qaida", ["AL-QAIDA IN IRAQ"], kind="organization")
    for i, word in enumerate(FILLER):
        index.add(f"filler-{i}", [f"{word} Trading"], kind="organization")
    assert [m.key for m in index.search(Query(("Hezbollah",)), threshold=THRESHOLD)] == ["hizballah"]
    assert [m.key for m in index.search(Query(("Al Qaeda in Iraq",)), threshold=THRESHOLD)] == ["qaida"]


@pytest.mark.parametrize("name, kind, tokens, asked", [
    ("Seven Seas Manpower", None, ("7", "seas", "manpower"), True),
    ("Unit 12 Security", None, ("unit", "12", "security"), True),
    ("USA Trading", None, ("united", "states", "trading"), True),
    ("Jordan Trading", None, ("jordan", "trading"), True),       # the country, written as its name is
    ("Everest Overseas Manpower", None, ("everest", "overseas", "manpower"), False),
    ("Jordan Smith", "person", ("jordan", "smith"), False),      # no countries in people's names
    ("Henry the Eighth", "person", ("henry", "the", "8"), True),
])
def test_only_names_with_a_number_or_country_the_tagger_knows_are_tagged(monkeypatch, name, kind, tokens, asked):
    normaliser._normalize.cache_clear()
    calls, analyze = [], tagging.analyze_names

    def counted(*args, **kwargs):
        calls.append(args)
        return analyze(*args, **kwargs)

    monkeypatch.setattr(tagging, "analyze_names", counted)
    assert normalize(name, kind).tokens == tokens
    assert bool(calls) == asked
    normaliser._normalize.cache_clear()
