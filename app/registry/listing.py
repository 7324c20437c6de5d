"""Each process's listing of the registry: filtering, counting, sorting and paging agencies and employers in
memory, over facets (country, sector, licence status, corridor...), caught up with the change feed of
app/registry/changes.py before every use. A filtered page of 100,000 agencies costs set intersections, not
table scans; the full records stay in the database and come from the item routes."""
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from itertools import islice
import threading

from sqlalchemy import select, true

from app import db
from app.bulk import chunks, paused_gc
from app.registry.models import (Alias, Authority, Entity, EntitySector, Licence, LicenceDestination, RegistryState,
                                 Relationship)
from app.registry.names import licence_key, name_key

SORTS = ("legal_name", "country", "created_at", "id")
# Beyond this many changes at once the sort orders are rebuilt instead of patched.
REBUILD_AFTER = 2000
# Match sets up to this size are sorted directly; bigger ones are read off the kept sort order.
SORT_DIRECTLY = 2000


@dataclass
class Entry:
    """What the listing keeps of one entity: its summary (the list item), facets, names and sort keys."""

    id: int
    kind: str
    summary: dict
    facets: frozenset
    names: str
    keys: dict


@dataclass
class Listing:
    """The live entities of the registry as facets and sort orders."""

    generation: int = -1
    entries: dict = field(default_factory=dict)
    postings: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, entry, patch_orders=True):
        """Add or replace an entry."""
        self.remove(entry.id, patch_orders)
        self.entries[entry.id] = entry
        for facet in entry.facets:
            self.postings.setdefault(facet, set()).add(entry.id)
        if patch_orders:
            for sort in SORTS:
                if (entry.kind, sort) in self.orders:
                    insort(self.orders[entry.kind, sort], (entry.keys[sort], entry.id))

    def remove(self, entity_id, patch_orders=True):
        """Forget an entity (deleted, or about to be replaced)."""
        entry = self.entries.pop(entity_id, None)
        if entry is None:
            return
        for facet in entry.facets:
            self.postings[facet].discard(entity_id)
        if patch_orders:
            for sort in SORTS:
                order = self.orders.get((entry.kind, sort))
                if order is not None:
                    del order[bisect_left(order, (entry.keys[sort], entity_id))]

    def order(self, kind, sort):
        """The (key, id) pairs of one kind in ascending order of a sort field."""
        if (kind, sort) not in self.orders:
            with paused_gc():
                self.orders[kind, sort] = sorted((self.entries[i].keys[sort], i)
                                                 for i in self.postings.get(("kind", kind), ()))
        return self.orders[kind, sort]

    def search(self, kind, filters, *, sort="legal_name", page=1, per_page=50):
        """One page of summaries matching the filters, and how many match in all."""
        # Threaded servers: a catch-up in another thread must not change the sets under this one.
        with self.lock:
            return self.find(kind, filters, sort, page, per_page)

    def find(self, kind, filters, sort, page, per_page):
        """search() without the lock."""
        wanted = [self.postings.get(facet, set()) for facet in facets_of(filters)]
        wanted.sort(key=len)
        base = self.postings.get(("kind", kind), set())
        matches = base.intersection(*wanted) if wanted else base
        if filters.get("q"):
            needle = name_key(filters["q"])
            matches = {i for i in matches if needle in self.entries[i].names}
        descending, field_name = sort.startswith("-"), sort.lstrip("-")
        start = (page - 1) * per_page
        if len(matches) <= SORT_DIRECTLY:
            ordered = sorted(matches, key=lambda i: (self.entries[i].keys[field_name], i), reverse=descending)
            ids = ordered[start:start + per_page]
        else:
            order = self.order(kind, field_name)
            walk = reversed(order) if descending else order
            ids = list(islice((i for _, i in walk if i in matches), start, start + per_page))
        return [self.entries[i].summary for i in ids], len(matches)


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


def current(session):
    """This process's listing of the session's database, caught up with the registry's changes."""
    listing = LISTINGS.setdefault(str(session.get_bind().engine.url), Listing())
    with listing.lock:
        generation = session.scalar(select(RegistryState.generation).where(RegistryState.id == 1))
        if generation != listing.generation:
            with paused_gc():
                catch_up(session, listing, generation)
    return listing


def warm(app):
    """Build this process's listing and its default sort orders before it serves (see gunicorn.conf.py)."""
    with app.app_context():
        listing = current(db.Session())
        db.Session.remove()
    with listing.lock:
        for kind in ("agency", "employer"):
            listing.order(kind, "legal_name")


def catch_up(session, listing, generation):
    """Load what changed since the listing's generation (everything the first time, or if it went back)."""
    if listing.generation < 0 or generation < listing.generation:
        listing.entries.clear(), listing.postings.clear(), listing.orders.clear()
        changed = None
    else:
        changed = session.scalars(select(Entity.id).where(Entity.generation > listing.generation)).all()
    many = changed is None or len(changed) > REBUILD_AFTER
    if many:
        listing.orders.clear()
    for entry_or_id in load_entries(session, changed):
        if isinstance(entry_or_id, Entry):
            listing.put(entry_or_id, patch_orders=not many)
        else:
            listing.remove(entry_or_id, patch_orders=not many)
    listing.generation = generation


def load_entries(session, entity_ids):
    """Entries of the given entities (all when None); the id alone for those deleted since."""
    if entity_ids is None:
        yield from build(session, None)
        return
    for chunk in chunks(sorted(entity_ids)):
        yield from build(session, chunk)


def build(session, ids):
    """Entries for one batch of entity ids (or every entity), read with plain SELECTs."""
    def where(column):
        return column.in_(ids) if ids is not None else true()

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
                   "status": row.status, "valid_from": row.valid_from and row.valid_from.isoformat(),
                   "valid_until": row.valid_until and row.valid_until.isoformat(), "destinations": []}
        licences.setdefault(row.entity_id, []).append((licence, row.number_key))
        by_licence[row.id] = (licence, row.entity_id)
    destinations = select(LicenceDestination.licence_id, LicenceDestination.country).order_by(
        LicenceDestination.licence_id, LicenceDestination.country)
    if ids is not None:
        destinations = destinations.where(LicenceDestination.licence_id.in_(list(by_licence) or [0]))
    for licence_id, country in session.execute(destinations):
        if licence_id in by_licence:
            by_licence[licence_id][0]["destinations"].append(country)
    links = select(Relationship.client_id, Relationship.provider_id, Relationship.origin_country,
                   Relationship.destination_country)
    if ids is not None:
        links = links.where(Relationship.client_id.in_(ids) | Relationship.provider_id.in_(ids))
    for client_id, provider_id, origin, destination in session.execute(links):
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
    keys = {"legal_name": row.name_key, "country": row.country, "created_at": row.created_at.isoformat(),
            "id": row.id}
    return Entry(row.id, row.kind, summary, frozenset(facets), names, keys)
