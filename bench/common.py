"""Shared set-up of the benchmarks: a fresh migrated database (SQLite file or PostgreSQL) and timing helpers."""
import os
from pathlib import Path
import statistics
import sys
import threading
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, migrate  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
# The PostgreSQL server and the prefix of the benchmark databases' names (<prefix>_registry, ...); another
# prefix lets two people bench on one server at once.
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/fairrecruit_bench")


def database_url(backend, name):
    """The URL of the benchmark database `name` on `backend` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        OUT.mkdir(exist_ok=True)
        return f"sqlite:///{OUT / name}.sqlite"
    return make_url(POSTGRES).set(database=f"{make_url(POSTGRES).database}_{name}").render_as_string(hide_password=False)


def fresh_database(backend, name, postgresql_url=None):
    """Drop and recreate the benchmark database (on PostgreSQL, postgresql_url's when given); returns its URL."""
    url = database_url(backend, name)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return url
    url = postgresql_url.replace("postgresql://", "postgresql+psycopg://", 1) if postgresql_url else url
    database = make_url(url).database
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    server.dispose()
    return url


def app_for(url, migrate_first=True):
    """An app on the benchmark database, migrated."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "WARNING"})
    if migrate_first:
        with app.app_context():
            migrate.upgrade(app)
    return app


def timed(function):
    """Seconds one call takes, and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def report(label, value, target, unit):
    """One line: the figure beside its target, and whether it is met."""
    verdict = "meets" if value <= target else "MISSES"
    print(f"{label:58} {value:10.2f} {unit:3} target < {target} {unit}  {verdict}", flush=True)


def gunicorn_processes(master):
    """gunicorn's master pid and its children's: its workers and, for a while after a start, the process writing
    its snapshot (Linux)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *map(int, children)]


def snapshot_written(master, workers, timeout=120):
    """Wait until gunicorn's master has no child but its workers: the one writing the snapshot of its listing and
    name indexes (app/prefork.py) has ended, and takes no more CPU or memory from what is measured next."""
    deadline = time.monotonic() + timeout
    while len(gunicorn_processes(master)) > workers + 1 and time.monotonic() < deadline:
        time.sleep(0.1)


def machine_speed():
    """One line on how fast this machine runs Python now: the same 2-core machine has run the same loop from 0.8 s
    to 3 s on different days, and every timing here moves with it."""
    start = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return (f"machine: a 10-million-step Python loop takes {time.process_time() - start:.2f} s of CPU; "
            f"load average (1 min) {os.getloadavg()[0]:.1f}")


def median_ms(samples):
    """Median of samples in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


def p99_ms(samples):
    """99th percentile of samples in seconds, in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def in_threads(count, work):
    """Run work(n) in `count` threads at once (n = 0 .. count - 1); the seconds until the last one ends."""
    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started
