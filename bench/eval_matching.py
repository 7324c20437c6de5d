"""Matcher quality on a development evaluation built from the real lists in ../shared/data.

Queries are variants of real list names (legal-form expansions and abbreviations, punctuation, word order,
one and two typos, a dropped middle word, transliteration respellings), each expecting the entry it came
from; and clean, realistic agency names that are on no list, each expecting nothing.
Targets at the default threshold: recall >= 0.97, right entry first >= 0.95, <= 2 hits per 100 clean names.
"""
import argparse
from collections import Counter, defaultdict
import json
from pathlib import Path
import random
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import SCREENING_THRESHOLD  # noqa: E402
from app.screening.index import NameIndex, Query, Vocabulary  # noqa: E402
from app.screening.normalize import normalize  # noqa: E402
from bench.lists import load_all  # noqa: E402
from bench.generate_agencies import CORRIDORS  # noqa: E402

LONG_FORMS = {"ltd": "Limited", "limited": "Ltd", "co": "Company", "company": "Co", "llc": "Limited Liability Company",
              "inc": "Incorporated", "incorporated": "Inc", "corp": "Corporation", "corporation": "Corp",
              "plc": "Public Limited Company", "sa": "S.A.", "s.a.": "SA", "jsc": "Joint Stock Company",
              "pvt": "Private", "private": "Pvt", "bhd": "Berhad", "sdn": "Sendirian", "llp": "L.L.P.",
              "gmbh": "G.m.b.H.", "wll": "W.L.L.", "est": "Establishment", "establishment": "Est."}
RESPELLINGS = [("ph", "f"), ("kh", "kh"), ("kh", "h"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"),
               ("i", "y"), ("mm", "m"), ("ll", "l"), ("ss", "s"), ("q", "k"), ("dh", "d"), ("sh", "ch"),
               ("mohammed", "muhammad"), ("muhammad", "mohamed"), ("mohamed", "mohammad"), ("abdul", "abd al"),
               ("abd al", "abdul"), ("al-", "el-"), ("yusuf", "yousef"), ("hussein", "husain"), ("ahmed", "ahmad")]
CLASSES = ("legal_form", "punctuation", "word_order", "typo_1", "typo_2", "dropped_word", "transliteration")


def words(name):
    return name.replace(",", " ").split()


def typo(word, rng):
    """One random edit: substitution, insertion, deletion or transposition of neighbours."""
    i = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.choice(("substitute", "insert", "delete", "transpose"))
    if kind == "substitute":
        return word[:i] + letter + word[i + 1:]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def variant(entry, cls, rng):
    """A query written differently from the list's name, or None when the class does not apply to it."""
    name = entry.name
    parts = words(name)
    if cls == "legal_form":
        changed = [LONG_FORMS.get(p.lower().strip(".,"), p) for p in parts]
        return " ".join(changed) if changed != parts else None
    if cls == "punctuation":
        stripped = "".join(c if c.isalnum() or c == " " else " " for c in name)
        stripped = " ".join(stripped.split())
        if stripped != name:
            return stripped.lower() if rng.random() < 0.5 else stripped
        return ".".join(parts) if len(parts) > 1 else None
    if cls == "word_order":
        if entry.kind == "person" and "," in name:
            surname, given = name.split(",", 1)
            return f"{given.strip()} {surname.strip()}"
        if len(parts) >= 2:
            i = rng.randrange(len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
            return " ".join(parts)
        return None
    if cls in ("typo_1", "typo_2"):
        long_words = [i for i, p in enumerate(parts) if len(p) >= 5 and p.isalpha()]
        if not long_words:
            return None
        for _ in range(1 if cls == "typo_1" else 2):
            i = rng.choice(long_words)
            parts[i] = typo(parts[i], rng)
        return " ".join(parts)
    if cls == "dropped_word":
        if len(normalize(name, entry.kind).tokens) < 4 or len(parts) < 4:
            return None
        del parts[rng.randrange(1, len(parts) - 1)]
        return " ".join(parts)
    if cls == "transliteration":
        lower = name.lower()
        options = [(a, b) for a, b in RESPELLINGS if a in lower and a != b]
        if not options:
            return None
        a, b = rng.choice(options)
        return lower.replace(a, b, 1)
    raise ValueError(cls)


def clean_names(count, rng, listed):
    """Realistic recruitment-agency names, none of them written like a listed name."""
    forms = ["Manpower", "Overseas", "Recruitment", "Human Resources", "Employment Agency", "Manpower Services",
             "Overseas Employment", "International", "Global Services", "Recruiting Agency", "Workforce Solutions"]
    names = []
    while len(names) < count:
        origin = rng.choice(list(CORRIDORS))
        corridor = CORRIDORS[origin]
        first, last, place_words, suffixes = corridor[4], corridor[5], corridor[6], corridor[7]
        style = rng.random()
        if style < 0.55:
            name = f"{rng.choice(place_words)} {rng.choice(forms)} {rng.choice(suffixes)}"
        elif style < 0.8:
            name = f"{rng.choice(place_words)} {rng.choice(place_words)} {rng.choice(forms)} {rng.choice(suffixes)}"
        else:
            name = f"{rng.choice(first)} {rng.choice(last)} {rng.choice(forms)} {rng.choice(suffixes)}"
        if normalize(name).tokens not in listed:
            names.append((name, origin))
    return names


def hard_clean_names(count, rng, entries):
    """Harder negatives, reported for calibration: people made of listed people's first and last names, and
    agencies named with a word borrowed from a listed company. None is written like a listed name."""
    people = [normalize(e.name, "person").tokens for e in entries if e.kind == "person"]
    people = [tokens for tokens in people if len(tokens) >= 2]
    companies = [normalize(e.name).tokens for e in entries if e.kind == "organization"]
    listed = {tuple(sorted(tokens)) for tokens in people + companies}
    names = []
    while len(names) < count:
        if rng.random() < 0.5:
            name, kind = f"{rng.choice(people)[0]} {rng.choice(people)[-1]}".title(), "person"
        else:
            word = rng.choice(rng.choice([c for c in companies if c]))
            name, kind = f"{word.title()} Manpower Services Pvt Ltd", "organization"
        if tuple(sorted(normalize(name, kind).tokens)) not in listed:
            names.append((name, kind))
    return names


def evaluate(index, entries, per_class, clean_count, threshold, seed):
    rng = random.Random(seed)
    usable = [e for e in entries if e.kind in ("organization", "person") and len(normalize(e.name, e.kind).tokens) >= 1]
    by_class = defaultdict(Counter)
    failures = defaultdict(list)
    started = time.perf_counter()
    queries = 0
    for cls in CLASSES:
        tried = 0
        while by_class[cls]["queries"] < per_class and tried < per_class * 50:
            tried += 1
            entry = rng.choice(usable)
            query = variant(entry, cls, rng)
            if not query or query == entry.name:
                continue
            key = (entry.source, entry.entry_id)
            hits = index.search(Query((query,), kind=entry.kind), threshold=threshold, limit=50)
            queries += 1
            stats = by_class[cls]
            stats["queries"] += 1
            keys = [m.key for m in hits]
            if key in keys:
                stats["found"] += 1
                mine = hits[keys.index(key)].score
                if hits[0].key == key or hits[0].score == mine:
                    stats["first"] += 1
                else:
                    failures[cls].append({"query": query, "expected": entry.name, "first": hits[0].matched_name})
            else:
                failures[cls].append({"query": query, "expected": entry.name,
                                      "got": [(m.matched_name, round(m.score, 3)) for m in hits[:3]]})
    listed = {normalize(e.name, e.kind).tokens for e in entries}
    clean = clean_names(clean_count, rng, listed)
    clean_hits = []
    for name, country in clean:
        hits = index.search(Query((name,), kind="organization", countries=frozenset([country])), threshold=threshold)
        queries += 1
        if hits:
            clean_hits.append({"query": name, "hits": [(m.matched_name, round(m.score, 3)) for m in hits[:3]]})
    hard_hits = Counter()
    for name, kind in hard_clean_names(clean_count, rng, entries):
        queries += 1
        if index.search(Query((name,), kind=kind), threshold=threshold):
            hard_hits[kind] += 1
            failures["hard_clean"].append(name)
    elapsed = time.perf_counter() - started
    return by_class, failures, clean, clean_hits, hard_hits, queries, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=400)
    parser.add_argument("--clean", type=int, default=2000)
    parser.add_argument("--threshold", type=float, default=SCREENING_THRESHOLD)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--failures", type=Path, help="write the misses and false hits here as JSON")
    args = parser.parse_args()

    entries = load_all()
    vocabulary = Vocabulary()
    index = NameIndex(vocabulary)
    for e in entries:
        index.add((e.source, e.entry_id), (e.name, *e.aliases, *e.weak_aliases), group=e.source, kind=e.kind,
                  countries=e.countries, identifiers=[v for _, v in e.identifiers])
    by_class, failures, clean, clean_hits, hard_hits, queries, elapsed = evaluate(
        index, entries, args.per_class, args.clean, args.threshold, args.seed)

    total = Counter()
    print(f"threshold {args.threshold}; {len(entries)} list entries; seed {args.seed}")
    print(f"{'variant class':<16}{'queries':>8}{'recall':>8}{'first':>8}")
    for cls in CLASSES:
        stats = by_class[cls]
        total.update(stats)
        print(f"{cls:<16}{stats['queries']:>8}{stats['found'] / stats['queries']:>8.3f}"
              f"{stats['first'] / stats['queries']:>8.3f}")
    recall, first = total["found"] / total["queries"], total["first"] / total["queries"]
    false_rate = 100 * len(clean_hits) / len(clean)
    print(f"{'all variants':<16}{total['queries']:>8}{recall:>8.3f}{first:>8.3f}")
    print(f"recall of variants          {recall:.3f}   target >= 0.97  {'OK' if recall >= 0.97 else 'MISSED'}")
    print(f"right entry ranked first    {first:.3f}   target >= 0.95  {'OK' if first >= 0.95 else 'MISSED'}")
    print(f"hits per 100 clean names    {false_rate:.2f}    target <= 2     {'OK' if false_rate <= 2 else 'MISSED'}"
          f"  ({len(clean_hits)} of {len(clean)})")
    print(f"harder negatives (no target): {sum(hard_hits.values())} hits for {args.clean} names, of which "
          f"{hard_hits['person']} people made of listed first and last names")
    print(f"{queries} queries in {elapsed:.1f} s")
    if args.failures:
        args.failures.write_text(json.dumps({"misses": failures, "clean_hits": clean_hits}, indent=1,
                                            ensure_ascii=False))


if __name__ == "__main__":
    main()
