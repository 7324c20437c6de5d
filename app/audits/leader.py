"""Which scheduler process sweeps: the one holding a lock that the operating system or the database server
releases when its process dies. PostgreSQL: a session advisory lock on a connection kept open for it. SQLite: an
exclusive flock on a file beside the database."""
import fcntl
import logging
import os

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
LOCK_KEY = 4_2024_0010  # the scheduler's PostgreSQL advisory lock (list imports use 4_2024_0001)


class AdvisoryLock:
    """pg_try_advisory_lock on a dedicated autocommit connection: held until it is released or the connection
    ends (the process died, the server restarted)."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = None

    def acquire(self):
        try:
            if self.connection is None:
                self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            return bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar())
        except DBAPIError as err:
            log.warning("scheduler.lock_unavailable problem=%s", type(err.orig).__name__)
            self.drop()
            return False

    def held(self):
        """Whether this connection still holds the lock (the server may have restarted since)."""
        if self.connection is None:
            return False
        try:
            return bool(self.connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND objid = :key"), {"key": LOCK_KEY}).scalar())
        except DBAPIError:
            self.drop()
            return False

    def release(self):
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            except DBAPIError:
                pass  # the connection is gone, and the lock with it
            self.drop()

    def drop(self):
        if self.connection is not None:
            try:
                self.connection.invalidate()
                self.connection.close()
            except DBAPIError:
                pass
            self.connection = None


class FileLock:
    """An exclusive, non-blocking flock on a file, released when the file is closed or the process dies."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def acquire(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # Who holds it, for a person wondering.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def held(self):
        return self.fd is not None

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def for_app(app):
    """The scheduler's lock for the app's database."""
    engine = app.extensions["engine"]
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    path = app.config.get("SCHEDULER_LOCK_FILE")
    if not path:
        database = make_url(str(engine.url)).database
        # Beside the database file, so schedulers of two SQLite databases never wait for each other.
        path = (database + ".scheduler.lock" if database and database != ":memory:"
                else os.path.join(app.instance_path, "scheduler.lock"))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return FileLock(path)
