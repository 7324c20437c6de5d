"""Bulk writes and lookups for imports of many rows: ids reserved up front, COPY or executemany, array lookups."""
from contextlib import contextmanager
import gc
import json

from sqlalchemy import JSON, String, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from app.db import to_json

CHUNK = 5000
# Keys looked up per query: a lookup only reads, so larger batches mean fewer round trips for the same rows.
LOOKUP = 25_000


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while building millions of objects that all stay alive: it would
    scan them over and over (a third of the time at 100,000 rows) and free nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def chunks(items, size=CHUNK):
    """Successive slices of a list."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def postgresql(session):
    """Whether the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def skip_locked(session, statement):
    """Claim the rows a SELECT finds: FOR UPDATE SKIP LOCKED on PostgreSQL, so that processes sweeping together
    each take other rows; SQLite has one writer at a time, whose transaction is claim enough."""
    return statement.with_for_update(skip_locked=True) if postgresql(session) else statement


def reserve_ids(session, table, count):
    """Primary keys for `count` new rows of `table`, so bulk inserts need no RETURNING.

    PostgreSQL draws them from the column's sequence; SQLite (one writer at a time) continues after the
    largest id, as its own rowid allocation would.
    """
    if count == 0:
        return []
    if postgresql(session):
        return session.execute(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                    "FROM generate_series(1, :count)"), {"table": table.name, "count": count}
                               ).scalars().all()
    start = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(start + 1, start + count + 1))


def any_of(session, column, values):
    """`column IN (values)` as one parameter: an array on PostgreSQL, where planning a long IN list is slow; on
    SQLite a JSON array read by json_each, as SQLAlchemy takes longer to render and bind 5,000 placeholders (once
    per statement) than SQLite takes to answer. Values other than numbers and text go in an ordinary IN list."""
    values = list(values)
    if postgresql(session):
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    if all(isinstance(value, (int, str)) for value in values):
        return column.in_(select(func.json_each(bindparam(None, json.dumps(values), type_=String))
                                 .table_valued("value").c.value))
    return column.in_(values)


def plain_rows(session, statement):
    """The rows of a Core select as plain tuples from the driver's cursor, with the columns' own result processing
    (dates on SQLite) applied: for reads of hundreds of thousands of keys, where building SQLAlchemy's Row
    objects took a measurable share of the time."""
    connection = session.connection()
    processors = [column.type._cached_result_processor(connection.dialect, None)
                  for column in statement.selected_columns]
    result = connection.execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not any(processors):
        return rows
    return [tuple(value if p is None or value is None else p(value) for p, value in zip(processors, row))
            for row in rows]


def insert_rows(session, table, rows):
    """Insert many rows of `table` (dicts with the same keys): COPY on PostgreSQL, executemany on SQLite.

    Both go to the driver directly: per-row statement building in SQLAlchemy costs more than the database's
    own work here, and psycopg would send an executemany as one statement per row.
    """
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    connection = session.connection()
    driver = connection.connection.driver_connection
    if postgresql(session):
        # COPY's text format takes JSON as its text; everything else psycopg formats itself.
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([to_json(row[c]) if c in json_columns and row[c] is not None else row[c]
                                for c in columns])
        return
    # The columns' own bind processors turn dates, datetimes and JSON into what SQLite stores.
    processors = [(c, table.c[c].type._cached_bind_processor(connection.dialect)) for c in columns]
    values = [[row[c] if p is None or row[c] is None else p(row[c]) for c, p in processors] for row in rows]
    cursor = driver.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', values)
    finally:
        cursor.close()


def refresh_statistics(session, tables):
    """Let the query planner see a bulk load at once.

    Without statistics SQLite takes `kind = ?` for a selective index and scans every agency to find one
    licence number; PostgreSQL's autovacuum may take minutes to notice the load.
    """
    for table in tables:
        session.execute(text(f'ANALYZE "{table.name}"'))

