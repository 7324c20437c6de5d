"""Screening with the database: the first OFAC version screened against 100,000 registered agencies (target
< 20 s), then reverse screening of a real OFAC change (target < 3 s), each with where its time went; and
POST /api/v1/screen behind gunicorn with 2 workers, loaded from a second process on loopback (targets:
>= 200 requests/s, p99 < 50 ms)."""
import argparse
import http.client
import json
import logging
import os
from pathlib import Path
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

from common import OUT, app_for, database_url, fresh_database, median_ms, p99_ms, report, snapshot_written
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.scoring.activation import DEFAULTS, load_rule_set, record_activation
from app.screening import indexes, screen
from app.screening.importer import import_watchlist
from bench.eval_matching import CLASSES, clean_names, variant
from bench.lists import DATA, LISTS, load_all

ROOT = Path(__file__).resolve().parent.parent
OFAC_BEFORE = DATA / "ofac_sdn_snapshots" / "sdn_2023-12-28.csv"
OFAC_AFTER = DATA / "ofac_sdn_snapshots" / "sdn_2024-05-03.csv"


def copy_of_registry(backend):
    """A copy of the 100,000-agency benchmark registry (bench_api.py builds it when missing) to screen in."""
    from bench_api import ensure_database  # noqa: PLC0415
    source = ensure_database(backend)
    if backend == "sqlite":
        target = OUT / "screening-registry.sqlite"
        shutil.copyfile(source.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    url, copy = make_url(source), make_url(database_url(backend, "screening"))
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{copy.database}" TEMPLATE "{url.database}"'))
    server.dispose()
    return copy.render_as_string(hide_password=False)


def activate_shipped_rules(session):
    """Score with the rule sets in rules/ as they are now (the copied registry may have older ones activated,
    and then every re-score would only be marked stale); the registry keeps the scores it has."""
    for kind, directory in DEFAULTS.items():
        record_activation(session, None, kind, load_rule_set(directory))
    session.commit()


class Phases(logging.Handler):
    """Where a screening's time went, from the log lines the service writes (registry search, screening of
    the entities found, each commit phase)."""

    FIELDS = re.compile(r"(\w+)=(\S+)")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if message.startswith(("effects.phase", "screening.reverse", "screening.entities")):
            self.lines.append(message)

    def attach(self):
        for name in ("app.effects", "app.screening.screen"):
            # Only here: small commits log their phases at DEBUG.
            logging.getLogger(name).setLevel(logging.DEBUG)
            logging.getLogger(name).addHandler(self)
            logging.getLogger(name).propagate = False
        return self

    def report(self):
        """Print the phases noted since the last report, in seconds."""
        for line in self.lines:
            kind, fields = line.split(" ", 1)[0], dict(self.FIELDS.findall(line))
            if kind == "effects.phase":
                print(f"    commit phase {fields['name']}: {fields['items']} items, {float(fields['ms']) / 1000:.2f} s")
            elif kind == "screening.reverse":
                print(f"    registry search for the changed entries: "
                      f"{float(fields['registry_search_ms']) / 1000:.2f} s, {fields['entities']} entities found "
                      f"(of which catching the name indexes up with the new version "
                      f"{float(fields['indexes_ms']) / 1000:.2f} s, reading the changed entries "
                      f"{float(fields['read_ms']) / 1000:.2f} s; {fields['processes']} processes searching)")
            else:
                print(f"    screening those entities against the lists and writing hits: "
                      f"{float(fields['ms']) / 1000:.2f} s, {fields['hits']} hits")
        self.lines.clear()


def reverse_screening(backend, threshold, processes=None):
    """Import OFAC 2023-12-28 over the registry, then time screening the 2024-05-03 change against it, the
    registry searched by `processes` processes (by default SCREENING_PROCESSES: one per core, at most 4)."""
    app = app_for(copy_of_registry(backend))
    processes = processes or app.config["SCREENING_PROCESSES"]
    print(f"  the registry searched by {processes} processes (SCREENING_PROCESSES); load average (1 min) "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    phases = Phases().attach()
    with app.app_context():
        session = db.Session()
        activate_shipped_rules(session)
        started = time.perf_counter()
        live = indexes.current(session, registry=True)
        print(f"  registry index: {len(live.registry):,} records, {live.registry.vocabulary.names:,} names "
              f"in {time.perf_counter() - started:.1f} s (built once per process)")
        first = import_watchlist(session, "ofac-sdn", "ofac-csv", [OFAC_BEFORE], actor=OPERATOR, kind="sanctions")
        session.commit()
        phases.lines.clear()
        started = time.perf_counter()
        screen.screen_list_changes(session, [first.version.id], threshold=threshold, processes=processes)
        session.commit()
        report(f"first screening of OFAC, {first.version.entry_count:,} entries all new ({backend})",
               time.perf_counter() - started, 20, "s")
        phases.report()
        second = import_watchlist(session, "ofac-sdn", "ofac-csv", [OFAC_AFTER], actor=OPERATOR)
        session.commit()
        delta = second.version
        phases.lines.clear()
        started = time.perf_counter()
        screened = screen.screen_list_changes(session, [delta.id], threshold=threshold, processes=processes)
        session.commit()
        elapsed = time.perf_counter() - started
        print(f"  delta: {delta.added} added, {delta.changed} changed, {delta.removed} removed; "
              f"{len(screened)} entities screened again")
        report(f"reverse screening of the OFAC change, 100k agencies ({backend})", elapsed, 3, "s")
        phases.report()
        db.Session.remove()


def lists_database(backend):
    """A database holding every real list (and a bearer token); returns (url, token)."""
    url = fresh_database(backend, "lists")
    app = app_for(url)
    with app.app_context():
        session = db.Session()
        for source, (fmt, files) in LISTS.items():
            import_watchlist(session, source, fmt, [DATA / f for f in files], actor=OPERATOR, kind="sanctions")
        user = accounts.create_user(session, organisation_id=accounts.create_organisation(
            session, name="Bench Brand", kind="business").id, role="analyst", password="bench password 1",
            email="bench@example.org", name="Bench")
        _, raw = accounts.create_token(session, actor_for(session, user), name="bench")
        session.commit()
        db.Session.remove()
    return url, raw


def query_names(count, seed=11):
    """Names to post: half real listed names written differently, half clean agency names."""
    rng = random.Random(seed)
    entries = [e for e in load_all() if e.kind in ("organization", "person")]
    names = []
    while len(names) < count // 2:
        written = variant(rng.choice(entries), rng.choice(CLASSES), rng)
        if written:
            names.append(written)
    return names + [name for name, _ in clean_names(count - len(names), rng, set())]


def api_under_load(backend, seconds, concurrency, port=8765):
    """Start gunicorn with 2 workers on the lists database and load it from a second process."""
    url, token = lists_database(backend)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "WARNING",
           "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{port}", "SNAPSHOT_DIR": str(OUT / "snapshots")}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until_up(port, token)
        snapshot_written(server.pid, 2)
        names = OUT / "screen-names.json"
        names.write_text(json.dumps(query_names(5000)))
        load = subprocess.run([sys.executable, __file__, "load", "--port", str(port), "--token", token,
                               "--names", str(names), "--seconds", str(seconds), "--concurrency", str(concurrency)],
                              capture_output=True, text=True, check=True)
        result = json.loads(load.stdout)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"  {result['requests']} requests in {result['seconds']:.1f} s from {concurrency} connections; "
          f"median {result['median_ms']:.1f} ms; errors {result['errors']}")
    rate = result["requests"] / result["seconds"]
    verdict = "meets" if rate >= 200 else "MISSES"
    print(f"{'POST /api/v1/screen, gunicorn 2 workers: throughput (' + backend + ')':58} {rate:10.0f} r/s "
          f"target >= 200 r/s  {verdict}")
    report(f"POST /api/v1/screen, gunicorn 2 workers: p99 ({backend})", result["p99_ms"], 50, "ms")


def wait_until_up(port, token, timeout=120):
    """Wait for the workers to answer (they build their indexes first)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = post(http.client.HTTPConnection("127.0.0.1", port, timeout=5), token, "warm up")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not come up")


def post(connection, token, name):
    body = json.dumps({"name": name})
    connection.request("POST", "/api/v1/screen", body, {"Authorization": f"Bearer {token}",
                                                        "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def load(args):
    """The load generator (run as its own process): closed loop, one keep-alive connection per thread."""
    names = json.loads(Path(args.names).read_text())
    latencies, errors, stop = [], [0], time.perf_counter() + args.seconds

    def worker(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _ = post(connection, args.token, rng.choice(names))
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"requests": len(latencies), "seconds": time.perf_counter() - started, "errors": errors[0],
                      "median_ms": median_ms(latencies), "p99_ms": p99_ms(latencies)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=("all", "reverse", "api", "load"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token")
    parser.add_argument("--names")
    parser.add_argument("--processes", type=int, help="processes searching the registry in reverse screening "
                        "(default: SCREENING_PROCESSES)")
    args = parser.parse_args()
    if args.part == "load":
        return load(args)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        if args.part in ("all", "reverse"):
            reverse_screening(backend, args.threshold, args.processes)
        if args.part in ("all", "api"):
            api_under_load(backend, args.seconds, args.concurrency, args.port)


if __name__ == "__main__":
    main()
