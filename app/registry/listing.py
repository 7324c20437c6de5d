"""Each process's listing of the registry: filtering, counting, sorting and paging agencies and employers in
memory, over facets (country, sector, licence status, corridor...), caught up with the change feed of
app/registry/changes.py before every use, and with the calendar: licence statuses are read as on the day the
listing was last caught up (app/registry/expiry.py), and on a new day the entities whose licences lapsed or
revived between the two days are read again. A filtered page of 100,000 agencies costs set intersections, not
table scans; a name search reads only the entries sharing the searched words (or parts of words); the full
records stay in the database and come from the item routes."""
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
import json
import threading

from sqlalchemy import func, select

from app import db
from app.bulk import CHUNK, chunks, paused_gc
from app.registry import expiry
from app.registry.models import (Alias, Authority, Entity, EntitySector, Licence, LicenceDestination, RegistryState,
                                 Relationship)
from app.registry.names import licence_key, name_key

SORTS = ("legal_name", "country", "created_at", "id")
SORT_INDEX = {name: index for index, name in enumerate(SORTS)}
# One shared object per distinct facet: 100,000 entries name the same few thousand facets.
FACETS = {}
# Beyond this many changes at once the sort orders are rebuilt instead of patched.
REBUILD_AFTER = 2000
# Entities read per batch when catching up.
BATCH = 20000
# Match sets up to this size are sorted directly; bigger ones are read off the kept sort order.
SORT_DIRECTLY = 2000


@dataclass(slots=True)
class Entry:
    """What the listing keeps of one entity: its summary (the list item, as JSON), facets, names, sort keys."""

    id: int
    kind: str
    summary: bytes
    facets: tuple
    names: str
    keys: tuple                 # one per SORTS field


@dataclass
class Listing:
    """The live entities of the registry as facets and sort orders."""

    generation: int = -1
    day: date | None = None     # the day its licence statuses are read on
    entries: dict = field(default_factory=dict)
    postings: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)   # each word of the entries' name keys -> their ids
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, entry, patch_orders=True):
        """Add or replace an entry."""
        self.remove(entry.id, patch_orders)
        self.entries[entry.id] = entry
        for facet in entry.facets:
            self.postings.setdefault(facet, set()).add(entry.id)
        for word in words_of(entry.names):
            self.words.setdefault(word, set()).add(entry.id)
        if patch_orders:
            for sort in SORTS:
                if (entry.kind, sort) in self.orders:
                    insort(self.orders[entry.kind, sort], (entry.keys[SORT_INDEX[sort]], entry.id))

    def remove(self, entity_id, patch_orders=True):
        """Forget an entity (deleted, or about to be replaced)."""
        entry = self.entries.pop(entity_id, None)
        if entry is None:
            return
        for facet in entry.facets:
            self.postings[facet].discard(entity_id)
        for word in words_of(entry.names):
            ids = self.words[word]
            ids.discard(entity_id)
            if not ids:
                del self.words[word]
        if patch_orders:
            for sort in SORTS:
                order = self.orders.get((entry.kind, sort))
                if order is not None:
                    del order[bisect_left(order, (entry.keys[SORT_INDEX[sort]], entity_id))]

    def order(self, kind, sort):
        """The (key, id) pairs of one kind in ascending order of a sort field."""
        if (kind, sort) not in self.orders:
            with paused_gc():
                self.orders[kind, sort] = sorted((self.entries[i].keys[SORT_INDEX[sort]], i)
                                                 for i in self.postings.get(("kind", kind), ()))
        return self.orders[kind, sort]

    def search(self, kind, filters, *, sort="legal_name", page=1, per_page=50, near=frozenset()):
        """One page of summaries (each as JSON bytes) matching the filters, and how many match in all.

        near: ids of entities whose names resemble `q` without containing it (typos), found by the caller.
        """
        # Threaded servers: a catch-up in another thread must not change the sets under this one.
        with self.lock:
            return self.find(kind, filters, sort, page, per_page, near)

    def find(self, kind, filters, sort, page, per_page, near=frozenset()):
        """search() without the lock."""
        wanted = [self.postings.get(facet, set()) for facet in facets_of(filters)]
        wanted.sort(key=len)
        base = self.postings.get(("kind", kind), set())
        matches = base.intersection(*wanted) if wanted else base
        if filters.get("q"):
            needle = name_key(filters["q"])
            named = self.named(needle)
            within = matches if named is None else named.intersection(matches)
            matches = {i for i in within if needle in self.entries[i].names} | near.intersection(matches)
        descending, field_name = sort.startswith("-"), sort.lstrip("-")
        start = (page - 1) * per_page
        if len(matches) <= SORT_DIRECTLY:
            position = SORT_INDEX[field_name]
            ordered = sorted(matches, key=lambda i: (self.entries[i].keys[position], i), reverse=descending)
            ids = ordered[start:start + per_page]
        else:
            order = self.order(kind, field_name)
            walk = reversed(order) if descending else order
            ids = list(islice((i for _, i in walk if i in matches), start, start + per_page))
        return [self.entries[i].summary for i in ids], len(matches)

    def named(self, needle):
        """Ids of the entries that may have a name containing `needle` (a name key), or None for any entry.

        Within a name, the needle's first word ends a word, its last begins one and those between are whole
        words (a single word may lie anywhere in one): the entries having such words are the candidates, which
        the caller checks against the whole needle.
        """
        tokens = needle.split(" ")
        if not all(tokens):
            return None
        if len(tokens) > 2:
            inner = sorted((self.words.get(token, set()) for token in tokens[1:-1]), key=len)
            return inner[0].intersection(*inner[1:])
        if len(tokens) == 1:
            return self.having(lambda word: tokens[0] in word)
        return self.having(lambda word: word.endswith(tokens[0])) & self.having(lambda word: word.startswith(tokens[1]))

    def having(self, test):
        """Ids of the entries with a word that passes the test."""
        return set().union(*(ids for word, ids in self.words.items() if test(word)))


def words_of(names):
    """The distinct words of an entry's names (name keys joined by "|")."""
    return set(names.replace("|", " ").split(" ")) - {""}


def facets_of(filters):
    """The facets a set of list filters asks for (q is matched on names, not a facet)."""
    found = []
    for name in ("country", "status", "sector", "corridor"):
        if filters.get(name):
            found.append((name, filters[name].upper() if name == "corridor" else filters[name]))
    if filters.get("licence_status") and filters.get("authority"):
        # Both must hold for the same licence.
        found.append(("licence", filters["licence_status"], filters["authority"]))
    elif filters.get("licence_status"):
        found.append(("licence_status", filters["licence_status"]))
    elif filters.get("authority"):
        found.append(("authority", filters["authority"]))
    if filters.get("licence_number"):
        found.append(("licence_number", licence_key(filters["licence_number"])))
    return found


LISTINGS = {}


def forget():
    """Drop every process-held listing (tests roll the database back under them)."""
    LISTINGS.clear()


def current(session, today=None):
    """This process's listing of the session's database, caught up with the registry's changes and the day
    (today: the day to read licence statuses on, by default expiry.today())."""
    today = today or expiry.today()
    listing = LISTINGS.setdefault(str(session.get_bind().engine.url), Listing())
    with listing.lock:
        generation = session.scalar(select(RegistryState.generation).where(RegistryState.id == 1))
        if generation != listing.generation or today != listing.day:
            with paused_gc():
                catch_up(session, listing, generation, today)
    return listing


def warm(app):
    """Build this process's listing and its default sort orders before it serves (see gunicorn.conf.py)."""
    with app.app_context():
        listing = current(db.Session())
        db.Session.remove()
    with listing.lock:
        for kind in ("agency", "employer"):
            listing.order(kind, "legal_name")


def catch_up(session, listing, generation, today=None):
    """Load what changed since the listing's generation (everything the first time, or if it went back), and
    what reads differently today than on the listing's day."""
    today = today or expiry.today()
    if listing.generation < 0 or generation < listing.generation:
        listing.entries.clear(), listing.postings.clear(), listing.orders.clear(), listing.words.clear()
        changed = None
    else:
        changed = set(session.scalars(select(Entity.id).where(Entity.generation > listing.generation)))
        if today != listing.day:
            changed |= lapsing(session, listing.day, today)
    many = changed is None or len(changed) > REBUILD_AFTER
    if many:
        listing.orders.clear()
    for entry_or_id in load_entries(session, changed, today):
        if isinstance(entry_or_id, Entry):
            listing.put(entry_or_id, patch_orders=not many)
        else:
            listing.remove(entry_or_id, patch_orders=not many)
    listing.generation, listing.day = generation, today


def lapsing(session, day, today):
    """Ids of the entities holding an in-force licence whose status reads differently on `today` than on `day`:
    one that ended on a day in between (or, if the clock went back, one that ends in between)."""
    first, last = sorted((day, today))
    return set(session.scalars(select(Licence.entity_id).where(
        Licence.valid_until >= first, Licence.valid_until < last, Licence.status.in_(expiry.IN_FORCE))))


def load_entries(session, entity_ids, today):
    """Entries of the given entities (all when None), a batch at a time to keep the peak memory small; the id
    alone for those deleted since."""
    if entity_ids is None:
        # Everything: consecutive id ranges, which both databases read straight off their indexes.
        last = session.scalar(select(func.max(Entity.id))) or 0
        for start in range(1, last + 1, BATCH):
            yield from build(session, range(start, start + BATCH), today)
        return
    for chunk in chunks(sorted(entity_ids), CHUNK):
        yield from build(session, chunk, today)


def build(session, ids, today):
    """Entries for a list or a range of entity ids, read with plain SELECTs, licence statuses as on `today`."""
    def where(column):
        if isinstance(ids, range):
            return column.between(ids.start, ids.stop - 1)
        return column.in_(ids)

    entities = session.execute(select(Entity.id, Entity.kind, Entity.legal_name, Entity.name_key, Entity.country,
                                      Entity.website, Entity.certification_status, Entity.version,
                                      Entity.created_at, Entity.deleted_at).where(where(Entity.id))).all()
    aliases, sectors, licences, corridors = {}, {}, {}, {}
    for entity_id, name, kind, key in session.execute(
            select(Alias.entity_id, Alias.name, Alias.kind, Alias.name_key).where(where(Alias.entity_id))
            .order_by(Alias.id)):
        aliases.setdefault(entity_id, []).append(({"name": name, "kind": kind}, key))
    for entity_id, sector in session.execute(select(EntitySector.entity_id, EntitySector.sector)
                                             .where(where(EntitySector.entity_id)).order_by(EntitySector.sector)):
        sectors.setdefault(entity_id, []).append(sector)
    by_licence = {}
    for row in session.execute(
            select(Licence.id, Licence.entity_id, Authority.code, Licence.number, Licence.number_key, Licence.type,
                   Licence.status, Licence.valid_from, Licence.valid_until)
            .join(Authority, Authority.id == Licence.authority_id).where(where(Licence.entity_id)).order_by(Licence.id)):
        licence = {"id": row.id, "authority": row.code, "number": row.number, "type": row.type,
                   "status": expiry.effective_status(row.status, row.valid_until, today),
                   "valid_from": row.valid_from and row.valid_from.isoformat(),
                   "valid_until": row.valid_until and row.valid_until.isoformat(), "destinations": []}
        licences.setdefault(row.entity_id, []).append((licence, row.number_key))
        by_licence[row.id] = (licence, row.entity_id)
    for licence_id, country in session.execute(
            select(LicenceDestination.licence_id, LicenceDestination.country)
            .join(Licence, Licence.id == LicenceDestination.licence_id).where(where(Licence.entity_id))
            .order_by(LicenceDestination.licence_id, LicenceDestination.country)):
        by_licence[licence_id][0]["destinations"].append(country)
    for client_id, provider_id, origin, destination in session.execute(
            select(Relationship.client_id, Relationship.provider_id, Relationship.origin_country,
                   Relationship.destination_country)
            .where(where(Relationship.client_id) | where(Relationship.provider_id))):
        for entity_id in (client_id, provider_id):
            corridors.setdefault(entity_id, set()).add(f"{origin}-{destination}")
    for row in entities:
        if row.deleted_at is not None:
            yield row.id
            continue
        yield entry_of(row, aliases.get(row.id, []), sectors.get(row.id, []), licences.get(row.id, []),
                       corridors.get(row.id, set()))


def entry_of(row, aliases, sectors, licences, corridors):
    """The listing entry of one entity from its rows."""
    summary = {"id": row.id, "kind": row.kind, "legal_name": row.legal_name, "country": row.country,
               "website": row.website, "certification_status": row.certification_status, "version": row.version,
               "aliases": [alias for alias, _ in aliases], "sectors": sectors,
               "licences": [licence for licence, _ in licences]}
    facets = {("kind", row.kind), ("country", row.country)} | {("sector", s) for s in sectors}
    if row.certification_status:
        facets.add(("status", row.certification_status))
    for licence, number_key in licences:
        facets |= {("licence_status", licence["status"]), ("authority", licence["authority"]),
                   ("licence", licence["status"], licence["authority"]), ("licence_number", number_key)}
        facets |= {("corridor", f"{row.country}-{d}") for d in licence["destinations"]}
    facets |= {("corridor", c) for c in corridors}
    names = "|".join([row.name_key] + [key for _, key in aliases])
    keys = (row.name_key, row.country, row.created_at.isoformat(), row.id)
    # Kept as JSON: a summary costs a few hundred bytes this way, several kilobytes as Python objects.
    return Entry(row.id, row.kind, json.dumps(summary, separators=(",", ":")).encode(),
                 tuple(FACETS.setdefault(f, f) for f in facets), names, keys)
