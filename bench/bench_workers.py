"""gunicorn with 4 workers (issue 14) on 100,000 agencies and every real list, prepared as bench_load.py does:
the time from starting gunicorn until each of the 4 workers has answered a name search, and the memory of the
master and its workers (the sum of their PSS: a page shared by n processes counts 1/n in each) right after that
and again after a minute of bench_load.py's mixed load, because a worker that reads shared objects writes their
reference counts and so copies their pages; then the first answers of a restart (which loads the first start's
snapshot) and of a release's start after `fairrecruit snapshot`. Targets: first answer of all four < 5 s,
memory < 1.2 GB."""
import argparse
import http.client
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

from bench_load import prepare
from common import (OUT, database_url, fresh_database, gunicorn_processes, machine_speed, report,
                    snapshot_written)

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 4
# Requests in flight while waiting for the workers: more than the workers, so a busy one leaves the next
# connection to another.
PROBES = 8
# The request id each probe sends in a header, and the access log line that ties it to the worker's pid.
LOG_FORMAT = "%({x-bench}i)s %(p)s %(s)s"
# Where gunicorn's master keeps the snapshot of its listing and name indexes between starts (app/snapshot.py).
SNAPSHOTS = OUT / "snapshots"


def environment(url, port):
    """The service's environment: gunicorn's and the `fairrecruit` command's."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": str(WORKERS), "BIND": f"127.0.0.1:{port}", "SNAPSHOT_DIR": str(SNAPSHOTS)}


def start(url, port, log_path, access_path, code=ROOT):
    """gunicorn with the repository's gunicorn.conf.py (or another checkout's, with its code) and 4 workers, in a
    process group of its own; an access log naming the worker that answered each request."""
    env = environment(url, port)
    access_path.unlink(missing_ok=True)
    with open(log_path, "wb") as log:
        return subprocess.Popen([str(GUNICORN), "app:create_app()", "--access-logfile", str(access_path),
                                 "--access-logformat", LOG_FORMAT], cwd=code, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def first_answers(server, port, searches, access_path, timeout=300):
    """Seconds from now until each worker first answered a name search: {pid: seconds}, once 4 workers have."""
    started = time.perf_counter()
    answered = {}          # request id -> seconds from start until its answer arrived
    lock = threading.Lock()
    done = threading.Event()
    counter = iter(range(10**9))

    def probe():
        while not done.is_set() and time.perf_counter() - started < timeout:
            with lock:
                number = next(counter)
            path = f"/api/v1/agencies?q={quote(searches[number % len(searches)], safe='')}"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            try:
                connection.request("GET", path, headers={"X-Bench": str(number)})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with lock:
                        answered[number] = time.perf_counter() - started
            except OSError:
                time.sleep(0.02)  # not listening yet
            finally:
                connection.close()

    threads = [threading.Thread(target=probe) for _ in range(PROBES)]
    for thread in threads:
        thread.start()
    firsts = {}
    try:
        while time.perf_counter() - started < timeout:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited while starting")
            firsts = {}
            lines = access_path.read_text().splitlines() if access_path.exists() else []
            with lock:
                for line in lines:
                    number, pid, status = line.replace("<", "").replace(">", "").split()
                    if status == "200" and int(number) in answered:
                        firsts[pid] = min(firsts.get(pid, timeout), answered[int(number)])
            if len(firsts) >= WORKERS:
                return firsts
            time.sleep(0.05)
        raise SystemExit(f"only {len(firsts)} of the {WORKERS} workers answered within {timeout} s")
    finally:
        done.set()
        for thread in threads:
            thread.join()


def memory(pids):
    """{pid: (PSS, RSS, private)} in MB (10**6 bytes) from /proc/PID/smaps_rollup."""
    found = {}
    for pid in pids:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        kb = {name: int(value) for name, value in re.findall(r"^(\w+):\s+(\d+) kB", text, re.M)}
        found[pid] = tuple(value * 1024 / 1e6 for value in
                           (kb["Pss"], kb["Rss"], kb["Private_Clean"] + kb["Private_Dirty"]))
    return found


def show_memory(backend, when, master):
    """Print each process's memory and report the sum of their PSS against the target."""
    found = memory(gunicorn_processes(master))
    for pid, (pss, rss, private) in found.items():
        role = "master" if pid == master else "worker"
        print(f"    {role} {pid}: PSS {pss:6.0f} MB, RSS {rss:6.0f} MB, private {private:6.0f} MB")
    total = sum(pss for pss, _, _ in found.values())
    report(f"4 workers + master, sum of PSS, {when} ({backend})", total, 1200, "MB")
    return total


def run(backend, args):
    """Prepare the database (unless --reuse); start gunicorn, time the first answers, load it, measure; then
    start it again, as a restart would, and time the first answers again; then as a release does, after
    `fairrecruit snapshot`."""
    plan_path = OUT / f"workers-plan-{backend}.json"
    given = args.database_url if backend == "postgresql" else None
    if args.reuse and plan_path.exists():
        print(f"{backend}: reusing the database of an earlier run", flush=True)
        url = given.replace("postgresql://", "postgresql+psycopg://", 1) if given else database_url(backend, "workers")
    else:
        print(f"{backend}: preparing", flush=True)
        url = fresh_database(backend, "workers", given)
        plan_path.write_text(json.dumps(prepare(url, args.agencies)))
    plan = json.loads(plan_path.read_text())
    print(f"  {machine_speed()}", flush=True)
    if args.code:
        print(f"  gunicorn runs the code of {args.code}")
    if args.cold:
        for old in SNAPSHOTS.glob("*"):
            old.unlink()
    started = started_up(backend, url, plan, args, "start")
    try:
        snapshot_written(started.pid, WORKERS)
        show_memory(backend, "after start", started.pid)
        print(f"  load average (1 min): {os.getloadavg()[0]:.1f}; mixed load (bench_load.py) for {args.seconds:.0f} s "
              f"from {args.concurrency} connections", flush=True)
        result = subprocess.run([sys.executable, str(Path(__file__).parent / "bench_load.py"), "load",
                                 "--port", str(args.port), "--plan", str(plan_path), "--seconds", str(args.seconds),
                                 "--concurrency", str(args.concurrency)], capture_output=True, text=True, check=True)
        result = json.loads(result.stdout)
        count = sum(len(samples) for samples in result["samples"].values())
        errors = sum(n for _, status, n in result["statuses"] if not 200 <= status < 300 and status != 409)
        print(f"    {count:,} requests in {result['seconds']:.0f} s ({count / result['seconds']:.0f} r/s), "
              f"{errors} errors; load average (1 min) {os.getloadavg()[0]:.1f}")
        for failure in result["failures"]:
            print(f"    e.g. {failure}")
        show_memory(backend, f"after {args.seconds:.0f} s of load", started.pid)
    finally:
        stop(started)
    # The load changed agencies since the snapshot the first start saved: the restart catches up with them.
    stop(started_up(backend, url, plan, args, "restart"))
    # A release: its new code may load no earlier snapshot, so it runs `fairrecruit snapshot` before restarting.
    for old in SNAPSHOTS.glob("*"):
        old.unlink()
    started = time.perf_counter()
    # The command runs the code gunicorn runs (the console script would import the installed checkout's).
    env = {**environment(url, args.port), "PYTHONPATH": str(args.code or ROOT)}
    subprocess.run([str(Path(sys.executable).parent / "fairrecruit"), "snapshot"], cwd=args.code or ROOT, env=env,
                   check=True, capture_output=True)
    print(f"  release: `fairrecruit snapshot` built and saved in {time.perf_counter() - started:.1f} s, "
          "before the restart")
    stop(started_up(backend, url, plan, args, "start of a release"))


def started_up(backend, url, plan, args, which):
    """gunicorn started, once all four workers have answered (their times printed); returns the process."""
    print(f"  {which}: load average (1 min) before starting gunicorn: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores", flush=True)
    log_path = OUT / f"workers-gunicorn-{backend}-{which.replace(' ', '-')}.log"
    server = start(url, args.port, log_path, OUT / f"workers-access-{backend}.log", args.code or ROOT)
    try:
        firsts = first_answers(server, args.port, plan["searches"], OUT / f"workers-access-{backend}.log")
    except BaseException:
        stop(server)
        raise
    for line in log_path.read_text().splitlines():
        if f"[{server.pid}]" in line and ("worker.warmed" in line or "snapshot." in line):
            print(f"    master: {line.split('] ', 3)[-1]}")
    for pid, seconds in sorted(firsts.items(), key=lambda item: item[1]):
        print(f"    worker {pid} first answered a name search {seconds:.1f} s after gunicorn started")
    report(f"gunicorn 4 workers, {which}: all four answered ({backend})", max(firsts.values()), 5, "s")
    return server


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create and use instead of "
                        "<BENCH_POSTGRES>_workers")
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--code", type=Path, help="run gunicorn from another checkout of the repository (its code "
                        "and gunicorn.conf.py), to compare with an earlier version")
    parser.add_argument("--cold", action="store_true", help="delete the snapshots of earlier runs first (a new "
                        "database is always built afresh at its first start: its history is not theirs)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database an earlier run prepared (and the load wrote to) instead of a new one")
    args = parser.parse_args()
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, args)


if __name__ == "__main__":
    main()
