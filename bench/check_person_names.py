"""Check app/screening/person_names.py against rigour's own person tagger: the same words are one name in both.

Every word of the table, and every word of the real lists' names, is tagged by rigour (about 10 s to load, then a
minute or two); two words are one name when they share a NAME or NICK symbol. Run after upgrading rigour:
    python bench/check_person_names.py
"""
from collections import defaultdict
from pathlib import Path
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rigour.names import NameTypeTag, analyze_names  # noqa: E402

from app.screening.normalize import normalize  # noqa: E402
from app.screening.person_names import table  # noqa: E402
from bench.lists import load_all  # noqa: E402


def rigour_symbols(word):
    """The NAME and NICK symbols rigour's person tagger gives a word alone."""
    names = analyze_names(NameTypeTag.PER, [word], phonetics=False, numerics=False, consolidate=False, rewrite=False)
    return {f"{span.symbol.category.value}:{span.symbol.id}" for name in names for span in name.spans
            if len(span.parts) == 1 and span.symbol.category.value in ("NAME", "NICK")}


def main():
    words = table()
    listed = {token for entry in load_all() for name in (entry.name, *entry.aliases)
              for token in normalize(name, "person").tokens if len(token) > 1}
    start = time.perf_counter()
    rigour_symbols("a")
    print(f"{len(words):,} words in the table, {len(listed - set(words)):,} other words of the lists; "
          f"rigour's tagger loaded in {time.perf_counter() - start:.1f} s", flush=True)
    by_symbol = defaultdict(set)
    symbols = {}
    for word in sorted(set(words) | listed):
        symbols[word] = rigour_symbols(word)
        for symbol in symbols[word]:
            by_symbol[symbol].add(word)
    by_name = defaultdict(set)
    for word, names in words.items():
        for name in names:
            by_name[name].add(word)
    wrong = 0
    for word, mine in symbols.items():
        rigours = {other for symbol in mine for other in by_symbol[symbol]} - {word}
        ours = {other for name in words.get(word, ()) for other in by_name[name]} - {word}
        if rigours != ours:
            wrong += 1
            if wrong <= 20:
                print(f"{word}: only rigour {sorted(rigours - ours)[:5]}, only the table {sorted(ours - rigours)[:5]}")
    print(f"{len(symbols):,} words checked, {wrong} with other equivalents than rigour's")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
