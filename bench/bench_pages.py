"""The public pages under load (issue 11): gunicorn with 2 workers (the repository's gunicorn.conf.py) over
100,000 agencies, loaded for a fixed time from a second process by several keep-alive connections, anonymous and
in the languages of the corridors: 40% agency pages (`/a/{id}`), 30% searches by a name typed with a typo, 30% by
licence number (half of them in Devanagari, Bengali or Arabic-Indic digits with other separators).
Targets: median < 20 ms and > 200 pages/s on 2 cores, no errors."""
import argparse
import collections
import http.client
import json
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

from bench_import import add_authorities
from bench_load import wait_until_ready
from common import OUT, app_for, fresh_database, in_threads, median_ms, p99_ms, snapshot_written
from generate_agencies import generate
from sqlalchemy import select

from app import db
from app.accounts.cli import OPERATOR
from app.registry import importer
from app.registry.models import Entity, Licence

ROOT = Path(__file__).resolve().parent.parent
MIX = [("agency_page", 40), ("name_search", 30), ("licence_search", 30)]
LANGUAGES = ["en", "ne", "bn", "hi", "fil", "id", "my", "am", "es", "ar"]
# Zero of each script; a digit d is chr(zero + d).
ZEROS = [0x0966, 0x09E6, 0x0660]


def typo(rng, name):
    """The name's first two words with one letter dropped, doubled or swapped, as people type on a phone."""
    words = name.split()[:2]
    word = max(words, key=len)
    i = rng.randrange(1, len(word) - 1)
    changed = rng.choice([word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                          word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]])
    return " ".join(changed if w is word else w for w in words)


def other_digits(rng, number):
    """A licence number in another script's digits, with spaces for its separators."""
    zero = rng.choice(ZEROS)
    return "".join(chr(zero + int(c)) if c.isdigit() else c if c.isalnum() else " " for c in number)


def prepare(url, agencies):
    """`agencies` agencies imported into a fresh database; returns the plan the load draws its requests from."""
    app = app_for(url)
    csv = OUT / f"agencies-{agencies}.csv"
    if not csv.exists():
        generate(agencies, csv)
    rng = random.Random(11)
    with app.app_context():
        session = db.Session()
        started = time.perf_counter()
        add_authorities(session)
        importer.import_file(session, OPERATOR, csv.read_bytes(), fmt="csv", default_kind="agency")
        session.commit()
        rows = session.execute(select(Entity.id, Entity.legal_name).where(Entity.kind == "agency")).all()
        numbers = session.scalars(select(Licence.number)).all()
        db.Session.remove()
    app.extensions["engine"].dispose()
    print(f"  {len(rows):,} agencies imported in {time.perf_counter() - started:.0f} s", flush=True)
    sample = rng.sample(rows, min(5000, len(rows)))
    numbers = rng.sample(numbers, min(5000, len(numbers)))
    return {"ids": [r.id for r in sample], "names": [typo(rng, r.legal_name) for r in sample],
            "numbers": [other_digits(rng, n) if i % 2 else n for i, n in enumerate(numbers)]}


def path_for(kind, rng, plan):
    language = rng.choice(LANGUAGES)
    if kind == "agency_page":
        return f"/a/{rng.choice(plan['ids'])}?lang={language}"
    text = rng.choice(plan["names"] if kind == "name_search" else plan["numbers"])
    return f"/search?q={quote(text)}&lang={language}"


def fetch(connection, path):
    """(status, body) of one GET; status 0 when the connection failed (it is opened again next time)."""
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as err:
        connection.close()
        return 0, repr(err).encode()


def load(args):
    """The load generator (its own process): closed loop, one keep-alive connection per thread."""
    plan = json.loads(Path(args.plan).read_text())
    kinds, weights = zip(*MIX)
    samples, statuses, failures = collections.defaultdict(list), collections.Counter(), []
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds

    def worker(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while time.perf_counter() < stop:
            kind = rng.choices(kinds, weights)[0]
            path = path_for(kind, rng, plan)
            started = time.perf_counter()
            status, body = fetch(connection, path)
            elapsed = time.perf_counter() - started
            with lock:
                samples[kind].append(elapsed)
                statuses[kind, status] += 1
                if status != 200 and len(failures) < 5:
                    failures.append(f"GET {path} -> {status} {body[:200]!r}")

    seconds = in_threads(args.concurrency, worker)
    print(json.dumps({"seconds": seconds, "samples": samples, "failures": failures,
                      "statuses": [[kind, status, n] for (kind, status), n in statuses.items()]}))


def run(backend, agencies, seconds, concurrency, port):
    """Fill a fresh database, start gunicorn on it, load it from a second process, and report."""
    print(f"{backend}: preparing", flush=True)
    url = fresh_database(backend, "pages")
    plan_path = OUT / "pages-plan.json"
    plan_path.write_text(json.dumps(prepare(url, agencies)))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "WARNING",
           "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{port}", "SNAPSHOT_DIR": str(OUT / "snapshots")}
    log = open(OUT / "pages-gunicorn.log", "wb")  # noqa: SIM115
    # The interpreter running this script: the project's virtual environment.
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:create_app()"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.perf_counter()
        wait_until_ready(port, server)
        first = time.perf_counter() - started
        snapshot_written(server.pid, 2)   # the master's child writing its snapshot takes a core while it runs
        print(f"  first gunicorn worker ready in {first:.0f} s; loading for {seconds:.0f} s from {concurrency} "
              f"connections", flush=True)
        cpu_before = workers_cpu(server.pid)
        result = subprocess.run([sys.executable, __file__, "load", "--port", str(port), "--plan", str(plan_path),
                                 "--seconds", str(seconds), "--concurrency", str(concurrency)],
                                capture_output=True, text=True, check=True)
        result = json.loads(result.stdout)
        result["cpu"] = workers_cpu(server.pid) - cpu_before
        print(f"  load average of the machine (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    summarise(result, backend)


def workers_cpu(master):
    """CPU seconds the gunicorn master's workers have used (Linux /proc): what a page costs however busy the
    shared machine is."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def summarise(result, backend):
    """Each figure beside its target, then the breakdown by kind of page."""
    everything = [s for samples in result["samples"].values() for s in samples]
    errors = sum(n for kind, status, n in result["statuses"] if status != 200)
    rate = len(everything) / result["seconds"]
    median = median_ms(everything)
    cpu_ms = result["cpu"] / len(everything) * 1000
    print(f"  {len(everything):,} pages in {result['seconds']:.1f} s; p99 {p99_ms(everything):.1f} ms; the workers "
          f"used {cpu_ms:.1f} ms of CPU a page, so two idle cores would serve about {2000 / cpu_ms:.0f} pages/s")
    print(f"{'public pages, gunicorn 2 workers: median (' + backend + ')':58} {median:10.1f} ms  target < 20 ms  "
          f"{'meets' if median < 20 else 'MISSES'}")
    print(f"{'public pages, gunicorn 2 workers: throughput (' + backend + ')':58} {rate:10.0f} p/s target > 200 p/s  "
          f"{'meets' if rate > 200 else 'MISSES'}")
    print(f"{'public pages, gunicorn 2 workers: errors (' + backend + ')':58} {errors:10d}     target 0  "
          f"{'meets' if errors == 0 else 'MISSES'}")
    for kind, _ in MIX:
        samples = result["samples"].get(kind, [])
        if samples:
            print(f"    {kind:16} {len(samples):6,} pages  median {median_ms(samples):6.1f} ms  "
                  f"p99 {p99_ms(samples):6.1f} ms")
    for failure in result["failures"]:
        print(f"    e.g. {failure}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "load"])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--plan")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.mode == "load":
        load(args)
        return
    run(args.backend, args.agencies, args.seconds, args.concurrency, args.port)


if __name__ == "__main__":
    main()
