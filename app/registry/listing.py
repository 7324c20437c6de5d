"""Each process's listing of the registry: filtering, counting, sorting and paging agencies and employers in
memory, over facets (country, sector, licence status, corridor...), caught up with the change feed of
app/registry/changes.py before every use, and with the calendar: licence statuses are read as on the day the
listing was last caught up (app/registry/expiry.py), and on a new day the entities whose licences lapsed or
revived between the two days are read again. A filtered page of 100,000 agencies costs set intersections, not
table scans; a name search reads only the entries having the searched words (or parts of words); the full
records stay in the database and come from the item routes. The entries of a full build are packed into a few
large objects (app/registry/packed.py), which gunicorn's workers share with the master that built them; those
changed since are kept as objects."""
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
import json
import threading

from sqlalchemy import func, select

from app import db
from app.bulk import CHUNK, chunks, paused_gc
from app.registry import expiry
from app.registry.models import (Alias, Authority, Entity, EntitySector, Licence, LicenceDestination, RegistryState,
                                 Relationship)
from app.registry.names import licence_key, name_key
from app.registry.packed import TEXT_KEYS, Entry, Packed
from app.registry.vocab import ENTITY_KINDS

SORTS = ("legal_name", "country", "created_at", "id")
SORT_INDEX = {name: index for index, name in enumerate(SORTS)}
# One shared object per distinct facet: 100,000 entries name the same few thousand facets.
FACETS = {}
# Beyond this many changes at once the sort orders are rebuilt instead of patched.
REBUILD_AFTER = 2000
# Beyond this many entries changed since the last full build, they are packed again with the others.
REPACK_AFTER = 20000
# Entities read per batch when catching up.
BATCH = 20000
# Match sets up to this size are sorted directly; bigger ones are read off the kept sort order.
SORT_DIRECTLY = 2000


@dataclass
class Listing:
    """The live entities of the registry as facets and sort orders."""

    generation: int = -1
    day: date | None = None     # the day its licence statuses are read on
    packed: Packed = field(default_factory=Packed)   # the entries of the last full build
    changed: dict = field(default_factory=dict)      # entries put since, by id
    postings: dict = field(default_factory=dict)     # facet -> ids
    orders: dict = field(default_factory=dict)       # (kind, sort) -> ids in the sort's order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __contains__(self, entity_id):
        return entity_id in self.changed or entity_id in self.packed

    def __len__(self):
        return len(self.changed) + len(self.packed)

    def entry(self, entity_id):
        """The entry of a live entity, or None."""
        if entity_id in self.changed:
            return self.changed[entity_id]
        return self.packed.entry(entity_id) if entity_id in self.packed else None

    def kind(self, entity_id):
        entry = self.changed.get(entity_id)
        return entry.kind if entry else self.packed.kind(entity_id)

    def summary(self, entity_id):
        """The entity's list item, as JSON bytes."""
        entry = self.changed.get(entity_id)
        return entry.summary if entry else self.packed.summary(entity_id)

    def sort_key(self, entity_id, position):
        """The entity's sort key `position` as the packed entries keep it (text as UTF-8)."""
        entry = self.changed.get(entity_id)
        if entry is None:
            return self.packed.sort_key(entity_id, position)
        return entry.keys[position].encode() if position < TEXT_KEYS else entity_id

    def put(self, entry, patch_orders=True):
        """Add or replace an entry."""
        self.remove(entry.id, patch_orders)
        self.changed[entry.id] = entry
        self.post(entry)
        if patch_orders:
            for sort in SORTS:
                order = self.orders.get((entry.kind, sort))
                if order is not None:
                    order.insert(self.place(order, entry.id, SORT_INDEX[sort]), entry.id)

    def post(self, entry):
        """File an entry's id under its facets."""
        for facet in entry.facets:
            self.postings.setdefault(facet, set()).add(entry.id)

    def remove(self, entity_id, patch_orders=True):
        """Forget an entity (deleted, or about to be replaced)."""
        entry = self.entry(entity_id)
        if entry is None:
            return
        if patch_orders:
            for sort in SORTS:
                order = self.orders.get((entry.kind, sort))
                if order is not None:
                    del order[self.place(order, entity_id, SORT_INDEX[sort])]
        for facet in entry.facets:
            self.postings[facet].discard(entity_id)
        if self.changed.pop(entity_id, None) is None:
            self.packed.drop(entity_id)

    def place(self, order, entity_id, position):
        """Where an entity's id goes in (or is in) a sort order."""
        return bisect_left(order, (self.sort_key(entity_id, position), entity_id),
                           key=lambda i: (self.sort_key(i, position), i))

    def order(self, kind, sort):
        """The ids of one kind in ascending order of a sort field (then of id)."""
        if (kind, sort) not in self.orders:
            position = SORT_INDEX[sort]
            ids = chain(self.packed.of_kind(kind), (i for i, entry in self.changed.items() if entry.kind == kind))
            with paused_gc():
                self.orders[kind, sort] = array("I", self.in_order(list(ids), position))
        return self.orders[kind, sort]

    def repack(self):
        """Pack the entries changed since the last full build with the others."""
        entries = chain((self.packed.entry(i) for i in self.packed.alive()), self.changed.values())
        self.packed, self.changed = Packed(entries), {}

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
            matches = self.named(name_key(filters["q"]), matches) | near.intersection(matches)
        descending, field_name = sort.startswith("-"), sort.lstrip("-")
        start = (page - 1) * per_page
        if len(matches) <= SORT_DIRECTLY:
            ids = self.in_order(matches, SORT_INDEX[field_name], descending)[start:start + per_page]
        else:
            order = self.order(kind, field_name)
            walk = reversed(order) if descending else order
            ids = list(islice((i for i in walk if i in matches), start, start + per_page))
        return [self.summary(i) for i in ids], len(matches)

    def in_order(self, ids, position, descending=False):
        """The ids in the order of their sort key `position` (then of id)."""
        packed = [i for i in ids if i not in self.changed]
        keyed = [*zip(self.packed.sort_keys(packed, position), packed),
                 *((self.sort_key(i, position), i) for i in ids if i in self.changed)]
        keyed.sort(reverse=descending)
        return [i for _, i in keyed]

    def named(self, needle, within):
        """The ids in `within` of the entries one of whose name keys contains `needle` (a name key)."""
        found = self.packed.named(needle, within)
        found.update(i for i, entry in self.changed.items() if needle in entry.names and i in within)
        return found


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
    """Build this process's listing and its sort orders before it serves (see gunicorn.conf.py): built in
    gunicorn's master, the orders are shared by its workers instead of being sorted again in each."""
    with app.app_context():
        listing = current(db.Session())
        db.Session.remove()
    with listing.lock:
        for kind in ENTITY_KINDS:
            for sort in SORTS:
                listing.order(kind, sort)


def catch_up(session, listing, generation, today=None):
    """Load what changed since the listing's generation (everything the first time, or if it went back), and
    what reads differently today than on the listing's day."""
    today = today or expiry.today()
    if listing.generation < 0 or generation < listing.generation:
        listing.postings.clear(), listing.orders.clear()
        entries = (entry for entry in load_entries(session, None, today) if isinstance(entry, Entry))
        listing.packed, listing.changed = Packed(posted(listing, entries)), {}
        listing.generation, listing.day = generation, today
        return
    changed = set(session.scalars(select(Entity.id).where(Entity.generation > listing.generation)))
    if today != listing.day:
        changed |= lapsing(session, listing.day, today)
    many = len(changed) > REBUILD_AFTER
    if many:
        listing.orders.clear()
    for entry_or_id in load_entries(session, changed, today):
        if isinstance(entry_or_id, Entry):
            listing.put(entry_or_id, patch_orders=not many)
        else:
            listing.remove(entry_or_id, patch_orders=not many)
    if len(listing.changed) > REPACK_AFTER:
        listing.repack()
    listing.generation, listing.day = generation, today


def posted(listing, entries):
    """The entries, each filed under its facets on the way."""
    for entry in entries:
        listing.post(entry)
        yield entry


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
