"""Our matcher beside OpenSanctions' logic-v2 (yente's default), on the development evaluation of eval_matching.py.

logic-v2 lives in nomenklatura, which the project does not depend on; run this in a venv of its own:
    python3 -m venv bench/out/lv2 && bench/out/lv2/bin/pip install -e . nomenklatura
    bench/out/lv2/bin/python bench/compare_logic_v2.py
logic-v2 scores pairs; yente finds its candidates with Elasticsearch. Here its candidates are the union of
every entry sharing a word with the query (the 100 rarest-word ones) and the 60 our index would compare, so a
miss is logic-v2's own. Both are judged at their default thresholds (ours 0.8, yente's 0.7) and at 0.8.
"""
import argparse
from collections import Counter, defaultdict
from math import log
from pathlib import Path
import random
from statistics import fmean, median
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followthemoney import model  # noqa: E402
from nomenklatura.matching import LogicV2, ScoringConfig  # noqa: E402
from normality import ascii_text  # noqa: E402

from app.config import SCREENING_THRESHOLD  # noqa: E402
from app.screening.index import NameIndex, Query  # noqa: E402
from bench.eval_matching import CLASSES, clean_names, hard_clean_names, variant  # noqa: E402
from bench.lists import load_all  # noqa: E402

SCHEMAS = {"person": "Person", "organization": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
BLOCK = 100


def entity(key, kind, names, countries=()):
    """A FollowTheMoney entity for logic-v2."""
    proxy = model.make_entity(SCHEMAS.get(kind, "LegalEntity"))
    proxy.id = key
    proxy.add("name", names[0])
    proxy.add("alias", list(names[1:]))
    proxy.add("country", [c.lower() for c in countries])
    return proxy


def words(name):
    return set(ascii_text(name).lower().replace(",", " ").replace(".", " ").replace("-", " ").split())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=200)
    parser.add_argument("--clean", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    entries = load_all()
    index = NameIndex()
    proxies, by_word = {}, defaultdict(list)
    for e in entries:
        key = f"{e.source}/{e.entry_id}"
        names = (e.name, *e.aliases, *e.weak_aliases)
        index.add(key, names, group=e.source, kind=e.kind, countries=e.countries,
                  identifiers=[v for _, v in e.identifiers])
        proxies[key] = entity(key, e.kind, names, e.countries)
        for word in set().union(*map(words, names)):
            by_word[word].append(key)
    rarity = {word: log(1 + len(entries) / len(keys)) for word, keys in by_word.items()}

    rng = random.Random(args.seed)
    usable = [e for e in entries if e.kind in ("organization", "person")]
    queries = []
    for cls in CLASSES:
        made = 0
        while made < args.per_class:
            e = rng.choice(usable)
            text = variant(e, cls, rng)
            if text and text != e.name:
                queries.append((cls, text, e.kind, (), f"{e.source}/{e.entry_id}"))
                made += 1
    for name, country in clean_names(args.clean, rng, set()):
        queries.append(("clean", name, "organization", (country,), None))
    for name, kind in hard_clean_names(args.clean, rng, entries):
        queries.append(("harder", name, kind, (), None))

    config = ScoringConfig.defaults()
    ours_seconds, theirs_seconds = [], []
    results = {"ours": defaultdict(Counter), "logic-v2": defaultdict(Counter)}
    for number, (cls, text, kind, countries, expected) in enumerate(queries):
        query = Query((text,), kind, frozenset(countries))
        started = time.perf_counter()
        index.search(query, threshold=SCREENING_THRESHOLD, limit=25)
        ours_seconds.append(time.perf_counter() - started)
        # Every name our index would compare, with its score: for both thresholds, and as logic-v2's candidates.
        ours = index.search(query, threshold=0.0, limit=60)
        shared = Counter()
        for word in words(text):
            for key in by_word.get(word, ()):
                shared[key] += rarity[word]
        candidates = {key for key, _ in shared.most_common(BLOCK)} | {m.key for m in ours}
        # Its own id each: nomenklatura remembers what it worked out of an entity by the entity's id.
        probe = entity(f"query-{number}", kind, [text], countries)
        started = time.perf_counter()
        theirs = sorted(((LogicV2.compare(probe, proxies[key], config).score, key) for key in candidates),
                        reverse=True)
        theirs_seconds.append(time.perf_counter() - started)
        scored = {"ours": [(m.score, m.key) for m in ours], "logic-v2": theirs}
        for matcher, ranked in scored.items():
            for threshold in (0.7, 0.8):
                stats = results[matcher][(cls, threshold)]
                hits = [(score, key) for score, key in ranked if score >= threshold]
                stats["queries"] += 1
                if expected is None:
                    stats["hit"] += bool(hits)
                elif expected in [key for _, key in hits]:
                    stats["found"] += 1
                    mine = next(score for score, key in hits if key == expected)
                    stats["first"] += hits[0][1] == expected or hits[0][0] == mine

    print(f"{len(queries)} queries ({args.per_class} per variant class, {args.clean} clean agency names and "
          f"{args.clean} harder negatives), seed "
          f"{args.seed}; our default threshold {SCREENING_THRESHOLD}, yente's 0.7")
    for threshold in (0.7, 0.8):
        print(f"\nat threshold {threshold}:      {'ours':>22} {'logic-v2':>22}")
        print(f"{'variant class':<20}{'recall':>11}{'first':>11}{'recall':>11}{'first':>11}")
        totals = {m: Counter() for m in results}
        for cls in CLASSES:
            row = f"{cls:<20}"
            for matcher in ("ours", "logic-v2"):
                stats = results[matcher][(cls, threshold)]
                totals[matcher].update(stats)
                row += f"{stats['found'] / stats['queries']:>11.3f}{stats['first'] / stats['queries']:>11.3f}"
            print(row)
        row = f"{'all variants':<20}"
        for matcher in ("ours", "logic-v2"):
            row += f"{totals[matcher]['found'] / totals[matcher]['queries']:>11.3f}" \
                   f"{totals[matcher]['first'] / totals[matcher]['queries']:>11.3f}"
        print(row)
        for cls, label in (("clean", "clean names hit"), ("harder", "harder negatives hit")):
            row = f"{label:<20}"
            for matcher in ("ours", "logic-v2"):
                stats = results[matcher][(cls, threshold)]
                row += f"{stats['hit']:>11}{'/' + str(stats['queries']):>11}"
            print(row)
    print(f"\ntime per query, median (mean): ours {1000 * median(ours_seconds):.2f} ms ({1000 * fmean(ours_seconds):.2f}) "
          f"finding candidates and scoring them at our threshold; logic-v2 {1000 * median(theirs_seconds):.2f} ms "
          f"({1000 * fmean(theirs_seconds):.2f}) only scoring the {BLOCK}+ candidates it was handed (yente adds "
          f"an Elasticsearch query)")


if __name__ == "__main__":
    main()
