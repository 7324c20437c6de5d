"""Synthetic watchlist entries at any size, written like the real lists' names (deterministic).

Words come from the real lists (as often as they are used there) and from a pool of generated pronounceable
words, so the vocabulary grows with the list as a real one does. About half the entries are people (given,
middle and family names), the rest companies (1-3 distinctive words, 0-2 common words, often a legal form).
"""
from collections import Counter
import random
import re

from app.screening.normalize import normalize
from bench.eval_matching import typo

WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
ONSETS = ("b c d f g h j k l m n p r s t v w y z bh ch dh gh kh ph sh th zh br dr gr kr pr tr st sk sl sm sn sp "
          "sw bl fl gl kl pl").split()
VOWELS = "a e i o u a e i o u ai au ei ia io ua oo ee".split()
CODAS = ["", "", "", "", "n", "r", "l", "s", "m", "k", "t", "sh", "ng", "d"]
LEGAL_FORMS = ["Ltd", "Ltd.", "Limited", "Co., Ltd.", "Company Limited", "LLC", "Inc.", "Corporation", "Corp.",
               "S.A.", "S.A. de C.V.", "S.R.L.", "Ltda.", "GmbH", "JSC", "PJSC", "OOO", "PLC", "Pvt. Ltd.",
               "Private Limited", "W.L.L.", "FZE", "Sdn. Bhd.", "LLP", "Company", "Co.", "Est.", "Group Co., Ltd."]
COUNTRIES = ("AE AF BD BY CD CN CO CU DE ET GB GT HK ID IN IQ IR IT KP KR LB LY ML MM MX MY NG NP PH PK QA RU SA "
             "SD SG SO SY TH TR UA US VE YE").split()
GENERATED = 200_000    # distinct generated words; the real lists add some 23,000 more
REAL_SHARE = 0.45      # of the words in a name, this share is drawn from the real lists' words
PEOPLE = 0.5           # share of entries that are people (the real lists: 45% people, 5% vessels and aircraft)
MIN_COMMON = 40        # a company word used this often on the real lists is a common word ("construction")


def syllable_words(count, rng, taken):
    """`count` distinct made-up words of 2 to 4 syllables, none of them in `taken`."""
    words = set()
    while len(words) < count:
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                       for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
        if word not in taken:
            words.add(word)
    return sorted(words)


def listed_words(entries):
    """How often each word is used on the real lists: in given names, in family names, in companies' names."""
    given, family, company = Counter(), Counter(), Counter()
    for entry in entries:
        for name in (entry.name, *entry.aliases):
            if entry.kind == "person" and name.count(",") == 1:
                surname, rest = name.split(",")
                family.update(w.title() for w in WORD.findall(surname))
                given.update(w.title() for w in WORD.findall(rest))
            elif entry.kind == "organization":
                company.update(w.title() for w in WORD.findall(name) if len(w) > 2)
    # Words the normaliser drops or files as legal forms ("Ltd", "Company") come from LEGAL_FORMS instead.
    company = Counter({w: n for w, n in company.items() if normalize(w).tokens == (w.lower(),)})
    return given, family, company


class Pools:
    """The words names are made of: the real lists' words (repeated as often as they are used) and made-up ones."""

    def __init__(self, entries, rng):
        given, family, company = listed_words(entries)
        self.common = [w for w, n in company.items() if n >= MIN_COMMON for _ in range(n)]
        self.real = {"given": list(given.elements()), "family": list(family.elements()),
                     "company": [w for w, n in company.items() if n < MIN_COMMON for _ in range(n)]}
        taken = {w.lower() for w in (*given, *family, *company)}
        made = [w.title() for w in syllable_words(GENERATED, rng, taken)]
        rng.shuffle(made)
        # People share given names more than family names; companies' words are mostly their own.
        self.made = {"given": made[:20_000], "family": made[20_000:110_000], "company": made[110_000:]}
        self.vocabulary = len(taken) + len(made)

    def word(self, rng, kind):
        """One word for a name part ("given", "family", "company"): a real one, or a made-up one, some far
        more used than others (the square of a uniform draw favours the start of the pool)."""
        if rng.random() < REAL_SHARE:
            return rng.choice(self.real[kind])
        made = self.made[kind]
        return made[int(len(made) * rng.random() ** 2)]


def person_names(rng, pools):
    """A person's name as the lists write it, and its aliases."""
    given = pools.word(rng, "given")
    middle = pools.word(rng, "given") if rng.random() < 0.6 else ""
    family = pools.word(rng, "family")
    names = [written(rng, given, middle, family)]
    for _ in range(alias_count(rng)):
        change = rng.random()
        if change < 0.4:
            names.append(written(rng, respelt(rng, given), middle, family))
        elif change < 0.6:
            names.append(written(rng, given, "", respelt(rng, family)))
        elif change < 0.8:
            names.append(written(rng, given, middle, family))
        else:
            names.append(written(rng, pools.word(rng, "given"), "", family))
    return names


def written(rng, given, middle, family):
    style = rng.random()
    given_names = f"{given} {middle}".strip()
    if style < 0.45:
        return f"{family.upper()}, {given_names}"
    if style < 0.75:
        return f"{given_names} {family}".upper()
    return f"{given_names} {family}"


def company_names(rng, pools):
    """A company's name as the lists write it, and its aliases."""
    distinctive = [pools.word(rng, "company") for _ in range(rng.choices((1, 2, 3), (45, 40, 15))[0])]
    common = [rng.choice(pools.common) for _ in range(rng.choices((0, 1, 2), (35, 45, 20))[0])]
    form = rng.choice(LEGAL_FORMS) if rng.random() < 0.7 else ""
    names = [company(rng, distinctive, common, form)]
    for _ in range(alias_count(rng)):
        change = rng.random()
        if change < 0.35:
            names.append(company(rng, distinctive, common, rng.choice(LEGAL_FORMS + [""])))
        elif change < 0.55:
            names.append(company(rng, distinctive, [], ""))
        elif change < 0.75:
            names.append(company(rng, [respelt(rng, w) for w in distinctive], common, form))
        else:
            # A former or trading name with words of its own.
            names.append(company(rng, [pools.word(rng, "company")], common, form))
    return names


def company(rng, distinctive, common, form):
    name = " ".join([*distinctive, *common, form]).strip()
    return name.upper() if rng.random() < 0.5 else name


def respelt(rng, word):
    return typo(word, rng) if len(word) >= 5 else word


def alias_count(rng):
    """As on the real lists: most entries have one name, some have many (2.4 on average there)."""
    return rng.choices((0, 1, 2, 4, 7), (50, 20, 12, 10, 8))[0]


def synthetic_entries(names, pools, seed):
    """Entries (key, names, kind, countries, identifiers) until there are `names` names in all."""
    rng = random.Random(seed)
    made = 0
    number = 0
    while made < names:
        number += 1
        kind = "person" if rng.random() < PEOPLE else "organization"
        entry_names = person_names(rng, pools) if kind == "person" else company_names(rng, pools)
        entry_names = list(dict.fromkeys(entry_names))[:names - made]
        made += len(entry_names)
        countries = rng.sample(COUNTRIES, rng.choices((0, 1, 2), (30, 55, 15))[0])
        identifiers = [f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randrange(10**6, 10**9)}"] if rng.random() < 0.3 else []
        yield {"key": f"synthetic-{number}", "names": entry_names, "kind": kind, "countries": countries,
               "identifiers": identifiers}
