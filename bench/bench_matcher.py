"""The pure name matcher (no database, no Flask): index build and screening queries on the real lists, on a
registry of 100,000 generated agencies and their people, and on one million synthetic list names (built in a
subprocess of its own, so its memory figure is the index's). CPU times are printed beside wall times: on a
shared machine they move less."""
import argparse
import json
import random
import resource
import subprocess
import sys
import time
from types import SimpleNamespace

from common import OUT, median_ms, p99_ms, report

from app.bulk import paused_gc
from app.config import SCREENING_THRESHOLD
from app.screening.index import NameIndex, Query
from app.screening.normalize import normalize
from app.screening.screen import HITS_PER_SUBJECT
from bench.eval_matching import clean_names, variant
from bench.generate_agencies import CORRIDORS, row
from bench.lists import load_all
from bench.synthetic_names import Pools, listed_words, synthetic_entries

VARIANTS = ("typo_1", "legal_form", "word_order")
MIX = (0.45, 0.8)   # below the first: a variant of a listed name; below the second: an agency; else a person
WARM_UP = 1000      # queries run before measuring: the first ones fill the normaliser's and similarity caches


def query_mix(count, rng, listed, known, people):
    """`count` screening queries, labelled: listed names lightly changed (a typo, another legal form, another
    word order), agency names on no list, and people's names (a quarter sharing words with listed people)."""
    queries = []
    while len(queries) < count:
        draw = rng.random()
        if draw < MIX[0]:
            entry = rng.choice(listed)
            text = variant(entry, rng.choice(VARIANTS), rng)
            if text and text != entry.name:
                queries.append(("listed", Query((text,), kind=entry.kind)))
        elif draw < MIX[1]:
            (name, country), = clean_names(1, rng, known)
            queries.append(("agency", Query((name,), kind="organization", countries=frozenset([country]))))
        else:
            queries.append(("person", Query((person_name(rng, people),), kind="person")))
    return queries


def person_name(rng, people):
    """An agency owner or worker: names of a recruitment corridor, or given and family names seen on the lists."""
    if rng.random() < 0.5:
        given, family = people
    else:
        corridor = CORRIDORS[rng.choice(list(CORRIDORS))]
        given, family = corridor[4], corridor[5]
    middle = f" {rng.choice(given)}" if rng.random() < 0.4 else ""
    return f"{rng.choice(given)}{middle} {rng.choice(family)}"


def query_material(entries):
    """What queries are made of besides the listed names: the listed names' tokens (for clean names to avoid)
    and the given and family names seen on the lists."""
    given, family, _ = listed_words(entries)
    return {normalize(e.name, e.kind).tokens for e in entries}, (list(given.elements()), list(family.elements()))


def timed_queries(index, queries):
    """Seconds each search takes, and how many queries of each label found something."""
    samples, found = [], {}
    for label, query in queries:
        start = time.perf_counter()
        hits = index.search(query, threshold=SCREENING_THRESHOLD, limit=HITS_PER_SUBJECT)
        samples.append(time.perf_counter() - start)
        found.setdefault(label, [0, 0])
        found[label][0] += bool(hits)
        found[label][1] += 1
    return samples, found


def hit_shares(found):
    return ", ".join(f"{label} {hits / total:.0%} of {total}" for label, (hits, total) in sorted(found.items()))


def rss_mb():
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb():
    """Resident memory of this process now."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def bench_lists(count):
    """Targets on the real lists: build < 10 s; one query median < 2 ms and p99 < 20 ms; 10,000 queries < 10 s."""
    start = time.perf_counter()
    entries = load_all()
    parsing = time.perf_counter() - start
    index = NameIndex()
    names = 0
    before = resident_mb()
    start, cpu = time.perf_counter(), time.process_time()
    with paused_gc():  # as the service builds its indexes (app.screening.indexes)
        for e in entries:
            index.add((e.source, e.entry_id), (e.name, *e.aliases, *e.weak_aliases), group=e.source, kind=e.kind,
                      countries=e.countries, identifiers=[v for _, v in e.identifiers])
            names += 1 + len(e.aliases) + len(e.weak_aliases)
    build, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"real lists: {len(entries):,} entries, {names:,} names, {len(index.vocabulary.words):,} distinct words; "
          f"parsing the files took {parsing:.1f} s (not counted)", flush=True)
    report(f"build the index of {len(entries):,} list entries", build, 10, "s")
    print(f"{'':58} {cpu:.2f} s of CPU; the process grew by {resident_mb() - before:.0f} MB to "
          f"{resident_mb():.0f} MB", flush=True)

    known, people = query_material(entries)
    listed = [e for e in entries if e.kind in ("organization", "person")]
    timed_queries(index, query_mix(WARM_UP, random.Random(1), listed, known, people))
    cpu = time.process_time()
    samples, found = timed_queries(index, query_mix(count, random.Random(2), listed, known, people))
    report(f"one query, median of {count:,}", median_ms(samples), 2, "ms")
    print(f"{'':58} {(time.process_time() - cpu) / count * 1000:.2f} ms of CPU a query (mean)", flush=True)
    report(f"one query, 99th percentile of {count:,}", p99_ms(samples), 20, "ms")
    print(f"{'':58} queries with a hit: {hit_shares(found)}", flush=True)
    batch = query_mix(10_000, random.Random(3), listed, known, people)
    start, cpu = time.perf_counter(), time.process_time()
    for _, query in batch:
        index.search(query, threshold=SCREENING_THRESHOLD, limit=HITS_PER_SUBJECT)
    report("10,000 queries in a loop", time.perf_counter() - start, 10, "s")
    print(f"{'':58} {time.process_time() - cpu:.2f} s of CPU", flush=True)
    return entries, known, people


def bench_registry(entries, count, agencies=100_000):
    """No target: the registry's name index of generated agencies and their people, as each process builds it
    (app.screening.indexes), and list names looked up in it (reverse screening)."""
    rng, taken = random.Random(2024), {origin: set() for origin in CORRIDORS}
    rows = [row(rng, origin, n, n, taken[origin])
            for n, origin in enumerate(rng.choice(list(CORRIDORS)) for _ in range(agencies))]
    index = NameIndex()
    before = resident_mb()
    start, cpu = time.perf_counter(), time.process_time()
    people = 0
    with paused_gc():
        for n, agency in enumerate(rows):
            index.add(("entity", n), [agency["legal_name"], *filter(None, agency["aliases"].split("; "))],
                      kind="organization", countries=[agency["country"]])
            for person in agency["people"].split("; "):
                people += 1
                index.add(("person", people), [person.rsplit(" (", 1)[0]], kind="person", countries=[agency["country"]])
    build, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"registry: {agencies:,} generated agencies and {people:,} people", flush=True)
    print(f"{'build the registry index':58} {build:10.2f} s   ({cpu:.2f} s of CPU; the process grew by "
          f"{resident_mb() - before:.0f} MB to {resident_mb():.0f} MB)", flush=True)
    listed = [Query((e.name,), kind=e.kind, countries=frozenset(e.countries)) for e in entries
              if e.kind in ("organization", "person")]
    queries = random.Random(4).sample(listed, min(len(listed), WARM_UP + count))
    timed_queries(index, [("listed", q) for q in queries[:WARM_UP]])
    cpu = time.process_time()
    samples, found = timed_queries(index, [("listed", q) for q in queries[WARM_UP:]])
    print(f"{'a list name looked up in the registry, median (p99)':58} {median_ms(samples):10.2f} ms  "
          f"({p99_ms(samples):.1f} ms; {(time.process_time() - cpu) / len(samples) * 1000:.2f} ms of CPU, mean; "
          f"{hit_shares(found)} with a hit)", flush=True)


def write_million(path, size, entries, known, people, count):
    """Write the synthetic entries and the queries to look them up with (JSON lines; generation is not timed)."""
    start = time.perf_counter()
    pools = Pools(entries, random.Random(5))
    rng = random.Random(6)
    sample = []
    with open(path, "w") as out:
        for n, entry in enumerate(synthetic_entries(size, pools, seed=7)):
            out.write(json.dumps(entry) + "\n")
            if n % 50 == 0:
                sample.append(SimpleNamespace(name=entry["names"][0], kind=entry["kind"]))
        mix = query_mix(WARM_UP + count, rng, sample, known, people)
        out.write(json.dumps([[q.names[0], q.kind, sorted(q.countries), label] for label, q in mix]) + "\n")
    print(f"synthetic names: {size:,} written in {time.perf_counter() - start:.0f} s (not counted); made of "
          f"{pools.vocabulary:,} words", flush=True)


def bench_million(path):
    """Targets at one million names (run alone in a subprocess): build < 90 s and < 2 GB at its peak, the index
    < 600 MB once built; one query median < 2 ms (issue 14; it was < 20 ms)."""
    baseline = resident_mb()
    index = NameIndex()
    entries = names = 0
    adding = 0.0
    cpu = time.process_time()
    with open(path) as lines, paused_gc():
        for line in lines:
            entry = json.loads(line)
            if isinstance(entry, list):
                queries = [(label, Query((text,), kind=kind, countries=frozenset(countries)))
                           for text, kind, countries, label in entry]
                break
            start = time.perf_counter()
            index.add(entry["key"], entry["names"], group="synthetic", kind=entry["kind"],
                      countries=entry["countries"], identifiers=entry["identifiers"])
            adding += time.perf_counter() - start
            entries += 1
            names += len(entry["names"])
        start = time.perf_counter()
        index.settle()   # as the service does after building (app/screening/indexes.py)
        adding += time.perf_counter() - start
    cpu, peak, built = time.process_time() - cpu, rss_mb(), resident_mb()
    print(f"synthetic lists: {entries:,} entries, {names:,} names, {len(index.vocabulary.words):,} distinct words",
          flush=True)
    report(f"build the index of {names:,} names", adding, 90, "s")
    print(f"{'':58} {cpu:.2f} s of CPU, reading the file included", flush=True)
    report("peak memory of the build process", peak, 2048, "MB")
    report(f"the index once built (above {baseline:.0f} MB with the modules loaded)", built - baseline, 600, "MB")
    timed_queries(index, queries[:WARM_UP])
    cpu = time.process_time()
    samples, found = timed_queries(index, queries[WARM_UP:])
    count = len(queries) - WARM_UP
    report(f"one query at {names:,} names, median of {count:,}", median_ms(samples), 2, "ms")
    cpu = (time.process_time() - cpu) / count * 1000
    print(f"{'':58} 99th percentile {p99_ms(samples):.1f} ms (no target); {cpu:.2f} ms of CPU a query (mean); "
          f"queries with a hit: {hit_shares(found)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("lists", "registry", "million"), help="run only this part")
    parser.add_argument("--queries", type=int, default=5000, help="measured single queries (default 5,000)")
    parser.add_argument("--million", type=int, default=1_000_000, help="synthetic names (default 1,000,000)")
    parser.add_argument("--million-queries", type=int, default=3000, help="measured queries at that size")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # the subprocess: build from this file and query
    args = parser.parse_args()
    if args.build:
        bench_million(args.build)
        return
    if args.only in (None, "lists"):
        entries, known, people = bench_lists(args.queries)
    else:
        entries = load_all()
        known, people = query_material(entries)
    if args.only in (None, "registry"):
        bench_registry(entries, args.queries)
    if args.only in (None, "million"):
        OUT.mkdir(exist_ok=True)
        path = OUT / f"synthetic_names_{args.million}.jsonl"
        write_million(path, args.million, entries, known, people, args.million_queries)
        # Linux carries a process's peak RSS over exec: started from this process, the build would report our
        # own peak. A shell in between forks it from a small process instead.
        subprocess.run(["/bin/sh", "-c", '"$0" "$@"; exit $?', sys.executable, __file__, "--build", str(path)],
                       check=True)


if __name__ == "__main__":
    main()
