"""What rigour's organisation tagger knows about a name's words: numbers and countries (pure).

Numbers become digits ("Seven Seas", "7 Seas"; "Second", "2nd"), and a country written long or short becomes one
spelling ("Islamic Republic of Iran", "Iran"; "USA", "United States"). (People's names that are one name, "Bob" and
"Robert", are in person_names.py.)
"""
from functools import cache, lru_cache
import json
import re

from rigour._core import ordinals_dict, territories_jsonl
from rigour.names import NameTypeTag, analyze_names, tokenize_name
from rigour.territories import get_territory

from app.screening.legal_forms import FORMS

NUMBER, COUNTRY = "NUM", "LOC"
DIGIT = re.compile(r"\d")
# The words of a state's formal style before its short name ("Federal Democratic Republic of Ethiopia", "Union of
# the Comoros"): rigour knows the common ones whole, not every country's.
STATE_STYLE = frozenset("""republic islamic federal federative democratic people peoples popular kingdom grand duchy
    union state states plurinational socialist arab sultanate principality commonwealth bolivarian hashemite united
    cooperative independent oriental emirate the""".split())


def tag(tokens, kind):
    """The tokens with numbers, and a company's countries, written one way: "seven seas" -> "7 seas"."""
    if not tokens or not taggable(tokens, kind):
        return tokens
    # The organisation tagger knows numbers and countries, and loads in a fraction of a second.
    names = analyze_names(NameTypeTag.ORG, [" ".join(tokens)], phonetics=False, consolidate=False, rewrite=False)
    name = next(iter(names), None)
    if name is None or [part.form for part in name.parts] != list(tokens):
        return tokens
    spans = [(tuple(part.index for part in span.parts), span.symbol.category.value, span.symbol.id)
             for span in name.spans]
    # A letter alone is an initial, not a Roman numeral ("I. G. Allain", "V. D. Marques").
    rewrites = longest([(parts, [symbol]) for parts, category, symbol in spans if category == NUMBER and
                        not (len(parts) == 1 and len(tokens[parts[0]]) == 1 and tokens[parts[0]].isalpha())])
    if kind != "person":
        rewrites += longest([(with_style(tokens, parts), country_words(symbol)) for parts, category, symbol in spans
                             if category == COUNTRY and country_words(symbol)], taken=rewrites)
    if not rewrites:
        return tokens
    starts = {parts[0]: (parts, words) for parts, words in rewrites}
    rewritten, i = [], 0
    while i < len(tokens):
        if i in starts:
            parts, words = starts[i]
            rewritten.extend(words)
            i = parts[-1] + 1
        else:
            rewritten.append(tokens[i])
            i += 1
    return rewritten


def taggable(tokens, kind):
    """Whether the tokens hold a number (or, in a company's name, a country) the tagger could find: most names do
    not, and asking the tagger costs a third of the time a name takes to normalise."""
    if DIGIT.search(" ".join(tokens)):
        return True
    known = phrases()[kind == "person"]
    return any(tuple(tokens[i:i + len(phrase)]) == phrase
               for i, token in enumerate(tokens) if token in known for phrase in known[token])


@cache
def phrases():
    """The words of the numbers and countries rigour's data knows, by their first word: (for companies, for people)."""
    numbers = [form for forms in ordinals_dict().values() for form in forms]
    countries = [value for line in territories_jsonl().splitlines() for key, value in json.loads(line).items()
                 if key in ("name", "full_name", "code", "alpha3", "names_strong", "names_weak", "other_codes")]
    countries = [form for value in countries for form in ([value] if isinstance(value, str) else value or ())]
    people, companies = {}, {}
    for forms, tables in ((numbers, (people, companies)), (countries, (companies,))):
        for form in forms:
            # Tokens are ASCII: the tagger finds only the forms that are too.
            words = tuple(tokenize_name(form.lower())) if form.isascii() else ()
            for table in tables:
                if words:
                    table.setdefault(words[0], set()).add(words)
    return companies, people


def with_style(tokens, parts):
    """A country's words with the formal style written before them: "islamic republic of" + "mauritania"."""
    k = parts[0] - 1
    if k >= 1 and tokens[k] == "the":
        k -= 1
    if k < 1 or tokens[k] != "of" or tokens[k - 1] not in STATE_STYLE or tokens[k - 1] == "the":
        return parts
    k -= 1
    while k >= 1 and tokens[k - 1] in STATE_STYLE:
        k -= 1
    return tuple(range(k, parts[-1] + 1))


def longest(spans, taken=()):
    """The spans to rewrite, longest first, none overlapping another or one already taken."""
    used = {i for parts, _ in taken for i in parts}
    chosen = []
    for parts, words in sorted(spans, key=lambda span: (-len(span[0]), span[0])):
        if used.isdisjoint(parts) and parts == tuple(range(parts[0], parts[-1] + 1)):
            used.update(parts)
            chosen.append((parts, words))
    return chosen


@lru_cache(maxsize=1024)
def country_words(code):
    """A country's name as the matcher writes it ("united states"), or () for what is not a known territory."""
    territory = get_territory(code)
    if territory is None:
        return ()
    words = tuple("".join(c for c in word if c.isalnum()) for word in territory.name.lower().split())
    # A territory named like a legal form would be taken for one.
    return words if words and all(words) and " ".join(words) not in FORMS else ()
