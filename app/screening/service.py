"""Watchlist reads: sources, their versions, what each version changed, and the entries listed now.

Importing (the one write) is in importer.py."""
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.bulk import CHUNK, chunks
from app.errors import NotFound
from app.screening.models import WatchlistChange, WatchlistEntry, WatchlistSource, WatchlistVersion

STREAM_BATCH = 2000


def list_sources(session):
    """Every source with its current version, by name."""
    return session.scalars(select(WatchlistSource).options(selectinload(WatchlistSource.current_version))
                           .order_by(WatchlistSource.name)).all()


def get_source(session, name):
    """The source of this name, or NotFound."""
    source = session.scalar(select(WatchlistSource).where(WatchlistSource.name == name))
    if source is None:
        raise NotFound(f"No watchlist is named {name!r}.")
    return source


def list_versions(session, name, page=1, per_page=50):
    """A source's versions, newest first, and how many there are."""
    source = get_source(session, name)
    total = session.scalar(select(func.count()).where(WatchlistVersion.source_id == source.id))
    rows = session.scalars(select(WatchlistVersion).where(WatchlistVersion.source_id == source.id)
                           .order_by(WatchlistVersion.number.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_version(session, name, number):
    """Version `number` of a source, or NotFound."""
    source = get_source(session, name)
    version = session.scalar(select(WatchlistVersion).where(WatchlistVersion.source_id == source.id,
                                                            WatchlistVersion.number == number))
    if version is None:
        raise NotFound(f"{name} has no version {number}.")
    return version


def changes_query(version_id, kind=None):
    """The select of a version's changes (optionally of one kind), in entry order."""
    query = select(WatchlistChange).where(WatchlistChange.version_id == version_id)
    if kind:
        query = query.where(WatchlistChange.kind == kind)
    return query.order_by(WatchlistChange.watchlist_entry_id)


def version_changes(session, version_id, kind=None):
    """Stream a version's changes with their entries: what reverse screening reads after a refresh."""
    return session.scalars(changes_query(version_id, kind).options(joinedload(WatchlistChange.entry))
                           .execution_options(yield_per=STREAM_BATCH))


def changed_entries(session, version_id):
    """Stream a version's changes as rows of what reverse screening reads of each entry (its names, kind,
    countries and identifiers) with the change's kind as `change`, in entry order: columns, because loading
    thousands of objects (with their details) took seconds."""
    table = WatchlistEntry.__table__
    return session.execute(changes_query(version_id)
                           .with_only_columns(WatchlistChange.kind.label("change"), table.c.id, table.c.kind,
                                              table.c.name, table.c.aliases, table.c.weak_aliases, table.c.countries,
                                              table.c.identifiers)
                           .join(table, table.c.id == WatchlistChange.watchlist_entry_id)
                           .execution_options(yield_per=STREAM_BATCH))


def change_page(session, version_id, kind=None, page=1, per_page=50):
    """One page of a version's changes, and how many there are."""
    query = changes_query(version_id, kind)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.options(joinedload(WatchlistChange.entry))
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def current_entries(session, source_ids=None, entry_ids=None):
    """Stream the rows of the entries listed now (not removed), with their source's name as `source`, by id;
    optionally of some sources only, or some entries (by row id) only."""
    table = WatchlistEntry.__table__
    query = (select(table, WatchlistSource.name.label("source"))
             .join(WatchlistSource.__table__, WatchlistSource.id == table.c.source_id)
             .where(table.c.removed_version_id.is_(None)))
    if source_ids is not None:
        query = query.where(table.c.source_id.in_(list(source_ids)))
    if entry_ids is None:
        yield from session.execute(query.order_by(table.c.id).execution_options(yield_per=STREAM_BATCH))
        return
    for chunk in chunks(sorted(entry_ids), CHUNK):
        yield from session.execute(query.where(table.c.id.in_(chunk)))


def list_entries(session, name, q=None, removed=False, page=1, per_page=50):
    """A page of a source's entries (listed now, or removed ones), names or aliases containing `q`."""
    source = get_source(session, name)
    query = select(WatchlistEntry).where(WatchlistEntry.source_id == source.id,
                                         WatchlistEntry.removed_version_id.isnot(None) if removed
                                         else WatchlistEntry.removed_version_id.is_(None))
    if q:
        pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(WatchlistEntry.name.ilike(pattern, escape="\\"),
                                WatchlistEntry.entry_id == q.strip(),
                                cast(WatchlistEntry.aliases, Text).ilike(pattern, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(WatchlistEntry.name, WatchlistEntry.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
