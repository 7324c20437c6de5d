"""Matcher quality on labelled name pairs made from public material the matcher was not built from.

The matcher's knowledge comes from rigour (legal forms, numbers, countries, given names), ICU and pypinyin. The
pairs come from other packages: Faker's names in many locales and scripts, the `nicknames` list of English
short forms, num2words, `transliterate` (GOST-like Russian romanisation), the `pinyin` package's readings of
Chinese characters, and pycountry's short and official country names. One kind, Wade-Giles, is spelt with
pypinyin's own table, which the matcher reads backwards: it shows the feature works, not that it generalises.

Each pair is a list name and a query: positives should match, negatives should not. Every list name is in one
index (so word weights are learned as in real use) and each query is scored against its own pair's name only.
    pip install -e '.[eval]' && python bench/eval_pairs.py [--per-kind 200] [--seed 11] [--threshold 0.7]
Seed 1 is the tuning part (the matcher and its default threshold were adjusted while looking at it); seed 11, the
default, is held out and only measured.
With --logic-v2 (in the venv of compare_logic_v2.py, with the eval extras) the pairs are scored by logic-v2.
"""
import argparse
from collections import Counter, defaultdict
from pathlib import Path
import random
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker  # noqa: E402
from nicknames import NickNamer  # noqa: E402
from num2words import num2words  # noqa: E402
import pinyin as pinyin_package  # noqa: E402
import pycountry  # noqa: E402
from pypinyin import Style, lazy_pinyin  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402
from transliterate import translit  # noqa: E402

from app.config import SCREENING_THRESHOLD  # noqa: E402
from app.screening.index import NameIndex, Query, Vocabulary  # noqa: E402

PERSON, ORG = "person", "organization"
SUFFIXES = ["Ltd", "LLC", "Inc", "Co", "Pvt Ltd", "Trading", "Services", "Group", "Holdings"]
NOUNS = ["Stars", "Seas", "Rivers", "Hills", "Gates", "Oaks", "Palms", "Roads", "Towers", "Bridges"]
LEET = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5"}
RUSSIAN_FORMS = [("ООО", "LLC"), ("АО", "JSC"), ("ПАО", "PJSC"), ("ЗАО", "CJSC"),
                 ("Общество с ограниченной ответственностью", "Limited Liability Company"),
                 ("Акционерное общество", "Joint Stock Company")]
TYPO_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def ordinal_suffix(n):
    """"st", "nd", "rd" or "th", as English writes 1st, 2nd, 3rd, 4th, 11th."""
    if n % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


class Maker:
    """Pairs of each kind: (kind, positive, list name, query, entity kind)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.fakers = {}
        for locale in ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "zh_CN", "ar_AA",
                       "id_ID", "vi_VN", "tr_TR", "pl_PL", "pt_BR"):
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(seed)
        self.en = self.fakers["en_US"]
        self.nicknames = NickNamer()
        self.latin = [loc for loc in self.fakers if loc not in ("ru_RU", "zh_CN", "ar_AA")]
        self.near_given, self.near_family = self.near_pairs("first_name"), self.near_pairs("last_name")
        self.countries = [c for c in pycountry.countries
                          if getattr(c, "official_name", None) and c.official_name != c.name and "," not in c.name]

    def near_pairs(self, method):
        """Pairs of different names one or two edits apart ("Marek", "Marika"), neither a short form of the other."""
        names = sorted({getattr(self.fakers[loc], method)() for loc in self.latin for _ in range(300)})
        names = [n for n in names if n.isalpha() and len(n) >= 4]
        pairs = []
        for i, one in enumerate(names):
            for two in names[i + 1:]:
                if abs(len(one) - len(two)) <= 2 and Levenshtein.distance(one.lower(), two.lower()) <= 2 and \
                        two.lower() not in self.nicknames.nicknames_of(one.lower()) and \
                        one.lower() not in self.nicknames.nicknames_of(two.lower()):
                    pairs.append((one, two))
        return pairs

    def any_faker(self):
        return self.fakers[self.rng.choice(self.latin)]

    def person(self):
        fake = self.any_faker()
        return fake.first_name(), fake.last_name()

    def distinct(self):
        """A distinctive company word: a family name from some locale."""
        return self.any_faker().last_name().split()[0].replace("-", "")

    # Positives ----------------------------------------------------------------------------------------------

    def nickname(self):
        fake = self.fakers[self.rng.choice(["en_US", "en_GB"])]
        first, last = fake.first_name(), fake.last_name()
        short = sorted(self.nicknames.nicknames_of(first.lower()))
        if not short:
            return None
        return f"{first} {last}", f"{self.rng.choice(short).title()} {last}", PERSON

    def initials(self):
        fake = self.any_faker()
        first, middle, last = fake.first_name(), fake.first_name(), fake.last_name()
        return f"{first} {middle} {last}", f"{first[0]}. {middle[0]}. {last}", PERSON

    def number_words(self):
        n = self.rng.choice(list(range(1, 21)) + [30, 40, 50, 100])
        ordinal = self.rng.random() < 0.4
        words = num2words(n, to="ordinal" if ordinal else "cardinal").title()
        digits = f"{n}{ordinal_suffix(n)}" if ordinal else str(n)
        noun, suffix = self.rng.choice(NOUNS), self.rng.choice(SUFFIXES)
        distinct = self.distinct()
        return f"{distinct} {words} {noun} {suffix}", f"{distinct} {digits} {noun} {suffix}", ORG

    def and_symbol(self):
        one, two = self.distinct(), self.distinct()
        suffix = self.rng.choice(SUFFIXES)
        return f"{one} & {two} {suffix}", f"{one} and {two} {suffix}", ORG

    def joined_words(self):
        one, two = self.distinct(), self.rng.choice(NOUNS)
        suffix = self.rng.choice(SUFFIXES)
        return f"{one} {two} {suffix}", f"{one}{two.lower()} {suffix}", ORG

    def digits_for_letters(self):
        one, two = self.distinct(), self.distinct()
        letters = [i for i, c in enumerate(one[1:-1], 1) if c.lower() in LEET]
        if not letters:
            return None
        i = self.rng.choice(letters)
        return f"{one} {two} Ltd", f"{one[:i]}{LEET[one[i].lower()]}{one[i + 1:]} {two} Ltd", ORG

    def legal_form_dots(self):
        distinct, form = self.distinct(), self.rng.choice(["LLC", "Co Ltd", "SA", "Pvt Ltd", "Inc", "LLP"])
        dotted = " ".join(".".join(word) + "." if word.isupper() else word + "." for word in form.split())
        noun = self.rng.choice(NOUNS)
        return f"{distinct} {noun} {form}", f"{distinct} {noun} {dotted}", ORG

    def cyrillic_person(self):
        fake = self.fakers["ru_RU"]
        male = self.rng.random() < 0.5
        first = fake.first_name_male() if male else fake.first_name_female()
        last = fake.last_name_male() if male else fake.last_name_female()
        cyrillic = f"{last} {first}"
        latin = translit(f"{first} {last}", "ru", reversed=True).replace("'", "")
        return cyrillic, latin, PERSON

    def cyrillic_company(self):
        word = self.fakers["ru_RU"].last_name_male()
        form, latin_form = self.rng.choice(RUSSIAN_FORMS)
        latin = translit(word, "ru", reversed=True).replace("'", "")
        return f"{form} «{word}»", f"{latin} {latin_form}", ORG

    def chinese_person(self):
        fake = self.fakers["zh_CN"]
        last, first = fake.last_name(), fake.first_name()
        if len(last) != 1:
            return None
        surname = pinyin_package.get(last, format="strip", delimiter="").title()
        given = pinyin_package.get(first, format="strip", delimiter="").title()
        return last + first, (f"{given} {surname}" if self.rng.random() < 0.5 else f"{surname}, {given}"), PERSON

    def wade_giles(self):
        fake = self.fakers["zh_CN"]
        last, first = fake.last_name(), fake.first_name()
        if len(last) != 1 or len(first) != 2:
            return None
        # pypinyin writes Wade-Giles' ü as "v".
        surname = lazy_pinyin(last, style=Style.WADEGILES)[0].replace("v", "ü").title()
        given = "-".join(lazy_pinyin(first, style=Style.WADEGILES)).replace("v", "ü").capitalize()
        return last + first, f"{surname} {given}", PERSON

    def country_form(self):
        country = self.rng.choice(self.countries)
        distinct = self.distinct()
        kind = self.rng.choice(["Bank", "Shipping Lines", "Trading Company", "Manpower Agency"])
        return f"{distinct} {kind} of {country.official_name}", f"{distinct} {kind} of {country.name}", ORG

    def acronym(self):
        words = [self.distinct() for _ in range(self.rng.choice((3, 3, 4)))] + [self.rng.choice(NOUNS)]
        return f"{' '.join(words)} {self.rng.choice(SUFFIXES[:5])}", "".join(w[0] for w in words).upper(), ORG

    def typo(self):
        first, last = self.person()
        word = last if len(last) >= 5 else first
        if len(word) < 5 or not word.isalpha():
            return None
        i = self.rng.randrange(1, len(word) - 1)
        typo = word[:i] + self.rng.choice(TYPO_LETTERS) + word[i + 1:]
        if typo == word:
            return None
        return f"{first} {last}", f"{first} {last}".replace(word, typo, 1), PERSON

    def word_order(self):
        first, last = self.person()
        return f"{last.upper()}, {first}", f"{first} {last}", PERSON

    # Negatives ----------------------------------------------------------------------------------------------

    def other_family_name(self):
        fake = self.any_faker()
        first, middle = fake.first_name(), fake.first_name()
        one, two = fake.last_name(), fake.last_name()
        if one == two or one in two or two in one:
            return None
        return f"{first} {middle} {one}", f"{first} {middle} {two}", PERSON

    def other_given_name(self):
        fake = self.any_faker()
        one, two, last = fake.first_name(), fake.first_name(), fake.last_name()
        if one == two or two.lower() in self.nicknames.nicknames_of(one.lower()) or \
                one.lower() in self.nicknames.nicknames_of(two.lower()):
            return None
        return f"{one} {last}", f"{two} {last}", PERSON

    def father_and_son(self):
        fake = self.fakers["ar_AA"]
        father, son, family = fake.first_name_male(), fake.first_name_male(), fake.last_name()
        if father == son:
            return None
        return f"{son} بن {father} {family}", f"{father} بن {son} {family}", PERSON

    def numbered_series(self):
        distinct, year = self.distinct(), self.rng.randrange(2000, 2030)
        one = self.rng.randrange(1, 9)
        two = self.rng.choice([n for n in range(1, 10) if n != one])
        style = self.rng.choice(["{} Trust {}-{}", "{} Fund {} Series {}", "{} Unit {} Block {}"])
        return style.format(distinct, year, one), style.format(distinct, year, two), ORG

    def one_character(self):
        fake = self.fakers["zh_CN"]
        name = fake.last_name() + fake.first_name()
        if len(name) < 3:
            return None
        i = self.rng.randrange(1, len(name))
        other = fake.first_name()[0]
        if other == name[i]:
            return None
        return name, name[:i] + other + name[i + 1:], PERSON

    def shared_generic_words(self):
        one, two = self.distinct(), self.distinct()
        if one.lower() == two.lower():
            return None
        tail = self.rng.choice(["Manpower Services Pvt Ltd", "Overseas Employment Agency", "International Trading LLC",
                                "Human Resources Consultancy", "Global Recruitment Services Ltd"])
        return f"{one} {tail}", f"{two} {tail}", ORG

    def long_name_other_word(self):
        fake = self.fakers["ar_AA"]
        names = [fake.first_name_male() for _ in range(3)]
        one, two = fake.last_name(), fake.last_name()
        if one == two:
            return None
        return f"{names[0]} {names[1]} {names[2]} {one}", f"{names[0]} {names[1]} {names[2]} {two}", PERSON

    def near_given_name(self):
        one, two = self.rng.choice(self.near_given)
        last = self.any_faker().last_name()
        return f"{one} {last}", f"{two} {last}", PERSON

    def near_family_name(self):
        one, two = self.rng.choice(self.near_family)
        first = self.any_faker().first_name()
        return f"{first} {one}", f"{first} {two}", PERSON

    def near_company_word(self):
        one, two = self.rng.choice(self.near_family)
        tail = self.rng.choice(["Manpower Services Pvt Ltd", "Trading LLC", "Recruitment Agency", "Holdings Ltd"])
        return f"{one} {tail}", f"{two} {tail}", ORG

    def other_initials(self):
        words = [self.distinct() for _ in range(3)] + [self.rng.choice(NOUNS)]
        initials = "".join(w[0] for w in words).upper()
        i = self.rng.randrange(len(initials))
        other = initials[:i] + self.rng.choice([c for c in "BCDFGHKLMNPRST" if c != initials[i]]) + initials[i + 1:]
        return " ".join(words), other, ORG

    def unrelated(self):
        if self.rng.random() < 0.5:
            return " ".join(self.person()), " ".join(self.person()), PERSON
        return self.any_faker().company(), self.any_faker().company(), ORG


POSITIVE = ["nickname", "initials", "number_words", "and_symbol", "joined_words", "digits_for_letters",
            "legal_form_dots", "cyrillic_person", "cyrillic_company", "chinese_person", "wade_giles", "country_form",
            "acronym", "typo", "word_order"]
NEGATIVE = ["other_family_name", "other_given_name", "father_and_son", "numbered_series", "one_character",
            "shared_generic_words", "long_name_other_word", "near_given_name", "near_family_name",
            "near_company_word", "other_initials", "unrelated"]


def make_pairs(per_kind, seed):
    """[(kind, positive, list name, query, entity kind)], per_kind of each kind."""
    maker = Maker(seed)
    pairs = []
    for kind in POSITIVE + NEGATIVE:
        made, tries = 0, 0
        while made < per_kind and tries < per_kind * 50:
            tries += 1
            pair = getattr(maker, kind)()
            if pair is None:
                continue
            listed, query, entity = pair
            if listed == query:
                continue
            pairs.append((kind, kind in POSITIVE, listed, query, entity))
            made += 1
    return pairs


def score_pairs(pairs):
    """Each pair's score: the query against its own list name, in an index of every list name."""
    index = NameIndex(Vocabulary())
    for number, (_, _, listed, _, entity) in enumerate(pairs):
        index.add(number, [listed], group=str(number), kind=entity)
    scores = []
    for number, (_, _, _, query, entity) in enumerate(pairs):
        found = index.search(Query((query,), kind=entity), threshold=0.0, groups={str(number)}, limit=1)
        scores.append(found[0].score if found else 0.0)
    return scores


def score_pairs_logic_v2(pairs):
    """Each pair's score by OpenSanctions' logic-v2 (yente's default), in a venv with nomenklatura installed."""
    from followthemoney import model  # noqa: PLC0415  (not a dependency of the project)
    from nomenklatura.matching import LogicV2, ScoringConfig  # noqa: PLC0415

    config = ScoringConfig.defaults()
    scores = []
    for number, (_, _, listed, query, entity) in enumerate(pairs):
        sides = []
        for side, name in (("list", listed), ("query", query)):
            proxy = model.make_entity("Person" if entity == PERSON else "Organization")
            proxy.id = f"{side}-{number}"
            proxy.add("name", name)
            sides.append(proxy)
        scores.append(LogicV2.compare(sides[1], sides[0], config).score)
    return scores


def f1(tp, fp, fn):
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def counts(pairs, scores, threshold, select=lambda pair: True):
    tp = fp = fn = 0
    for pair, score in zip(pairs, scores):
        if not select(pair):
            continue
        if pair[1]:
            tp += score >= threshold
            fn += score < threshold
        else:
            fp += score >= threshold
    return tp, fp, fn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", type=float, default=SCREENING_THRESHOLD)
    parser.add_argument("--misses", type=int, default=0, help="print this many misses and false hits per kind")
    parser.add_argument("--logic-v2", action="store_true",
                        help="score with OpenSanctions' logic-v2 instead (needs nomenklatura; see compare_logic_v2.py)")
    args = parser.parse_args()

    pairs = make_pairs(args.per_kind, args.seed)
    scores = score_pairs_logic_v2(pairs) if args.logic_v2 else score_pairs(pairs)
    by_kind = defaultdict(Counter)
    examples = defaultdict(list)
    for pair, score in zip(pairs, scores):
        kind, positive, listed, query, _ = pair
        stats = by_kind[kind]
        stats["pairs"] += 1
        wrong = (score < args.threshold) if positive else (score >= args.threshold)
        stats["wrong"] += wrong
        if wrong and args.misses and len(examples[kind]) < args.misses:
            examples[kind].append(f"{listed!r} / {query!r}: {score:.3f}")

    print(f"{len(pairs)} pairs, seed {args.seed}, threshold {args.threshold}, "
          f"{'logic-v2' if args.logic_v2 else 'FairRecruit'}")
    print(f"{'positive kind':<24}{'pairs':>7}{'recall':>8}")
    for kind in POSITIVE:
        stats = by_kind[kind]
        print(f"{kind:<24}{stats['pairs']:>7}{1 - stats['wrong'] / stats['pairs']:>8.3f}")
    print(f"{'negative kind':<24}{'pairs':>7}{'false hits':>11}")
    for kind in NEGATIVE:
        stats = by_kind[kind]
        print(f"{kind:<24}{stats['pairs']:>7}{stats['wrong'] / stats['pairs']:>11.3f}")
    for label, select in (("all pairs", lambda p: True), ("people", lambda p: p[4] == PERSON),
                          ("organisations", lambda p: p[4] == ORG)):
        precision, recall, f = f1(*counts(pairs, scores, args.threshold, select))
        print(f"{label:<24}precision {precision:.3f}  recall {recall:.3f}  F1 {f:.3f}")
    print("threshold sweep (all pairs; every 0.05, and where F1 is best and precision nearest recall):")
    sweep = {step / 100: f1(*counts(pairs, scores, step / 100)) for step in range(60, 96)}
    best = max(sweep, key=lambda t: (sweep[t][2], -abs(t - args.threshold)))
    balanced = min(sweep, key=lambda t: abs(sweep[t][0] - sweep[t][1]))
    for threshold, (precision, recall, f) in sweep.items():
        marks = [label for label, at in (("best F1", best), ("balanced", balanced)) if at == threshold]
        if round(threshold * 100) % 5 == 0 or marks:
            print(f"  {threshold:.2f}  precision {precision:.3f}  recall {recall:.3f}  F1 {f:.3f}  {', '.join(marks)}")
    for kind, lines in examples.items():
        print(f"\n{kind}:")
        for line in lines:
            print("  " + line)


if __name__ == "__main__":
    main()
