"""Bounded mixed load (issue 9): gunicorn with 2 workers (the repository's gunicorn.conf.py) over a registry of
100,000 agencies and every real watchlist, loaded for a fixed time from a second process by several keep-alive
connections: 80% reads (public lookups by licence number, by id and by name; screening; signed-in filtered
lists) and 20% writes (an agency's website, sent with the version read; fee lines, which re-score the agency).
Targets: >= 200 requests/s on 2 cores, p99 < 100 ms, no errors (409s from version races are counted apart)."""
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

from bench_api import FILTERS
from bench_import import add_authorities
from bench_screening import query_names
from common import OUT, POSTGRES, app_for, fresh_database, median_ms, p99_ms, snapshot_written
from generate_agencies import generate
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.registry import importer
from app.registry.models import Entity, Licence
from app.scoring.activation import active_rule_set
from app.screening.importer import import_watchlist
from bench.lists import DATA, LISTS

ROOT = Path(__file__).resolve().parent.parent
# (kind, share in percent); the first five read, the last two write.
MIX = [("licence_lookup", 25), ("agency_by_id", 15), ("name_search", 10), ("screen", 15), ("signed_in_list", 15),
       ("patch_website", 12), ("fee_line", 8)]
WRITES = {"patch_website", "fee_line"}
# Agencies whose websites are edited: few enough that connections sometimes race on one (409 expected).
HOT = 500


def prepare(url, agencies):
    """Every real list, then `agencies` agencies imported; an analyst of a brand and a platform admin with
    tokens; returns the plan the load generator draws its requests from."""
    app = app_for(url)
    csv = OUT / f"agencies-{agencies}.csv"
    if not csv.exists():
        generate(agencies, csv)
    with app.app_context():
        session = db.Session()
        started = time.perf_counter()
        for source, (fmt, files) in LISTS.items():
            import_watchlist(session, source, fmt, [DATA / f for f in files], actor=OPERATOR, kind="sanctions")
        session.commit()
        add_authorities(session)
        importer.import_file(session, OPERATOR, csv.read_bytes(), fmt="csv", default_kind="agency")
        session.commit()
        active_rule_set(session, "agency")  # recorded once here, not by two workers racing at the first score
        tokens = {}
        for kind, role in (("business", "analyst"), ("platform", "admin")):
            organisation = accounts.create_organisation(session, name=f"Load {kind}", kind=kind)
            user = accounts.create_user(session, organisation_id=organisation.id, email=f"{role}@load.example",
                                        name=role.title(), role=role, password="load password long")
            tokens[role] = accounts.create_token(session, actor_for(session, user), name="load")[1]
        session.commit()
        rng = random.Random(9)
        rows = session.execute(select(Entity.id, Entity.legal_name)).all()
        numbers = session.scalars(select(Licence.number)).all()
        hot = rng.sample([r.id for r in rows], HOT)
        versions = dict(session.execute(select(Entity.id, Entity.version).where(Entity.id.in_(hot))).all())
        db.Session.remove()
    app.extensions["engine"].dispose()
    print(f"  {len(rows):,} agencies and every real list loaded in {time.perf_counter() - started:.0f} s", flush=True)
    sample = rng.sample(rows, 5000)
    return {"tokens": tokens, "numbers": rng.sample(numbers, 5000), "ids": [r.id for r in sample],
            "searches": [" ".join(r.legal_name.split()[:2]) for r in sample],
            "screen": query_names(2000), "filters": FILTERS, "hot": versions}


def request_for(kind, rng, plan, versions):
    """(method, path, body, token role) of one request of this kind."""
    if kind == "licence_lookup":
        return "GET", f"/api/v1/agencies?licence_number={quote(rng.choice(plan['numbers']))}", None, None
    if kind == "agency_by_id":
        return "GET", f"/api/v1/agencies/{rng.choice(plan['ids'])}", None, None
    if kind == "name_search":
        return "GET", f"/api/v1/agencies?q={quote(rng.choice(plan['searches']))}", None, None
    if kind == "screen":
        return "POST", "/api/v1/screen", {"name": rng.choice(plan["screen"])}, "analyst"
    if kind == "signed_in_list":
        return "GET", f"/api/v1/agencies?{rng.choice(plan['filters'])}&per_page=50", None, "analyst"
    if kind == "patch_website":
        entity_id = rng.choice(list(versions))
        return ("PATCH", f"/api/v1/agencies/{entity_id}",
                {"version": versions[entity_id], "website": f"https://load-{rng.randrange(10**9)}.example"}, "admin")
    return ("POST", f"/api/v1/entities/{rng.choice(plan['ids'])}/fee-lines",
            {"source": "worker_interviews", "category": "recruitment_fee", "amount": rng.randrange(50, 3000),
             "currency": "USD", "paid_by": rng.choice(["worker", "employer"]), "stage": "before_departure"}, "admin")


def quote(value):
    from urllib.parse import quote as url_quote  # noqa: PLC0415
    return url_quote(value, safe="")


def load(args):
    """The load generator (its own process): closed loop, one keep-alive connection per thread."""
    plan = json.loads(Path(args.plan).read_text())
    versions = {int(k): v for k, v in plan["hot"].items()}
    kinds, weights = zip(*MIX)
    samples = collections.defaultdict(list)
    statuses = collections.Counter()
    failures = []
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds

    def worker(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while time.perf_counter() < stop:
            kind = rng.choices(kinds, weights)[0]
            method, path, body, role = request_for(kind, rng, plan, versions)
            headers = {"Authorization": f"Bearer {plan['tokens'][role]}"} if role else {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                connection.request(method, path, json.dumps(body) if body is not None else None, headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as err:
                connection.close()
                payload, status = repr(err).encode(), 0
            elapsed = time.perf_counter() - started
            with lock:
                samples[kind].append(elapsed)
                statuses[kind, status] += 1
                if kind == "patch_website" and status == 200:
                    versions[int(path.rsplit("/", 1)[1])] = json.loads(payload)["version"]
                elif not 200 <= status < 300 and status != 409 and len(failures) < 5:
                    failures.append(f"{method} {path} -> {status} {payload[:200]!r}")
            if kind == "patch_website" and status == 409:
                # Another connection changed it first: read it again (not counted), as a client would.
                entity_id = int(path.rsplit("/", 1)[1])
                connection.request("GET", path, headers={"Authorization": f"Bearer {plan['tokens']['admin']}"})
                reread = connection.getresponse()
                fresh = json.loads(reread.read())
                with lock:
                    versions[entity_id] = fresh["version"]

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "samples": samples, "failures": failures,
                      "statuses": [[kind, status, n] for (kind, status), n in statuses.items()]}))


def wait_until_ready(port, server, timeout=300):
    """Wait until both workers answer (each builds its listing and name indexes first)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not come up")


def run(backend, url, agencies, seconds, concurrency, port):
    """Fill a fresh database, start gunicorn on it, load it from a second process, and report."""
    print(f"{backend}: preparing", flush=True)
    plan = prepare(url, agencies)
    plan_path = OUT / "load-plan.json"
    plan_path.write_text(json.dumps(plan))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "WARNING",
           "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{port}", "SNAPSHOT_DIR": str(OUT / "snapshots")}
    log = open(OUT / f"load-gunicorn-{backend}.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "app:create_app()"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.perf_counter()
        wait_until_ready(port, server)
        first = time.perf_counter() - started
        # The workers answer once the master built for them; its child writing the snapshot may still be at work.
        snapshot_written(server.pid, 2)
        print(f"  first gunicorn worker ready in {first:.0f} s; loading for {seconds:.0f} s from {concurrency} "
              "connections", flush=True)
        result = subprocess.run([sys.executable, __file__, "load", "--port", str(port), "--plan", str(plan_path),
                                 "--seconds", str(seconds), "--concurrency", str(concurrency)],
                                capture_output=True, text=True, check=True)
        result = json.loads(result.stdout)
        # Other work on the machine takes CPU from the two workers: say how busy it was.
        print(f"  load average of the machine (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    summarise(backend, result)


def summarise(backend, result):
    """Each figure beside its target, then the breakdown by kind of request."""
    everything = [s for samples in result["samples"].values() for s in samples]
    conflicts = sum(n for kind, status, n in result["statuses"] if status == 409)
    errors = sum(n for kind, status, n in result["statuses"] if not 200 <= status < 300 and status != 409)
    rate = len(everything) / result["seconds"]
    p99 = p99_ms(everything)
    writes = sum(len(s) for kind, s in result["samples"].items() if kind in WRITES)
    print(f"  {len(everything):,} requests in {result['seconds']:.1f} s ({100 * writes / len(everything):.0f}% writes); "
          f"median {median_ms(everything):.1f} ms; 409 from version races: {conflicts}")
    verdict = "meets" if rate >= 200 else "MISSES"
    print(f"{'mixed load, gunicorn 2 workers: throughput (' + backend + ')':58} {rate:10.0f} r/s target >= 200 r/s  "
          f"{verdict}")
    verdict = "meets" if p99 < 100 else "MISSES"
    print(f"{'mixed load, gunicorn 2 workers: p99 (' + backend + ')':58} {p99:10.1f} ms  target < 100 ms  {verdict}")
    verdict = "meets" if errors == 0 else "MISSES"
    print(f"{'mixed load, gunicorn 2 workers: errors (' + backend + ')':58} {errors:10d}     target 0  {verdict}")
    for kind, _ in MIX:
        samples = result["samples"].get(kind, [])
        if samples:
            codes = {status: n for k, status, n in result["statuses"] if k == kind}
            print(f"    {kind:16} {len(samples):6,} requests  median {median_ms(samples):6.1f} ms  "
                  f"p99 {p99_ms(samples):6.1f} ms  statuses {codes}")
    for failure in result["failures"]:
        print(f"    e.g. {failure}")


def database(backend, given):
    """A fresh benchmark database: the SQLite file, or --database-url (dropped and created) for PostgreSQL."""
    if backend == "sqlite" or not given:
        return fresh_database(backend, "load")
    url = make_url(given.replace("postgresql://", "postgresql+psycopg://", 1))
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    return url.render_as_string(hide_password=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="run", choices=("run", "load"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create and use; default "
                        f"{make_url(POSTGRES).set(database='fairrecruit_bench_load').render_as_string()}")
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--plan")
    args = parser.parse_args()
    if args.part == "load":
        return load(args)
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, database(backend, args.database_url), args.agencies, args.seconds, args.concurrency, args.port)


if __name__ == "__main__":
    main()
