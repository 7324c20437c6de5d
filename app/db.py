"""The database: one engine per app, a scoped session, and the declarative base."""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
import os

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
import orjson

Session = scoped_session(sessionmaker(expire_on_commit=False))
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# Outside requests (commands, jobs) a transaction takes SQLite's write lock up front only inside writing().
_writing = ContextVar("writing", default=False)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite itself keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}


@dataclass(frozen=True)
class Audited:
    """What the audit log keeps of a model's changes (see app/accounts/audit.py)."""

    fields: tuple[str, ...]          # columns whose values each event copies
    redacted: tuple[str, ...] = ()   # columns an event says changed, never with their value (secrets)
    # The attribute naming the organisation whose private data a row is: its events are that organisation's to
    # read. None: a shared-registry row, whose events only the platform and the acting organisation read.
    private_to: str | None = None


def utcnow():
    """Now, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def json_default(value):
    """JSON for the values JSON itself lacks: dates as ISO text, decimals as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value):
    """The JSON text stored in JSON columns (orjson: imports write millions of these)."""
    return orjson.dumps(value, default=json_default, option=orjson.OPT_NON_STR_KEYS).decode()


@contextmanager
def writing():
    """Mark the transactions begun inside as writers (commands and jobs that write use this)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def writes(view):
    """Mark a view that writes though it answers a read (a GET whose read is logged): its transaction begins as
    a writer's, so on SQLite it queues for the lock instead of failing when it comes to write."""
    view.writes = True
    return view


def reads(view):
    """Mark a view that only reads though it answers a POST (a query sent in the body, like a name to screen):
    its transaction begins as a reader's, so on SQLite it neither waits for the write lock nor holds it."""
    view.reads = True
    return view


def writes_intended():
    """True when the transaction about to begin is expected to write: any non-read request not marked with
    reads(), a view marked with writes(), or writing()."""
    if has_request_context():
        view = current_app.view_functions.get(request.endpoint)
        return (request.method not in READ_METHODS and not getattr(view, "reads", False)) or \
            getattr(view, "writes", False)
    return _writing.get()


def database_url(app):
    """The configured URL, or a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url.replace("postgres://", "postgresql+psycopg://", 1) if url.startswith("postgres://") else url
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "fairrecruit.sqlite")


def make_engine(url):
    """Create an engine; SQLite gets foreign keys, WAL and real transactions (savepoints work)."""
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    # hide_parameters: a failed statement's error (and its log line) never carries the values it was writing.
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, json_serializer=to_json, hide_parameters=True)
    engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=to_json, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        # A deferred transaction that has read cannot wait for another writer to finish (SQLite would
        # deadlock), so it fails at once with "database is locked". Writers take the lock when they begin
        # and queue for it up to the busy timeout; readers stay deferred so they never queue behind writers.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes_intended() else "BEGIN")

    return engine


def init_app(app):
    """Create the engine and bind the session for this app."""
    engine = make_engine(database_url(app))
    app.extensions["engine"] = engine
    Session.configure(bind=engine)

    @app.teardown_appcontext
    def remove_session(exc):
        Session.remove()
