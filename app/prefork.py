"""What gunicorn's master builds before it forks its workers, and what each worker does after (gunicorn.conf.py).

The listing of the registry and the name indexes are built once, in the master, and the workers forked from it
share those pages with it (copy-on-write) instead of each building its own. Each worker then catches up on its
own, from the registry generation and list versions, as any process does. What the master built is kept in a
snapshot file for its next start (app/snapshot.py).
"""
import gc
import os
import signal
import time

from sqlalchemy.exc import SQLAlchemyError

from app import snapshot
from app.registry import listing, lookup
from app.screening import indexes


def warm(app, log, serving=True):
    """Build (or catch up) this process's listing, name indexes and lookup before it serves; False when the
    database cannot be reached, which is logged: the process serves anyway and builds them at their first use.
    serving=False builds only what a snapshot holds (`fairrecruit snapshot` serves nothing)."""
    started = time.perf_counter()
    try:
        listing.warm(app)
        indexes.warm(app)
        if serving:
            lookup.warm(app)
    except SQLAlchemyError as err:
        # A worker failing here makes gunicorn's master shut the whole service down ("Worker failed to boot"),
        # so serve anyway: /readyz answers 503 until the database is back.
        log.warning("worker.warm_skipped reason=%s", type(err).__name__)
        return False
    log.info("worker.warmed ms=%.0f", (time.perf_counter() - started) * 1000)
    return True


def before_fork(app, log):
    """In the master: load the last snapshot and build (or catch up) for every worker, close the database
    connections the build opened (a connection must never be shared by two processes), save a new snapshot if
    this start moved on from it, empty the memos the build filled, and set what is built aside from the garbage
    collector, whose passes would otherwise write to every object in each worker and so copy all of them.
    Returns the pid of the process saving the snapshot, if one does."""
    loaded = load_snapshot(app, log) if app.config["SNAPSHOTS"] else None
    ready = warm(app, log)
    app.extensions["engine"].dispose()
    saver = save_aside(app, log) if ready and app.config["SNAPSHOTS"] and built_state() != loaded else None
    indexes.shed_memos()
    gc.freeze()
    return saver


def load_snapshot(app, log):
    """Load the snapshot of the last start, if it is usable; what it holds (built_state), or None."""
    started = time.perf_counter()
    try:
        outcome = snapshot.load(app)
    except SQLAlchemyError as err:
        outcome = f"the database could not be read ({type(err).__name__})"
    except Exception:  # noqa: BLE001 (an unreadable snapshot must not stop the service: it is rebuilt)
        log.exception("snapshot.unreadable")
        outcome = "unreadable"
    if outcome != snapshot.LOADED:
        # (The operator reading this learns how the next release avoids the build.)
        log.info("snapshot.not_loaded reason=%r building=now hint='run `fairrecruit snapshot` before starting'",
                 outcome)
        return None
    log.info("snapshot.loaded ms=%.0f", (time.perf_counter() - started) * 1000)
    return built_state()


def built_state():
    """What the built listing and indexes of this process have caught up to, to tell whether they moved on."""
    return ({url: (built.generation, built.day) for url, built in listing.LISTINGS.items()},
            {url: (built.registry_generation, built.lists_version) for url, built in indexes.INDEXES.items()})


def save_aside(app, log):
    """Write the snapshot from a child process, so that the master forks its workers meanwhile (the child shares
    the built pages with it; gunicorn's master reaps it as an unknown child); returns the child's pid."""
    child = os.fork()
    if child:
        return child
    code = 0
    try:
        # gunicorn's handlers would hand the master's signals to it: stopping ends this child too, and the
        # half-written file is removed (snapshot.save); behind the workers, which start on the same cores.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
            signal.signal(signum, stopped)
        for signum in (signal.SIGCHLD, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGTTIN,
                       signal.SIGTTOU):
            signal.signal(signum, signal.SIG_DFL)
        os.nice(10)
        started = time.perf_counter()
        path = snapshot.save(app)
        log.info("snapshot.saved path=%s ms=%.0f", path, (time.perf_counter() - started) * 1000)
    except BaseException:  # noqa: BLE001 (the child reports its failure and ends, whatever it was)
        log.exception("snapshot.save_failed")
        code = 1
    finally:
        app.extensions["engine"].dispose()
        os._exit(code)


def stopped(signum, frame):
    raise SystemExit(128 + signum)


def after_fork(app):
    """In a new worker: drop any pooled connection inherited from the master, without closing it (closing would
    end the master's session on the shared socket); the worker opens its own."""
    app.extensions["engine"].dispose(close=False)
