"""What rigour's name tagger knows about a name's words: numbers, countries, given names and their short forms (pure).

Numbers become digits ("Seven Seas", "7 Seas"; "Second", "2nd"), a country written long or short becomes one
spelling ("Islamic Republic of Iran", "Iran"; "USA", "United States"), and a person's given names carry the
symbols rigour's data gives them (Wikidata's given names, English short forms: "Bob" and "Robert" share one).
"""
from functools import lru_cache
import sys

from rigour.names import NameTypeTag, analyze_names
from rigour.territories import get_territory

from app.screening.legal_forms import FORMS

NUMBER, COUNTRY, NAMES = "NUM", "LOC", ("NAME", "NICK")


def tag(tokens, kind):
    """(tokens with numbers and countries in one spelling, ((first token, count, symbol), ...) for people)."""
    if not tokens:
        return tokens, ()
    person = kind == "person"
    names = analyze_names(NameTypeTag.PER if person else NameTypeTag.ORG, [" ".join(tokens)], phonetics=False,
                          consolidate=False, rewrite=False)
    name = next(iter(names), None)
    if name is None or [part.form for part in name.parts] != list(tokens):
        return tokens, ()
    spans = [(tuple(part.index for part in span.parts), span.symbol.category.value, span.symbol.id)
             for span in name.spans]
    rewrites = longest([(parts, [symbol]) for parts, category, symbol in spans if category == NUMBER])
    if not person:
        rewrites += longest([(parts, country_words(symbol)) for parts, category, symbol in spans
                             if category == COUNTRY and country_words(symbol)], taken=rewrites)
    new_tokens, position = [], {}
    starts = {parts[0]: (parts, words) for parts, words in rewrites}
    i = 0
    while i < len(tokens):
        if i in starts:
            parts, words = starts[i]
            new_tokens.extend(words)
            i = parts[-1] + 1
        else:
            position[i] = len(new_tokens)
            new_tokens.append(tokens[i])
            i += 1
    symbols = ()
    if person:
        symbols = tuple(sorted({(position[parts[0]], len(parts), sys.intern(f"{category}:{symbol}"))
                                for parts, category, symbol in spans if category in NAMES and
                                all(p in position for p in parts) and parts == tuple(range(parts[0], parts[-1] + 1))}))
    return new_tokens, symbols


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
