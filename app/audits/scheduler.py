"""The scheduler: one process at a time leads and runs the sweeps (app/audits/sweeps.py) with APScheduler; any
other waits as a standby, trying for the lock, and takes over when the leader dies."""
from datetime import datetime, timezone
import logging
import os
import threading
import time

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from app import db
from app.audits import leader, sweeps
from app.db import utcnow

log = logging.getLogger(__name__)


def run_sweep(app, sweep, now=None):
    """Run one sweep in its own session, as a writer; returns how many items it handled (it raises on failure,
    its uncommitted batch rolled back)."""
    started = time.perf_counter()
    with app.app_context(), db.writing():
        session = db.Session()
        try:
            count = sweep.run(session, now or utcnow())
            session.commit()
        except BaseException:
            session.rollback()
            raise
    log.info("scheduler.swept sweep=%s count=%s ms=%.0f pid=%s", sweep.name, count,
             (time.perf_counter() - started) * 1000, os.getpid())
    return count


def run_once(app, now):
    """Run every sweep once, in order: ({sweep name: items handled}, [names of the sweeps that failed])."""
    counts, failed = {}, []
    for sweep in sweeps.SWEEPS:
        try:
            counts[sweep.name] = run_sweep(app, sweep, now)
        except Exception:  # noqa: BLE001 (whatever broke one sweep, the others still run)
            log.exception("scheduler.sweep_failed sweep=%s pid=%s", sweep.name, os.getpid())
            failed.append(sweep.name)
    return counts, failed


def scheduled(app, sweep):
    """One scheduled run of a sweep: a failure is logged and the sweep runs again at its next time."""
    try:
        run_sweep(app, sweep)
    except Exception:  # noqa: BLE001 (a failed sweep must not stop the scheduler)
        log.exception("scheduler.sweep_failed sweep=%s pid=%s", sweep.name, os.getpid())


def serve(app, stop=None):
    """Lead when the lock is free, else stand by and try again every SCHEDULER_STANDBY_SECONDS, until `stop` is
    set (a threading.Event; never, for the `fairrecruit scheduler` process)."""
    stop = stop or threading.Event()
    lock = leader.for_app(app)
    retry = app.config["SCHEDULER_STANDBY_SECONDS"]
    waiting = False
    while not stop.is_set():
        if not lock.acquire():
            if not waiting:
                log.info("scheduler.standby pid=%s retry_seconds=%s", os.getpid(), retry)
                waiting = True
            stop.wait(retry)
            continue
        waiting = False
        log.info("scheduler.leader pid=%s", os.getpid())
        try:
            lead(app, lock, stop, retry)
        finally:
            lock.release()


def lead(app, lock, stop, check_seconds):
    """Run the sweeps at their intervals (the first runs at once) until the lock is lost or `stop` is set."""
    scheduler = BlockingScheduler(timezone=timezone.utc, executors={"default": ThreadPoolExecutor(
        max_workers=min(len(sweeps.SWEEPS), 4))}, job_defaults={"coalesce": True, "max_instances": 1,
                                                                "misfire_grace_time": None})
    first = datetime.now(timezone.utc)
    for sweep in sweeps.SWEEPS:
        scheduler.add_job(scheduled, "interval", seconds=sweeps.interval(app.config, sweep), args=(app, sweep),
                          id=sweep.name, name=sweep.name, next_run_time=first)

    def keep_leading():
        if stop.is_set() or not lock.held():
            if not stop.is_set():
                log.warning("scheduler.lost_lock pid=%s", os.getpid())
            scheduler.shutdown(wait=False)

    scheduler.add_job(keep_leading, "interval", seconds=check_seconds, id="leadership", name="leadership")
    try:
        scheduler.start()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)


def start_in_background(app):
    """Run the scheduler in a daemon thread of this process (the dev server's demo); returns its stop event."""
    stop = threading.Event()
    threading.Thread(target=serve, args=(app, stop), name="fairrecruit-scheduler", daemon=True).start()
    return stop
