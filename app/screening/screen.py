"""Screening: an entity and its people against the lists, a name on its own, a list's changes against the registry."""
from datetime import date
import hashlib
import logging
import time

from sqlalchemy import select

from app import forking
from app.audits import outbox
from app.bulk import CHUNK, chunks, paused_gc
from app.errors import Conflict, Invalid
from app.progress import counted, silent
from app.registry.models import Address, Alias, Entity, Identifier, Licence, Person, Role
from app.registry.service import get_entity
from app.scoring import rescoring, service as scoring
from app.screening import indexes as live, service
from app.screening.importer import import_watchlist
from app.screening.index import Query
from app.screening.models import Hit, HitEvent, Screening, WatchlistEntry, WatchlistSource, WatchlistVersion
from app.screening.normalize import MAX_NAME_LENGTH, normalize

log = logging.getLogger(__name__)
HITS_PER_SUBJECT = 25
BATCH = 2000  # entities loaded and screened together
REVERSE_MARGIN = 0.1  # registry candidates for a changed entry are looked for this far below the threshold
REVERSE_CANDIDATES = 2000  # registry names compared in full for each name of a changed entry
SEARCHES_PER_REPORT = 100  # a registry search for a changed entry takes milliseconds: progress every this many
SEARCH_THRESHOLD = 0.5  # the registry search shows looser resemblances: a person picks from a list
FOUND = "Found."


def subjects(session, entity_ids, today=None):
    """What to screen for each live entity: its own names, and each of its current people:
    {entity id: [(subject, query, kinds)]}, by entity id."""
    today = today or date.today()
    ids = list(entity_ids)

    def values(column, owner, order):
        found = {}
        for entity_id, value in session.execute(select(owner, column).where(owner.in_(ids)).order_by(order)):
            found.setdefault(entity_id, []).append(value)
        return found

    aliases = values(Alias.name, Alias.entity_id, Alias.id)
    countries = values(Address.country, Address.entity_id, Address.id)
    identifiers = values(Identifier.value, Identifier.entity_id, Identifier.id)
    numbers = values(Licence.number, Licence.entity_id, Licence.id)
    people = {}
    for role in session.execute(select(Role.entity_id, Role.until, Person.id, Person.name, Person.nationality)
                                .join(Person, Person.id == Role.person_id).where(Role.entity_id.in_(ids))
                                .order_by(Role.id)):
        if role.until is None or role.until >= today:
            query = Query((role.name,), "person", frozenset([role.nationality] if role.nationality else []))
            # People are matched against listed people only, never against companies.
            people.setdefault(role.entity_id, []).append((f"person:{role.id}", query, {"person"}))
    found = {}
    for entity_id, legal_name, country in session.execute(
            select(Entity.id, Entity.legal_name, Entity.country)
            .where(Entity.id.in_(ids), Entity.deleted_at.is_(None)).order_by(Entity.id)):
        own = Query((legal_name, *aliases.get(entity_id, ())), "organization",
                    frozenset({country, *countries.get(entity_id, ())}),
                    frozenset(identifiers.get(entity_id, []) + numbers.get(entity_id, [])))
        listed = [("entity", own, None)] + people.get(entity_id, [])
        found[entity_id] = list({subject: (subject, query, kinds) for subject, query, kinds in listed}.values())
    return found


def names_key(query):
    """A digest of what was screened for a subject, so a dismissal knows when the names changed."""
    body = "\n".join(sorted(query.names)) + "\n#" + "\n".join(sorted(query.identifiers))
    return hashlib.sha256(body.encode()).hexdigest()


def name_problem(name):
    """What makes a query name unusable (empty, too long to be a name, nothing to match on), or None."""
    if not name or not name.strip():
        return "missing"
    if len(name) > MAX_NAME_LENGTH:
        return f"longer than {MAX_NAME_LENGTH} characters ({len(name)})"
    if not normalize(name).tokens:
        return "no letters or digits to match on"
    return None


def check_name(name, where="name"):
    """Refuse an unusable query name, naming the field."""
    problem = name_problem(name)
    if problem:
        raise Invalid(f"This name cannot be screened: {problem}.", {where: [problem]})


def screen_name(session, query, *, threshold, lists=None, limit=HITS_PER_SUBJECT):
    """Ad-hoc screening of a name against the lists: matches with their entries, nothing stored."""
    for position, name in enumerate(query.names):
        check_name(name, "name" if position == 0 else f"aliases[{position - 1}]")
    require_lists(session)
    if lists:
        # A misspelt list would screen against nothing and look clean.
        known = set(session.scalars(select(WatchlistSource.name).where(WatchlistSource.name.in_(sorted(set(lists))))))
        unknown = ", ".join(sorted(set(lists) - known))
        if unknown:
            raise Invalid(f"No watchlist named {unknown}.", {"lists": [f"Unknown: {unknown}."]})
    indexes = live.current(session)
    matches = indexes.lists.search(query, threshold=threshold, limit=limit, groups=set(lists) if lists else None)
    entries = entries_by_id(session, [m.key for m in matches])
    return [(match, entries[match.key]) for match in matches]


def entries_by_id(session, ids):
    """List entries by row id."""
    found = {}
    for chunk in chunks(sorted(set(ids)), CHUNK):
        for entry in session.scalars(select(WatchlistEntry).where(WatchlistEntry.id.in_(chunk))):
            found[entry.id] = entry
    return found


def lists_loaded(session):
    """Whether any watchlist has been imported (before that, an entity cannot be said to be screened)."""
    return session.scalar(select(WatchlistSource.id).where(WatchlistSource.current_version_id.isnot(None))
                          .limit(1)) is not None


def require_lists(session):
    """Refuse to screen before any list is loaded: "no hits" would read as clean."""
    if not lists_loaded(session):
        raise Conflict("No watchlist is loaded yet: import one first (fairrecruit watchlist import).")


def screen_entity(session, entity_id, *, threshold, reason="screened", indexes=None):
    """Screen an entity and its people against every list; update its hits and record the screening."""
    get_entity(session, entity_id)
    return screen_entities(session, [entity_id], threshold=threshold, reason=reason, indexes=indexes)[entity_id]


def screen_entities(session, entity_ids, *, threshold, reason="screened", indexes=None, processes=1,
                    progress=silent):
    """Screen live entities and their people, a batch at a time: {entity id: {(subject, entry row id): match}}.

    processes: how many processes search the lists (app/forking.py); progress: called after each batch with how
    many of the entities were screened (app/progress.py).
    """
    require_lists(session)
    if indexes is None:
        progress("preparing the name indexes", 0, None)
        indexes = live.current(session)
    versions = dict(session.execute(select(WatchlistSource.name, WatchlistVersion.number)
                                    .join(WatchlistVersion, WatchlistVersion.id == WatchlistSource.current_version_id))
                    .all())
    started = time.perf_counter()
    results, searches = {}, {}
    ids = sorted(set(entity_ids))
    progress("screening registered entities", 0, len(ids))
    for number, chunk in enumerate(chunks(ids, BATCH)):
        existing = {(hit.entity_id, hit.subject, hit.watchlist_entry_id): hit
                    for hit in session.scalars(select(Hit).where(Hit.entity_id.in_(chunk)))}
        searched, screening = {}, subjects(session, chunk)
        # Many entities share people (and people their names): each query is searched once, the new ones of a
        # large batch on every core (forked processes share the index).
        new = list(dict.fromkeys(search for screened in screening.values() for _, query, kinds in screened
                                 if (search := (query, frozenset(kinds or ()))) not in searches))
        searches.update(zip(new, forking.mapped(
            lambda search: indexes.lists.search(search[0], threshold=threshold, limit=HITS_PER_SUBJECT,
                                                kinds=search[1] or None), new, processes=processes)))
        for entity_id, screened in screening.items():
            found, keys = {}, {}
            for subject, query, kinds in screened:
                keys[subject] = names_key(query)
                for match in searches[(query, frozenset(kinds or ()))]:
                    found[(subject, match.key)] = match
            searched[entity_id] = (found, keys)
        entries = entries_by_id(session, [key for found, _ in searched.values() for _, key in found])
        events = []
        for entity_id, (found, keys) in searched.items():
            for (subject, entry_key), match in found.items():
                hit, event = record_match(session, entity_id, subject, keys[subject], match, entries[entry_key],
                                          existing.get((entity_id, subject, entry_key)))
                if event:
                    events.append((hit, event))
            for (hit_entity, subject, entry_key), hit in existing.items():
                if hit_entity == entity_id and (subject, entry_key) not in found and hit.current:
                    hit.current = False
            session.add(Screening(entity_id=entity_id, threshold=threshold, list_versions=versions, hits=len(found),
                                  reason=reason))
            results[entity_id] = found
        note_events(session, events)
        # The watchlist fact changes: known now, and perhaps with other confirmed hits.
        rescoring.later(session, list(searched))
        progress("screening registered entities", number * BATCH + len(chunk), len(ids))
    log.info("screening.entities count=%s hits=%s reason=%s ms=%.0f", len(results),
             sum(len(found) for found in results.values()), reason, (time.perf_counter() - started) * 1000)
    return results


def note_events(session, events):
    """Record the (hit, note) events of a batch's new and reopened hits, once the hits have their ids."""
    session.flush()
    session.add_all([HitEvent(hit_id=hit.id, state="open", note=note, entry_revision=hit.entry_revision,
                              names_key=hit.names_key) for hit, note in events])
    outbox.later(session, [outbox.new_hit(hit.entity_id, hit_id=hit.id, source=hit.source.name,
                                          matched_name=hit.matched_name) for hit, note in events if note == FOUND])
    session.flush()


def record_match(session, entity_id, subject, key, match, entry, hit):
    """Create or refresh the hit for one match; a dismissal reopens when the entry or the names changed: (hit,
    the note of its event or None)."""
    person_id = int(subject.split(":")[1]) if subject.startswith("person:") else None
    if hit is None:
        hit = Hit(entity_id=entity_id, subject=subject, person_id=person_id, watchlist_entry_id=entry.id,
                  source_id=entry.source_id, entry_revision=entry.revision, names_key=key, state="open")
        session.add(hit)
        event = FOUND
    else:
        changed = []
        if hit.entry_revision != entry.revision:
            changed.append(f"the list entry changed (revision {hit.entry_revision} -> {entry.revision})")
        if hit.names_key != key:
            changed.append("the screened names or identifiers changed")
        event = None
        if changed and hit.state == "dismissed":
            hit.state, hit.reason, hit.decided_by, hit.decided_at = "open", None, None, None
            hit.note = event = "Reopened: " + " and ".join(changed) + "."
    hit.list_version_id = entry.last_changed_version_id
    hit.score, hit.query_name, hit.matched_name = round(match.score, 4), match.query_name, match.matched_name
    hit.explanation, hit.current = match.explanation, True
    hit.entry_revision, hit.names_key = entry.revision, key
    return hit, event


def screen_list_changes(session, version_ids, *, threshold, processes=1, progress=silent):
    """Reverse screening (see reverse_screening), the cyclic garbage collector paused: with the name indexes in
    memory each of its passes over everything takes a good part of a second, and thousands of searches and hits
    set off several."""
    with paused_gc():
        return reverse_screening(session, version_ids, threshold=threshold, processes=processes, progress=progress)


def reverse_screening(session, version_ids, *, threshold, processes=1, progress=silent):
    """Reverse screening: match what these list versions added or changed against the registry, then screen
    each entity found (so every hit is scored the same way, from the entity's side). processes: how many
    processes search the registry (app/forking.py); progress: called as the changed entries are searched for
    and the entities found are screened (app/progress.py)."""
    started = time.perf_counter()
    # Building the name indexes (in a new process, after a new list) takes seconds: a step of its own.
    progress("preparing the name indexes", 0, None)
    indexes = live.current(session, registry=True)
    indexed = time.perf_counter()
    rows = [(entry.change, entry) for entry in counted(
        (entry for version_id in version_ids for entry in service.changed_entries(session, version_id)),
        progress, "reading the changes")]
    removed = [entry.id for kind, entry in rows if kind == "removed"]
    entity_ids, people = set(), set()
    # The queries are made here, so that the processes searching read no database object.
    queries = [(Query((entry.name, *entry.aliases, *entry.weak_aliases), entry.kind, frozenset(entry.countries),
                      frozenset(value for _, value in entry.identifiers)),
                {"person"} if entry.kind == "person" else {"organization"})
               for kind, entry in rows if kind != "removed"]
    read = time.perf_counter()

    def search(query_and_kinds):
        # Every resemblance, however common the name (70 agencies may share an owner's name): the registry
        # search only finds whom to screen, so it looks a little below the threshold, without a limit, and
        # without explaining (the screening of each entity found explains its hits).
        query, kinds = query_and_kinds
        return [match.key for match in indexes.registry.search(
            query, threshold=threshold - REVERSE_MARGIN, limit=None, kinds=kinds, candidates=REVERSE_CANDIDATES,
            explain=False)]

    # A new list's thousands of entries are searched on every core (forked processes share the index).
    for keys in forking.mapped(search, queries, processes=processes, progress=progress, every=SEARCHES_PER_REPORT,
                               step="searching the registry for the changed entries"):
        for group, record_id in keys:
            (entity_ids if group == "entity" else people).add(record_id)
    searched = time.perf_counter()
    for chunk in chunks(sorted(people), CHUNK):
        entity_ids.update(session.scalars(select(Role.entity_id).where(Role.person_id.in_(chunk))))
    # Entities with hits on changed entries are screened again too: the change may end the resemblance.
    changed = [entry.id for kind, entry in rows if kind == "changed"]
    for chunk in chunks(changed, CHUNK):
        entity_ids.update(session.scalars(select(Hit.entity_id).where(Hit.watchlist_entry_id.in_(chunk))))
    live_ids = set()
    for chunk in chunks(sorted(entity_ids), CHUNK):
        live_ids.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk), Entity.deleted_at.is_(None))))
    for chunk in chunks(removed, CHUNK):
        for hit in session.scalars(select(Hit).where(Hit.watchlist_entry_id.in_(chunk))):
            hit.current = False
            # A confirmed hit on a delisted entry stops failing the watchlist rule.
            rescoring.later(session, [hit.entity_id])
    screen_entities(session, live_ids, threshold=threshold, reason="list changed", indexes=indexes,
                    processes=processes, progress=progress)
    log.info("screening.reverse versions=%s changed=%s entities=%s registry_search_ms=%.0f indexes_ms=%.0f "
             "read_ms=%.0f processes=%s", sorted(version_ids), len(rows) - len(removed), len(live_ids),
             (searched - started) * 1000, (indexed - started) * 1000, (read - indexed) * 1000, processes)
    return live_ids


def import_and_screen(session, source_name, format_name, paths, *, actor, threshold, processes=1, progress=silent,
                      **source):
    """Import a list's files as its next version, then screen what changed against the registry: the import's
    result and the ids of the entities screened again."""
    result = import_watchlist(session, source_name, format_name, paths, actor=actor, progress=progress, **source)
    return result, screen_list_changes(session, [result.version.id], threshold=threshold, processes=processes,
                                       progress=progress)


def similar_entities(session, text, *, threshold=SEARCH_THRESHOLD, limit=500):
    """Ids of registered entities whose names resemble the text, typos and all (for the registry's search)."""
    if not normalize(text).tokens:
        return frozenset()
    index = live.current(session, registry=True).registry
    return frozenset(match.key[1] for match in index.search(Query((text,)), threshold=threshold, limit=limit,
                                                           groups={"entity"}, explain=False))


def screen_registry(session, *, threshold, processes=1, progress=silent):
    """Screen every live entity, then re-score them all in bulk: (how many, how many hits)."""
    ids = session.scalars(select(Entity.id).where(Entity.deleted_at.is_(None)).order_by(Entity.id)).all()
    results = screen_entities(session, ids, threshold=threshold, reason="whole registry", processes=processes,
                              progress=progress)
    # One bulk re-score instead of one score per entity at commit.
    rescoring.cancel(session)
    for kind in ("agency", "employer"):
        scoring.rescore(session, kind, reason="screened against the watchlists", progress=progress)
    return len(results), sum(len(found) for found in results.values())


def screen_names(session, queries, *, threshold, lists=None, limit=None):
    """Screen many checked queries at once: [(query, [(match, entry)])] in the same order (every hit found)."""
    require_lists(session)
    index = live.current(session).lists
    groups = set(lists) if lists else None
    found = [(query, index.search(query, threshold=threshold, limit=limit, groups=groups)) for query in queries]
    entries = entries_by_id(session, [match.key for _, matches in found for match in matches])
    return [(query, [(match, entries[match.key]) for match in matches]) for query, matches in found]
