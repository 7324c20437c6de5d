"""This process's name indexes of the watchlists and of the registry, built from the database at first use
and kept current: list versions and the registry generation say what changed since."""
from dataclasses import dataclass, field
import logging
from threading import RLock
import time

from sqlalchemy import func, select

from app import db
from app.bulk import CHUNK, chunks, paused_gc
from app.registry.models import Alias, Entity, Identifier, Licence, Person, RegistryState, Role
from app.screening import legal_forms, match, normalize, romanise, service
from app.screening.index import NameIndex
from app.screening.models import WatchlistChange, WatchlistVersion

log = logging.getLogger(__name__)
BATCH = 5000


@dataclass
class Indexes:
    """The watchlists' names and the registry's names of one database, each with its own word weights."""

    lists: NameIndex = field(default_factory=NameIndex)
    registry: NameIndex = field(default_factory=NameIndex)
    lists_version: int = -1          # the newest list version applied
    registry_generation: int = -1    # the registry generation applied
    lock: RLock = field(default_factory=RLock)


INDEXES = {}


def forget():
    """Drop every process-held index (tests roll the database back under them)."""
    INDEXES.clear()


def current(session, *, registry=False):
    """This process's indexes, the watchlists caught up (and the registry too, when asked)."""
    url = str(session.get_bind().engine.url)
    indexes = INDEXES.setdefault(url, Indexes())
    with indexes.lock:
        newest = session.scalar(select(func.max(WatchlistVersion.id))) or 0
        if newest != indexes.lists_version:
            with paused_gc():
                catch_up_lists(session, indexes, newest)
            touched(session, url)
        if registry:
            generation = session.scalar(select(RegistryState.generation).where(RegistryState.id == 1)) or 0
            if generation != indexes.registry_generation:
                with paused_gc():
                    catch_up_registry(session, indexes, generation)
                touched(session, url)
    return indexes


def touched(session, url):
    """Note that this transaction moved the shared indexes on: if it rolls back, they must be forgotten."""
    session.info.setdefault("indexes_caught_up", set()).add(url)


def forget_caught_up(session):
    """After a rollback: the indexes may hold what the transaction wrote (a list version, registry changes) and
    then undid; forget them (app/pipeline.py calls this)."""
    for url in session.info.pop("indexes_caught_up", ()):
        INDEXES.pop(url, None)


def committed(session):
    """After a commit: what the indexes caught up is for good."""
    session.info.pop("indexes_caught_up", None)


def warm(app):
    """Build this process's indexes before it serves (see gunicorn.conf.py)."""
    with app.app_context():
        current(db.Session(), registry=True)
        db.Session.remove()


def shed_memos():
    """Empty the memos of names and words that building the indexes filled (app/prefork.py): a worker's searches
    would move and evict their entries, and so copy their pages from the master that built them."""
    for memo in (normalize._normalize, normalize.latin_word, legal_forms.legal_word, match.token_similarity,
                 match.skeleton, romanise.pinyin):
        memo.cache_clear()


def catch_up_lists(session, indexes, newest):
    """Apply the list versions imported since the last look (everything the first time, or if history went back)."""
    started = time.perf_counter()
    if indexes.lists_version < 0 or newest < indexes.lists_version:
        # Built aside and swapped in whole: searches under way keep the index they started with.
        index = NameIndex()
        for entry in service.current_entries(session):
            add_entry(index, entry)
        indexes.lists = index
    else:
        index = indexes.lists
        changed = session.execute(select(WatchlistChange.watchlist_entry_id, WatchlistChange.kind)
                                  .where(WatchlistChange.version_id > indexes.lists_version)).all()
        # What matters is each changed entry's state now (removed in one version, back in the next...).
        touched = {entry_id for entry_id, _ in changed}
        for entry_id in touched:
            index.remove(entry_id)
        for entry in service.current_entries(session, entry_ids=touched):
            add_entry(index, entry)
    index.settle()
    indexes.lists_version = newest
    log.info("screening.lists_indexed records=%s names=%s version=%s ms=%.0f", len(index),
             index.vocabulary.names, newest, (time.perf_counter() - started) * 1000)


def add_entry(index, entry):
    """Index one list entry (a row of service.current_entries) under its row id, in its source's group."""
    index.add(entry.id, (entry.name, *entry.aliases, *entry.weak_aliases), group=entry.source, kind=entry.kind,
              countries=entry.countries, identifiers=[value for _, value in entry.identifiers])


def catch_up_registry(session, indexes, generation):
    """Index the entities (and their people) changed since the last look: everything the first time."""
    started = time.perf_counter()
    if indexes.registry_generation < 0 or generation < indexes.registry_generation:
        index, changed = NameIndex(), None
    else:
        index = indexes.registry
        changed = session.scalars(select(Entity.id).where(Entity.generation > indexes.registry_generation)).all()
    for key, names, kind, countries, identifiers in registry_records(session, changed):
        if names is None:
            index.remove(key)
        else:
            index.add(key, names, group=key[0], kind=kind, countries=countries, identifiers=identifiers)
    index.settle()
    # A new index is swapped in whole once built (see catch_up_lists).
    indexes.registry = index
    indexes.registry_generation = generation
    log.info("screening.registry_indexed records=%s names=%s generation=%s ms=%.0f", len(index),
             index.vocabulary.names, generation, (time.perf_counter() - started) * 1000)


def registry_records(session, entity_ids):
    """(key, names, kind, countries, identifiers) of entities and their people; names None for the deleted.

    Entities are keyed ("entity", id) and people ("person", id): a person is indexed once however many
    entities they serve.
    """
    if entity_ids is None:
        last = session.scalar(select(func.max(Entity.id))) or 0
        batches = (range(start, start + BATCH) for start in range(1, last + 1, BATCH))
    else:
        batches = chunks(sorted(entity_ids), CHUNK)
    for ids in batches:
        yield from registry_batch(session, ids)


def registry_batch(session, ids):
    def where(column):
        return column.between(ids.start, ids.stop - 1) if isinstance(ids, range) else column.in_(ids)

    names, identifiers, people = {}, {}, {}
    for entity_id, name in session.execute(select(Alias.entity_id, Alias.name).where(where(Alias.entity_id))
                                           .order_by(Alias.id)):
        names.setdefault(entity_id, []).append(name)
    for entity_id, value in session.execute(select(Identifier.entity_id, Identifier.value)
                                            .where(where(Identifier.entity_id))):
        identifiers.setdefault(entity_id, []).append(value)
    for entity_id, number in session.execute(select(Licence.entity_id, Licence.number)
                                             .where(where(Licence.entity_id))):
        identifiers.setdefault(entity_id, []).append(number)
    for person_id, name, nationality in session.execute(
            select(Person.id, Person.name, Person.nationality).join(Role, Role.person_id == Person.id)
            .where(where(Role.entity_id)).distinct()):
        people[person_id] = (name, nationality)
    for row in session.execute(select(Entity.id, Entity.legal_name, Entity.country, Entity.deleted_at)
                               .where(where(Entity.id))):
        key = ("entity", row.id)
        if row.deleted_at is not None:
            yield key, None, None, None, None
            continue
        yield (key, [row.legal_name, *names.get(row.id, [])], "organization", [row.country],
               identifiers.get(row.id, []))
    for person_id, (name, nationality) in people.items():
        yield ("person", person_id), [name], "person", [nationality] if nationality else [], []
