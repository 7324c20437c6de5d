"""The database: one engine per app, a scoped session, and the declarative base."""
from datetime import date, datetime, timezone
from decimal import Decimal
import json
import os

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

Session = scoped_session(sessionmaker(expire_on_commit=False))

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


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
    """The JSON text stored in JSON columns."""
    return json.dumps(value, default=json_default)


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
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, json_serializer=to_json)
    engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=to_json)

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
        conn.exec_driver_sql("BEGIN")

    return engine


def init_app(app):
    """Create the engine and bind the session for this app."""
    engine = make_engine(database_url(app))
    app.extensions["engine"] = engine
    Session.configure(bind=engine)

    @app.teardown_appcontext
    def remove_session(exc):
        Session.remove()
