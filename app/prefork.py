"""What gunicorn's master builds before it forks its workers, and what each worker does after (gunicorn.conf.py).

The listing of the registry and the name indexes are built once, in the master, and the workers forked from it
share those pages with it (copy-on-write) instead of each building its own. Each worker then catches up on its
own, from the registry generation and list versions, as any process does.
"""
import gc
import time

from sqlalchemy.exc import SQLAlchemyError

from app.registry import listing, lookup
from app.screening import indexes


def warm(app, log):
    """Build (or catch up) this process's listing, name indexes and lookup before it serves; False when the
    database cannot be reached, which is logged: the process serves anyway and builds them at their first use."""
    started = time.perf_counter()
    try:
        listing.warm(app)
        indexes.warm(app)
        lookup.warm(app)
    except SQLAlchemyError as err:
        # A worker failing here makes gunicorn's master shut the whole service down ("Worker failed to boot"),
        # so serve anyway: /readyz answers 503 until the database is back.
        log.warning("worker.warm_skipped reason=%s", type(err).__name__)
        return False
    log.info("worker.warmed ms=%.0f", (time.perf_counter() - started) * 1000)
    return True


def before_fork(app, log):
    """In the master: build for every worker, close the database connections the build opened (a connection
    must never be shared by two processes), and set what is built aside from the garbage collector, whose
    passes would otherwise write to every object in each worker and so copy all of them."""
    warm(app, log)
    app.extensions["engine"].dispose()
    gc.freeze()


def after_fork(app):
    """In a new worker: drop any pooled connection inherited from the master, without closing it (closing would
    end the master's session on the shared socket); the worker opens its own."""
    app.extensions["engine"].dispose(close=False)
